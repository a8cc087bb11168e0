#!/usr/bin/env bash
# Tiny Tiny RSS for the sync tests: installed from Debian's packages, run on 127.0.0.1.
#   bash tests/servers/ttrss.sh start     install what is missing (apt-get), start PostgreSQL
#                                         and tt-rss; prints DIR=, URL=, PGPORT= lines
#   bash tests/servers/ttrss.sh stop DIR  stop both and delete DIR
#   bash tests/servers/ttrss.sh web-stop|web-start DIR   stop or start the web server only
# tt-rss runs under PHP's built-in server on a copy of its www folder with a generated
# config.php, on a PostgreSQL 15 cluster of its own (schema from dbconfig-common's install
# script), user admin / password "password" with API access on. It refuses loopback feed URLs,
# so the tests put articles into its tables with SQL instead of having it fetch.
set -euo pipefail

PACKAGES="tt-rss php-pgsql php-cgi php-curl dbconfig-no-thanks postgresql-15 postgresql-client-15"
PGBIN=/usr/lib/postgresql/15/bin
SCHEMA=/usr/share/dbconfig-common/data/tt-rss/install/pgsql
WWW=/usr/share/tt-rss/www

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

install() {
    # One install at a time: .ci/run starts one in the background, a test's `start` may too.
    ( flock 9; install_missing ) 9>"${TMPDIR:-/tmp}/reader-ttrss-install.lock"
}

install_missing() {
    local missing=""
    for pkg in $PACKAGES; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
    done
    [ -z "$missing" ] && return 0
    command -v apt-get >/dev/null || { echo "ttrss.sh: apt-get is not available" >&2; exit 3; }
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
    echo "ttrss.sh: installing$missing" >&2
    $SUDO apt-get update -qq >&2
    # tt-rss's own postinst must not set up a database: dbconfig-no-thanks; no services started.
    DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $SUDO apt-get install -y -qq --no-install-recommends \
        $missing >&2
}

start() {
    install
    SECONDS=0
    local dir pgport port
    dir=$(mktemp -d /tmp/reader-ttrss.XXXXXX)
    chmod 755 "$dir"
    mkdir -p "$dir/pg" "$dir/run"
    [ "$(id -u)" = 0 ] && chown postgres "$dir/pg" "$dir/run"
    pgport=$(free_port)
    as_postgres "$PGBIN/initdb" -D "$dir/pg/data" -U postgres --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
    as_postgres "$PGBIN/pg_ctl" -D "$dir/pg/data" -l "$dir/run/postgres.log" -w -t 60 start \
        -o "-h 127.0.0.1 -p $pgport -k $dir/run -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        >"$dir/pg_ctl.log" 2>&1
    echo "$pgport" > "$dir/pgport"
    export PGOPTIONS="-c client_min_messages=warning"
    local psql=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pgport" -U postgres)
    "${psql[@]}" -d postgres -c "CREATE DATABASE ttrss" >/dev/null
    "${psql[@]}" -d ttrss -f "$SCHEMA" >/dev/null
    "${psql[@]}" -d ttrss >/dev/null <<SQL
INSERT INTO ttrss_user_prefs (owner_uid, pref_name, value)
    VALUES (1, 'ENABLE_API_ACCESS', 'true');
SQL
    cp -r "$WWW" "$dir/www"
    ln -s "$(dirname "$WWW")/schema" "$dir/schema"
    rm -f "$dir/www/config.php" "$dir/www/feed-icons"
    # Debian's links are relative (lib/gettext -> ../../../php/...): point the copies home.
    local link
    while IFS= read -r link; do
        ln -sfn "$(readlink -f "$WWW/${link#"$dir/www/"}")" "$link"
    done < <(find "$dir/www" -type l)
    mkdir -p "$dir/www/feed-icons" "$dir/lock" "$dir/cache/images" "$dir/cache/upload" \
        "$dir/cache/export" "$dir/cache/feeds"
    port=$(free_port)
    sed -e "s|include_once('/etc/tt-rss/database.php');||" \
        -e "s|define('DB_TYPE', \$dbtype);|define('DB_TYPE', 'pgsql');|" \
        -e "s|define('DB_HOST', \$dbserver);|define('DB_HOST', '127.0.0.1');|" \
        -e "s|define('DB_PORT', \$dbport);|define('DB_PORT', '$pgport');|" \
        -e "s|define('DB_USER', \$dbuser);|define('DB_USER', 'postgres');|" \
        -e "s|define('DB_NAME', \$dbname);|define('DB_NAME', 'ttrss');|" \
        -e "s|define('DB_PASS', \$dbpass);|define('DB_PASS', '');|" \
        -e "s|%SELF_URL_PATH|http://127.0.0.1:$port/|" \
        -e "s|'/var/lib/tt-rss'|'$dir/lock'|" \
        -e "s|'/var/cache/tt-rss'|'$dir/cache'|" \
        -e "s|define('CHECK_FOR_UPDATES', true);|define('CHECK_FOR_UPDATES', false);|" \
        -e "s|define('LOG_DESTINATION', 'syslog');|define('LOG_DESTINATION', '');|" \
        /etc/tt-rss/config.php > "$dir/www/config.php"
    echo "$port" > "$dir/port"
    if web_start "$dir"; then
        echo "DIR=$dir"
        echo "URL=http://127.0.0.1:$port/"
        echo "PGPORT=$pgport"
        echo "SECONDS=$SECONDS"
        return 0
    fi
    echo "ttrss.sh: tt-rss did not start: $(tail -c 600 "$dir/run/php.log")" >&2
    [ -n "${TTRSS_KEEP:-}" ] || stop "$dir"
    exit 1
}

web_start() {
    local dir=$1 port
    port=$(cat "$dir/port")
    PHP_CLI_SERVER_WORKERS=2 setsid php -S "127.0.0.1:$port" -t "$dir/www" \
        >>"$dir/run/php.log" 2>&1 < /dev/null &
    echo $! > "$dir/php.pid"
    for _ in $(seq 1 200); do
        if python3 - "$port" <<'PY' 2>/dev/null
import json, sys, urllib.request
req = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/api/", data=b'{"op":"getApiLevel"}')
with urllib.request.urlopen(req, timeout=2) as answer:
    json.load(answer)
PY
        then
            return 0
        fi
        sleep 0.05
    done
    return 1
}

web_stop() {
    local dir=$1 pid
    [ -f "$dir/php.pid" ] || return 0
    pid=$(cat "$dir/php.pid")
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    rm -f "$dir/php.pid"
}

stop() {
    local dir=$1
    case "$dir" in /tmp/reader-ttrss.*) ;; *) echo "ttrss.sh: not a tt-rss test folder: $dir" >&2; exit 2 ;; esac
    web_stop "$dir"
    if [ -d "$dir/pg/data" ]; then
        as_postgres "$PGBIN/pg_ctl" -D "$dir/pg/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
    install) install ;;
    start) start ;;
    stop) stop "${2:?usage: ttrss.sh stop DIR}" ;;
    web-stop) web_stop "${2:?usage: ttrss.sh web-stop DIR}" ;;
    web-start) web_start "${2:?usage: ttrss.sh web-start DIR}" || { echo "ttrss.sh: tt-rss did not start" >&2; exit 1; } ;;
    *) echo "usage: bash tests/servers/ttrss.sh install|start|stop DIR" >&2; exit 2 ;;
esac

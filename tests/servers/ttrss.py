"""Tiny Tiny RSS for tests: ``ttrss.sh`` installs and starts it; this drives it.

tt-rss refuses loopback feed URLs, so feeds and articles go into its own tables with SQL
(``add_feed``, ``add_articles``), just as its updater would write them. ``api`` calls its
JSON API as another device would.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

SCRIPT = Path(__file__).with_name("ttrss.sh")
USER = "admin"
PASSWORD = "password"


def unavailable_reason() -> str | None:
    """Why tt-rss cannot run here (None when it can): it needs Debian's packages."""
    installed = shutil.which("php") and Path("/usr/share/tt-rss/www").is_dir() \
        and Path("/usr/lib/postgresql/15/bin/initdb").exists()
    if installed or shutil.which("apt-get"):
        return None
    return "tt-rss tests need apt-get (Debian's tt-rss, PHP and PostgreSQL 15 packages)"


def sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass
class Article:
    title: str
    link: str
    content: str
    guid: str
    unread: bool = True
    marked: bool = False
    author: str = ""
    tags: tuple[str, ...] = ()


class TtrssServer:
    def __init__(self) -> None:
        self.dir = ""
        self.url = ""
        self.pgport = ""

    def start(self) -> None:
        done = subprocess.run(["bash", str(SCRIPT), "start"], capture_output=True, text=True,
                              timeout=900, check=False)
        values = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
        if done.returncode != 0 or "URL" not in values:
            raise RuntimeError(f"tt-rss did not start: {done.stderr[-1500:]}")
        self.dir, self.url, self.pgport = values["DIR"], values["URL"], values["PGPORT"]

    def stop(self) -> None:
        if self.dir:
            subprocess.run(["bash", str(SCRIPT), "stop", self.dir], timeout=120, check=False,
                           capture_output=True)
            self.dir = ""

    def stop_web(self) -> None:
        """Stop the web server only (the database stays): the server is down."""
        subprocess.run(["bash", str(SCRIPT), "web-stop", self.dir], timeout=60, check=True,
                       capture_output=True)

    def start_web(self) -> None:
        subprocess.run(["bash", str(SCRIPT), "web-start", self.dir], timeout=60, check=True,
                       capture_output=True)

    def sql(self, script: str) -> str:
        done = subprocess.run(
            ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
             "-p", self.pgport, "-U", "postgres", "-d", "ttrss"],
            input=script, capture_output=True, text=True, timeout=300, check=False,
            env={"PGOPTIONS": "-c client_min_messages=warning", "PATH": "/usr/bin:/bin"},
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr[-800:]}")
        return done.stdout

    def add_category(self, title: str) -> int:
        return int(self.sql(f"INSERT INTO ttrss_feed_categories (owner_uid, title) VALUES"
                            f" (1, {sql_text(title)}) RETURNING id;").split()[0])

    def add_feed(self, title: str, url: str, category: int | None = None) -> int:
        cat = "NULL" if category is None else str(category)
        return int(self.sql(
            f"INSERT INTO ttrss_feeds (owner_uid, title, feed_url, cat_id, site_url) VALUES"
            f" (1, {sql_text(title)}, {sql_text(url)}, {cat}, '') RETURNING id;").split()[0])

    def add_articles(self, feed_id: int, articles: list[Article]) -> list[int]:
        """Articles as tt-rss's updater stores them (guid hashed as it hashes it)."""
        statements = []
        for a in articles:
            guid = json.dumps({"ver": 2, "uid": "1",
                               "hash": "SHA1:" + hashlib.sha1(a.guid.encode()).hexdigest()})
            statements.append(
                "WITH e AS (INSERT INTO ttrss_entries (title, guid, link, updated, content,"
                " content_hash, date_entered, date_updated, author) VALUES"
                f" ({sql_text(a.title)}, {sql_text(guid)}, {sql_text(a.link)},"
                f" '2024-01-02 03:04:05', {sql_text(a.content)}, 'x', now(), now(),"
                f" {sql_text(a.author)}) RETURNING id)"
                " INSERT INTO ttrss_user_entries (ref_id, uuid, feed_id, owner_uid, tag_cache,"
                " label_cache, unread, marked, last_read)"
                f" SELECT id, '', {feed_id}, 1, {sql_text(','.join(a.tags))}, '',"
                f" {str(a.unread).lower()}, {str(a.marked).lower()},"
                f" {'NULL' if a.unread else 'now()'} FROM e RETURNING ref_id;"
            )
        return [int(line) for line in self.sql("\n".join(statements)).split()]

    def add_many(self, feed_id: int, count: int, prefix: str) -> None:
        """``count`` articles, already read (as most of a server's are), in two statements
        (the 5,000-item test)."""
        self.sql(
            "INSERT INTO ttrss_entries (title, guid, link, updated, content, content_hash,"
            " date_entered, date_updated, author)"
            f" SELECT 'Item ' || i, '{prefix}-' || i, 'http://example.org/{prefix}/' || i,"
            " now() - i * interval '1 minute', '<p>Body of item ' || i || ' with <b>bold</b>'"
            " || ' words</p>', 'x', now(), now(), '' FROM generate_series(1, "
            f"{count}) AS i;\n"
            "INSERT INTO ttrss_user_entries (ref_id, uuid, feed_id, owner_uid, tag_cache,"
            f" label_cache, unread, last_read) SELECT id, '', {feed_id}, 1, '', '', false, now()"
            f" FROM ttrss_entries WHERE guid LIKE '{prefix}-%';"
        )

    def state(self, article_id: int) -> tuple[bool, bool]:
        """(unread, marked) of an article, read from the database."""
        row = self.sql(f"SELECT unread, marked FROM ttrss_user_entries WHERE ref_id ="
                       f" {int(article_id)};").strip()
        unread, marked = row.split("|")
        return unread == "t", marked == "t"

    def api(self, op: str, **params: object) -> Any:
        """One JSON API call as another device would make it (logging in each time): its
        ``content``, as the JSON gives it."""
        login = httpx.post(self.url + "api/", json={"op": "login", "user": USER,
                                                    "password": PASSWORD}, timeout=30).json()
        sid = login["content"]["session_id"]
        answer = httpx.post(self.url + "api/", json={"op": op, "sid": sid, **params},
                            timeout=30).json()
        if answer["status"] != 0:
            raise RuntimeError(f"tt-rss {op}: {answer}")
        return answer["content"]

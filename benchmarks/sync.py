"""The ``sync`` phase: ``reader sync`` against the real servers the tests use, 5,000 items.

coldsweat (Fever API, from the ``test`` extra) reads a loopback feed of 5,000 items; Tiny Tiny
RSS (``tests/servers/ttrss.sh``: Debian's package on PostgreSQL 15, skipped with a note where
apt is not available) gets 5,000 articles in its tables, as its updater writes them, 5 of
them unread. For each: the first ``reader sync`` of an empty cache, then ``reader sync`` of
the unchanged server, each as a user runs it (a separate process, ``--home``), ``runs`` times
on fresh caches; wall time and the requests the sync made (from ``--json``).

    .venv/bin/python -m benchmarks.sync [--runs N] [--items N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from benchmarks.common import log, reader_argv, run_checked, stats

TESTS = Path(__file__).resolve().parent.parent / "tests"


def _feed(items: int, base: str) -> bytes:
    parts = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
             f"<title>Big</title><link>{base}/</link>"]
    for n in range(items):
        parts.append(f"<item><guid>big-{n}</guid><title>Item {n}</title>"
                     f"<link>{base}/{n}</link><pubDate>{formatdate(1_700_000_000 + n * 60)}"
                     "</pubDate><description>&lt;p&gt;Body of item " + str(n) +
                     " with &lt;b&gt;some&lt;/b&gt; words, as a summary is.&lt;/p&gt;"
                     "</description></item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode()


class _FeedServer(ThreadingHTTPServer):
    daemon_threads = True
    body = b""


class _Handler(BaseHTTPRequestHandler):
    server: _FeedServer

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(self.server.body)))
        self.end_headers()
        self.wfile.write(self.server.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _write_config(home: Path, service: str, url: str, user: str) -> None:
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[sync]\nservice = "{service}"\nurl = "{url}"\nusername = "{user}"\n')
    config.chmod(0o600)


def _measure(service: str, url: str, user: str, password: str, runs: int,
             scratch: Path) -> dict[str, Any]:
    env = {**os.environ, "READER_SYNC_PASSWORD": password}
    env.pop("READER_HOME", None)
    first: list[float] = []
    again: list[float] = []
    reports: dict[str, Any] = {}
    for number in range(runs):
        home = scratch / f"{service}-{number}"
        shutil.rmtree(home, ignore_errors=True)
        _write_config(home, service, url, user)
        elapsed, out = run_checked(reader_argv(home, "sync", "--json"), env=env)
        first.append(elapsed)
        reports["first"] = json.loads(out)
        elapsed, out = run_checked(reader_argv(home, "sync", "--json"), env=env)
        again.append(elapsed)
        reports["again"] = json.loads(out)
        shutil.rmtree(home, ignore_errors=True)
    return {
        "first": {"wall": stats(first), "new": reports["first"]["new"],
                  "requests": reports["first"]["requests"]},
        "again": {"wall": stats(again), "new": reports["again"]["new"],
                  "requests": reports["again"]["requests"]},
    }


def _fever(runs: int, items: int, scratch: Path) -> dict[str, Any]:
    from servers.coldsweat import EMAIL, PASSWORD, ColdsweatServer

    feeds = _FeedServer(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{feeds.server_address[1]}"
    feeds.body = _feed(items, base)
    threading.Thread(target=feeds.serve_forever, daemon=True).start()
    server = ColdsweatServer(scratch / "coldsweat", [(base + "/big.xml", "Big", None)])
    try:
        log(f"sync: coldsweat with {items} items")
        server.setup()
        server.start()
        return _measure("fever", server.url, EMAIL, PASSWORD, runs, scratch)
    finally:
        server.stop()
        feeds.shutdown()
        feeds.server_close()


def _ttrss(runs: int, items: int, scratch: Path) -> dict[str, Any]:
    from servers.ttrss import PASSWORD, USER, TtrssServer

    server = TtrssServer()
    try:
        log(f"sync: Tiny Tiny RSS with {items} items")
        server.start()
        feed = server.add_feed("Big", "https://big.example.org/rss")
        server.add_many(feed, items, "big")
        server.sql("UPDATE ttrss_user_entries SET unread = true WHERE int_id IN"
                   " (SELECT int_id FROM ttrss_user_entries ORDER BY int_id LIMIT 5);")
        return _measure("ttrss", server.url, USER, PASSWORD, runs, scratch)
    finally:
        server.stop()


def measure_sync(runs: int, items: int,
                 servers: tuple[str, ...] = ("fever", "ttrss")) -> dict[str, Any]:
    """The figures of ``servers`` (``fever``: coldsweat, ``ttrss``)."""
    sys.path.insert(0, str(TESTS))
    from servers.ttrss import unavailable_reason

    result: dict[str, Any] = {"items": items, "runs": runs}
    with tempfile.TemporaryDirectory(prefix="reader-bench-sync-") as folder:
        if "fever" in servers:
            result["fever"] = _fever(runs, items, Path(folder))
        if "ttrss" in servers:
            reason = unavailable_reason()
            if reason is None:
                result["ttrss"] = _ttrss(runs, items, Path(folder))
            else:
                result["ttrss_skipped"] = reason
    return result


def sync_rows(result: dict[str, Any] | None) -> list[str]:
    """The report's table rows (``benchmarks/report.py``)."""
    if not result:
        return []
    lines = [f"| sync server ({result['items']:,} items) | first `reader sync` | requests |"
             " unchanged server: `reader sync` | requests |", "| --- | --- | --- | --- | --- |"]
    for key, name in (("fever", "coldsweat (Fever API)"), ("ttrss", "Tiny Tiny RSS")):
        entry = result.get(key)
        if entry is None:
            continue
        lines.append(f"| {name} | {entry['first']['wall']['median']:.2f} s |"
                     f" {entry['first']['requests']} | {entry['again']['wall']['median']:.2f} s |"
                     f" {entry['again']['requests']} |")
    if "ttrss_skipped" in result:
        lines.append(f"\nTiny Tiny RSS not measured: {result['ttrss_skipped']}.")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sync")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    result = measure_sync(args.runs, args.items)
    print(json.dumps(result, indent=2) if args.json else "\n".join(sync_rows(result)))


if __name__ == "__main__":
    main()

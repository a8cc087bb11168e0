"""Time refreshes of many feeds from local servers: ``python benchmarks/refresh_local.py``.

Serves FEEDS feeds of ITEMS items (each 2-6 KB of HTML) from a separate process on HOSTS
loopback addresses (127.0.0.1, 127.0.0.2, ...), subscribes a fresh cache to them and times
three refreshes: the first (every story new), a second with the same documents (parsed and
compared, nothing new) and a third where the server answers 304.
"""

from __future__ import annotations

import argparse
import html
import multiprocessing
import random
import tempfile
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from reader.config import FetchSettings
from reader.refresh.pipeline import refresh_feeds
from reader.store import Store
from reader.store.feeds import add_feed

_TEXT = ("the quick brown fox jumps over a lazy dog while terminal readers fetch news feeds "
         "politely and keep every story offline for later")
WORDS = tuple(_TEXT.split())


def make_feed(number: int, items: int, rng: random.Random) -> bytes:
    def words(count: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(count))

    parts = [f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
             f"<title>Feed {number}</title><link>https://feed{number}.example/</link>"]
    for item in range(items):
        body: list[str] = []
        target = rng.randint(2000, 6000)
        while sum(map(len, body)) < target:
            body.append(f'<p>{words(30)} <a href="/p/{rng.randint(1, 999)}">{words(3)}</a> '
                        f"<em>{words(4)}</em> &amp; <strong>{words(2)}</strong></p>")
            if rng.random() < 0.2:
                body.append(f"<ul><li>{words(5)}</li><li>{words(6)}</li></ul>")
            if rng.random() < 0.1:
                body.append('<img src="https://img.example/i.png" alt="x">'
                            '<img src="https://t.example/p.gif" width="1" height="1">')
        parts.append(
            f"<item><guid>feed{number}-item{item}</guid><title>{words(6)}</title>"
            f"<link>https://feed{number}.example/{item}</link>"
            f"<pubDate>{formatdate(1_700_000_000 + item * 3600, usegmt=True)}</pubDate>"
            f"<description>{html.escape(''.join(body))}</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def serve(host: str, port: int, feeds: int, items: int, ready: Any) -> None:
    rng = random.Random(7)
    documents = {f"/feed/{n}": make_feed(n, items, rng) for n in range(feeds)}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = documents.get(self.path)
            if body is None:
                self.send_error(404)
                return
            if self.headers.get("If-None-Match") == '"same"':
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            if Path(tempfile.gettempdir(), "reader-bench-etag").exists():
                self.send_header("ETag", '"same"')
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    ready.set()
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--hosts", type=int, default=8, help="loopback addresses to spread over")
    args = parser.parse_args()
    flag = Path(tempfile.gettempdir(), "reader-bench-etag")
    flag.unlink(missing_ok=True)
    port = 18000 + random.Random().randint(0, 2000)
    servers = []
    per_host = -(-args.feeds // args.hosts)
    for index in range(args.hosts):
        ready = multiprocessing.Event()
        process = multiprocessing.Process(
            target=serve, args=(f"127.0.0.{index + 1}", port, per_host, args.items, ready),
            daemon=True,
        )
        process.start()
        servers.append((process, ready))
    for _, ready in servers:
        ready.wait(120)
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "cache.sqlite3"
        with Store.open(database) as store:
            for n in range(args.feeds):
                host = f"127.0.0.{n % args.hosts + 1}"
                add_feed(store, f"http://{host}:{port}/feed/{n // args.hosts}", f"feed {n}")
        settings = FetchSettings()
        for label in ("first refresh (all new)", "second refresh (same documents)"):
            started = time.perf_counter()
            summary = refresh_feeds(database, settings)
            print(f"{label}: {time.perf_counter() - started:.2f} s; {summary.describe()}")
        flag.touch()  # from now on the servers send an ETag, then answer 304
        refresh_feeds(database, settings)
        started = time.perf_counter()
        summary = refresh_feeds(database, settings)
        print(f"third refresh (304 not modified): {time.perf_counter() - started:.2f} s; "
              f"{summary.describe()}")
        flag.unlink(missing_ok=True)
    for process, _ in servers:
        process.terminate()


if __name__ == "__main__":
    main()

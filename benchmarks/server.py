"""A loopback HTTP server for the generated feeds, spread over several 127.0.0.x addresses.

Feeds live on many hosts on the internet, and the reader limits requests per host; serving
feed ``n`` from ``127.0.0.{1 + n % hosts}`` lets those limits act as they would out there
(Linux routes all of 127.0.0.0/8 to the loopback interface). It answers conditional requests
(ETag / Last-Modified → 304), can add a fixed latency to every response, and stops by itself
after ``--lifetime`` seconds or ``--max-requests`` requests, whichever comes first, so a
benchmark that dies never leaves it behind. It binds only to 127.0.0.0/8 addresses.

Run it in its own process (``python -m benchmarks.server``) so its work never shares a GIL
with the process being measured; it prints one JSON line with its addresses when ready.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from benchmarks.feedgen import etag, generate_feed, is_atom

LAST_MODIFIED = formatdate(1_795_000_000, usegmt=True)  # a fixed time in November 2026
_PATH = re.compile(r"^/feed/(\d+)\.xml$")


@dataclass
class Catalogue:
    """What every address serves: feed documents made on first request and kept."""

    seed: int
    items: int
    latency: float
    max_requests: int
    documents: dict[int, bytes] = field(default_factory=dict)
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    exhausted: threading.Event = field(default_factory=threading.Event)

    def document(self, feed: int) -> bytes:
        body = self.documents.get(feed)
        if body is None:
            body = generate_feed(self.seed, feed, self.items)
            self.documents[feed] = body
        return body


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        catalogue = self.server.catalogue
        with catalogue.lock:
            catalogue.requests += 1
            if catalogue.requests >= catalogue.max_requests:
                catalogue.exhausted.set()
        if catalogue.latency:
            time.sleep(catalogue.latency)
        match = _PATH.match(self.path.split("?", 1)[0])
        if match is None:
            self._send(404, b"not here", "text/plain")
            return
        feed = int(match.group(1))
        tag = etag(catalogue.seed, feed, catalogue.items)
        if self._not_modified(tag):
            self.send_response(304)
            self.send_header("ETag", tag)
            self.send_header("Last-Modified", LAST_MODIFIED)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        kind = "application/atom+xml" if is_atom(feed) else "application/rss+xml"
        self._send(200, catalogue.document(feed), f"{kind}; charset=utf-8", tag)

    def _not_modified(self, tag: str) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return tag in [t.strip() for t in if_none_match.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return parsedate_to_datetime(since) >= parsedate_to_datetime(LAST_MODIFIED)
            except (TypeError, ValueError):
                return False
        return False

    def _send(self, status: int, body: bytes, kind: str, tag: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if tag:
            self.send_header("ETag", tag)
            self.send_header("Last-Modified", LAST_MODIFIED)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], catalogue: Catalogue) -> None:
        if not ipaddress.ip_address(address[0]).is_loopback:
            raise ValueError(f"{address[0]} is not a loopback address")
        super().__init__(address, _Handler)
        self.catalogue = catalogue


def serve(seed: int, items: int, hosts: int, latency_ms: float, lifetime: float,
          max_requests: int, pregenerate: int, port: int = 0) -> None:
    """Serve until the lifetime or request budget runs out, or stdin closes."""
    if not 1 <= hosts <= 254:
        raise SystemExit("--hosts must be 1..254")
    catalogue = Catalogue(seed, items, latency_ms / 1000, max_requests)
    for feed in range(pregenerate):
        catalogue.document(feed)
    servers: list[_Server] = []
    for host in range(1, hosts + 1):
        address = f"127.0.0.{host}"
        # One port on every address: feed URLs stay the same from one run to the next, so
        # caches built once keep working.
        server = _Server((address, port), catalogue)
        port = port or server.server_address[1]
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ports = {s.server_address[0]: s.server_address[1] for s in servers}
    print(json.dumps({"ports": ports}), flush=True)
    stdin_closed = threading.Event()

    def watch_stdin() -> None:  # the parent went away: so do we
        try:
            sys.stdin.read()
        finally:
            stdin_closed.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    deadline = time.monotonic() + lifetime
    while time.monotonic() < deadline and not catalogue.exhausted.is_set():
        if stdin_closed.wait(0.2):
            break
    for server in servers:
        server.shutdown()
        server.server_close()


def feed_url(ports: dict[str, int], feed: int) -> str:
    """Where feed ``feed`` lives, given the ``ports`` the server printed."""
    hosts = sorted(ports, key=lambda a: int(a.rsplit(".", 1)[1]))
    address = hosts[feed % len(hosts)]
    return f"http://{address}:{ports[address]}/feed/{feed}.xml"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--items", type=int, default=50, help="items per feed")
    parser.add_argument("--hosts", type=int, default=32, help="127.0.0.1 .. 127.0.0.N")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--lifetime", type=float, default=900.0, help="seconds before it stops")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--pregenerate", type=int, default=0,
                        help="make feeds 0..N-1 before serving (keeps generation unmeasured)")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args(argv)
    serve(args.seed, args.items, args.hosts, args.latency_ms, args.lifetime,
          args.max_requests, args.pregenerate, args.port)


if __name__ == "__main__":
    main()

"""A loopback HTTP server for feeds, spread over several 127.0.0.x addresses.

Feeds live on many hosts on the internet, and the reader limits requests per host; serving
document ``n`` from ``127.0.0.{1 + n % hosts}`` lets those limits act as they would out there
(Linux routes all of 127.0.0.0/8 to the loopback interface). It answers conditional requests
(ETag / Last-Modified → 304), can add a fixed latency to every response, counts its answers
by status, and binds only to 127.0.0.0/8 addresses.

What it serves is a ``Catalogue``: the generated feeds (``GeneratedFeeds``, ``/feed/N.xml``)
or the files of a folder such as the real corpus (``benchmarks.realfeeds.CorpusFiles``,
``/real/NAME``, each with the content type of its kind).

Two ways to run it:

- ``serving(catalogue, hosts)`` in this process (threads): the tests, whose measured program
  is another process anyway;
- ``python -m benchmarks.server`` in its own process, so its work never shares a GIL with the
  process being measured. It prints one JSON line with its addresses when ready; a line
  ``counts`` on its stdin answers one JSON line of the answers so far by status; it stops when
  its stdin closes (the parent went away), after ``--lifetime`` seconds, or after
  ``--max-requests`` requests, so a benchmark that dies never leaves it behind.
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from benchmarks.feedgen import etag, generate_feed, is_atom

LAST_MODIFIED = formatdate(1_795_000_000, usegmt=True)  # a fixed time in November 2026
_FEED_PATH = re.compile(r"^/feed/(\d+)\.xml$")
POLL = 0.05
"""Seconds between a serving loop's checks for shutdown (the standard library's is 0.5)."""


@dataclass(frozen=True)
class Document:
    """One response body and the headers that describe it."""

    body: bytes
    content_type: str
    etag: str
    last_modified: str = LAST_MODIFIED
    gzipped: bytes | None = None
    """The body gzip-compressed as stored; sent as is to a client that accepts gzip."""


@dataclass
class Catalogue:
    """What every address serves, and what was answered: the base of every catalogue."""

    latency: float = 0.0
    """Seconds every response waits before it is sent, as a distant server would."""
    max_requests: int = 1_000_000
    keep_log: bool = False
    """Also keep ``(path, status)`` of every answer, in order (tests read it)."""
    counts: Counter[int] = field(default_factory=Counter)
    log: list[tuple[str, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    exhausted: threading.Event = field(default_factory=threading.Event)

    def lookup(self, path: str) -> Document | None:
        raise NotImplementedError

    def record(self, path: str, status: int) -> None:
        with self.lock:
            self.counts[status] += 1
            if self.keep_log:
                self.log.append((path, status))
            if sum(self.counts.values()) >= self.max_requests:
                self.exhausted.set()

    def snapshot(self) -> dict[str, int]:
        """The answers so far by status, e.g. ``{"200": 198, "304": 198}``."""
        with self.lock:
            return {str(status): n for status, n in sorted(self.counts.items())}


@dataclass
class GeneratedFeeds(Catalogue):
    """The benchmark's generated feeds: ``/feed/N.xml``, made on first request and kept."""

    seed: int = 1
    items: int = 50
    documents: dict[int, Document] = field(default_factory=dict)

    def document(self, feed: int) -> Document:
        found = self.documents.get(feed)
        if found is None:
            kind = "application/atom+xml" if is_atom(feed) else "application/rss+xml"
            found = Document(generate_feed(self.seed, feed, self.items), f"{kind}; charset=utf-8",
                             etag(self.seed, feed, self.items))
            self.documents[feed] = found
        return found

    def lookup(self, path: str) -> Document | None:
        match = _FEED_PATH.match(path)
        return None if match is None else self.document(int(match.group(1)))


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        catalogue = self.server.catalogue
        if catalogue.latency:
            time.sleep(catalogue.latency)
        path = self.path.split("?", 1)[0]
        document = catalogue.lookup(path)
        if document is None:
            catalogue.record(path, 404)
            self._send(404, b"not here", "text/plain")
            return
        if self._not_modified(document):
            catalogue.record(path, 304)
            self.send_response(304)
            self.send_header("ETag", document.etag)
            self.send_header("Last-Modified", document.last_modified)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        catalogue.record(path, 200)
        body, headers = document.body, {"ETag": document.etag,
                                        "Last-Modified": document.last_modified}
        if document.gzipped is not None and "gzip" in self.headers.get("Accept-Encoding", ""):
            body, headers["Content-Encoding"] = document.gzipped, "gzip"
        self._send(200, body, document.content_type, headers)

    def _not_modified(self, document: Document) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return document.etag in [t.strip() for t in if_none_match.split(",")]
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return parsedate_to_datetime(since) >= parsedate_to_datetime(
                    document.last_modified)
            except (TypeError, ValueError):
                return False
        return False

    def _send(self, status: int, body: bytes, kind: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
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


@dataclass(frozen=True)
class Served:
    """Where a running server listens: ``ports`` by address (one port on every address)."""

    ports: dict[str, int]

    def url(self, index: int, path: str) -> str:
        """The URL of ``path`` as document number ``index`` (which picks its address)."""
        hosts = sorted(self.ports, key=lambda a: int(a.rsplit(".", 1)[1]))
        address = hosts[index % len(hosts)]
        return f"http://{address}:{self.ports[address]}{path}"


def _bind(catalogue: Catalogue, hosts: int, port: int) -> list[_Server]:
    """One server per address, all on one port (any free one when ``port`` is 0)."""
    if not 1 <= hosts <= 254:
        raise SystemExit("--hosts must be 1..254")
    for _attempt in range(20):
        servers: list[_Server] = []
        chosen = port
        try:
            for host in range(1, hosts + 1):
                server = _Server((f"127.0.0.{host}", chosen), catalogue)
                chosen = chosen or server.server_address[1]
                servers.append(server)
            return servers
        except OSError:
            for server in servers:
                server.server_close()
            if port:  # a fixed port that is taken: say so, do not move elsewhere
                raise
    raise OSError("no port was free on every loopback address")


@contextlib.contextmanager
def serving(catalogue: Catalogue, hosts: int = 1, port: int = 0) -> Iterator[Served]:
    """Serve ``catalogue`` from threads of this process on 127.0.0.1 … 127.0.0.``hosts``."""
    servers = _bind(catalogue, hosts, port)
    threads = [threading.Thread(target=s.serve_forever, args=(POLL,), daemon=True)
               for s in servers]
    for thread in threads:
        thread.start()
    try:
        yield Served({str(s.server_address[0]): s.server_address[1] for s in servers})
    finally:
        # All at once: each shutdown() waits for its loop's next poll, and one after the
        # other that was half a second an address (16 s for 32).
        stopping = [threading.Thread(target=s.shutdown) for s in servers]
        for thread in stopping:
            thread.start()
        for thread in stopping:
            thread.join()
        for server in servers:
            server.server_close()


def serve(catalogue: Catalogue, hosts: int, lifetime: float, port: int = 0) -> None:
    """Serve until the lifetime or request budget runs out, or stdin closes."""
    with serving(catalogue, hosts, port) as served:
        print(json.dumps({"ports": served.ports}), flush=True)
        stdin_closed = threading.Event()

        def watch_stdin() -> None:  # answers "counts"; at EOF the parent went away: so do we
            try:
                for line in sys.stdin:
                    if line.strip() == "counts":
                        print(json.dumps({"counts": catalogue.snapshot()}), flush=True)
            finally:
                stdin_closed.set()

        threading.Thread(target=watch_stdin, daemon=True).start()
        deadline = time.monotonic() + lifetime
        while time.monotonic() < deadline and not catalogue.exhausted.is_set():
            if stdin_closed.wait(0.2):
                break


@dataclass
class ServerProcess:
    """``python -m benchmarks.server`` running as a child: where it listens, what it answered."""

    process: subprocess.Popen[str]
    served: Served

    @property
    def ports(self) -> dict[str, int]:
        return self.served.ports

    def counts(self) -> dict[str, int]:
        """The server's answers so far by status, e.g. ``{"200": 198, "304": 198}``."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("counts\n")
        self.process.stdin.flush()
        return dict(json.loads(self.process.stdout.readline())["counts"])


@contextlib.contextmanager
def server_process(*args: str) -> Iterator[ServerProcess]:
    """Start the server as a child with ``args`` (see ``main``); stopped and reaped on leaving."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server", *args], stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parent.parent)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the feed server did not start ({' '.join(args)}: port taken?)")
        ports = {k: int(v) for k, v in json.loads(line)["ports"].items()}
        yield ServerProcess(process, Served(ports))
    finally:
        if process.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                process.stdin.close()  # the server stops when its stdin closes
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def difference(after: dict[str, int], before: dict[str, int]) -> dict[str, int]:
    """Answers given between two ``counts()``, by status (statuses with none left out)."""
    return {k: after[k] - before.get(k, 0) for k in after if after[k] - before.get(k, 0)}


def feed_url(ports: dict[str, int], feed: int) -> str:
    """Where generated feed ``feed`` lives, given the ``ports`` the server printed."""
    return Served(ports).url(feed, f"/feed/{feed}.xml")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", metavar="FOLDER", type=Path,
                        help="serve this folder's files (the real corpus) instead of "
                             "generated feeds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--items", type=int, default=50, help="items per generated feed")
    parser.add_argument("--hosts", type=int, default=32, help="127.0.0.1 .. 127.0.0.N")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--lifetime", type=float, default=900.0, help="seconds before it stops")
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--pregenerate", type=int, default=0,
                        help="make feeds 0..N-1 before serving (keeps generation unmeasured)")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args(argv)
    catalogue: Catalogue
    if args.files:
        from benchmarks.realfeeds import CorpusFiles

        catalogue = CorpusFiles.load(args.files)
    else:
        catalogue = GeneratedFeeds(seed=args.seed, items=args.items)
        for feed in range(args.pregenerate):
            catalogue.document(feed)
    catalogue.latency = args.latency_ms / 1000
    catalogue.max_requests = args.max_requests
    serve(catalogue, args.hosts, args.lifetime, args.port)


if __name__ == "__main__":
    main()

"""A real HTTP server on 127.0.0.1 for the fetch tests, with misbehaving routes on demand.

Each route is a function that writes the whole response itself, so a test can send a 304, a
redirect loop, a trickle, a gzip bomb or a body cut off mid-way exactly as a bad server would.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import sys
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BufferedIOBase
from xml.sax.saxutils import escape

Route = Callable[[BaseHTTPRequestHandler], None]

POLL = 0.05
"""Seconds between the serving loop's checks for ``shutdown()``: the standard library's 0.5
made every ``stop()`` wait ~0.25 s on average, ~0.5 s in a test's teardown (as in
``benchmarks/server.py``)."""


class _TimedWrites:
    """The handler's ``wfile``, noting when each write begins (``_Handler``'s in-flight count)."""

    def __init__(self, wfile: BufferedIOBase) -> None:
        self._wfile = wfile
        self.last_write: float | None = None

    def write(self, data: bytes) -> int:
        self.last_write = time.monotonic()
        return self._wfile.write(data)

    def __getattr__(self, name: str) -> object:
        """Everything else is the wrapped file's. ``StreamRequestHandler.finish`` asks whether
        the file is ``closed``, then closes it: when only ``write`` and ``flush`` were passed
        on, every request ended in an AttributeError, printed as a traceback from the server's
        thread; and Python 3.11 parses source to draw a traceback's ^^^ marks, so one printed
        while the main thread parsed a module (pytest rewriting an import) could stop pytest
        with "SystemError: AST constructor recursion depth mismatch" (CPython gh-106905)."""
        return getattr(self._wfile, name)


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer

    def setup(self) -> None:
        super().setup()
        self.wfile = self._writes = _TimedWrites(self.wfile)  # type: ignore[assignment]

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.requests.append((path, dict(self.headers.items())))
        route = self.server.routes.get(path)
        if route is None:
            send(self, 404, b"not here", "text/plain")
            return
        self._writes.last_write = None
        started = time.monotonic()
        try:
            # The client may give up on us mid-response, as it should on a trickle.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                route(self)
        finally:
            last = self._writes.last_write
            self.server.served(started, last if last is not None else time.monotonic())

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass


class FeedServer(ThreadingHTTPServer):
    """Serves its routes on ``host`` (any 127.x.y.z is loopback: a second "host" for the
    per-host limits is a second server on 127.0.0.2)."""

    daemon_threads = True
    request_queue_size = 128
    """Connections the kernel accepts before the server's thread takes them (socketserver's
    default, 5, is fewer than the 8 a feed's host may get at once: on a loaded machine, with
    the accepting thread slow to run, the others' SYNs were dropped and retried after 1 s, and
    a good feed failed "could not connect within 2 s"). Real servers listen with hundreds."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__((host, 0), _Handler)
        self.host = host
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.stopping = threading.Event()
        self._counting = threading.Lock()
        self._ended = threading.Condition(self._counting)
        self.connections_ended = 0
        self._answers: list[tuple[float, float]] = []
        self.errors: list[str] = []
        """Exceptions that escaped a handler (``handle_error``)."""
        self.outlasted: list[str] = []
        """Paths whose slow response (``trickle``, ``slow_headers``) ran to its end: the client
        waited it out instead of giving up. A bounded fetch never lets one, and a slow route's
        ``limit`` (20 s) is ten times the bounds the tests set, so this shows the bound held
        without a clock in the test (a wall-time assertion failed on the loaded machine)."""
        self.thread = threading.Thread(target=self.serve_forever, args=(POLL,), daemon=True)
        self.thread.start()

    def served(self, started: float, last_write: float) -> None:
        """A route's answer: from when its request was read to when its last write began."""
        with self._counting:
            self._answers.append((started, last_write))

    @property
    def max_in_flight(self) -> int:
        """The most requests served at once (a per-host limit is checked against it), each
        from when it was read to when its answer's **last write began**. Until the handler
        returned, a client that read the whole answer (or gave up on a big one: it stops
        reading at its limit, and the server's write fails only later) had already sent its
        next request while this one still counted: 3 at once, on a loaded machine, from a
        client that never sent more than 2. A request a client sends after the one before it
        ended always begins after that one's last write did."""
        with self._counting:
            answers = list(self._answers)
        # Sweep: at the same moment, an answer that ends is counted out before one that begins.
        moments = sorted([(a, 1) for a, _ in answers] + [(b, -1) for _, b in answers],
                         key=lambda m: (m[0], m[1]))
        most = now = 0
        for _, step in moments:
            now += step
            most = max(most, now)
        return most

    @max_in_flight.setter
    def max_in_flight(self, value: int) -> None:
        """Set to 0: count from now on only."""
        if value != 0:
            raise ValueError("max_in_flight can only be reset to 0")
        with self._counting:
            self._answers.clear()

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        """A connection is over (its handler has finished, with or without an error)."""
        super().shutdown_request(request)
        with self._ended:
            self.connections_ended += 1
            self._ended.notify_all()

    def wait_connections_ended(self, count: int, timeout: float = 10.0) -> bool:
        """Wait until ``count`` connections have ended; whether they have."""
        with self._ended:
            return self._ended.wait_for(lambda: self.connections_ended >= count, timeout)

    def handle_error(self, request: object, client_address: object) -> None:
        """A handler's failure is kept in ``errors`` and said in one line: socketserver's own
        traceback, drawn in the server's thread, can race the main thread's parsing of a
        module (see ``_TimedWrites.__getattr__``)."""
        error = sys.exc_info()[1]
        self.errors.append(repr(error))
        sys.stderr.write(f"feed server {self.host}: {client_address}: {error!r}\n")

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.server_address[1]}{path}"

    def requests_for(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path]

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes = b"",
         content_type: str = "application/xml", headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    # Headers and body in one write. A client may leave as soon as it has read the headers
    # (a status it does not want, a length over its limit, a type it does not read), and a
    # request counts as in flight until its answer's last write begins: written apart, the
    # body's write could begin after that client had sent its next request (max_in_flight 3
    # from a client that never sent more than 2, with the 2.2 MB page).
    handler._headers_buffer.append(b"\r\n")  # type: ignore[attr-defined]  # end_headers()'s
    handler.wfile.write(b"".join(handler._headers_buffer) + body)  # type: ignore[attr-defined]
    handler._headers_buffer = []  # type: ignore[attr-defined]


def static(body: bytes, content_type: str = "application/rss+xml", status: int = 200,
           headers: dict[str, str] | None = None) -> Route:
    return lambda h: send(h, status, body, content_type, headers)


def with_etag(body: bytes, etag: str = '"v1"') -> Route:
    """A server that answers 304 when the client already has this version."""
    def route(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == etag:
            h.send_response(304)
            h.send_header("ETag", etag)
            h.end_headers()
        else:
            send(h, 200, body, "application/rss+xml", {"ETag": etag})
    return route


def redirect(location: str, status: int = 301) -> Route:
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()
    return route


def _drip(h: BaseHTTPRequestHandler, byte: bytes, every: float, limit: float) -> None:
    """Write ``byte`` every ``every`` seconds for ``limit`` seconds, or until the server stops."""
    server: FeedServer = h.server  # type: ignore[assignment]
    started = time.monotonic()
    while time.monotonic() - started < limit and not server.stopping.is_set():
        h.wfile.write(byte)  # a client that gave up: BrokenPipeError, and we are done
        h.wfile.flush()
        time.sleep(every)
    if not server.stopping.is_set():
        server.outlasted.append(h.path)


def trickle(every: float = 0.2, limit: float = 20.0) -> Route:
    """Headers at once, then one byte at a time: each read is quick, the whole never ends."""
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.end_headers()
        h.wfile.write(b"<?xml version='1.0'?><rss version='2.0'><channel>")
        _drip(h, b" ", every, limit)
    return route


def slow_headers(every: float = 0.2, limit: float = 20.0) -> Route:
    """Slowloris: the status line and then headers a byte at a time, never finished."""
    def route(h: BaseHTTPRequestHandler) -> None:
        h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n")
        _drip(h, b"X", every, limit)
        h.close_connection = True
    return route


def gzip_bomb(decoded_size: int) -> Route:
    """A small gzip body that inflates to ``decoded_size`` bytes of spaces."""
    payload = gzip.compress(b"<?xml version='1.0'?><rss>" + b" " * decoded_size, 9)
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Encoding", "gzip")
        h.send_header("Content-Length", str(len(payload)))
        h.end_headers()
        h.wfile.write(payload)
    return route


def dropped(body: bytes, keep: int) -> Route:
    """Promise the whole body, send ``keep`` bytes of it, then hang up."""
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body[:keep])
        h.wfile.flush()
        h.close_connection = True
    return route


def rss2(title: str, items: list[tuple[str, str]], link: str = "http://127.0.0.1:9/") -> bytes:
    """An RSS 2.0 feed of (guid, title) items, each with a dated HTML description. Its links
    are on a loopback port where nothing listens: a refresh that fetches the stories' pages
    (issue 17) is refused at once, and nothing leaves the machine."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(link)}</link>",
    ]
    for number, (guid, item_title) in enumerate(items):
        date = formatdate(1_700_000_000 + number * 3600, usegmt=True)
        parts.append(
            f"<item><guid isPermaLink='false'>{escape(guid)}</guid>"
            f"<title>{escape(item_title)}</title><link>{escape(link)}{escape(guid)}</link>"
            f"<pubDate>{date}</pubDate>"
            f"<description>{escape('<p>Body of <b>' + item_title + '</b></p>')}</description>"
            "</item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()

"""The fetcher's connections, kept per host (``reader.feeds.host_transport``), against real
servers on loopback that keep connections alive (HTTP/1.1), as real feed servers do.

A second host is a second server on 127.0.0.2 (all of 127/8 is loopback).
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from reader.config import FetchSettings
from reader.feeds.fetch import Fetcher, FetchRequest, FetchResult
from reader.feeds.host_transport import HostTransport

BODY = b"<rss version='2.0'><channel><title>t</title></channel></rss>"


class _KeepAlive(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # connections stay open between requests
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.lock:
            self.server.connections += 1

    def do_GET(self) -> None:
        self.server.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str) -> None:
        super().__init__((host, 0), _KeepAlive)
        self.host = host
        self.lock = threading.Lock()
        self.connections = 0
        self.paths: list[str] = []
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.server_address[1]}{path}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


@pytest.fixture()
def host_a() -> Iterator[_Server]:
    running = _Server("127.0.0.1")
    yield running
    running.stop()


@pytest.fixture()
def host_b() -> Iterator[_Server]:
    running = _Server("127.0.0.2")
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)


def fetch_in_turn(settings: FetchSettings, urls: list[str]) -> list[FetchResult]:
    """Fetch ``urls`` one after another through one ``Fetcher``, as a host's lane does."""
    async def run() -> list[FetchResult]:
        async with Fetcher(settings) as fetcher:
            return [await fetcher.fetch(FetchRequest(url)) for url in urls]
    return asyncio.run(run())


def test_a_hosts_feeds_share_its_connection(host_a: _Server) -> None:
    results = fetch_in_turn(FetchSettings(), [host_a.url(f"/{n}.xml") for n in range(4)])
    assert [r.status for r in results] == ["ok"] * 4
    assert all(r.body == BODY for r in results)
    assert host_a.connections == 1


def test_each_host_keeps_its_own_connection(host_a: _Server, host_b: _Server) -> None:
    urls = [host_a.url("/a1.xml"), host_b.url("/b1.xml"), host_a.url("/a2.xml"),
            host_b.url("/b2.xml")]
    results = fetch_in_turn(FetchSettings(), urls)
    assert [r.status for r in results] == ["ok"] * 4
    assert (host_a.connections, host_b.connections) == (1, 1)
    assert host_a.paths == ["/a1.xml", "/a2.xml"] and host_b.paths == ["/b1.xml", "/b2.xml"]


def test_idle_hosts_beyond_the_kept_number_are_let_go(host_a: _Server,
                                                         host_b: _Server) -> None:
    """With room for one host's idle connections, the least recently used host's are closed
    when another host is met: its next feed opens a new connection."""
    async def run() -> list[int]:
        transport = HostTransport(per_host=2, keep_hosts=1)
        async with httpx.AsyncClient(transport=transport) as client:
            for url in (host_a.url("/1"), host_b.url("/2"), host_a.url("/3")):
                response = await client.get(url)
                assert response.content == BODY
        return [host_a.connections, host_b.connections]

    assert asyncio.run(run()) == [2, 1]


def test_an_open_response_keeps_its_host(host_a: _Server, host_b: _Server) -> None:
    """A host whose response is still being read is never let go, whatever the room."""
    async def run() -> tuple[bytes, bytes]:
        transport = HostTransport(per_host=2, keep_hosts=1)
        async with httpx.AsyncClient(transport=transport) as client, \
                client.stream("GET", host_a.url("/open")) as first:
            other = await client.get(host_b.url("/other"))  # a new host meanwhile
            return await first.aread(), other.content

    assert asyncio.run(run()) == (BODY, BODY)


def test_plain_http_reads_no_certificates(host_a: _Server,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The certificates https needs are read for the first https host, never for plain http
    (reading them was ~20-30 ms of every refresh's start-up)."""
    made: list[object] = []
    real = httpx.create_ssl_context

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(httpx, "create_ssl_context", counted)
    [result] = fetch_in_turn(FetchSettings(), [host_a.url("/plain.xml")])
    assert result.status == "ok"
    assert made == []


def test_a_proxy_named_in_the_environment_is_used(host_a: _Server,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """``HTTP_PROXY`` still sends every request through the proxy (httpx's own transports):
    the proxy is asked for the feed's whole URL."""
    monkeypatch.setenv("HTTP_PROXY", host_a.url(""))
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    [result] = fetch_in_turn(FetchSettings(), ["http://feeds.invalid/news.xml"])
    assert result.status == "ok", result
    assert host_a.paths == ["http://feeds.invalid/news.xml"]


TLS = Path(__file__).parent / "data" / "tls"
"""A self-signed certificate for 127.0.0.1 (valid until 2126) and its key, made for these tests
with ``openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj /CN=127.0.0.1
-addext subjectAltName=IP:127.0.0.1``."""


@pytest.fixture()
def tls_host() -> Iterator[_Server]:
    running = _Server("127.0.0.1")
    running.shutdown()  # serve again behind TLS
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")
    running.socket = context.wrap_socket(running.socket, server_side=True)
    threading.Thread(target=running.serve_forever, args=(0.05,), daemon=True).start()
    yield running
    running.stop()


def test_https_checks_the_certificate_in_words(tls_host: _Server) -> None:
    url = tls_host.url("/feed.xml").replace("http:", "https:")
    [result] = fetch_in_turn(FetchSettings(), [url])
    assert result.status == "error"
    assert result.error == "the certificate of 127.0.0.1 is not valid (self-signed certificate)"


def test_https_trusts_ssl_cert_file_and_keeps_its_connection(
        tls_host: _Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """The certificates are read at the first https host, as httpx reads them (``SSL_CERT_FILE``
    included), and a kept connection carries the host's next feed."""
    monkeypatch.setenv("SSL_CERT_FILE", str(TLS / "cert.pem"))
    url = tls_host.url("/feed.xml").replace("http:", "https:")
    results = fetch_in_turn(FetchSettings(), [url, url])
    assert [(r.status, r.body) for r in results] == [("ok", BODY), ("ok", BODY)]
    assert tls_host.connections == 1

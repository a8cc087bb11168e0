"""The refresh's own network backend for httpcore (``reader.feeds.net_backend``) against the
anyio one httpx uses by default: the same answers, and the same failures in the same words
(``fetch.describe_error``), from servers on loopback that misbehave on purpose."""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpcore
import httpx
import pytest

from reader.config import FetchSettings
from reader.feeds import net_backend
from reader.feeds.fetch import describe_error
from reader.feeds.host_transport import HostTransport

SETTINGS = FetchSettings(read_timeout=0.3, connect_timeout=2)
BODY = b"<rss version='2.0'><channel><title>t</title></channel></rss>"


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """One connection: answers requests until the path says to misbehave."""
    while True:
        head = await reader.readuntil(b"\r\n\r\n")
        path = head.split(b" ", 2)[1].decode()
        if path == "/ok":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nETag: \"x\"\r\n\r\n%s"
                         % (len(BODY), BODY))
            await writer.drain()
            continue
        if path == "/then-close":  # kept alive as far as the client knows, then closed
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(BODY), BODY))
        elif path == "/chunked":
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        elif path == "/until-close":
            writer.write(b"HTTP/1.0 200 OK\r\n\r\n" + BODY * 50)
        elif path == "/big":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (3 << 20))
            writer.write(b"x" * (3 << 20))
        elif path == "/short":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")
        elif path == "/garbage":
            writer.write(b"HTTP/1.1 abc\r\n\r\n")
        elif path == "/bad-chunk":
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        elif path == "/reset":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npart")
            await writer.drain()
            await asyncio.sleep(0.05)
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif path == "/silent":
            await asyncio.sleep(1)
        await writer.drain()
        writer.close()
        return


@pytest.fixture
async def server() -> AsyncIterator[str]:
    served = await asyncio.start_server(_answer, "127.0.0.1", 0)
    port = served.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    served.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _outcome(transport: httpx.AsyncBaseTransport, url: str) -> Any:
    """What a GET of ``url`` came to: its status, headers and body, or the failure in words."""
    async with httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(
            connect=SETTINGS.connect_timeout, read=SETTINGS.read_timeout,
            write=SETTINGS.read_timeout, pool=None)) as client:
        try:
            async with client.stream("GET", url) as response:
                body = b"".join([chunk async for chunk in response.aiter_raw()])
                return response.status_code, response.http_version, \
                    response.reason_phrase, dict(response.headers), body
        except Exception as exc:
            return type(exc).__name__, describe_error(exc, url, SETTINGS)


async def _both(url: str) -> tuple[Any, Any]:
    ours = await _outcome(HostTransport(2), url)
    anyios = await _outcome(httpx.AsyncHTTPTransport(), url)
    return ours, anyios


PATHS = ["/ok", "/chunked", "/until-close", "/big", "/short", "/garbage", "/bad-chunk", "/reset",
         "/silent"]
TLS = Path(__file__).parent / "data" / "tls"
"""The self-signed certificate for 127.0.0.1 of ``test_host_transport``."""


@pytest.mark.parametrize("path", PATHS)
async def test_the_same_answer_or_the_same_words_as_anyio(server: str, path: str) -> None:
    ours, anyios = await _both(server + path)
    assert ours == anyios


async def test_a_kept_connection_the_server_closed_is_not_used_again(server: str) -> None:
    """The server closes a connection it answered on without saying so: the next request to
    the host opens a new one, as with anyio's streams."""
    for transport in (HostTransport(2), httpx.AsyncHTTPTransport()):
        async with httpx.AsyncClient(transport=transport) as client:
            first = await client.get(server + "/then-close")
            await asyncio.sleep(0.05)
            second = await client.get(server + "/ok")
        assert (first.content, second.content) == (BODY, BODY)


async def test_a_refused_connection_in_the_same_words_as_anyio() -> None:
    port = _free_port()
    for host in ("127.0.0.1", "localhost"):  # localhost: maybe two addresses, raced
        ours, anyios = await _both(f"http://{host}:{port}/feed")
        assert ours == anyios
        assert ours == ("ConnectError", f"{host} refused the connection (nothing listens there)")


def _two_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every host name resolves to two addresses: 127.0.0.3 (nothing listens there) first,
    then 127.0.0.1."""
    async def two(host: str, port: int, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.3", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", two)


async def test_the_next_address_is_tried_when_one_fails(
        server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A host name with two addresses, the first refusing: the second one answers."""
    port = int(server.rsplit(":", 1)[1])
    _two_addresses(monkeypatch)
    outcome = await _outcome(HostTransport(2), f"http://feeds.example:{port}/ok")
    assert outcome[0] == 200 and outcome[-1] == BODY


async def test_all_addresses_failing_names_the_first_failure(
        monkeypatch: pytest.MonkeyPatch) -> None:
    port = _free_port()
    _two_addresses(monkeypatch)
    outcome = await _outcome(HostTransport(2), f"http://feeds.example:{port}/ok")
    assert outcome == ("ConnectError",
                       "feeds.example refused the connection (nothing listens there)")


async def test_a_big_body_is_read_whole_with_reading_paused_and_resumed(
        server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """3 MB arrive faster than they are read: the socket's reading pauses at the high-water
    mark and resumes as the buffer drains, and no byte is lost or repeated."""
    pauses: list[int] = []
    real = net_backend._Protocol.data_received

    def counted(self: net_backend._Protocol, data: bytes) -> None:
        real(self, data)
        pauses.append(self.paused)

    monkeypatch.setattr(net_backend._Protocol, "data_received", counted)
    async with httpx.AsyncClient(transport=HostTransport(2)) as client, \
            client.stream("GET", server + "/big") as response:
        total = 0
        async for chunk in response.aiter_raw():
            total += len(chunk)
            await asyncio.sleep(0.001)
    assert total == 3 << 20
    assert any(pauses)


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_the_same_on_either_loop_and_over_tls(loop: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """On asyncio's loop and on the refresh's own (uvloop), plain and TLS: the same answers and
    words as anyio, an untrusted certificate included."""
    run_on = pytest.importorskip("uvloop").run if loop == "uvloop" else asyncio.run
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS / "cert.pem", TLS / "key.pem")

    async def run() -> list[tuple[str, Any, Any]]:
        plain = await asyncio.start_server(_answer, "127.0.0.1", 0)
        tls = await asyncio.start_server(_answer, "127.0.0.1", 0, ssl=context)
        base = f"http://127.0.0.1:{plain.sockets[0].getsockname()[1]}"
        secure = f"https://127.0.0.1:{tls.sockets[0].getsockname()[1]}"
        seen = [(path, *await _both(base + path)) for path in PATHS]
        seen.append(("untrusted", *await _both(secure + "/ok")))
        monkeypatch.setenv("SSL_CERT_FILE", str(TLS / "cert.pem"))
        seen += [("tls " + path, *await _both(secure + path))
                 for path in ("/ok", "/chunked", "/until-close", "/short", "/silent")]
        plain.close()
        tls.close()
        return seen

    seen = run_on(run())
    for what, ours, anyios in seen:
        assert ours == anyios, what
    assert dict((what, ours) for what, ours, _ in seen)["untrusted"] == (
        "ConnectError", "the certificate of 127.0.0.1 is not valid (self-signed certificate)")
    assert dict((what, ours) for what, ours, _ in seen)["tls /ok"][0] == 200


class _HeldBackTransport(asyncio.Transport):
    """A transport whose buffer is full: it takes the bytes and pauses our writing."""

    def __init__(self, protocol: Any) -> None:
        super().__init__()
        self.protocol = protocol

    def write(self, data: Any) -> None:
        self.protocol.pause_writing()

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        pass


@pytest.mark.parametrize("end", ["closed", "shut"])
async def test_a_write_held_back_ends_when_the_peer_closes(end: str) -> None:
    # A peer that closes (cleanly: no error) or shuts its side without reading what we sent
    # never resumes our writing; with no write timeout the write waited for ever.
    protocol = net_backend._Protocol()
    transport = _HeldBackTransport(protocol)
    protocol.connection_made(transport)
    stream = net_backend._Stream(transport, protocol)
    writing = asyncio.ensure_future(stream.write(b"GET / HTTP/1.1\r\n\r\n", timeout=None))
    await asyncio.sleep(0)
    assert not writing.done()  # held back
    if end == "closed":
        protocol.connection_lost(None)
    else:
        protocol.eof_received()
    with pytest.raises(httpcore.WriteError) as raised:
        await asyncio.wait_for(writing, 5)
    # In the fetcher's words: "h closed the connection" (EPIPE)
    assert isinstance(raised.value.__cause__, BrokenPipeError)

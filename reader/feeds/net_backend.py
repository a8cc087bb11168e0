"""httpcore's network backend on asyncio's own transports: ``AsyncioBackend``.

httpcore reads and writes through a network backend; on asyncio its default is anyio's, whose
every read and write opens a cancel scope (``fail_after``), takes a guard and a checkpoint,
and resumes and pauses the socket's reading (two changes to the event loop's selector); asking
whether an idle connection was closed by the server builds anyio's whole table of a socket's
attributes (a ``getpeername`` among them) each time. Fetching the real corpus (198 feeds over
loopback, callgrind, the refresh's main thread after its first connect, on uvloop) took
857.9 M instructions through anyio and 673.1 M through this backend (-21.5 %).

What it must keep is what anyio's gave the fetcher, since ``fetch.describe_error`` reads it:

- connecting as ``anyio.connect_tcp`` does: the host's addresses (an IPv6 one first, then an
  IPv4 one), a new attempt every 250 ms while the earlier ones are still trying (Happy
  Eyeballs), the first to connect wins; if all fail, ``OSError("All connection attempts
  failed")`` caused by the one error or a group of them, in the order they failed. A connect
  timeout is ``httpcore.ConnectTimeout``, an ``OSError`` (refused, unknown host)
  ``httpcore.ConnectError`` caused by it;
- a read that waits longer than its timeout is ``httpcore.ReadTimeout``, a write's
  ``WriteTimeout``; a connection lost with an error is ``ReadError`` / ``WriteError`` caused by
  that error (the fetcher names the errno); the end of the stream reads as ``b""``;
- TLS: ``ssl.SSLError`` during the handshake is ``ConnectError`` caused by it, a handshake
  slower than the connect timeout ``ConnectTimeout``;
- ``is_readable`` (httpcore's test before reusing an idle connection): data or an end already
  received, or the socket readable right now (``select.poll``, as httpcore's own test).
"""

from __future__ import annotations

import asyncio
import errno
import os
import select
import socket
import ssl
from collections import deque
from collections.abc import Iterable
from ipaddress import ip_address
from typing import Any, NoReturn, cast

import httpcore

HAPPY_EYEBALLS_DELAY = 0.25
"""Seconds before the next address is tried while the earlier attempts go on (anyio's)."""
_HIGH_WATER = 256 * 1024
"""Bytes received and not yet read at which the socket stops being read until they are."""


class _Protocol(asyncio.Protocol):
    """What arrived on one connection, kept until ``_Stream.read`` takes it."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.chunks: deque[bytes] = deque()
        self.taken = 0
        """Bytes of the first chunk already read."""
        self.buffered = 0
        self.ended = False
        self.error: BaseException | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.paused = False
        self.write_waiter: asyncio.Future[None] | None = None
        self.write_paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def _wake(self, writer: bool = False) -> None:
        """Wake what waits to read (or, with ``writer``, to write) on this connection."""
        waiter = self.write_waiter if writer else self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)
        self.buffered += len(data)
        if self.buffered >= _HIGH_WATER and not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool | None:
        self.ended = True
        self._wake()
        self._wake(writer=True)  # (a write held back will never be read: ``_Stream.write``)
        return None  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = True
        if exc is not None and self.error is None:
            self.error = exc
        self._wake()
        self._wake(writer=True)

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        self._wake(writer=True)


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


async def _wait(protocol: _Protocol, timeout: float | None, writing: bool) -> None:
    """Until the protocol wakes the waiter; ``TimeoutError`` after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[None] = loop.create_future()
    if writing:
        protocol.write_waiter = waiter
    else:
        protocol.waiter = waiter
    timer = loop.call_later(timeout, _expire, waiter) if timeout is not None else None
    try:
        await waiter
    finally:
        if timer is not None:
            timer.cancel()
        if writing:
            protocol.write_waiter = None
        else:
            protocol.waiter = None


def _fail(kind: type[httpcore.NetworkError], error: BaseException) -> NoReturn:
    """Raise ``kind`` for the connection's ``error``, as its cause and its context: httpcore's
    pool re-raises a body's error ``from None``, which drops the cause, and the fetcher finds
    the errno through the context (as anyio's errors carried it)."""
    try:
        raise error
    except BaseException as exc:
        raise kind("") from exc


def _readable(sock: Any) -> bool:
    """Whether ``sock`` has data or an end waiting (or is closed): httpcore's own test."""
    if sock is None or sock.fileno() < 0:
        return True
    if not hasattr(select, "poll"):  # Windows
        return bool(select.select([sock], [], [], 0)[0])
    poll = select.poll()
    poll.register(sock, select.POLLIN)
    return bool(poll.poll(0))


class _Stream(httpcore.AsyncNetworkStream):
    """One connection (plain or TLS) as httpcore reads and writes it."""

    def __init__(self, transport: asyncio.Transport, protocol: _Protocol) -> None:
        self._transport = transport
        self._protocol = protocol

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        protocol = self._protocol
        while not protocol.chunks:
            if protocol.ended:
                if protocol.error is not None:
                    _fail(httpcore.ReadError, protocol.error)
                return b""
            try:
                await _wait(protocol, timeout, writing=False)
            except TimeoutError:
                raise httpcore.ReadTimeout("") from None
        chunk = protocol.chunks[0]
        start = protocol.taken
        if start + max_bytes >= len(chunk):  # the rest of the first chunk (usually all of it)
            protocol.chunks.popleft()
            protocol.taken = 0
            if start:
                chunk = chunk[start:]
        else:  # a piece of it: each byte is copied once, not the rest again at each piece
            protocol.taken = start + max_bytes
            chunk = chunk[start:start + max_bytes]
        protocol.buffered -= len(chunk)
        if protocol.paused and protocol.buffered < _HIGH_WATER // 4:
            protocol.paused = False
            self._transport.resume_reading()
        return chunk

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        protocol = self._protocol
        if protocol.error is not None:
            _fail(httpcore.WriteError, protocol.error)
        if self._transport.is_closing():
            raise httpcore.WriteError("")
        self._transport.write(buffer)
        # Until the transport takes more, or the connection ends: a peer that closed without
        # reading (an end with no error, or only its side shut) never resumes our writing,
        # and a write waiting with no timeout would wait for ever.
        while protocol.write_paused and not protocol.ended:
            try:
                await _wait(protocol, timeout, writing=True)
            except TimeoutError:
                raise httpcore.WriteTimeout("") from None
        if protocol.error is not None:
            _fail(httpcore.WriteError, protocol.error)
        if protocol.write_paused:  # ended with the request not all sent: the peer closed
            _fail(httpcore.WriteError, BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE)))

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(timeout):
                # The handshake's own limit is the connect timeout above, not asyncio's 60 s.
                transport = await loop.start_tls(
                    self._transport, self._protocol, ssl_context,
                    server_hostname=server_hostname,
                    ssl_handshake_timeout=(timeout or 86400.0) + 1.0)
        except TimeoutError:
            self._transport.close()
            raise httpcore.ConnectTimeout("") from None
        except OSError as exc:  # (ssl.SSLError among them)
            self._transport.close()
            raise httpcore.ConnectError(str(exc)) from exc
        tls = cast(asyncio.Transport, transport)
        self._protocol.transport = tls
        return _Stream(tls, self._protocol)

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            protocol = self._protocol
            return bool(protocol.chunks) or protocol.ended or _readable(
                self._transport.get_extra_info("socket"))
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        return None


async def _connect(host: str, port: int) -> tuple[asyncio.Transport, _Protocol]:
    """A connection to ``host`` as ``anyio.connect_tcp`` makes it (see the module's doc)."""
    loop = asyncio.get_running_loop()
    try:
        address = ip_address(host)
    except ValueError:
        found = await loop.getaddrinfo(host, port, family=socket.AF_UNSPEC,
                                       type=socket.SOCK_STREAM)
        targets: list[str] = []
        v6_found = v4_found = False
        for family, *_, sockaddr in found:
            text = _address(family, sockaddr)
            if family == socket.AF_INET6 and not v6_found:
                v6_found = True
                targets.insert(0, text)
            elif family == socket.AF_INET and not v4_found and v6_found:
                v4_found = True
                targets.insert(1, text)
            else:
                targets.append(text)
    else:
        targets = [address.compressed]
    if len(targets) == 1:  # the usual case: no race to run
        try:
            return await _attempt(loop, targets[0], port)
        except OSError as exc:
            raise OSError("All connection attempts failed") from exc
    return await _race(loop, targets, port)


def _address(family: int, sockaddr: Any) -> str:
    """An address of ``getaddrinfo`` as anyio passes it on (an IPv6 one with its scope)."""
    if family == socket.AF_INET6 and len(sockaddr) >= 4 and sockaddr[3]:
        return f"{sockaddr[0]}%{sockaddr[3]}"
    return str(sockaddr[0])


async def _attempt(loop: asyncio.AbstractEventLoop, host: str, port: int,
                   ) -> tuple[asyncio.Transport, _Protocol]:
    transport, protocol = await loop.create_connection(_Protocol, host, port)
    return transport, protocol


async def _race(loop: asyncio.AbstractEventLoop, targets: list[str], port: int,
                ) -> tuple[asyncio.Transport, _Protocol]:
    """Happy Eyeballs over ``targets``: a new attempt every ``HAPPY_EYEBALLS_DELAY`` seconds
    while none has connected (or at once when the last one failed), the first connection
    kept and any later one closed; the failures in the order they happened."""
    errors: list[OSError] = []
    other: list[BaseException] = []
    won: list[tuple[asyncio.Transport, _Protocol]] = []

    def ended(task: asyncio.Task[tuple[asyncio.Transport, _Protocol]]) -> None:
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            if won:
                task.result()[0].close()
            else:
                won.append(task.result())
        elif isinstance(error, OSError):
            errors.append(error)
        else:
            other.append(error)

    tasks: list[asyncio.Task[tuple[asyncio.Transport, _Protocol]]] = []
    try:
        for host in targets:
            task = loop.create_task(_attempt(loop, host, port))
            task.add_done_callback(ended)
            tasks.append(task)
            await asyncio.wait([task], timeout=HAPPY_EYEBALLS_DELAY)
            if won or other:
                break
        while not won and not other and any(not task.done() for task in tasks):
            await asyncio.wait([task for task in tasks if not task.done()],
                               return_when=asyncio.FIRST_COMPLETED)
    except BaseException:  # cancelled (the connect timeout): a connection made is closed
        for transport, _protocol in won:
            transport.close()
        raise
    finally:
        for task in tasks:
            task.cancel()
    if won:
        return won[0]
    if other:
        raise other[0]
    cause: BaseException = errors[0] if len(errors) == 1 else ExceptionGroup(
        "multiple connection attempts failed", errors)
    raise OSError("All connection attempts failed") from cause


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """Connections on the running asyncio loop's own transports (``HostTransport``)."""

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        if local_address is not None or socket_options:
            raise NotImplementedError("the refresh binds no local address or socket option")
        try:
            async with asyncio.timeout(timeout):
                transport, protocol = await _connect(host, port)
        except TimeoutError:
            raise httpcore.ConnectTimeout("") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        return _Stream(transport, protocol)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise NotImplementedError("the refresh connects over TCP only")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

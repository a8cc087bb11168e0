"""The refresh's HTTP connections, kept per host: ``HostTransport``.

httpx's own transport keeps every host's connections in one pool, and each request walks the
whole pool twice (to drop closed or expired connections, then to find one to use), asking
each idle connection's socket whether the server closed it (a ``getpeername`` and a ``poll``
each time) and counting the idle ones in a loop inside that loop. A refresh's pool holds a
connection to each of the last ``concurrency`` hosts, so every request paid for all of them:
on the real corpus (198 feeds on 32 hosts, served over loopback) that was 396 walks, 2,758
socket checks and 50,608 idle tests, ~75 ms of CPU; and with 16 connections for 32 hosts the
pool closed the idle connection a host's next feed would have used (197 connections opened
for 198 feeds). Here each host has its own small pool (at most ``per_host`` connections: the
fetcher never sends more to one host at once), so a request looks at its own host's
connections only, and the corpus opens 64 connections. Fetching the corpus took 0.378 s of
CPU with httpx's pool and 0.312 s with these (medians of 6, interleaved).

Each host's pool is httpcore's own (what httpx's transport wraps), handed requests and giving
answers as httpx's transport does, its errors mapped to httpx's the same way (``_ERRORS``),
but reading and writing through ``net_backend.AsyncioBackend`` on the event loop's own
transports instead of anyio's streams: fetching the corpus (callgrind, the refresh's main
thread after its first connect, on uvloop) took 857.9 M instructions through anyio and
673.1 M through it. The pools' locks and events are asyncio's too (``httpcore_sync``).

The certificates for https are read when the first https host is met, not when the client is
made: ~20-30 ms of every refresh's start-up, spent before the first request went out, that a
list of plain-http feeds never needed.

Idle pools are let go least recently used first, so that at most ``KEPT_HOSTS`` hosts keep
idle connections open (a list has hundreds of hosts; each pool holds up to ``per_host``
sockets). Proxies named in the environment are httpx's own transports' business: the
``Fetcher`` uses this transport only when none is set.
"""

from __future__ import annotations

import ssl
from collections import OrderedDict
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from contextlib import contextmanager

import httpcore
import httpx

from reader.feeds import httpcore_sync
from reader.feeds.net_backend import AsyncioBackend

_Origin = tuple[str, str, int | None]

httpcore_sync.install()  # the pools' locks and events on asyncio's own (``httpcore_sync``)

KEPT_HOSTS = 32
"""Hosts whose idle connections are kept for their next request (at most ``per_host`` each).
A refresh runs up to 32 lanes at once (twice the default concurrency), each fetching one
host's feeds one after another (``refresh.pipeline``), so at most 32 hosts have feeds in
progress and each keeps its connections for its next feed. When the lanes waited for each
document's parse and store, a host's next feed came after up to 32 other documents: with 16
kept (as many connections as httpx's one pool had), the real corpus's 32 hosts opened 198
connections for 198 feeds, with 32 it opens 64. A bound, not a multiple of the concurrency
(up to 256): idle sockets stay well under the usual limit of 1,024 open files."""


_ERRORS: dict[type[Exception], type[httpx.HTTPError]] = {
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
}
"""httpcore's errors as httpx's, as httpx's own transport maps them (the most specific class,
the message kept, the original as the cause)."""


@contextmanager
def _as_httpx_errors() -> Iterator[None]:
    """httpcore's errors raised inside as httpx's (``_ERRORS``); any other goes on as it is."""
    try:
        yield
    except Exception as exc:
        for kind in type(exc).__mro__:
            mapped = _ERRORS.get(kind)
            if mapped is not None:
                raise mapped(str(exc)) from exc
        raise


class _HostPool:
    """One host's connections and how many of its responses are still open."""

    __slots__ = ("connections", "open")

    def __init__(self, connections: httpcore.AsyncConnectionPool) -> None:
        self.connections = connections
        self.open = 0


class _Body(httpx.AsyncByteStream):
    """A response body read from httpcore (its errors as httpx's) that tells its host's pool
    when it is closed (the connection is then free again, so the pool may be let go)."""

    def __init__(self, stream: AsyncIterable[bytes], pool: _HostPool) -> None:
        self._stream = stream
        self._pool: _HostPool | None = pool

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors():
            async for chunk in self._stream:
                yield chunk

    async def aclose(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.open -= 1
        close = getattr(self._stream, "aclose", None)
        if close is not None:
            await close()


class HostTransport(httpx.AsyncBaseTransport):
    """An httpx transport with a connection pool per origin (scheme, host, port)."""

    def __init__(self, per_host: int, keep_hosts: int = KEPT_HOSTS) -> None:
        """``per_host``: connections one host may have (open and idle); ``keep_hosts``: how
        many hosts' idle connections are kept for their next request."""
        self._limits = httpx.Limits(max_connections=max(1, per_host),
                                    max_keepalive_connections=max(1, per_host))
        self._backend = AsyncioBackend()
        self._keep_hosts = max(1, keep_hosts)
        self._pools: OrderedDict[_Origin, _HostPool] = OrderedDict()  # least recent first
        self._tls: ssl.SSLContext | None = None
        self._plain: ssl.SSLContext | None = None

    def _context(self, scheme: str) -> ssl.SSLContext:
        if scheme == "https":
            if self._tls is None:
                self._tls = httpx.create_ssl_context()  # httpx's default: verified, certifi
            return self._tls
        # A plain-http pool never starts TLS; its context has no certificates to trust, so
        # it could not make a connection that skips verification even if it tried.
        if self._plain is None:
            self._plain = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        return self._plain

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = (url.scheme, url.host, url.port)
        pool = self._pools.get(origin)
        new = pool is None
        if pool is None:
            limits = self._limits
            pool = _HostPool(httpcore.AsyncConnectionPool(
                ssl_context=self._context(url.scheme),
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=limits.keepalive_expiry, http1=True, http2=False,
                network_backend=self._backend))
            self._pools[origin] = pool
        else:
            self._pools.move_to_end(origin)
        pool.open += 1
        try:
            if new:
                await self._let_go()
            assert isinstance(request.stream, httpx.AsyncByteStream)
            # As httpx's own transport hands a request to httpcore and its answer back.
            sent = httpcore.Request(
                method=request.method,
                url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port,
                                 target=url.raw_path),
                headers=request.headers.raw, content=request.stream,
                extensions=request.extensions)
            with _as_httpx_errors():
                answer = await pool.connections.handle_async_request(sent)
        except BaseException:
            pool.open -= 1
            raise
        assert isinstance(answer.stream, AsyncIterable)
        return httpx.Response(status_code=answer.status, headers=answer.headers,
                              stream=_Body(answer.stream, pool), extensions=answer.extensions)

    async def _let_go(self) -> None:
        """Close the least recently used idle pools beyond ``keep_hosts``."""
        excess = len(self._pools) - self._keep_hosts
        if excess <= 0:
            return
        idle = [origin for origin, pool in self._pools.items() if pool.open == 0][:excess]
        for origin in idle:
            await self._pools.pop(origin).connections.aclose()

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            await pool.connections.aclose()

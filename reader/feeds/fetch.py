"""Fetching feeds politely over HTTP: ``Fetcher.fetch`` gives a ``FetchResult``, never raises.

Politeness and safety live here, apart from parsing and storage: bounded concurrency overall
and per host, connect/read timeouts plus a whole-fetch deadline (a server trickling bytes is cut
off), redirects followed by hand so a permanent move can be recorded and a loop detected,
conditional requests with the stored ETag/Last-Modified, ``Retry-After`` honoured, and a body
cap counted on decompressed bytes, decompressed here in bounded steps so a gzip bomb never
gets the chance to fill memory.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from reader import __version__
from reader.config import FetchSettings

USER_AGENT = f"reader-tui/{__version__} (+terminal news reader)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
MAX_RETRY_AFTER = 7 * 24 * 3600  # a server cannot park a feed for longer than a week
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A fetch that failed for a reason worth one line to the user."""


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """What to fetch, with the validators stored from the last successful fetch."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch came to.

    ``status`` is ``ok`` (``body`` holds the document), ``not_modified`` (304) or ``error``
    (``error`` says why). ``permanent_url`` is set when the feed moved for good (301/308 all
    the way from the requested URL); ``retry_after`` (unix time) when the server asked us to
    wait; ``gone`` on 410.
    """

    status: str
    url: str
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    http_status: int | None = None
    permanent_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    retry_after: float | None = None
    gone: bool = False


def format_size(size: int) -> str:
    """``10 MB`` for round sizes, else the exact number of bytes."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size:,} bytes"


def parse_retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After`` (seconds or an HTTP date) as unix time, capped at a week from now."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        delay = float(value)
    else:
        try:
            delay = parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return now + min(max(delay, 0.0), MAX_RETRY_AFTER)


class _BoundedDecoder:
    """Content-Encoding decoding that never produces more than it is allowed to."""

    def __init__(self, encoding: str) -> None:
        encoding = encoding.strip().lower()
        self.wbits = 0
        if encoding in ("", "identity"):
            pass
        elif encoding in ("gzip", "x-gzip"):
            self.wbits = 16 + zlib.MAX_WBITS
        elif encoding == "deflate":
            self.wbits = zlib.MAX_WBITS
        else:
            raise FetchError(f"the server used content encoding {encoding!r}, not gzip")
        self.inflater = zlib.decompressobj(self.wbits) if self.wbits else None

    def decode(self, chunk: bytes, room: int) -> bytes:
        """Up to ``room`` decoded bytes of ``chunk``; more input left over means over the cap."""
        if self.inflater is None:
            return chunk
        try:
            out = self.inflater.decompress(chunk, room)
            if self.inflater.unconsumed_tail:
                return out + b"\0"  # the caller sees more than ``room``: over the cap
            # Concatenated gzip members: carry on with the next one.
            while self.inflater.eof and self.inflater.unused_data and len(out) < room:
                rest = self.inflater.unused_data
                self.inflater = zlib.decompressobj(self.wbits)
                out += self.inflater.decompress(rest, room - len(out))
                if self.inflater.unconsumed_tail:
                    return out + b"\0"
            return out
        except zlib.error as exc:
            raise FetchError(f"the compressed body is corrupt ({exc})") from None

    def finish(self) -> None:
        if self.inflater is not None and not self.inflater.eof:
            raise FetchError("the compressed body ended early")


def _describe_http_error(exc: Exception, settings: FetchSettings) -> str:
    detail = str(exc).strip()
    if isinstance(exc, httpx.ConnectTimeout):
        return f"could not connect within {settings.connect_timeout:g} s"
    if isinstance(exc, httpx.ReadTimeout):
        return f"the server sent nothing for {settings.read_timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({detail or type(exc).__name__})"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect (offline or unreachable: {detail or 'connection failed'})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the connection broke off ({detail or 'protocol error'})"
    if isinstance(exc, httpx.ReadError):
        return f"the connection dropped while reading ({detail or 'read error'})"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"not a usable http(s) URL ({detail})"
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


class Fetcher:
    """One shared HTTP client with the concurrency limits; use as ``async with``."""

    def __init__(self, settings: FetchSettings, user_agent: str = USER_AGENT) -> None:
        self.settings = settings
        self._global = asyncio.Semaphore(max(1, settings.concurrency))
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(
                connect=settings.connect_timeout, read=settings.read_timeout,
                write=settings.read_timeout, pool=None,
            ),
            limits=httpx.Limits(
                max_connections=max(1, settings.concurrency),
                max_keepalive_connections=max(1, settings.concurrency),
            ),
            headers={"User-Agent": user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip"},
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._client.aclose()

    def _host_slot(self, url: str) -> asyncio.Semaphore:
        host = (urlsplit(url).hostname or "").lower()
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = asyncio.Semaphore(max(1, self.settings.per_host))
        return slot

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Fetch one feed; every failure comes back as an ``error`` result with its reason."""
        try:
            return await self._fetch(request)
        except FetchError as exc:
            return FetchResult("error", request.url, error=str(exc))
        except TimeoutError:
            return FetchResult(
                "error", request.url,
                error=f"cut off after the {self.settings.deadline:g} s deadline",
            )
        except httpx.HTTPError as exc:
            return FetchResult("error", request.url,
                               error=_describe_http_error(exc, self.settings))
        except (OSError, ValueError) as exc:
            return FetchResult("error", request.url, error=f"{type(exc).__name__}: {exc}")

    async def _fetch(self, request: FetchRequest) -> FetchResult:
        loop = asyncio.get_running_loop()
        url = request.url
        seen = {url}
        permanent_url: str | None = None
        all_permanent = True
        deadline: float | None = None
        for _hop in range(self.settings.max_redirects + 1):
            async with self._host_slot(url), self._global:
                if deadline is None:
                    deadline = loop.time() + self.settings.deadline
                async with asyncio.timeout_at(deadline):
                    headers = {}
                    if request.etag:
                        headers["If-None-Match"] = request.etag
                    if request.last_modified:
                        headers["If-Modified-Since"] = request.last_modified
                    async with self._client.stream("GET", url, headers=headers) as response:
                        status = response.status_code
                        if status in REDIRECTS:
                            location = response.headers.get("location")
                            if not location:
                                raise FetchError(f"HTTP {status} redirect without a Location")
                            target = urljoin(url, location.strip())
                            if urlsplit(target).scheme not in ("http", "https"):
                                raise FetchError(f"redirected to a non-http URL: {target}")
                            if target in seen:
                                raise FetchError(f"redirect loop at {target}")
                            seen.add(target)
                            all_permanent = all_permanent and status in PERMANENT
                            if all_permanent:
                                permanent_url = target
                            url = target
                            continue
                        return await self._finish(response, url, permanent_url)
        raise FetchError(f"more than {self.settings.max_redirects} redirects")

    async def _finish(
        self, response: httpx.Response, url: str, permanent_url: str | None
    ) -> FetchResult:
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}
        etag = response.headers.get("etag")
        last_modified = response.headers.get("last-modified")
        common = {"url": url, "headers": headers, "http_status": status,
                  "permanent_url": permanent_url}
        if status == 304:
            return FetchResult("not_modified", etag=etag, last_modified=last_modified, **common)
        if status in (429, 503):
            retry = parse_retry_after(response.headers.get("retry-after"), time.time())
            reason = f"HTTP {status} {response.reason_phrase}".strip()
            if retry is not None:
                wait = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(retry))
                reason += f"; the server asked to wait until {wait}"
            return FetchResult("error", error=reason, retry_after=retry, **common)
        if status == 410:
            return FetchResult(
                "error", error="HTTP 410 Gone: the feed was removed, so it is disabled",
                gone=True, **common,
            )
        if status != 200:
            reason = f"HTTP {status} {response.reason_phrase}".strip()
            return FetchResult("error", error=reason, **common)
        body = await self._read_body(response)
        return FetchResult("ok", body=body, etag=etag, last_modified=last_modified, **common)

    async def _read_body(self, response: httpx.Response) -> bytes:
        cap = self.settings.max_bytes
        too_big = f"the body is larger than the limit of {format_size(cap)}"
        declared = response.headers.get("content-length", "")
        encoding = response.headers.get("content-encoding", "")
        if declared.isdigit() and int(declared) > cap and not encoding:
            raise FetchError(too_big)
        decoder = _BoundedDecoder(encoding)
        parts: list[bytes] = []
        total = 0
        async for chunk in response.aiter_raw(_CHUNK):
            data = decoder.decode(chunk, cap - total + 1)
            total += len(data)
            if total > cap:
                raise FetchError(too_big)
            parts.append(data)
        decoder.finish()
        return b"".join(parts)

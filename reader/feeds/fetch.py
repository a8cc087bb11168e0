"""Fetching feeds politely over HTTP: ``Fetcher.fetch`` gives a ``FetchResult``, never raises.

Politeness and safety live here, apart from parsing and storage: bounded concurrency overall
and per host, connect/read timeouts plus a whole-fetch deadline (a server trickling bytes is cut
off; one trickling its headers is cut off after the read timeout), redirects followed by hand
so a permanent move can be recorded and a loop detected, conditional requests with the stored
ETag/Last-Modified, ``Retry-After`` honoured, and a body cap counted on decompressed bytes,
decompressed here in bounded steps so a gzip bomb never gets the chance to fill memory.

One ``Fetcher`` also bounds a whole refresh: each host has a budget of busy time and bytes, and
the refresh an overall deadline. Six feeds trickling 1 byte/s from one host, 2 at a time with a
60 s deadline each, held a refresh for 180 s; now that host's first two are cut off at their
deadline, which spends its budget, and the rest come back at once as ``skipped`` ("host
example.org too slow this time"), while other hosts' feeds never wait behind them. A host that
cannot be reached at all (its name not found, no route to it, no answer to a connect) is asked
once: its other requests of that refresh fail at once with the same reason (``_unreachable``).

Whatever goes wrong (httpx, anyio's exception groups, the OS, a malformed URL or redirect) ends
as an ``error`` result whose reason is words, never an exception's class name.
"""

from __future__ import annotations

import asyncio
import errno
import http.cookiejar
import re
import socket
import ssl
import sys
import time
import urllib.request
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

from reader import __version__
from reader.config import FetchSettings
from reader.files import format_size
from reader.records import record
from reader.schedule import http_fresh_until
from reader.text import clean_line

# httpx imports its command-line client (``httpx._main``: click, rich, pygments) whenever click
# is installed, as Flask (the test extra) installs it: ~45 ms at the start of every ``reader
# refresh``, on its one serial stage, for a command we never run. Without click httpx skips it
# the same way (its ``httpx`` command then says what to install).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
import httpx  # noqa: E402

from reader.feeds.host_transport import HostTransport  # noqa: E402

USER_AGENT = f"reader-tui/{__version__} (+terminal news reader)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT = frozenset({301, 308})
MAX_RETRY_AFTER = 7 * 24 * 3600  # a server cannot park a feed for longer than a week


class FetchError(Exception):
    """A fetch that failed for a reason worth one line to the user."""


@record
class FetchRequest:
    """What to fetch, with the validators stored from the last successful fetch."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@record
class FetchResult:
    """What one fetch came to.

    ``status`` is ``ok`` (``body`` holds the document), ``not_modified`` (304), ``error``
    (``error`` says why) or ``skipped`` (not fetched, or not to the end, because its host
    spent its budget or the refresh ran out of time; ``error`` says which). ``permanent_url``
    is set when the feed moved for good (301/308 all the way from the requested URL);
    ``retry_after`` (unix time) when the server asked us to wait; ``gone`` on 410;
    ``fresh_until`` (unix time) how long a 200 or 304 says it stays fresh (``Cache-Control:
    max-age``, ``Expires``: ``reader.schedule.http_fresh_until``).
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
    fresh_until: float | None = None


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


# -- errors in words ----------------------------------------------------------------------------

_ERRNO_PREFIX = re.compile(r"^\[Errno -?\d+\]\s*")


def check_url(url: str, *, redirect: bool = False) -> str:
    """``url`` if it can be fetched over http(s), else ``FetchError`` saying what is wrong with
    it (bad port, malformed host, another scheme), before any connection is tried.

    A port out of range reached the socket layer and came back as a 97-line ``ExceptionGroup``
    traceback; ``:abc`` as httpx's ``InvalidURL``, which is not an ``httpx.HTTPError``. The
    reason does not repeat the URL, which the caller shows, except for a redirect's target.
    """
    _usable_url(url, redirect=redirect)
    return url


def _usable_url(url: str, *, redirect: bool = False) -> httpx.URL:
    """``check_url``, giving the URL as httpx parsed it: the request is built from this one
    (httpx parses a URL given as a string character by character, and it was parsed twice)."""
    where = f"redirected to {clean_line(url)[:200]!r}, " if redirect else ""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FetchError(f"{where}not a usable URL ({_lower(exc)})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        what = f"a {clean_line(scheme)[:20]}: URL" if scheme else "no http:// or https://"
        raise FetchError(f"{where}{what}, not http(s)")
    if not parts.hostname:
        raise FetchError(f"{where}a URL without a host")
    try:
        parts.port  # noqa: B018  (it is the check: urlsplit parses the port lazily)
    except ValueError:
        port = clean_line(parts.netloc.rpartition(":")[2])[:20]
        raise FetchError(f"{where}bad port {port!r} (a port is a number from 1 to 65535)"
                         ) from None
    try:
        return httpx.URL(url)
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        raise FetchError(f"{where}not a usable URL ({_lower(exc)})") from None


def _lower(exc: BaseException | str) -> str:
    """An exception's message as the tail of our sentence: no "[Errno N]", no final stop."""
    text = clean_line(_ERRNO_PREFIX.sub("", str(exc))).rstrip(".")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _leaf(exc: BaseException) -> BaseException:
    """The first real error inside (nested) exception groups, as anyio raises them."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = next((e for e in exc.exceptions if not isinstance(e, asyncio.CancelledError)),
                   exc.exceptions[0])
    return exc


def _os_cause(exc: BaseException) -> BaseException | None:
    """The socket-level error httpx wrapped, if any: the most specific one (with an errno)
    along the chain of causes, including inside anyio's groups ("All connection attempts
    failed" holds the real reason, connection refused, in its cause)."""
    found: list[BaseException] = []
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, BaseExceptionGroup):
            pending[:0] = list(current.exceptions)
        if isinstance(current, OSError | OverflowError):  # ssl.SSLError is an OSError
            found.append(current)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                pending.append(linked)
    specific = [e for e in found if not isinstance(e, OSError) or e.errno is not None]
    candidates = specific or found
    return candidates[0] if candidates else None


def describe_os_error(exc: BaseException, url: str) -> str:
    """A socket-level failure in words: refused, unreachable, unknown host, TLS."""
    host = urlsplit(url).hostname or "the host"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"the certificate of {host} is not valid ({_lower(exc.verify_message or exc)})"
    if isinstance(exc, ssl.SSLError):
        return f"the secure connection to {host} failed ({_lower(exc.reason or exc)})"
    if isinstance(exc, socket.gaierror):
        return f"the host name {host} was not found (offline, or no such host)"
    if isinstance(exc, OverflowError):
        return "the port is out of range (a port is a number from 1 to 65535)"
    if isinstance(exc, OSError):
        reasons = {
            errno.ECONNREFUSED: f"{host} refused the connection (nothing listens there)",
            errno.ECONNRESET: f"{host} reset the connection",
            errno.EHOSTUNREACH: f"{host} cannot be reached (offline or unreachable)",
            errno.ENETUNREACH: f"{host} cannot be reached (the network is unreachable)",
            errno.ETIMEDOUT: f"the connection to {host} timed out",
            errno.EADDRNOTAVAIL: f"cannot connect to {host} (address not available)",
            errno.EPIPE: f"{host} closed the connection",
        }
        if exc.errno in reasons:
            return reasons[exc.errno]
        detail = _lower(exc.strerror or exc) if exc.strerror else _lower(exc)
        return f"cannot connect to {host} ({detail or 'connection failed'})"
    return f"cannot connect to {host} ({_lower(exc) or 'connection failed'})"


_NO_ROUTE = frozenset({errno.EHOSTUNREACH, errno.ENETUNREACH})


def _unreachable(exc: BaseException) -> bool:
    """Whether a failed fetch says its host cannot be reached at all this time: its name was
    not found, there is no route to it, or it did not answer a connect within the timeout.

    Asking again would only fail again, after as long: with no working DNS (a captive portal,
    a network with no way out) each lookup can take the resolver's whole timeout, and a page
    or image fetch at refresh asks one host for dozens of pages, one or two at a time. The
    198 real feeds' stories ask for 200 pages on 30 hosts their sandbox cannot resolve: 36 s
    of failed lookups (this machine's resolver slows down when asked the same missing names
    again and again), where one lookup a host is enough. A refused or reset connection is not
    counted: it comes back at once, and from a host that is there."""
    if isinstance(_leaf(exc), httpx.ConnectTimeout):
        return True
    cause = _os_cause(exc)
    return isinstance(cause, socket.gaierror) or (
        isinstance(cause, OSError) and cause.errno in _NO_ROUTE)


def describe_error(exc: BaseException, url: str, settings: FetchSettings) -> str:
    """Any exception a fetch can end with, as a reason in words (no class names)."""
    exc = _leaf(exc)
    if isinstance(exc, FetchError):
        return str(exc)
    if isinstance(exc, httpx.ConnectTimeout):
        return f"could not connect within {settings.connect_timeout:g} s"
    if isinstance(exc, httpx.ReadTimeout):
        return f"the server sent nothing for {settings.read_timeout:g} s"
    if isinstance(exc, httpx.WriteTimeout):
        return f"the server accepted nothing for {settings.read_timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out waiting for the server"
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"not a usable http(s) URL ({_lower(exc)})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the connection broke off ({_lower(exc) or 'protocol error'})"
    if isinstance(exc, httpx.ReadError):
        cause = _os_cause(exc)
        detail = describe_os_error(cause, url) if cause else _lower(exc) or "read error"
        return f"the connection dropped while reading ({detail})"
    if isinstance(exc, httpx.LocalProtocolError):
        return f"the request could not be sent ({_lower(exc) or 'protocol error'})"
    cause = _os_cause(exc)
    if cause is not None:
        return describe_os_error(cause, url)
    if isinstance(exc, httpx.TransportError):
        return f"cannot connect ({_lower(exc) or 'connection failed'})"
    if isinstance(exc, UnicodeError | ValueError):
        return f"not a usable URL ({_lower(exc) or 'malformed'})"
    detail = _lower(exc)
    return f"failed unexpectedly ({detail})" if detail else "failed unexpectedly"


def _redirect_target(url: str, location: str | None, status: int) -> str:
    """The absolute, checked URL a redirect's ``Location`` points to; else ``FetchError``."""
    if not location:
        raise FetchError(f"HTTP {status} redirect without a Location")
    try:
        target = urljoin(url, location.strip())
    except ValueError as exc:
        raise FetchError(f"redirected to {clean_line(location)[:200]!r}, not a usable URL"
                         f" ({_lower(exc)})") from None
    return check_url(target, redirect=True)


async def _check_redirect(response: httpx.Response) -> None:
    """A response hook: a bad ``Location`` is reported in our words before httpx reads it
    (it builds the next request even when not following redirects, and a ``javascript:`` or
    ``:abc`` target came back as its own exceptions, without the target)."""
    if response.status_code in REDIRECTS:
        _redirect_target(str(response.request.url), response.headers.get("location"),
                         response.status_code)


# -- the per-host budget -----------------------------------------------------------------------


class _Skip(Exception):
    """This feed is not fetched (further) this time; the message says why."""


@dataclass(slots=True)
class _Host:
    """One host's share of a refresh: its slots, its busy time and the bytes it sent.

    Busy time is wall time with at least one request to the host outstanding, so a host whose
    feeds wait for a free slot elsewhere is not charged for it.
    """

    name: str
    slots: asyncio.Semaphore
    active: int = 0
    busy: float = 0.0
    busy_since: float = 0.0
    received: int = 0
    spent: str | None = None  # why this host is asked nothing more this refresh
    cut: bool = False
    """A request of it was under way when the refresh's time ran out."""
    down: str | None = None
    """Why it could not be reached (its name not found, no route to it, no answer to a
    connect): every later request to it this time fails at once with this reason
    (``_unreachable``)."""

    def busy_for(self, now: float) -> float:
        return self.busy + (now - self.busy_since if self.active else 0.0)

    def start(self, now: float) -> None:
        if self.active == 0:
            self.busy_since = now
        self.active += 1

    def stop(self, now: float) -> None:
        self.active -= 1
        if self.active == 0:
            self.busy += now - self.busy_since


@dataclass(slots=True)
class _Attempt:
    """Where one fetch is, so running out of refresh time can say what it was waiting for."""

    host: str
    started: bool = False


def _environment_proxy() -> bool:
    """Whether the environment names a proxy httpx would use (``HTTP_PROXY``, ``HTTPS_PROXY``,
    ``ALL_PROXY``, read as httpx reads them)."""
    found = urllib.request.getproxies()
    return any(found.get(scheme) for scheme in ("http", "https", "all"))


def _no_cookies() -> http.cookiejar.CookieJar:
    """A cookie jar that accepts no cookie from any domain."""
    return http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


# -- the fetcher -------------------------------------------------------------------------------


class Fetcher:
    """One shared HTTP client with the concurrency limits and the refresh's budgets; use as
    ``async with``. Everything fetched through one ``Fetcher`` ends within
    ``settings.refresh_deadline`` of entering it."""

    def __init__(self, settings: FetchSettings, user_agent: str = USER_AGENT, *,
                 accept: str = ACCEPT, keep_cookies: bool = True) -> None:
        """``accept`` is what to ask for (feeds by default; article pages and images ask for
        theirs); with ``keep_cookies=False`` no cookie a server sets is ever stored or sent."""
        self.settings = settings
        self._stop_at: float | None = None
        self._global = asyncio.Semaphore(max(1, settings.concurrency))
        self._hosts: dict[str, _Host] = {}
        # Connections pooled per host (``host_transport``), unless the environment names a
        # proxy: then httpx's own transports, which honour it, as they always did.
        transport = None if _environment_proxy() else HostTransport(settings.per_host)
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            timeout=httpx.Timeout(
                connect=settings.connect_timeout, read=settings.read_timeout,
                write=settings.read_timeout, pool=None,
            ),
            limits=httpx.Limits(
                max_connections=max(1, settings.concurrency),
                max_keepalive_connections=max(1, settings.concurrency),
            ),
            headers={"User-Agent": user_agent, "Accept": accept, "Accept-Encoding": "gzip"},
            event_hooks={"response": [_check_redirect]},
            cookies=None if keep_cookies else _no_cookies(),
        )

    async def __aenter__(self) -> Fetcher:
        self._stop_at = asyncio.get_running_loop().time() + self.settings.refresh_deadline
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._client.aclose()

    def _host(self, url: str) -> _Host:
        name = (urlsplit(url).hostname or "").lower()
        host = self._hosts.get(name)
        if host is None:
            host = self._hosts[name] = _Host(name, asyncio.Semaphore(self.settings.per_host))
        return host

    def host_spent(self, url: str) -> str | None:
        """Why the host of ``url`` gets no more requests this time, if it spent its budget."""
        host = self._hosts.get((urlsplit(url).hostname or "").lower())
        return host.spent if host is not None else None

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Fetch one feed; every failure comes back as an ``error`` result with its reason,
        and a feed its host's budget or the refresh's deadline left out as ``skipped``."""
        try:
            parsed = _usable_url(request.url)
        except FetchError as exc:
            return FetchResult("error", request.url, error=str(exc))
        attempt = _Attempt((urlsplit(request.url).hostname or "").lower())
        try:
            async with asyncio.timeout_at(self._stop_at) as overall:
                return await self._fetch(request, parsed, attempt)
        except _Skip as exc:
            return FetchResult("skipped", request.url, error=str(exc))
        except TimeoutError:
            if overall.expired():
                if attempt.started and attempt.host in self._hosts:
                    self._hosts[attempt.host].cut = True
                return FetchResult("skipped", request.url, error=self._out_of_time(attempt))
            return FetchResult(
                "error", request.url,
                error=f"cut off after the {self.settings.deadline:g} s deadline",
            )
        except Exception as exc:  # every failure becomes this feed's reason
            reason = describe_error(exc, request.url, self.settings)
            if _unreachable(exc) and attempt.host in self._hosts:
                self._hosts[attempt.host].down = reason
            return FetchResult("error", request.url, error=reason)
        except BaseExceptionGroup as group:  # anyio's, holding only non-Exception errors
            return FetchResult("error", request.url,
                               error=describe_error(group, request.url, self.settings))

    def _out_of_time(self, attempt: _Attempt) -> str:
        bound = f"the refresh stops after {self.settings.refresh_deadline:g} s"
        host = self._hosts.get(attempt.host)
        # The host was busy when the time ran out: a request of it still runs, or was cut by
        # it (the fetches the deadline cut may be unwound before this one, which waited for a
        # free slot, hears of it).
        if attempt.started or (host is not None and (host.active or host.cut)):
            return f"host {attempt.host} too slow this time ({bound})"
        return f"not reached this time ({bound})"

    async def _fetch(self, request: FetchRequest, parsed: httpx.URL, attempt: _Attempt
                     ) -> FetchResult:
        """``parsed``: ``request.url`` as httpx parsed it (a redirect's target is parsed
        where it is sent)."""
        loop = asyncio.get_running_loop()
        url = request.url
        send: httpx.URL | str = parsed
        seen = {url}
        permanent_url: str | None = None
        all_permanent = True
        deadline: float | None = None
        settings = self.settings
        for _hop in range(settings.max_redirects + 1):
            host = self._host(url)
            attempt.host = host.name
            async with host.slots:
                if host.spent is None and host.busy_for(loop.time()) >= settings.host_deadline:
                    host.spent = f"host {host.name} too slow this time"
                if host.spent is not None:
                    raise _Skip(host.spent)
                if host.down is not None:
                    raise FetchError(host.down)
                async with self._global:
                    now = loop.time()
                    if deadline is None:
                        deadline = now + settings.deadline
                    host_end = now + settings.host_deadline - host.busy_for(now)
                    attempt.started = True
                    host.start(now)
                    try:
                        async with asyncio.timeout_at(min(deadline, host_end)) as cut:
                            response = await self._send(send, request)
                            try:
                                target = self._redirect(response, url, seen)
                                if target is None:
                                    return await self._finish(response, url, permanent_url,
                                                              host)
                            finally:
                                await response.aclose()
                    except TimeoutError:
                        if cut.expired() and host_end < deadline:
                            host.spent = f"host {host.name} too slow this time"
                            raise _Skip(host.spent) from None
                        raise
                    finally:
                        host.stop(loop.time())
            all_permanent = all_permanent and response.status_code in PERMANENT
            if all_permanent:
                permanent_url = target
            url = send = target
        raise FetchError(f"more than {settings.max_redirects} redirects")

    async def _send(self, url: httpx.URL | str, request: FetchRequest) -> httpx.Response:
        """The response with its headers read; the body is still to come.

        The headers must be complete within the read timeout of the request being sent: a
        server sending them a byte at a time (slowloris) kept every read short, so only the
        whole-feed deadline (60 s) stopped it.
        """
        loop = asyncio.get_running_loop()
        headers = {}
        if request.etag:
            headers["If-None-Match"] = request.etag
        if request.last_modified:
            headers["If-Modified-Since"] = request.last_modified
        try:
            async with asyncio.timeout(None) as wait_headers:
                async def trace(event: str, info: Mapping[str, object]) -> None:
                    if event == "http11.receive_response_headers.started":
                        wait_headers.reschedule(loop.time() + self.settings.read_timeout)

                built = self._client.build_request("GET", url, headers=headers,
                                                   extensions={"trace": trace})
                return await self._client.send(built, stream=True)
        except TimeoutError:
            if wait_headers.expired():
                raise FetchError(f"the server took more than {self.settings.read_timeout:g} s"
                                 " to send its headers") from None
            raise

    def _redirect(self, response: httpx.Response, url: str, seen: set[str]) -> str | None:
        """Where a redirect points (checked), or ``None`` when this is the final answer."""
        status = response.status_code
        if status not in REDIRECTS:
            return None
        target = _redirect_target(url, response.headers.get("location"), status)
        if target in seen:
            raise FetchError(f"redirect loop at {target}")
        seen.add(target)
        return target

    async def _finish(
        self, response: httpx.Response, url: str, permanent_url: str | None, host: _Host
    ) -> FetchResult:
        status = response.status_code
        # httpx's items() gives each name in lower case once, its values joined as its get()
        # joins them; each get() would walk every header again.
        headers = dict(response.headers.items())
        etag = headers.get("etag")
        last_modified = headers.get("last-modified")
        if status == 304:
            return FetchResult("not_modified", url, headers=headers,
                               permanent_url=permanent_url, etag=etag,
                               last_modified=last_modified,
                               fresh_until=http_fresh_until(headers, time.time()))
        if status in (429, 503):
            retry = parse_retry_after(headers.get("retry-after"), time.time())
            reason = f"HTTP {status} {response.reason_phrase}".strip()
            if retry is not None:
                wait = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(retry))
                reason += f"; the server asked to wait until {wait}"
            return FetchResult("error", url, headers=headers, permanent_url=permanent_url,
                               error=reason, retry_after=retry, http_status=status)
        if status == 410:
            return FetchResult("error", url, headers=headers, permanent_url=permanent_url,
                               error="HTTP 410 Gone: the feed was removed, so it is disabled",
                               gone=True, http_status=status)
        if status != 200:
            reason = clean_line(f"HTTP {status} {response.reason_phrase}").strip()
            return FetchResult("error", url, headers=headers, permanent_url=permanent_url,
                               error=reason, http_status=status)
        body = await self._read_body(response, headers, host)
        return FetchResult("ok", url, body=body, headers=headers, permanent_url=permanent_url,
                           etag=etag, last_modified=last_modified,
                           fresh_until=http_fresh_until(headers, time.time()))

    async def _read_body(self, response: httpx.Response, headers: Mapping[str, str],
                         host: _Host) -> bytes:
        cap = self.settings.max_bytes
        too_big = f"the body is larger than the limit of {format_size(cap)}"
        declared = headers.get("content-length", "")
        encoding = headers.get("content-encoding", "")
        if declared.isdigit() and int(declared) > cap and not encoding:
            raise FetchError(too_big)
        decoder = _BoundedDecoder(encoding)
        parts: list[bytes] = []
        total = 0
        async for chunk in response.aiter_raw():
            data = decoder.decode(chunk, cap - total + 1)
            total += len(data)
            if total > cap:
                raise FetchError(too_big)
            host.received += len(data)
            if host.received > self.settings.host_max_bytes:
                host.spent = (f"host {host.name} sent more than"
                              f" {format_size(self.settings.host_max_bytes)} this time")
                raise _Skip(host.spent)
            parts.append(data)
        decoder.finish()
        return b"".join(parts)

"""JSON over HTTP for the protocol modules: bounded, with every failure as one ``SyncError``.

A server's answer is read up to ``MAX_ANSWER_BYTES`` and parsed with the standard ``json``
module; anything that goes wrong on the way (refused, timed out, cut off mid-answer, a 5xx, a
body that is not JSON or nests without end) becomes a ``SyncError`` whose message names the
server and the problem in one line, never a traceback. Passwords and API keys travel only in
request bodies, which no message quotes.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx

from reader.sync.service import AuthError, BadAnswer, SyncError

MAX_ANSWER_BYTES = 32 * 1024 * 1024
"""Far more than any page of items (a Fever page of 50 items with full text is ~0.5 MB, a
Tiny Tiny RSS page of 200 about 2 MB); an answer larger than this is refused, not read."""

USER_AGENT = "reader-sync/1 (+terminal news reader)"


def describe_server(url: str) -> str:
    """The server as messages name it: scheme, host and port, never a path's query."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else url


class JsonClient:
    """One keep-alive connection to the server; ``post`` returns (status, parsed JSON)."""

    def __init__(self, base_url: str, timeout: float, max_bytes: int = MAX_ANSWER_BYTES) -> None:
        self.base_url = base_url
        self.server = describe_server(base_url)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.requests = 0
        """How many requests were made (the incremental-sync tests and benchmark count them)."""
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=True, max_redirects=5, trust_env=False,
        )

    def post(self, url: str, *, data: dict[str, str] | None = None,
             json_body: dict[str, Any] | None = None,
             params: dict[str, str] | None = None) -> tuple[int, Any]:
        """POST and parse the answer; a 5xx or an unreadable answer raises ``SyncError``."""
        self.requests += 1
        try:
            with self._client.stream("POST", url, data=data, json=json_body,
                                     params=params) as response:
                status = response.status_code
                if status in (401, 403):
                    raise AuthError(f"the sync server {self.server} refused the login"
                                    f" (HTTP {status}): check sync.username and the password")
                if status >= 500:
                    raise SyncError(f"the sync server {self.server} failed (HTTP {status});"
                                    " try again later")
                body = self._read(response)
        except httpx.TimeoutException:
            raise SyncError(f"the sync server {self.server} did not answer within"
                            f" {self.timeout:g} s") from None
        except httpx.ConnectError as exc:
            raise SyncError(f"cannot reach the sync server {self.server}: "
                            f"{_reason(exc)}") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise SyncError(f"the connection to the sync server {self.server} was cut off"
                            f" ({_reason(exc)})") from None
        except httpx.TooManyRedirects:
            raise SyncError(f"the sync server {self.server} redirects without end") from None
        except httpx.HTTPError as exc:
            raise SyncError(f"the sync server {self.server}: {_reason(exc)}") from None
        if status == 404 and not body.strip():
            return status, None
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):
            if status == 404:
                return status, None
            raise BadAnswer(f"the sync server {self.server} answered something that is not"
                            f" JSON (HTTP {status}): is sync.url its API address?") from None
        return status, parsed

    def _read(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise BadAnswer(self._too_big())
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise BadAnswer(self._too_big())
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_big(self) -> str:
        return (f"the sync server {self.server} sent an answer over"
                f" {self.max_bytes // (1024 * 1024)} MB; refused")

    def close(self) -> None:
        self._client.close()


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:200] or type(exc).__name__


def expect(value: Any, kind: type | tuple[type, ...], what: str, server: str) -> Any:
    """``value`` if it has the type the protocol promises, else a ``BadAnswer`` naming it."""
    if isinstance(value, bool) and kind in (int, (int,), (int, str), (str, int)):
        raise BadAnswer(f"the sync server {server} sent a malformed {what}")
    if not isinstance(value, kind):
        raise BadAnswer(f"the sync server {server} sent a malformed {what}")
    return value

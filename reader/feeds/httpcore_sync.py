"""httpcore's locks, events and cancellation shields on asyncio's own primitives: ``install``.

httpcore (which httpx sends every request through) makes its connections' locks, its pool's
"a connection is yours" events and the shields around its clean-up with anyio on asyncio. An
anyio lock's every acquire is a cancel-shielded checkpoint, a cancel scope opened and closed
and one more turn of the event loop, even when nobody holds the lock; every new lock or event
asks sniffio which async library runs; every shield is an anyio cancel scope. A request of a
cold refresh of the real corpus took ~6.6 acquires, ~5 look-ups and ~3 shields (cProfile), and
the first lock imported anyio's asyncio backend. ``install`` puts asyncio's lock and event in
their place, in the modules of httpcore's asyncio path (``_async.connection``, ``.http11``,
``.connection_pool``), and a shield that does nothing, which is all anyio's does here: a
refresh cancels through asyncio (``asyncio.timeout``, a task's cancellation), and anyio's
shield holds back only anyio's own cancel scopes, which nothing on this path opens any more
(``net_backend`` reads and writes without them; the event's pool timeout was the last, and
is ``asyncio.timeout`` here, raising httpcore's ``PoolTimeout`` as anyio's ``fail_after`` did
through httpcore's mapping).

Fetching the real corpus in lanes (fetch12's harness: 198 feeds over loopback, callgrind, the
main thread after its first connect): 664.5 -> 617.8 M instructions (-7.0 %); the whole cold
refresh's main thread after its first connect 716 -> 653 M, and ~100 M less before it (anyio's
asyncio backend is no longer imported).

Only asyncio: the reader runs httpcore on no other async library. An httpcore that moved one of
the names (they are in its private modules) keeps anyio's, all of them: the refresh is slower
there, not broken, and the tests fail, so a new httpcore is looked at before it is allowed.
"""

from __future__ import annotations

import asyncio
import importlib
from types import TracebackType

import httpcore


class AsyncioLock:
    """httpcore's ``AsyncLock`` as an ``asyncio.Lock``."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = asyncio.Lock()

    async def __aenter__(self) -> AsyncioLock:
        await self._lock.acquire()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None = None,
                        exc_value: BaseException | None = None,
                        traceback: TracebackType | None = None) -> None:
        self._lock.release()


class AsyncioEvent:
    """httpcore's ``AsyncEvent`` as an ``asyncio.Event``; a wait that times out raises
    ``httpcore.PoolTimeout`` (the pool waits on it for a free connection)."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    async def wait(self, timeout: float | None = None) -> None:
        if self._event.is_set():
            return
        try:
            async with asyncio.timeout(timeout):
                await self._event.wait()
        except TimeoutError as exc:  # as httpcore's own mapping raises it
            raise httpcore.PoolTimeout(exc) from exc


class NoShield:
    """httpcore's ``AsyncShieldCancellation``: nothing to shield from (see the module)."""

    __slots__ = ()

    def __enter__(self) -> NoShield:
        return self

    def __exit__(self, exc_type: type[BaseException] | None = None,
                 exc_value: BaseException | None = None,
                 traceback: TracebackType | None = None) -> None:
        return None


_REPLACED: tuple[tuple[str, str, type], ...] = (
    ("httpcore._async.connection", "AsyncLock", AsyncioLock),
    ("httpcore._async.http11", "AsyncLock", AsyncioLock),
    ("httpcore._async.http11", "AsyncShieldCancellation", NoShield),
    ("httpcore._async.connection_pool", "AsyncEvent", AsyncioEvent),
    ("httpcore._async.connection_pool", "AsyncShieldCancellation", NoShield),
)
"""Where httpcore's asyncio path looks each name up, and what takes its place."""


def install() -> bool:
    """Give httpcore's asyncio connections and pools asyncio's primitives (once is enough;
    again does nothing); whether they are in place. An httpcore that no longer has one of the
    names (a version this was not written for) keeps all of anyio's: a refresh is then only
    slower, never broken, and ``tests/test_httpcore_sync.py`` fails."""
    try:
        found = [(importlib.import_module(module), name, replacement)
                 for module, name, replacement in _REPLACED]
    except ImportError:
        return False
    if not all(hasattr(module, name) for module, name, _ in found):
        return False
    for module, name, replacement in found:
        setattr(module, name, replacement)
    return True

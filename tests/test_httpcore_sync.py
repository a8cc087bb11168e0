"""httpcore's locks, events and shields on asyncio's primitives (``reader.feeds.httpcore_sync``):
installed where httpcore's asyncio path looks them up, and behaving as anyio's did."""

from __future__ import annotations

import asyncio

import httpcore
import httpcore._async.connection as connection
import httpcore._async.connection_pool as connection_pool
import httpcore._async.http11 as http11
import pytest

from reader.feeds import host_transport, httpcore_sync


def test_the_refresh_transport_installs_them_where_httpcore_looks_them_up() -> None:
    assert host_transport.HostTransport is not None  # importing it installed them
    assert connection.AsyncLock is httpcore_sync.AsyncioLock
    assert http11.AsyncLock is httpcore_sync.AsyncioLock
    assert http11.AsyncShieldCancellation is httpcore_sync.NoShield
    assert connection_pool.AsyncEvent is httpcore_sync.AsyncioEvent
    assert connection_pool.AsyncShieldCancellation is httpcore_sync.NoShield
    assert httpcore_sync.install()  # again: nothing changes
    assert connection.AsyncLock is httpcore_sync.AsyncioLock


def test_an_httpcore_without_one_of_the_names_keeps_all_of_anyios(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # (never an error at import: a refresh on such an httpcore is slower, not broken)
    for module, name in ((connection, "AsyncLock"), (http11, "AsyncLock"),
                         (connection_pool, "AsyncEvent")):
        monkeypatch.setattr(module, name, "anyio's")
    monkeypatch.delattr(http11, "AsyncShieldCancellation")
    assert not httpcore_sync.install()
    assert (connection.AsyncLock, http11.AsyncLock, connection_pool.AsyncEvent) == (
        "anyio's", "anyio's", "anyio's")


def test_the_lock_lets_one_holder_in_at_a_time() -> None:
    async def run() -> list[str]:
        lock = httpcore_sync.AsyncioLock()
        seen: list[str] = []

        async def hold(name: str) -> None:
            async with lock:
                seen.append(f"{name} in")
                await asyncio.sleep(0.01)
                seen.append(f"{name} out")

        await asyncio.gather(hold("a"), hold("b"))
        return seen

    assert asyncio.run(run()) == ["a in", "a out", "b in", "b out"]


def test_the_event_wakes_its_waiter_and_a_wait_that_times_out_is_a_pool_timeout() -> None:
    async def run() -> None:
        event = httpcore_sync.AsyncioEvent()
        waiter = asyncio.create_task(event.wait(timeout=5))
        await asyncio.sleep(0)
        assert not waiter.done()
        event.set()
        await asyncio.wait_for(waiter, 1)
        await event.wait(timeout=0)  # already set: at once, even with no time left
        with pytest.raises(httpcore.PoolTimeout) as raised:
            await httpcore_sync.AsyncioEvent().wait(timeout=0.01)
        assert isinstance(raised.value.__cause__, TimeoutError)
        late = httpcore_sync.AsyncioEvent()
        untimed = asyncio.create_task(late.wait())  # None: no limit
        await asyncio.sleep(0.02)
        assert not untimed.done()
        late.set()
        await asyncio.wait_for(untimed, 1)

    asyncio.run(run())


def test_the_shield_lets_everything_through() -> None:
    with httpcore_sync.NoShield() as shield:
        assert isinstance(shield, httpcore_sync.NoShield)
    with pytest.raises(ValueError), httpcore_sync.NoShield():
        raise ValueError

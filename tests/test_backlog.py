"""The refresh's backlog of fetched documents waiting for their parse is bounded by bytes, and
the parse workers take the largest waiting document first."""

from __future__ import annotations

import asyncio

from benchmarks.feedgen import generate_feed
from reader.refresh.backlog import Backlog
from reader.refresh.parse_workers import ParseWorkers


def test_documents_wait_for_room_first_come_first_served() -> None:
    async def run() -> list[str]:
        backlog = Backlog(100)
        order: list[str] = []

        async def hold(name: str, size: int) -> None:
            await backlog.reserve(size)
            order.append(name)

        await backlog.reserve(60)
        waiting = [asyncio.create_task(hold("a", 50)), asyncio.create_task(hold("b", 10))]
        await asyncio.sleep(0)
        assert order == [] and backlog.used == 60  # "b" would fit, but "a" came first
        backlog.release(60)
        await asyncio.gather(*waiting)
        assert backlog.used == 60
        return order

    assert asyncio.run(run()) == ["a", "b"]


def test_a_document_larger_than_the_limit_goes_in_alone() -> None:
    async def run() -> None:
        backlog = Backlog(100)
        await backlog.reserve(10)
        big = asyncio.create_task(backlog.reserve(500))
        await asyncio.sleep(0)
        assert not big.done()
        backlog.release(10)
        await big
        assert backlog.used == 500
        backlog.release(500)
        assert backlog.used == 0

    asyncio.run(run())


def test_a_cancelled_wait_gives_its_place_to_the_next() -> None:
    async def run() -> None:
        backlog = Backlog(100)
        await backlog.reserve(90)
        first = asyncio.create_task(backlog.reserve(50))
        second = asyncio.create_task(backlog.reserve(10))
        await asyncio.sleep(0)
        first.cancel()
        await asyncio.gather(first, return_exceptions=True)
        await second  # 90 + 10 fit once nothing waits before it
        assert backlog.used == 100

    asyncio.run(run())


def test_the_largest_waiting_document_is_parsed_first() -> None:
    """One parsing thread: the first two documents go to it as they come (one parsing, one
    ready for it), the rest wait and are taken largest first."""
    documents = {f"http://127.0.0.1/{n}.xml": generate_feed(n, 0, n) for n in (1, 2, 3, 9, 5)}
    parsers = ParseWorkers(0, 0)
    done: list[str] = []

    async def run() -> None:
        async def parse(url: str, body: bytes) -> None:
            await parsers.parse(body, {}, url)
            done.append(url.rsplit("/", 1)[1])

        await asyncio.gather(*(parse(url, body) for url, body in documents.items()))

    try:
        asyncio.run(run())
    finally:
        parsers.close()
    assert done == ["1.xml", "2.xml", "9.xml", "5.xml", "3.xml"]

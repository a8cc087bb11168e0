"""The refresh's backlog of fetched documents waiting for their parse is bounded by bytes, and
the parse workers take the largest waiting document first."""

from __future__ import annotations

import asyncio

from benchmarks.feedgen import generate_feed
from reader.refresh.backlog import Backlog
from reader.refresh.parse_workers import QUEUED_PER_WORKER, ParseWorkers


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
    """One parsing thread: the first ``QUEUED_PER_WORKER`` documents go to it as they come,
    the rest wait and are taken largest first."""
    first = list(range(1, QUEUED_PER_WORKER + 1))
    sizes = [*first, 20, 40, 30]  # (items, so bytes, in this order)
    documents = {f"http://127.0.0.1/{n}.xml": generate_feed(n, 0, n) for n in sizes}
    parsers = ParseWorkers(0, 0)
    done: list[int] = []

    async def run() -> None:
        async def parse(url: str, body: bytes) -> None:
            await parsers.parse(body, {}, url)
            done.append(int(url.rsplit("/", 1)[1].split(".")[0]))

        await asyncio.gather(*(parse(url, body) for url, body in documents.items()))

    try:
        asyncio.run(run())
    finally:
        parsers.close()
    assert done == [*first, 40, 30, 20]

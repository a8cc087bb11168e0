"""Where feed documents are parsed during a refresh: worker processes, or one thread.

Parsing is a refresh's CPU cost, so a refresh parses in a pool of worker processes (every
core, never blocking the fetch loop). How the workers start matters as much as how they parse:

- **forked** at the very start of the refresh, when the refreshing process still runs only
  one thread (the command line; the app's refresh process) and before it starts an event
  loop or opens a connection (``pipeline.refresh_feeds``; the command line closes its own
  cache first), so a worker inherits no lock, socket or database handle it could misuse:
  from a zygote that the refresh forks as it starts, which imports the parser while the
  refreshing process imports the rest, and forks the other workers (``zygote``). The
  refreshing process itself never imports the parser (unless a worker dies: a thread then
  parses). Forked workers inherit what the zygote imported, so each is ready at once.
  Measured on the real corpus (198 feeds, same run, loaded machine): a cold refresh took 3.51 s
  of CPU with forked workers against 3.93 s with spawned ones, a warm one 0.80 s against 1.00 s.
- **spawned** otherwise (a caller with other threads running, where forking is unsafe, or a
  system without fork): a fresh interpreter that imports the parser, ~0.16 s of CPU each,
  started only when a refresh of ``PROCESS_POOL_MIN_FEEDS`` feeds or more first needs one; a
  smaller refresh parses in a thread, since starting processes would cost more than it saves.

Documents wait for a worker in order of size, the largest first, and the pool holds only
``QUEUED_PER_WORKER`` for each worker: the workers finish together, on small documents,
instead of one parsing a big document that came last while the others have nothing to do
(longest job first, the classic rule for keeping parallel machines busy to the end).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import os
import signal
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from reader.refresh import zygote
from reader.refresh.lifeline import end_with_parent, start_resource_tracker
from reader.refresh.parse_jobs import parse_document
from reader.refresh.parse_jobs import parse_for_writer as parse_for_writer  # (its old home)
from reader.refresh.zygote import MAX_PARSE_WORKERS as MAX_PARSE_WORKERS
from reader.refresh.zygote import can_fork as can_fork

if TYPE_CHECKING:
    from reader.feeds.parsed import ParsedFeed
    from reader.filters import FilterRule, Found
    from reader.models import DraftColumns

PROCESS_POOL_MIN_FEEDS = 8
"""Below this many feeds, starting worker processes costs more than it saves."""
QUEUED_PER_WORKER = 4
"""Documents the pool holds for each worker (the rest wait, largest first). The next one is
sent when a result comes back to the event loop, which may be busy: with one held beyond the
workers' number, a worker that parsed two small documents (a millisecond each) while the
loop was fetching had nothing to do. Four keep one for each worker well ahead."""


def _start_parse_worker(parent: int, background: bool) -> None:
    """In a spawned parse worker: it ends with the refresh process ``parent`` (``lifeline``),
    Ctrl-C is the parent's to handle (it shuts the pool down), and it runs below the refresh
    (``zygote.set_worker_priority``)."""
    end_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    zygote.set_worker_priority(background)


class ParseWorkers:
    """Where feed documents are parsed: worker processes for big refreshes, else a thread."""

    def __init__(self, feeds: int, workers: int | None, *, fork: bool = False,
                 background: bool = False) -> None:
        """Workers for a refresh of ``feeds`` feeds: ``workers`` processes, or by default
        one per core (up to ``MAX_PARSE_WORKERS``) from ``PROCESS_POOL_MIN_FEEDS`` feeds.

        With ``fork`` (only where ``can_fork()``), the workers are those the refresh's
        zygote forked as it started (``zygote.begin``), or forked right now, whatever the
        number of feeds (cheap enough that a small refresh does not care); without it,
        spawned processes start with the first document. ``background`` workers take only
        CPU time nothing else wants (``_start_parse_worker``)."""
        cpus = os.cpu_count() or 1
        if workers is None:
            workers = min(cpus, MAX_PARSE_WORKERS) if feeds >= PROCESS_POOL_MIN_FEEDS or fork \
                else 0
            workers = workers if workers > 1 else 0
        self.start_method = "fork" if fork and workers > 0 else "spawn" if workers > 0 else ""
        # Documents wait here for their turn rather than in the pool's queue, which takes
        # them first come first served: the largest first (``_next_turn``).
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._running = 0
        self._room = max(workers, 1) * QUEUED_PER_WORKER
        self.pool: Executor
        if not workers:
            self.pool = ThreadPoolExecutor(1, thread_name_prefix="reader-parse")
        elif fork:
            # Those the refresh's zygote forked as it started (``zygote.begin``), else now.
            self.pool = (zygote.take(workers, background)
                         or zygote.start(workers, background))
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            start_resource_tracker()
            # Spawned: the caller may run threads, and forking a threaded process is unsafe.
            self.pool = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_parse_worker, initargs=(os.getpid(), background))

    async def parse(self, body: bytes, headers: dict[str, str], url: str) -> ParsedFeed:
        """Parse one document off the event loop; a dead worker pool falls back to a thread."""
        parsed: ParsedFeed = await self._run(len(body), parse_document, body, headers, url)
        return parsed

    async def parse_for_writer(
        self, body: bytes, headers: dict[str, str], url: str, rules: tuple[FilterRule, ...],
    ) -> tuple[ParsedFeed, Found | None, tuple[DraftColumns, ...]]:
        """``parse``, which of the document's stories match which ``rules`` (their tags and
        words), and the stories' ``DraftColumns`` (``parse_for_writer``)."""
        result: tuple[ParsedFeed, Found | None, tuple[DraftColumns, ...]] = await self._run(
            len(body), parse_for_writer, body, headers, url, rules)
        return result

    async def _run(self, size: int, function: Callable[..., Any], *args: Any) -> Any:
        """``function(*args)`` in the pool, the largest waiting document (``size`` bytes)
        first."""
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._waiting, (-size, next(self._order), turn))
        self._next_turn()
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # its turn came: let the next one go
                self._running -= 1
                self._next_turn()
            raise
        try:
            return await loop.run_in_executor(self.pool, function, *args)
        except BrokenExecutor:  # (BrokenProcessPool's kind)
            # A worker died (out of memory, killed): carry on parsing in a thread (which
            # imports the parser now).
            if not isinstance(self.pool, ThreadPoolExecutor):
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = ThreadPoolExecutor(1, thread_name_prefix="reader-parse")
            return await loop.run_in_executor(self.pool, function, *args)
        finally:
            self._running -= 1
            self._next_turn()

    def _next_turn(self) -> None:
        """Send the largest waiting documents to the pool while it has room
        (``QUEUED_PER_WORKER``)."""
        while self._running < self._room and self._waiting:
            turn = heapq.heappop(self._waiting)[2]
            if not turn.done():  # (its caller was cancelled meanwhile)
                self._running += 1
                turn.set_result(None)

    def close(self) -> None:
        """Stop the workers (pending parses are cancelled)."""
        self.pool.shutdown(wait=True, cancel_futures=True)



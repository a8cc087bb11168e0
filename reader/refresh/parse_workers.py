"""Where feed documents are parsed during a refresh: worker processes, or one thread.

Parsing is a refresh's CPU cost, so a refresh parses in a pool of worker processes (every
core, never blocking the fetch loop). How the workers start matters as much as how they parse:

- **forked** at the very start of the refresh, when the refreshing process still runs only
  one thread (the command line; the app's refresh process) and before it starts an event
  loop or opens a connection (``pipeline.refresh_feeds``; the command line closes its own
  cache first), so a worker inherits no lock, socket or database handle it could misuse. A
  fork inherits every module already imported, so a worker is ready in a few milliseconds.
  ``gc.freeze()`` around the fork keeps the workers' garbage collections from touching (and so
  copying) the parent's objects.
  Measured on the real corpus (198 feeds, same run, loaded machine): a cold refresh took 3.51 s
  of CPU with forked workers against 3.93 s with spawned ones, a warm one 0.80 s against 1.00 s;
  two forked workers that parse nothing cost 17 ms in all.
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
import contextlib
import gc
import heapq
import itertools
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from reader.feeds.parse import ParsedFeed, parse_feed
from reader.filters import FilterRule, Found, screen_drafts
from reader.models import DraftColumns
from reader.refresh.lifeline import end_with_parent, prepare_to_fork, start_resource_tracker
from reader.store.decide import draft_columns
from reader.text import load_mojibake_repair

PROCESS_POOL_MIN_FEEDS = 8
"""Below this many feeds, starting worker processes costs more than it saves."""
QUEUED_PER_WORKER = 4
"""Documents the pool holds for each worker (the rest wait, largest first). The next one is
sent when a result comes back to the event loop, which may be busy: with one held beyond the
workers' number, a worker that parsed two small documents (a millisecond each) while the
loop was fetching had nothing to do. Four keep one for each worker well ahead."""
MAX_PARSE_WORKERS = 8
PARSE_WORKER_NICENESS = 10
"""How much lower than the refreshing process background parse workers run where there is no
SCHED_IDLE."""
FOREGROUND_WORKER_NICENESS = 5
"""How much lower than the refreshing process the parse workers of a refresh someone waits for
run (``_start_parse_worker``)."""


def _start_parse_worker(parent: int, background: bool) -> None:
    """In a parse worker: it ends with the refresh process ``parent`` (``lifeline``) and
    Ctrl-C is the parent's to handle (it shuts the pool down).

    ``background`` (the app's refresh, whose process already runs at the lowest priority so
    the terminal stays first in line): the worker also takes only CPU time nothing else wants,
    on Linux's idle scheduling class (elsewhere a plain lower priority). A refresh someone
    waits for (``reader refresh``) keeps its workers off the idle class: there they got a core
    only when nothing else on the machine wanted it, so a refresh crawled while anything ran
    beside it. Real corpus over loopback with the machine's other load kept off (the refresh
    and its server at real-time round-robin priority; the workers one priority lower to stand
    for the idle class), same run: 2.32 s wall and 3.38 s CPU with the workers at the
    refresh's priority, 2.46 s and 3.71 s one lower; 500 generated feeds: 9.8 s and 15.7 s
    against 12.0 s and 19.4 s.

    Its workers do run a little lower than the refresh itself (``FOREGROUND_WORKER_NICENESS``,
    an ordinary share of the cores, not the idle class): the refresh's own threads (fetching,
    writing) then run when they are ready instead of waiting behind two parses, and the parses
    take every moment those threads leave. A cold refresh of the real corpus over loopback
    (50 ms a request, 32 addresses), 20 alternating pairs on a 2-core machine with nothing else
    running: 16 of the 20 pairs took less CPU and less wall time with the workers at +5, the
    medians 3.48 / 3.60 s wall and 5.36 / 5.69 s CPU against 3.82 / 3.89 s and 6.03 / 6.07 s in
    two passes of 10.
    """
    end_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Forked while the command line's start-up pause holds (``collector``): a worker collects
    # cycles from its start, as Python's documentation advises for forked children.
    gc.enable()
    if not background:
        with contextlib.suppress(OSError):
            os.nice(FOREGROUND_WORKER_NICENESS)
        return
    with contextlib.suppress(OSError):
        os.nice(PARSE_WORKER_NICENESS)
    with contextlib.suppress(OSError, AttributeError):  # SCHED_IDLE is Linux's
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def parse_for_writer(
    body: bytes, headers: dict[str, str], url: str, rules: tuple[FilterRule, ...],
) -> tuple[ParsedFeed, Found | None, tuple[DraftColumns, ...]]:
    """In a parse worker: parse the document, match its stories against the filters' tags and
    words (``filters.screen_drafts``; None without ``rules``), and work out the columns the
    cache stores of each story that follow from the story alone (``store.decide.draft_columns``:
    its content hash, a SHA-256 of its whole text, most of them), so the refresh's one writer
    thread only applies and writes them. Matching in the writer cost the cold refresh of 500
    generated feeds 8 % with five rules, and the columns were ~520 M of its 2,470 M
    instructions for the real corpus; here they run beside the other documents' parsing, on
    every core."""
    parsed = parse_feed(body, headers, url)
    found = screen_drafts(rules, parsed.drafts) if rules else None
    return parsed, found, tuple(draft_columns(draft) for draft in parsed.drafts)


def can_fork() -> bool:
    """Whether worker processes can be forked from here now: on Linux, from the main thread of
    a process running no other thread (forking a threaded process can leave the child holding
    locks that no thread of its own will ever release)."""
    return (sys.platform.startswith("linux") and threading.active_count() == 1
            and threading.current_thread() is threading.main_thread())


class ParseWorkers:
    """Where feed documents are parsed: worker processes for big refreshes, else a thread."""

    def __init__(self, feeds: int, workers: int | None, *, fork: bool = False,
                 background: bool = False) -> None:
        """Workers for a refresh of ``feeds`` feeds: ``workers`` processes, or by default
        one per core (up to ``MAX_PARSE_WORKERS``) from ``PROCESS_POOL_MIN_FEEDS`` feeds.

        With ``fork`` (only where ``can_fork()``), the workers are forked right now, whatever
        the number of feeds (cheap enough that a small refresh does not care); without it,
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
            self.pool = self._forked(workers, background)
        else:
            start_resource_tracker()
            # Spawned: the caller may run threads, and forking a threaded process is unsafe.
            self.pool = ProcessPoolExecutor(
                workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_parse_worker, initargs=(os.getpid(), background))

    @staticmethod
    def _forked(workers: int, background: bool) -> ProcessPoolExecutor:
        """A pool whose ``workers`` processes are forked before this call returns."""
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_start_parse_worker,
                                   initargs=(os.getpid(), background))
        # What a parse loads on first need is loaded here, once, for every worker to inherit:
        # ftfy (mojibake repair; ~30 ms of CPU) was loaded by each worker on its first suspect
        # text, and most real refreshes meet one (an accented letter before a curly quote).
        load_mojibake_repair()
        prepare_to_fork()  # each worker's lifeline (``_start_parse_worker``) is then one call
        # With "fork" the first task forks every worker, here, in this thread, before the
        # pool starts its own threads (its manager and the queue's feeder come after).
        # Frozen objects are left out of the workers' collections: a collection that visited
        # the parent's objects would write to, and so copy, every page holding one.
        gc.freeze()
        try:
            pool.submit(int)
        finally:
            gc.unfreeze()
        return pool

    async def parse(self, body: bytes, headers: dict[str, str], url: str) -> ParsedFeed:
        """Parse one document off the event loop; a dead worker pool falls back to a thread."""
        parsed: ParsedFeed = await self._run(len(body), parse_feed, body, headers, url)
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
        except BrokenProcessPool:
            # A worker died (out of memory, killed): carry on parsing in a thread.
            if isinstance(self.pool, ProcessPoolExecutor):
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



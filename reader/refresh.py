"""Refreshing and subscribing: fetch, parse and store tied together.

``refresh_feeds`` fetches every feed concurrently on an asyncio loop (the network is the wait),
parses in worker processes (parsing is the CPU cost, so it uses every core and never blocks
the loop), and stores each feed in one short transaction on the refresh's own cache
connection, in one writer thread. Every feed ends in a ``FeedOutcome`` reported through the
progress callback as it finishes; one feed's failure, whatever it is, never touches the others.
The command line calls it directly; the app calls it from a thread worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.config import FetchSettings
from reader.feeds.discover import FeedLink, choose_feed_link
from reader.feeds.fetch import Fetcher, FetchRequest, FetchResult
from reader.feeds.html_markdown import resolve_url
from reader.feeds.parse import FeedParseError, NotAFeedError, ParsedFeed, default_title, parse_feed
from reader.store import Store, StoreError
from reader.store.feeds import (
    FeedState,
    FeedUpdate,
    add_feed,
    feed_states,
    record_refresh,
    subscribed_as,
)
from reader.text import clean_line

PROCESS_POOL_MIN_FEEDS = 8
"""Below this many feeds, starting worker processes costs more than it saves."""
MAX_PARSE_WORKERS = 8
PARSE_WORKER_NICENESS = 10
"""How much lower than the refreshing process parse workers run where there is no SCHED_IDLE."""
REFRESH_CHECKPOINT_PAGES = 20_000
"""The refresh's connection copies its write-ahead log into the cache every this many pages."""
SEARCH_BATCH_STORIES = 500
"""While feeds wait to be stored, their new stories join the search index this many at a time."""


@dataclass(frozen=True, slots=True)
class FeedOutcome:
    """How one feed's refresh ended.

    ``status``: ``ok``, ``not_modified``, ``error`` (``error`` says why) or ``skipped`` (not
    fetched: disabled, waiting for the time the server asked for, or the refresh was cancelled).
    """

    feed_id: int
    name: str
    url: str
    status: str
    new: int = 0
    updated: int = 0
    error: str | None = None
    warnings: tuple[str, ...] = ()
    moved_to: str | None = None
    pruned: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.feed_id, "title": self.name, "url": self.url, "status": self.status,
            "new": self.new, "updated": self.updated, "error": self.error,
            "warnings": list(self.warnings), "moved_to": self.moved_to, "pruned": self.pruned,
        }


@dataclass(frozen=True, slots=True)
class RefreshProgress:
    """One feed finished: ``done`` of ``total`` so far."""

    done: int
    total: int
    outcome: FeedOutcome


ProgressCallback = Callable[[RefreshProgress], None]


@dataclass(frozen=True, slots=True)
class RefreshSummary:
    """Every feed's outcome, in feed-name order."""

    outcomes: tuple[FeedOutcome, ...] = field(default_factory=tuple)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def new(self) -> int:
        return sum(o.new for o in self.outcomes)

    @property
    def failed(self) -> tuple[FeedOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "error")

    def describe(self) -> str:
        """The summary line: feeds ok / not modified / failed, new stories."""
        total = len(self.outcomes)
        parts = [f"{self.count('ok')} ok", f"{self.count('not_modified')} not modified",
                 f"{self.count('error')} failed"]
        if self.count("skipped"):
            parts.append(f"{self.count('skipped')} skipped")
        new = self.new
        return (f"{total} feed{'s' if total != 1 else ''}: {', '.join(parts)}; "
                f"{new} new stor{'ies' if new != 1 else 'y'}")


def _wait_until(when: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(when))


def describe_not_a_feed(exc: NotAFeedError) -> str:
    chosen = choose_feed_link(list(exc.links))
    if chosen is None:
        return "the URL gives a web page with no feed link, not a feed"
    return f"the URL gives a web page, not a feed; it links to the feed {chosen.url}"


def _start_parse_worker() -> None:
    """In a parse worker: Ctrl-C is the parent's to handle (it shuts the pool down), and the
    worker takes only CPU time the parent process leaves.

    Storing is the refresh's one serial stage (one writer thread), so it sets the pace; the
    workers have time to spare. At the same priority they took the writer's core: in a cold
    refresh of 500 feeds the writer waited 0.92 s for a CPU, and 0.55 s with the workers on
    Linux's idle scheduling class. Elsewhere they fall back to a plain lower priority.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(PARSE_WORKER_NICENESS)
    with contextlib.suppress(OSError, AttributeError):  # SCHED_IDLE is Linux's
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


_TRACKER_LOCK = threading.Lock()


def start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a stderr that has a real file descriptor.

    The tracker starts with the first worker process and hands its child ``sys.stderr``'s
    descriptor. Inside the app, ``sys.stderr`` is Textual's capture, whose ``fileno()`` is -1,
    so spawning failed with "bad value(s) in fds_to_keep" and every refresh of 8 or more feeds
    started with R failed. Started here first, with a usable stderr, it is simply reused.
    """
    from multiprocessing import resource_tracker

    with _TRACKER_LOCK:
        current = sys.stderr
        try:
            usable = current is not None and current.fileno() >= 0
        except (AttributeError, OSError, ValueError):
            usable = False
        if usable:
            resource_tracker.ensure_running()
            return
        real = sys.__stderr__
        try:
            real_usable = real is not None and real.fileno() >= 0
        except (AttributeError, OSError, ValueError):
            real_usable = False
        stand_in = real if real_usable else open(os.devnull, "w")  # noqa: SIM115
        sys.stderr = stand_in
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = current
            if stand_in is not real:
                stand_in.close()


class _Parsers:
    """Where feed documents are parsed: worker processes for big refreshes, else a thread."""

    def __init__(self, feeds: int, workers: int | None) -> None:
        cpus = os.cpu_count() or 1
        if workers is None:
            workers = min(cpus, MAX_PARSE_WORKERS) if feeds >= PROCESS_POOL_MIN_FEEDS else 0
            workers = workers if workers > 1 else 0
        if workers > 0:
            start_resource_tracker()
        # "spawn": the app runs threads, and forking a threaded process is unsafe.
        self.pool: Executor = (
            ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                initializer=_start_parse_worker)
            if workers > 0 else ThreadPoolExecutor(1, thread_name_prefix="reader-parse")
        )

    async def parse(self, body: bytes, headers: dict[str, str], url: str) -> ParsedFeed:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self.pool, parse_feed, body, headers, url)
        except BrokenProcessPool:
            # A worker died (out of memory, killed): carry on parsing in a thread.
            if isinstance(self.pool, ProcessPoolExecutor):
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = ThreadPoolExecutor(1, thread_name_prefix="reader-parse")
            return await loop.run_in_executor(self.pool, parse_feed, body, headers, url)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Writer:
    """The refresh's own cache connection; every call runs in the one writer thread.

    Each feed is stored in its own transaction, but its new stories join the search index
    later, many feeds' at once: as soon as no other feed waits to be stored, or once
    ``SEARCH_BATCH_STORIES`` are waiting, and in any case before the refresh ends. Indexing
    per feed wrote and merged a new index segment with every commit; a cold refresh of 500
    feeds took 6.2 s that way and 5.8 s with batches. A search run meanwhile misses only the
    stories of the last few feeds stored.
    """

    def __init__(self, database: Path, retention_days: int | None) -> None:
        self.database = database
        self.retention_days = retention_days
        self.store: Store | None = None
        self._lock = threading.Lock()
        self._queued = 0  # feeds handed to the writer thread and not yet stored
        self._unindexed = 0

    def _open(self) -> Store:
        if self.store is None:
            self.store = Store.open(self.database)
            # A cold refresh writes hundreds of MB. Copying the log into the file every 4 MB
            # (SQLite's default) meant a checkpoint, with two fsyncs, every few feeds and pages
            # copied again and again; every 80 MB keeps the log bounded, and storing 500
            # generated feeds took 5.4 s instead of 6.3 s.
            self.store.conn.execute(f"PRAGMA wal_autocheckpoint = {REFRESH_CHECKPOINT_PAGES}")
        return self.store

    def states(self, ids: Sequence[int] | None) -> list[FeedState]:
        store = self._open()
        self._index_pending(store)  # left by a refresh that was killed
        return feed_states(store, ids)

    def _index_pending(self, store: Store) -> None:
        """Index the stories waiting for it, if the cache can be written now. If another
        process keeps it locked past the busy timeout, they wait for the next try: the
        feeds they came with are stored, and that is what their outcomes report."""
        try:
            store.index_pending()
        except sqlite3.OperationalError:
            return
        self._unindexed = 0

    def expect(self) -> None:
        """Called (in any thread) before handing the writer thread one more feed."""
        with self._lock:
            self._queued += 1

    def record(self, feed_id: int, update: FeedUpdate) -> tuple[int, int, int, str]:
        """Store one feed's refresh; returns new, updated, pruned and the feed's name now."""
        try:
            store = self._open()
            report, pruned = record_refresh(store, feed_id, update,
                                            retention_days=self.retention_days, index_later=True)
            row = store.conn.execute("SELECT name FROM sources WHERE id = ?",
                                     (feed_id,)).fetchone()
        finally:
            with self._lock:
                self._queued -= 1
                waiting = self._queued > 0
        self._unindexed += report.new
        if self._unindexed >= SEARCH_BATCH_STORIES or (self._unindexed and not waiting):
            self._index_pending(store)
        return report.new, report.updated, pruned, str(row[0]) if row else ""

    def close(self) -> None:
        if self.store is not None:
            try:
                self.store.index_pending()
            except sqlite3.OperationalError as exc:
                raise StoreError(f"the new stories are stored, but search will find them only"
                                 f" after the next refresh: {exc}") from None
            finally:
                self.store.close()
                self.store = None


def _update_for(result: FetchResult, parsed: ParsedFeed | None, error: str | None) -> FeedUpdate:
    if result.status == "not_modified":
        return FeedUpdate("not_modified", url=result.permanent_url, etag=result.etag,
                          last_modified=result.last_modified)
    if parsed is None:
        return FeedUpdate("error", error=error or result.error or "unknown error",
                          retry_after=result.retry_after, gone=result.gone)
    return FeedUpdate(
        "ok", title=parsed.title or None, site_url=parsed.site_url, url=result.permanent_url,
        etag=result.etag, last_modified=result.last_modified, drafts=parsed.drafts,
    )


class _Refresh:
    def __init__(self, settings: FetchSettings, writer: _Writer, writer_pool: Executor,
                 parsers: _Parsers, fetcher: Fetcher, explicit: bool,
                 cancel: threading.Event | None) -> None:
        self.settings = settings
        self.writer = writer
        self.writer_pool = writer_pool
        self.parsers = parsers
        self.fetcher = fetcher
        self.explicit = explicit
        self.cancel = cancel
        # Fetched documents waiting for parse or store are bounded, and so is memory.
        self.in_flight = asyncio.Semaphore(max(2, 2 * settings.concurrency))

    async def one(self, state: FeedState) -> FeedOutcome:
        def outcome(status: str, name: str = state.name, **more: Any) -> FeedOutcome:
            return FeedOutcome(state.id, name, state.url, status, **more)

        if state.disabled and not self.explicit:
            return outcome("skipped", error="disabled after HTTP 410 Gone (name it to retry)")
        if state.retry_after is not None and state.retry_after > time.time():
            return outcome("skipped", error="the server asked to wait until "
                           + _wait_until(state.retry_after))
        async with self.in_flight:
            if self.cancel is not None and self.cancel.is_set():
                return outcome("skipped", error="the refresh was cancelled")
            try:
                return await self._fetch_parse_store(state, outcome)
            except Exception as exc:  # whatever it is, it stays with this feed
                return outcome("error", error=clean_line(f"{type(exc).__name__}: {exc}"))

    async def _fetch_parse_store(
        self, state: FeedState, outcome: Callable[..., FeedOutcome]
    ) -> FeedOutcome:
        loop = asyncio.get_running_loop()
        result = await self.fetcher.fetch(
            FetchRequest(state.url, state.etag, state.last_modified)
        )
        if result.status == "skipped":  # its host's budget or the refresh's time ran out
            return outcome("skipped", error=result.error)
        parsed: ParsedFeed | None = None
        error: str | None = None
        if result.status == "ok":
            try:
                parsed = await self.parsers.parse(result.body, dict(result.headers), result.url)
            except NotAFeedError as exc:
                error = describe_not_a_feed(exc)
            except FeedParseError as exc:
                error = str(exc)
            except Exception as exc:  # a parser bug: recorded on this feed like a bad document
                error = clean_line(f"could not parse: {type(exc).__name__}: {exc}")
        update = _update_for(result, parsed, error)
        self.writer.expect()
        new, updated, pruned, name = await loop.run_in_executor(
            self.writer_pool, self.writer.record, state.id, update
        )
        return outcome(
            update.status, name=name, new=new, updated=updated, error=update.error,
            warnings=parsed.warnings if parsed else (),
            moved_to=update.url, pruned=pruned,
        )


async def refresh_feeds_async(
    database: Path, settings: FetchSettings, feed_ids: Sequence[int] | None = None, *,
    progress: ProgressCallback | None = None, cancel: threading.Event | None = None,
    parse_workers: int | None = None,
) -> RefreshSummary:
    """``refresh_feeds`` on an already running event loop."""
    loop = asyncio.get_running_loop()
    writer = _Writer(Path(database), settings.retention_days)
    writer_pool = ThreadPoolExecutor(1, thread_name_prefix="reader-store")
    parsers: _Parsers | None = None
    tasks: list[asyncio.Task[FeedOutcome]] = []
    try:
        states = await loop.run_in_executor(writer_pool, writer.states, feed_ids)
        parsers = _Parsers(len(states), parse_workers)
        async with Fetcher(settings) as fetcher:
            run = _Refresh(settings, writer, writer_pool, parsers, fetcher,
                           explicit=feed_ids is not None, cancel=cancel)
            tasks = [asyncio.create_task(run.one(state)) for state in states]
            by_id: dict[int, FeedOutcome] = {}
            for finished in asyncio.as_completed(tasks):
                result = await finished
                by_id[result.feed_id] = result
                if progress is not None:
                    progress(RefreshProgress(len(by_id), len(states), result))
        return RefreshSummary(tuple(by_id[s.id] for s in states))
    finally:
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if parsers is not None:
            parsers.close()
        await loop.run_in_executor(writer_pool, writer.close)
        writer_pool.shutdown(wait=True)


def refresh_feeds(
    database: Path, settings: FetchSettings, feed_ids: Sequence[int] | None = None, *,
    progress: ProgressCallback | None = None, cancel: threading.Event | None = None,
    parse_workers: int | None = None,
) -> RefreshSummary:
    """Refresh all feeds, or those with ``feed_ids``; blocks until every feed has an outcome.

    Call it from any thread that is not running an event loop (the app: a thread worker).
    It opens its own cache connection. ``progress`` is called in the calling thread after each
    feed is stored. Setting ``cancel`` skips the feeds not yet started. Named feeds are
    fetched even when disabled by a 410; a refresh of all feeds skips those.
    """
    return asyncio.run(refresh_feeds_async(
        database, settings, feed_ids, progress=progress, cancel=cancel,
        parse_workers=parse_workers,
    ))


# -- subscribing -------------------------------------------------------------------------------


class SubscribeError(Exception):
    """Subscribing failed; nothing was stored. The message is one line for the user."""


@dataclass(frozen=True, slots=True)
class Subscribed:
    """A new subscription: its id, name, feed URL and first stories.

    ``found`` is the feed chosen from the page's links when the URL given was a web page;
    ``links`` are all the feeds that page offered.
    """

    feed_id: int
    name: str
    url: str
    new: int
    found: FeedLink | None = None
    links: tuple[FeedLink, ...] = ()
    warnings: tuple[str, ...] = ()


def check_feed_url(url: str) -> str:
    """The URL if it is a usable http(s) address; else ``SubscribeError``."""
    checked = resolve_url(url, None, frozenset({"http", "https"}))
    if checked is None:
        hint = f" (did you mean https://{url.strip()}?)" if "://" not in url and "." in url \
            and " " not in url.strip() else ""
        raise SubscribeError(f"{url!r} is not an http:// or https:// URL{hint}")
    return checked


async def _fetch_feed(url: str, settings: FetchSettings) -> tuple[FetchResult, ParsedFeed,
                                                                  FeedLink | None,
                                                                  tuple[FeedLink, ...]]:
    async with Fetcher(settings) as fetcher:
        result = await fetcher.fetch(FetchRequest(url))
        if result.status != "ok":
            raise SubscribeError(f"cannot fetch {url}: {result.error}")
        try:
            return result, parse_feed(result.body, result.headers, result.url), None, ()
        except NotAFeedError as exc:
            links = exc.links
        except FeedParseError as exc:
            raise SubscribeError(f"{url} is not a feed: {exc}") from None
        chosen = choose_feed_link(list(links))
        if chosen is None:
            raise SubscribeError(f"{url} is a web page that links to no RSS or Atom feed")
        result = await fetcher.fetch(FetchRequest(chosen.url))
        if result.status != "ok":
            raise SubscribeError(f"the page links to the feed {chosen.url}, which cannot be "
                                 f"fetched: {result.error}")
        try:
            parsed = parse_feed(result.body, result.headers, result.url)
        except FeedParseError as exc:
            raise SubscribeError(f"the page links to {chosen.url}, which is not a feed: "
                                 f"{exc}") from None
        return result, parsed, chosen, links


def subscribe(
    store: Store, url: str, settings: FetchSettings, *, title: str | None = None,
    group: str | None = None,
) -> Subscribed:
    """Subscribe to a feed, or to the feed a web page links to, with its first stories.

    Fetches and parses first; stores the feed and its stories in one transaction only if
    that worked. Blocking (it runs its own event loop): call it from a thread, not a loop.
    """
    url = check_feed_url(url)
    existing = subscribed_as(store, url)
    if existing is not None:
        raise SubscribeError(f"already subscribed to {url} as {existing!r}")
    result, parsed, found, links = asyncio.run(_fetch_feed(url, settings))
    feed_url = result.permanent_url or (found.url if found else url)
    existing = subscribed_as(store, feed_url)
    if existing is not None:
        raise SubscribeError(f"already subscribed to {feed_url} as {existing!r}")
    name = title.strip() if title and title.strip() else parsed.title or default_title(feed_url)
    with store.transaction():
        feed_id = add_feed(store, feed_url, name, user_title=bool(title and title.strip()),
                           group=group, site_url=parsed.site_url)
        report, _ = record_refresh(store, feed_id, FeedUpdate(
            "ok", site_url=parsed.site_url, etag=result.etag,
            last_modified=result.last_modified, drafts=parsed.drafts,
        ))
    stored_name = next((s.name for s in store.sources() if s.id == feed_id), name)
    return Subscribed(feed_id, stored_name, feed_url, report.new, found, links, parsed.warnings)

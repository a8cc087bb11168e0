"""A refresh: every feed fetched, parsed and stored, each ending in its own outcome.

``refresh_feeds`` fetches every feed concurrently on an asyncio loop (the network is the wait),
parses in worker processes (``parse_workers``: parsing is the CPU cost, so it uses every core
and never blocks the loop), and stores each feed in one short transaction on the refresh's own
cache connection, in one writer thread (``writer``). Every feed ends in a ``FeedOutcome``
reported through the progress callback as it finishes; one feed's failure, whatever it is,
never touches the others. The command line calls it directly; the app through ``child``.

Feeds run in lanes, ``per_host`` lanes for each host, each fetching that host's feeds one after
another, least recently checked first. So a slow host's waiting feeds hold nothing (no
connection) that another host's feeds need, and the fetcher's budgets (``feeds.fetch``) end a
slow host's lanes, and the whole refresh, on time: what is left is reported as skipped, and
since a skipped feed keeps its older check time it goes first next time.

A lane hands each fetched document on to be parsed and stored, and fetches its host's next
feed meanwhile; only the bytes waiting for a parse are bounded (``backlog``), and the lanes
running at once (twice the concurrency), each to the end of its host's queue. Fetching, which
is mostly waiting, so runs ahead of parsing, the slower stage, and the parse workers take the
largest waiting document first (``parse_workers``): a refresh no longer ends on its one big
document parsed last, one worker busy while the other has nothing left. The real corpus (198
feeds, 12 MB) had lanes that fetched their next feed only once the last was stored, at most 32
documents in flight: its largest document (1.6 MB, 730 podcast episodes, 0.25-0.3 s to parse)
was fetched ~2.2 s into a 3 s refresh and its parse and store ended it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from reader import collector, start_cache
from reader.config import FetchSettings
from reader.feeds.fetch import Fetcher, FetchRequest, FetchResult
from reader.feeds.parsed import FeedParseError, NotAFeedError, ParsedFeed, choose_feed_link
from reader.filters import Found, Rules
from reader.models import DraftColumns, FeedFailed, FeedFetched, FeedNotModified, FeedUpdate
from reader.records import record
from reader.refresh.backlog import Backlog
from reader.refresh.outcomes import (
    FeedOutcome,
    OutcomeStatus,
    ProgressCallback,
    RefreshProgress,
    RefreshSummary,
)
from reader.refresh.parse_workers import ParseWorkers, can_fork
from reader.refresh.writer import GROUP_SECONDS, RefreshWriter
from reader.store import StoreError
from reader.store.connection import WRITE_WAIT
from reader.store.feeds import FeedState
from reader.text import clean_line

if TYPE_CHECKING:
    from reader.fulltext.collector import FullTextCollector
    from reader.fulltext.options import FullTextOptions
    from reader.fulltext.progress import FullTextProgress, FullTextReport


class CancelFlag(Protocol):
    """What a refresh reads to know it was cancelled: a ``threading.Event``, or in the app's
    refresh process the ``multiprocessing`` event the app sets (polled, never waited on)."""

    def is_set(self) -> bool:
        """Whether the refresh should skip the feeds it has not started."""
        ...


def _wait_until(when: float) -> str:
    """A time the server asked us to wait until, as a person reads it."""
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(when))


def describe_not_a_feed(exc: NotAFeedError) -> str:
    """Why a web page given as a feed was refused, naming the feed it links to if any."""
    chosen = choose_feed_link(list(exc.links))
    if chosen is None:
        return "the URL gives a web page with no feed link, not a feed"
    return f"the URL gives a web page, not a feed; it links to the feed {chosen.url}"


def _update_for(result: FetchResult, parsed: ParsedFeed | None, error: str | None,
                columns: tuple[DraftColumns, ...] = ()) -> FeedUpdate:
    """What a fetch and parse learned, as the one of three shapes the store records
    (``columns``: the parse's ``DraftColumns`` of its drafts)."""
    if result.status == "not_modified":
        return FeedNotModified(url=result.permanent_url, etag=result.etag,
                               last_modified=result.last_modified,
                               fresh_until=result.fresh_until)
    if parsed is None:
        return FeedFailed(error=error or result.error or "unknown error",
                          retry_after=result.retry_after, gone=result.gone)
    return FeedFetched(
        title=parsed.title or None, site_url=parsed.site_url, url=result.permanent_url,
        etag=result.etag, last_modified=result.last_modified, drafts=parsed.drafts,
        asks_every=parsed.asks_every, fresh_until=result.fresh_until, columns=columns,
    )


class _GroupCommits:
    """Where stored feeds wait for their group to be committed (``RefreshWriter``): a group is
    committed ``GROUP_SECONDS`` after a feed first waits for it, or as soon as no other feed is
    on its way to the writer (so a refresh's last feeds never wait for the timer)."""

    def __init__(self, writer: RefreshWriter, pool: Executor,
                 delay: float = GROUP_SECONDS) -> None:
        self.writer = writer
        self.pool = pool
        self.delay = delay
        self.on_the_way = 0
        """Feeds started and not yet stored (or ended otherwise)."""
        self.waiting: dict[int, asyncio.Future[None]] = {}
        self.committing: set[int] = set()
        self.ended: dict[int, BaseException | None] = {}
        """Groups whose commit ended: None, or why it failed."""

    def start(self) -> None:
        """A feed is on its way to the writer."""
        self.on_the_way += 1

    def arrived(self) -> None:
        """A feed was stored (or ended without being stored)."""
        self.on_the_way -= 1
        if not self.on_the_way:
            for group in list(self.waiting):
                self.commit(group)

    async def committed(self, group: int) -> None:
        """Return once ``group`` is committed; ``StoreError`` if it could not be (then none
        of its feeds is stored)."""
        if group in self.ended:
            problem = self.ended[group]
            if problem is not None:
                raise problem
            return
        loop = asyncio.get_running_loop()
        future = self.waiting.get(group)
        if future is None:
            future = self.waiting[group] = loop.create_future()
            loop.call_later(self.delay, self.commit, group)
        if not self.on_the_way:
            self.commit(group)
        await asyncio.shield(future)

    def commit(self, group: int) -> None:
        """Have the writer commit ``group`` now (unless that is done or under way)."""
        future = self.waiting.get(group)
        if future is None or group in self.committing:
            return
        self.committing.add(group)
        job = asyncio.get_running_loop().run_in_executor(self.pool, self.writer.commit, group)

        def done(job: asyncio.Future[None]) -> None:
            self.committing.discard(group)
            del self.waiting[group]
            if job.cancelled():  # the refresh is being stopped (the writer's close commits)
                future.cancel()
                return
            problem = self.ended[group] = job.exception()
            if problem is None:
                future.set_result(None)
            else:
                future.set_exception(problem)
                future.exception()  # each waiter reads it; none may be left to

        job.add_done_callback(done)


def _failure_reason(problem: BaseException) -> str:
    """Why a feed failed, in words that stay with that feed: the cache's own (busy, disk
    full, ...), or whatever else it was."""
    detail = clean_line(str(problem))
    if isinstance(problem, StoreError):
        return detail
    return f"could not be refreshed: {detail}" if detail \
        else "could not be refreshed (an unexpected failure)"


def _not_stored(outcome: FeedOutcome, problem: BaseException) -> FeedOutcome:
    """A feed's outcome when its group could not be committed."""
    return FeedOutcome(outcome.feed_id, outcome.name, outcome.url, "error",
                       error=_failure_reason(problem))


@record
class _Fetched:
    """A feed fetched, on its way to its parse; a document's bytes (``result.body``) are held
    in the backlog until it is parsed."""

    state: FeedState
    result: FetchResult


def _outcome(state: FeedState, status: OutcomeStatus, name: str | None = None,
             **more: Any) -> FeedOutcome:
    """A feed's outcome (under its name as stored, when that changed)."""
    return FeedOutcome(state.id, state.name if name is None else name, state.url, status,
                       **more)


class _Refresh:
    """One refresh run: the shared pieces every feed's task uses."""

    def __init__(self, settings: FetchSettings, writer: RefreshWriter, writer_pool: Executor,
                 parsers: ParseWorkers, fetcher: Fetcher, explicit: bool,
                 cancel: CancelFlag | None) -> None:
        self.settings = settings
        self.writer = writer
        self.writer_pool = writer_pool
        self.parsers = parsers
        self.fetcher = fetcher
        self.explicit = explicit
        self.cancel = cancel
        # Filters' tags and words are matched where each document is parsed (off the writer).
        self.rules = writer.filters.rules if writer.screen is not None and writer.filters \
            else ()
        # Fetched documents waiting for their parse are bounded by their bytes.
        self.backlog = Backlog()
        # Lanes running at once, each to the end of its queue: so at most this many hosts
        # have feeds in progress, and each host's next request follows its last at once, on
        # the connection that one left idle (``host_transport.KEPT_HOSTS``).
        self.lanes = asyncio.Semaphore(max(2, 2 * settings.concurrency))
        self.commits = _GroupCommits(writer, writer_pool)

    async def fetch(self, state: FeedState) -> FeedOutcome | _Fetched:
        """Fetch the feed: what ``parse_store`` is to take on (while the caller's lane goes on
        to the host's next feed), or the feed's outcome if it ended before that."""
        if state.disabled and not self.explicit:
            return _outcome(state, "skipped",
                            error="disabled after HTTP 410 Gone (name it to retry)")
        if state.retry_after is not None and state.retry_after > time.time():
            return _outcome(state, "skipped", error="the server asked to wait until "
                            + _wait_until(state.retry_after))
        if self.cancel is not None and self.cancel.is_set():
            return _outcome(state, "skipped", error="the refresh was cancelled")
        self.commits.start()
        try:
            result = await self.fetcher.fetch(
                FetchRequest(state.url, state.etag, state.last_modified)
            )
            if result.status == "ok":  # (only a document to parse waits for room)
                await self.backlog.reserve(len(result.body))
        except Exception as exc:  # whatever it is, it stays with this feed, in words
            self.commits.arrived()
            return _outcome(state, "error", error=_failure_reason(exc))
        except BaseException:
            self.commits.arrived()
            raise
        return _Fetched(state, result)

    async def parse_store(self, fetched: _Fetched) -> tuple[FeedOutcome, int | None]:
        """The fetched feed parsed (its bytes held in the backlog until then) and stored: its
        outcome and the writer's group it is stored in (None: not stored); it is in the cache
        once ``commits.committed`` says so."""
        state, result = fetched.state, fetched.result
        try:
            if result.status == "skipped":  # its host's budget or the refresh's time ran out
                return _outcome(state, "skipped", error=result.error), None
            parsed: ParsedFeed | None = None
            found: Found | None = None
            columns: tuple[DraftColumns, ...] = ()
            error: str | None = None
            if result.status == "ok":
                try:
                    parsed, found, columns = await self.parsers.parse_for_writer(
                        result.body, dict(result.headers), result.url, self.rules)
                except NotAFeedError as exc:
                    error = describe_not_a_feed(exc)
                except FeedParseError as exc:
                    error = str(exc)
                except Exception as exc:  # a parser bug: recorded on this feed like a bad document
                    detail = clean_line(str(exc))
                    error = f"could not parse: {detail}" if detail \
                        else "could not parse the document"
                finally:
                    self.backlog.release(len(result.body))
            update = _update_for(result, parsed, error, columns)
            report, pruned, name, group = await asyncio.get_running_loop().run_in_executor(
                self.writer_pool, self.writer.record, state.id, update, found
            )
            return _outcome(
                state, update.status, name=name, new=report.new, updated=report.updated,
                hidden=report.hidden, auto_read=report.auto_read,
                error=update.error if isinstance(update, FeedFailed) else None,
                warnings=parsed.warnings if parsed else (),
                moved_to=None if isinstance(update, FeedFailed) else update.url, pruned=pruned,
            ), group
        except Exception as exc:  # whatever it is, it stays with this feed, in words
            return _outcome(state, "error", error=_failure_reason(exc)), None
        finally:
            self.commits.arrived()


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # a malformed URL: the fetcher reports it on its feed
        return ""


def host_lanes(states: Sequence[FeedState], per_host: int) -> list[deque[FeedState]]:
    """The feeds as lanes: ``per_host`` lanes (at most) share one queue of a host's feeds,
    least recently checked first (never checked before all); hosts whose oldest feed is
    oldest start first."""
    hosts: dict[str, deque[FeedState]] = {}
    for state in sorted(states, key=lambda s: (s.last_checked is not None, s.last_checked or "")):
        hosts.setdefault(_host(state.url), deque()).append(state)
    return [queue for queue in hosts.values() for _ in range(min(per_host, len(queue)))]


async def refresh_feeds_async(
    database: Path, settings: FetchSettings, feed_ids: Sequence[int] | None = None, *,
    progress: ProgressCallback | None = None, cancel: CancelFlag | None = None,
    parse_workers: int | None = None, write_wait: float = WRITE_WAIT, due_only: bool = False,
    filters: Rules | None = None, parsers: ParseWorkers | None = None, background: bool = False,
    full_text: FullTextOptions | None = None,
    full_text_progress: Callable[[FullTextProgress], None] | None = None,
    feeds_done: Callable[[RefreshSummary], None] | None = None,
) -> RefreshSummary:
    """``refresh_feeds`` on an already running event loop. ``parsers``: workers the caller
    started (and closes); by default the refresh starts its own."""
    loop = asyncio.get_running_loop()
    collector: FullTextCollector | None = None
    if full_text is not None and full_text.saves_anything:
        # Loaded only by a refresh that saves pages or images; the page fetching and text
        # extraction it uses (lxml and the HTML converter among them) load with the first
        # feed stored, in the writer thread, not on this serial start (``collector``).
        from reader.fulltext.collector import FullTextCollector

        collector = FullTextCollector()
    writer = RefreshWriter(Path(database), settings.retention_days, collector,
                           write_wait=write_wait, filters=filters)
    writer_pool = ThreadPoolExecutor(1, thread_name_prefix="reader-store")
    own_parsers = parsers is None
    tasks: list[asyncio.Task[None]] = []
    reports: list[asyncio.Task[None]] = []
    try:
        states, not_due = await loop.run_in_executor(
            writer_pool, writer.states, feed_ids, time.time() if due_only else None)
        if parsers is None:
            parsers = ParseWorkers(len(states), parse_workers, background=background)
        async with Fetcher(settings) as fetcher:
            run = _Refresh(settings, writer, writer_pool, parsers, fetcher,
                           explicit=feed_ids is not None, cancel=cancel)
            by_id: dict[int, FeedOutcome] = {}

            async def reported(fetched: FeedOutcome | _Fetched) -> None:
                """The feed parsed and stored, if it was fetched; its outcome, once what it
                stored is committed."""
                result, group = (fetched, None) if isinstance(fetched, FeedOutcome) \
                    else await run.parse_store(fetched)
                if group is not None:
                    try:
                        await run.commits.committed(group)
                    except Exception as exc:  # none of the group's feeds is stored
                        result = _not_stored(result, exc)
                by_id[result.feed_id] = result
                if progress is not None:
                    progress(RefreshProgress(len(by_id), len(states), result))

            async def lane(queue: deque[FeedState]) -> None:
                async with run.lanes:
                    while queue:
                        fetched = await run.fetch(queue.popleft())
                        # The command line's start-up ends with its first request, which loads
                        # what httpcore needs to wait on the loop (anyio's asyncio backend).
                        start_cache.stop()
                        # The lane goes on to its next feed while this one is parsed and stored.
                        reports.append(asyncio.create_task(reported(fetched)))

            tasks = [asyncio.create_task(lane(queue))
                     for queue in host_lanes(states, settings.per_host)]
            if tasks:
                await asyncio.gather(*tasks)
            if reports:
                await asyncio.gather(*reports)
        feeds_summary = RefreshSummary(tuple(by_id[s.id] for s in states), not_due=not_due)
        if feeds_done is not None:
            feeds_done(feeds_summary)
        report: FullTextReport | None = None
        if full_text is not None and collector is not None:
            from reader.fulltext.at_refresh import save_at_refresh

            # Every feed is reported by now: the pages never delay a feed's result.
            report = await save_at_refresh(collector, settings, full_text, writer_pool,
                                           writer.open_store, progress=full_text_progress,
                                           cancel=cancel)
        return RefreshSummary(feeds_summary.outcomes, not_due=not_due, full_text=report)
    finally:
        for task in (*tasks, *reports):
            task.cancel()
        if tasks or reports:
            await asyncio.gather(*tasks, *reports, return_exceptions=True)
        if own_parsers and parsers is not None:
            parsers.close()
        await loop.run_in_executor(writer_pool, writer.close)
        writer_pool.shutdown(wait=True)


def event_loop() -> asyncio.AbstractEventLoop:
    """A new event loop for a refresh: uvloop's (libuv, its loop written in C) where it is
    installed, else asyncio's own.

    A refresh's main thread is its event loop: every request, every read of a body, every
    parse and store handed to another thread and every result coming back is a turn of it.
    Fetching the real corpus (198 feeds over loopback, callgrind, the main thread after the
    first connect) took 987 M instructions on asyncio's loop and 882 M on uvloop's (-11 %);
    importing uvloop costs ~6 ms at the start (after the parse workers are forked, which never
    need it). uvloop has no Windows build: there the refresh runs on asyncio's loop.
    """
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


def refresh_feeds(
    database: Path, settings: FetchSettings, feed_ids: Sequence[int] | None = None, *,
    progress: ProgressCallback | None = None, cancel: CancelFlag | None = None,
    parse_workers: int | None = None, write_wait: float = WRITE_WAIT, due_only: bool = False,
    filters: Rules | None = None, background: bool = False,
    full_text: FullTextOptions | None = None,
    full_text_progress: Callable[[FullTextProgress], None] | None = None,
    feeds_done: Callable[[RefreshSummary], None] | None = None,
) -> RefreshSummary:
    """Refresh all feeds, or those with ``feed_ids``; blocks until every feed has an outcome.

    Call it from any thread that is not running an event loop (the app: a thread worker).
    It opens its own cache connection. ``progress`` is called in the calling thread after each
    feed is stored. Setting ``cancel`` skips the feeds not yet started. Named feeds are
    fetched even when disabled by a 410; a refresh of all feeds skips those. A feed waits
    up to ``write_wait`` seconds to be stored while another process writes to the cache.
    ``due_only`` (an automatic refresh: the app's timer, ``reader refresh --due``) leaves out
    the feeds that are not due yet (``reader.schedule``); they are counted, not listed.
    ``filters`` mark read or hide new stories as they are stored (``reader.filters``). With
    ``full_text``, once every feed is reported, the pages of new summary-only stories and
    the new stories' images are saved (``reader.fulltext.at_refresh``), with
    ``full_text_progress`` called as each page is done; ``feeds_done`` hears the feeds'
    summary before that part starts.

    Called from a process running this one thread (the command line, the app's refresh
    process), it forks its parse workers first, before it starts an event loop, a thread, a
    connection or a socket, so they inherit none (``parse_workers``), or takes those its
    zygote forked at the very start of the process (``zygote.begin``). ``background`` (the
    app's refresh) parses on CPU time nothing else wants; by default the workers run at the
    caller's priority.
    """
    parsers = (ParseWorkers(0, parse_workers, fork=True, background=background)
               if parse_workers != 0 and can_fork() else None)
    collector.end_start_up()  # ``reader refresh`` kept it paused until the workers are forked
    try:
        with asyncio.Runner(loop_factory=event_loop) as runner:
            return runner.run(refresh_feeds_async(
                database, settings, feed_ids, progress=progress, cancel=cancel,
                parse_workers=parse_workers, write_wait=write_wait, due_only=due_only,
                filters=filters, parsers=parsers, background=background, full_text=full_text,
                full_text_progress=full_text_progress, feeds_done=feeds_done,
            ))
    finally:
        start_cache.stop()  # (a refresh with nothing to fetch)
        if parsers is not None:
            parsers.close()



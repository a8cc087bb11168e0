"""The app's refresh (``R``): a thread worker that waits for the refresh and reports it.

The refresh itself runs in a child process (``reader.refresh.child``): in a thread of the
app it would compete with the UI for the interpreter lock. The worker's thread only waits for
it and posts what it hears to the screen: ``RefreshProgressed`` at most every
``PROGRESS_INTERVAL``, then ``RefreshFinished`` with the summary, or ``RefreshFailed`` with the
reason. ``Refresher`` starts one refresh at a time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.dom import DOMNode
from textual.message_pump import MessagePump

from reader.cli.context import index_left_pending_at
from reader.config import FetchSettings, SyncSettings
from reader.filters import Rules
from reader.fulltext.options import FullTextOptions
from reader.records import record
from reader.store import StoreError
from reader.ui.data import UiData
from reader.ui.messages import (
    FeedsRefreshed,
    FullTextProgressed,
    RefreshFailed,
    RefreshFinished,
    RefreshProgressed,
    SyncFailed,
    SyncFinished,
)

if TYPE_CHECKING:
    from reader.fulltext.progress import FullTextProgress
    from reader.refresh.outcomes import RefreshProgress, RefreshSummary

PROGRESS_INTERVAL = 0.25
"""Seconds between progress repaints: a count ticking 4 times a second reads as progress, and
a refresh of hundreds of feeds does not repaint the screen for each one while keys wait."""


def sync_in_background(target: MessagePump, database: Path, sync: SyncSettings) -> None:
    """Sync with the feed server in a child process; post ``SyncFinished`` or ``SyncFailed``."""
    from reader.sync.child import sync_in_child

    try:
        report = sync_in_child(database, sync)
    except Exception as exc:  # a sync must never take the app (or the refresh) down
        target.post_message(SyncFailed(str(exc)))
        return
    target.post_message(SyncFinished(report.describe(), report.new, report.notes))


def refresh_in_background(target: MessagePump, database: Path, settings: FetchSettings,
                          cancel: threading.Event, sync: SyncSettings | None = None, *,
                          job: RefreshJob | None = None) -> None:
    """Refresh the feeds of ``database`` (every one, or ``job``'s); post progress and the
    outcome to ``target``.

    Runs on a worker thread (``post_message`` is safe from any thread). Setting ``cancel``
    stops the refresh early; it still ends with ``RefreshFinished``. With ``sync`` set, a sync
    with the feed server comes first (its feeds are the server's to fetch); a failed sync is
    reported and the refresh of this machine's own feeds goes on. A refresh of named feeds
    (``job.feed_ids``) does not sync.
    """
    job = job or RefreshJob()
    if sync is not None and not cancel.is_set() and job.feed_ids is None:
        sync_in_background(target, database, sync)
    # The fetch and parse layers (httpx, feedparser) load when a refresh starts, not with
    # the app: ~70 ms of first paint.
    from reader.refresh.child import refresh_in_child

    shown = 0.0

    def progress(update: RefreshProgress) -> None:
        nonlocal shown
        now = time.monotonic()
        if now - shown >= PROGRESS_INTERVAL:
            shown = now
            target.post_message(RefreshProgressed(update.done, update.total))

    def pages(step: FullTextProgress) -> None:
        nonlocal shown
        now = time.monotonic()
        if now - shown >= PROGRESS_INTERVAL or step.done == step.total:
            shown = now
            target.post_message(FullTextProgressed(step.done, step.total, step.images))

    def feeds_done(summary: RefreshSummary) -> None:
        target.post_message(FeedsRefreshed(summary))

    try:
        summary = refresh_in_child(database, settings, progress=progress, cancel=cancel,
                                   feed_ids=job.feed_ids, due_only=job.automatic,
                                   filters=job.filters, full_text=job.full_text,
                                   full_text_progress=pages, feeds_done=feeds_done)
    except Exception as exc:  # a refresh must never take the app down
        # A refresh process that was killed leaves its newest stories waiting for the search
        # index: index them here, on this worker thread, so search finds them now.
        index_left_pending_at(database)
        target.post_message(RefreshFailed(str(exc)))
        return
    target.post_message(RefreshFinished(summary, automatic=job.automatic))


@record
class RefreshJob:
    """What one refresh in the app is for: every feed (``R``), some feeds (the sources
    screen's ``R`` on a feed or a folder: ``feed_ids``), or an ``automatic`` one (on start,
    every ``refresh_interval``), which fetches only the feeds that are due. ``filters`` act
    on the new stories of any of them; with ``full_text``, their pages and images are saved
    once the feeds are done."""

    feed_ids: tuple[int, ...] | None = None
    automatic: bool = False
    filters: Rules | None = None
    full_text: FullTextOptions | None = None


NO_FEEDS = ("No feeds yet: add one with `a` in the sources (S), `reader add URL` or "
            "`reader import FILE.opml`")
"""What ``R`` says in a cache with nothing to refresh (the bundled seeds are not feeds)."""


class Refresher:
    """Starts the refresh of every feed, one at a time, reporting to ``target``."""

    def __init__(self, target: DOMNode, data: UiData, database: Path,
                 settings: FetchSettings, sync: SyncSettings | None = None,
                 filters: Rules | None = None, *,
                 full_text: FullTextOptions | None = None) -> None:
        self._target = target
        self._data = data
        self._database = database
        self._settings = settings
        self._sync = sync
        self._filters = filters
        self._full_text = full_text
        self._cancel: threading.Event | None = None

    @property
    def running(self) -> bool:
        """Whether a refresh is running (or about to start)."""
        return self._cancel is not None

    async def start(self, feed_ids: Sequence[int] | None = None, *,
                    automatic: bool = False) -> str | None:
        """Start a refresh unless one is running or there is nothing to refresh; returns
        what the status line should say. An ``automatic`` refresh with nothing due starts
        nothing and says nothing (None), and neither does one that finds another running."""
        if self._cancel is not None:
            return None if automatic else "A refresh is already running"
        cancel = self._cancel = threading.Event()  # taken before the first await
        try:
            if automatic and self._sync is None and not await self._data.any_due():
                self._cancel = None
                return None
            if self._sync is None and not await self._data.has_feeds():
                self._cancel = None
                return None if automatic else NO_FEEDS
        except StoreError as exc:
            self._cancel = None
            return None if automatic else str(exc)
        job = RefreshJob(None if feed_ids is None else tuple(feed_ids), automatic,
                         self._filters, self._full_text)
        work = partial(refresh_in_background, self._target, self._database, self._settings,
                       cancel, self._sync, job=job)
        self._target.run_worker(work, thread=True, group="refresh", exclusive=True,
                                exit_on_error=False)
        if self._sync and feed_ids is None:
            return "Syncing with the feed server…"
        return "Refreshing feeds that are due…" if automatic else "Refreshing feeds…"

    def ended(self) -> None:
        """The refresh posted its last message: another may start."""
        self._cancel = None

    def cancel(self) -> None:
        """Ask a running refresh to skip the feeds it has not started (the app is closing)."""
        if self._cancel is not None:
            self._cancel.set()

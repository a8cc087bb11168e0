"""The refresh's one writer: its own cache connection, used from one thread only.

Storing is the refresh's serial stage: every feed's stories and outcome go through here, in
the order feeds finish, each in its own short transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reader.filters import Found, Rules, Screen, SourceScreen
from reader.fulltext.at_refresh import FullTextCollector
from reader.models import FeedFetched, FeedUpdate, LoadReport
from reader.schedule import is_due
from reader.store import Store, StoreError
from reader.store.connection import WRITE_WAIT
from reader.store.errors import CacheBusy
from reader.store.feeds import FeedState, feed_name, feed_states, record_refresh
from reader.store.filters import show_unruled

REFRESH_CHECKPOINT_PAGES = 20_000
"""The refresh's connection copies its write-ahead log into the cache every this many pages."""
SEARCH_BATCH_STORIES = 500
"""A refresh's new stories join the search index this many at a time (the rest as it ends)."""


class RefreshWriter:
    """The refresh's own cache connection; every call runs in the one writer thread.

    Each feed is stored in its own transaction, but its new stories join the search index
    later, many feeds' at once: once ``SEARCH_BATCH_STORIES`` are waiting, and in any case
    before the refresh ends. Indexing per feed wrote and merged a new index segment with every
    commit; a cold refresh of 500 feeds took 6.2 s that way and 5.8 s with batches. Indexing
    also whenever no other feed waited to be stored (which, parsing being the slower stage,
    was after nearly every feed: 196 small batches for the real corpus's 198 feeds) made FTS5
    write and merge nearly as many segments: storing the real corpus took 0.75 s of CPU with
    it and 0.60 s without, and the whole cold refresh 2.91 s against 2.81 s (same run, medians
    of 6). A search run meanwhile misses at most the last ``SEARCH_BATCH_STORIES`` new stories.
    """

    def __init__(self, database: Path, retention_days: int | None,
                 collector: FullTextCollector | None = None, *,
                 write_wait: float = WRITE_WAIT, filters: Rules | None = None) -> None:
        """A writer for the cache at ``database``; it opens its connection on first use.
        ``collector`` notes each stored feed's new stories for the full-text part;
        ``filters`` are matched against every new story as it is stored."""
        self.database = database
        self.retention_days = retention_days
        self.write_wait = write_wait
        self.collector = collector
        self.filters = filters
        self.screen: Screen | None = None
        self.store: Store | None = None
        self._unindexed = 0

    def open_store(self) -> Store:
        """The writer's connection (in the writer thread only): the full-text part of the
        refresh stores pages through it too, so SQLite sees one writer."""
        return self._open()

    def _open(self) -> Store:
        if self.store is None:
            self.store = Store.open(self.database, write_wait=self.write_wait)
            # A cold refresh writes hundreds of MB. Copying the log into the file every 4 MB
            # (SQLite's default) meant a checkpoint, with two fsyncs, every few feeds and pages
            # copied again and again; every 80 MB keeps the log bounded, and storing 500
            # generated feeds took 5.4 s instead of 6.3 s.
            self.store.checkpoint_every(REFRESH_CHECKPOINT_PAGES)
            # Every story INSERT (its table has triggers and unique keys) keeps a statement
            # journal of the pages it changes, so that it alone can be undone. On disk (SQLite's
            # default past 64 KiB) that was ~90,000 small writes to a temporary file for the
            # real corpus's 3,682 stories: storing them took 0.60 s of CPU, 0.50 s in memory.
            # Only here: a journal holds a statement's pages, but temporary sort tables (which
            # this connection's writes do not need) would then grow in memory too.
            self.store.temp_in_memory()
        return self.store

    def states(self, ids: Sequence[int] | None,
               due_at: float | None = None) -> tuple[list[FeedState], int]:
        """The feeds to refresh, and how many others were left because they are not due
        (only with ``due_at``: an automatic refresh). First it indexes what a killed refresh
        left pending."""
        store = self._open()
        self._index_pending(store)  # left by a refresh that was killed
        if self.filters is not None:
            show_unruled(store, self.filters.hide_labels)
            if self.filters.rules:
                self.screen = Screen(self.filters.rules, (s.name for s in store.sources()))
        states = feed_states(store, ids)
        if due_at is None:
            return states, 0
        due = [s for s in states if is_due(s.next_due, due_at)]
        return due, len(states) - len(due)

    def _index_pending(self, store: Store) -> None:
        """Index the stories waiting for it, if the cache can be written now. If another
        process keeps it locked past a write's wait, they wait for the next try: the
        feeds they came with are stored, and that is what their outcomes report."""
        try:
            store.index_pending()
        except CacheBusy:
            return
        self._unindexed = 0

    def record(self, feed_id: int, update: FeedUpdate,
               found: Found | None = None) -> tuple[LoadReport, int, str]:
        """Store one feed's refresh; returns what it stored, pruned and the feed's name now.
        ``found``: which of its stories match which filters' tags and words, as its parse
        worker matched them (``filters.screen_drafts``); then only the filters' sources are
        checked here, in this thread, the refresh's bottleneck. Without it (no filters sent to
        the worker) the stories are matched here."""
        screen: SourceScreen | None = self.screen
        if self.screen is not None and found is not None and isinstance(update, FeedFetched):
            screen = self.screen.screened(update.drafts, found)
        store = self._open()
        report, pruned = record_refresh(store, feed_id, update,
                                        retention_days=self.retention_days, index_later=True,
                                        screen=screen)
        name = feed_name(store, feed_id)
        if self.collector is not None and isinstance(update, FeedFetched):
            self.collector.collect(store, feed_id, update.drafts)
        self._unindexed += report.new
        if self._unindexed >= SEARCH_BATCH_STORIES:
            self._index_pending(store)
        return report, pruned, name

    def close(self) -> None:
        """Index what is still pending, then close the connection."""
        if self.store is not None:
            try:
                self.store.index_pending()
            except CacheBusy as exc:
                raise StoreError(f"the new stories are stored, but search will find them only"
                                 f" after the next refresh: {exc}") from None
            finally:
                self.store.close()
                self.store = None



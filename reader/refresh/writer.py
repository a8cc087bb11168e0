"""The refresh's one writer: its own cache connection, used from one thread only.

Storing is the refresh's serial stage: every feed's stories and outcome go through here, in
the order feeds finish. Each feed is stored whole or not at all (a savepoint of its own), and
the feeds stored within a few tens of milliseconds of each other are committed together
(``record`` then ``commit``): a group commit. A feed's outcome is reported only once its group
is committed (``pipeline``), so what a refresh reports stored is in the cache for every other
process to read; a crash in between loses only feeds nobody was told of, whose validators went
with them, so the next refresh fetches them again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reader.filters import Found, Rules, Screen, SourceScreen
from reader.models import FeedFetched, FeedUpdate, LoadReport
from reader.schedule import is_due
from reader.store import Store, StoreError
from reader.store.checkpoints import BackgroundCheckpoints
from reader.store.connection import WRITE_WAIT
from reader.store.errors import CacheBusy
from reader.store.feeds import FeedState, feed_states, record_refresh_named
from reader.store.filters import show_unruled

if TYPE_CHECKING:  # loaded by a refresh that saves full text (``pipeline``)
    from reader.fulltext.collector import FullTextCollector

REFRESH_CHECKPOINT_PAGES = 20_000
"""The refresh's connection copies its write-ahead log into the cache every this many pages;
meanwhile ``BackgroundCheckpoints`` copies it beside the refresh, after its commits."""
SEARCH_BATCH_STORIES = 500
"""A refresh's new stories join the search index this many at a time (the rest as it ends)."""
GROUP_SECONDS = 0.05
"""How long the feeds stored one after another may wait to be committed together (a group
commit, ``RefreshWriter``); the pipeline commits sooner when no other feed is on its way."""


class RefreshWriter:
    """The refresh's own cache connection; every call runs in the one writer thread.

    Feeds are committed in groups: ``record`` stores a feed in the writer's open transaction
    (beginning one if none is open) inside a savepoint of its own, so a feed that cannot be
    stored is undone alone and the others of its group stay, and answers the number of its
    group, which ``commit`` commits. Committing each of the real corpus's 198 feeds on its own
    wrote a 44 MB write-ahead log for a 15 MB cache (every commit writes again each page it
    touched: index leaves, the search index's pending list, the feeds' rows); in groups of 4
    feeds 27 MB, of 32 feeds 17 MB. Storing them (the writer alone, offline) took 0.41 s of
    CPU one commit a feed and 0.38 s in groups of 8; a cold refresh of 500 generated feeds,
    where the writer sets the pace, 13.81 s of CPU against 14.66 s (same run, medians of 4).
    An open group holds the cache's write lock: the pipeline commits it ``GROUP_SECONDS``
    after its first feed at the latest, so another process (the app marking a story read)
    waits no longer than that and one feed's store.

    New stories join the search index later, many feeds' at once: once
    ``SEARCH_BATCH_STORIES`` are waiting (when a group is committed), and in any case before
    the refresh ends. Indexing per feed wrote and merged a new index segment with every
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
        self.checkpoints = BackgroundCheckpoints(database)
        """Copies what the writer commits into the cache file beside the refresh, so its
        close does not copy (and sync) the whole write-ahead log as its last step."""
        self._unindexed = 0
        self._groups = 0
        self._open_group: int | None = None
        self._failed: dict[int, str] = {}
        """Groups SQLite undid whole (a full disk) before they were committed: why."""
        self._collected = (0, 0)
        """How many pages and new stories the collector held when the open group began."""

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
               found: Found | None = None) -> tuple[LoadReport, int, str, int]:
        """Store one feed's refresh in the open group; returns what it stored, pruned, the
        feed's name now and the group, which is in the cache once ``commit`` committed it.
        ``found``: which of its stories match which filters' tags and words, as its parse
        worker matched them (``filters.screen_drafts``); then only the filters' sources are
        checked here, in this thread, the refresh's bottleneck. Without it (no filters sent to
        the worker) the stories are matched here."""
        screen: SourceScreen | None = self.screen
        if self.screen is not None and found is not None and isinstance(update, FeedFetched):
            screen = self.screen.screened(update.drafts, found)
        store = self._open()
        group = self._join_group(store)
        collected = self._collector_marks()
        store.conn.execute("SAVEPOINT feed")
        try:
            report, pruned, name = record_refresh_named(store, feed_id, update,
                                                        retention_days=self.retention_days,
                                                        index_later=True, screen=screen)
            if self.collector is not None and isinstance(update, FeedFetched):
                self.collector.collect(store, feed_id, update.drafts)
        except BaseException as exc:
            self._undo_feed(store, group, collected, exc)
            raise
        store.conn.execute("RELEASE feed")
        self._unindexed += report.new
        return report, pruned, name, group

    def _join_group(self, store: Store) -> int:
        """The open group, begun now (taking the write lock) if there is none."""
        if self._open_group is None:
            store.begin_write()
            self._groups += 1
            self._open_group = self._groups
            self._collected = self._collector_marks()
        return self._open_group

    def _collector_marks(self) -> tuple[int, int]:
        collector = self.collector
        return (len(collector.jobs), len(collector.new_ids)) if collector is not None else (0, 0)

    def _forget_collected(self, marks: tuple[int, int]) -> None:
        """The full-text collector forgets what it noted of feeds that were undone."""
        if self.collector is not None:
            del self.collector.jobs[marks[0]:]
            del self.collector.new_ids[marks[1]:]

    def _undo_feed(self, store: Store, group: int, marks: tuple[int, int],
                   exc: BaseException) -> None:
        """A feed could not be stored: undo it alone, or, where SQLite undid the whole
        transaction (a full disk), note that the group's other feeds were lost with it."""
        if store.conn.in_transaction:
            store.conn.execute("ROLLBACK TO feed")
            store.conn.execute("RELEASE feed")
            self._forget_collected(marks)
            return
        self._lose_group(group, exc)

    def _lose_group(self, group: int, exc: BaseException) -> None:
        self._failed[group] = str(exc) or "the cache could not store the feeds"
        self._open_group = None
        self._forget_collected(self._collected)

    def commit(self, group: int) -> None:
        """Commit ``group`` if it is still open (a later call for it does nothing); raises
        ``StoreError`` if it could not be committed, and then none of its feeds is stored.
        The new stories join the search index once ``SEARCH_BATCH_STORIES`` are waiting."""
        failed = self._failed.get(group)
        if failed is not None:
            raise StoreError(failed)
        if group != self._open_group or self.store is None:
            return
        store = self.store
        try:
            store.conn.execute("COMMIT")
        except StoreError as exc:
            if store.conn.in_transaction:
                store.conn.execute("ROLLBACK")
            self._lose_group(group, exc)
            raise
        self._open_group = None
        if self._unindexed >= SEARCH_BATCH_STORIES:
            self._index_pending(store)
        self.checkpoints.committed()

    def close(self) -> None:
        """Commit the open group (a refresh stopped on the way keeps the feeds it stored),
        index what is still pending, then close the connection."""
        if self.store is not None:
            try:
                if self._open_group is not None:
                    with contextlib.suppress(StoreError):  # reported by nobody: nothing to say
                        self.commit(self._open_group)
                self.store.index_pending()
            except CacheBusy as exc:
                raise StoreError(f"the new stories are stored, but search will find them only"
                                 f" after the next refresh: {exc}") from None
            finally:
                self.checkpoints.stop()  # first: the writer's close, the last, copies the rest
                self.store.close()
                self.store = None



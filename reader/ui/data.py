"""``UiData``: the app's one path to the cache. Nothing here runs on the thread that paints.

Three threads, each with its own connection (``reader.store.local``), and each doing one kind
of work in order, so one kind never queues behind another:

* **list**: what the story list paints (counts, pages, a story's position in a view). A
  ranked search page at 100k stories can take tens of milliseconds; here it only delays
  the rows it fills in, never a key press or a repaint.
* **details**: a whole story, its related stories and "also in", the snippet of a search
  match, the sources screen's counts, the palette's title lookups.
* **writer** (``BackgroundWriter``): read/star marks (one story, or a whole view in one
  statement) and saved searches. A write can wait for another process's write lock; the
  caller awaits the outcome and reports a failure.

Each method is a coroutine for the event loop: it hands a function of a ``Store`` to its
thread and awaits the result. Errors arrive as ``StoreError`` with one line for the user.
The search and related-stories modules are imported on those threads when first needed, so
their import time is never part of the first frame.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from reader.models import (
    BulkMark,
    Mark,
    MarkField,
    RelatedStory,
    Source,
    Story,
    StoryRow,
    View,
)
from reader.records import record
from reader.store import Store
from reader.store.local import StoreThread
from reader.store.marks import NextUnread
from reader.store.writer import BackgroundWriter
from reader.ui.story_rows import OpenedView, locate, open_view, read_page

if TYPE_CHECKING:
    from reader.config import FetchSettings, SyncSettings
    from reader.filters import Rules
    from reader.links import StoryLinks
    from reader.refresh.subscribe import Added
    from reader.search import Piece, SavedSearch

T = TypeVar("T")

WRITE_WAIT = 10.0
"""Seconds a mark waits for another process's write lock before it is reported as failed."""


@record
class Related:
    """The full related list of a story (explicit links, then similar ones) and the other
    sources carrying the same story."""

    stories: list[RelatedStory]
    also_in: list[str]


class UiData:
    """The list, details and writer threads of one app, on one cache file."""

    def __init__(self, database: Path, *, write_wait: float = WRITE_WAIT) -> None:
        self.database = database
        self._lists = StoreThread(database, "reader-list")
        self._details = StoreThread(database, "reader-details")
        self._writer = BackgroundWriter(database, busy_timeout=write_wait)
        self._ahead: tuple[View, Future[OpenedView]] | None = None

    async def read_list(self, fn: Callable[[Store], T]) -> T:
        return await asyncio.wrap_future(self._lists.submit(fn))

    async def read_details(self, fn: Callable[[Store], T]) -> T:
        return await asyncio.wrap_future(self._details.submit(fn))

    async def write(self, fn: Callable[[Store], T]) -> T:
        return await asyncio.wrap_future(self._writer.submit(fn))

    def close(self) -> None:
        """Finish queued work (writes included), then close each thread's connection."""
        for thread in (self._writer, self._lists, self._details):
            thread.close()

    # -- the story list ------------------------------------------------------------------------

    def read_ahead(self, view: View, height: int) -> Future[OpenedView]:
        """Start reading the top of ``view`` now (before the app has a screen to show it on);
        the list's first ``open_view`` of it takes the result."""
        future = self._lists.submit(partial(open_view, view=view, keep_story=None, cursor=0,
                                            top=0, height=height))
        self._ahead = (view, future)
        return future

    def read_ahead_done(self, view: View) -> OpenedView | None:
        """The top of ``view`` if ``read_ahead`` has it ready now (it is then used up)."""
        ahead = self._ahead
        if ahead is None or ahead[0] != view or not ahead[1].done() or ahead[1].exception():
            return None
        self._ahead = None
        return ahead[1].result()

    async def open_view(self, view: View, keep_story: str | None, cursor: int, top: int,
                        height: int) -> OpenedView:
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == view and keep_story is None and cursor == top == 0:
            return await asyncio.wrap_future(ahead[1])
        return await self.read_list(partial(open_view, view=view, keep_story=keep_story,
                                            cursor=cursor, top=top, height=height))

    async def page(self, view: View, number: int, total: int, after: StoryRow | None,
                   before: StoryRow | None) -> list[StoryRow]:
        return await self.read_list(partial(read_page, view=view, number=number, total=total,
                                            after=after, before=before))

    async def locate(self, view: View, story_id: str) -> int | None:
        return await self.read_list(partial(locate, view=view, story_id=story_id))

    # -- details ---------------------------------------------------------------------------------

    async def story(self, story_id: str) -> tuple[Story, list[RelatedStory]]:
        """A whole story and what can be shown with it at once: its explicit links both ways.
        Similar stories take longer and come from ``related``."""
        def read(store: Store) -> tuple[Story, list[RelatedStory]]:
            story = store.get_story(story_id)
            return story, store.explicit_related(story)

        return await self.read_details(read)

    async def related(self, story: Story) -> Related:
        def read(store: Store) -> Related:
            from reader.related import also_in, related_stories

            return Related(related_stories(store, story), also_in(store, story))

        return await self.read_details(read)

    async def story_links(self, markdown: str) -> StoryLinks:
        """A story's numbered links (``reader.links``), read off the UI thread: a long
        story's Markdown takes milliseconds to parse."""
        def read(store: Store) -> StoryLinks:
            from reader.links import story_links
            from reader.text import clean_text

            return story_links(clean_text(markdown))

        return await self.read_details(read)

    async def snippet(self, query: str, story_id: str) -> tuple[Piece, ...]:
        """Where the story matches the search, as highlighted pieces (empty: no match)."""
        def read(store: Store) -> tuple[Piece, ...]:
            from reader.store.searches import snippets

            return snippets(store, query, [story_id]).get(story_id, ())

        return await self.read_details(read)

    async def sources(self) -> tuple[list[Source], list[SavedSearch]]:
        """Every source and saved search with its counts, for the sources screen."""
        def read(store: Store) -> tuple[list[Source], list[SavedSearch]]:
            from reader.store.searches import saved_searches

            return store.sources(), saved_searches(store)

        return await self.read_details(read)

    async def has_feeds(self) -> bool:
        return await self.read_details(lambda store: store.has_feeds())

    async def any_due(self) -> bool:
        """Whether an automatic refresh would fetch any feed now (``reader.schedule``)."""
        def read(store: Store) -> bool:
            from reader.store.feeds import feed_states

            return bool(feed_states(store, due_at=time.time()))

        return await self.read_details(read)

    async def last_refreshed(self) -> float | None:
        """When a feed was last fetched (by any reader process; a failed fetch does not
        count), as unix time; None: never."""
        def read(store: Store) -> float | None:
            row = store.conn.execute(
                "SELECT max(last_checked) FROM sources WHERE kind = 'feed'"
                " AND last_status IN ('ok', 'not_modified')").fetchone()
            return datetime.fromisoformat(row[0]).timestamp() if row and row[0] else None

        return await self.read_details(read)

    async def find_titles(self, words: list[str]) -> list[tuple[str, str, str, str]]:
        """(id, title, source, text start) of recent stories whose titles hold every word."""
        return await self.read_details(lambda store: store.find_titles(words))

    # -- writes ----------------------------------------------------------------------------------

    def mark(self, story_ids: Sequence[str], field: MarkField,
             value: bool) -> asyncio.Future[tuple[Mark, ...]]:
        """Queue a read or star mark now (marks are written in the order they were made);
        the future holds the marks that changed a story (``Store.mark``)."""
        ids = list(story_ids)

        def write(store: Store) -> tuple[Mark, ...]:
            if field == "read":
                return store.mark(ids, read=value)
            return store.mark(ids, starred=value)

        return asyncio.wrap_future(self._writer.submit(write))

    # -- feeds and folders (the sources screen): the command line's own functions ---------------

    async def group_names(self) -> list[str]:
        """Every folder holding a feed (for ``M``'s suggestions)."""
        def read(store: Store) -> list[str]:
            from reader.store.feeds import group_names

            return group_names(store)

        return await self.read_details(read)

    async def rename(self, feed_id: int, title: str) -> str:
        """Give a feed the person's own name (``reader edit --title``); returns the name."""
        def write(store: Store) -> str:
            from reader.store.feeds import rename_feed

            return rename_feed(store, feed_id, title)

        return await self.write(write)

    async def rename_group(self, old: str, new: str) -> int:
        """Rename a folder (every feed in it moves); returns how many feeds."""
        def write(store: Store) -> int:
            from reader.store.feeds import rename_group

            return rename_group(store, old, new)

        return await self.write(write)

    async def move(self, feed_ids: list[int], group: str | None) -> None:
        """Put feeds in the folder ``group`` (``reader edit --group``); None: in none."""
        def write(store: Store) -> None:
            from reader.store.feeds import set_group

            with store.transaction():
                for feed_id in feed_ids:
                    set_group(store, feed_id, group)

        await self.write(write)

    async def stories_of(self, feed_ids: list[int]) -> int:
        """How many stories the feeds hold, hidden ones too (what removing them removes)."""
        def read(store: Store) -> int:
            return int(store.conn.execute(
                "SELECT count(*) FROM stories WHERE source_id IN"
                " (SELECT value FROM json_each(?))", (json.dumps(feed_ids),)).fetchone()[0])

        return await self.read_details(read)

    async def subscribe(self, url: str, fetch: FetchSettings, *, group: str | None,
                        filters: Rules | None, sync: SyncSettings | None) -> Added:
        """``reader add``: the network and the write on a thread of their own (seconds of
        fetching must not hold up marks on the writer thread)."""
        def add() -> Added:
            from reader.refresh.subscribe import add_subscription

            with Store.open(self.database) as store:
                return add_subscription(store, url, fetch, sync=sync, group=group,
                                        filters=filters)

        return await asyncio.to_thread(add)

    async def unsubscribe(self, feed_ids: list[int], sync: SyncSettings | None) -> int:
        """``reader remove`` of each feed (on the feed server too, for its feeds); returns
        how many stories went with them. On a thread of its own: the server may be slow."""
        def remove() -> int:
            from reader.refresh.subscribe import remove_subscription

            with Store.open(self.database) as store:
                return sum(remove_subscription(store, feed_id, sync) for feed_id in feed_ids)

        return await asyncio.to_thread(remove)
    async def mark_view(self, view: View, field: MarkField, value: bool) -> BulkMark:
        """Mark every story of a view in one statement; the stories it changed."""
        return await self.write(lambda store: store.mark_view(view, field, value))

    async def unmark(self, marked: BulkMark) -> int:
        """Take back a bulk mark (each story as it was); how many stories changed."""
        return await self.write(lambda store: store.unmark(marked))

    async def count_to_mark(self, view: View, field: MarkField, value: bool) -> int:
        """How many stories of a view ``mark_view`` would change (an index count)."""
        return await self.read_list(lambda store: store.count_to_mark(view, field, value))

    async def next_unread(self, view: View, after: StoryRow | None, backwards: bool,
                          from_here: bool = False) -> NextUnread | None:
        """The next (previous) unread story of the view after a row, wrapping around
        (``from_here``: the row itself first, if unread)."""
        return await self.read_list(lambda store: store.next_unread(
            view, after, backwards=backwards, from_here=from_here))

    async def save_search(self, name: str, query: str) -> SavedSearch:
        def write(store: Store) -> SavedSearch:
            from reader.store.searches import save_search

            return save_search(store, name, query)

        return await self.write(write)

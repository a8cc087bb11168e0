"""``Store``: the cache as one object, for callers that want methods rather than modules.

A thin facade: each method is one call into ``sources``, ``stories`` or ``views``, which hold
the SQL. ``Store`` is a ``Database``, so every module function (``reader.store.feeds``,
``reader.store.searches``) accepts a ``Store`` as its first argument too. The list's modules
(``views`` with ``orders``, ``marks``) are imported by the methods that use them: a command
that only writes or lists feeds (``reader refresh``, ``reader feeds``) never loads them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from reader.models import (
    BulkMark,
    LoadReport,
    Mark,
    MarkField,
    RelatedStory,
    Source,
    SourceKind,
    Story,
    StoryDraft,
    StoryRow,
    View,
)
from reader.store import sources, stories
from reader.store.connection import Database

if TYPE_CHECKING:
    from reader.store import marks

ALL_STORIES = View()


class Store(Database):
    """The cache on disk. Not thread-safe: open one ``Store`` per thread."""

    # -- sources ---------------------------------------------------------------------------------

    def ensure_source(
        self, kind: SourceKind, key: str, name: str, *, url: str | None = None,
        path: str | None = None, group: str | None = None, user_title: bool = False,
    ) -> int:
        """Return the id of the source with ``key``, creating it if new."""
        return sources.ensure_source(self, kind, key, name, url=url, path=path, group=group,
                                     user_title=user_title)

    def source_key(self, source_id: int) -> str:
        """The key a source was created with."""
        return sources.source_key(self, source_id)

    def source_meta(self, source_id: int) -> dict[str, Any]:
        """The source's free-form JSON notes."""
        return sources.source_meta(self, source_id)

    def set_source_meta(self, source_id: int, meta: dict[str, Any]) -> None:
        """Replace the source's JSON notes."""
        sources.set_source_meta(self, source_id, meta)

    def sources(self) -> list[Source]:
        """Every source with its story and unread counts, seeds first, then by name."""
        return sources.list_sources(self)

    def has_feeds(self) -> bool:
        """Whether any feed is subscribed (cheap, unlike ``sources()``)."""
        return sources.has_feeds(self)

    def source_by_name(self, name: str) -> Source | None:
        """The source called ``name`` (case-blind when that is unambiguous)."""
        return sources.source_by_name(self, name)

    # -- stories ---------------------------------------------------------------------------------

    def save_stories(
        self, source_id: int, drafts: Sequence[StoryDraft],
        links: Sequence[tuple[str, str]] = (), *, replace_links: bool = False,
        index_later: bool = False,
    ) -> LoadReport:
        """Insert new stories and update changed ones of one source (see ``stories``)."""
        return stories.save_stories(self, source_id, drafts, links,
                                    replace_links=replace_links, index_later=index_later)

    def index_pending(self, *, limit: int | None = None, wait: bool = True) -> int:
        """Index the stories a refresh left waiting for search; returns how many (see
        ``stories.index_pending`` for ``limit`` and ``wait``)."""
        return stories.index_pending(self, limit=limit, wait=wait)

    def mark(self, story_ids: Sequence[str], *, read: bool | None = None,
             starred: bool | None = None) -> tuple[Mark, ...]:
        """Mark stories read and/or starred; returns what changed. Every mark goes through
        here (``stories.mark``), so sync and undo hook in at one place."""
        return stories.mark(self, story_ids, read=read, starred=starred)

    def mark_view(self, view: View, field: MarkField, value: bool) -> BulkMark:
        """Mark every story of a view in one statement; returns the stories it changed (the
        bulk form of ``mark``, for ``A`` and ``reader mark``: see ``marks``)."""
        from reader.store import marks

        return marks.mark_view(self, view, field, value)

    def unmark(self, marked: BulkMark) -> int:
        """Take back a bulk mark, story by story as it was (``stories.unmark``)."""
        return stories.unmark(self, marked)

    def count_to_mark(self, view: View, field: MarkField, value: bool) -> int:
        """How many stories of a view ``mark_view`` would change."""
        from reader.store import marks

        return marks.count_to_mark(self, view, field, value)

    def next_unread(self, view: View, after: StoryRow | None, *, backwards: bool = False,
                    from_here: bool = False) -> marks.NextUnread | None:
        """The next (previous) unread story of a view after a row, wrapping around."""
        from reader.store import marks

        return marks.next_unread(self, view, after, backwards=backwards, from_here=from_here)

    def set_read(self, story_id: str, read: bool) -> None:
        """Mark one story read or unread."""
        stories.set_read(self, story_id, read)

    def set_starred(self, story_id: str, starred: bool) -> None:
        """Star or unstar one story."""
        stories.set_starred(self, story_id, starred)

    def get_story(self, ref: str) -> Story:
        """The story with id ``ref``, or with a unique id prefix of at least 4 characters."""
        return stories.get_story(self, ref)

    def stories_by_rowid(self, rowids: Sequence[int]) -> dict[int, Story]:
        """Whole stories by row number."""
        return stories.stories_by_rowid(self, rowids)

    def explicit_related(self, story: Story) -> list[RelatedStory]:
        """Stories this one recommends, then stories that recommend it."""
        return stories.explicit_related(self, story)

    def find_titles(self, words: Sequence[str],
                    limit: int = 30) -> list[tuple[str, str, str, str]]:
        """(id, title, source, text start) of recent stories whose titles (or, untitled, the
        start of their text) hold every word."""
        return stories.find_titles(self, words, limit)

    # -- views -----------------------------------------------------------------------------------

    def count(self, view: View = ALL_STORIES) -> int:
        """How many stories the view holds."""
        from reader.store import views

        return views.count(self, view)

    def page(self, view: View, offset: int, limit: int, total: int | None = None) -> list[StoryRow]:
        """Rows ``offset`` .. ``offset + limit`` of the view, in its order."""
        from reader.store import views

        return views.page(self, view, offset, limit, total)

    def page_next_to(self, view: View, row: StoryRow, limit: int, *,
                     before: bool = False) -> list[StoryRow]:
        """The ``limit`` rows right after (or before) ``row`` in a view without a query."""
        from reader.store import views

        return views.page_next_to(self, view, row, limit, before=before)

    def index_of(self, view: View, story_id: str) -> int | None:
        """The position of a story in the view, or None if the view does not hold it."""
        from reader.store import views

        return views.index_of(self, view, story_id)

    def iter_view(self, view: View, batch: int = 500) -> Iterator[Story]:
        """Every story of the view as whole ``Story`` objects, read a batch at a time."""
        from reader.store import views

        for stories_batch in views.iter_stories(self, view, batch):
            yield from stories_batch

    def iter_batches(self, view: View, batch: int = 500) -> Iterator[list[Story]]:
        """Every story of the view, ``batch`` at a time, memory flat (``views.iter_stories``)."""
        from reader.store import views

        return views.iter_stories(self, view, batch)

    def iter_rows(self, view: View, batch: int = 500) -> Iterator[list[StoryRow]]:
        """Every list row of the view, ``batch`` at a time, memory flat."""
        from reader.store import views

        return views.iter_rows(self, view, batch)

    def explicit_related_many(self, stories_: Sequence[Story]) -> dict[str, list[RelatedStory]]:
        """``explicit_related`` of many stories at once, by story id."""
        found = stories.explicit_related_many(self, [s.rowid for s in stories_])
        return {s.id: found.get(s.rowid, []) for s in stories_}

"""The story list's rows, read a page at a time on the list thread: no Textual here.

``StoryList`` (the widget) paints rows and moves a cursor; it never runs a query. It asks for
an ``OpenedView`` (the count, where the cursor lands and the pages on screen, read together so
the list changes in one step) and for single pages as they scroll into sight, and keeps a few
pages in a ``PageCache``. The functions that take a ``Store`` run on the UI's list thread
(``UiData.read_list``), never on the thread that paints.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from reader.models import StoryRow, View
from reader.records import record
from reader.store import Store

PAGE_SIZE = 64
MAX_PAGES = 4
"""Pages the list keeps at least: the screen and one screenful either side of it."""

Highlighter = Callable[[str], tuple[tuple[str, bool], ...]]
"""Splits a title into (text, is a match) pieces for a search view."""


@record
class OpenedView:
    """A view as the list shows it after a change: read in one go on the list thread."""

    view: View
    total: int
    cursor: int
    top: int
    pages: dict[int, list[StoryRow]]
    highlight: Highlighter | None = None
    note: str | None = None
    """What the search parser has to say about the query (a word it ignored, ...)."""


def place(total: int, found: int | None, keep_story: str | None, cursor: int, top: int,
          height: int) -> tuple[int, int]:
    """Where the cursor and the first row on screen go when a view changes.

    On the kept story when the view holds it; else on the same position (a story the view
    no longer holds leaves the cursor where it was) or, with nothing to keep, the top.
    The first row moves only as far as it takes to keep the cursor on screen.
    """
    if found is not None:
        target = found
    elif keep_story is not None:
        target = min(cursor, max(total - 1, 0))
    else:
        target = 0
    height = max(height, 1)
    top = min(top, max(total - height, 0))
    if target < top:
        top = target
    elif target >= top + height:
        top = target - height + 1
    return target, max(top, 0)


def pages_for(first: int, last: int) -> range:
    """The page numbers holding rows ``first`` .. ``last`` (inclusive)."""
    return range(max(first, 0) // PAGE_SIZE, max(last, 0) // PAGE_SIZE + 1)


def open_view(store: Store, view: View, keep_story: str | None, cursor: int, top: int,
              height: int) -> OpenedView:
    """Count the view, find the kept story, and read the pages the screen will show."""
    highlight: Highlighter | None = None
    note: str | None = None
    if view.query:
        from reader.search import parse_query  # on the list thread, not the UI's

        query = parse_query(view.query)
        note = query.message
        if query.is_empty:
            view = replace(view, query=None)
        else:
            highlight = query.highlight
    total = store.count(view)
    found = store.index_of(view, keep_story) if keep_story else None
    cursor, top = place(total, found, keep_story, cursor, top, height)
    pages = {number: read_page(store, view, number, total)
             for number in pages_for(top, min(top + height, total) - 1) if total}
    return OpenedView(view, total, cursor, top, pages, highlight, note)


def read_page(store: Store, view: View, number: int, total: int,
              after: StoryRow | None = None, before: StoryRow | None = None) -> list[StoryRow]:
    """Page ``number`` of the view: from a neighbouring page's row when one is loaded (an
    index seek, whatever the depth), else by position (a jump: g, G, a scrollbar drag).
    Searches are read by position: their order is their rank, not a column to seek on."""
    if not view.query:
        if after is not None:
            return store.page_next_to(view, after, PAGE_SIZE)
        if before is not None:
            return store.page_next_to(view, before, PAGE_SIZE, before=True)
    return store.page(view, number * PAGE_SIZE, PAGE_SIZE, total)


def locate(store: Store, view: View, story_id: str) -> int | None:
    """Where a story sits in the view, or None when the view does not hold it."""
    return store.index_of(view, story_id)


class PageCache:
    """The few pages of rows the list holds, least recently used dropped first."""

    def __init__(self, capacity: int = MAX_PAGES) -> None:
        self.capacity = capacity
        self._pages: OrderedDict[int, list[StoryRow]] = OrderedDict()

    def __contains__(self, number: int) -> bool:
        return number in self._pages

    def __iter__(self) -> Iterator[int]:
        return iter(self._pages)

    @property
    def row_count(self) -> int:
        return sum(len(page) for page in self._pages.values())

    def replace_all(self, pages: dict[int, list[StoryRow]]) -> None:
        self._pages = OrderedDict(pages)
        self._trim()

    def put(self, number: int, rows: list[StoryRow]) -> None:
        self._pages[number] = rows
        self._pages.move_to_end(number)
        self._trim()

    def row(self, index: int) -> StoryRow | None:
        """The row at ``index`` if its page is held (and marks the page as used)."""
        number, offset = divmod(index, PAGE_SIZE)
        page = self._pages.get(number)
        if page is None:
            return None
        self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    def neighbours(self, number: int) -> tuple[StoryRow | None, StoryRow | None]:
        """The last row of the full page before ``number`` and the first row of the page
        after it, when held: a seek from either reads the page without an OFFSET."""
        previous, following = self._pages.get(number - 1), self._pages.get(number + 1)
        after = previous[-1] if previous and len(previous) == PAGE_SIZE else None
        before = following[0] if following else None
        return after, before

    def update(self, story_id: str, **changes: Any) -> bool:
        """Apply a read/star change to the held rows of a story; whether any was held."""
        found = False
        for page in self._pages.values():
            for i, row in enumerate(page):
                if row.id == story_id:
                    page[i] = replace(row, **changes)
                    found = True
        return found

    def _trim(self) -> None:
        while len(self._pages) > self.capacity:
            self._pages.popitem(last=False)

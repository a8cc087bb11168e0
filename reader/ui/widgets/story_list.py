"""``StoryList``: the story list as a Line API widget that pages rows from SQLite.

There is no widget per story and the list never loads the whole view: it knows the view's
row count (one indexed ``count``) and asks the store for fixed-size pages as lines scroll into
sight, keeping only a few pages. So opening, moving and jumping to the end cost the same with
100 stories as with 100,000.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.models import StoryRow, View
from reader.store import Store
from reader.text import clean_line
from reader.ui.messages import StoryChosen, StoryHighlighted

PAGE_SIZE = 64
MAX_PAGES = 4
SOURCE_WIDTH = 14
DATE_WIDTH = 10


def fit(text: str, width: int) -> str:
    """Pad or cut ``text`` to exactly ``width`` cells, marking a cut with an ellipsis."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, max(width - 1, 0)) + "…" if width else ""


class StoryList(ScrollView, can_focus=True):
    """The list of stories in the current view, newest first (or ranked, for a search)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g,home", "first", "First", show=False, id="list.first"),
        Binding("G,end", "last", "Last", show=False, id="list.last"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("enter", "open", "Open", id="list.open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "story-list--cursor",
        "story-list--unread",
        "story-list--read",
        "story-list--meta",
        "story-list--star",
        "story-list--empty",
        "story-list--match",
    }

    DEFAULT_CSS = """
    StoryList { overflow-x: hidden; }
    """

    cursor: reactive[int] = reactive(0, init=False)

    def __init__(self, store: Store, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._store = store
        self.view = View()
        self.total = 0
        self._pages: OrderedDict[int, list[StoryRow]] = OrderedDict()
        self._highlight: Callable[[str], tuple[tuple[str, bool], ...]] | None = None

    # -- data --------------------------------------------------------------------------------

    @property
    def loaded_row_count(self) -> int:
        """How many rows the widget holds in memory (a few pages, whatever the view's size)."""
        return sum(len(page) for page in self._pages.values())

    def row_at(self, index: int) -> StoryRow | None:
        if not 0 <= index < self.total:
            return None
        number, offset = divmod(index, PAGE_SIZE)
        page = self._pages.get(number)
        if page is None:
            page = self._load_page(number)
            self._pages[number] = page
            while len(self._pages) > MAX_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    def _load_page(self, number: int) -> list[StoryRow]:
        """A page of rows: from a neighbouring page already loaded when there is one (an
        index seek, whatever the depth), else by position (a jump: g, G, a scrollbar drag)."""
        if not self.view.query:
            previous, following = self._pages.get(number - 1), self._pages.get(number + 1)
            if previous and len(previous) == PAGE_SIZE:
                return self._store.page_next_to(self.view, previous[-1], PAGE_SIZE)
            if following:
                return self._store.page_next_to(self.view, following[0], PAGE_SIZE,
                                                before=True)
        return self._store.page(self.view, number * PAGE_SIZE, PAGE_SIZE, self.total)

    @property
    def highlighted(self) -> StoryRow | None:
        return self.row_at(self.cursor)

    def set_view(self, view: View, keep_story: str | None = None) -> None:
        """Show another view; the cursor stays on ``keep_story`` if the view holds it."""
        self.view = view
        self._highlight = None
        if view.query:
            from reader.search import parse_query

            self._highlight = parse_query(view.query).highlight
        self.reload(keep_story)

    def reload(self, keep_story: str | None = None) -> None:
        """Re-read the view (new stories, changed filter) without losing the reader's place."""
        self._pages.clear()
        self.total = self._store.count(self.view)
        self.virtual_size = Size(self.size.width, self.total)
        index = self._store.index_of(self.view, keep_story) if keep_story else None
        target = index if index is not None else min(self.cursor, max(self.total - 1, 0))
        if index is None and keep_story is None:
            target = 0
        self._set_cursor(target, force_message=True)
        self.refresh()

    def move_to_story(self, story_id: str) -> bool:
        """Put the cursor on a story, if the current view holds it."""
        index = self._store.index_of(self.view, story_id)
        if index is None:
            return False
        self._set_cursor(index)
        return True

    def update_story(self, story_id: str, **changes: Any) -> None:
        """Reflect a read/star change in the loaded rows without re-querying."""
        for page in self._pages.values():
            for i, row in enumerate(page):
                if row.id == story_id:
                    page[i] = replace(row, **changes)
        self.refresh()

    # -- cursor ------------------------------------------------------------------------------

    def _set_cursor(self, index: int, force_message: bool = False) -> None:
        index = max(0, min(index, self.total - 1)) if self.total else 0
        changed = index != self.cursor
        self.cursor = index
        if force_message and not changed:
            self.watch_cursor(index)

    def watch_cursor(self, index: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(StoryHighlighted(self.highlighted))

    def _scroll_cursor_into_view(self) -> None:
        height = max(self.scrollable_content_region.height, 1)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.total)
        self._scroll_cursor_into_view()

    def action_cursor_down(self) -> None:
        self._set_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._set_cursor(self.cursor - 1)

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(self.total - 1)

    def action_page_down(self) -> None:
        self._set_cursor(self.cursor + max(self.scrollable_content_region.height - 1, 1))

    def action_page_up(self) -> None:
        self._set_cursor(self.cursor - max(self.scrollable_content_region.height - 1, 1))

    def action_open(self) -> None:
        row = self.highlighted
        if row is not None:
            self.post_message(StoryChosen(row.id))

    def on_click(self, event: events.Click) -> None:
        index = round(self.scroll_y) + event.y
        if 0 <= index < self.total:
            if index == self.cursor and event.chain >= 2:
                self.action_open()
            self._set_cursor(index)

    # -- rendering ---------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = round(self.scroll_y) + y
        base = self.rich_style
        if self.total == 0:
            if y == 0:
                style = base + self.get_component_rich_style("story-list--empty")
                return Strip([Segment(set_cell_size(" No stories in this view", width), style)])
            return Strip.blank(width, base)
        row = self.row_at(index)
        if row is None:
            return Strip.blank(width, base)
        return self._render_row(row, width, base, index == self.cursor)

    def _render_row(self, row: StoryRow, width: int, base: Style, is_cursor: bool) -> Strip:
        if is_cursor:
            # Folded into the base, so the cursor's background spans every cell of the row.
            base = base + self.get_component_rich_style("story-list--cursor")
        text_style = base + self.get_component_rich_style(
            "story-list--read" if row.read else "story-list--unread"
        )
        meta_style = base + self.get_component_rich_style("story-list--meta")
        star_style = base + self.get_component_rich_style("story-list--star")
        date = (row.published or "")[:DATE_WIDTH]
        source_width = SOURCE_WIDTH if width >= 60 else 0
        date_width = DATE_WIDTH + 2 if date else 1
        title_width = max(width - 4 - (source_width + 1 if source_width else 0) - date_width, 1)
        # Titles are untrusted and may be huge: clean and cut before measuring cells.
        title = clean_line(row.title[: title_width * 4]) or "(untitled)"
        segments = [
            Segment(" ●" if not row.read else "  ", text_style),
            Segment(" ★" if row.starred else "  ", star_style),
        ]
        if source_width:
            source = clean_line(row.source[:64])
            segments.append(Segment(" " + fit(source, source_width), meta_style))
        if self._highlight is None:
            segments.append(Segment(" " + fit(title, title_width), text_style))
        else:
            match_style = text_style + self.get_component_rich_style("story-list--match")
            segments.append(Segment(" ", text_style))
            fitted = fit(title, title_width)
            segments += [Segment(text, match_style if hit else text_style)
                         for text, hit in self._highlight(fitted) if text]
        if date:
            segments.append(Segment(" " + date + " ", meta_style))
        strip = Strip(segments)
        used = strip.cell_length
        if used < width:
            strip = strip.extend_cell_length(width, base)
        elif used > width:
            strip = strip.crop(0, width)
        return strip

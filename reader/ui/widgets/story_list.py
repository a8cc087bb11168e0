"""``StoryList``: the story list as a Line API widget that never waits for the database.

There is no widget per story and the list never loads the whole view. It knows the view's
row count and holds a few pages of rows (``reader.ui.story_rows``); painting a row whose page
is not held yet draws it empty and asks the list thread for the page, which fills it in a
moment later. The pages around the screen are read ahead as it moves, so holding ``j`` or
paging down rarely meets an empty row. Rendered rows are kept in a small LRU of strips
(toolong's ``LogLines`` does both), so a repaint after a cursor move rebuilds two rows.
Opening, moving and jumping to the end cost the same with 100 stories as with 100,000, and a
slow query (a ranked search page deep in the results) delays only the rows it fills in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.models import StoryRow, View
from reader.store import StoreError
from reader.text import clean_line
from reader.titles import shown_title
from reader.ui import keys
from reader.ui.data import UiData
from reader.ui.messages import StoryChosen, StoryHighlighted
from reader.ui.story_rows import (
    MAX_PAGES,
    PAGE_SIZE,
    Highlighter,
    OpenedView,
    PageCache,
    pages_for,
)

SOURCE_WIDTH = 14
DATE_WIDTH = 10
STRIPS = 256
"""Rendered rows kept: several screenfuls, so scrolling back and forth rebuilds nothing."""


def fit(text: str, width: int) -> str:
    """Pad or cut ``text`` to exactly ``width`` cells, marking a cut with an ellipsis."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    if not width:
        return ""
    # No blank before the ellipsis ("heise online …" read as a separator, not a cut name).
    cut = set_cell_size(text, width - 1).rstrip()
    return cut + "…" + " " * (width - 1 - cell_len(cut))


class StoryList(ScrollView, can_focus=True):
    """The list of stories in the current view, newest first (or ranked, for a search)."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(keys.STORY_LIST)

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "story-list--cursor",
        "story-list--unread",
        "story-list--read",
        "story-list--meta",
        "story-list--star",
        "story-list--empty",
        "story-list--match",
        "story-list--stand-in",
    }

    DEFAULT_CSS = """
    StoryList { overflow-x: hidden; }
    """

    @dataclass
    class Shown(Message):
        """The list now shows ``view`` (``total`` stories); ``note`` is the search parser's."""

        view: View
        total: int
        note: str | None

    cursor: reactive[int] = reactive(0, init=False)

    def __init__(self, data: UiData, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._data = data
        self.view = View()
        """The view asked for last; the rows are of ``shown_view`` until it has loaded."""
        self.shown_view: View | None = None
        self.total = 0
        self._pages = PageCache()
        self._pending: set[int] = set()
        self._generation = 0
        self._asked = 0
        self._announce = False
        self._highlight: Highlighter | None = None
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(STRIPS)
        self._pass: tuple[int, int, Style, bool] | None = None

    # -- views ---------------------------------------------------------------------------------

    def set_view(self, view: View, keep_story: str | None = None) -> None:
        """Show another view; the cursor stays on ``keep_story`` if the view holds it."""
        self.view = view
        ready = self._data.read_ahead_done(view) if self.shown_view is None else None
        if ready is not None:  # read while the app started: the first frame shows it
            self._asked += 1
            self._swap(ready)
        else:
            self._show_in_worker(view, keep_story)

    def reload(self, keep_story: str | None = None) -> None:
        """Read the view again (new stories) without losing the reader's place."""
        self.set_view(self.view, keep_story)

    @work(group="view", exclusive=True, exit_on_error=False)
    async def _show_in_worker(self, view: View, keep_story: str | None) -> OpenedView | None:
        return await self.show(view, keep_story)

    async def show(self, view: View, keep_story: str | None = None) -> OpenedView | None:
        """Load ``view`` and show it in one step; None when a newer view overtook it."""
        self.view = view
        self._asked += 1
        ticket = self._asked
        height = self.scrollable_content_region.height or self.app.size.height
        try:
            opened = await self._data.open_view(view, keep_story, self.cursor,
                                                round(self.scroll_y), height)
        except StoreError as exc:
            self.notify(str(exc), title="Could not read the story list", severity="error",
                        markup=False)
            return None
        if ticket != self._asked:
            return None
        self._swap(opened)
        return opened

    def _swap(self, opened: OpenedView) -> None:
        self._generation += 1
        self._pending = set()
        self.view = self.shown_view = opened.view
        self.total = opened.total
        self._highlight = opened.highlight
        self._pages.replace_all(opened.pages)
        self._strips.clear()
        self.virtual_size = Size(self.size.width, self.total)
        self.scroll_to(y=opened.top, animate=False, immediate=True)
        if opened.cursor != self.cursor:
            self.cursor = opened.cursor
        else:
            self.watch_cursor(opened.cursor, opened.cursor)
        self.refresh()
        self.post_message(self.Shown(opened.view, opened.total, opened.note))

    @property
    def loaded_row_count(self) -> int:
        """How many rows the widget holds in memory (a few pages, whatever the view's size)."""
        return self._pages.row_count

    def row_at(self, index: int) -> StoryRow | None:
        """The row at ``index`` if its page is held (None also while it is being read)."""
        return self._pages.row(index) if 0 <= index < self.total else None

    @property
    def highlighted(self) -> StoryRow | None:
        """The row under the cursor, if its page is held (it is, but for a moment after a
        jump)."""
        return self.row_at(self.cursor)

    async def row_under_cursor(self) -> StoryRow | None:
        """The row under the cursor, reading its page first if it is not held yet."""
        while self.shown_view is not None and self.total and self.highlighted is None:
            generation, number = self._generation, self.cursor // PAGE_SIZE
            after, before = self._pages.neighbours(number)
            rows = await self._data.page(self.shown_view, number, self.total, after, before)
            if generation == self._generation:
                self._pages.put(number, rows)
                if not rows:
                    return None
        return self.highlighted

    def go_to(self, index: int) -> None:
        """Put the cursor on row ``index`` (its page is read if it is not held)."""
        self._set_cursor(index)

    async def move_to_story(self, story_id: str) -> bool:
        """Put the cursor on a story, if the view shown holds it. Already under the cursor,
        it stays there with no query: in the order "unread first" a story opened (so marked
        read) must not jump to where the read ones are listed."""
        row = self.highlighted
        if row is not None and row.id == story_id:
            return True
        while self.shown_view is not None:
            generation = self._generation
            index = await self._data.locate(self.shown_view, story_id)
            if generation == self._generation:
                if index is None:
                    return False
                self._set_cursor(index)
                return True
        return False

    def update_story(self, story_id: str, **changes: Any) -> None:
        """Reflect a read/star change in the held rows without reading them again."""
        if self._pages.update(story_id, **changes):
            self.refresh()

    # -- pages -----------------------------------------------------------------------------------

    def _want(self, number: int) -> None:
        """Ask the list thread for page ``number`` unless it is held or on its way."""
        if (self.shown_view is None or number in self._pages or number in self._pending
                or not 0 <= number * PAGE_SIZE < self.total):
            return
        self._pending.add(number)
        after, before = self._pages.neighbours(number)
        self._fetch(self._generation, self.shown_view, number, after, before)

    @work(group="pages", exit_on_error=False)
    async def _fetch(self, generation: int, view: View, number: int, after: StoryRow | None,
                     before: StoryRow | None) -> None:
        try:
            rows = await self._data.page(view, number, self.total, after, before)
        except StoreError as exc:
            if generation == self._generation:
                self.notify(str(exc), title="Could not read the story list",
                            severity="error", markup=False)
            return  # stays pending: asked again only when the view is read again
        if generation != self._generation:
            return
        self._pending.discard(number)
        self._pages.put(number, rows)
        self.refresh_lines(number * PAGE_SIZE, PAGE_SIZE)
        if self._announce and number == self.cursor // PAGE_SIZE:
            self._announce_cursor()

    def _read_ahead(self) -> None:
        """Ask for the cursor's page, then the others on screen, then those one screenful
        above and below it (the list thread reads them in that order)."""
        height = max(self.scrollable_content_region.height, 1)
        self._pages.capacity = max(MAX_PAGES, len(pages_for(0, 3 * height)) + 1)
        top = round(self.scroll_y)
        for number in [self.cursor // PAGE_SIZE, *pages_for(top, top + height - 1),
                       *pages_for(top - height, top + 2 * height - 1)]:
            self._want(number)

    # -- cursor ----------------------------------------------------------------------------------

    def _set_cursor(self, index: int) -> None:
        self.cursor = max(0, min(index, self.total - 1)) if self.total else 0

    def watch_cursor(self, old: int, new: int) -> None:
        if not self._scroll_cursor_into_view():
            # Only the two rows whose cursor mark changed: a repaint of two lines, not the
            # screen (a scroll repaints it all anyway).
            self.refresh_line(old)
            self.refresh_line(new)
        self._read_ahead()
        self._announce_cursor()

    def _announce_cursor(self) -> None:
        """Tell the screen which story the cursor is on, once its row is known."""
        row = self.highlighted
        self._announce = row is None and self.total > 0
        if not self._announce:
            self.post_message(StoryHighlighted(row))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._read_ahead()

    def _scroll_cursor_into_view(self) -> bool:
        """Scroll so the cursor's row is on screen; whether that took a scroll."""
        height = max(self.scrollable_content_region.height, 1)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)
        else:
            return False
        return True

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.total)
        self._scroll_cursor_into_view()
        self._read_ahead()

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

    # -- rendering -------------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # a theme or focus change restyles every row

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every line of this pass shares, worked out once rather than per line.
        self._pass = (self.scrollable_content_region.width, round(self.scroll_y),
                      self.rich_style, self.has_focus)
        try:
            return super().render_lines(crop)
        finally:
            self._pass = None

    def render_line(self, y: int) -> Strip:
        width, top, base, focused = self._pass or (
            self.scrollable_content_region.width, round(self.scroll_y), self.rich_style,
            self.has_focus)
        index = top + y
        if self.shown_view is None:
            return Strip.blank(width, base)
        if self.total == 0:
            if y == 0:
                style = base + self.get_component_rich_style("story-list--empty")
                return Strip([Segment(set_cell_size(" No stories in this view", width), style)])
            return Strip.blank(width, base)
        is_cursor = index == self.cursor
        row = self._pages.row(index) if index < self.total else None
        if row is None:
            if index < self.total:
                self._want(index // PAGE_SIZE)
            if is_cursor:  # the cursor shows at once; its text follows with the page
                base = base + self.get_component_rich_style("story-list--cursor")
            return Strip.blank(width, base)
        key = (self._generation, row, width, is_cursor, focused)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._render_row(row, width, base, is_cursor)
            self._strips[key] = strip
        return strip

    def _render_row(self, row: StoryRow, width: int, base: Style, is_cursor: bool) -> Strip:
        if is_cursor:
            # Folded into the base, so the cursor's background spans every cell of the row.
            base = base + self.get_component_rich_style("story-list--cursor")
        text_style = base + self.get_component_rich_style(
            "story-list--read" if row.read else "story-list--unread"
        )
        meta_style = base + self.get_component_rich_style("story-list--meta")
        star_style = base + self.get_component_rich_style("story-list--star")
        date = (row.date or "")[:DATE_WIDTH]
        source_width = SOURCE_WIDTH if width >= 60 else 0
        # The title's leading blank, and the date's blank either side (the one after it was
        # once left out: every row was a cell too long, and the date touched the scroll bar,
        # or the divider in a list too short for one).
        date_width = 1 + DATE_WIDTH + 2 if date else 1
        title_width = max(width - 4 - (source_width + 1 if source_width else 0) - date_width, 1)
        # Titles are untrusted and may be huge: clean and cut before measuring cells. An
        # untitled story shows the first words of its text instead, dimmed.
        shown = shown_title(row.title[: title_width * 4], row.text_start)
        title = shown.text
        if shown.stand_in:
            text_style += self.get_component_rich_style("story-list--stand-in")
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

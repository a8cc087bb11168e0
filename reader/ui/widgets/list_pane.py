"""``ListPane``: the story list with its search bar over it, and the search between them.

``/`` shows the bar; each rested edit narrows the list to the ranked results of the text over
the view the search started from; Enter chooses the highlighted result; Esc puts back that
view and the cursor from before the search. The pane says what happened with messages
(``Searched``, ``SearchEnded``, and ``StoryChosen`` for Enter); the screen decides what the
status line says and what opening a story means.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message

from reader.models import View
from reader.ui.data import UiData
from reader.ui.messages import StoryChosen
from reader.ui.widgets.search_bar import SearchBar
from reader.ui.widgets.story_list import StoryList


class ListPane(Vertical):
    """The search bar (hidden until ``/``) over the story list."""

    @dataclass
    class Searched(Message):
        """The list shows a search's results: ``total`` of them; ``note`` is what the
        parser has to say about the query (a word it left out, ...)."""

        total: int
        note: str | None

    @dataclass
    class SearchEnded(Message):
        """The search is over and the list shows the view from before it again."""

    def __init__(self, data: UiData, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._data = data
        self._before: tuple[View, str | None] | None = None

    def compose(self) -> ComposeResult:
        yield SearchBar(id="search")
        yield StoryList(self._data, id="stories")

    def on_mount(self) -> None:
        self.query_one(SearchBar).display = False

    @property
    def story_list(self) -> StoryList:
        return self.query_one(StoryList)

    @property
    def searching(self) -> bool:
        return self._before is not None

    @property
    def typing(self) -> bool:
        """Whether the search field has focus: keys type into it."""
        return self.query_one(SearchBar).has_focus_within

    def start_search(self) -> None:
        """Show the search bar and focus it; the view and cursor now are what Esc restores."""
        if self._before is None:
            row = self.story_list.highlighted
            self._before = (self.story_list.view, row.id if row else None)
        bar = self.query_one(SearchBar)
        bar.display = True
        bar.focus()

    def end_search(self) -> None:
        """Clear the search and put back the view and the cursor from before it."""
        self.workers.cancel_group(self, "search")
        bar = self.query_one(SearchBar)
        bar.clear()
        bar.display = False
        if self._before is not None:
            view, story_id = self._before
            self._before = None
            self.story_list.set_view(view, keep_story=story_id)
        self.post_message(self.SearchEnded())

    def on_search_bar_changed(self, message: SearchBar.Changed) -> None:
        message.stop()
        self._narrow(message.value)

    def on_search_bar_submitted(self, message: SearchBar.Submitted) -> None:
        message.stop()
        self._choose_top(message.value)

    def on_search_bar_cancelled(self, message: SearchBar.Cancelled) -> None:
        message.stop()
        self.end_search()

    @work(group="search", exclusive=True, exit_on_error=False)
    async def _narrow(self, text: str) -> None:
        await self._search(text)

    async def _search(self, text: str) -> bool:
        """Show the ranked results of ``text`` over the view the search started from."""
        if self._before is None:
            return False
        opened = await self.story_list.show(replace(self._before[0],
                                                    query=text.strip() or None))
        if opened is None or self._before is None:
            return False
        self.post_message(self.Searched(opened.total, opened.note))
        return True

    @work(group="search", exclusive=True, exit_on_error=False)
    async def _choose_top(self, text: str) -> None:
        """Enter: choose the highlighted result (the top one unless the cursor moved)."""
        shown = self.story_list.shown_view
        stale = shown is None or shown.query != (text.strip() or None)
        if stale and not await self._search(text):
            return
        row = await self.story_list.row_under_cursor()
        if row is not None:
            self.post_message(StoryChosen(row.id))

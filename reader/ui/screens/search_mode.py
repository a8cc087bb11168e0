"""``SearchMode``: the main screen's search field (/), as a mixin of ``MainScreen``.

The list narrows as you type (debounced), ranked by the search engine in ``reader.search``;
Enter opens the highlighted result, Esc puts back the view and cursor from before the search,
and the status line shows the count and where the highlighted story matches.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Input, Static

from reader.text import one_line

if TYPE_CHECKING:
    from reader.ui.screens.main import MainScreen

    _Base = MainScreen
else:
    _Base = object

SEARCH_DELAY = 0.15
"""Seconds of no typing before the list narrows to the search (debounce)."""


class SearchMode(_Base):
    """Adds ``/`` and ``ctrl+s`` to the main screen. Expects ``_search_timer``,
    ``_before_search`` and ``_search_summary`` initialised in __init__."""

    def action_search(self) -> None:
        """``/``: a search field over the list; the list narrows as you type."""
        search = self.query_one("#search", Input)
        if self._before_search is None:
            row = self.story_list.highlighted
            self._before_search = (self.story_list.view, row.id if row else None)
        search.display = True
        self.remove_class("-reading")
        search.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "search":
            return
        if self._search_timer is not None:
            self._search_timer.stop()
        text = event.value
        self._search_timer = self.set_timer(SEARCH_DELAY, lambda: self.apply_search(text))

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: open the highlighted result (the top one unless the cursor moved)."""
        if event.input.id != "search":
            return
        if self._search_timer is not None:
            self._search_timer.stop()
        if self.story_list.view.query != (event.value.strip() or None):
            self.apply_search(event.value)
        row = self.story_list.highlighted
        if row is not None:
            await self.open_story(row.id)

    def apply_search(self, text: str) -> None:
        """Show the ranked results of ``text`` over the view the search started from."""
        from reader.search import parse_query

        if self._before_search is None:
            return
        base = self._before_search[0]
        query = parse_query(text)
        view = replace(base, query=None if query.is_empty else text.strip())
        self.story_list.set_view(view)
        self._update_titles()
        total = self.story_list.total
        found = f"{total:,} match{'es' if total != 1 else ''}"
        self._search_summary = f"{found}  ·  {query.message}" if query.message else found
        self.set_status(self._search_summary)

    def end_search(self) -> None:
        """Clear the search and put back the view and the cursor from before it."""
        if self._search_timer is not None:
            self._search_timer.stop()
        search = self.query_one("#search", Input)
        search.value = ""
        search.display = False
        if self._before_search is not None:
            view, story_id = self._before_search
            self._before_search = None
            self.story_list.set_view(view, keep_story=story_id)
            self._update_titles()
        self.set_status("")
        self.story_list.focus()

    def action_save_search(self) -> None:
        """Keep the current search as a view listed beside the sources (S)."""
        from reader.store.searches import save_search

        query = self.story_list.view.query
        if not query:
            self.set_status("Nothing to save: search with / first")
            return
        saved = save_search(self.store, query, query)
        self.set_status(f"Saved the search {saved.name!r}: S lists it beside the sources")

    def show_snippet(self, story_id: str) -> None:
        """In a search, the status line shows where the highlighted story matches."""
        from reader.store.searches import snippets

        query = self.story_list.view.query
        if not query:
            return
        pieces = snippets(self.store, query, [story_id]).get(story_id, ())
        if pieces:
            prefix = f"{self._search_summary}  ·  " if self._search_summary else ""
            self.query_one("#status", Static).update(Content.assemble(prefix, *(
                (one_line(text), "bold $text-warning") if hit else one_line(text)
                for text, hit in pieces
            )))

"""``SearchBar``: the search field over the story list (``/``), debounced.

It only edits text and says so: ``Changed`` once typing has rested for ``SEARCH_DELAY``,
``Submitted`` on Enter, ``Cancelled`` on Esc. The screen decides what a search means (which
view, where the cursor goes, what the status line says).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input

from reader.ui import keys

SEARCH_DELAY = 0.15
"""Seconds of no typing before the list narrows to the search: typing a word runs one
search, not one per letter."""

PLACEHOLDER = ('search: words "a phrase" pre* -not source:NAME is:unread is:starred '
               "tag:NAME")


async def rest() -> None:
    """Typing has rested once ``SEARCH_DELAY`` passes with no new edit (a new edit cancels
    the wait)."""
    await asyncio.sleep(SEARCH_DELAY)


class SearchBar(Widget):
    """An input that reports rested edits, Enter and Esc as messages.

    ``rested`` is what each edit waits for before it counts as rested; a test hands in an
    event's ``wait`` to decide when typing rests instead of racing the clock.
    """

    rested: Callable[[], Awaitable[object]] = staticmethod(rest)

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(keys.SEARCH_BAR)

    DEFAULT_CSS = """
    SearchBar { height: auto; }
    """

    @dataclass
    class Changed(Message):
        """The text, once typing rested."""

        value: str

    @dataclass
    class Submitted(Message):
        """Enter: the text as it is now (the screen opens the top result)."""

        value: str

    @dataclass
    class Cancelled(Message):
        """Esc: put back what the list showed before the search."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder=PLACEHOLDER)

    @property
    def value(self) -> str:
        return self.query_one(Input).value

    def focus(self, scroll_visible: bool = True) -> SearchBar:
        self.query_one(Input).focus(scroll_visible)
        return self

    def clear(self) -> None:
        """Empty the field without reporting a change (a cancelled search is over)."""
        self.workers.cancel_group(self, "debounce")
        field = self.query_one(Input)
        with field.prevent(Input.Changed):
            field.value = ""

    @on(Input.Changed)
    def _edited(self, event: Input.Changed) -> None:
        event.stop()
        self._rest(event.value)

    @work(group="debounce", exclusive=True, exit_on_error=False)
    async def _rest(self, value: str) -> None:
        await self.rested()
        self.post_message(self.Changed(value))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.workers.cancel_group(self, "debounce")
        self.post_message(self.Submitted(event.value))

    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "debounce")
        self.post_message(self.Cancelled())

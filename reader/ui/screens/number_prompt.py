"""``NumberPrompt``: the small prompt of ``f`` (follow a link) and ``e`` (which enclosure).

One line at the bottom of the screen: type a number (several digits work), and the line
shows what it picks; ``Enter`` takes it, ``y`` copies it instead, ``Esc`` leaves. The
prompt only answers which number and what to do with it (``Picked``); the main screen
decides what opening or copying means. Entries are feed text, shown as plain ``Content``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.text import clean_line
from reader.ui import keys

MAX_DIGITS = 4


@dataclass(frozen=True, slots=True)
class Choice:
    """One numbered entry: what it is called and the URL it stands for."""

    number: int
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Picked:
    """The prompt's answer: entry ``choice``, to ``open`` or to ``copy``."""

    choice: Choice
    action: Literal["open", "copy"]


class NumberPrompt(ModalScreen[Picked | None]):
    """``title``: what the number picks ("Follow link"); ``choices``: the numbered entries."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(keys.NUMBER_PROMPT)

    def __init__(self, title: str, choices: Sequence[Choice]) -> None:
        super().__init__()
        self.title_text = title
        self.choices = {choice.number: choice for choice in choices}
        self.typed = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box"):
            yield Static(id="prompt-line", markup=False)
            yield Static(Content("Enter opens · y copies · Esc leaves"), id="prompt-hint")

    def on_mount(self) -> None:
        self._show()

    def on_key(self, event: events.Key) -> None:
        if event.character is not None and event.character.isdigit() and event.is_printable:
            event.stop()
            if len(self.typed) < MAX_DIGITS:
                self.typed = (self.typed + event.character).lstrip("0")
            self._show()

    @property
    def chosen(self) -> Choice | None:
        return self.choices.get(int(self.typed)) if self.typed else None

    def _show(self, note: str = "") -> None:
        numbers = sorted(self.choices)
        span = f"1–{numbers[-1]}" if numbers else "none"
        line = Content.assemble((f"{self.title_text} ({span}): ", "bold $accent"),
                                (self.typed or "", "bold"), ("▏", "$accent"))
        chosen = self.chosen
        if chosen is not None:
            line = line + Content.assemble("  ", clean_line(chosen.label)[:120],
                                           ("  " + clean_line(chosen.url)[:200], "$text-muted"))
        elif note:
            line = line + Content.styled("  " + note, "$warning")
        self.query_one("#prompt-line", Static).update(line)

    def _answer(self, action: Literal["open", "copy"]) -> None:
        chosen = self.chosen
        if chosen is None:
            self._show(f"No {self.typed}: type a number from the list" if self.typed
                       else "Type a number first")
            return
        self.dismiss(Picked(chosen, action))

    def action_open(self) -> None:
        self._answer("open")

    def action_copy(self) -> None:
        self._answer("copy")

    def action_erase(self) -> None:
        self.typed = self.typed[:-1]
        self._show()

    def action_cancel(self) -> None:
        self.dismiss(None)

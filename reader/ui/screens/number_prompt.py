"""``NumberPrompt``: the small prompt of ``f`` (follow a link) and ``e`` (which enclosure).

One line at the bottom of the screen: type a number (several digits work), and the line
shows what it picks; ``Enter`` takes it, ``y`` copies it instead, ``Esc`` leaves. The
prompt only answers which number and what to do with it (``Picked``); the main screen
decides what opening or copying means. Entries are feed text, shown as plain ``Content``.

Keys typed fast (``f12⏎`` as one burst from a quick typist, a paste or a macro) must all
reach the prompt, although the terminal delivers them before the app has handled ``f``.
Textual hands each key to the widget focused *when the key arrives* (on the main screen, the
story list), and checks bindings only when the key comes back up to the app, against the
screen on top *then*. So the prompt is pushed before anything is read (its entries follow:
``offer``), and digits are bindings of the prompt, not a key handler: ``1`` and ``2`` that
reached the list first still end up here instead of following related story 1 and 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.records import record
from reader.text import clean_line
from reader.ui import keys

MAX_DIGITS = 4


@record
class Choice:
    """One numbered entry: what it is called and the URL it stands for."""

    number: int
    label: str
    url: str


@record
class Picked:
    """The prompt's answer: entry ``choice``, to ``open`` or to ``copy``."""

    choice: Choice
    action: Literal["open", "copy"]


class NumberPrompt(ModalScreen[Picked | None]):
    """``title``: what the number picks ("Follow link"); ``choices``: the numbered entries."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *keys.bindings(keys.NUMBER_PROMPT),
        *(Binding(str(digit), f"digit({digit})", show=False) for digit in range(10)),
    ]

    def __init__(self, title: str, choices: Sequence[Choice] | None = None) -> None:
        """``choices`` None: they are still being read (``offer`` gives them); keys typed
        meanwhile are kept, and an ``Enter`` or ``y`` is answered once they come."""
        super().__init__()
        self.title_text = title
        self.choices: dict[int, Choice] | None = None
        self.typed = ""
        self._waiting: Literal["open", "copy"] | None = None
        if choices is not None:
            self.choices = {choice.number: choice for choice in choices}

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box"):
            yield Static(id="prompt-line", markup=False)
            yield Static(Content("Enter opens · y copies · Esc leaves"), id="prompt-hint")

    def on_mount(self) -> None:
        self._show()

    def offer(self, choices: Sequence[Choice]) -> None:
        """The entries, once read; answers an ``Enter`` or ``y`` typed before they came."""
        self.choices = {choice.number: choice for choice in choices}
        waiting, self._waiting = self._waiting, None
        if self not in self.app.screen_stack:  # left with Esc meanwhile
            return
        if waiting is not None:
            self._answer(waiting)
        else:
            self._show()

    def close(self) -> None:
        """Leave without an answer (nothing to pick after all), unless already gone."""
        if self.app.screen is self:
            self.dismiss(None)

    @property
    def chosen(self) -> Choice | None:
        return self.choices.get(int(self.typed)) if self.typed and self.choices else None

    def _show(self, note: str = "") -> None:
        try:
            shown = self.query_one("#prompt-line", Static)
        except NoMatches:  # not composed yet: on_mount shows it
            return
        numbers = sorted(self.choices or ())
        span = f"1–{numbers[-1]}" if numbers else "…" if self.choices is None else "none"
        line = Content.assemble((f"{self.title_text} ({span}): ", "bold $accent"),
                                (self.typed or "", "bold"), ("▏", "$accent"))
        chosen = self.chosen
        if chosen is not None:
            line = line + Content.assemble("  ", clean_line(chosen.label)[:120],
                                           ("  " + clean_line(chosen.url)[:200], "$text-muted"))
        elif note:
            line = line + Content.styled("  " + note, "$warning")
        shown.update(line)

    def _answer(self, action: Literal["open", "copy"]) -> None:
        if self.choices is None:
            self._waiting = action
            return
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

    def action_digit(self, digit: int) -> None:
        if len(self.typed) < MAX_DIGITS:
            self.typed = (self.typed + str(digit)).lstrip("0")
        self._show()

    def action_erase(self) -> None:
        self.typed = self.typed[:-1]
        self._show()

    def action_cancel(self) -> None:
        self.dismiss(None)

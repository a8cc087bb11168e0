"""``PromptScreen``: one line to type (a feed's URL, a new name, a folder), Enter or Esc.

Dismissed with the text (stripped; possibly empty) or None when cancelled; the caller acts on
it in a callback. Suggestions (existing folders) complete as you type (``→`` takes one). The
question and any value shown are plain text, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static

from reader.ui import keys


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(keys.PROMPT)

    def __init__(self, question: str, value: str = "", *, placeholder: str = "",
                 hint: str = "Enter to confirm · Esc to cancel",
                 suggestions: Sequence[str] = ()) -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.placeholder = placeholder
        self.hint = hint
        self.suggestions = list(suggestions)

    def compose(self) -> ComposeResult:
        with Vertical(id="ask-box"):
            yield Static(Content(self.question), id="ask-question")
            suggester = SuggestFromList(self.suggestions, case_sensitive=False) \
                if self.suggestions else None
            yield Input(self.value, placeholder=self.placeholder, suggester=suggester,
                        id="ask-input", select_on_focus=False)
            yield Static(Content(self.hint), id="ask-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)

"""``ConfirmScreen``: a yes/no question before something that changes many stories at once.

"Mark 1,234 stories read? y/n": ``y`` answers yes, ``n`` or ``Esc`` no; the screen is
dismissed with the answer and the caller acts on it (with a callback, never by waiting in a
worker, so nothing is left running while the question is shown). The question is plain text:
a folder's or a feed's name in it is never read as markup.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.ui import keys


class ConfirmScreen(ModalScreen[bool]):
    """Ask one question; dismissed with True (y) or False (n, Esc)."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(keys.CONFIRM)

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Content(self.question), id="confirm-question")
            yield Static(Content("y yes · n or Esc no"), id="confirm-hint")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)

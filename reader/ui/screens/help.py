"""``HelpScreen``: every key, grouped by where it works, with the user's remappings applied."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


def _key_names(binding: Binding, keymap: dict[str, str]) -> str:
    keys = keymap.get(binding.id or "", binding.key)
    names = {"down": "↓", "up": "↑", "pageup": "PgUp", "pagedown": "PgDn", "space": "Space",
             "enter": "Enter", "escape": "Esc", "backspace": "Backspace", "home": "Home",
             "end": "End", "tab": "Tab", "shift+tab": "Shift+Tab", "question_mark": "?",
             "left_square_bracket": "[", "right_square_bracket": "]", "asterisk": "*",
             "slash": "/"}
    def pretty(key: str) -> str:
        if key in names:
            return names[key]
        if key.startswith("ctrl+"):
            return "Ctrl+" + key.removeprefix("ctrl+").upper()
        return key

    return " ".join(pretty(k.strip()) for k in keys.split(","))


def help_content(groups: list[tuple[str, list[Binding]]], keymap: dict[str, str]) -> Content:
    """The help text, built from the bindings themselves so it can never drift from them."""
    parts: list[Content] = []
    for title, bindings in groups:
        parts.append(Content.styled(title, "bold $accent"))
        for binding in bindings:
            keys = _key_names(binding, keymap)
            parts.append(Content.assemble((f"  {keys:<22}", "bold"), binding.description))
        parts.append(Content(""))
    return Content("\n").join(parts)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, groups: list[tuple[str, list[Binding]]], keymap: dict[str, str]) -> None:
        super().__init__()
        self._content = help_content(groups, keymap)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Content.styled("Keys", "bold"), id="help-title")
            yield Static(self._content, id="help-body")
            yield Static(Content("Esc, q or ? closes this · Ctrl+P lists every action"),
                         id="help-hint")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)

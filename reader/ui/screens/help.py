"""``HelpScreen``: every key, grouped by where it works, with the user's remappings applied."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.ui import keys as app_keys
from reader.ui.keys import Key
from reader.ui.widgets.footer import AppFooter


def _key_names(key: Key, keymap: dict[str, str]) -> str:
    keys = keymap.get(key.id, key.keys or "") if key.id else key.keys or ""
    names = {"down": "↓", "up": "↑", "pageup": "PgUp", "pagedown": "PgDn", "space": "Space",
             "enter": "Enter", "escape": "Esc", "backspace": "Backspace", "home": "Home",
             "end": "End", "tab": "Tab", "shift+tab": "Shift+Tab", "question_mark": "?",
             "left_square_bracket": "[", "right_square_bracket": "]", "asterisk": "*",
             "slash": "/", "vertical_line": "|"}
    def pretty(key: str) -> str:
        if key in names:
            return names[key]
        if key.startswith("ctrl+"):
            return "Ctrl+" + key.removeprefix("ctrl+").upper()
        return key

    return " ".join(pretty(k.strip()) for k in keys.split(","))


def help_content(groups: list[tuple[str, list[Key]]], keymap: dict[str, str]) -> Content:
    """The help text, built from the key table itself so it can never drift from it."""
    parts: list[Content] = []
    for title, keys in groups:
        parts.append(Content.styled(title, "bold $accent"))
        for key in keys:
            names = _key_names(key, keymap)
            parts.append(Content.assemble((f"  {names:<22}", "bold"), key.description))
        parts.append(Content(""))
    return Content("\n").join(parts)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = app_keys.bindings(app_keys.HELP)

    def __init__(self, keymap: dict[str, str]) -> None:
        super().__init__()
        self._content = help_content(app_keys.help_groups(keymap), keymap)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Content.styled("Keys", "bold"), id="help-title")
            yield Static(self._content, id="help-body")
            yield Static(Content("Esc, q or ? closes this · Ctrl+P lists every action"),
                         id="help-hint")
        yield AppFooter()  # the keys of this screen, not those of the screen under it

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)

"""``StoryMarkdown``: Textual's Markdown widget with each link's number after it, dimmed.

The numbers come from ``reader.links``: the same parser and rule that make the list at the
end of the story, ``reader show``'s list and ``f``'s numbers, so they always agree. The rule
puts a ``link_number`` token after each listed link; Textual's inline renderer skips token
types it does not know, so the blocks here draw it: the number goes in as text behind a
private-use marker (taken out of the story's own text first), and the marker's place is
where the dimmed number is once Textual has laid out the line.

Links never open by themselves (``open_links=False``): ``f`` and the screen decide, and only
http, https and mail links are ever handed on (``reader.programs``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, cast

from markdown_it.token import Token
from textual.content import Content
from textual.style import Style
from textual.widgets import Markdown
from textual.widgets._markdown import MarkdownBlock

from reader.links import NUMBER_TOKEN, markdown_parser
from reader.ui.widgets.story_table import TABLE_PARTS, StoryTable, TablePart

MARK = "\ue000"
"""Stands before a link number while Textual builds the line (never shown)."""
NUMBER_STYLE = Style(dim=True)


class _Numbered:
    """A Markdown block that draws ``link_number`` tokens as dimmed ``[3]``."""

    def _token_to_content(self, token: Token) -> Content:
        children = token.children or []
        if not any(child.type == NUMBER_TOKEN for child in children):
            return super()._token_to_content(token)  # type: ignore[misc,no-any-return]
        shown = token.copy(children=[_as_text(child) for child in children])
        content: Content = super()._token_to_content(shown)  # type: ignore[misc]
        plain = content.plain
        cuts: list[int] = []
        for index, char in enumerate(plain):
            if char == MARK:
                cuts.extend((index, index + 1, plain.index("]", index) + 1))
        pieces = content.divide(cuts)
        out = [pieces[0]]
        for number in range(len(cuts) // 3):
            marked, after_number = pieces[3 * number + 2], pieces[3 * number + 3]
            out.append(marked.stylize(NUMBER_STYLE))
            out.append(after_number)
        return Content("").join(out)


def _as_text(child: Token) -> Token:
    """A ``link_number`` as text behind ``MARK``; the marker out of the story's own text."""
    if child.type == NUMBER_TOKEN:
        return Token("text", "", 0, content=MARK + child.content)
    if child.type == "text" and MARK in child.content:
        return child.copy(content=child.content.replace(MARK, ""))
    return child


@cache
def _numbered(block: type[MarkdownBlock]) -> type[MarkdownBlock]:
    return type(f"Numbered{block.__name__}", (_Numbered, block), {})


_NUMBERED_PARTS: dict[str, type[TablePart]] = {
    name: type(f"Numbered{part.__name__}", (_Numbered, part), {})
    for name, part in TABLE_PARTS.items()}


class StoryMarkdown(Markdown):
    """A story's Markdown with link numbers; ``numbers`` (URL to number) keeps a part of a
    story numbered as the whole story is (set it before ``update``)."""

    def __init__(self, markdown: str | None = None, *, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(markdown, id=id, classes=classes, open_links=False,
                         parser_factory=self._parser)
        self.numbers: Mapping[str, int] | None = None

    def _parser(self) -> Any:
        return markdown_parser(self.numbers)

    def get_block_class(self, block_name: str) -> type[MarkdownBlock]:
        if block_name == "table_open":  # one widget, not one per cell (widgets.story_table)
            return _numbered(StoryTable)
        if block_name in TABLE_PARTS:  # its rows and cells: text for it, not widgets
            return cast(type[MarkdownBlock], _NUMBERED_PARTS[block_name])
        return _numbered(super().get_block_class(block_name))

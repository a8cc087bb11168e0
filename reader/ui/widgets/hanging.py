"""``Hanging``: a numbered entry whose wrapped lines start under its own text, not under its
number; ``Stacked``: such entries one under another.

Textual wraps a ``Content`` back to the left edge, so a related story's title or reason, or a
link's URL, too long for its line went on under the number and read as the next entry (the
real corpus's BBC Urdu related stories, heise's 150-character links). Both are Textual
``Visual`` objects, measured and drawn at the width the widget has at the time.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual


class Hanging(Visual):
    """``lead`` on the first line, then ``body`` wrapped in the cells to its right: every line
    after the first starts under the body's first cell."""

    def __init__(self, lead: Content, body: Content) -> None:
        self._lead = lead
        self._body = body
        self._indent = cell_len(lead.plain)

    def __str__(self) -> str:
        """The plain text as it reads unwrapped (a line break in the body starts under it)."""
        return self._lead.plain + self._body.plain.replace("\n", "\n" + " " * self._indent)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self._indent + self._body.get_optimal_width(rules, container_width - self._indent)

    def get_height(self, rules: RulesMap, width: int) -> int:
        if width <= self._indent:
            return self._body.get_height(rules, width)
        return self._body.get_height(rules, width - self._indent)

    def render_strips(self, width: int, height: int | None, style: Style,
                      options: RenderOptions) -> list[Strip]:
        inner = width - self._indent
        if inner <= 0:  # too narrow for an indent: the body alone
            return self._body.render_strips(width, height, style, options)
        body = self._body.render_strips(inner, height, style, options)
        blank = Strip.blank(self._indent, style.rich_style)
        lead = self._lead.render_strips(self._indent, 1, style, options)[:1] or [blank]
        first = lead[0].extend_cell_length(self._indent, style.rich_style)
        return [Strip.join([first if n == 0 else blank, strip]) for n, strip in enumerate(body)]


class Stacked(Visual):
    """Visuals one under another, each as tall as it wraps to."""

    def __init__(self, items: Sequence[Visual]) -> None:
        self._items = tuple(items)

    def __str__(self) -> str:
        return "\n".join(str(item) for item in self._items)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max((item.get_optimal_width(rules, container_width) for item in self._items),
                   default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return sum(item.get_height(rules, width) for item in self._items)

    def render_strips(self, width: int, height: int | None, style: Style,
                      options: RenderOptions) -> list[Strip]:
        strips = [strip for item in self._items
                  for strip in item.render_strips(width, None, style, options)]
        return strips if height is None else strips[:height]

"""``StoryTable``: a Markdown table drawn as one widget of text lines.

Textual's Markdown table (8.2.8) makes a widget for every cell, laid out by its grid layout:
a real page's standings table (7 columns × 42 rows, in the full-text benchmark's stories) was
~300 cell widgets, each with its styles, layout, message queue and tooltip: the app's peak
memory rose 10-17 MB while that one story was drawn, and mounting them took seconds on the
loaded test machine. Here the table is text: the same cells (Textual's own ``Content``, so
bold, code, links and their numbers are as they were), its rows between faint keylines, the header
row in the primary colour (as Textual draws them), by one widget for any number of cells.

Textual's parser also makes a block *widget* for every row and cell (``MarkdownTR``,
``MarkdownTD``…) before the table takes their text: for that 7 × 42 table ~350 widgets, each
with its styles, node list, bindings and signals, made and dropped again as the story opens
(+2-4 MB on the app's peak). The parser only hands those blocks their inline token and their
parts, so here rows and cells are ``TablePart`` objects that keep exactly that
(``TABLE_PARTS``, which ``StoryMarkdown.get_block_class`` hands the parser).

The table fills the pane's width, as Textual's does: columns get their widest cell's width
and share the room left in proportion to it; when they do not fit, the widest columns give up
width first, down to their longest word, then further if they must, where a word too long
for its column is folded onto the next line (nothing is cut off, where Textual's table ends a
cell with "…").
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, cast

from markdown_it.token import Token
from textual.app import ComposeResult
from textual.content import Content
from textual.geometry import Size
from textual.style import Style
from textual.widget import Widget
from textual.widgets._markdown import MarkdownBlock, MarkdownTable

PADDING = 1
"""Blank cells on each side of a cell's text, as Textual's table has."""


def column_widths(natural: Sequence[int], minimum: Sequence[int], room: int) -> list[int]:
    """Each column's text width, filling ``room`` as Textual's table fills the pane: the
    room left over shared out in proportion to ``natural`` (each column's widest cell); when
    they do not fit, the widest give up width first, down to ``minimum`` (its longest word),
    then below it."""
    widths = [max(1, width) for width in natural]
    spare = room - sum(widths)
    if spare > 0:
        total = sum(widths)
        shares = [spare * width // total for width in widths]
        for index in sorted(range(len(widths)), key=lambda i: -(spare * widths[i] % total))[
                :spare - sum(shares)]:
            shares[index] += 1  # the rest, one each, to the largest remainders
        return [width + share for width, share in zip(widths, shares, strict=True)]
    floors = [max(1, min(low, width)) for low, width in zip(minimum, widths, strict=True)]
    excess = sum(widths) - room
    while excess > 0:
        shrinkable = [i for i, width in enumerate(widths) if width > floors[i]]
        if not shrinkable:
            if floors == [1] * len(floors):
                break  # one cell a column and still too wide: the pane crops it
            floors = [max(1, floor - 1) if floor == max(floors) else floor for floor in floors]
            continue
        widest = max(shrinkable, key=lambda i: (widths[i], -i))
        widths[widest] -= 1
        excess -= 1
    return widths


def _longest_word(cell: Content) -> int:
    return max((len(word) for word in cell.plain.split()), default=0)


def table_lines(headers: Sequence[Content], rows: Sequence[Sequence[Content]], width: int,
                lines: Style | str = "", header: Style | str = "") -> list[Content]:
    """The table drawn for ``width`` cells: keylines around and between the cells, the header
    row (``headers``) first. A header row with nothing in it is left out when the table has
    rows: a page's table without ``<th>`` cells gets an empty one only because Markdown needs
    one (``reader show`` leaves it out too)."""
    count = max([len(headers), *(len(row) for row in rows), 1])
    headed = bool(not rows or any(cell.plain.strip() for cell in headers))
    table = [list(headers) + [Content()] * (count - len(headers))] if headed else []
    table += [list(row) + [Content()] * (count - len(row)) for row in rows]
    natural = [max(cell.cell_length for cell in column) for column in zip(*table, strict=True)]
    minimum = [max(_longest_word(cell) for cell in column)
               for column in zip(*table, strict=True)]
    room = width - (count + 1) - 2 * PADDING * count
    widths = column_widths(natural, minimum, room)

    def rule(left: str, middle: str, right: str) -> Content:
        return Content.styled(
            left + middle.join("─" * (w + 2 * PADDING) for w in widths) + right, lines)

    pad = " " * PADDING
    left, middle, right = (Content.styled(text, lines)
                           for text in ("│" + pad, pad + "│" + pad, pad + "│"))
    out = [rule("┌", "┬", "┐")]
    for number, row in enumerate(table):
        wrapped = [cell.wrap(w, overflow="fold") or [Content()]
                   for cell, w in zip(row, widths, strict=True)]
        for y in range(max(len(cell) for cell in wrapped)):
            texts: list[Content] = []
            for cell, w in zip(wrapped, widths, strict=True):
                text = cell[y] if y < len(cell) else Content()
                if number == 0 and headed:
                    text = text.stylize_before(header)
                texts.append(text.pad_right(w - text.cell_length))
            out.append(left + middle.join(texts) + right)
        out.append(rule("├", "┼", "┤") if number < len(table) - 1 else rule("└", "┴", "┘"))
    return out


class TableText(Widget):
    """The table's lines, laid out again only when the width changes."""

    DEFAULT_CSS: ClassVar[str] = """
    TableText { width: 1fr; height: auto; }
    TableText > .table-text--lines { color: $foreground 20%; }
    TableText > .table-text--header { color: $primary; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"table-text--lines", "table-text--header"}

    def __init__(self, headers: list[Content], rows: list[list[Content]]) -> None:
        super().__init__()
        self.headers = headers
        self.rows = rows
        self._drawn: tuple[int, list[Content]] = (-1, [])

    def _lines(self, width: int) -> list[Content]:
        if self._drawn[0] != width:
            lines = self.get_visual_style("table-text--lines", partial=True)
            header = self.get_visual_style("table-text--header", partial=True)
            self._drawn = (width, table_lines(self.headers, self.rows, width, lines, header))
        return self._drawn[1]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(width))

    def render(self) -> Content:
        return Content("\n").join(self._lines(self.content_size.width))


class TablePart:
    """A table's head, body, row or cell as Textual's parser builds it (``MarkdownTHead`` …
    ``MarkdownTD``), without being a widget: the parser only calls ``build_from_token`` with
    a cell's inline token and appends each part to the one it is in (``_blocks``)."""

    def __init__(self, markdown: Any, token: Token, *args: Any, **kwargs: Any) -> None:
        self._token = token
        self._blocks: list[Any] = []
        self._content = Content()

    def build_from_token(self, token: Token) -> None:
        self._content = self._token_to_content(token)

    def _token_to_content(self, token: Token) -> Content:
        # Textual's own inline-to-Content conversion: it reads the token, never the block.
        return MarkdownBlock._token_to_content(cast(MarkdownBlock, self), token)


class TableSection(TablePart):
    """``thead`` or ``tbody``."""


class TableRow(TablePart):
    """``tr``."""


class TableHeader(TablePart):
    """``th``: a cell of the header row."""


class TableCell(TablePart):
    """``td``."""


TABLE_PARTS: dict[str, type[TablePart]] = {
    "thead_open": TableSection, "tbody_open": TableSection, "tr_open": TableRow,
    "th_open": TableHeader, "td_open": TableCell}
"""The parser's block names for a table's parts, and what each becomes."""


class StoryTable(MarkdownTable):
    """A Markdown table block whose cells are text in one ``TableText``, not widgets."""

    def compose(self) -> ComposeResult:
        self._headers, self._rows = self._get_headers_and_rows()
        self._blocks.clear()  # the parser's row and cell parts: their text is taken
        yield TableText(self._headers, self._rows)

    def _get_headers_and_rows(self) -> tuple[list[Content], list[list[Content]]]:
        """Textual's reading of the parts (8.2.8), for ``TablePart`` objects: header cells,
        then each row's cells (a row's cells come before the row, parts before their part)."""
        def flatten(part: Any) -> Iterator[Any]:
            for child in part._blocks:
                if child._blocks:
                    yield from flatten(child)
                yield child

        headers: list[Content] = []
        rows: list[list[Content]] = []
        for part in flatten(self):
            if isinstance(part, TableHeader):
                headers.append(part._content)
            elif isinstance(part, TableRow):
                rows.append([])
            elif isinstance(part, TableCell):
                rows[-1].append(part._content)
        if rows and not rows[-1]:
            rows.pop()
        return headers, rows

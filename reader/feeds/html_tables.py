"""Table cells laid out as a Markdown table, or as plain blocks when the table is a layout.

The converter (``html_markdown``) reads a table's rows and converts each cell's content to
Markdown blocks (a ``TableCell``); what is here places the cells in columns (``grid_of``: spans,
a colspan never wider than the table) and decides and writes the table (``lay_out``): a real
table of two rows and two columns or more, with its header rows and a leading title row, else
the cells' blocks one after another. Only strings in, strings out: nothing here reads markup.
"""

from __future__ import annotations

import re

_SIZE = re.compile(r"\s*(\d+)")
_CELL_PIPE = re.compile(r"(?<!\\)\|")


class TableCell:
    """One cell of a table: its Markdown blocks, the line they make, and its spans."""

    __slots__ = ("blocks", "colspan", "header", "line", "rowspan", "structured")

    def __init__(self, blocks: list[str], line: str, header: bool, colspan: int, rowspan: int,
                 structured: bool) -> None:
        self.blocks = blocks
        self.line = line  # the blocks joined into one line of a table row (``one_line``)
        self.header = header
        self.colspan = colspan
        self.rowspan = rowspan
        self.structured = structured  # holds a list, heading, quote, code block or table


_STRUCTURE = re.compile(r"^(?:#{1,6} |> |- |\d+\. |```|\|)", re.MULTILINE)


def has_structure(block: str) -> bool:
    """Whether a line of ``block`` opens a heading, quote, list item, fence or table row."""
    if "\n" in block:
        return _STRUCTURE.search(block) is not None
    # One line (most cells): only its start can match, and only after one of these.
    first = block[:1]
    return (first in "#>-`|" or first.isdecimal()) and _STRUCTURE.match(block) is not None
MAX_CELL = 240  # a cell longer than this (visible characters) is prose laid out in a table
LINK_TARGET = re.compile(r"\]\([^()\s]*\)")
MAX_SPAN = 64


def span(value: str | None, limit: int) -> int:
    if value is None:  # most cells: no colspan or rowspan
        return 1
    match = _SIZE.match(value)
    return max(1, min(int(match.group(1)), limit)) if match else 1


def one_line(blocks: list[str]) -> str:
    """A cell's blocks joined into one line of a Markdown table row."""
    return " ".join(" ".join(blocks).split())


def grid_of(rows: list[tuple[list[TableCell], bool]]) -> list[tuple[list[TableCell | None], bool]]:
    """Rows of cells placed in columns: a cell spanning columns or rows leaves ``None`` in the
    places it covers. A colspan never widens the table past its widest row of cells (a footer
    cell with colspan="173" spans the table's 6 columns, not 173)."""
    natural = max((len(cells) for cells, _ in rows), default=0)
    grid: list[tuple[list[TableCell | None], bool]] = []
    carried: dict[int, int] = {}  # column → rows that a rowspan above still covers
    for cells, in_head in rows:
        if not any(carried.values()) and all(
                cell.colspan == 1 and cell.rowspan == 1 for cell in cells):
            # Nothing spans into or out of the row (most rows): its cells are its columns,
            # as the loop below would place them.
            grid.append((list(cells), in_head))
            continue
        line: list[TableCell | None] = []
        queue = list(reversed(cells))
        while queue or any(n > 0 and c >= len(line) for c, n in carried.items()):
            column = len(line)
            if carried.get(column, 0) > 0:
                carried[column] -= 1
                line.append(None)
                continue
            if not queue:
                line.append(None)
                continue
            cell = queue.pop()
            extra = min(cell.colspan - 1, max(natural - column - 1 - len(queue), 0))
            if cell.rowspan > 1:
                for covered in range(column, column + 1 + extra):
                    carried[covered] = cell.rowspan - 1
            line.append(cell)
            line.extend([None] * extra)
        grid.append((line, in_head))
    return grid


def table_row(cells: list[str]) -> str:
    # Outside code every "|" is escaped already; inside a code span it must be too, or it
    # would end the cell (GFM unescapes it before the span is read).
    return "| " + " | ".join(
        _CELL_PIPE.sub(r"\\|", cell) if "|" in cell else cell for cell in cells) + " |"


def header_spans(line: list[TableCell | None]) -> list[str]:
    """A header row with each spanning cell's text under every column it spans."""
    out: list[str] = []
    current = ""
    for cell in line:
        if cell is not None:
            current = cell.line
        out.append(current)
    return out


def lay_out(rows: list[tuple[list[TableCell], bool]]) -> list[str]:
    """Rows of cells as a Markdown table, or as plain blocks when the table is a layout
    (one row or one column, or cells holding lists, headings, code or long prose)."""
    grid = grid_of(rows)
    texts = [[c.line if c else "" for c in line] for line, _ in grid]
    kept = [i for i, row in enumerate(texts) if any(row)]  # empty rows are dropped
    width = max((len(texts[i]) for i in kept), default=0)
    used = [j for j in range(width) if any(j < len(texts[i]) and texts[i][j] for i in kept)]
    if len(kept) < 2 or len(used) < 2 or any(
        c is not None and c.structured for line, _ in grid for c in line
    ):
        return [block for line, _ in grid for c in line if c is not None for block in c.blocks]
    blocks: list[str] = []
    # A leading row with one cell across the whole table is its title, not a column's.
    while len(kept) > 2:
        cells = [c for c in grid[kept[0]][0] if c is not None]
        if len(cells) != 1 or cells[0].colspan < len(used):
            break
        blocks.append(f"**{texts[kept[0]][grid[kept[0]][0].index(cells[0])]}**")
        kept.pop(0)
    # The header: the rows of <thead>, else the leading rows of <th> cells; several header
    # rows (a group heading over sub-headings) are joined column by column.
    heads = 0
    while heads < len(kept) - 1:
        line, in_head = grid[kept[heads]]
        if not (in_head or all(c is None or c.header for c in line)):
            break
        heads += 1
    header = ["" for _ in used]
    for index in kept[:heads]:
        spans = header_spans(grid[index][0]) if heads > 1 else texts[index]
        for k, j in enumerate(used):
            text = spans[j] if j < len(spans) else ""
            if text and text not in header[k]:
                header[k] = f"{header[k]} {text}".strip()
    out = [table_row(header), "|" + "|".join(" --- " for _ in used) + "|"]
    for index in kept[heads:]:
        line, row = grid[index][0], []
        for j in used:
            cell = line[j] if j < len(line) else None
            text = texts[index][j] if j < len(texts[index]) else ""
            if cell is not None and cell.header and text and "**" not in text:
                text = f"**{text}**"  # a row's own heading (<th> in the body)
            row.append(text)
        out.append(table_row(row))
    blocks.append("\n".join(out))
    return blocks

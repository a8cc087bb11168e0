"""A story's Markdown table is text in one widget (``reader.ui.widgets.story_table``).

Textual's own Markdown table makes a widget per cell (a real 7 × 42 standings table: ~300,
10-17 MB of the app's peak while drawn), and its parser a block widget per row and cell (here
``TablePart`` objects instead). These tests check the layout (columns fit the pane,
the widest give up width first, nothing is cut: long words fold), and the real app: a story's
table is one widget, its cells' words and link numbers are on screen, and a snapshot shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.content import Content
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets._markdown import MarkdownTableCellContents
from ui_support import add_stories, find_story, main_screen, make_app, settle

from reader.models import StoryDraft
from reader.ui.widgets.story_markdown import StoryMarkdown
from reader.ui.widgets.story_table import (
    StoryTable,
    TablePart,
    TableText,
    column_widths,
    table_lines,
)

TABLE = ("Before the table.\n\n| Pos. | Driver | Points |\n| --- | --- | --- |\n"
         + "".join(f"| {n} | Driver number {n} of the season | {5000 - n} |\n"
                   for n in range(1, 41))
         + "\nAfter the table, see [the site](https://standings.example/).\n")


def plain(lines: list[Content]) -> list[str]:
    return [line.plain for line in lines]


def test_columns_fill_the_room_in_proportion_to_their_widest_cell() -> None:
    assert column_widths([4, 10, 3], [4, 6, 3], 17) == [4, 10, 3]
    assert column_widths([4, 10, 3], [4, 6, 3], 40) == [9, 24, 7]
    assert column_widths([1, 1, 1], [1, 1, 1], 10) == [4, 3, 3]


def test_the_widest_columns_give_up_width_first_down_to_their_longest_word() -> None:
    assert column_widths([4, 30, 20], [4, 8, 12], 40) == [4, 18, 18]
    assert column_widths([4, 30, 20], [4, 8, 12], 24) == [4, 8, 12]
    # Below every longest word, the longest words are folded first; never under 1 a column.
    assert column_widths([4, 30, 20], [4, 8, 12], 18) == [4, 7, 7]
    assert column_widths([5, 5], [5, 5], 0) == [1, 1]


def test_the_table_fits_its_width_and_keeps_every_word() -> None:
    headers = [Content("Pos."), Content("Piloto"), Content("Top 10")]
    rows = [[Content("1"), Content("Martin Truex Jr."), Content("24")],
            [Content("2"), Content("Supercalifragilistic"), Content("")]]
    lines = plain(table_lines(headers, rows, 30))
    # "Top 10" wraps at its space before the long word is folded; every line is 30 wide.
    assert lines == ["┌──────┬───────────────┬─────┐",
                     "│ Pos. │ Piloto        │ Top │",
                     "│      │               │ 10  │",
                     "├──────┼───────────────┼─────┤",
                     "│ 1    │ Martin Truex  │ 24  │",
                     "│      │ Jr.           │     │",
                     "├──────┼───────────────┼─────┤",
                     "│ 2    │ Supercalifrag │     │",
                     "│      │ ilistic       │     │",
                     "└──────┴───────────────┴─────┘"]
    assert {len(line) for line in lines} == {30}
    # Rows shorter than the header are filled; an empty header row is left out (a page's table
    # without <th> cells: kernel.org's release table), unless the table has nothing else.
    assert plain(table_lines([Content(""), Content("")], [[Content("a")], [Content("b"),
                                                                          Content("c")]], 20)) == [
        "┌─────────┬────────┐", "│ a       │        │", "├─────────┼────────┤",
        "│ b       │ c      │", "└─────────┴────────┘"]
    assert plain(table_lines([Content(""), Content("")], [], 20)) == [
        "┌─────────┬────────┐", "│         │        │", "└─────────┴────────┘"]


def test_the_parser_makes_no_widget_for_a_row_or_a_cell() -> None:
    source = ("| *Site* | Link |\n| --- | --- |\n| one | [first](https://one.example/) |\n"
              "| `two` | [second](https://two.example/) **now** |\n")
    markdown = StoryMarkdown()
    markdown.numbers = {"https://one.example/": 1, "https://two.example/": 2}
    [table] = markdown._build_from_source(source)  # the parser's blocks, before mounting
    assert isinstance(table, StoryTable)

    def parts(block: Any) -> list[Any]:
        return [p for child in block._blocks for p in (child, *parts(child))]

    assert len(parts(table)) == 2 + 3 + 6  # head and body, 3 rows, 6 cells
    assert all(isinstance(part, TablePart) and not isinstance(part, Widget)
               for part in parts(table))
    headers, rows = table._get_headers_and_rows()
    assert [cell.plain for cell in headers] == ["Site", "Link"]
    assert [[cell.plain for cell in row] for row in rows] == [
        ["one", "first[1]"], ["two", "second[2] now"]]
    # The cells keep Textual's inline styles (emphasis, code, the link's click action).
    assert [str(span.style) for span in headers[0].spans] == [".em"]
    assert ".code_inline" in [str(span.style) for span in rows[1][0].spans]
    assert any("link('https://one.example/')" in str(span.style) for span in rows[0][1].spans)


class _Table(App[None]):
    def compose(self) -> ComposeResult:
        yield StoryMarkdown(TABLE)


async def test_a_table_is_one_widget_with_every_cell_and_link_number() -> None:
    app = _Table()
    async with app.run_test(size=(70, 30)) as pilot:
        await pilot.pause()
        markdown = app.query_one(StoryMarkdown)
        [table] = markdown.query(StoryTable)
        [text] = table.query(TableText)
        assert not app.query(MarkdownTableCellContents)
        shown = text.render().plain
        assert all(f"│ {n} " in shown and f"Driver number {n} of the season" in shown
                   for n in range(1, 41))
        # Rule, header, rule, then 40 rows each followed by a rule (the last one the bottom).
        assert text.size.height == len(shown.splitlines()) == 3 + 2 * 40


async def test_the_pane_shows_a_storys_table_and_numbers_its_links(isolated_home: Path) -> None:
    body = ("| Site | Link |\n| --- | --- |\n| one | [first](https://one.example/) |\n"
            "| two | [second](https://two.example/) |\n")
    add_stories(isolated_home, [StoryDraft(key="t", title="A table story", body=body)])
    app = make_app(isolated_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await screen.open_story(find_story(app, "table"))
        await settle(pilot)
        [text] = screen.reading_pane.query(TableText)
        shown = text.render().plain
        lines = shown.splitlines()
        assert {len(line) for line in lines} == {text.size.width}  # the pane's width
        cells = [[cell.strip() for cell in line.split("│")[1:-1]] for line in lines[1::2]]
        assert cells == [["Site", "Link"], ["one", "first[1]"], ["two", "second[2]"]]


def test_table_snapshot(snap_compare: Callable[..., bool]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()

    assert snap_compare(_Table(), terminal_size=(60, 24), run_before=run_before)

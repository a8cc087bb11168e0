"""The list's columns as a person reads them, on the real corpus's hardest titles: every row
exactly as wide as the list, the date in one column with a blank after it, in a list that
scrolls and in one short enough not to (a search's results).

Before: every dated row was a cell too long (the date's blank after it was cut off), so the
date touched the scroll bar; and in a list too short for a scroll bar the rows were a cell
wider, so the date column moved a cell between the list and a search and touched the divider
(``2017-10-24▕``). A title or source cut after a blank showed "Stand …" (read as a separator).
"""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from ui_support import add_stories, main_screen, make_app, settle

from reader.models import StoryDraft
from reader.ui.widgets.story_list import StoryList

HARD_TITLES = [
    "پاکستانی وزیر دفاع کہتے ہیں کہ امریکہ کو ایک کامیابی ملی ہے، وہ بھی پاکستان کی مرہون منت",
    "امریکی وزیرِ خارجہ کی پاکستان آمد",  # a combining mark (kasra)
    "投资资讯网交易在线：流通纪念币最新20篇论坛主题，全文阅读与讨论",
    "Family 👨‍👩‍👧 and a heart ❤️ in a title",
    "Besetzung des IGF: UN ringt um Stand zukünftiger Internet Governance",
    "Forscher beleben Netzhaut von Verstorbenen wieder\u200b",
    "x" * 300,
]


def rows(story_list: StoryList) -> list[str]:
    shown = min(story_list.total, story_list.scrollable_content_region.height)
    return [story_list.render_line(y).text for y in range(shown)]


def date_columns(story_list: StoryList) -> set[int]:
    """The cell each dated row's date starts at; every row checked to be the list's width and
    to end in its date and one blank."""
    width = story_list.scrollable_content_region.width
    columns = set()
    for text in rows(story_list):
        assert cell_len(text) == width, text
        if " 2026-11-" not in text:
            continue  # a bundled seed story has no date
        date = text.rstrip()[-10:]
        assert date.startswith("2026-11-") and text.endswith(date + " "), text
        columns.add(cell_len(text[:text.rindex(date)]))
    return columns


async def test_the_date_column_holds_still_with_a_blank_after_it(isolated_home: Path) -> None:
    drafts = [StoryDraft(key=f"s{n}", title=HARD_TITLES[n % len(HARD_TITLES)] + f" {n}",
                         published=f"2026-11-0{1 + n % 9}T08:00:00+00:00") for n in range(90)]
    add_stories(isolated_home, drafts, name="BBC News اردو - پاکستان کے لیے امریکی امداد")
    app = make_app(isolated_home)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        story_list = main_screen(app).story_list
        assert story_list.total == 94  # and the four bundled seed stories, undated, last
        full = date_columns(story_list)
        assert len(full) == 1 and len(rows(story_list)) > 30
        await pilot.press("slash", *"Besetzung")
        await settle(pilot)
        assert 0 < story_list.total < 20  # short enough for no scroll bar
        assert date_columns(story_list) == full
        assert all("Stand …" not in text for text in rows(story_list))

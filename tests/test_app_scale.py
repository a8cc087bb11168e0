"""The story list stays a screenful of rows, whatever the size of the cache (behaviour only).

20,000 stories are 312 pages of rows, far more than the list may hold, which is what this
proves; storing 100,000 took 5 s of the suite for nothing more. The benchmarks show the same
list at 100,000 (first paint, key latency and memory after scrolling all of it).
"""

from __future__ import annotations

from pathlib import Path

from ui_support import main_screen, make_app, settle

from reader.cli.context import Context
from reader.models import StoryDraft
from reader.store import Store
from reader.ui.story_rows import MAX_PAGES, PAGE_SIZE

STORIES = 20_000


def build_big_cache(home: Path) -> None:
    context = Context.create(str(home), [])
    with Store.open(context.paths.database) as store:
        source = store.ensure_source("feed", "http://127.0.0.1/big.xml", "Big feed",
                                     url="http://127.0.0.1/big.xml")
        store.save_stories(source, [
            StoryDraft(key=f"k{i}", title=f"Story {i:06d}", body=f"Body of story {i}.",
                       published=f"2025-01-01T00:00:{i % 60:02d}+00:00" if i % 3 else None)
            for i in range(STORIES)
        ])


async def test_list_holds_only_a_few_pages_of_a_big_cache(isolated_home: Path) -> None:
    build_big_cache(isolated_home)
    app = make_app(isolated_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        stories = screen.story_list
        assert stories.total == STORIES + 4
        # No widget per story: the list is one widget and has no children.
        assert len(stories.children) == 0
        # The screen and the screenful below it (37 rows each): two pages.
        assert stories.loaded_row_count <= 2 * PAGE_SIZE
        await pilot.press("G")
        await settle(pilot)
        assert stories.cursor == STORIES + 3
        await settle(pilot)
        await pilot.press("pageup", "pageup", "k", "k")
        await pilot.press("g", "pagedown", "j")
        await settle(pilot)
        assert stories.loaded_row_count <= MAX_PAGES * PAGE_SIZE
        # The row under the cursor is the one a full ORDER BY puts there.
        await pilot.press("G")
        await settle(pilot)
        with Store.open(app.paths.database) as store:
            in_order = store.conn.execute(
                "SELECT id FROM stories ORDER BY sort_ts DESC, rowid ASC LIMIT 40 OFFSET ?",
                (STORIES + 4 - 40,),
            ).fetchall()
        assert stories.highlighted is not None and stories.highlighted.id == in_order[-1][0]
        # Every row on screen is there, in that order, read by a seek from the next page.
        shown = [stories.row_at(i) for i in range(STORIES + 4 - 37, STORIES + 4)]
        assert [row.id for row in shown if row] == [r[0] for r in in_order[-37:]]
        await pilot.press("enter")
        await settle(pilot)
        assert screen.current is not None and screen.current.id == in_order[-1][0]

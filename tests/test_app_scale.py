"""The story list stays a screenful of rows, whatever the size of the cache (behaviour only)."""

from __future__ import annotations

from pathlib import Path

from ui_support import make_app

from reader.cli.context import Context
from reader.models import StoryDraft
from reader.store import Store
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.story_list import MAX_PAGES, PAGE_SIZE

STORIES = 100_000


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


async def test_list_holds_only_a_few_pages_of_a_100k_cache(isolated_home: Path) -> None:
    build_big_cache(isolated_home)
    app = make_app(isolated_home)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        stories = screen.story_list
        assert stories.total == STORIES + 4
        # No widget per story: the list is one widget and has no children.
        assert len(stories.children) == 0
        assert stories.loaded_row_count <= PAGE_SIZE
        await pilot.press("G")
        assert stories.cursor == STORIES + 3
        await pilot.press("pageup", "pageup", "k", "k")
        await pilot.press("g", "pagedown", "j")
        await pilot.pause(0.1)
        assert stories.loaded_row_count <= MAX_PAGES * PAGE_SIZE
        # The row under the cursor is the one a full ORDER BY puts there.
        await pilot.press("G")
        last = screen.store.conn.execute(
            "SELECT id FROM stories ORDER BY sort_ts DESC, rowid ASC LIMIT 1 OFFSET ?",
            (STORIES + 3,),
        ).fetchone()[0]
        assert stories.highlighted is not None and stories.highlighted.id == last
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert screen.current is not None and screen.current.id == last

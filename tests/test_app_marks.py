"""Read and star marks reach the cache, or the app says they did not (issue 14).

Another process holds the cache's write lock (``BEGIN IMMEDIATE``, as a refresh storing a
feed does). A mark made meanwhile waits for it; if the lock outlasts the wait, the mark is
reported as not saved and the story is shown as it was: never "Starred" for a star that is
not in the cache.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from textual.notifications import Notify
from ui_support import Messages, main_screen, make_app, settle, status_text, until

from reader.store import Store
from reader.ui.marks import MarkFailed, MarkStored

HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.read()  # until the test closes our stdin
conn.execute("ROLLBACK")
"""
BUSY = "the cache is busy: another reader is writing; try again"


@contextmanager
def write_lock_held(database: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holds the cache's write lock until the block ends."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(database)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        yield holder
    finally:
        if holder.stdin is not None:
            holder.stdin.close()
        holder.wait(timeout=30)


def starred_in_cache(database: Path) -> set[str]:
    with Store.open(database) as store:
        return {r[0] for r in store.conn.execute(
            "SELECT s.id FROM stories s JOIN story_state st ON st.story = s.rowid"
            " WHERE st.starred = 1")}


async def test_a_star_the_lock_outlasts_is_shown_as_failed_not_as_done(
    isolated_home: Path,
) -> None:
    messages = Messages()
    app = make_app(isolated_home, write_wait=0.3)
    async with app.run_test(size=(140, 40), message_hook=messages) as pilot:
        await settle(pilot)
        stories = main_screen(app).story_list
        with write_lock_held(app.paths.database):
            await pilot.press("s", "j", "s")  # two stars, as in the report
            await settle(pilot)
            failed = messages.of(MarkFailed)
            assert [m.mark.field for m in failed] == ["starred", "starred"]
            assert messages.of(MarkStored) == []
            assert status_text(app) == f"Could not star the story: {BUSY}"
            assert [n.notification.message for n in messages.of(Notify)] == [
                f"Could not star the story: {BUSY}"] * 2
            # Neither row shows a star the cache does not have.
            rows = [stories.row_at(i) for i in range(stories.total)]
            assert all(row is not None and not row.starred for row in rows)
        assert starred_in_cache(app.paths.database) == set()
        # Once the lock is gone, the same key stars it.
        await pilot.press("s")
        await settle(pilot)
        assert status_text(app) == "Starred"
        row = stories.highlighted
        assert row is not None and row.starred
    assert starred_in_cache(app.paths.database) == {row.id}


async def test_a_mark_waits_for_a_short_lock_and_is_shown_once_stored(
    isolated_home: Path,
) -> None:
    messages = Messages()
    app = make_app(isolated_home, write_wait=30)
    async with app.run_test(size=(140, 40), message_hook=messages) as pilot:
        await settle(pilot)
        stories = main_screen(app).story_list
        row = stories.highlighted
        assert row is not None and not row.starred
        with write_lock_held(app.paths.database):
            await pilot.press("s")
            await until(lambda: status_text(app) == "Starring…")  # stays so while locked
            assert stories.highlighted is not None and not stories.highlighted.starred
        stored = await messages.wait_for(MarkStored)
        await settle(pilot)
        assert isinstance(stored, MarkStored) and stored.mark.story_id == row.id
        assert status_text(app) == "Starred"
        assert stories.highlighted is not None and stories.highlighted.starred
    assert starred_in_cache(app.paths.database) == {row.id}


async def test_opening_a_story_the_lock_outlasts_keeps_it_unread(isolated_home: Path) -> None:
    messages = Messages()
    app = make_app(isolated_home, write_wait=0.3)
    async with app.run_test(size=(140, 40), message_hook=messages) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        with write_lock_held(app.paths.database):
            await pilot.press("enter")
            await settle(pilot)
        assert [m.mark.field for m in messages.of(MarkFailed)] == ["read"]
        assert screen.current is not None and not screen.current.read
        assert screen.story_list.highlighted is not None
        assert not screen.story_list.highlighted.read
        assert status_text(app) == f"Could not mark the story read: {BUSY}"
    with Store.open(app.paths.database) as store:
        assert not store.get_story(screen.current.id).read

"""The story list's sort orders on a real cache file: each order's pages, read by position or
paged on from a row in either direction, are exactly the order worked out in Python, and a
story's position in it is where it is listed. Ties in time, two sources with one name, a
folder, stories a filter hid, and read and starred stories are all present."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.models import SORT_ORDERS, SortOrder, StoryDraft, StoryRow, View
from reader.store import Store

START = datetime(2024, 1, 1, tzinfo=UTC)
SOURCES = ["beta", "Alpha", "alpha", "Gamma"]  # "Alpha" and "alpha" tie by name, not by id


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("orders") / "cache.sqlite3"
    rng = random.Random(15)
    with Store.open(path) as store:
        for n, name in enumerate(SOURCES):
            source = store.ensure_source("feed", f"http://127.0.0.1/{n}.xml", name,
                                         group="Folder" if n in (1, 3) else None)
            # Few distinct times, so many rows tie and the row number decides.
            store.save_stories(source, [
                StoryDraft(key=f"{n}-{i}", title=f"{name} {i}",
                           published=(START + timedelta(hours=rng.randrange(40))).isoformat())
                for i in range(30 + 10 * n)
            ])
        ids = [r[0] for r in store.conn.execute("SELECT id FROM stories")]
        store.mark(rng.sample(ids, len(ids) // 3), read=True)
        store.mark(rng.sample(ids, 15), starred=True)
        with store.transaction() as conn:  # as a "hide" filter would have
            conn.execute("INSERT INTO hidden (story) SELECT rowid FROM stories"
                         " WHERE rowid % 17 = 0")
    return path


def expected(store: Store, view: View) -> list[str]:
    """The view's order worked out in Python from every row."""
    found = store.conn.execute(
        "SELECT s.id, s.rowid, s.sort_ts, st.read, st.starred, src.name, src.id,"
        " src.group_name FROM stories s JOIN story_state st ON st.story = s.rowid"
        " JOIN sources src ON src.id = s.source_id"
        " WHERE s.rowid NOT IN (SELECT story FROM hidden)").fetchall()
    found = [r for r in found if (not view.unread_only or not r[3])
             and (not view.starred_only or r[4])
             and (view.source_id is None or r[6] == view.source_id)
             and (view.group is None or r[7] == view.group)]
    keys = {
        "newest": lambda r: (-r[2], r[1]),
        "oldest": lambda r: (r[2], -r[1]),
        "unread": lambda r: (r[3], -r[2], r[1]),
        "source": lambda r: (r[5].lower(), r[6], -r[2], r[1]),
    }
    return [r[0] for r in sorted(found, key=keys[view.sort])]


def views(sort: SortOrder) -> list[View]:
    return [View(sort=sort), View(sort=sort, unread_only=True),
            View(sort=sort, starred_only=True), View(sort=sort, source_id=2, source_name="Alpha"),
            View(sort=sort, source_id=3, source_name="alpha", unread_only=True),
            View(sort=sort, group="Folder"), View(sort=sort, group="Folder", unread_only=True)]


@pytest.mark.parametrize("sort", SORT_ORDERS)
def test_each_order_pages_by_position_and_by_keyset_alike(cache: Path, sort: SortOrder) -> None:
    with Store.open(cache) as store:
        for view in views(sort):
            want = expected(store, view)
            total = store.count(view)
            assert total == len(want)
            by_position = [r.id for offset in range(0, total, 7)
                           for r in store.page(view, offset, 7, total)]
            assert by_position == want, view
            # Forwards from the first row, 9 at a time, as the list pages on.
            rows: list[StoryRow] = store.page(view, 0, 1, total)
            while len(rows) < total:
                rows += store.page_next_to(view, rows[-1], 9)
            assert [r.id for r in rows] == want
            # Backwards from the last row.
            back: list[StoryRow] = store.page(view, total - 1, 1, total)
            while len(back) < total:
                back = store.page_next_to(view, back[0], 9, before=True) + back
            assert [r.id for r in back] == want
            for position in range(0, total, 5):
                assert store.index_of(view, want[position]) == position


def test_a_row_marked_since_it_was_read_still_pages_on_from_where_it_was(cache: Path,
                                                                         tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite3"
    copy.write_bytes(cache.read_bytes())
    view = View(sort="unread")
    with Store.open(copy) as store:
        first = store.page(view, 0, 10)
        following = store.page(view, 10, 10)
        store.mark([first[-1].id], read=True)  # it now sorts among the read stories
        assert store.page_next_to(view, first[-1], 10) == following


def test_the_header_names_an_order_other_than_newest_first() -> None:
    assert View().describe() == "all stories"
    assert View(sort="oldest").describe() == "all stories · oldest first"
    assert View(sort="unread", unread_only=True, source_name="Blog").describe() == \
        "Blog · unread · unread first"
    assert View(query="rust", sort="oldest").describe() == "search: rust"
    assert replace(View(source_id=1, source_name="Blog"), sort="source").sort_name == "source:Blog"
    assert View(query="x").sort_name is None


def test_story_state_keeps_its_copy_of_the_sort_time(tmp_path: Path) -> None:
    """From an older cache (the migration fills it), on a new story, on a story whose date
    changed, and on a row inserted by other code (the trigger fills it)."""
    import sqlite3

    from reader.store.schema import MIGRATIONS, _split_statements

    path = tmp_path / "cache.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    ours = next(n for n, script in enumerate(MIGRATIONS) if "ADD COLUMN sort_ts" in script)
    for version, script in enumerate(MIGRATIONS[:ours], start=1):  # the cache before ours
        for statement in _split_statements(script):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("INSERT INTO sources (id, kind, key, name, added) VALUES (1, 'feed', 'k', 'n', 0)")
    conn.execute("INSERT INTO stories (rowid, id, source_id, key, added, sort_ts)"
                 " VALUES (1, 'aaaaaaaaaaaa', 1, 'old', 0, 123.5)")
    conn.execute("INSERT INTO story_state (story) VALUES (1)")
    conn.close()

    def copies(store: Store) -> list[tuple[float, float]]:
        return store.conn.execute(
            "SELECT s.sort_ts, st.sort_ts FROM stories s JOIN story_state st"
            " ON st.story = s.rowid ORDER BY s.rowid").fetchall()

    with Store.open(path) as store:
        assert copies(store) == [(123.5, 123.5)]
        store.save_stories(1, [StoryDraft(key="new", title="New", published=START.isoformat())])
        store.save_stories(1, [StoryDraft(key="new", title="New",
                                          published=(START + timedelta(days=1)).isoformat())])
        store.conn.execute("INSERT INTO stories (rowid, id, source_id, key, added, sort_ts)"
                           " VALUES (9, 'bbbbbbbbbbbb', 1, 'raw', 0, 7.0)")
        store.conn.execute("INSERT INTO story_state (story) VALUES (9)")
        found = copies(store)
        assert [a == b for a, b in found] == [True, True, True]
        assert found[1][0] == (START + timedelta(days=1)).timestamp()

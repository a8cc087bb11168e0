"""Marks in bulk on a real cache file: a view or a selection marked in one statement, exactly
the stories it changed reported (so undo puts back only those), the sync outbox filled by its
triggers for every change and every undo, and the next unread story of a view found in the
view's order, wrapping around."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from test_sync_outbox import FEED, item

from reader.models import StoryDraft, View
from reader.store import Store
from reader.store.marks import Selection, mark_selection, selection_to_mark, story_ids
from reader.sync import cache

START = datetime(2024, 3, 1, tzinfo=UTC)


def fill(store: Store) -> dict[str, int]:
    """Two feeds of 6 stories each, story n dated n hours after START; "rust" in the titles
    of even stories. Returns the feeds' ids."""
    ids = {}
    for name in ("Alpha", "Beta"):
        ids[name] = store.ensure_source("feed", f"http://127.0.0.1/{name}.xml", name)
        store.save_stories(ids[name], [
            StoryDraft(key=str(n), title=f"{name} {n}{' rust' if n % 2 == 0 else ''}",
                       published=(START + timedelta(hours=n)).isoformat())
            for n in range(6)
        ])
    return ids


def titles(store: Store, ids: list[str]) -> list[str]:
    return sorted(store.get_story(i).title for i in ids)


def unread_titles(store: Store) -> list[str]:
    return sorted(r[0] for r in store.conn.execute(
        "SELECT s.title FROM stories s JOIN story_state st ON st.story = s.rowid"
        " WHERE st.read = 0"))


def test_marking_a_view_reports_only_what_it_changed_and_undo_puts_back_only_that(
    store: Store,
) -> None:
    feeds = fill(store)
    beta = View(source_id=feeds["Beta"], source_name="Beta")
    already = [r.id for r in store.page(beta, 0, 2)]
    store.mark(already, read=True)
    assert store.count_to_mark(beta, "read", True) == 4
    marked = store.mark_view(beta, "read", True)
    assert titles(store, story_ids(store, marked.rows)) == ["Beta 0 rust", "Beta 1",
                                                           "Beta 2 rust", "Beta 3"]
    assert store.mark_view(beta, "read", True).count == 0  # nothing left to change
    # One of them marked again since (unread, then read): undo leaves that one alone.
    again = story_ids(store, marked.rows[:1])
    store.mark(again, read=False)
    store.mark(again, read=True)
    assert store.unmark(marked) == 3
    store.mark(again, read=False)
    assert unread_titles(store) == sorted([f"Alpha {n}{' rust' * (n % 2 == 0)}" for n in range(6)]
                                          + ["Beta 0 rust", "Beta 1", "Beta 2 rust", "Beta 3"])


@pytest.mark.parametrize("view", [
    View(), View(unread_only=True), View(query="rust"), View(query="source:alpha -rust"),
    View(query="rust", unread_only=True), View(starred_only=True), View(sort="source"),
], ids=str)
def test_a_bulk_mark_is_exactly_the_view(store: Store, view: View) -> None:
    fill(store)
    store.mark([store.page(View(), 0, 1)[0].id], read=True, starred=True)
    listed = [r for rows in store.iter_rows(view) for r in rows]
    unread = {r.id for r in listed if not r.read}
    unstarred = {r.id for r in listed if not r.starred}
    assert store.count_to_mark(view, "starred", True) == len(unstarred)
    assert set(story_ids(store, store.mark_view(view, "starred", True).rows)) == unstarred
    assert store.count_to_mark(view, "read", True) == len(unread)
    assert set(story_ids(store, store.mark_view(view, "read", True).rows)) == unread
    if not view.unread_only:  # else the view is empty now
        assert store.count_to_mark(view, "starred", False) == len(listed)


def test_bulk_marks_and_their_undo_reach_the_sync_outbox(store: Store) -> None:
    cache.use_account(store, "fever https://x/ me")
    cache.apply_subscriptions(store, [FEED])
    cache.store_items(store, [item(1), item(2), item(3, read=True)], 3)
    local = store.ensure_source("feed", "http://127.0.0.1/local.xml", "Local")
    store.save_stories(local, [StoryDraft(key="x", title="Local only")])
    marked = store.mark_view(View(), "read", True)
    assert marked.count == 3  # items 1 and 2, and the local story; item 3 was read
    assert store.unmark(marked) == 3
    entries = [tuple(r) for r in store.conn.execute(
        "SELECT remote_id, flag, value FROM outbox ORDER BY id")]
    assert sorted(entries[:2]) == [("1", "read", 1), ("2", "read", 1)]
    assert sorted(entries[2:]) == [("1", "read", 0), ("2", "read", 0)]


def test_selectors_combine_with_and(store: Store) -> None:
    feeds = fill(store)
    cutoff = (START + timedelta(hours=3)).timestamp()
    some = store.page(View(), 0, 12)
    selection = Selection(ids=tuple(r.id for r in some[:9]), source_ids=(feeds["Alpha"],),
                          query="rust", older_than=cutoff)
    count, ids = selection_to_mark(store, selection, "read", True, limit=1)
    expected = {r.id for r in some[:9] if r.source == "Alpha" and "rust" in r.title
                and r.sort_ts < cutoff}
    assert count == len(expected) >= 1 and len(ids) == 1
    assert set(story_ids(store, mark_selection(store, selection, "read", True).rows)) == expected
    assert selection_to_mark(store, Selection(), "read", True, limit=5)[0] == 12 - len(expected)
    # older_than alone: the stories dated before the cut-off, of both feeds.
    older = mark_selection(store, Selection(older_than=cutoff), "starred", True)
    assert older.count == 6


def test_next_unread_follows_the_view_order_and_wraps(store: Store) -> None:
    fill(store)
    view = View()
    rows = store.page(view, 0, 12)  # newest first: Alpha 5, Beta 5, Alpha 4, ...
    store.mark([r.id for r in rows if r.id not in {rows[3].id, rows[8].id}], read=True)
    first = store.next_unread(view, None)
    assert first is not None and (first.row.id, first.index, first.wrapped) == (rows[3].id, 3,
                                                                                False)
    second = store.next_unread(view, first.row)
    assert second is not None and (second.row.id, second.index) == (rows[8].id, 8)
    wrapped = store.next_unread(view, second.row)
    assert wrapped is not None and (wrapped.row.id, wrapped.wrapped) == (rows[3].id, True)
    back = store.next_unread(view, rows[5], backwards=True)
    assert back is not None and back.row.id == rows[3].id and not back.wrapped
    back = store.next_unread(view, rows[2], backwards=True)
    assert back is not None and (back.row.id, back.wrapped) == (rows[8].id, True)
    store.mark([rows[8].id], read=True)
    assert store.next_unread(view, rows[3]) is None  # the only unread one is this one
    store.mark([rows[3].id], read=True)
    assert store.next_unread(view, None) is None


@pytest.mark.parametrize("view", [View(sort="unread"), View(sort="source"),
                                  View(sort="oldest"), View(query="rust"),
                                  View(query="source:beta")], ids=str)
def test_next_unread_in_other_orders_and_searches(store: Store, view: View) -> None:
    fill(store)
    listed = [r for rows in store.iter_rows(view) for r in rows]
    store.mark([r.id for n, r in enumerate(listed) if n % 3], read=True)
    listed = [r for rows in store.iter_rows(view) for r in rows]  # "unread first" moved some
    want = [n for n, r in enumerate(listed) if not r.read]
    row = None
    seen = []
    for _ in want:
        found = store.next_unread(view, row)
        assert found is not None and not found.wrapped
        seen.append(found.index)
        row = found.row
    assert seen == want
    last = store.next_unread(view, row)
    assert last is not None and last.wrapped and last.index == want[0]

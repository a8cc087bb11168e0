"""The outbox and the cache side of sync, on a real cache file, without a server: marks go
to the outbox in their own transaction, the server's marks do not, and items are recognised
among stories fetched directly from the same feed."""

from __future__ import annotations

import hashlib
import json

import pytest

from reader.models import StoryDraft
from reader.store import Store
from reader.store.feeds import add_feed, feed_states
from reader.sync import cache
from reader.sync.items import item_to_draft
from reader.sync.service import MarkState, RemoteFeed, RemoteItem

FEED = RemoteFeed(id="7", title="News", url="https://news.example.org/rss", group="Daily")


def item(n: int, **fields: object) -> RemoteItem:
    values: dict[str, object] = {
        "id": str(n), "feed_id": "7", "title": f"Story {n}", "html": f"<p>Body {n}</p>",
        "url": f"https://news.example.org/{n}", "author": None, "published": 1_700_000_000.0,
        "read": False, "starred": False,
    }
    values.update(fields)
    return RemoteItem(**values)  # type: ignore[arg-type]


def story_id(store: Store, remote: str) -> str:
    return str(store.conn.execute("SELECT s.id FROM stories s JOIN sync_items m ON"
                                  " m.story = s.rowid WHERE m.remote_id = ?",
                                  (remote,)).fetchone()[0])


def entries(store: Store) -> list[tuple[str, str, int]]:
    return [(str(r[0]), str(r[1]), int(r[2])) for r in
            store.conn.execute("SELECT remote_id, flag, value FROM outbox ORDER BY id")]


@pytest.fixture
def synced(store: Store) -> Store:
    cache.use_account(store, "fever https://x/ me")
    cache.apply_subscriptions(store, [FEED])
    cache.store_items(store, [item(1), item(2), item(3, read=True, starred=True)], 3)
    return store


def test_items_arrive_with_their_state_and_no_outbox_entries(synced: Store) -> None:
    rows = synced.conn.execute(
        "SELECT s.title, st.read, st.starred FROM stories s JOIN story_state st"
        " ON st.story = s.rowid ORDER BY s.title").fetchall()
    assert rows == [("Story 1", 0, 0), ("Story 2", 0, 0), ("Story 3", 1, 1)]
    assert entries(synced) == []
    assert [s.group for s in synced.sources() if s.kind == "feed"] == ["Daily"]


def test_a_mark_is_in_the_outbox_in_the_same_transaction(synced: Store) -> None:
    with pytest.raises(RuntimeError), synced.transaction():
        synced.set_read(story_id(synced, "1"), True)
        assert entries(synced) == [("1", "read", 1)]
        raise RuntimeError("the mark is rolled back")
    assert entries(synced) == []
    synced.set_starred(story_id(synced, "2"), True)
    synced.set_starred(story_id(synced, "2"), True)  # no change: no entry
    assert entries(synced) == [("2", "starred", 1)]


def test_a_bulk_mark_writes_one_entry_per_changed_story(synced: Store) -> None:
    synced.conn.execute("UPDATE story_state SET read = 1")  # as "mark all read" would
    assert entries(synced) == [("1", "read", 1), ("2", "read", 1)]


def test_stories_the_server_does_not_know_have_no_outbox(store: Store) -> None:
    feed_id = add_feed(store, "https://local.example/rss", "Local")
    store.save_stories(feed_id, [StoryDraft(key="a", title="A")])
    story = store.conn.execute("SELECT id FROM stories").fetchone()[0]
    store.set_read(story, True)
    assert entries(store) == []


def test_pending_marks_send_each_item_flag_once_in_order(synced: Store) -> None:
    one, two = story_id(synced, "1"), story_id(synced, "2")
    synced.set_read(one, True)
    synced.set_starred(two, True)
    synced.set_read(one, False)
    pending = cache.pending_marks(synced)
    assert [(p.mark.item_id, p.mark.flag, p.mark.value) for p in pending] == [
        ("2", "starred", True), ("1", "read", False)]
    synced.set_read(one, True)  # made while the batch was on its way
    cache.remove_sent(synced, pending)
    assert entries(synced) == [("1", "read", 1)]


def test_the_servers_marks_apply_except_where_ours_wait(synced: Store) -> None:
    synced.set_read(story_id(synced, "1"), True)  # ours, not sent yet
    report = cache.apply_marks(synced, MarkState(unread=frozenset({"1", "3"}),
                                                 starred=frozenset({"2"})))
    state = dict(synced.conn.execute(
        "SELECT m.remote_id, st.read || st.starred FROM sync_items m"
        " JOIN story_state st ON st.story = m.story").fetchall())
    assert state == {"1": "10", "2": "11", "3": "00"}
    assert (report.read, report.unread, report.starred, report.unstarred) == (1, 1, 1, 1)
    assert entries(synced) == [("1", "read", 1)]


def test_a_directly_fetched_story_is_recognised(store: Store) -> None:
    feed_id = add_feed(store, FEED.url, "News (direct)")
    store.save_stories(feed_id, [
        StoryDraft(key="guid-1", title="By guid hash", url="https://elsewhere/1"),
        StoryDraft(key="guid-2", title="By link", url="https://news.example.org/2"),
        StoryDraft(key="https://news.example.org/3", title="By key", url=None),
    ])
    cache.use_account(store, "ttrss https://x/ me")
    assert cache.apply_subscriptions(store, [FEED]).adopted == 1
    hashed = json.dumps({"ver": 2, "uid": "1",
                         "hash": "SHA1:" + hashlib.sha1(b"guid-1").hexdigest()})
    report = cache.store_items(store, [item(1, guid=hashed), item(2), item(3), item(4)])
    assert (report.new, report.matched) == (1, 3)
    assert store.conn.execute("SELECT count(*) FROM stories").fetchone()[0] == 4
    assert feed_states(store) == []  # the server fetches it now, not this machine


def test_two_items_with_one_link_stay_two_stories(synced: Store) -> None:
    report = cache.store_items(synced, [item(8, url="https://news.example.org/same"),
                                        item(9, url="https://news.example.org/same")])
    assert report.new == 2


def test_identity_follows_the_feed_rules() -> None:
    assert item_to_draft(item(1)).key == "https://news.example.org/1"
    assert item_to_draft(item(1, guid="tag:x,1")).key == "tag:x,1"
    assert item_to_draft(item(1, url=None)).key == "server-item:1"
    draft = item_to_draft(item(1, title="<b>Bold</b> &amp; \x1b[31mred", html="<script>x"
                               "</script><p>Hi <a href='javascript:alert(1)'>there</a></p>"))
    assert (draft.title, draft.body) == ("Bold & red", "Hi there")


def test_feeds_the_server_drops_go_adopted_ones_stay(store: Store) -> None:
    local = add_feed(store, "https://mine.example/rss", "Mine")
    cache.use_account(store, "fever https://x/ me")
    mine = RemoteFeed(id="8", title="Mine", url="https://mine.example/rss")
    cache.apply_subscriptions(store, [FEED, mine])
    report = cache.apply_subscriptions(store, [RemoteFeed(id="9", title="New", url="https://n/")])
    assert report.removed == 2
    names = {s.name for s in store.sources() if s.kind == "feed"}
    assert names == {"Mine", "New"}
    assert [s.id for s in feed_states(store)] == [local]  # a plain feed again

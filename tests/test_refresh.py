"""Refresh against a real HTTP server on 127.0.0.1: good feeds, bad servers, nothing lost.

Every misbehaving feed first refreshes fine (so it has stories, one of them read and starred),
then turns bad; the next refresh must report each failure with its reason, keep every stored
story and its state, and still bring in the good feeds' new stories.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import file_of
from feed_server import (
    FeedServer,
    dropped,
    gzip_bomb,
    redirect,
    rss2,
    static,
    trickle,
    with_etag,
)

from reader.config import FetchSettings
from reader.models import FeedFetched, StoryDraft, View
from reader.refresh.outcomes import RefreshProgress
from reader.refresh.pipeline import refresh_feeds
from reader.store import Store, StoreError
from reader.store.feeds import add_feed, feed_sources, find_feed, record_refresh

FEEDS = Path(__file__).parent / "feeds"
SETTINGS = FetchSettings(
    concurrency=16, per_host=8, connect_timeout=2.0, read_timeout=2.0, deadline=4.0,
    max_bytes=256 * 1024, max_redirects=5,
)
"""The deadline cuts the trickling feed off; every good feed fetched beside it must end well
within it even on a loaded machine (1.5 s cut off a good local feed under load 10)."""


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    running = FeedServer()
    yield running
    running.stop()


def items(prefix: str, count: int) -> list[tuple[str, str]]:
    return [(f"{prefix}-{n}", f"{prefix} story {n}") for n in range(count)]


def story_ids(store: Store, feed_id: int) -> set[str]:
    return {s.id for s in store.iter_view(View(source_id=feed_id))}


BAD = {
    "404": lambda s: static(b"gone fishing", "text/plain", 404),
    "410": lambda s: static(b"", "text/plain", 410),
    "500": lambda s: static(b"oops", "text/plain", 500),
    "429": lambda s: static(b"slow down", "text/plain", 429, {"Retry-After": "3600"}),
    "loop": lambda s: redirect(s.url("/t1/loop-b"), 302),
    "trickle": lambda s: trickle(),
    "over-cap": lambda s: static(b"<rss>" + b" " * (300 * 1024) + b"</rss>"),
    "gzip-bomb": lambda s: gzip_bomb(50 * 1024 * 1024),
    "invalid-xml": lambda s: static(b"<?xml version='1.0'?><rss><channel><title>x</chan"),
    "html-with-link": lambda s: static((FEEDS / "page_with_feed.html").read_bytes(),
                                       "text/html; charset=utf-8"),
    "html-without-link": lambda s: static((FEEDS / "page_without_feed.html").read_bytes(),
                                          "text/html"),
    "dropped": lambda s: dropped(rss2("Dropped", items("dropped", 40)), 300),
}


def test_refresh_with_every_kind_of_bad_server(server: FeedServer, store: Store) -> None:
    def add(name: str) -> int:
        return add_feed(store, server.url(f"/t1/{name}"), name)

    good = {
        "rss2": ("application/rss+xml", lambda n: rss2("RSS two", items("rss2", n))),
        "rss1": ("application/rdf+xml", lambda n: (FEEDS / "rss1.xml").read_bytes()),
        "atom": ("application/atom+xml", lambda n: (FEEDS / "atom.xml").read_bytes()),
    }
    ids = {name: add(name) for name in [*good, "etag", "moved", *BAD]}
    server.routes["/t1/loop-b"] = redirect(server.url("/t1/loop"), 301)
    # Phase 1: everything is a healthy feed.
    for name, (kind, make) in good.items():
        server.routes[f"/t1/{name}"] = static(make(2), kind)
    server.routes["/t1/etag"] = with_etag(rss2("Etag feed", items("etag", 3)))
    server.routes["/t1/moved"] = static(rss2("Moving", items("moved", 2)))
    for name in BAD:
        server.routes[f"/t1/{name}"] = static(rss2(f"Feed {name}", items(name, 3)))

    first = refresh_feeds(file_of(store), SETTINGS)
    assert {o.status for o in first.outcomes} == {"ok"}, first.failed
    assert first.new == 2 + 2 + 2 + 3 + 2 + 3 * len(BAD)
    before = {name: story_ids(store, feed_id) for name, feed_id in ids.items()}
    marked = {}
    for name in BAD:
        story = next(iter(store.iter_view(View(source_id=ids[name]))))
        store.set_read(story.id, True)
        store.set_starred(story.id, True)
        marked[name] = story.id

    # Phase 2: the good feeds grow, the etag feed is unchanged, one feed moves, the rest break.
    server.routes["/t1/rss2"] = static(rss2("RSS two", items("rss2", 3)), "application/rss+xml")
    server.routes["/t1/moved"] = redirect(server.url("/t1/moved-here"), 301)
    server.routes["/t1/moved-here"] = static(rss2("Moving", items("moved", 3)))
    for name, make_route in BAD.items():
        server.routes[f"/t1/{name}"] = make_route(server)

    seen: list[RefreshProgress] = []
    second = refresh_feeds(file_of(store), SETTINGS, progress=seen.append)
    by_id = {o.feed_id: o for o in second.outcomes}
    assert [p.done for p in seen] == list(range(1, len(ids) + 1))
    assert {p.total for p in seen} == {len(ids)}

    assert by_id[ids["rss2"]].status == "ok" and by_id[ids["rss2"]].new == 1
    assert by_id[ids["rss1"]].status == "ok" and by_id[ids["atom"]].status == "ok"
    assert by_id[ids["etag"]].status == "not_modified"
    assert server.requests_for("/t1/etag")[-1].get("If-None-Match") == '"v1"'
    moved = by_id[ids["moved"]]
    assert moved.status == "ok" and moved.new == 1
    assert moved.moved_to == server.url("/t1/moved-here")

    reasons = {name: by_id[ids[name]].error or "" for name in BAD}
    assert all(by_id[ids[name]].status == "error" for name in BAD), reasons
    assert "404" in reasons["404"]
    assert "410" in reasons["410"]
    assert "500" in reasons["500"]
    assert "429" in reasons["429"] and "wait until" in reasons["429"]
    assert "redirect loop" in reasons["loop"]
    assert "deadline" in reasons["trickle"]
    assert "larger than" in reasons["over-cap"]
    assert "larger than" in reasons["gzip-bomb"]
    assert "not a valid feed" in reasons["invalid-xml"]
    assert "links to the feed" in reasons["html-with-link"]
    assert "no feed link" in reasons["html-without-link"]
    assert "broke off" in reasons["dropped"]
    assert second.describe() == (
        f"{len(ids)} feeds: 4 ok, 1 not modified, {len(BAD)} failed; 2 new stories"
    )

    # Nothing stored was lost, and read/starred marks survived.
    for name, feed_id in ids.items():
        assert before[name] <= story_ids(store, feed_id), name
    for name, story_id in marked.items():
        story = store.get_story(story_id)
        assert story.read and story.starred, name

    # Each outcome is on the feed row.
    rows = {s.id: s for s in feed_sources(store)}
    assert rows[ids["404"]].last_status == "error"
    assert "404" in (rows[ids["404"]].last_error or "")
    assert rows[ids["etag"]].last_status == "not_modified"
    assert rows[ids["rss2"]].last_status == "ok" and rows[ids["rss2"]].last_error is None
    assert rows[ids["410"]].disabled
    assert rows[ids["moved"]].url == server.url("/t1/moved-here")
    retry_after = store.conn.execute("SELECT retry_after FROM sources WHERE id = ?",
                                     (ids["429"],)).fetchone()[0]
    assert retry_after > time.time() + 3000

    # Third round: the 410 feed is disabled and the 429 feed waits; the moved feed is
    # fetched at its new address.
    requests_before = len(server.requests_for("/t1/moved"))
    third = refresh_feeds(file_of(store), SETTINGS, [ids["410"], ids["429"], ids["moved"]])
    assert third.count("skipped") == 1  # 429 waits even when named
    assert len(server.requests_for("/t1/moved")) == requests_before
    assert {o.status for o in third.outcomes if o.feed_id == ids["410"]} == {"error"}
    everything = refresh_feeds(file_of(store), SETTINGS, [])
    assert everything.outcomes == ()
    skipped = refresh_feeds(file_of(store), SETTINGS, [ids["410"]])
    assert skipped.outcomes[0].status == "error"  # named: tried again despite being disabled


def test_wrong_declared_encoding_over_http(server: FeedServer, store: Store) -> None:
    body = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>Caf\xe9</title><item><guid>1</guid><title>R\xe9sum\xe9</title></item>"
            "</channel></rss>").encode("latin-1")
    server.routes["/t2/latin"] = static(body, "application/rss+xml; charset=utf-8")
    server.routes["/t2/fine"] = static(rss2("Fine", items("fine", 2)))
    latin = add_feed(store, server.url("/t2/latin"), "latin")
    fine = add_feed(store, server.url("/t2/fine"), "fine")
    summary = refresh_feeds(file_of(store), SETTINGS, [latin, fine])
    by_id = {o.feed_id: o for o in summary.outcomes}
    assert by_id[latin].status == "ok" and by_id[latin].new == 1
    assert by_id[latin].warnings
    assert by_id[fine].new == 2


def test_cancel_skips_feeds_not_yet_started(server: FeedServer, store: Store) -> None:
    server.routes["/t3/a"] = static(rss2("A", items("a", 1)))
    feed = add_feed(store, server.url("/t3/a"), "a")
    cancel = threading.Event()
    cancel.set()
    summary = refresh_feeds(file_of(store), SETTINGS, [feed], cancel=cancel)
    assert summary.outcomes[0].status == "skipped"
    assert story_ids(store, feed) == set()


def test_retention_prunes_only_old_read_unstarred_stories_gone_from_the_feed(
    store: Store,
) -> None:
    feed = add_feed(store, "http://retention.example/feed", "retention")
    drafts = tuple(StoryDraft(key=k, title=k, published="2001-01-01T00:00:00+00:00")
                   for k in ("read-gone", "starred-gone", "unread-gone", "read-current"))
    record_refresh(store, feed, FeedFetched(drafts=drafts))
    with store.transaction() as conn:  # as if first seen long ago
        conn.execute("UPDATE stories SET added = ? WHERE source_id = ?",
                     (time.time() - 400 * 86400, feed))
    stories = {s.title: s for s in store.iter_view(View(source_id=feed))}
    for title in ("read-gone", "starred-gone", "read-current"):
        store.set_read(stories[title].id, True)
    store.set_starred(stories["starred-gone"].id, True)
    # Without a retention setting nothing goes, however old.
    record_refresh(store, feed, FeedFetched(drafts=drafts[3:]))
    assert len(story_ids(store, feed)) == 4
    _, pruned = record_refresh(store, feed, FeedFetched(drafts=drafts[3:]),
                               retention_days=30)
    assert pruned == 1
    left = {s.title for s in store.iter_view(View(source_id=feed))}
    assert left == {"starred-gone", "unread-gone", "read-current"}
    assert find_feed(store, "retention").story_count == 3


WATCHER = r"""
import json, sys, time
from pathlib import Path
from reader.models import View
from reader.store import Store

db, stop, story_id = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
seen = {}
rounds = 0
with Store.open(db) as store:
    print("ready", flush=True)
    while not stop.exists() or rounds < 5:
        for feed_id, count in store.conn.execute(
            "SELECT source_id, count(*) FROM stories GROUP BY source_id"
        ):
            seen.setdefault(str(feed_id), set()).add(count)
        store.page(View(), 0, 50)
        store.set_read(story_id, rounds % 2 == 0)  # a writer too, like the app
        rounds += 1
print(json.dumps({k: sorted(v) for k, v in seen.items()}))
"""


def test_another_process_never_sees_half_a_feed(
    server: FeedServer, store: Store, tmp_path: Path
) -> None:
    feeds = []
    for n in range(12):
        server.routes[f"/t4/f{n}"] = static(rss2(f"F{n}", items(f"f{n}", 10)))
        feeds.append(add_feed(store, server.url(f"/t4/f{n}"), f"f{n}"))
    assert refresh_feeds(file_of(store), SETTINGS, feeds).new == 120
    story_id = next(iter(store.iter_view(View(source_id=feeds[0])))).id
    for n in range(12):
        server.routes[f"/t4/f{n}"] = static(rss2(f"F{n}", items(f"f{n}", 30)))
    stop = tmp_path / "stop"
    watcher = subprocess.Popen([sys.executable, "-c", WATCHER, str(file_of(store)), str(stop),
                                story_id], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        assert watcher.stdout is not None
        assert watcher.stdout.readline().strip() == "ready"
        summary = refresh_feeds(file_of(store), SETTINGS, feeds)
    finally:
        stop.touch()
        out, err = watcher.communicate(timeout=60)
    assert watcher.returncode == 0, err
    assert summary.count("ok") == 12 and summary.new == 240
    seen = json.loads(out)
    for feed_id in feeds:
        assert set(seen[str(feed_id)]) <= {10, 30}, seen[str(feed_id)]


def test_a_304_without_validators_keeps_the_stored_ones(server: FeedServer, store: Store) -> None:
    body = rss2("Quiet", items("quiet", 2))

    def route(h) -> None:
        if h.headers.get("If-None-Match") == '"q1"':
            h.send_response(304)  # no ETag repeated, as many servers do
            h.end_headers()
        else:
            static(body, headers={"ETag": '"q1"'})(h)

    server.routes["/t5/quiet"] = route
    feed = add_feed(store, server.url("/t5/quiet"), "quiet")
    statuses = [refresh_feeds(file_of(store), SETTINGS, [feed]).outcomes[0].status
                for _ in range(3)]
    assert statuses == ["ok", "not_modified", "not_modified"]
    assert server.requests_for("/t5/quiet")[-1].get("If-None-Match") == '"q1"'


def test_a_refresh_leaves_every_new_story_searchable(server: FeedServer, store: Store) -> None:
    # Left by a refresh that was killed: stored, listed, not yet in the search index.
    orphan = add_feed(store, "http://127.0.0.1:9/orphan", "orphan")
    store.save_stories(orphan, [StoryDraft(key="o", title="Orphaned capybara")],
                       index_later=True)
    feeds = []
    for n in range(10):
        server.routes[f"/t-search/f{n}"] = static(rss2(f"S{n}", items(f"capybara{n}", 6)))
        feeds.append(add_feed(store, server.url(f"/t-search/f{n}"), f"s{n}"))
    assert refresh_feeds(file_of(store), SETTINGS, feeds).new == 60
    assert store.conn.execute("SELECT count(*) FROM search_pending").fetchone()[0] == 0
    store.conn.execute("INSERT INTO stories_fts (stories_fts, rank) VALUES ('integrity-check', 1)")
    for n in range(10):
        assert store.count(View(query=f"capybara{n}")) == 6
    assert [s.title for s in store.iter_view(View(query="orphaned"))] == ["Orphaned capybara"]


def test_a_locked_cache_leaves_new_stories_for_the_next_refresh_to_index(store: Store) -> None:
    from reader.refresh.writer import RefreshWriter

    feed = add_feed(store, "http://127.0.0.1:9/locked", "locked")
    writer = RefreshWriter(file_of(store), None)
    writer.states(None)
    assert writer.store is not None
    writer.store.save_stories(feed, [StoryDraft(key="k", title="Locked tapir")], index_later=True)
    writer.store.write_wait = 0.05  # give up at once
    other = sqlite3.connect(file_of(store))
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock throughout
        with pytest.raises(StoreError, match="after the next refresh"):
            writer.close()
    finally:
        other.rollback()
        other.close()
    assert writer.store is None
    assert store.count(View(query="tapir")) == 0
    assert store.count(View(source_id=feed)) == 1  # stored all the same
    assert store.index_pending() == 1
    assert store.count(View(query="tapir")) == 1

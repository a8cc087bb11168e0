"""Sync against a real Tiny Tiny RSS (Debian's package, on PostgreSQL 15), started once.

``tests/servers/ttrss.sh`` installs what is missing with apt-get and starts it on 127.0.0.1;
without apt-get (and without the packages) these tests are skipped, saying so. Articles go
into tt-rss's own tables with SQL, as its updater writes them (it refuses loopback feeds).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_reader
from servers.ttrss import PASSWORD, USER, Article, TtrssServer, unavailable_reason
from sync_support import (
    cache_path,
    outbox,
    queue_mark,
    remote_id,
    settings,
    stories_by_title,
    sync_once,
    write_sync_config,
)

from reader.store import Store
from reader.sync.engine import SyncReport, account_of, run_sync
from reader.sync.ttrss import TtrssService

REASON = unavailable_reason()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or "")

ENV = {"READER_SYNC_PASSWORD": PASSWORD}


class TtrssWorld:
    def __init__(self, server: TtrssServer, ids: dict[str, int]) -> None:
        self.server = server
        self.ids = ids
        self.feed_ids: dict[str, int] = {}

    def reset(self) -> None:
        self.server.sql("UPDATE ttrss_user_entries SET unread = true, marked = false"
                        " WHERE owner_uid = 1;")

    def sync(self, store: Store, password: str = PASSWORD) -> SyncReport:
        return sync_once(store, TtrssService(self.server.url, USER, password, timeout=30),
                         "ttrss", self.server.url, USER)


@pytest.fixture(scope="module")
def ttrss_world() -> Iterator[TtrssWorld]:
    server = TtrssServer()
    try:
        server.start()
        daily = server.add_category("Daily")
        news = server.add_feed("News", "https://news.example.org/feed.xml", daily)
        tech = server.add_feed("Tech", "https://tech.example.org/atom.xml")
        ids = dict(zip(["Markets", "Rain", "Snow"], server.add_articles(news, [
            Article("Markets <b>rally</b> \x1b[31mnow", "https://news.example.org/1",
                    "<p>Shares <em>rose</em>.</p><script>alert(1)</script>", "news-1",
                    author="Ann", tags=("money",)),
            Article("Rain", "https://news.example.org/2", "<p>Wet</p>", "news-2"),
            Article("Snow", "https://news.example.org/3", "<p>Cold</p>", "news-3"),
        ]), strict=True))
        ids.update(zip(["Compilers", "Kernels"], server.add_articles(tech, [
            Article("Compilers", "https://tech.example.org/c", "<p>Passes</p>", "tag:c"),
            Article("Kernels", "https://tech.example.org/k", "<p>Rings</p>", "tag:k"),
        ]), strict=True))
        world = TtrssWorld(server, ids)
        world.feed_ids = {"News": news, "Tech": tech}
        yield world
    finally:
        server.stop()


@pytest.fixture
def world(ttrss_world: TtrssWorld) -> TtrssWorld:
    ttrss_world.reset()
    return ttrss_world


def test_check_says_what_the_server_is(world: TtrssWorld, isolated_home: Path) -> None:
    write_sync_config(isolated_home, "ttrss", world.server.url, USER)
    done = run_reader("sync", "--check", "--json", home=isolated_home, env=ENV)
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["service"] == "Tiny Tiny RSS (API level 15)"
    assert (info["feeds"], info["unread"]) == (2, 5)
    assert PASSWORD not in done.stdout + done.stderr


def test_feeds_groups_and_clean_stories_arrive(world: TtrssWorld, isolated_home: Path) -> None:
    write_sync_config(isolated_home, "ttrss", world.server.url, USER)
    done = run_reader("sync", "--json", home=isolated_home, env=ENV)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["new"] == 5
    feeds = [json.loads(line) for line in
             run_reader("feeds", "--json", home=isolated_home).stdout.splitlines()]
    assert {(f["title"], f["group"], f["sync"]) for f in feeds} == {
        ("News", "Daily", "ttrss"), ("Tech", None, "ttrss")}
    with Store.open(cache_path(isolated_home)) as store:
        titles = stories_by_title(store)
        assert "Markets rally now" in titles
        story = store.get_story(titles["Markets rally now"][0])
        assert story.body == "Shares *rose*."
        assert (story.author, story.tags, story.url) == (
            "Ann", ("money",), "https://news.example.org/1")
        assert story.published == "2024-01-02T03:04:05+00:00"


def test_local_marks_reach_the_server_in_one_request_each_kind(world: TtrssWorld,
                                                               store: Store) -> None:
    world.sync(store)
    titles = stories_by_title(store)
    for title in ("Rain", "Snow"):
        store.set_read(titles[title][0], True)
    store.set_starred(titles["Kernels"][0], True)
    report = world.sync(store)
    assert report.sent == 3
    assert outbox(store) == []
    assert world.server.state(world.ids["Rain"]) == (False, False)
    assert world.server.state(world.ids["Snow"]) == (False, False)
    assert world.server.state(world.ids["Kernels"]) == (True, True)


def test_a_mark_made_through_the_api_reaches_the_cache(world: TtrssWorld, store: Store) -> None:
    world.sync(store)
    world.server.api("updateArticle", article_ids=str(world.ids["Compilers"]), mode=0, field=2)
    world.server.api("updateArticle", article_ids=str(world.ids["Compilers"]), mode=1, field=0)
    report = world.sync(store)
    assert (report.marked_read, report.starred) == (1, 1)
    assert stories_by_title(store)["Compilers"][1:] == (True, True)
    assert outbox(store) == []


def test_marks_made_while_the_server_is_down_are_sent_when_it_is_back(
        world: TtrssWorld, isolated_home: Path) -> None:
    write_sync_config(isolated_home, "ttrss", world.server.url, USER)
    assert run_reader("sync", home=isolated_home, env=ENV).returncode == 0
    with Store.open(cache_path(isolated_home)) as store:
        story_id = stories_by_title(store)["Snow"][0]
    world.server.stop_web()
    try:
        with Store.open(cache_path(isolated_home)) as store:
            store.set_starred(story_id, True)
        done = run_reader("sync", home=isolated_home, env=ENV)
        assert done.returncode == 1
        assert done.stderr.startswith("reader: error: cannot reach the sync server")
        assert done.stderr.count("\n") == 1
        with Store.open(cache_path(isolated_home)) as store:
            assert outbox(store) == [(remote_id(store, story_id), "starred", 1)]
    finally:
        world.server.start_web()
    done = run_reader("sync", "--json", home=isolated_home, env=ENV)
    assert json.loads(done.stdout)["sent"] == 1
    assert world.server.state(world.ids["Snow"]) == (True, True)


def test_conflict_the_later_sync_wins_per_story_and_flag(world: TtrssWorld,
                                                         store: Store) -> None:
    world.sync(store)
    titles = stories_by_title(store)
    world.server.api("updateArticle", article_ids=str(world.ids["Rain"]), mode=0, field=2)
    world.server.api("updateArticle", article_ids=str(world.ids["Snow"]), mode=1, field=0)
    store.set_read(titles["Rain"][0], True)
    store.set_read(titles["Rain"][0], False)
    store.set_read(titles["Snow"][0], True)
    world.sync(store)
    after = stories_by_title(store)
    assert after["Rain"][1:] == (False, False)
    assert after["Snow"][1:] == (True, True)
    assert world.server.state(world.ids["Rain"]) == (True, False)
    assert world.server.state(world.ids["Snow"]) == (False, True)


def test_an_unchanged_server_costs_few_small_requests(world: TtrssWorld, store: Store) -> None:
    world.sync(store)
    again = world.sync(store)
    assert (again.new, again.sent) == (0, 0)
    # login, getFeeds, getCategories, headlines since, unread ids, starred ids
    assert again.requests == 6


def test_wrong_password_is_one_line(world: TtrssWorld, isolated_home: Path) -> None:
    write_sync_config(isolated_home, "ttrss", world.server.url, USER)
    done = run_reader("sync", home=isolated_home, env={"READER_SYNC_PASSWORD": "nope"})
    assert done.returncode == 1
    assert done.stderr == ("reader: error: the Tiny Tiny RSS server"
                           f" {world.server.url.rstrip('/')} refused the login: check"
                           " sync.username and the password\n")


def test_a_mark_for_a_deleted_article_is_dropped_with_a_note(world: TtrssWorld,
                                                             store: Store) -> None:
    world.sync(store)
    queue_mark(store, "987654", "read")
    report = world.sync(store)
    assert report.dropped == ("987654",)
    assert outbox(store) == []


def test_subscribe_and_unsubscribe_go_through_the_server(world: TtrssWorld,
                                                         isolated_home: Path) -> None:
    write_sync_config(isolated_home, "ttrss", world.server.url, USER)
    assert run_reader("sync", home=isolated_home, env=ENV).returncode == 0
    # tt-rss fetches a feed to subscribe to it and refuses local addresses: its refusal is
    # one clear line.
    done = run_reader("add", "http://127.0.0.1:9/feed.xml", home=isolated_home, env=ENV)
    assert done.returncode == 2
    assert done.stderr.startswith("reader: error: cannot subscribe to http://127.0.0.1:9/feed.xml")
    extra = world.server.add_feed("Extra", "https://extra.example.org/rss")
    try:
        assert run_reader("sync", home=isolated_home, env=ENV).returncode == 0
        done = run_reader("remove", "https://extra.example.org/rss", home=isolated_home, env=ENV)
        assert done.returncode == 0, done.stderr
        listed = world.server.api("getFeeds", cat_id=-3)
        assert extra not in {feed["id"] for feed in listed}
    finally:
        world.server.sql(f"DELETE FROM ttrss_feeds WHERE id = {extra};")


def test_five_thousand_items_then_an_incremental_sync(world: TtrssWorld, store: Store) -> None:
    feed = world.server.add_feed("Big", "https://big.example.org/rss")
    world.server.add_many(feed, 5000, "big")
    try:
        service = TtrssService(world.server.url, USER, PASSWORD)
        account = account_of(settings("ttrss", world.server.url, USER))
        try:
            first = run_sync(store, service, account)
            assert (first.new, first.skipped) == (5005, 0)
            assert len(stories_by_title(store)) == 5005
            again = run_sync(store, service, account)
        finally:
            service.close()
        assert again.new == 0
        # getFeeds, getCategories, headlines since (none), unread ids, starred ids (the session
        # is still open): the API cannot say which marks changed, so it lists them.
        assert again.requests == 5
        assert stories_by_title(store)["Item 17"][1] is True  # read on the server
    finally:
        world.server.sql("DELETE FROM ttrss_entries WHERE guid LIKE 'big-%';"
                         f" DELETE FROM ttrss_feeds WHERE id = {feed};")

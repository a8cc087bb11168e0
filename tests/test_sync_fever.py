"""Sync against coldsweat, a real Fever API server, started once for the module.

Every test has its own cache; the server's marks are put back to "all unread, none saved"
before each test, so tests do not depend on their order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_reader
from feed_server import FeedServer, rss2, static
from servers.coldsweat import EMAIL, PASSWORD, ColdsweatServer
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
from reader.sync.fever import FeverService

NEWS = [("n1", "Markets <b>rally</b>"), ("n2", "Rain"), ("n3", "Snow")]
TECH = [("t1", "Compilers"), ("t2", "Kernels")]


class FeverWorld:
    def __init__(self, feeds: FeedServer, server: ColdsweatServer) -> None:
        self.feeds = feeds
        self.server = server

    @property
    def news_url(self) -> str:
        return self.feeds.url("/news.xml")

    def reset(self) -> None:
        self.server.reset_marks()

    def service(self, password: str = PASSWORD, timeout: float = 30.0) -> FeverService:
        return FeverService(self.server.url, EMAIL, password, timeout)

    def sync(self, store: Store, password: str = PASSWORD) -> SyncReport:
        return sync_once(store, self.service(password), "fever", self.server.url, EMAIL)


@pytest.fixture(scope="module")
def fever_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FeverWorld]:
    feeds = FeedServer()
    hostile = rss2("News", NEWS, link=feeds.url("/n/")).replace(
        b"<title>Markets &lt;b&gt;rally&lt;/b&gt;</title>",
        b"<title>Markets &lt;b&gt;rally&lt;/b&gt; \x1b[31mnow</title>")
    feeds.routes["/news.xml"] = static(hostile)
    feeds.routes["/tech.xml"] = static(rss2("Tech", TECH, link=feeds.url("/t/")))
    server = ColdsweatServer(tmp_path_factory.mktemp("coldsweat"),
                             [(feeds.url("/news.xml"), "News", "Daily"),
                              (feeds.url("/tech.xml"), "Tech", None)])
    try:
        server.setup()
        server.start()
        yield FeverWorld(feeds, server)
    finally:
        server.stop()
        feeds.stop()


@pytest.fixture
def world(fever_world: FeverWorld) -> FeverWorld:
    if fever_world.server.process is None:
        fever_world.server.start()
    fever_world.reset()
    return fever_world


def test_check_says_what_the_server_is(world: FeverWorld, isolated_home: Path) -> None:
    write_sync_config(isolated_home, "fever", world.server.url, EMAIL)
    done = run_reader("sync", "--check", home=isolated_home,
                      env={"READER_SYNC_PASSWORD": PASSWORD})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (f"Fever API 3 at {world.server.url} as {EMAIL}:"
                                   " 2 feeds, 5 unread")
    assert PASSWORD not in done.stdout + done.stderr


def test_first_sync_brings_feeds_groups_and_clean_stories(world: FeverWorld,
                                                           isolated_home: Path) -> None:
    write_sync_config(isolated_home, "fever", world.server.url, EMAIL)
    env = {"READER_SYNC_PASSWORD": PASSWORD}
    done = run_reader("sync", "--json", home=isolated_home, env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["new"], report["feeds_added"], report["sent"]) == (5, 2, 0)
    feeds = [json.loads(line) for line in
             run_reader("feeds", "--json", home=isolated_home).stdout.splitlines()]
    assert {(f["title"], f["group"], f["sync"]) for f in feeds} == {
        ("News", "Daily", "fever"), ("Tech", "Default", "fever")}
    with Store.open(cache_path(isolated_home)) as store:
        titles = stories_by_title(store)
        assert "Markets rally now" in titles  # markup and the escape sequence are gone
        story = store.get_story(titles["Rain"][0])
        assert story.body == "Body of **Rain**"
        assert story.url == world.feeds.url("/n/n2")
        assert story.source == "News"
    assert PASSWORD not in (cache_path(isolated_home)).read_bytes().decode("latin-1")


def test_a_local_mark_reaches_the_server(world: FeverWorld, store: Store) -> None:
    world.sync(store)
    story_id = stories_by_title(store)["Rain"][0]
    item = remote_id(store, story_id)
    store.set_read(story_id, True)
    store.set_starred(story_id, True)
    assert outbox(store) == [(item, "read", 1), (item, "starred", 1)]
    report = world.sync(store)
    assert report.sent == 2
    assert outbox(store) == []
    assert item not in world.server.unread_ids()
    assert item in world.server.saved_ids()


def test_a_mark_made_on_the_server_reaches_the_cache(world: FeverWorld, store: Store) -> None:
    world.sync(store)
    story_id = stories_by_title(store)["Snow"][0]
    item = remote_id(store, story_id)
    world.server.mark(item, "read")  # on the phone
    world.server.mark(item, "saved")
    report = world.sync(store)
    assert (report.marked_read, report.starred) == (1, 1)
    assert stories_by_title(store)["Snow"][1:] == (True, True)
    assert outbox(store) == []  # the server's marks are not sent back


def test_marks_made_while_the_server_is_down_are_sent_when_it_is_back(
        world: FeverWorld, isolated_home: Path) -> None:
    write_sync_config(isolated_home, "fever", world.server.url, EMAIL)
    env = {"READER_SYNC_PASSWORD": PASSWORD}
    assert run_reader("sync", home=isolated_home, env=env).returncode == 0
    with Store.open(cache_path(isolated_home)) as store:
        story_id = stories_by_title(store)["Compilers"][0]
        item = remote_id(store, story_id)
    world.server.stop()
    try:
        with Store.open(cache_path(isolated_home)) as store:
            store.set_read(story_id, True)
        done = run_reader("sync", home=isolated_home, env=env)
        assert done.returncode == 1
        assert done.stderr.count("\n") == 1
        assert done.stderr.startswith("reader: error: cannot reach the sync server")
        with Store.open(cache_path(isolated_home)) as store:
            assert outbox(store) == [(item, "read", 1)]
            assert stories_by_title(store)["Compilers"][1] is True  # reading goes on
    finally:
        world.server.start()
    done = run_reader("sync", "--json", home=isolated_home, env=env)
    assert json.loads(done.stdout)["sent"] == 1
    assert item not in world.server.unread_ids()


def test_conflict_the_later_sync_wins_per_story_and_flag(world: FeverWorld,
                                                         store: Store) -> None:
    world.sync(store)
    titles = stories_by_title(store)
    rain, snow = titles["Rain"][0], titles["Snow"][0]
    world.sync(store)
    # Between two syncs: the phone reads Rain and stars Snow; here Rain is read and then
    # marked unread again, and Snow is read.
    world.server.mark(remote_id(store, rain), "read")
    world.server.mark(remote_id(store, snow), "saved")
    store.set_read(rain, True)
    store.set_read(rain, False)
    store.set_read(snow, True)
    world.sync(store)
    after = stories_by_title(store)
    assert after["Rain"][1:] == (False, False)  # our later mark won on both sides
    assert after["Snow"][1:] == (True, True)    # different flags: both kept
    assert remote_id(store, rain) in world.server.unread_ids()
    assert remote_id(store, snow) not in world.server.unread_ids()
    assert remote_id(store, snow) in world.server.saved_ids()


def test_a_story_fetched_directly_is_not_shown_twice(world: FeverWorld,
                                                     isolated_home: Path) -> None:
    assert run_reader("add", world.news_url, home=isolated_home).returncode == 0
    with Store.open(cache_path(isolated_home)) as store:
        direct = stories_by_title(store)
        assert len(direct) == 3
        store.set_read(direct["Snow"][0], True)
    write_sync_config(isolated_home, "fever", world.server.url, EMAIL)
    env = {"READER_SYNC_PASSWORD": PASSWORD}
    report = json.loads(run_reader("sync", "--json", home=isolated_home, env=env).stdout)
    assert (report["new"], report["matched"], report["feeds_adopted"]) == (2, 3, 1)
    refresh = run_reader("refresh", home=isolated_home)  # the server now fetches that feed
    assert refresh.returncode == 0
    named = run_reader("refresh", world.news_url, home=isolated_home)
    assert (named.returncode, named.stderr) == (2, "reader: error: 'News' comes from the fever"
                                                   " sync server, which fetches it: run"
                                                   " 'reader sync'\n")
    with Store.open(cache_path(isolated_home)) as store:
        titles = stories_by_title(store)
        assert len(titles) == 5
        # The story keeps its id; the server's state applies to it once it is tied.
        assert titles["Snow"][0] == direct["Snow"][0]


def test_an_unchanged_server_is_one_request(world: FeverWorld, store: Store) -> None:
    world.sync(store)
    again = world.sync(store)
    assert (again.new, again.sent, again.requests) == (0, 0, 1)


def test_wrong_password_is_one_line_and_keeps_the_outbox(world: FeverWorld,
                                                         isolated_home: Path) -> None:
    write_sync_config(isolated_home, "fever", world.server.url, EMAIL)
    assert run_reader("sync", home=isolated_home,
                      env={"READER_SYNC_PASSWORD": PASSWORD}).returncode == 0
    with Store.open(cache_path(isolated_home)) as store:
        story_id = stories_by_title(store)["Kernels"][0]
        store.set_starred(story_id, True)
    done = run_reader("sync", home=isolated_home, env={"READER_SYNC_PASSWORD": "wrong"})
    assert done.returncode == 1
    assert done.stderr == (f"reader: error: the Fever server {world.server.url[:-7]} refused"
                           " the login: check sync.username and the password\n")
    with Store.open(cache_path(isolated_home)) as store:
        assert len(outbox(store)) == 1


def test_a_mark_for_an_item_the_server_deleted_is_dropped_with_a_note(
        world: FeverWorld, store: Store) -> None:
    world.sync(store)
    queue_mark(store, "987654", "read")
    report = world.sync(store)
    assert report.dropped == ("987654",)
    assert "item 987654 is no longer on the server: its marks were dropped" in report.notes
    assert outbox(store) == []


def test_fever_subscriptions_are_read_only(world: FeverWorld, isolated_home: Path) -> None:
    write_sync_config(isolated_home, "fever", world.server.url, EMAIL)
    env = {"READER_SYNC_PASSWORD": PASSWORD}
    run_reader("sync", home=isolated_home, env=env)
    done = run_reader("add", world.feeds.url("/other.xml"), home=isolated_home, env=env)
    assert done.returncode == 2
    assert "subscribe to" in done.stderr and "on the server" in done.stderr
    done = run_reader("remove", world.news_url, home=isolated_home, env=env)
    assert done.returncode == 2
    assert "unsubscribe on the server" in done.stderr


def many_items(count: int) -> bytes:
    return rss2("Big", [(f"big-{n}", f"Big item {n}") for n in range(count)])


def test_five_thousand_items_then_an_incremental_sync(tmp_path_factory: pytest.TempPathFactory,
                                                      store: Store) -> None:
    feeds = FeedServer()
    feeds.routes["/big.xml"] = static(many_items(5000))
    server = ColdsweatServer(tmp_path_factory.mktemp("coldsweat-big"),
                             [(feeds.url("/big.xml"), "Big", None)])
    try:
        server.setup()
        server.start()
        service = FeverService(server.url, EMAIL, PASSWORD)
        account = account_of(settings("fever", server.url, EMAIL))
        try:
            first = run_sync(store, service, account)
            assert (first.new, first.skipped) == (5000, 0)
            # A login check (a new account), one request for feeds, marks and the first page,
            # 99 more pages and the empty one that says there are no more.
            assert first.requests == 102
            assert len(stories_by_title(store)) == 5000
            again = run_sync(store, service, account)
        finally:
            service.close()
        assert (again.new, again.requests) == (0, 1)
    finally:
        server.stop()
        feeds.stop()


async def test_the_apps_refresh_syncs_first(world: FeverWorld, isolated_home: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from ui_support import Messages, make_app, screen_text, settle, status_text

    from reader.ui.messages import RefreshFailed, RefreshFinished, SyncFailed, SyncFinished

    write_sync_config(isolated_home, "fever", world.server.url, EMAIL)
    monkeypatch.setenv("READER_SYNC_PASSWORD", PASSWORD)
    app = make_app(isolated_home)
    messages = Messages()
    async with app.run_test(size=(140, 40), message_hook=messages) as pilot:
        await settle(pilot)
        await pilot.press("R")
        synced = await messages.wait_for(SyncFinished, SyncFailed, timeout=120)
        assert isinstance(synced, SyncFinished), synced
        assert synced.new == 5
        ended = await messages.wait_for(RefreshFinished, RefreshFailed, timeout=120)
        assert isinstance(ended, RefreshFinished)
        assert ended.summary.outcomes == ()  # the server's feeds are not fetched here
        await settle(pilot)
        assert "Rain" in screen_text(app)
        assert status_text(app).startswith("Synced with fever: 5 new stories")

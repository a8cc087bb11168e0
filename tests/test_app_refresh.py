"""The app refreshes feeds in the background (R) and lists sources with their outcome (S)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from feed_server import FeedServer, rss2, static
from textual.notifications import Notify
from textual.pilot import Pilot
from ui_support import Messages, main_screen, make_app, settle, status_text

from reader.cli.context import Context
from reader.store import Store
from reader.store.feeds import add_feed
from reader.ui.messages import RefreshFailed, RefreshFinished, RefreshProgressed
from reader.ui.screens.sources import SourcesScreen


@pytest.fixture
def server() -> Iterator[FeedServer]:
    running = FeedServer()
    yield running
    running.stop()


def subscribe(home: Path, url: str, title: str) -> None:
    context = Context.create(str(home), [])
    with Store.open(context.paths.database) as store:
        add_feed(store, url, title)


async def wait_for_refresh(pilot: Pilot[None], messages: Messages) -> RefreshFinished:
    """Wait for the refresh's last message, and for the screen to have acted on it."""
    ended = await messages.wait_for(RefreshFinished, RefreshFailed, timeout=120)
    await settle(pilot)
    assert isinstance(ended, RefreshFinished), ended
    return ended


async def test_r_refreshes_in_the_background_and_keeps_the_reader_in_place(
    isolated_home: Path, server: FeedServer
) -> None:
    server.routes["/good.xml"] = static(rss2("Good feed", [
        ("First good story", "<p>Hello <b>world</b></p>"),
        ("Second good story", "<p>More</p>"),
    ]))
    server.routes["/broken.xml"] = static(b"oops", "text/plain", status=500)
    subscribe(isolated_home, server.url("/good.xml"), "Good feed")
    subscribe(isolated_home, server.url("/broken.xml"), "Broken feed")
    app = make_app(isolated_home)
    messages = Messages()
    async with app.run_test(size=(140, 40), message_hook=messages) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("j", "enter")  # reading the second seed story
        await settle(pilot)
        reading = screen.current
        assert reading is not None
        await pilot.press("escape", "R")
        finished = await wait_for_refresh(pilot, messages)
        assert [o.status for o in finished.summary.outcomes] == ["error", "ok"]
        assert screen.story_list.total == 6, status_text(app)
        # The story being read and the list cursor are where they were.
        assert screen.current is not None and screen.current.id == reading.id
        assert screen.story_list.highlighted is not None
        assert screen.story_list.highlighted.id == reading.id
        assert status_text(app) == (
            "Refreshed 2 feeds: 1 ok, 0 not modified, 1 failed; 2 new stories"
            "  ·  S shows which feeds failed and why")
        [note] = [m.notification for m in messages.of(Notify)
                  if m.notification.title.endswith("failed")]
        assert note.title == "1 feed failed"
        assert note.message.startswith("Broken feed: ") and "500" in note.message
        # S lists the sources; the failed feed says why; choosing a feed narrows the list.
        await pilot.press("S")
        await settle(pilot)
        sources = app.screen
        assert isinstance(sources, SourcesScreen)
        broken = next(s for s in sources.sources if s.name == "Broken feed")
        assert broken.last_status == "error" and "500" in (broken.last_error or "")
        good_index = next(i for i, e in enumerate(sources.entries) if e.name == "Good feed")
        for _ in range(good_index):  # the tree's lines: All stories, Broken feed, Good feed…
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.story_list.total == 2
        assert "Good feed" in (screen.sub_title or "")
        await pilot.press("escape")
        await settle(pilot)
        assert screen.story_list.total == 6, status_text(app)


async def test_r_without_feeds_says_how_to_add_one(isolated_home: Path) -> None:
    app = make_app(isolated_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert status_text(app) == ("No feeds yet: add one with `a` in the sources (S), "
                                    "`reader add URL` or `reader import FILE.opml`")


async def test_refresh_with_no_network_reports_each_feed_offline(isolated_home: Path) -> None:
    # Port 9 on loopback: nothing listens, the connection is refused at once.
    subscribe(isolated_home, "http://127.0.0.1:9/feed.xml", "Offline feed")
    app = make_app(isolated_home)
    messages = Messages()
    async with app.run_test(size=(140, 40), message_hook=messages) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.story_list.total == 4  # the cache opened at once
        await pilot.press("R")
        await wait_for_refresh(pilot, messages)
        status = status_text(app)
        assert "1 failed" in status, status
    with Store.open(app.paths.database) as store:
        feed = next(s for s in store.sources() if s.kind == "feed")
        assert feed.last_status == "error" and feed.last_error


async def test_refresh_of_many_feeds_runs_outside_the_app_process(
    isolated_home: Path, server: FeedServer
) -> None:
    """Nine feeds: the refresh process parses them in its own worker processes. Inside the
    app, stderr is Textual's capture; spawning must still work (it once failed here)."""
    for n in range(9):
        server.routes[f"/f{n}.xml"] = static(rss2(f"Feed {n}", [(f"Story {n}", "<p>x</p>")]))
        subscribe(isolated_home, server.url(f"/f{n}.xml"), f"Feed {n}")
    app = make_app(isolated_home)
    messages = Messages()
    async with app.run_test(size=(140, 40), message_hook=messages) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("R")
        await wait_for_refresh(pilot, messages)
        status = status_text(app)
        assert "9 ok" in status, status
        assert screen.story_list.total == 4 + 9
        progress = messages.of(RefreshProgressed)
        assert progress and all(m.total == 9 for m in progress)  # progress came as messages

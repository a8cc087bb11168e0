"""The sources screen (S) as a tree of folders and feeds, and managing feeds in the app: add (a
web page resolved to its feed), rename, move, refresh, remove: the real app on real cache files,
a real loopback server, waiting for workers, never for time."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from feed_server import FeedServer, rss2, static
from rich.cells import cell_len
from textual.pilot import Pilot
from textual.widgets import Input
from ui_support import Messages, main_screen, make_app, settle, status_text

from reader.cli.context import Context
from reader.models import FeedFetched, StoryDraft, View
from reader.store import Store
from reader.store.feeds import add_feed, feed_sources, record_refresh, set_group
from reader.ui.app import ReaderApp
from reader.ui.messages import RefreshFinished
from reader.ui.screens.confirm import ConfirmScreen
from reader.ui.screens.prompt import PromptScreen
from reader.ui.screens.sources import SourcesScreen


@pytest.fixture
def server() -> Iterator[FeedServer]:
    running = FeedServer()
    running.routes["/news.xml"] = static(rss2("Daily news", [
        ("n1", "Budget passes"), ("n2", "Storm warning"), ("n3", "Match report")]))
    running.routes["/blog/"] = static(
        b'<html><head><link rel="alternate" type="application/rss+xml" title="News"'
        b' href="/news.xml"></head><body>A blog</body></html>', "text/html")
    yield running
    running.stop()


def drafts(prefix: str, count: int) -> tuple[StoryDraft, ...]:
    return tuple(StoryDraft(key=f"{prefix}{n}", title=f"{prefix} story {n}",
                            published=f"2026-01-0{n + 1}T00:00:00+00:00") for n in range(count))


def cache_with_folders(home: Path) -> None:
    """Tech (Alpha: 3 stories, Beta: 2), World (Gamma: 1), and Loose in no folder (2)."""
    context = Context.create(str(home), [])
    context.store().close()
    with Store.open(context.paths.database) as store:
        for name, group, count in (("Alpha", "Tech", 3), ("Beta", "Tech", 2),
                                   ("Gamma", "World", 1), ("Loose", None, 2)):
            feed = add_feed(store, f"http://127.0.0.1:9/{name}.xml", name)
            set_group(store, feed, group)
            record_refresh(store, feed, FeedFetched(drafts=drafts(name, count)))
        store.mark([s.id for s in store.iter_view(View(query="source:Beta"))], read=True)


def lines(screen: SourcesScreen) -> list[str]:
    """The tree's lines as shown (runs of spaces as one)."""
    tree = screen.tree_view
    return [" ".join(str(tree.get_node_at_line(n).label).split())  # type: ignore[union-attr]
            for n in range(tree.last_line + 1)]


async def open_sources(pilot: Pilot[None]) -> SourcesScreen:
    await pilot.press("S")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SourcesScreen)
    return screen


async def go_to(pilot: Pilot[None], screen: SourcesScreen, name: str) -> None:
    """Put the cursor on the line whose entry is ``name``, with j and g as a person would."""
    await pilot.press("g")
    for _ in range(screen.tree_view.last_line + 1):
        entry = screen.highlighted
        if entry is not None and entry.name == name:
            return
        await pilot.press("j")
    raise AssertionError(f"no line {name!r} in {lines(screen)}")


async def answer(pilot: Pilot[None], text: str, *, clear: bool = False) -> None:
    await settle(pilot)  # the key that asks may read the cache first (M lists the folders)
    prompt = pilot.app.screen
    assert isinstance(prompt, PromptScreen), prompt
    if clear:
        await pilot.press("end", "ctrl+u")
    prompt.query_one(Input).insert_text_at_cursor(text)
    await pilot.press("enter")
    await settle(pilot)


async def test_folders_are_a_tree_with_counts_and_enter_shows_a_folder(
    isolated_home: Path
) -> None:
    cache_with_folders(isolated_home)
    app = make_app(isolated_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = await open_sources(pilot)
        assert lines(screen) == [
            "All stories 10 unread / 12",
            "Tech 3 unread / 5 · 2 feeds",
            "Alpha 3 unread / 3",
            "Beta 0 unread / 2",
            "World 1 unread / 1 · 1 feed",
            "Gamma 1 unread / 1",
            "Loose 2 unread / 2",
            "Seed folders 4 unread / 4",
            "seeds 4 unread / 4",
        ]
        await go_to(pilot, screen, "Tech")
        await pilot.press("enter")
        await settle(pilot)
        main = main_screen(app)
        assert app.screen is main
        assert main.story_list.total == 5 and "folder Tech" in (main.sub_title or "")
        # Back in the sources, the cursor is on the folder shown; space closes it.
        screen = await open_sources(pilot)
        assert screen.highlighted is not None and screen.highlighted.name == "Tech"
        await pilot.press("space")
        assert "Alpha 3 unread / 3" not in lines(screen)
        await go_to(pilot, screen, "Loose")
        await pilot.press("enter")
        await settle(pilot)
        assert main.story_list.total == 2 and "Loose" in (main.sub_title or "")


async def test_add_rename_move_refresh_and_remove_a_feed_in_the_app(
    isolated_home: Path, server: FeedServer
) -> None:
    messages = Messages()
    app = make_app(isolated_home)
    async with app.run_test(size=(140, 40), message_hook=messages) as pilot:
        await settle(pilot)
        screen = await open_sources(pilot)
        # a: a web page's URL; the feed it links to is found, and the screen says so.
        await pilot.press("a")
        await answer(pilot, server.url("/blog/"))
        said = str(screen.query_one("#sources-status").render())
        assert said.startswith(f"The page links to 'News' (RSS) at {server.url('/news.xml')}:"
                               " using it; added feed")
        assert "added feed" in said and "'Daily news'" in said and ": 3 stories" in said
        assert screen.highlighted is not None and screen.highlighted.name == "Daily news"
        # r: rename it.
        await pilot.press("r")
        await answer(pilot, "Morning paper", clear=True)
        assert str(screen.query_one("#sources-status").render()) == (
            "Renamed 'Daily news' to 'Morning paper'")
        # M: into a new folder.
        await pilot.press("M")
        await answer(pilot, "News")
        assert "News 3 unread / 3 · 1 feed" in lines(screen)
        assert screen.highlighted is not None and screen.highlighted.name == "Morning paper"
        # R on the folder: its feeds are refreshed, the screen hears how it went. While that
        # refresh runs (the server holds the answer), another R says so and starts nothing.
        arrived, release = threading.Event(), threading.Event()
        served = server.routes["/news.xml"]

        def held(handler: BaseHTTPRequestHandler) -> None:
            arrived.set()
            release.wait(30)
            served(handler)

        server.routes["/news.xml"] = held
        await go_to(pilot, screen, "News")
        await pilot.press("R")
        assert await asyncio.to_thread(arrived.wait, 30)
        await pilot.press("R")
        assert str(screen.query_one("#sources-status").render()) == (
            "A refresh is already running: R again once it has ended")
        release.set()
        finished = await messages.wait_for(RefreshFinished, timeout=60)
        await settle(pilot)
        assert isinstance(finished, RefreshFinished)
        assert [o.name for o in finished.summary.outcomes] == ["Morning paper"]
        assert str(screen.query_one("#sources-status").render()).startswith(
            "Refreshed 1 feed: 1 ok")
    await check_kept_and_remove(isolated_home, server)


async def check_kept_and_remove(home: Path, server: FeedServer) -> None:
    """Quit and reopen: everything kept. Then d asks first, says how many stories go, n
    keeps it, y removes it."""
    app: ReaderApp = make_app(home)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = await open_sources(pilot)
        assert "Morning paper 3 unread / 3" in " ".join(lines(screen))
        await go_to(pilot, screen, "Morning paper")
        await pilot.press("d")
        await settle(pilot)
        question = app.screen
        assert isinstance(question, ConfirmScreen)
        assert question.question == "Remove the feed 'Morning paper' and its 3 stories? y/n"
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and "News 3 unread / 3 · 1 feed" in lines(screen)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert str(screen.query_one("#sources-status").render()) == (
            "Removed the feed 'Morning paper' and its 3 stories")
        assert not any("News" in line for line in lines(screen))
        # The cursor stays on its line (now what followed the feed), not back at the top.
        assert screen.highlighted is not None and screen.highlighted.kind != "all"
    with Store.open(app.paths.database) as store:
        assert feed_sources(store) == []


async def test_a_failure_is_said_in_the_app_and_nothing_is_stored(
    isolated_home: Path, server: FeedServer
) -> None:
    server.routes["/plain.html"] = static(b"<html><body>no feed here</body></html>",
                                          "text/html")
    app = make_app(isolated_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = await open_sources(pilot)
        await pilot.press("a")
        await answer(pilot, server.url("/plain.html"))
        said = str(screen.query_one("#sources-status").render())
        assert said.startswith("Could not add it: ") and "links to no" in said
        await pilot.press("a")
        await answer(pilot, "ftp://example.org/feed")
        assert "is not an http:// or https:// URL" in str(
            screen.query_one("#sources-status").render())
        await pilot.press("g", "r")  # All stories: not a feed
        await settle(pilot)
        assert str(screen.query_one("#sources-status").render()) == (
            "Only a feed or a folder can be renamed: move the cursor onto one")
        assert status_text(app) == ""  # the main screen was left alone
    with Store.open(app.paths.database) as store:
        assert feed_sources(store) == []


async def test_counts_start_in_one_column_whatever_the_names_width(isolated_home: Path) -> None:
    """The real corpus's names: a Chinese one (two cells a character) pushed its counts 17
    cells right and past the screen's edge; a name cut short with "…", or filling its column,
    pushed its counts one cell right of every other line's."""
    names = {"投资资讯网交易在线--流通纪念币最新20篇论坛主题-全文": None,
             "CRE: Technik, Kultur, Gesellschaft": None,  # 34 cells, the whole column
             "bold.dk - Seneste fodboldnyheder fra Danmark": None,
             "Ars Technica": None,
             "Новости Оренбурга и области / Разное": "Tech",
             "A blog": "Tech"}
    context = Context.create(str(isolated_home), [])
    context.store().close()
    with Store.open(context.paths.database) as store:
        for n, (name, group) in enumerate(names.items()):
            feed = add_feed(store, f"http://127.0.0.1:9/{n}.xml", name)
            set_group(store, feed, group)
            record_refresh(store, feed, FeedFetched(drafts=drafts(f"s{n}-", 2)))
    app = make_app(isolated_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = await open_sources(pilot)
        tree = screen.tree_view
        shown = [tree.render_line(y).text for y in range(tree.last_line + 1)]
        starts = {cell_len(line[:line.index(" unread /")]) for line in shown if " unread /" in line}
        assert len(starts) == 1, "\n".join(shown)
        assert len([line for line in shown if " unread /" in line]) == 10, "\n".join(shown)
        assert any("投资资讯网交易在线--流通纪念币最…" in line for line in shown)
        assert any("CRE: Technik, Kultur, Gesellschaft " in line for line in shown)
        assert any("bold.dk - Seneste fodboldnyheder…" in line for line in shown)
        assert tree.max_scroll_x == 0  # no line wider than the tree: no sideways scroll bar

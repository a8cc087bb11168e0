"""Building real caches and the real app for the Pilot and snapshot tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from textual.message import Message

from reader.cli.context import Context
from reader.models import StoryDraft
from reader.store import Store
from reader.ui.app import ReaderApp, create_app
from reader.ui.pilot import settle
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.reading_pane import ReadingPane

__all__ = ["CHAIN_TITLES", "Messages", "add_stories", "find_story", "main_screen", "make_app",
           "open_first_story", "prepared_context", "screen_text", "settle", "status_text",
           "title_repeating_pages", "until", "write_chain"]

M = TypeVar("M", bound=Message)

CHAIN_TITLES = ["Alpha opens the chain", "Bravo follows alpha", "Charlie follows bravo",
                "Delta ends the chain"]


def write_chain(folder: Path) -> None:
    """Four seed articles, each recommending the next: a path of three related hops."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, title in enumerate(CHAIN_TITLES):
        related = ""
        if i + 1 < len(CHAIN_TITLES):
            related = (f"\n\nOther stories you might like\n\n  • {CHAIN_TITLES[i + 1]}\n"
                       f"    Read on\n\n    A teaser paragraph.\n\n    Continue reading\n")
        (folder / f"{i}.txt").write_text(
            f"{title}\n\nStandfirst {i}\n\nBody of story {title.lower()}.{related}",
            encoding="utf-8",
        )


def prepared_context(home: Path, seed_dirs: list[str] | None = None) -> Context:
    """A cache under ``home`` loaded the way ``reader`` loads it on a first run."""
    context = Context.create(str(home), seed_dirs or [])
    context.store()
    context.close()
    return context


def add_stories(home: Path, drafts: list[StoryDraft], name: str = "Test feed",
                url: str = "http://127.0.0.1/feed.xml") -> None:
    context = Context.create(str(home), [])
    with Store.open(context.paths.database) as store:
        source_id = store.ensure_source("feed", url, name, url=url)
        store.save_stories(source_id, drafts)


def title_repeating_pages(home: Path) -> dict[str, str]:
    """Two feed stories with saved full text: "Rockets & how they land", whose page opens with
    its own title as a heading (spelt differently), listed first; "Another story", whose page
    opens with a different heading. Their ids, by "Rockets" and "Another"."""
    from reader.store.fulltext import save_full_text

    add_stories(home, [
        StoryDraft(key="t", title="Rockets & how they land", body="A summary…",
                   url="http://127.0.0.1:9/t", published="2031-01-02T00:00:00+00:00"),
        StoryDraft(key="o", title="Another story", body="A summary…",
                   url="http://127.0.0.1:9/o", published="2031-01-01T00:00:00+00:00"),
    ])
    ids = {}
    with Store.open(Context.create(str(home), []).paths.database) as store:
        for title, page in (("Rockets", "# ROCKETS &amp; how they land!\n\nThe page's text."),
                            ("Another", "# A different heading\n\nThe page's text.")):
            ids[title] = store.find_titles([title])[0][0]
            save_full_text(store, ids[title], page, "A summary…", "2031-01-03T00:00:00+00:00")
    return ids


def make_app(home: Path, seed_dirs: list[str] | None = None,
             opened: list[str] | None = None, *, refresh_on_start: bool = False,
             system_browser: bool = False, **options: Any) -> ReaderApp:
    """The real app on ``home``'s cache and config. It does not refresh as it opens (so a
    test starts no network refresh it did not ask for) unless ``refresh_on_start``. Links
    it opens are noted in ``opened``, or with ``system_browser`` go where the app's own
    choice of browser sends them (config, ``$BROWSER``)."""
    context = prepared_context(home, seed_dirs)
    config = replace(context.config, refresh=replace(context.config.refresh,
                                                     refresh_on_start=refresh_on_start))
    if system_browser:
        return create_app(context.paths, config, **options)
    sink = opened if opened is not None else []
    return create_app(context.paths, config, url_opener=sink.append, **options)


def find_story(app: ReaderApp, *words: str) -> str:
    """The id of the newest story whose title holds every word (read from the cache file)."""
    with Store.open(app.paths.database) as store:
        return store.find_titles(list(words))[0][0]


def main_screen(app: ReaderApp) -> MainScreen:
    screen = app.main_screen
    assert screen is not None
    return screen


async def open_first_story(pilot: Any) -> ReadingPane:
    """Open the list's first story the way a person does (Enter once the list is up) and
    return the reading pane once it shows the story."""
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    return main_screen(pilot.app).reading_pane


def status_text(app: ReaderApp) -> str:
    """What the status line says now."""
    return str(main_screen(app).query_one("#status").render())


class Messages:
    """Every message the app handles, to wait on: ``app.run_test(message_hook=messages)``."""

    def __init__(self) -> None:
        self.seen: list[Message] = []
        self._ids: set[int] = set()  # a bubbling message reaches the hook once per node
        self._arrived = asyncio.Event()

    def __call__(self, message: Message) -> None:
        if id(message) not in self._ids:  # ids stay unique: ``seen`` keeps them alive
            self._ids.add(id(message))
            self.seen.append(message)
            self._arrived.set()

    def of(self, kind: type[M]) -> list[M]:
        return [m for m in self.seen if isinstance(m, kind)]

    async def wait_for(self, *kinds: type[Message], after: int = 0,
                       timeout: float = 60.0) -> Message:
        """The first message of one of ``kinds`` past the first ``after`` of them."""
        async with asyncio.timeout(timeout):
            while True:
                found = [m for m in self.seen if isinstance(m, kinds)]
                if len(found) > after:
                    return found[after]
                self._arrived.clear()
                await self._arrived.wait()


async def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll ``condition`` until it holds, for a state ``settle`` cannot wait for: one that
    lasts while a worker is held up on purpose (a write waiting on another process's lock),
    or an app that is quitting."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


def screen_text(app: ReaderApp) -> str:
    """What the terminal shows, as plain text (from the real rendered screenshot)."""
    import html
    import re

    svg = app.export_screenshot()
    text = " ".join(re.findall(r">([^<]*)</text>", svg))
    return html.unescape(text).replace("\xa0", " ")

"""Command palette entries that depend on the cache: "open story…" by title."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from reader.store import Store
from reader.text import clean_line

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp


def _find(database: str, words: list[str]) -> list[tuple[str, str, str]]:
    """Runs in a thread with its own connection (connections stay in their thread)."""
    with Store.open(database) as store:
        return store.find_titles(words)


class StoryTitleProvider(Provider):
    """Finds stories by words of their title and opens the one picked."""

    @property
    def _app(self) -> ReaderApp:
        return self.app  # type: ignore[return-value]

    async def discover(self) -> Hits:
        for story_id, title, source in await asyncio.to_thread(
            _find, str(self._app.paths.database), []
        ):
            yield DiscoveryHit(
                Content(f"Open story: {clean_line(title)[:200]}"),
                partial(self._app.open_story, story_id), help=clean_line(source),
            )

    async def search(self, query: str) -> Hits:
        words = query.split()
        if not words:
            return
        matcher = self.matcher(query)
        rows = await asyncio.to_thread(_find, str(self._app.paths.database), words)
        for story_id, title, source in rows:
            title = clean_line(title)[:200]
            score = matcher.match(title) or 0.01
            yield Hit(score, matcher.highlight(title), partial(self._app.open_story, story_id),
                      text=title, help=f"open story · {clean_line(source)}")

"""Command-palette entries that depend on the cache: "open story…" by title.

Titles are looked up on the UI's details thread (``UiData``), one connection for every
keystroke; the story opens on the main screen, found in the screen stack under the palette.
"""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from reader.store import StoreError
from reader.text import clean_line
from reader.titles import ShownTitle, shown_title
from reader.ui.screens.main import MainScreen


class StoryTitleProvider(Provider):
    """Finds stories by words of their title and opens the one picked."""

    def _main(self) -> MainScreen | None:
        return next((s for s in self.app.screen_stack if isinstance(s, MainScreen)), None)

    async def _find(self, main: MainScreen,
                    words: list[str]) -> list[tuple[str, str, str, str]]:
        try:
            return await main.data.find_titles(words)
        except StoreError:
            return []

    async def discover(self) -> Hits:
        main = self._main()
        if main is None:
            return
        for story_id, title, source, text in await self._find(main, []):
            shown = shown_title(title, text)
            yield DiscoveryHit(Content.assemble("Open story: ", _styled(shown)),
                               lambda story_id=story_id: main.open(story_id),
                               help=clean_line(source))

    async def search(self, query: str) -> Hits:
        main = self._main()
        words = query.split()
        if main is None or not words:
            return
        matcher = self.matcher(query)
        for story_id, title, source, text in await self._find(main, words):
            shown = shown_title(title, text)
            score = matcher.match(shown.text) or 0.01
            found = matcher.highlight(shown.text)
            yield Hit(score, found.stylize("dim") if shown.stand_in else found,
                      lambda story_id=story_id: main.open(story_id),
                      text=shown.text, help=f"open story · {clean_line(source)}")


def _styled(shown: ShownTitle) -> Content:
    """A title as palette content: a stand-in (an untitled story's first words) dimmed."""
    return Content.styled(shown.text[:200], "dim") if shown.stand_in else Content(shown.text[:200])

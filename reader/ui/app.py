"""``ReaderApp``: a thin app that opens the cache, applies the config and shows ``MainScreen``.

``create_app`` is the one factory the command line and the tests share.
"""

from __future__ import annotations

import webbrowser
from collections.abc import Callable, Iterable
from functools import partial
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from reader.config import Config, ConfigError, save_theme
from reader.models import View
from reader.paths import Paths
from reader.store import Store
from reader.store.writer import BackgroundWriter
from reader.ui.commands import StoryTitleProvider
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.reading_pane import ReadingPane
from reader.ui.widgets.story_list import StoryList


class ReaderApp(App[None]):
    TITLE = "reader"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
    ]
    COMMANDS = App.COMMANDS | {StoryTitleProvider}

    def __init__(
        self, paths: Paths, config: Config,
        url_opener: Callable[[str], object] | None = None,
    ) -> None:
        super().__init__()
        self.paths = paths
        self.config = config
        self.store = Store.open(paths.database)
        self.writer = BackgroundWriter(paths.database)
        self._url_opener = url_opener or partial(webbrowser.open, new=2)

    def on_mount(self) -> None:
        if self.config.theme and self.config.theme in self.available_themes:
            self.theme = self.config.theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        self.push_screen(MainScreen(self.store, self.writer))
        for problem in self.config.problems:  # bad config values: shown, defaults used
            self.notify(problem, title="Config", severity="warning", timeout=15, markup=False)

    def _remember_theme(self, theme: object) -> None:
        try:
            save_theme(self.paths.config_file, self.theme)
        except (OSError, ConfigError) as exc:
            self.notify(f"Could not save the theme: {exc}", severity="warning")

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Open an http(s) link in the browser: an argument list, never a shell command."""
        self._url_opener(url)

    def on_unmount(self) -> None:
        self.writer.close()
        self.store.close()

    def help_groups(self) -> list[tuple[str, list[Binding]]]:
        def bindings(owner: type) -> list[Binding]:
            return [b for b in owner.BINDINGS if isinstance(b, Binding)]

        main = bindings(MainScreen)
        related = [b for b in main if b.id and b.id.startswith("story.related_")]
        return [
            ("Story list", bindings(StoryList)),
            ("Reading pane", bindings(ReadingPane)),
            ("Stories and views", [b for b in main if b not in related]),
            ("Related stories", self._related_help(related)),
            ("Everywhere", [*bindings(ReaderApp),
                            Binding("tab", "", "Next pane (list → story → related)"),
                            Binding("shift+tab", "", "Previous pane"),
                            Binding("ctrl+p", "", "Command palette: every action, open story…")]),
        ]

    def _related_help(self, related: list[Binding]) -> list[Binding]:
        """Nine near-identical lines read better as one, unless the user remapped some."""
        if any(b.id in self.config.keymap for b in related):
            return related
        return [Binding("1…9", "", "Open the related story with that number")]

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_groups(), self.config.keymap))

    def _main_screen(self) -> MainScreen | None:
        """The main screen, wherever it sits under help, sources or the palette."""
        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = self._main_screen()
        if main is None:
            return
        yield SystemCommand("Help", "Show every key", self.action_help)
        yield SystemCommand("Toggle unread only", "Show only unread stories, or all",
                            main.action_toggle_unread_only)
        yield SystemCommand("Toggle starred only", "Show only starred stories, or all",
                            main.action_toggle_starred_only)
        yield SystemCommand("Toggle read", "Mark the story read or unread",
                            main.action_toggle_read)
        yield SystemCommand("Toggle star", "Star or unstar the story", main.action_toggle_star)
        yield SystemCommand("Back", "The story you opened before", main.action_back)
        yield SystemCommand("Forward", "The story you opened next", main.action_forward)
        yield SystemCommand("Open link", "Open the story's link in the browser",
                            main.action_open_link)
        yield SystemCommand("Show all stories", "Leave the current view",
                            partial(main.set_view, View()))
        yield SystemCommand("Search", "Search every cached story (/)", main.action_search)
        yield SystemCommand("Save search", "Keep the current search as a view (ctrl+s)",
                            main.action_save_search)
        yield SystemCommand("Sources", "Feeds, seed folders and saved searches (S)",
                            main.action_sources)
        yield SystemCommand("Refresh feeds", "Fetch every feed in the background (R)",
                            main.action_refresh)

    async def open_story(self, story_id: str) -> None:
        main = self._main_screen()
        if main is not None:
            await main.open_story(story_id)


def create_app(paths: Paths, config: Config,
               url_opener: Callable[[str], object] | None = None) -> ReaderApp:
    """The app as the ``reader`` command runs it; the tests build theirs the same way."""
    return ReaderApp(paths, config, url_opener=url_opener)

"""``ReaderApp``: a thin app that applies the config and shows ``MainScreen``.

It owns the one data path to the cache (``UiData``: list, details and writer threads) and
hands the screen what it needs, typed: the data path, the cache's path and the fetch
settings. ``create_app`` is the one factory the command line and the tests share.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import ClassVar

from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.screen import Screen
from textual.widget import Widget

from reader import collector, start_cache
from reader.config import Config, ConfigError, save_theme
from reader.fulltext.options import full_text_options
from reader.paths import Paths, save_dir
from reader.ui import css_cache, keys
from reader.ui.auto_refresh import TICK, Clock
from reader.ui.commands import StoryTitleProvider
from reader.ui.data import WRITE_WAIT, UiData
from reader.ui.drawn_lines import unpin_drawn_lines
from reader.ui.screens.main import MainScreen
from reader.ui.story_actions import Programs


class ReaderApp(App[None]):
    TITLE = "reader"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(keys.APP)
    COMMANDS = App.COMMANDS | {StoryTitleProvider}

    def __init__(self, paths: Paths, config: Config, data: UiData,
                 url_opener: Callable[[str], object] | None = None, *,
                 clock: Clock = time.time, tick: float = TICK) -> None:
        super().__init__()
        unpin_drawn_lines()  # Textual kept removed widgets' drawn lines (reader.ui.drawn_lines)
        self.paths = paths
        self.config = config
        self.data = data
        self._url_opener = url_opener
        """None: ``$BROWSER`` or the platform's browser (``reader.programs``)."""
        self._clock = clock
        self._tick = tick

    def on_mount(self) -> None:
        if self.console.color_system in ("standard", "windows"):
            # 16 colours: a cursor drawn as a tinted background is lost (app.tcss). Not None:
            # no terminal at all (screenshots, tests) is drawn in full colour.
            self.add_class("-few-colours")
        if self.config.theme and self.config.theme in self.available_themes:
            self.theme = self.config.theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        programs = Programs(self.config.programs,
                            save_dir(self.paths, self.config.programs.save_dir),
                            self._url_opener)
        self.push_screen(MainScreen(self.data, self.paths.database, self.config.fetch,
                                    self.config.sync, programs=programs,
                                    refresh=self.config.refresh, filters=self.config.filters,
                                    clock=self._clock, tick=self._tick,
                                    full_text=full_text_options(self.config, self.paths),
                                    reading=self.config.reading, sorts=self.config.sort,
                                    config_file=self.paths.config_file))
        for problem in self.config.problems:  # bad config values: shown, defaults used
            self.notify(problem, title="Config", severity="warning", timeout=15, markup=False)
        for problem in self.config.filters.problems:  # the other filters still apply
            self.notify(problem, title="Filter left out", severity="warning", timeout=15,
                        markup=False)

    def on_ready(self) -> None:
        """The first frame is on screen: the cycle collector paused for the start resumes,
        and the start's compiling and parsed CSS are no longer kept (``start_cache``,
        ``css_cache``)."""
        self.call_after_refresh(self._started)

    @staticmethod
    def _started() -> None:
        collector.resume()
        start_cache.stop()
        css_cache.stop()

    def on_unmount(self) -> None:
        self.data.close()

    def _remember_theme(self, theme: object) -> None:
        try:
            save_theme(self.paths.config_file, self.theme)
        except (OSError, ConfigError) as exc:
            self.notify(f"Could not save the theme: {exc}", severity="warning")

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Open an http(s) link in the browser: an argument list, never a shell command."""
        if self._url_opener is not None:
            self._url_opener(url)
            return
        import webbrowser  # only now: not part of the first frame

        webbrowser.open(url, new=2)

    @property
    def main_screen(self) -> MainScreen | None:
        """The main screen, wherever it sits under help, sources or the palette."""
        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    async def action_help(self) -> None:
        main = self.main_screen
        if main is not None:
            await main.ready()
        from reader.ui.deferred import HelpScreen  # imported by ready(): a dictionary lookup

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.config.keymap))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own commands, then every action of ours that has a palette title."""
        yield from super().get_system_commands(screen)
        main = self.main_screen
        if main is None:
            return
        groups: list[tuple[tuple[keys.Key, ...], Widget | App[None]]] = [
            (keys.APP, self), (keys.MAIN, main)]
        own = getattr(screen, "PALETTE_KEYS", ())  # a screen's own commands (the sources)
        if own:
            groups.insert(0, (own, screen))
        for group, target in groups:
            for key in group:
                if key.palette is not None:
                    yield SystemCommand(key.palette, key.palette_help,
                                        partial(target.run_action, key.action))


def create_app(paths: Paths, config: Config,
               url_opener: Callable[[str], object] | None = None, *,
               data: UiData | None = None, write_wait: float = WRITE_WAIT,
               clock: Clock = time.time, tick: float = TICK) -> ReaderApp:
    """The app as the ``reader`` command runs it; the tests build theirs the same way.

    ``data`` is the path to the cache when the caller made it already (to read the first
    page early); else one is made on ``paths.database``, whose marks wait ``write_wait``
    seconds for another process's write lock before they are reported as not saved.
    ``clock`` and ``tick`` drive the automatic refresh (``auto_refresh``): a test moves its
    own clock on instead of waiting an hour.
    """
    if data is None:
        data = UiData(paths.database, write_wait=write_wait)
    return ReaderApp(paths, config, data, url_opener=url_opener, clock=clock, tick=tick)

"""What the main screen does with a story beyond reading it: follow a numbered link (``f``),
copy its link or the story (``y``/``Y``), play its enclosure (``e``), pipe it to a program
(``|``) and save it (``w``); and opening any link, which ``o`` uses too.

Every program is started by ``reader.programs`` (an argument list, never a shell; only
checked http/https or mail URLs, as one whole argument) in a worker that awaits its end
off the UI thread, and its end comes back as ``ProgramEnded``: the screen says in one line
what failed, and the app carries on. Only ``|`` holds the app while the program runs:
it suspends the app and gives the program the terminal, by design.

Copies go through Textual's clipboard (OSC 52: the terminal, or tmux with
``set -g set-clipboard on``, puts them on the system clipboard).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from textual.app import SuspendNotSupported
from textual.screen import Screen

from reader.config import ProgramSettings
from reader.models import Enclosure, Story, StoryRow
from reader.records import record
from reader.store import StoreError
from reader.ui.data import UiData
from reader.ui.messages import ProgramEnded

if TYPE_CHECKING:
    from reader.ui.screens.number_prompt import Picked

PIPE_WIDTH = 100
"""Columns the story is laid out in for ``|`` (at most: a narrower terminal gets its width)."""


def _system_opener(url: str) -> object:
    import webbrowser

    return webbrowser.open(url, new=2)


@record
class Programs:
    """What the app hands links, enclosures and stories to: the config's programs, the
    folder stories are saved in, and how a link opens when the config names no browser
    (None: ``$BROWSER``, else the platform's browser, through ``webbrowser``, a browser that
    draws in the terminal in the terminal; tests pass a list's ``append``)."""

    settings: ProgramSettings = field(default_factory=ProgramSettings)
    save_dir: Path | None = None
    url_opener: Callable[[str], object] | None = None


def _file_name(url: str) -> str:
    return unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]) or url


class StoryActions:
    """The story actions of one ``screen``; ``target`` is the story an action applies to
    (the list's row or the one being read), ``shown`` the same when it is the story in the
    reading pane, known without reading (else None); ``say`` puts a line on the status
    line."""

    def __init__(self, screen: Screen[Any], data: UiData, programs: Programs,
                 target: Callable[[], Awaitable[Story | StoryRow | None]],
                 say: Callable[[str], None],
                 shown: Callable[[], Story | None] = lambda: None) -> None:
        self.screen = screen
        self.data = data
        self.programs = programs
        self._target = target
        self._say = say
        self._shown = shown

    async def run(self, name: str) -> None:
        """The action ``name`` (a binding's ``story('name')``)."""
        actions: dict[str, Callable[[], Awaitable[None]]] = {
            "follow_link": self.follow_link, "copy_url": self.copy_url,
            "copy_markdown": self.copy_markdown, "open_enclosure": self.open_enclosure,
            "pipe": self.pipe, "save": self.save,
        }
        if name in actions:
            await actions[name]()

    async def story(self) -> Story | None:
        """The whole story the action applies to; None (and a line saying so) when none."""
        target = await self._target()
        if target is None:
            self._say("No story here: pick one from the list")
            return None
        if isinstance(target, Story):
            return target
        try:
            return (await self.data.story(target.id))[0]
        except StoreError as exc:
            self._say(str(exc))
            return None

    # -- opening ------------------------------------------------------------------------------

    def open_url(self, url: str | None, *, mail: bool = False) -> bool:
        """Open a link in the browser (``browser`` in the config, else the default one).
        A link that is not safe to hand on is refused with a line saying why."""
        from reader.programs import UnsafeUrl, check_url, command_for

        try:
            url = check_url(url, mail=mail)
        except UnsafeUrl as exc:
            self._say(f"Not opened: {exc}")
            return False
        browser = self.programs.settings.browser
        if browser:
            self._launch(command_for(browser, url))
        else:
            self.screen.run_worker(self._default_browser(url), group="programs",
                                   exit_on_error=False)
        self._say(f"Opened {url}")
        return True

    async def _default_browser(self, url: str) -> None:
        opener = self.programs.url_opener
        if opener is None:
            from reader.programs import system_browser

            argv = await asyncio.to_thread(system_browser, url)
            if argv is not None:
                self._in_terminal(argv)
                return
            opener = _system_opener
        opened = await asyncio.to_thread(opener, url)
        failure = None if opened is not False else \
            "No browser was found: name one with browser = [...] in the config"
        self.screen.post_message(ProgramEnded("browser", failure))

    def _launch(self, argv: Sequence[str]) -> None:
        from reader.programs import needs_terminal

        if needs_terminal(argv):
            self._in_terminal(argv)
        else:
            self.screen.run_worker(self._run(list(argv)), group="programs", exit_on_error=False)

    def _in_terminal(self, argv: Sequence[str]) -> None:
        """A browser that draws in the terminal gets it, the app suspended until it ends
        (as for ``|``): beside the app, both would draw on the screen and read the keys."""
        from reader.programs import run_with_input

        program = Path(argv[0]).name
        try:
            with self.screen.app.suspend():
                failure = run_with_input(argv, None, terminal=True)
        except SuspendNotSupported:
            failure = f"{program} shows pages in the terminal, which cannot be handed over here"
        self.screen.post_message(ProgramEnded(program, failure))

    async def _run(self, argv: list[str]) -> None:
        from reader.programs import launch

        ended = await launch(argv)
        self.screen.post_message(ProgramEnded(ended.program, ended.failure))

    # -- f: links --------------------------------------------------------------------------------

    async def follow_link(self) -> None:
        # The prompt goes up before anything is read, so the digits typed right after f
        # are its own (number_prompt.py says why); its links follow. (The prompt's module is
        # loaded after the first frame, with reader.ui.deferred: a dictionary lookup here.)
        from reader.ui.screens.number_prompt import Choice, NumberPrompt

        prompt = NumberPrompt("Follow link")
        self.screen.app.push_screen(prompt, self._link_picked)
        story = await self.story()
        if story is None:
            prompt.close()
            return
        try:
            links = (await self.data.story_links(story.body)).links
        except StoreError as exc:
            prompt.close()
            self._say(str(exc))
            return
        if not links:
            prompt.close()
            self._say("This story has no links to follow")
            return
        prompt.offer([Choice(link.n, link.label, link.url) for link in links])

    def _link_picked(self, picked: Picked | None) -> None:
        if picked is None:
            return
        if picked.action == "copy":
            self.copy(picked.choice.url, f"link {picked.choice.number}", mail=True)
        else:
            self.open_url(picked.choice.url, mail=True)

    # -- y, Y: copying -----------------------------------------------------------------------------

    def copy(self, url: str | None, what: str, *, mail: bool = False) -> None:
        """Copy a link, if it is one that may be handed on at all."""
        from reader.programs import UnsafeUrl, check_url

        try:
            url = check_url(url, mail=mail)
        except UnsafeUrl as exc:
            self._say(f"Not copied: {exc}")
            return
        self.screen.app.copy_to_clipboard(url)
        self._say(f"Copied {what}: {url}")

    async def copy_url(self) -> None:
        story = await self.story()
        if story is not None:
            self.copy(story.url, "the story's link")

    async def copy_markdown(self) -> None:
        story = await self.story()
        if story is None:
            return

        def write(_: object) -> str:
            from reader.saving import story_markdown

            return story_markdown(story)

        text = await self.data.read_details(write)
        self.screen.app.copy_to_clipboard(text)
        self._say(f"Copied the story as Markdown ({len(text):,} characters)")

    # -- e: enclosures ---------------------------------------------------------------------------

    async def open_enclosure(self) -> None:
        from reader.ui.screens.number_prompt import Choice, NumberPrompt  # see follow_link

        story = self._shown()

        def picked(answer: Picked | None) -> None:  # ``story`` as read by then
            if answer is None or story is None:
                return
            if answer.action == "copy":
                self.copy(answer.choice.url, f"enclosure {answer.choice.number}")
            else:
                self._play(story.enclosures[answer.choice.number - 1])

        prompt = None
        if story is None:  # it must be read first: the prompt goes up meanwhile (as for f)
            prompt = NumberPrompt("Open enclosure")
            self.screen.app.push_screen(prompt, picked)
            story = await self.story()
        if story is None or len(story.enclosures) < 2:
            if prompt is not None:
                prompt.close()
            if story is not None and story.enclosures:
                self._play(story.enclosures[0])
            elif story is not None:
                self._say("This story has no enclosure (no podcast, video or file)")
            return
        choices = [Choice(n, f"{e.describe()}  {_file_name(e.url)}", e.url)
                   for n, e in enumerate(story.enclosures, 1)]
        if prompt is None:
            self.screen.app.push_screen(NumberPrompt("Open enclosure", choices), picked)
        else:
            prompt.offer(choices)

    def _play(self, enclosure: Enclosure) -> None:
        """Open an enclosure with the first opener that matches it, else in the browser."""
        from reader.programs import UnsafeUrl, check_url, command_for, pick_opener

        opener = pick_opener(self.programs.settings.openers, enclosure)
        if opener is None:
            self.open_url(enclosure.url)
            return
        try:
            url = check_url(enclosure.url)
        except UnsafeUrl as exc:
            self._say(f"Not opened: {exc}")
            return
        argv = command_for(opener.command, url)
        self._launch(argv)
        self._say(f"Opening {_file_name(url)} with {Path(argv[0]).name}")

    # -- |, w: other programs and files ---------------------------------------------------------

    async def pipe(self) -> None:
        """The story as plain text into ``pipe_command``, the app suspended meanwhile."""
        story = await self.story()
        if story is None:
            return
        command = self.programs.settings.pipe_command
        if not command:
            self._say("No pipe_command in the config")
            return
        width = max(20, min(PIPE_WIDTH, self.screen.app.size.width))

        def text_of(_: object) -> str:
            from reader.cli.output import story_as_text

            return story_as_text(story, (), width=width)

        text = await self.data.read_details(text_of)
        from reader.programs import run_with_input

        try:
            with self.screen.app.suspend():
                failure = run_with_input(command, text, terminal=True)
        except SuspendNotSupported:
            # No terminal to hand over (Textual's web or headless drivers): the program
            # still gets the story, off the UI thread, and its output goes nowhere.
            failure = await asyncio.to_thread(run_with_input, command, text, terminal=False)
        self._say(failure or f"Piped the story to {Path(command[0]).name}")
        self.screen.post_message(ProgramEnded(Path(command[0]).name, failure))

    async def save(self) -> None:
        """The story as a Markdown file in ``save_dir``; the status line names the file."""
        story = await self.story()
        if story is None:
            return
        folder = self.programs.save_dir
        if folder is None:
            self._say("No folder to save stories in (save_dir)")
            return
        from reader.saving import save_story

        try:
            path = await asyncio.to_thread(save_story, story, folder)
        except OSError as exc:
            self._say(f"Could not save into {folder}: {exc.strerror or exc}")
            return
        self._say(f"Saved {path}")

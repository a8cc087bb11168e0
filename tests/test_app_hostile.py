"""Hostile feed text shows as plain text and does nothing: no markup, no escapes, no crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_support import add_stories, make_app, screen_text

from reader.models import StoryDraft
from reader.ui.screens.main import MainScreen

HOSTILE_TITLES = [
    "[bold]not bold[/bold] and [@click=app.quit]click me[/]",
    "[link=https://evil.example]a link[/link] [red]red?",
    "Escapes \x1b[31mred\x1b[0m and \x1b]8;;http://evil\x07osc\x1b]8;;\x07 gone",
    "Bidi \u202eevil\u202c override and \u2066isolate\u2069",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
async def test_hostile_titles_are_plain_text(isolated_home: Path, title: str) -> None:
    body = f"Body with {title} inside.\n\n[click](javascript:alert(1)) and [@click=app.quit]x[/]"
    add_stories(isolated_home, [StoryDraft(key="bad", title=title, body=body,
                                           url="https://example.org/ok")])
    app = make_app(isolated_home)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        story_id = screen.store.find_titles([])[0][0]
        assert screen.story_list.move_to_story(story_id)
        await pilot.press("enter")
        await pilot.pause(0.2)
        shown = screen_text(app)
        if "\x1b" not in title and "[" in title:
            assert title[:24] in shown  # the literal brackets are on screen
        assert "\x1b" not in shown and "\u202e" not in shown
        # Clicking every line of the reading pane and list triggers nothing.
        for y in range(2, 38, 7):
            await pilot.click(offset=(90, y))
            await pilot.click(offset=(20, y))
        await pilot.pause(0.1)
        assert app.is_running


async def test_escape_sequences_are_stripped_at_display(isolated_home: Path) -> None:
    add_stories(isolated_home, [StoryDraft(key="esc", title="Plain \x1b[2Jtitle\x07 here")])
    app = make_app(isolated_home)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.story_list.move_to_story(screen.store.find_titles(["Plain"])[0][0])
        await pilot.press("enter")
        await pilot.pause(0.2)
        shown = screen_text(app)
        assert "Plain title here" in shown
        assert app.is_running


async def test_a_100kb_title_does_not_break_the_screen(isolated_home: Path) -> None:
    huge = "Huge " + "x" * 100_000
    add_stories(isolated_home, [StoryDraft(key="huge", title=huge, body="short body")])
    app = make_app(isolated_home)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.story_list.move_to_story(screen.store.find_titles(["Huge"])[0][0])
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert screen.current is not None and screen.current.title.startswith("Huge x")
        await pilot.press("escape", "j", "k")
        assert "Huge xxx" in screen_text(app)
        assert app.is_running

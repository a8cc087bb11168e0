"""Hostile feed text shows as plain text and does nothing: no markup, no escapes, no crash.

Each test asserts the exact text on screen, so a title that lost its brackets (read as
markup) or kept an escape sequence fails, not only one that crashes the app.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from ui_support import add_stories, find_story, main_screen, make_app, screen_text, settle

from reader.models import StoryDraft

HOSTILE_TITLES = [
    # (the title in the feed, a word to find it by, exactly what the screen shows)
    ("[bold]not bold[/bold] and [@click=app.quit]click me[/]", "bold",
     "[bold]not bold[/bold] and [@click=app.quit]click me[/]"),
    ("[link=https://evil.example]a link[/link] [red]red?", "evil",
     "[link=https://evil.example]a link[/link] [red]red?"),
    ("Escapes \x1b[31mred\x1b[0m and \x1b]8;;http://evil\x07osc\x1b]8;;\x07 gone", "Escapes",
     "Escapes red and osc gone"),
    ("Bidi \u202eevil\u202c override and \u2066isolate\u2069", "Bidi",
     "Bidi evil override and isolate"),
]
BODY_LINKS = "[click](javascript:alert(1)) and [@click=app.quit]x[/]"


def squeezed(text: str) -> str:
    """Text without whitespace: the screenshot splits a line wherever its style changes."""
    return "".join(text.split())


@pytest.mark.parametrize(("title", "word", "shown"), HOSTILE_TITLES,
                         ids=["markup", "link-markup", "escapes", "bidi"])
async def test_hostile_titles_are_plain_text(isolated_home: Path, title: str, word: str,
                                            shown: str) -> None:
    body = f"Body with {title} inside.\n\n{BODY_LINKS}"
    add_stories(isolated_home, [StoryDraft(key="bad", title=title, body=body,
                                           url="https://example.org/ok")])
    opened: list[str] = []
    app = make_app(isolated_home, opened=opened)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert await screen.story_list.move_to_story(find_story(app, word))
        await pilot.press("enter")
        await settle(pilot)
        assert screen.current is not None and screen.current.title == title
        assert str(screen.query_one("#headline").render()) == shown
        text = screen_text(app)
        assert shown in text  # the headline, as written in the feed, brackets and all
        # The widget links the bare URL in it, so it has its number (issue 16) after it.
        unnumbered = re.sub(r"\[\d+\]", "", squeezed(text))
        assert squeezed(f"Body with {shown} inside.") in unnumbered
        assert squeezed(BODY_LINKS) in squeezed(text)
        assert "\x1b" not in text and "\u202e" not in text and "\u2066" not in text
        # Clicking every line of the reading pane, then of the list, triggers nothing. (The
        # pane's lines first: alternating moved the focus with every click, and the footer and
        # the styles with it, for three times the CPU; the same clicks land either way.)
        for x in (90, 20):
            for y in range(2, 38, 7):
                await pilot.click(offset=(x, y))
        await settle(pilot)
        assert opened == []  # no link opened by itself
        assert app.return_code is None  # [@click=app.quit] did not quit
        assert app.screen is screen


async def test_escape_sequences_are_stripped_at_display(isolated_home: Path) -> None:
    add_stories(isolated_home, [StoryDraft(key="esc", title="Plain \x1b[2Jtitle\x07 here")])
    app = make_app(isolated_home)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert await screen.story_list.move_to_story(find_story(app, "Plain"))
        await pilot.press("enter")
        await settle(pilot)
        assert str(screen.query_one("#headline").render()) == "Plain title here"
        shown = screen_text(app)
        assert shown.count("Plain title here") == 2  # in the list and as the headline
        assert "\x1b" not in shown and "\x07" not in shown


async def test_a_100kb_title_does_not_break_the_screen(isolated_home: Path) -> None:
    huge = "Huge " + "x" * 100_000
    add_stories(isolated_home, [StoryDraft(key="huge", title=huge, body="short body")])
    app = make_app(isolated_home)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert await screen.story_list.move_to_story(find_story(app, "Huge"))
        await pilot.press("enter")
        await settle(pilot)
        assert screen.current is not None and screen.current.title == huge
        await pilot.press("escape", "j", "k")
        await settle(pilot)
        rows = [line for line in screen_text(app).split("\n") if "Huge xxx" in line]
        # The list row is cut to the pane, with an ellipsis: "Huge xxx…".
        assert len(rows) == 1 and "x…" in rows[0]
        assert app.is_running

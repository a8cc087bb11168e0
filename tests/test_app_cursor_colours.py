"""The list's cursor where colours are few or none. Its tinted background came out as every
row's background with NO_COLOR (xterm-256color: ``48;5;234`` on the cursor row as on the rows
around it) and in a terminal of 16 colours (TERM=linux, xterm, screen: ``40`` on every row):
a person pressing j saw nothing move. Now the cursor row is drawn in reverse video there; with
colours the look is the tinted background, as before."""

from __future__ import annotations

from pathlib import Path

import pytest
import textual.constants
from ui_support import add_stories, main_screen, make_app, settle

from reader.models import StoryDraft
from reader.ui.widgets.story_list import StoryList

DRAFTS = [StoryDraft(key=f"s{n}", title=f"Story {n}", published=f"2026-11-0{n + 1}T08:00:00+00:00")
          for n in range(5)]


def reversed_rows(story_list: StoryList) -> list[int]:
    return [y for y in range(5)
            if any(segment.style is not None and segment.style.reverse
                   for segment in story_list.render_line(y))]


@pytest.mark.parametrize(("no_color", "colours", "reverse"), [
    (True, "truecolor", True), (False, "standard", True), (False, "256", False),
    (False, "truecolor", False)])
async def test_the_cursor_is_reversed_where_colours_are_few(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, no_color: bool, colours: str,
    reverse: bool
) -> None:
    if not no_color:
        monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", colours)
    add_stories(isolated_home, DRAFTS)
    app = make_app(isolated_home)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        story_list = main_screen(app).story_list
        await pilot.press("j", "j")
        await settle(pilot)
        assert story_list.cursor == 2
        assert reversed_rows(story_list) == ([2] if reverse else [])

"""The list's moved cursor is painted before the reading pane's pending layout (``list_first``).

A key in the list used to wait, in the same frame, for the pane's layout and text when a
preview was drawing (80-400 ms on the loaded test machine); these tests keep it from creeping
back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.content import Content
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import Static
from ui_support import main_screen, make_app, settle

from reader.ui.screens.main import MainScreen
from reader.ui.widgets.story_list import StoryList

WIDE = (140, 40)


def record(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What each frame does, in order: "list" (the list renders lines), "layout" (the screen
    lays out)."""
    events: list[str] = []
    render_lines = StoryList.render_lines
    refresh_layout = MainScreen._refresh_layout

    def list_drawn(self: StoryList, crop: Region) -> list[Strip]:
        events.append("list")
        return render_lines(self, crop)

    def laid_out(self: MainScreen, *args: Any, **kwargs: Any) -> None:
        events.append("layout")
        refresh_layout(self, *args, **kwargs)

    monkeypatch.setattr(StoryList, "render_lines", list_drawn)
    monkeypatch.setattr(MainScreen, "_refresh_layout", laid_out)
    return events


async def test_j_is_painted_before_the_panes_layout(isolated_home: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        headline = screen.reading_pane.query_one("#headline", Static)
        events = record(monkeypatch)
        # Both before one frame: the pane's headline changes (a layout, as a preview's story
        # does) and j moves the cursor. The batch holds the frame until both are pending.
        with app.batch_update():
            headline.update(Content("A much longer headline, on two lines or more: " * 4))
            await pilot.press("j")
            await pilot.pause()
        await pilot.pause()
        await settle(pilot)
        assert screen.story_list.cursor == 1
        assert "layout" in events and "list" in events
        assert events.index("list") < events.index("layout"), events


async def test_j_is_painted_while_a_batch_holds_the_frames(
        isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pane's Markdown mounts its blocks in a batch, which holds every frame of the app:
    the list's rows are written all the same."""
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        events = record(monkeypatch)
        with app.batch_update():
            await pilot.press("j")
            await pilot.pause()
            assert main_screen(app).story_list.cursor == 1
            assert events == ["list"], events


async def test_the_list_alone_is_painted_once(isolated_home: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """With nothing else pending, a frame is Textual's own: the list's rows are rendered once
    (the preview that follows lays the pane out, without the list)."""
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        events = record(monkeypatch)
        await pilot.press("j")
        await pilot.pause()
        assert main_screen(app).story_list.cursor == 1
        assert events.count("list") == 1, events

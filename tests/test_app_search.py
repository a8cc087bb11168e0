"""Search from the app (/), and related stories computed from content (issue 5's app side)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ui_support import (
    Messages,
    add_stories,
    find_story,
    main_screen,
    make_app,
    settle,
    status_text,
    until,
)

from reader.models import StoryDraft
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.search_bar import SearchBar

STORIES = [
    StoryDraft(key="a", title="Volcanic eruption in Iceland grounds flights",
               body="The volcanic ash cloud over Iceland grounded flights across Europe."),
    StoryDraft(key="b", title="Airlines count the cost of the Iceland ash cloud",
               body="Volcanic ash from Iceland cost airlines millions as flights stayed grounded."),
    StoryDraft(key="c", title="Local bakery wins bread prize",
               body="A sourdough loaf won the county bread prize this year."),
]


def footer_keys(screen: MainScreen) -> dict[str, str]:
    """The keys the footer offers now, with their descriptions."""
    return {key: active.binding.description for key, active in screen.active_bindings.items()
            if active.binding.show}


async def test_slash_narrows_as_you_type_and_escape_restores(isolated_home: Path) -> None:
    add_stories(isolated_home, STORIES)
    app = make_app(isolated_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("j", "j", "j")
        before = screen.story_list.highlighted
        assert before is not None and screen.story_list.total == 7
        await pilot.press("slash", *"iceland")
        await settle(pilot)
        assert screen.story_list.view.query == "iceland"
        assert screen.story_list.total == 2
        assert "search: iceland" in (screen.sub_title or "")
        assert status_text(app).startswith("2 matches")
        # Typing: / would type a slash, Esc ends the search.
        assert footer_keys(screen).get("escape") == "Cancel the search"
        assert "slash" not in footer_keys(screen)
        await pilot.press(*" -airlines")
        await settle(pilot)
        assert screen.story_list.total == 1
        await pilot.press("escape")
        await settle(pilot)
        assert screen.story_list.view.query is None
        assert status_text(app) == ""
        assert screen.story_list.total == 7
        assert screen.story_list.highlighted is not None
        assert screen.story_list.highlighted.id == before.id
        assert not screen.query_one("#search").display
        assert footer_keys(screen).get("slash") == "Search"


async def test_enter_opens_the_top_result(isolated_home: Path) -> None:
    add_stories(isolated_home, STORIES)
    app = make_app(isolated_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("slash", *"sourdough", "enter")
        await settle(pilot)
        assert screen.current is not None
        assert screen.current.title == "Local bakery wins bread prize"
        assert screen.current.read


async def test_hostile_queries_never_crash(isolated_home: Path) -> None:
    add_stories(isolated_home, STORIES)
    app = make_app(isolated_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        for query in ['"ash', "NEAR(", "*", "-", "title:x", "a OR", "is:bogus", "^"]:
            await pilot.press("slash")
            await until(lambda: screen.list_pane.typing)  # the field has the focus: type
            await pilot.press(*query)
            await settle(pilot)
            assert app.is_running
            assert screen.query_one(SearchBar).value == query
            # The status line counts the matches and says what the parser made of the query.
            assert " match" in status_text(app)
            await pilot.press("escape")  # ends the search at once; its view reloads meanwhile
            # Keys typed before the list has the focus back would go to the hidden field.
            await until(lambda: screen.story_list.has_focus)
        await settle(pilot)
        assert status_text(app) == ""
        assert screen.story_list.total == 7


async def test_similar_stories_join_the_related_list_with_reasons(isolated_home: Path) -> None:
    add_stories(isolated_home, STORIES)
    app = make_app(isolated_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await screen.open_story(find_story(app, "Volcanic"))
        await settle(pilot)
        related = screen.reading_pane.related
        similar = [r for r in related if r.kind == "similar"]
        assert similar and similar[0].title.startswith("Airlines count the cost")
        assert "iceland" in similar[0].reason.lower() or "ash" in similar[0].reason.lower()
        number = related.index(similar[0]) + 1
        await pilot.press(str(number))
        await settle(pilot)
        assert screen.current is not None and screen.current.title.startswith("Airlines")


async def test_a_saved_search_is_listed_beside_the_sources(isolated_home: Path) -> None:
    from reader.ui.screens.sources import SourcesScreen

    add_stories(isolated_home, STORIES)
    app = make_app(isolated_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("slash", *"ash cloud")
        await settle(pilot)
        status = status_text(app)
        assert status.startswith("2 matches  ·  ") and "ash" in status  # count, then snippet
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert status_text(app) == "Saved the search 'ash cloud': S lists it beside the sources"
        await pilot.press("escape")
        await settle(pilot)
        assert screen.story_list.total == 7
        await pilot.press("S")
        await settle(pilot)
        sources = app.screen
        assert isinstance(sources, SourcesScreen)
        assert [s.query for s in sources.searches] == ["ash cloud"]
        assert sources.searches[0].story_count == 2
        await pilot.press("G", "enter")
        await settle(pilot)
        assert screen.story_list.view.query == "ash cloud"
        assert screen.story_list.total == 2
        await pilot.press("escape")  # a filtered view: Esc shows all stories again
        await settle(pilot)
        assert screen.story_list.total == 7


async def test_the_list_narrows_once_typing_rests(isolated_home: Path) -> None:
    """The search bar reports an edit once typing has rested: one search per word typed,
    not one per letter. The test says when typing rests (a gate), so a slow machine, where
    key presses come further apart than the real delay, cannot split a word."""
    add_stories(isolated_home, STORIES)
    messages = Messages()
    app = make_app(isolated_home)
    async with app.run_test(size=(140, 40), message_hook=messages) as pilot:
        await settle(pilot)
        bar = main_screen(app).query_one(SearchBar)
        for typed, searched in ((("slash", *"iceland"), ["iceland"]),
                                (tuple(" ash"), ["iceland", "iceland ash"])):
            gate = asyncio.Event()
            bar.rested = gate.wait
            await pilot.press(*typed)
            assert [m.value for m in messages.of(SearchBar.Changed)] == searched[:-1]
            gate.set()  # typing rests: only the last edit's wait is still running
            await settle(pilot)
            assert [m.value for m in messages.of(SearchBar.Changed)] == searched
        assert main_screen(app).story_list.total == 2
        await pilot.press("escape")
        await settle(pilot)
        assert len(messages.of(SearchBar.Cancelled)) == 1
        assert main_screen(app).story_list.total == 7


async def test_the_search_field_never_has_the_focus_before_slash(isolated_home: Path) -> None:
    """The hidden search field never takes the focus as the app opens: for a frame the footer
    offered "esc Cancel the search" before the list took the focus."""
    from textual import events
    from textual.widgets import Input

    add_stories(isolated_home, STORIES)
    app = make_app(isolated_home)
    messages = Messages()
    async with app.run_test(size=(140, 40), message_hook=messages) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.story_list.has_focus
        assert "escape" not in footer_keys(screen)
        focused = [m.widget for m in messages.of(events.DescendantFocus)]
        assert not [widget for widget in focused if isinstance(widget, Input)]
        await pilot.press("slash")
        await settle(pilot)
        focused = [m.widget for m in messages.of(events.DescendantFocus)]
        assert isinstance(focused[-1], Input)

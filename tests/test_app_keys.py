"""Pilot tests: the real app, driven by key presses, on real cache files."""

from __future__ import annotations

import asyncio
import gc
import threading
from pathlib import Path

from textual.widgets import OptionList
from textual.widgets._footer import FooterKey  # not in textual.widgets' public names
from ui_support import (
    CHAIN_TITLES,
    add_stories,
    find_story,
    main_screen,
    make_app,
    prepared_context,
    settle,
    status_text,
    until,
    write_chain,
)

from reader.config import load_config
from reader.models import StoryDraft, View
from reader.store import Store
from reader.ui.app import create_app
from reader.ui.data import UiData
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.main import MainScreen
from reader.ui.widgets.reading_pane import ReadingPane
from reader.ui.widgets.related_stories import RelatedStories
from reader.ui.widgets.story_list import StoryList

SEED_HEADLINE = "UK.gov apologises for Tory-bashing child database memo"
WIDE = (140, 40)


async def test_first_run_shows_the_bundled_seed_stories(isolated_home: Path) -> None:
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.story_list.total == 4
        assert screen.story_list.has_focus
        assert "all stories · 4 stories" in (screen.sub_title or "")
        # Moving the cursor previews the highlighted story.
        assert screen.reading_pane.story is not None
        assert screen.reading_pane.story.title == SEED_HEADLINE


async def test_enter_opens_the_story_focuses_it_and_marks_it_read(isolated_home: Path) -> None:
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = main_screen(app)
        assert screen.reading_pane.has_focus
        assert screen.current is not None and screen.current.title == SEED_HEADLINE
        assert screen.current.read
        story_id = screen.current.id
        assert screen.story_list.highlighted is not None
        assert screen.story_list.highlighted.read  # the list shows the mark once it is stored
    with Store.open(app.paths.database) as store:
        assert store.get_story(story_id).read


async def test_list_keys_move_the_cursor(isolated_home: Path) -> None:
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        stories = main_screen(app).story_list
        await pilot.press("j", "j")
        await settle(pilot)
        assert stories.cursor == 2
        await pilot.press("k")
        await settle(pilot)
        assert stories.cursor == 1
        await pilot.press("G")
        await settle(pilot)
        assert stories.cursor == 3
        await pilot.press("g")
        await settle(pilot)
        assert stories.cursor == 0
        await pilot.press("down", "down", "up")
        await settle(pilot)
        assert stories.cursor == 1
        await pilot.press("pagedown")
        await settle(pilot)
        assert stories.cursor == 3
        await pilot.press("pageup")
        await settle(pilot)
        assert stories.cursor == 0
        await pilot.press("k")  # already at the top: stays
        await settle(pilot)
        assert stories.cursor == 0


async def test_reading_pane_keys_scroll(isolated_home: Path) -> None:
    app = make_app(isolated_home)
    async with app.run_test(size=(140, 20)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        pane = main_screen(app).reading_pane
        assert pane.has_focus and pane.scroll_y == 0
        await pilot.press("j")
        await settle(pilot)
        assert pane.scroll_y > 0
        await pilot.press("k")
        await settle(pilot)
        assert pane.scroll_y == 0
        await pilot.press("space")
        await settle(pilot)
        page = pane.scroll_y
        assert page > 1
        await pilot.press("b")
        await settle(pilot)
        assert pane.scroll_y == 0
        await pilot.press("G")
        await settle(pilot)
        assert pane.scroll_y == pane.max_scroll_y > 0
        await pilot.press("g")
        await settle(pilot)
        assert pane.scroll_y == 0


async def test_tab_cycles_list_story_related(isolated_home: Path) -> None:
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, StoryList)
        await pilot.press("tab")
        await settle(pilot)
        assert isinstance(app.focused, ReadingPane)
        await pilot.press("tab")
        await settle(pilot)
        assert isinstance(app.focused, RelatedStories)
        await pilot.press("shift+tab")
        await settle(pilot)
        assert isinstance(app.focused, ReadingPane)


async def test_three_related_hops_then_back_and_forward(
    isolated_home: Path, tmp_path: Path
) -> None:
    write_chain(tmp_path / "chain")
    app = make_app(isolated_home, [str(tmp_path / "chain")])
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await screen.open_story(find_story(app, "Alpha"))
        await settle(pilot)
        for expected in CHAIN_TITLES[1:]:
            await pilot.press("1")
            await settle(pilot)
            assert screen.current is not None and screen.current.title == expected
            # The list cursor follows the story being read.
            assert screen.story_list.highlighted is not None
            assert screen.story_list.highlighted.id == screen.current.id
        for expected in reversed(CHAIN_TITLES[:-1]):
            await pilot.press("left_square_bracket")
            await settle(pilot)
            assert screen.current is not None and screen.current.title == expected
            assert screen.story_list.highlighted is not None
            assert screen.story_list.highlighted.id == screen.current.id
        await pilot.press("left_square_bracket")  # nothing before the first: stays
        await settle(pilot)
        assert screen.current is not None and screen.current.title == CHAIN_TITLES[0]
        assert status_text(app) == "Back: this is the first story you opened"
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert screen.current.title == CHAIN_TITLES[2]
        await pilot.press("backspace")
        await settle(pilot)
        assert screen.current.title == CHAIN_TITLES[1]
        # Opening a new story after going back drops the forward entries.
        await pilot.press("1")
        await settle(pilot)
        assert not screen.history.can_go_forward


async def test_related_list_shows_links_both_ways_and_teaser_note(isolated_home: Path) -> None:
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = main_screen(app)
        related = screen.reading_pane.related
        assert [r.kind for r in related] == ["explicit"] * 3
        assert all(r.teaser for r in related)
        await pilot.press("3")
        await settle(pilot)
        assert screen.current is not None and screen.current.teaser
        assert app.screen.query_one("#teaser-note").display
        back_links = screen.reading_pane.related
        assert [(r.kind, r.title) for r in back_links] == [("recommended-by", SEED_HEADLINE)]
        teaser = screen.current
        await pilot.press("9")  # no ninth related story: a status message, nothing opens
        await settle(pilot)
        assert status_text(app) == "No related story 9"
        assert screen.current is teaser


async def test_related_entry_opens_from_the_related_list(isolated_home: Path) -> None:
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the related list is there once the story is shown
        await settle(pilot)
        await pilot.press("tab")
        await settle(pilot)
        assert isinstance(app.focused, OptionList)
        await pilot.press("j", "enter")
        await settle(pilot)
        current = main_screen(app).current
        assert current is not None and current.title.startswith("Florida")


async def test_unread_only_toggle(isolated_home: Path) -> None:
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("enter")  # the pane takes the focus once the story is open
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert screen.story_list.has_focus
        await pilot.press("u")
        await settle(pilot)
        assert screen.story_list.view.unread_only
        assert screen.story_list.total == 3
        assert "unread · 3 stories" in (screen.sub_title or "")
        await pilot.press("u")
        await settle(pilot)
        assert screen.story_list.total == 4
        await pilot.press("u", "escape")  # Esc in the list leaves a filtered view
        await settle(pilot)
        assert not screen.story_list.view.unread_only
        assert screen.story_list.total == 4


async def test_escape_while_a_story_opens_leaves_it_unopened(isolated_home: Path) -> None:
    """Enter, then Esc before the story has loaded: the Esc backs out of opening it. (It was
    lost: the list still had the focus, so Esc had nothing to do, and the story then opened
    and took the focus, after the Esc.)"""
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        row = screen.story_list.highlighted
        assert row is not None and not row.read
        held = threading.Event()
        # The details thread reads in order: the story Enter opens is read after this.
        holding = asyncio.ensure_future(screen.data.read_details(lambda _: held.wait(30)))
        await pilot.press("enter")
        await pilot.press("escape")
        held.set()
        await holding
        await settle(pilot)
        assert screen.story_list.has_focus and not screen.has_class("-reading")
        assert screen.opened_id is None
        assert screen.story_list.highlighted is not None
        assert not screen.story_list.highlighted.read
    with Store.open(app.paths.database) as store:
        assert not store.get_story(row.id).read


async def test_toggling_twice_at_once_ends_where_it_started(isolated_home: Path) -> None:
    """A second s (or m) before the first is stored starts from the first one's value."""
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("s", "s", "m", "m", "m")
        await settle(pilot)
        row = screen.story_list.highlighted
        assert row is not None and not row.starred and row.read
    with Store.open(app.paths.database) as store:
        story = store.get_story(row.id)
        assert not story.starred and story.read


async def test_star_and_read_toggles_persist(isolated_home: Path) -> None:
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("j", "s", "m")
        await settle(pilot)
        row = screen.story_list.highlighted
        assert row is not None and row.starred and row.read
        assert status_text(app) == "Marked read"
        await pilot.press("asterisk")
        await settle(pilot)
        assert screen.story_list.total == 1
        story_id = row.id
    with Store.open(app.paths.database) as store:
        story = store.get_story(story_id)
        assert story.starred and story.read
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("j", "s", "m")
        await settle(pilot)
    with Store.open(app.paths.database) as store:
        story = store.get_story(story_id)
        assert not story.starred and not story.read


async def test_help_screen_opens_and_closes(isolated_home: Path) -> None:
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        # Its own footer: how to close it, not the keys of the screen under it.
        assert [key.description for key in app.screen.query(FooterKey)] == ["Close help"]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("question_mark", "q")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


async def test_q_quits(isolated_home: Path) -> None:
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await until(lambda: app.return_code == 0)  # q asked the app to exit
    assert not app.is_running


async def test_narrow_terminal_shows_one_pane_at_a_time(isolated_home: Path) -> None:
    app = make_app(isolated_home)
    async with app.run_test(size=(80, 30)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert screen.story_list.display and screen.story_list.region.width == 80
        assert screen.reading_pane.region.width == 0
        # The footer is compact and leaves out ^p palette there, so its last key, ? Help, fits.
        last = list(screen.query(FooterKey))[-1]
        assert last.description == "Help" and last.region.right <= 80
        await pilot.press("enter")
        await settle(pilot)
        assert screen.reading_pane.region.width == 80
        assert screen.story_list.region.width == 0
        await pilot.press("escape")
        await settle(pilot)
        assert screen.story_list.region.width == 80
        assert screen.story_list.has_focus


async def test_o_opens_only_http_links(isolated_home: Path) -> None:
    opened: list[str] = []
    add_stories(isolated_home, [
        StoryDraft(key="web", title="Has a web link", url="https://example.org/a"),
        StoryDraft(key="js", title="Has a script link", url="javascript:alert(1)"),
    ])
    app = make_app(isolated_home, opened=opened)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert await screen.story_list.move_to_story(find_story(app, "web"))
        await pilot.press("o")
        await settle(pilot)
        assert opened == ["https://example.org/a"]
        assert status_text(app) == "Opened https://example.org/a"
        assert await screen.story_list.move_to_story(find_story(app, "script"))
        await pilot.press("o")
        await settle(pilot)
        assert opened == ["https://example.org/a"]
        assert status_text(app) == ("Not opened: only http:, https: links are opened,"
                                    " not javascript: ones")


async def test_keymap_in_config_remaps_a_binding(isolated_home: Path) -> None:
    config_dir = isolated_home / "config"
    config_dir.mkdir(parents=True)
    (config_dir / "config.toml").write_text('[keymap]\n"list.down" = "n"\n')
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("n", "n")
        await settle(pilot)
        assert main_screen(app).story_list.cursor == 2


async def test_chosen_theme_is_remembered(isolated_home: Path) -> None:
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await settle(pilot)
    assert load_config(app.paths.config_file).theme == "nord"
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.theme == "nord"


async def test_palette_opens_a_story_by_title(isolated_home: Path) -> None:
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Florida")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = main_screen(app)
        assert screen.current is not None and screen.current.title.startswith("Florida")


async def test_palette_lists_the_screen_actions(isolated_home: Path) -> None:
    """Every action with a palette title is a command there, and runs on the main screen."""
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Help", "Toggle unread only", "Toggle star", "Show all stories",
                      "Search", "Save search", "Sources", "Refresh feeds"):
            assert title in titles
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Toggle unread only")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert main_screen(app).story_list.view.unread_only


async def test_the_first_frame_has_the_rows_read_while_the_app_started(
    isolated_home: Path,
) -> None:
    """``reader`` reads the list's first page while Textual loads: the list shows it from
    its first frame, without a read of its own."""
    context = prepared_context(isolated_home)
    data = UiData(context.paths.database)
    data.read_ahead(View(), 37).result(timeout=30)
    app = create_app(context.paths, context.config, data=data)
    async with app.run_test(size=WIDE):
        stories = main_screen(app).story_list
        assert stories.total == 4
        row = stories.row_at(0)
        assert row is not None and row.title == SEED_HEADLINE


async def test_reading_many_stories_leaves_no_old_footer_keys_alive(isolated_home: Path) -> None:
    """Every focus change between list and story recomposes the footer; the keys it replaces
    must not stay alive (Textual 8.2.8 kept each one: 378 after ten stories). The count must
    equal the keys on screen exactly, so one leaked key fails: three stories show it as well
    as ten did, at a third of the time."""
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        for _ in range(3):
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("escape", "j")
            await settle(pilot)
        gc.collect()
        alive = sum(type(o).__name__ == "FooterKey" for o in gc.get_objects())
        assert alive == len(app.screen.query(FooterKey))


async def test_the_footer_is_redrawn_only_when_its_keys_change(isolated_home: Path) -> None:
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        drawn = list(screen.query(FooterKey))
        screen.refresh_bindings()  # the same keys in force
        await settle(pilot)
        assert list(screen.query(FooterKey)) == drawn
        await pilot.press("enter")  # the story has focus: no Open
        await settle(pilot)
        assert "Open" not in [key.description for key in screen.query(FooterKey)]
        await pilot.press("escape")
        await settle(pilot)
        assert "Open" in [key.description for key in screen.query(FooterKey)]

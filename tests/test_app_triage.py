"""Pilot tests of a day's triage in the real app on real cache files: ``A`` asks, then marks
the whole view read (or not: ``n``, ``Esc``); ``U`` takes changes back newest first;
``n``/``p`` open the next/previous unread story and wrap with a note; ``O`` cycles the sort
orders and the config remembers them; ``mark_read_on = "preview"`` reads a story that stays in
the pane. Every wait is for a condition or a message, never a length of time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Static
from ui_support import Messages, add_stories, main_screen, make_app, settle, status_text

from reader.models import StoryDraft, View
from reader.paths import resolve_paths
from reader.store import Store
from reader.store.feeds import set_group
from reader.ui import triage as triage_module
from reader.ui.marks import MarkStored
from reader.ui.screens.confirm import ConfirmScreen
from reader.ui.screens.sources import SourcesScreen

WIDE = (140, 40)
START = datetime(2030, 1, 1, tzinfo=UTC)  # newer than the bundled seeds: the feed lists first


def feed(home: Path, count: int = 6, name: str = "Daily") -> None:
    """A feed of ``count`` stories, "Story 0" the newest."""
    add_stories(home, [
        StoryDraft(key=str(n), title=f"Story {n}",
                   published=(START - timedelta(hours=n)).isoformat())
        for n in range(count)
    ], name=name, url=f"http://127.0.0.1/{name}.xml")


def database(home: Path) -> Path:
    return home / "data" / "cache.sqlite3"


def read_titles(home: Path) -> set[str]:
    with Store.open(database(home)) as store:
        return {r[0] for r in store.conn.execute(
            "SELECT s.title FROM stories s JOIN story_state st ON st.story = s.rowid"
            " WHERE st.read = 1")}


def mark_read(home: Path, titles: list[str]) -> None:
    with Store.open(database(home)) as store:
        ids = [r[0] for r in store.conn.execute(
            "SELECT id FROM stories WHERE title IN (SELECT value FROM json_each(?))",
            (json.dumps(titles),))]
        store.mark(ids, read=True)


async def test_a_asks_marks_the_view_in_one_go_and_u_takes_back_only_that(
    isolated_home: Path,
) -> None:
    feed(isolated_home)
    mark_read(isolated_home, ["Story 2"])
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == "Mark 9 stories read? y/n"  # 5 of the feed, 4 seeds
        await pilot.press("y")
        await settle(pilot)
        assert status_text(app) == "Marked 9 stories read · U undoes it"
        assert len(read_titles(isolated_home)) == 10
        row = screen.story_list.highlighted
        assert row is not None and row.read  # the list was read again
        await pilot.press("U")
        await settle(pilot)
        assert status_text(app) == "Undone: marked 9 stories read"
        assert read_titles(isolated_home) == {"Story 2"}  # it was read before: it stays read
        await pilot.press("U")
        await settle(pilot)
        assert status_text(app) == "Nothing to undo"


async def test_n_or_esc_at_the_question_marks_nothing(isolated_home: Path) -> None:
    feed(isolated_home, 3)
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        for answer in ("n", "escape"):
            await pilot.press("A")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press(answer)
            await settle(pilot)
            assert not isinstance(app.screen, ConfirmScreen)
            assert status_text(app) == "Nothing marked"
        assert read_titles(isolated_home) == set()


async def test_a_in_an_unread_only_view_of_one_source(isolated_home: Path) -> None:
    feed(isolated_home, 4)
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        daily = screen.story_list.highlighted
        assert daily is not None and daily.source == "Daily"
        with Store.open(app.paths.database) as store:
            source = store.source_by_name("Daily")
        assert source is not None
        screen.set_view(View(unread_only=True, source_id=source.id, source_name="Daily"))
        await settle(pilot)
        await pilot.press("A")  # the question comes once the view's stories are counted
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert read_titles(isolated_home) == {f"Story {n}" for n in range(4)}
        assert screen.story_list.total == 0  # the unread-only view is empty now
        await pilot.press("A")
        await settle(pilot)
        assert status_text(app) == "Nothing to mark: every story in this view is read"


def read_per_feed(home: Path) -> dict[str, int]:
    with Store.open(database(home)) as store:
        return {r[0]: r[1] for r in store.conn.execute(
            "SELECT src.name, sum(st.read) FROM stories s JOIN story_state st"
            " ON st.story = s.rowid JOIN sources src ON src.id = s.source_id GROUP BY src.id")}


async def test_a_in_the_sources_marks_a_folder_or_a_feed_read_and_u_takes_it_back(
    isolated_home: Path,
) -> None:
    for name, count in (("Alpha", 3), ("Beta", 2), ("Loose", 2)):
        feed(isolated_home, count, name=name)
    with Store.open(database(isolated_home)) as store:
        for name in ("Alpha", "Beta"):
            source = store.source_by_name(name)
            assert source is not None
            set_group(store, source.id, "Tech")
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        sources = app.screen
        assert isinstance(sources, SourcesScreen)

        async def on_line(name: str) -> None:
            await pilot.press("g")
            await settle(pilot)
            while sources.highlighted is None or sources.highlighted.name != name:
                line = sources.tree_view.cursor_line
                await pilot.press("j")
                await settle(pilot)
                assert sources.tree_view.cursor_line != line, f"no line {name!r}"

        def said() -> str:
            return str(sources.query_one("#sources-status", Static).content)

        await on_line("Tech")
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == "Mark 5 stories in Tech read? y/n"
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is sources and said() == "Nothing marked"
        await pilot.press("A")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is sources
        assert said() == "Marked 5 stories read · U undoes it"
        assert read_per_feed(isolated_home) == {"seeds": 0, "Alpha": 3, "Beta": 2, "Loose": 0}
        assert sources.highlighted is not None
        assert sources.highlighted.name == "Tech" and sources.highlighted.unread == 0
        await on_line("Loose")  # a feed in no folder
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == "Mark 2 stories in Loose read? y/n"
        await pilot.press("y")
        await settle(pilot)
        assert read_per_feed(isolated_home)["Loose"] == 2
        await on_line("Tech")
        await pilot.press("A")
        await settle(pilot)
        assert said() == "Nothing to mark: every story in Tech is read"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("U")  # the feed first, then the folder
        await settle(pilot)
        assert read_per_feed(isolated_home) == {"seeds": 0, "Alpha": 3, "Beta": 2, "Loose": 0}
        await pilot.press("U")
        await settle(pilot)
        assert sum(read_per_feed(isolated_home).values()) == 0
        assert status_text(app) == "Undone: marked 5 stories read"


async def test_u_undoes_single_marks_and_bulk_ones_newest_first_at_least_20_deep(
    isolated_home: Path,
) -> None:
    """20 changes and 20 undos: 40 key presses, which Pilot takes ~80 ms each to deliver
    (the reason this test takes ~4 s)."""
    feed(isolated_home, 3)
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press(*"s" * 18)  # 18 changes: star, unstar, ..., unstar
        await pilot.press("j", "m")  # Story 1 read
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert len(read_titles(isolated_home)) == 7
        await pilot.press("U")  # the bulk mark
        await settle(pilot)
        assert read_titles(isolated_home) == {"Story 1"}
        await pilot.press("U")  # the single read mark
        await settle(pilot)
        assert read_titles(isolated_home) == set()
        assert status_text(app) == "Undone: marked “Story 1” read"
        await pilot.press("U")
        await settle(pilot)
        assert status_text(app) == "Undone: removed the star of “Story 0”"
        await pilot.press(*"U" * 17)  # the other 17, newest first
        await settle(pilot)
        assert status_text(app) == "Undone: starred “Story 0”"
        with Store.open(app.paths.database) as store:
            assert store.count(View(starred_only=True)) == 0
        row = screen.story_list.row_at(0)
        assert row is not None and not row.starred
        await pilot.press("U")
        await settle(pilot)
        assert status_text(app) == "Nothing to undo"


async def test_n_and_p_open_the_unread_stories_in_list_order_and_wrap(
    isolated_home: Path,
) -> None:
    feed(isolated_home, 5)  # Story 0 … 4, then the 4 undated seeds
    mark_read(isolated_home, ["Story 1", "Story 3"])
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        opened = []
        for _ in range(7):
            await pilot.press("n")
            await settle(pilot)
            assert screen.current is not None
            opened.append(screen.current.title)
            if len(opened) == 1:
                assert status_text(app) == "6 more unread"
        # The cursor's own story first (nobody had opened it), then down the list.
        assert opened[:3] == ["Story 0", "Story 2", "Story 4"]
        assert opened[3] == "UK.gov apologises for Tory-bashing child database memo"
        assert screen.current is not None
        assert screen.current.read and screen.reading_pane.has_focus
        highlighted = screen.story_list.highlighted
        assert highlighted is not None and highlighted.id == screen.current.id
        await pilot.press("n")
        await settle(pilot)
        assert status_text(app) == "No unread stories in this view"
        await pilot.press("U", "U")  # the last two opened are unread again
        await settle(pilot)
        await pilot.press("n")  # from the last row: round to the first unread one
        await settle(pilot)
        assert screen.current.title == opened[5]
        assert status_text(app) == "Back at the top: no unread story below · 1 more unread"
        await pilot.press("p")  # before it: none; round to the bottom
        await settle(pilot)
        assert screen.current.title == opened[6]
        assert status_text(app) == ("At the bottom: no unread story above"
                                    " · the last unread one")


async def test_o_cycles_the_orders_remembers_each_and_leaves_a_search_alone(
    isolated_home: Path,
) -> None:
    feed(isolated_home, 3)
    mark_read(isolated_home, ["Story 0"])
    config = resolve_paths(str(isolated_home)).config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('# mine\ntheme = "nord"\n')
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        seen = []
        for _ in range(4):
            await pilot.press("O")
            await settle(pilot)
            first = screen.story_list.row_at(0)
            assert first is not None
            seen.append((screen.sub_title, first.title))
        assert [title for _, title in seen[1:]] == ["Story 1", "Story 0", "Story 0"]
        assert seen[0][1] not in {"Story 0", "Story 1", "Story 2"}  # a seed is the oldest
        assert [header for header, _ in seen] == [
            "all stories · oldest first · 7 stories", "all stories · unread first · 7 stories",
            "all stories · by source · 7 stories", "all stories · 7 stories"]
        assert config.read_text() == '# mine\ntheme = "nord"\n\n[sort]\n"all" = "newest"\n'
        await pilot.press("O", "O")
        await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*"story")
        await settle(pilot)
        await pilot.press("tab")
        await pilot.press("O")
        await settle(pilot)
        assert "A search lists the best matches first" in status_text(app)
    # Opened again: the list starts in the order remembered for it.
    again = make_app(isolated_home)
    async with again.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert main_screen(again).story_list.view.sort == "unread"
        assert "unread first" in (main_screen(again).sub_title or "")


async def test_a_story_shown_long_enough_counts_as_read_when_asked(
        isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The first preview's clock starts with the app: at the default 1 s, a loaded machine
    # could take longer to settle and count it read before the test looks.
    monkeypatch.setattr(triage_module, "PREVIEW_READ_SECONDS", 3600.0)
    feed(isolated_home, 3)
    config = resolve_paths(str(isolated_home)).config_file
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('mark_read_on = "preview"\n')
    messages = Messages()
    app = make_app(isolated_home)
    assert app.config.reading.mark_read_on == "preview"
    async with app.run_test(size=WIDE, message_hook=messages) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        triage = screen.triage
        first = screen.current
        assert first is not None and triage.previewing == first.id  # its hour runs
        await pilot.press("j")
        await settle(pilot)
        second = screen.current
        assert second is not None and triage.previewing == second.id
        assert read_titles(isolated_home) == set()  # the first left the pane in time
        triage.preview_read_seconds = 0.001  # hardly any waiting: the next preview is "long"
        await pilot.press("j")
        await messages.wait_for(MarkStored)
        await settle(pilot)
        assert read_titles(isolated_home) == {"Story 2"}
        assert triage.previewing is None


async def test_a_in_a_search_marks_what_the_search_lists(isolated_home: Path) -> None:
    feed(isolated_home, 4)
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"story 2", "tab")
        await settle(pilot)
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.question == "Mark 1 story read? y/n"
        await pilot.press("y")
        await settle(pilot)
        assert read_titles(isolated_home) == {"Story 2"}


def test_every_triage_key_has_an_id_a_help_line_and_a_palette_entry() -> None:
    from reader.ui import keys

    ids = {"view.mark_all_read": "A", "story.undo": "U", "story.next_unread": "n",
           "story.previous_unread": "p", "view.sort": "O"}
    by_id = {key.id: key for key in keys.MAIN}
    helped = {key.id for _, group in keys.help_groups({}) for key in group}
    for key_id, key in ids.items():
        assert by_id[key_id].keys == key and by_id[key_id].palette
        assert key_id in helped
    assert {key.id for key in keys.CONFIRM} <= helped

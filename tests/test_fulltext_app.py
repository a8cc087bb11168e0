"""Full text and images in the app: F fetches the open story's page, saved images show inline
(half-cell blocks here, as in tmux), i hides them, a page that failed says why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("textual_image", reason="the images extra is not installed")

from feed_server import FeedServer, static
from image_samples import png
from test_fulltext_pages import extraction_pages
from textual.widgets import Markdown
from ui_support import (
    Messages,
    add_stories,
    main_screen,
    make_app,
    open_first_story,
    settle,
    status_text,
    title_repeating_pages,
)

from reader.cli.context import Context
from reader.images.cache import ImageCache
from reader.images.process import process_image
from reader.models import StoryDraft
from reader.store import Store
from reader.store.fulltext import record_failure
from reader.ui import picture_support, screenshots
from reader.ui.messages import FullTextFetched
from reader.ui.widgets.story_body import StoryBody

WIDE = (140, 40)
PICTURE = "http://127.0.0.1:9/picture.png"
BODY = (f"The first paragraph of the story.\n\n![A red and blue test card]({PICTURE})\n\n"
        "The paragraph after the picture.")


@pytest.fixture
def halfcell() -> Iterator[None]:
    """Half-cell blocks, as in tmux (and the same on every machine, for the snapshot)."""
    assert picture_support.prepare("halfcell")
    yield
    picture_support._renderer = None


def pictured_story(home: Path) -> str:
    """A feed story dated in the future (so it is first in the list) with one saved image."""
    add_stories(home, [StoryDraft(key="pic", title="A story with a picture", body=BODY,
                                  url="http://127.0.0.1:9/story",
                                  published="2031-01-01T00:00:00+00:00")])
    context = Context.create(str(home), [])
    with Store.open(context.paths.database) as store:
        story_id = store.find_titles(["picture"])[0][0]
        with store.transaction():
            ImageCache(context.paths.images_dir, store.conn).save(
                story_id, PICTURE, process_image(png(400, 200)))
    return story_id


async def test_a_saved_image_shows_inline_with_its_alt_text_and_i_hides_it(
        isolated_home: Path, halfcell: None) -> None:
    from textual_image.widget import HalfcellImage

    pictured_story(isolated_home)
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        pane = await open_first_story(pilot)
        body = pane.query_one("#pictured-body", StoryBody)
        assert body.display and body.images_shown == 1
        parts = list(body.children)
        assert isinstance(parts[1], HalfcellImage)
        assert str(parts[2].render()) == "A red and blue test card"  # the alt text, under it
        assert not pane.query_one("#body", Markdown).display

        await pilot.press("i")
        await settle(pilot)
        assert status_text(app) == "Images hidden: their alt text and link"
        assert not body.display and pane.query_one("#body", Markdown).display
        await pilot.press("i")
        await settle(pilot)
        assert body.display and body.images_shown == 1


def test_the_pane_draws_the_image_in_half_cell_blocks(
        snap_compare, isolated_home: Path, halfcell: None) -> None:  # type: ignore[no-untyped-def]
    pictured_story(isolated_home)
    # The status line would say when the next automatic refresh is (a wall-clock time).
    config = isolated_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('refresh_interval = "0"\n')

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(isolated_home), terminal_size=WIDE, run_before=run_before)


def test_the_readme_full_text_shot(snap_compare, isolated_home: Path,  # type: ignore[no-untyped-def]
                                   halfcell: None) -> None:
    """The README's picture (``python -m reader.ui.screenshots``): the summary is the
    standfirst, the page's text the body, the picture under its first paragraph with its alt
    text; the page's navigation, advert and footer are gone."""
    screenshots._store_full_text_story(isolated_home)

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await screenshots._full_text(pilot)
        pane = main_screen(pilot.app).reading_pane
        body = pane.query_one("#pictured-body", StoryBody)
        assert body.images_shown == 1
        assert pane.story is not None and pane.story.full_text
        assert "Advertisement" not in pane.story.body and "Cookies" not in pane.story.body

    config = isolated_home / "config" / "config.toml"  # no "next HH:MM" on the status line
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('refresh_interval = "0"\n')
    app = make_app(isolated_home, clock=lambda: screenshots.SAVED_AT + 600)
    assert snap_compare(app, terminal_size=(140, 46), run_before=run_before)


async def test_without_saved_images_the_text_shows_as_before(isolated_home: Path) -> None:
    pictured_story(isolated_home)
    picture_support._renderer = None  # as without the images extra: nothing to draw with
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        pane = await open_first_story(pilot)
        assert not pane.query_one("#pictured-body").display
        assert pane.query_one("#body", Markdown).display


async def test_f_fetches_the_open_storys_page_and_a_failure_says_why(
        isolated_home: Path) -> None:
    (_, page, _), = extraction_pages(1)
    server = FeedServer()
    server.routes["/article"] = static(page, "text/html")
    server.routes["/gone"] = static(b"no", "text/html", status=403)
    try:
        add_stories(isolated_home, [
            StoryDraft(key="a", title="Summary only", body="A short summary…",
                       url=server.url("/article"), published="2031-01-02T00:00:00+00:00"),
            StoryDraft(key="b", title="Forbidden page", body="Another summary…",
                       url=server.url("/gone"), published="2031-01-01T00:00:00+00:00"),
        ])
        messages = Messages()
        app = make_app(isolated_home)
        async with app.run_test(size=WIDE, message_hook=messages) as pilot:
            await open_first_story(pilot)
            screen = main_screen(app)
            assert screen.current is not None and screen.current.title == "Summary only"
            await pilot.press("F")
            done = await messages.wait_for(FullTextFetched)
            assert isinstance(done, FullTextFetched) and done.error is None
            await app.workers.wait_for_complete()
            await settle(pilot)
            assert status_text(app).startswith("Full text saved")
            assert screen.current.full_text
            assert screen.current.body.startswith("Gaming used to be so simple")
            assert screen.current.standfirst == "A short summary…"

            await pilot.press("escape", "j", "enter")
            await settle(pilot)
            assert screen.current.title == "Forbidden page"
            await pilot.press("F")
            done = await messages.wait_for(FullTextFetched, after=1)
            await app.workers.wait_for_complete()
            await settle(pilot)
            assert status_text(app) == "full text: 403 from the site"
            note = screen.reading_pane.query_one("#teaser-note")
            assert note.display and "full text: 403 from the site" in str(note.render())
    finally:
        server.stop()


async def test_a_stored_failure_is_shown_in_the_pane(isolated_home: Path) -> None:
    add_stories(isolated_home, [StoryDraft(key="x", title="Teaser from a feed", body="Short…",
                                           url="http://127.0.0.1:9/x",
                                           published="2031-01-01T00:00:00+00:00")])
    context = Context.create(str(isolated_home), [])
    with Store.open(context.paths.database) as store:
        record_failure(store, store.find_titles(["Teaser"])[0][0], "404 from the site")
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        note = (await open_first_story(pilot)).query_one("#teaser-note")
        assert note.display and str(note.render()) == "full text: 404 from the site"


async def test_a_page_starting_with_the_storys_title_shows_it_once(isolated_home: Path) -> None:
    title_repeating_pages(isolated_home)
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        pane = await open_first_story(pilot)
        assert pane.query_one("#body", Markdown).source.strip() == "The page's text."
        current = main_screen(app).current
        assert current is not None and current.body.startswith("# ROCKETS")  # stored as saved
        await pilot.press("escape", "j", "enter")
        await settle(pilot)
        current = main_screen(app).current
        assert current is not None and current.title == "Another story"
        assert pane.query_one("#body", Markdown).source.startswith("# A different heading")

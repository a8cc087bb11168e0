"""Untitled real stories in the app: the first words of their text stand in, dimmed, wherever a
title is shown (the list, the reading pane, related lists, the palette).

scriptingNews.rss has 39 untitled posts: before, the list showed "(untitled)" and related lists
blank lines. The real document is read from the real corpus (``tests/realfeeds.py``).
"""

from __future__ import annotations

from pathlib import Path

from realfeeds import documents
from ui_support import add_stories, main_screen, make_app, settle

from reader.feeds.parse import parse_feed
from reader.models import RelatedStory
from reader.store import Store
from reader.titles import shown_title
from reader.ui.widgets.related_stories import related_label

NAME = "nnw__scriptingNews.rss"


def load_scripting_news(home: Path) -> None:
    doc = next(d for d in documents() if d.name == NAME)
    feed = parse_feed(doc.body, doc.headers, doc.url)
    add_stories(home, list(feed.drafts), name="Scripting News", url=doc.url)


def is_dim(style: object) -> bool:
    return bool(getattr(style, "dim", False))


async def test_untitled_stories_show_their_first_words_dimmed(isolated_home: Path) -> None:
    load_scripting_news(isolated_home)
    app = make_app(isolated_home)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        story_list = screen.story_list
        rows = [story_list.row_at(i) for i in range(min(story_list.total, 30))]
        index, row = next((i, r) for i, r in enumerate(rows) if r is not None and not r.title)
        shown = shown_title(row.title, row.text_start)
        assert shown.stand_in and shown.text != "(untitled)"
        strip = story_list.render_line(index - round(story_list.scroll_y))
        words = shown.text.split()[0]
        title_segments = [s for s in strip if words in s.text]
        assert title_segments and all(is_dim(s.style) for s in title_segments)
        titled, titled_row = next((i, r) for i, r in enumerate(rows) if r is not None and r.title)
        other = story_list.render_line(titled - round(story_list.scroll_y))
        assert not any(is_dim(s.style) for s in other if titled_row.title[:10] in s.text)

        assert await story_list.move_to_story(row.id)
        await pilot.press("enter")
        await settle(pilot)
        headline = screen.query_one("#headline").render()
        assert screen.current is not None
        assert str(headline) == shown_title("", f"{screen.current.standfirst} "
                                            f"{screen.current.body}").text
        assert any("dim" in str(span.style) for span in headline.spans)  # type: ignore[union-attr]


def test_a_related_list_shows_an_untitled_story_by_its_first_words() -> None:
    item = RelatedStory(id="abc", title="", kind="similar", source="Scripting News",
                        terms=("guzzlers",), text="Good morning Internet guzzlers! 🍺")
    label = related_label(1, item)
    assert "Good morning Internet guzzlers!" in str(label)
    assert any("dim" in str(span.style) for span in label.spans)


def test_the_palette_finds_an_untitled_story_by_its_first_words(isolated_home: Path) -> None:
    load_scripting_news(isolated_home)
    app = make_app(isolated_home)
    with Store.open(app.paths.database) as store:
        found = store.find_titles(["guzzlers"])
    assert found
    _, title, source, text = found[0]
    assert title == "" and source == "Scripting News"
    assert shown_title(title, text).text.startswith("Good morning Internet guzzlers!")

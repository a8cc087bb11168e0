"""Removed widgets' drawn lines are let go (``reader.ui.drawn_lines``, Textual issue #6665).

Textual 8.2.8 keeps the ``StylesCache`` (every line a widget drew) of up to 1,024 widgets alive
after they are removed, through an ``lru_cache`` on an instance method. The reading pane
replaces a story's blocks each time a story is shown, so these tests show stories in the real
app and check that the previous bodies' blocks, and the lines they drew, are gone.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from textual._styles_cache import StylesCache
from textual.color import Color
from textual.style import Style
from ui_support import add_stories, find_story, main_screen, make_app, settle

from reader.models import StoryDraft
from reader.ui.drawn_lines import unpin_drawn_lines
from reader.ui.widgets.story_markdown import StoryMarkdown


def body(word: str) -> str:
    return "".join(f"Paragraph {n} about {word}, " + "with words " * 12 + "\n\n" for n in range(8))


async def test_a_shown_storys_blocks_and_their_lines_go_with_the_next_story(
        isolated_home: Path) -> None:
    words = ["alpha", "bravo", "charlie", "delta"]
    add_stories(isolated_home, [StoryDraft(key=w, title=f"Story {w}", body=body(w))
                                for w in words])
    app = make_app(isolated_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await screen.open_story(find_story(app, "alpha"))
        await settle(pilot)
        blocks = list(screen.reading_pane.query_one("#body", StoryMarkdown).query("MarkdownBlock"))
        assert any(block._styles_cache._cache for block in blocks)  # they drew lines
        caches = [weakref.ref(block._styles_cache) for block in blocks]
        widgets = [weakref.ref(block) for block in blocks]
        del blocks
        for word in words[1:]:
            await screen.open_story(find_story(app, word))
            await settle(pilot)
        gc.collect()
        assert [ref() for ref in widgets] == [None] * len(widgets)
        assert [ref() for ref in caches] == [None] * len(caches)
        # No more styles caches alive than widgets (one each), whatever was shown before.
        alive = sum(isinstance(thing, StylesCache) for thing in gc.get_objects())
        assert alive <= sum(1 for _ in app.screen.walk_children()) + 1 + len(app.screen_stack)


def test_the_inner_and_outer_styles_are_textuals_and_shared_by_colour() -> None:
    unpin_drawn_lines()
    assert not unpin_drawn_lines()  # once is enough
    base, background = Color(10, 20, 30), Color(200, 100, 50, 0.5)
    inner, outer = StylesCache().get_inner_outer(base, background)
    assert (inner, outer) == (Style(background=base + background), Style(background=base))
    assert StylesCache().get_inner_outer(base, background)[0] is inner  # one entry per colours

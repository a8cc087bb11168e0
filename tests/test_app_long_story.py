"""A long story is drawn a piece at a time: its first screenful at once, the rest appended.

Textual's Markdown layout grows with the body's length (a real 81 KB article took 42 s on the
loaded test machine), so the pane draws ``display_pieces(body)[0]`` and appends the rest in a
worker. These tests check the pieces (joined they are the body; no fenced block is split) and
the app: the whole body is drawn in the end, and opening another story midway stops the first
one's drawing (its pieces never reach the second story). Waits are for workers, never sleeps.
"""

from __future__ import annotations

from pathlib import Path

from textual.content import Content
from textual.widgets.markdown import MarkdownBlock
from ui_support import add_stories, find_story, main_screen, make_app, settle

from reader.models import StoryDraft
from reader.ui.widgets.reading_pane import display_pieces
from reader.ui.widgets.story_markdown import StoryMarkdown

CODE = "```cpp\nint main() {\n\n    return 0;  // a blank line above, inside the fence\n}\n```\n\n"


def long_body(paragraphs: int = 60, word: str = "lorem") -> str:
    text = "".join(f"Paragraph {n} about {word} " + "words and more words " * 15 + "\n\n"
                   for n in range(paragraphs))
    half = len(text) // 2
    cut = text.index("\n\n", half) + 2
    return text[:cut] + CODE + "| a | b |\n| --- | --- |\n| 1 | 2 |\n\n" + text[cut:] + "The end."


def test_pieces_join_to_the_body_and_never_split_a_fence() -> None:
    body = long_body()
    pieces = display_pieces(body, first=1_000, size=2_000)
    assert "".join(pieces) == body
    assert len(pieces) > 5
    assert all(piece.count("```") % 2 == 0 for piece in pieces)
    assert all(piece.endswith("\n\n") for piece in pieces[:-1])
    assert display_pieces("") == [""]
    assert display_pieces("short") == ["short"]
    # A fence that never closes holds the rest of the body in one piece.
    open_fence = "a\n\n" * 10 + "```\n" + "code\n\nmore code\n\n" * 50
    assert "".join(display_pieces(open_fence, first=5, size=5)) == open_fence
    assert display_pieces(open_fence, first=5, size=5)[-1].startswith("```")


async def test_a_long_story_is_drawn_whole_in_the_end(isolated_home: Path) -> None:
    body = long_body()
    add_stories(isolated_home, [StoryDraft(key="long", title="A long read", body=body)])
    app = make_app(isolated_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await screen.open_story(find_story(app, "long", "read"))
        markdown = screen.reading_pane.query_one("#body", StoryMarkdown)
        assert body.startswith(markdown.source)
        assert len(markdown.source) >= len(display_pieces(body)[0])
        await settle(pilot)
        assert markdown.source == body
        last = markdown.query(MarkdownBlock).last().render()
        assert isinstance(last, Content) and "The end." in last.plain
        # Drawn piece by piece, it is the same as drawn at once: every block, none replaced.
        whole = StoryMarkdown()
        await screen.reading_pane.mount(whole)
        await whole.update(body)
        assert [b.source_range for b in markdown.query(MarkdownBlock)] == \
            [b.source_range for b in whole.query(MarkdownBlock)]


async def test_opening_another_story_stops_drawing_the_first(isolated_home: Path) -> None:
    first, second = long_body(word="alpha"), long_body(40, word="beta")
    add_stories(isolated_home, [StoryDraft(key="a", title="First long read", body=first),
                                StoryDraft(key="b", title="Second long read", body=second)])
    app = make_app(isolated_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        await screen.open_story(find_story(app, "First"))
        await screen.open_story(find_story(app, "Second"))
        await settle(pilot)
        markdown = screen.reading_pane.query_one("#body", StoryMarkdown)
        assert markdown.source == second
        assert "alpha" not in markdown.source

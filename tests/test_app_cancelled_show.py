"""A story's showing, once begun, is finished even when the worker that asked for it is
cancelled, and the app goes on.

The preview is an exclusive worker: each ``j`` cancels the one before, wherever it is. The app
benchmark's smoke run found the cost (j held during a refresh on a loaded machine: 1 run in 4
ended): a worker cancelled while it awaited Textual's removal of the old body's blocks
cancelled the removed blocks' own tasks, one of them still composing ends "cancelled", and the
app's own wait for the same removal then raised ``CancelledError``, which ends the app's
message loop: the app quit without a word, exit status 0. So the pane draws each story in a
task that a cancelled caller does not cancel. The test cancels a showing at that very point
(the old blocks being pruned), found by looking, never by a clock.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from ui_support import add_stories, find_story, main_screen, make_app, screen_text, settle

from reader.models import StoryDraft
from reader.ui.widgets.story_markdown import StoryMarkdown

WORDS = ("alpha", "bravo")


def listy_body(word: str) -> str:
    """Many blocks, lists among them: their removal takes many turns of the event loop.

    Eight paragraphs and lists (~40 widgets) are enough: the test still fails without the
    pane's shield (an empty pane, 3 runs in 3), and each showing costs a fifth of the CPU of
    the 40 it had (~7 s of CPU for the test; ~2.5 s now)."""
    return "".join(f"Paragraph {n} about {word}.\n\n- one {n}\n- two {n}\n\n" for n in range(8))


async def test_a_showing_cancelled_while_the_old_body_goes_is_finished_all_the_same(
        isolated_home: Path) -> None:
    add_stories(isolated_home, [StoryDraft(key=w, title=f"Story {w}", body=listy_body(w))
                                for w in WORDS])
    app = make_app(isolated_home)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        pane = main_screen(app).reading_pane
        body = pane.query_one("#body", StoryMarkdown)
        stories = [(await pane._data.story(find_story(app, "Story", w)))[0] for w in WORDS]
        await pane.show_story(stories[0], ())
        await settle(pilot)
        for turn in range(1, 5):
            story = stories[turn % 2]
            showing = asyncio.ensure_future(pane.show_story(story, ()))
            while not any(child._pruning for child in body.children):
                assert not showing.done()
                await asyncio.sleep(0)  # one turn of the event loop, then look again
            showing.cancel()
            await asyncio.gather(showing, return_exceptions=True)
            await settle(pilot)
            assert app.is_running and app.return_code is None
            # The showing went on to its end: this story's body, not an empty pane.
            assert pane.story == story
            assert f"Paragraph 0 about {WORDS[turn % 2]}." in screen_text(app)

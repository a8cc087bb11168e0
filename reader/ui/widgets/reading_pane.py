"""``ReadingPane``: one story (headline, standfirst, byline, Markdown body) and its related list.

The pane reads the stories it shows through ``UiData`` and keeps the browser-like history of
the ones opened (``reader.history``): a preview (the list's cursor resting on a story) shows
a story, opening one also records it and says so with ``Opened``; the screen then moves the
list's cursor and marks it read.

Feed text reaches the screen only as ``Content`` (never markup) and through the Markdown widget
with ``open_links=False``: a link in a story never opens by itself; the screen decides, and only
http(s) links are ever opened.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar
from urllib.parse import unquote, urlsplit

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from reader.cli.output import byline
from reader.fulltext.title import without_title_heading
from reader.history import History
from reader.links import Link
from reader.models import Enclosure, RelatedStory, Story
from reader.store import Store, StoreError
from reader.text import clean_line, clean_text, fence_after
from reader.titles import shown_title
from reader.ui import keys
from reader.ui.data import UiData
from reader.ui.messages import PREVIEW_DELAY
from reader.ui.picture_support import images_ready
from reader.ui.widgets.hanging import Hanging, Stacked
from reader.ui.widgets.related_stories import RelatedStories
from reader.ui.widgets.story_body import StoryBody
from reader.ui.widgets.story_markdown import StoryMarkdown

MAX_BODY_CHARS = 200_000
"""Longer bodies are cut for display (the cache keeps them whole): Markdown layout is linear."""

FIRST_PIECE_CHARS = 3_000
"""About a screenful of text: the body's first piece, drawn before the story is shown.

Textual lays out a Markdown body in time that grows with its length: on the loaded 2-core
machine a 4 KB body took 1.1 s and a real 81 KB article (yakubin's "Reserve and commit", with
tables and code) 42 s, all of it with the previous story's text still on screen. So a body is
drawn as its first piece, then the rest is appended piece by piece while the story is read."""

PIECE_CHARS = 6_000
"""The size of each later piece: one append holds the UI for its own layout only."""


def display_pieces(body: str, first: int = FIRST_PIECE_CHARS,
                   size: int = PIECE_CHARS) -> list[str]:
    """``body`` cut into pieces to draw one after another; joined, they are ``body`` exactly.

    A cut is made only after a blank line outside a fenced code block, once the piece is
    ``first`` (then ``size``) characters long, so no paragraph, table or code block is split
    (a list whose items are apart is continued by Textual's ``Markdown.append``, which parses
    again from the last block it drew)."""
    pieces: list[str] = []
    start = position = 0
    fence: str | None = None
    limit = first
    for line in body.splitlines(keepends=True):
        position += len(line)
        before, fence = fence, fence_after(line, fence)
        if before is None and fence is None and not line.strip() and position - start >= limit:
            pieces.append(body[start:position])
            start, limit = position, size
    if start < len(body) or not pieces:
        pieces.append(body[start:])
    return pieces


def enclosures_content(enclosures: Sequence[Enclosure]) -> Content:
    """``▶ audio/mpeg · 55 MB · 1:12:03  atp311.mp3`` a line each (numbered when several, as
    ``e`` asks for one by its number); the file name is feed text, kept plain."""
    lines = []
    for number, enclosure in enumerate(enclosures, 1):
        name = urlsplit(enclosure.url).path.rstrip("/").rsplit("/", 1)[-1] or enclosure.url
        lines.append(Content.assemble(
            ("▶ ", "bold $accent"), (f"{number}. " if len(enclosures) > 1 else "", "$accent"),
            enclosure.describe(), ("  " + clean_line(unquote(name))[:80], "$text-muted")))
    return Content("\n").join(lines)


def links_content(links: Sequence[Link]) -> Stacked:
    """The Links section: ``3. text — https://…`` an entry each, in the order the story has
    them; an entry too long for its line wraps under its text."""
    return Stacked([Hanging(
        Content.styled(f"{link.n}. ", "bold $accent"),
        Content.assemble((clean_line(link.text) + " — ") if link.text else "",
                         (clean_line(link.url), "$text-muted")))
        for link in links])


class ReadingPane(VerticalScroll, can_focus=True):
    """The story being read, scrolled with vim keys."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(keys.READING_PANE)

    @dataclass
    class Opened(Message):
        """A story was opened to read (not previewed): it is shown and in the history."""

        story: Story

    @dataclass
    class Previewed(Message):
        """A story is shown because the list's cursor rests on it (not opened)."""

        story: Story

    @dataclass
    class NotShown(Message):
        """A story could not be read from the cache; ``reason`` says why, in one line."""

        reason: str

    def __init__(self, data: UiData, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._data = data
        self.story: Story | None = None
        self.related: tuple[RelatedStory, ...] = ()
        self.links: tuple[Link, ...] = ()
        """The shown story's numbered links (``f`` follows one by its number)."""
        self.history = History()
        self._showing = asyncio.Lock()
        self._shown = 0
        """How many times a story was shown: a body's later pieces belong to one showing."""
        self._pending = 0
        """Showings begun and not finished (``drawing``)."""
        self.images_dir: Path | None = None
        """Where saved images are (set by the screen); None: no images are shown."""
        self.show_images = True
        """``i`` turns the images of stories off and on."""

    # -- which story ---------------------------------------------------------------------------

    # exit_on_error=False: a preview racing a quit must not end the app.
    @work(group="preview", exclusive=True, exit_on_error=False)
    async def preview(self, story_id: str) -> None:
        """Show a story once the list's cursor has rested on it (unless it is shown: then
        the reader's scroll position stays)."""
        await asyncio.sleep(PREVIEW_DELAY)
        if self.story is None or self.story.id != story_id:
            story = await self._load(story_id)
            if story is not None:
                self.post_message(self.Previewed(story))

    @work(group="open", exclusive=True, exit_on_error=False)
    async def open(self, story_id: str, *, record: bool = True) -> None:
        """Open a story to read, in a worker so keys keep flowing while it loads."""
        await self.open_story(story_id, record=record)

    async def open_story(self, story_id: str, *, record: bool = True) -> Story | None:
        """Show a story, remember it in the history (with ``record``), post ``Opened``."""
        self.workers.cancel_group(self, "preview")
        story = await self._load(story_id)
        if story is not None:
            if record:
                self.history.visit(story.id)
            self.post_message(self.Opened(story))
        return story

    def back(self) -> bool:
        """Open the story opened before this one; False at the first."""
        if not self.history.back():
            return False
        self.open(self.history.current or "", record=False)
        return True

    def forward(self) -> bool:
        """Open the story opened after this one (after going back); False at the last."""
        if not self.history.forward():
            return False
        self.open(self.history.current or "", record=False)
        return True

    def open_related(self, number: int) -> bool:
        """Open related story ``number`` (from 1); False when there is no such entry."""
        if not 1 <= number <= len(self.related):
            return False
        self.open(self.related[number - 1].id)
        return True

    def update_story(self, story_id: str, *, read: bool | None = None,
                     starred: bool | None = None) -> None:
        """Keep the shown story's marks in step with the cache."""
        if self.story is not None and self.story.id == story_id:
            self.story = replace(self.story, read=self.story.read if read is None else read,
                                 starred=self.story.starred if starred is None else starred)

    async def _load(self, story_id: str) -> Story | None:
        try:
            story, links = await self._data.story(story_id)
        except StoreError as exc:
            self.post_message(self.NotShown(str(exc)))
            return None
        await self.show_story(story, links)
        self._load_related(story)
        return story

    @work(group="related", exclusive=True, exit_on_error=False)
    async def _load_related(self, story: Story) -> None:
        """Similar stories take longer than explicit links: they join the list when found."""
        try:
            related = await self._data.related(story)
        except StoreError:
            return  # the explicit links stay; similar stories are a bonus
        if self.story is not None and self.story.id == story.id:
            self.show_related(related.stories)
            self.show_also_in(related.also_in)

    # -- scrolling -----------------------------------------------------------------------------

    # Key scrolling lands at once: an animated scroll repaints for several frames per key
    # press, which reads as lag when a reader holds j.
    def action_scroll_down(self) -> None:
        self.scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.scroll_up(animate=False)

    def action_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False)

    def compose(self) -> ComposeResult:
        yield Static(Content("Nothing to read yet: pick a story from the list."),
                     id="placeholder")
        yield Static(id="headline", markup=False)
        yield Static(id="standfirst", markup=False)
        yield Static(id="byline", markup=False)
        yield Static(id="enclosures", markup=False)
        yield Static(id="also-in", markup=False)
        yield Static(id="teaser-note", markup=False)
        yield StoryMarkdown(id="body")
        yield StoryBody(id="pictured-body")
        yield Static(Content("Links"), id="links-heading")
        yield Static(id="links", markup=False)
        yield Static(Content("Related stories"), id="related-heading")
        yield RelatedStories(id="related")

    def on_mount(self) -> None:
        for part in ("#headline", "#standfirst", "#byline", "#enclosures", "#also-in",
                     "#teaser-note", "#body", "#pictured-body", "#links-heading", "#links",
                     "#related-heading", "#related"):
            self.query_one(part).display = False

    # -- showing -------------------------------------------------------------------------------

    async def show_story(self, story: Story, related: Sequence[RelatedStory]) -> None:
        """Show a story from the top, with its related list (one update at a time).

        The drawing runs in a task of its own, which the caller's cancellation does not
        cancel: the preview is an exclusive worker, cancelled at each ``j``, and a cancel that
        reached Textual's removal of the old body's blocks cancelled their tasks too (one
        still composing ends "cancelled"); the app's own wait for that removal then raised
        ``CancelledError`` and ended the app's message loop, so the app quit without a word,
        exit status 0 (the app benchmark, j held during a refresh on the loaded machine: 1
        run in 4). A showing begun is finished; the next one waits for it (the lock).
        """
        self._pending += 1
        await asyncio.shield(self._show_locked(story, related))

    @property
    def drawing(self) -> bool:
        """Whether a showing is begun or waiting for the one before it: a task of its own,
        which no worker or message queue shows (``reader.ui.pilot.settle`` asks this)."""
        return self._pending > 0

    async def _show_locked(self, story: Story, related: Sequence[RelatedStory]) -> None:
        try:
            async with self._showing:
                if self.is_attached:
                    await self._show_story(story, related)
        finally:
            self._pending -= 1

    async def _show_story(self, story: Story, related: Sequence[RelatedStory]) -> None:
        self.story = story
        self._shown += 1
        self.query_one("#placeholder").display = False
        headline = self.query_one("#headline", Static)
        shown = shown_title(story.title, f"{story.standfirst} {story.body[:2000]}")
        headline.update(Content.styled(shown.text, "dim") if shown.stand_in
                        else Content(shown.text))
        headline.display = True
        standfirst = self.query_one("#standfirst", Static)
        standfirst.update(Content(clean_line(story.standfirst)))
        standfirst.display = bool(story.standfirst)
        line = self.query_one("#byline", Static)
        line.update(Content(clean_line(byline(story))))
        line.display = True
        enclosures = self.query_one("#enclosures", Static)
        enclosures.update(enclosures_content(story.enclosures))
        enclosures.display = bool(story.enclosures)
        self.show_also_in(())
        note = self.query_one("#teaser-note", Static)
        notes = []
        if story.teaser:
            notes.append("Teaser: this story is cut short and its full text is not in the cache."
                         + (" Press o to read it in your browser." if story.url else ""))
        if story.full_text_error and not story.full_text:
            notes.append(clean_line(f"full text: {story.full_text_error}"))
        note.update(Content("\n".join(notes)))
        note.display = bool(notes)
        body = clean_text(story.body)
        if story.full_text:  # a page often repeats its headline: shown once, as the headline
            body = without_title_heading(body, story.title)
        try:
            self.links = (await self._data.story_links(body)).links
        except StoreError:
            self.links = ()
        if len(body) > MAX_BODY_CHARS:
            body = body[:MAX_BODY_CHARS] + "\n\n*(cut here for display: the story is longer)*"
        numbers = {link.url: link.n for link in self.links}
        images = await self._saved_images(story)
        pictured = self.query_one("#pictured-body", StoryBody)
        markdown = self.query_one("#body", StoryMarkdown)
        markdown.numbers = numbers
        self.workers.cancel_group(self, "body")
        pieces: list[str] = []
        if images:  # only a story with saved images to show is drawn piece by piece
            markdown.display = False
            await markdown.update("")
            await pictured.show(body, images, numbers=numbers)
            pictured.display = True
        else:
            pictured.display = False
            await pictured.show("", {})
            markdown.display = bool(body)
            pieces = display_pieces(body)
            # Every piece is appended, the first too: after update(text) Textual 8.2.8 takes a
            # blank last line for the start of the last block, so the next append replaced that
            # block (a paragraph went missing); appends alone draw exactly what one update draws.
            await markdown.update("")
            await markdown.append(pieces[0])
        if not self.is_attached:
            return
        if len(pieces) > 1:
            self._draw_rest(self._shown, markdown, pieces[1:])
        self.query_one("#links", Static).update(links_content(self.links))
        self.query_one("#links-heading").display = bool(self.links)
        self.query_one("#links").display = bool(self.links)
        self.show_related(related)
        self.scroll_home(animate=False)

    @work(group="body", exclusive=True, exit_on_error=False)
    async def _draw_rest(self, showing: int, markdown: StoryMarkdown,
                         pieces: list[str]) -> None:
        """Append the rest of a body a piece at a time, yielding to keys between pieces; stops
        as soon as a story is shown again (``showing`` is no longer the latest)."""
        for piece in pieces:
            async with self._showing:
                if self._shown != showing or not self.is_attached:
                    return
                await asyncio.shield(markdown.append(piece))  # as in show_story
    async def _saved_images(self, story: Story) -> dict[str, Path]:
        """The story's saved image files by URL, read off the UI thread; nothing is fetched.
        Showing them counts as a use (the cache's cap evicts the least recently shown)."""
        folder = self.images_dir
        if folder is None or not self.show_images or not images_ready():
            return {}

        def read(store: Store) -> dict[str, Path]:
            from reader.images.cache import ImageCache

            return {url: saved.path for url, saved in
                    ImageCache(folder, store.conn).for_story(story.id).items()}

        try:
            images = await self._data.read_details(read)
            if images:
                self._touch_images(folder, story.id)
        except StoreError:
            return {}
        return images

    @work(group="touch-images", exit_on_error=False)
    async def _touch_images(self, folder: Path, story_id: str) -> None:
        def touch(store: Store) -> None:
            from reader.images.cache import ImageCache

            ImageCache(folder, store.conn).touch(story_id)

        with contextlib.suppress(StoreError):
            await self._data.write(touch)

    async def toggle_images(self) -> bool:
        """Images off (alt text and link, as without them) or on again; returns the new
        setting. The story shown is drawn again, at the top."""
        self.show_images = not self.show_images
        if self.story is not None:
            await self.show_story(self.story, self.related)
        return self.show_images

    def show_also_in(self, sources: Sequence[str]) -> None:
        """"Also in: …": other sources carrying the same story (grouped, not listed twice)."""
        also = self.query_one("#also-in", Static)
        also.update(Content("Also in: " + ", ".join(clean_line(s) for s in sources)))
        also.display = bool(sources)

    def show_related(self, related: Sequence[RelatedStory]) -> None:
        """Replace the related list (e.g. when similar stories arrive from a worker)."""
        self.related = tuple(related)
        self.query_one("#related-heading").display = bool(self.related)
        self.query_one(RelatedStories).show_items(self.related)

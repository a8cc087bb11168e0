"""``ReadingPane``: one story (headline, standfirst, byline, Markdown body) and its related list.

Feed text reaches the screen only as ``Content`` (never markup) and through the Markdown widget
with ``open_links=False``: a link in a story never opens by itself; the screen decides, and only
http(s) links are ever opened.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Markdown, Static

from reader.models import RelatedStory, Story
from reader.story_output import byline
from reader.text import clean_line, clean_text
from reader.ui.widgets.related_stories import RelatedStories

MAX_BODY_CHARS = 200_000
"""Longer bodies are cut for display (the cache keeps them whole): Markdown layout is linear."""


class ReadingPane(VerticalScroll, can_focus=True):
    """The story being read, scrolled with vim keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Scroll down", show=False, id="reading.down"),
        Binding("k,up", "scroll_up", "Scroll up", show=False, id="reading.up"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="reading.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="reading.page_up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="reading.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="reading.bottom"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.story: Story | None = None
        self.related: tuple[RelatedStory, ...] = ()
        self._showing = asyncio.Lock()

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
        yield Static(id="also-in", markup=False)
        yield Static(id="teaser-note", markup=False)
        yield Markdown(id="body", open_links=False)
        yield Static(Content("Related stories"), id="related-heading")
        yield RelatedStories(id="related")

    def on_mount(self) -> None:
        for part in ("#headline", "#standfirst", "#byline", "#also-in", "#teaser-note", "#body",
                     "#related-heading", "#related"):
            self.query_one(part).display = False

    async def show_story(self, story: Story, related: Sequence[RelatedStory]) -> None:
        """Show a story from the top, with its related list (one update at a time)."""
        async with self._showing:
            if self.is_attached:
                await self._show_story(story, related)

    async def _show_story(self, story: Story, related: Sequence[RelatedStory]) -> None:
        self.story = story
        self.query_one("#placeholder").display = False
        headline = self.query_one("#headline", Static)
        headline.update(Content(clean_line(story.title) or "(untitled)"))
        headline.display = True
        standfirst = self.query_one("#standfirst", Static)
        standfirst.update(Content(clean_line(story.standfirst)))
        standfirst.display = bool(story.standfirst)
        line = self.query_one("#byline", Static)
        line.update(Content(clean_line(byline(story))))
        line.display = True
        self.show_also_in(())
        note = self.query_one("#teaser-note", Static)
        note.update(Content(
            "Teaser: this story is cut short and its full text is not in the cache."
            + (" Press o to read it in your browser." if story.url else "")
        ))
        note.display = story.teaser
        body = clean_text(story.body)
        if len(body) > MAX_BODY_CHARS:
            body = body[:MAX_BODY_CHARS] + "\n\n*(cut here for display: the story is longer)*"
        markdown = self.query_one("#body", Markdown)
        markdown.display = bool(body)
        await markdown.update(body)
        if not self.is_attached:
            return
        self.show_related(related)
        self.scroll_home(animate=False)

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

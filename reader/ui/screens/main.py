"""``MainScreen``: the story list beside the reading pane, and the routing between them.

Widgets post messages up (a story highlighted, a story chosen); this screen decides what to
show, keeps the browser-like history, and sends small writes (read, star) to the background
writer so a key press never waits on the database.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import ClassVar
from urllib.parse import urlsplit

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static

from reader.history import History
from reader.models import RelatedStory, Story, View
from reader.store import Store, StoreError
from reader.store.writer import BackgroundWriter
from reader.ui.messages import StoryChosen, StoryHighlighted
from reader.ui.screens.refreshing import Refreshing
from reader.ui.screens.search_mode import SearchMode
from reader.ui.screens.sources import SourcesScreen
from reader.ui.widgets.reading_pane import ReadingPane
from reader.ui.widgets.related_stories import RelatedStories
from reader.ui.widgets.story_list import StoryList

NARROW_BELOW = 100
PREVIEW_DELAY = 0.08
"""Seconds the cursor rests before the story under it is previewed (holding j stays smooth)."""


def related_bindings() -> list[Binding]:
    return [
        Binding(str(n), f"open_related({n})", f"Open related story {n}", show=False,
                id=f"story.related_{n}")
        for n in range(1, 10)
    ]


class MainScreen(SearchMode, Refreshing, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left_square_bracket,backspace", "back", "Back", id="story.back"),
        Binding("right_square_bracket", "forward", "Forward", id="story.forward"),
        Binding("m", "toggle_read", "Read/unread", show=False, id="story.toggle_read"),
        Binding("s", "toggle_star", "Star", id="story.toggle_star"),
        Binding("u", "toggle_unread_only", "Unread only", id="view.unread_only"),
        Binding("asterisk", "toggle_starred_only", "Starred only", show=False,
                id="view.starred_only"),
        Binding("o", "open_link", "Open link", show=False, id="story.open_link"),
        Binding("slash", "search", "Search", id="view.search"),
        Binding("ctrl+s", "save_search", "Save search", show=False, id="view.save_search"),
        Binding("R", "refresh", "Refresh", id="feeds.refresh"),
        Binding("S", "sources", "Sources", show=False, id="view.sources"),
        Binding("escape", "back_out", "Back out", show=False, id="app.back_out"),
        *related_bindings(),
    ]

    def __init__(self, store: Store, writer: BackgroundWriter) -> None:
        super().__init__()
        self.store = store
        self.writer = writer
        self.history = History()
        self.current: Story | None = None
        self._preview_timer: Timer | None = None
        self._refresh_cancel: threading.Event | None = None
        self._search_timer: Timer | None = None
        self._before_search: tuple[View, str | None] | None = None
        self._search_summary = ""

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        with Horizontal(id="panes"):
            with Vertical(id="list-pane"):
                yield Input(placeholder="search: words \"a phrase\" pre* -not source:NAME "
                            "is:unread is:starred tag:NAME", id="search")
                yield StoryList(self.store, id="stories")
            yield ReadingPane(id="reading")
        yield Static(id="status", markup=False)
        yield Footer()

    @property
    def story_list(self) -> StoryList:
        return self.query_one(StoryList)

    @property
    def reading_pane(self) -> ReadingPane:
        return self.query_one(ReadingPane)

    def on_mount(self) -> None:
        self.query_one("#search", Input).display = False
        self.story_list.set_view(View())
        self.story_list.focus()
        self._update_titles()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < NARROW_BELOW, "-narrow")

    # -- status ------------------------------------------------------------------------------

    def _update_titles(self) -> None:
        view = self.story_list.view
        total = self.story_list.total
        self.sub_title = f"{view.describe()} · {total:,} {'story' if total == 1 else 'stories'}"

    def set_status(self, text: str) -> None:
        self.query_one("#status", Static).update(Content(text))

    # -- showing stories ---------------------------------------------------------------------

    def related_for(self, story: Story) -> list[RelatedStory]:
        """What can be shown at once: explicit links both ways. Similar stories follow from
        ``_load_related`` in a worker, so opening a story never waits for the content match."""
        return self.store.explicit_related(story)

    @work(thread=True, exclusive=True, group="related", exit_on_error=False)
    def _load_related(self, story: Story) -> None:
        """Compute the full related list (explicit, then similar) on a thread and connection
        of its own, and hand it to the pane if the reader is still on that story."""
        from reader.related import also_in, related_stories

        database = self.app.paths.database  # type: ignore[attr-defined]
        with Store.open(database) as store:
            related = related_stories(store, story)
            copies = also_in(store, story)
        self.app.call_from_thread(self._related_ready, story.id, related, copies)

    def _related_ready(self, story_id: str, related: list[RelatedStory],
                       copies: list[str]) -> None:
        pane = self.reading_pane
        if pane.story is not None and pane.story.id == story_id:
            pane.show_related(related)
            pane.show_also_in(copies)

    @on(StoryHighlighted)
    def _schedule_preview(self, message: StoryHighlighted) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        if message.row is not None and self.story_list.view.query:
            self.show_snippet(message.row.id)
        if message.row is not None:
            story_id = message.row.id
            if self.current is not None and self.current.id == story_id:
                return  # already on screen: keep the reader's scroll position
            self._preview_timer = self.set_timer(
                PREVIEW_DELAY, lambda: self.run_worker(
                    self.show_story(story_id), group="preview", exclusive=True,
                    exit_on_error=False,  # a preview racing a quit must not end the app
                ),
            )

    @on(StoryChosen)
    async def _open_chosen(self, message: StoryChosen) -> None:
        await self.open_story(message.story_id)

    async def show_story(self, story_id: str) -> Story | None:
        """Load a story into the reading pane without recording it in the history."""
        try:
            story = self.store.get_story(story_id)
        except StoreError as exc:
            self.set_status(str(exc))
            return None
        self.current = story
        await self.reading_pane.show_story(story, self.related_for(story))
        self._load_related(story)
        return story

    async def open_story(self, story_id: str, *, record: bool = True) -> None:
        """Open a story to read: show it, focus it, mark it read, remember it in the history."""
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self.workers.cancel_group(self, "preview")
        story = await self.show_story(story_id)
        if story is None:
            return
        if record:
            self.history.visit(story.id)
        if not self.story_list.move_to_story(story.id):
            self.set_status("This story is not in the current view (Esc shows all stories)")
        if not story.read:
            self._set_read(story, True)
        self.add_class("-reading")
        self.reading_pane.focus()

    def _set_read(self, story: Story, read: bool) -> None:
        self.writer.submit(lambda store: store.set_read(story.id, read))
        self.story_list.update_story(story.id, read=read)
        if self.current is not None and self.current.id == story.id:
            self.current = replace(self.current, read=read)

    def _target(self) -> Story | None:
        """The story an action applies to: the list's row when the list has focus."""
        if self.story_list.has_focus and not self.has_class("-reading"):
            row = self.story_list.highlighted
            if row is None:
                return None
            if self.current is None or self.current.id != row.id:
                try:
                    return self.store.get_story(row.id)
                except StoreError:
                    return None
        return self.current

    # -- actions -----------------------------------------------------------------------------

    async def action_open_related(self, number: int) -> None:
        related = self.reading_pane.related
        if not 1 <= number <= len(related):
            self.set_status(f"No related story {number}")
            return
        await self.open_story(related[number - 1].id)

    async def action_back(self) -> None:
        if not self.history.back():
            self.set_status("Back: this is the first story you opened")
            return
        await self.open_story(self.history.current or "", record=False)

    async def action_forward(self) -> None:
        if not self.history.forward():
            self.set_status("Forward: no story after this one")
            return
        await self.open_story(self.history.current or "", record=False)

    def action_toggle_read(self) -> None:
        story = self._target()
        if story is not None:
            read = not story.read
            self._set_read(story, read)
            self.set_status("Marked read" if read else "Marked unread")

    def action_toggle_star(self) -> None:
        story = self._target()
        if story is None:
            return
        starred = not story.starred
        self.writer.submit(lambda store: store.set_starred(story.id, starred))
        self.story_list.update_story(story.id, starred=starred)
        if self.current is not None and self.current.id == story.id:
            self.current = replace(self.current, starred=starred)
        self.set_status("Starred" if starred else "Star removed")

    def set_view(self, view: View) -> None:
        keep = self.current.id if self.current else None
        row = self.story_list.highlighted
        self.story_list.set_view(view, keep_story=row.id if row else keep)
        self._update_titles()

    def action_toggle_unread_only(self) -> None:
        view = self.story_list.view
        self.set_view(replace(view, unread_only=not view.unread_only))

    def action_toggle_starred_only(self) -> None:
        view = self.story_list.view
        self.set_view(replace(view, starred_only=not view.starred_only))

    def action_open_link(self) -> None:
        story = self._target()
        url = story.url if story else None
        if not url:
            self.set_status("This story has no link")
            return
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            self.set_status("Only http and https links are opened")
            return
        self.app.open_url(url)
        self.set_status(f"Opened {url}")

    def action_back_out(self) -> None:
        """Esc: end a search, else leave the story, else focus the list, else show all."""
        if self._before_search is not None:
            self.end_search()
            return
        leaving_story = self.has_class("-narrow") and self.has_class("-reading")
        if leaving_story or not self.story_list.has_focus:
            self.remove_class("-reading")
            self.story_list.focus()
        elif self.story_list.view != View():
            self.set_view(View())

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, StoryList):
            self.remove_class("-reading")
        elif isinstance(event.widget, (ReadingPane, RelatedStories)):
            self.add_class("-reading")

    # -- sources and refresh -----------------------------------------------------------------

    def action_sources(self) -> None:
        from reader.store.searches import saved_searches

        def chosen(view: View | None) -> None:
            if view is not None:
                if self._before_search is not None:
                    self.end_search()
                self.set_view(view)

        self.app.push_screen(
            SourcesScreen(self.store.sources(), self.story_list.view,
                          saved_searches(self.store)),
            chosen,
        )

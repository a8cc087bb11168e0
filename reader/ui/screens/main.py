"""``MainScreen``: the story list beside the reading pane, and the routing between them.

Widgets and workers post messages up (a story highlighted, chosen or opened, a search shown,
a refresh's progress); this screen decides what each means for the others and for the status
line. Every read and write goes through ``UiData``'s threads, so a key press never waits on
the cache.

The first frame needs only the list. The reading pane and the other screens are imported on a
thread once the list has painted (``reader.ui.deferred``) and the pane is mounted then;
whatever needs one of them first awaits ``ready()``. textual-image follows on the same kind of
thread when this run draws pictures (``reader.ui.picture_support``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Static
from textual.worker import WorkerState

from reader.config import FetchSettings, ReadingSettings, RefreshSettings, SyncSettings
from reader.filters import Rules
from reader.fulltext.options import FullTextOptions
from reader.history import History
from reader.models import Story, StoryRow, View
from reader.store import StoreError
from reader.ui import keys, picture_support
from reader.ui.auto_refresh import TICK, AutoRefresh, Clock
from reader.ui.data import UiData
from reader.ui.full_text import FullTextFetcher
from reader.ui.list_first import paint_first
from reader.ui.marks import Mark, MarkFailed, MarkField, Marks, MarkStored, story_name
from reader.ui.messages import (
    FeedsRefreshed,
    FullTextFetched,
    FullTextProgressed,
    ProgramEnded,
    RefreshFailed,
    RefreshFinished,
    RefreshProgressed,
    StoryChosen,
    StoryHighlighted,
    SyncFailed,
    SyncFinished,
)
from reader.ui.notify import run_notify
from reader.ui.refresh_worker import Refresher
from reader.ui.story_actions import Programs, StoryActions
from reader.ui.triage import Triage
from reader.ui.widgets.footer import AppFooter
from reader.ui.widgets.list_pane import ListPane
from reader.ui.widgets.status_line import StatusLine
from reader.ui.widgets.story_list import StoryList

if TYPE_CHECKING:
    from reader.ui.widgets.reading_pane import ReadingPane

NARROW_BELOW = 100


class MainScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [*keys.bindings(keys.MAIN),
                                             *keys.bindings(keys.RELATED)]
    AUTO_FOCUS = "StoryList"
    """The list has the focus as the screen opens. Textual's default ("*", the first widget
    that can take it) was the hidden search field: for one frame the footer offered "esc
    Cancel the search", until ``on_mount`` gave the list the focus (a second focus, now
    gone)."""

    def __init__(self, data: UiData, database: Path, fetch: FetchSettings,
                 sync: SyncSettings | None = None, *, programs: Programs | None = None,
                 refresh: RefreshSettings | None = None, filters: Rules | None = None,
                 clock: Clock = time.time, tick: float = TICK,
                 full_text: FullTextOptions | None = None,
                 reading: ReadingSettings | None = None, sorts: dict[str, str] | None = None,
                 config_file: Path | None = None) -> None:
        super().__init__()
        self.data = data
        self._pane: ReadingPane | None = None
        self._list: StoryList | None = None
        self._ready = asyncio.Event()
        self._loading = False
        self._refresher = Refresher(self, data, database, fetch, sync, filters,
                                    full_text=full_text)
        self._full_text = FullTextFetcher(self, database, fetch, full_text)
        self._fetch, self._sync, self._filters = fetch, sync, filters
        self._auto = AutoRefresh(refresh or RefreshSettings(), clock)
        self._tick = tick
        self._shown_once = False
        self.marks = Marks(data, self)
        self._actions = StoryActions(self, data, programs or Programs(), self._target,
                                     self.set_status, self._shown_target)
        self.triage = Triage(self, sorts=sorts, config_file=config_file,
                             mark_read_on=(reading or ReadingSettings()).mark_read_on)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        with Horizontal(id="panes"):
            yield ListPane(self.data, id="list-pane")
        with Horizontal(id="status-row"):
            yield StatusLine(self.data, id="status")
            yield Static(id="refresh-times", markup=False)
        yield AppFooter()

    def _on_timer_update(self) -> None:
        # The list's moved cursor leaves before the reading pane's layout and text: a key is
        # answered at once even while a preview draws (``reader.ui.list_first``).
        paint_first(self, self._story_list())
        super()._on_timer_update()

    def on_idle(self) -> None:
        # While a batch (the pane's Markdown mounting its blocks) holds every frame.
        if self.app._batch_count:
            paint_first(self, self._story_list())

    def _story_list(self) -> StoryList | None:
        if self._list is None:
            self._list = next(iter(self.query(StoryList)), None)  # None until composed
        return self._list

    @property
    def list_pane(self) -> ListPane:
        return self.query_one(ListPane)

    @property
    def story_list(self) -> StoryList:
        return self.query_one(StoryList)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    @property
    def reading_pane(self) -> ReadingPane:
        if self._pane is None:
            raise LookupError("the reading pane mounts after the first frame: await ready()")
        return self._pane

    @property
    def current(self) -> Story | None:
        """The story in the reading pane (previewed or opened)."""
        return self._pane.story if self._pane is not None else None

    @property
    def opened_id(self) -> str | None:
        """The story last opened to read (not merely previewed), if any."""
        return self._pane.history.current if self._pane is not None else None

    @property
    def history(self) -> History:
        return self.reading_pane.history

    def on_mount(self) -> None:
        view = self.triage.sorted_view(View())
        self.sub_title = view.describe()
        self.story_list.set_view(view)
        self.set_interval(self._tick, self._check_auto_refresh)

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW_BELOW
        self.set_class(narrow, "-narrow")
        footer = self.query_one(AppFooter)  # at 80 columns, compact and without ^p: "? Help" fits
        footer.compact = narrow
        footer.show_command_palette = not narrow

    def on_unmount(self) -> None:
        self._refresher.cancel()

    def set_status(self, text: str) -> None:
        self.status.say(text)

    def _failed(self, text: str) -> None:
        """Something the reader asked for did not happen: say so where it is seen."""
        self.set_status(text)
        self.notify(text, title="Not done", severity="error", markup=False, timeout=8)

    failed = _failed

    def ask(self, question: str, answered: Callable[[bool | None], None]) -> None:
        """A y/n question over the screen (``ready()`` first: it is a deferred screen)."""
        from reader.ui.deferred import ConfirmScreen  # imported by ready()

        self.app.push_screen(ConfirmScreen(question), answered)

    def cursor_story_id(self) -> str | None:
        """The story to keep the cursor on when the list is read again."""
        row = self.story_list.highlighted
        return row.id if row else self.current.id if self.current else None

    # -- after the first frame -----------------------------------------------------------------

    async def ready(self) -> None:
        """Wait until the reading pane is mounted and the other screens are imported."""
        self._load_deferred()
        await self._ready.wait()

    def _load_deferred(self) -> None:
        if not self._loading:
            self._loading = True
            self._mount_deferred()

    @work(group="deferred")
    async def _mount_deferred(self) -> None:
        await asyncio.to_thread(import_module, "reader.ui.deferred")
        from reader.ui.deferred import ReadingPane  # imported just now: a dictionary lookup

        self._pane = ReadingPane(self.data, id="reading")
        self._pane.images_dir = self._full_text.images_dir
        await self.query_one("#panes").mount(self._pane)
        self._ready.set()
        row = self.story_list.highlighted
        if row is not None:
            self._pane.preview(row.id)
        if picture_support.images_ready():  # textual-image, before a picture is shown
            await asyncio.to_thread(picture_support.load)

    @on(StoryList.Shown)
    def _list_shown(self, message: StoryList.Shown) -> None:
        total = message.total
        self.sub_title = (f"{message.view.describe()} · {total:,} "
                          f"{'story' if total == 1 else 'stories'}")
        if not self._loading:
            self.call_after_refresh(self._load_deferred)
        if not self._shown_once:  # the first frame is on screen: refreshes may start
            self._shown_once = True
            self.call_after_refresh(self._opened)

    # -- which story -----------------------------------------------------------------------------

    @on(StoryHighlighted)
    def _highlighted(self, message: StoryHighlighted) -> None:
        self.triage.preview_moved()
        if message.row is None:
            return
        if self._pane is not None:  # else the pane previews the cursor's story once mounted
            self._pane.preview(message.row.id)
        query = self.story_list.view.query
        if query:
            self.status.show_snippet(query, message.row.id)

    @on(StoryChosen)
    def _chosen(self, message: StoryChosen) -> None:
        self.open(message.story_id)

    @work(group="open", exclusive=True, exit_on_error=False)
    async def open(self, story_id: str) -> None:
        """Open a story to read, in a worker so keys keep flowing while it loads."""
        await self.open_story(story_id)

    async def open_story(self, story_id: str) -> None:
        """Open a story to read: the pane shows it and says ``Opened`` (handled below)."""
        await self.ready()
        await self.reading_pane.open_story(story_id)

    def on_reading_pane_opened(self, message: ReadingPane.Opened) -> None:
        """A story was opened: the list's cursor follows it, it is marked read and focused."""
        self._follow(message.story)
        if not message.story.read:
            self.marks.send(Mark(message.story.id, "read", True), announce=False,
                            name=story_name(message.story))
        self.add_class("-reading")
        self.reading_pane.focus()

    @work(group="follow", exclusive=True, exit_on_error=False)
    async def _follow(self, story: Story) -> None:
        if not await self.story_list.move_to_story(story.id):
            self.set_status("This story is not in the current view (Esc shows all stories)")

    def on_reading_pane_previewed(self, message: ReadingPane.Previewed) -> None:
        self.triage.previewed(message.story)

    def on_reading_pane_not_shown(self, message: ReadingPane.NotShown) -> None:
        self.set_status(message.reason)

    def action_open_related(self, number: int) -> None:
        if self._pane is None or not self._pane.open_related(number):
            self.set_status(f"No related story {number}")

    def action_back(self) -> None:
        if self._pane is None or not self._pane.back():
            self.set_status("Back: this is the first story you opened")

    def action_forward(self) -> None:
        if self._pane is None or not self._pane.forward():
            self.set_status("Forward: no story after this one")

    async def _target(self) -> Story | StoryRow | None:
        """The story an action applies to: the list's row when the list has focus."""
        if self.story_list.has_focus and not self.has_class("-reading"):
            row = await self.story_list.row_under_cursor()
            if row is None or self.current is None or self.current.id != row.id:
                return row
        return self.current

    def _shown_target(self) -> Story | None:
        """``_target`` when it is the story in the reading pane (known without a read)."""
        if self.story_list.has_focus and not self.has_class("-reading"):
            row = self.story_list.highlighted
            if row is None or self.current is None or self.current.id != row.id:
                return None
        return self.current

    async def action_open_link(self) -> None:
        target = await self._target()
        try:
            story = (await self.data.story(target.id))[0] if target else None
        except StoreError as exc:
            self.set_status(str(exc))
            return
        url = story.url if story else None
        if not url:
            self.set_status("This story has no link")
        else:
            self._actions.open_url(url)

    # -- links, copies, enclosures, programs (``StoryActions``) ----------------------------------

    async def action_story(self, name: str) -> None:
        """``f y Y e | w``: the action of that name of ``StoryActions``."""
        await self._actions.run(name)

    @on(ProgramEnded)
    def _program_ended(self, message: ProgramEnded) -> None:
        if message.failure:
            self._failed(message.failure)

    def action_back_out(self) -> None:
        """Esc: end a search, else stop a story opening, else leave the story, else focus the
        list, else show all."""
        if self.list_pane.searching:
            self.list_pane.end_search()
            return
        opening = [w for w in self.workers if w.node is self and w.group == "open"
                   and w.state in (WorkerState.PENDING, WorkerState.RUNNING)]
        if opening:  # Enter's story is still loading: it would take the focus after this Esc
            self.workers.cancel_group(self, "open")
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
        elif self._pane is not None and self._pane in event.widget.ancestors_with_self:
            self.add_class("-reading")

    # -- marks -----------------------------------------------------------------------------------

    async def _toggle(self, field: MarkField) -> None:
        story = await self._target()
        if story is not None:
            mark = self.marks.toggle(story, field)
            self.set_status(mark.doing)
            self.marks.send(mark, announce=True, name=story_name(story))

    @on(MarkStored)
    def _mark_stored(self, message: MarkStored) -> None:
        self.show_mark(message.mark)
        if message.announce:
            self.set_status(message.mark.done)

    def show_mark(self, mark: Mark) -> None:
        """The list and the pane show a mark the cache has stored."""
        self.story_list.update_story(mark.story_id, **{mark.field: mark.value})
        if self._pane is not None:
            self._pane.update_story(mark.story_id, **{mark.field: mark.value})

    @on(MarkFailed)
    def _mark_failed(self, message: MarkFailed) -> None:
        self._failed(message.mark.failed(message.reason))

    async def action_toggle_read(self) -> None:
        await self._toggle("read")

    async def action_toggle_star(self) -> None:
        await self._toggle("starred")

    # -- triage (reader.ui.triage) ---------------------------------------------------------------

    def action_next_unread(self) -> None:
        self.triage.next_unread(backwards=False)

    def action_previous_unread(self) -> None:
        self.triage.next_unread(backwards=True)

    def action_undo(self) -> None:
        self.triage.undo()

    def action_mark_all_read(self) -> None:
        view = self.story_list.shown_view
        if view is not None:
            self.mark_view_read(view)

    def mark_view_read(self, view: View, name: str | None = None) -> None:
        """Mark every story of ``view`` read after asking, undoably (the sources screen's
        ``A`` marks a feed or folder read through this too)."""
        self.triage.mark_view_read(view, name)

    def action_sort(self) -> None:
        self.triage.next_sort()

    # -- views and search ------------------------------------------------------------------------

    def set_view(self, view: View) -> None:
        """Show ``view`` in its remembered order, the cursor staying on its story."""
        self.story_list.set_view(self.triage.sorted_view(view),
                                 keep_story=self.cursor_story_id())

    def action_toggle_unread_only(self) -> None:
        view = self.story_list.view
        self.set_view(replace(view, unread_only=not view.unread_only))

    def action_toggle_starred_only(self) -> None:
        view = self.story_list.view
        self.set_view(replace(view, starred_only=not view.starred_only))

    def action_show_all(self) -> None:
        self.set_view(View())

    def action_search(self) -> None:
        """``/``: a search field over the list; the list narrows as you type."""
        self.list_pane.start_search()
        self.remove_class("-reading")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the search field has focus ``/`` types a slash, so the footer leaves it out."""
        return not (action == "search" and self.list_pane.typing)

    def on_list_pane_searched(self, message: ListPane.Searched) -> None:
        self.status.say_search(message.total, message.note)

    def on_list_pane_search_ended(self, message: ListPane.SearchEnded) -> None:
        self.status.end_search()
        self.story_list.focus()

    def action_save_search(self) -> None:
        """Keep the current search as a view listed beside the sources (S)."""
        query = self.story_list.view.query
        if not query:
            self.set_status("Nothing to save: search with / first")
            return
        self._save_search(query)

    @work(group="save", exit_on_error=False)
    async def _save_search(self, query: str) -> None:
        try:
            saved = await self.data.save_search(query, query)
        except StoreError as exc:
            self._failed(f"Could not save the search: {exc}")
            return
        self.set_status(f"Saved the search {saved.name!r}: S lists it beside the sources")

    def action_sources(self) -> None:
        self._show_sources()

    @work(group="sources", exclusive=True, exit_on_error=False)
    async def _show_sources(self) -> None:
        try:
            sources, searches = await self.data.sources()
        except StoreError as exc:
            self.set_status(str(exc))
            return
        await self.ready()
        from reader.ui.deferred import SourcesScreen

        def chosen(view: View | None) -> None:
            if view is not None:
                if self.list_pane.searching:
                    self.list_pane.end_search()
                self.set_view(view)

        self.app.push_screen(SourcesScreen(
            sources, self.story_list.view, searches, data=self.data, fetch=self._fetch,
            filters=self._filters, sync=self._sync, refresh=self._refresh_from_sources,
            mark_read=self._mark_from_sources,
        ), chosen)

    async def _mark_from_sources(self, view: View, name: str) -> None:
        """The sources screen's ``A``: the same question and undoable mark as ``A`` here
        (``U`` takes it back); the sources screen says how it went and counts again."""
        self.triage.mark_view_read(
            view, name, tell=lambda text, marked: self._tell_sources(text, reload=marked))

    def _refresh_from_sources(self, feed_ids: list[int], name: str) -> None:
        """The sources screen's ``R``: that feed or folder only; it hears how it went."""
        if not feed_ids:
            self._tell_sources(f"{name} has no feed to refresh")
            return
        if self._refresher.running:  # one refresh at a time: this one would not start
            self._tell_sources("A refresh is already running: R again once it has ended")
            return
        self._tell_sources(f"Refreshing {name}…")
        self.start_refresh(feed_ids)

    def _tell_sources(self, text: str, *, reload: bool = False) -> None:
        """Say ``text`` on the sources screen when it is open (and read its counts again)."""
        from reader.ui.deferred import SourcesScreen

        screen = self.app.screen
        if isinstance(screen, SourcesScreen):
            screen.say(text)
            if reload:
                self.run_worker(screen.reload(), group="sources-reload", exit_on_error=False)

    # -- refresh ---------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.start_refresh()

    @work(group="refresh-start", exit_on_error=False)
    async def start_refresh(self, feed_ids: Sequence[int] | None = None, *,
                            automatic: bool = False) -> None:
        """Refresh every feed (``R``), the feeds named (the sources screen), or, automatic,
        the feeds that are due (on start, every ``refresh_interval``)."""
        said = await self._refresher.start(feed_ids, automatic=automatic)
        if self._refresher.running:
            self._auto.started()
        if said is not None:
            self.set_status(said)

    @work(group="refresh-start", exit_on_error=False)
    async def _opened(self) -> None:
        """After the first frame: what the status row says of refreshes, then the refresh
        on start (``refresh_on_start``) or the first one an interval away."""
        with contextlib.suppress(StoreError):
            self._auto.last_refreshed = await self.data.last_refreshed()
        if self._auto.on_start:
            await self.start_refresh(automatic=True).wait()
        if not self._refresher.running:
            self._auto.opened()
        await self._show_refresh_times()

    def _check_auto_refresh(self) -> None:
        if self._auto.due() and not self._refresher.running:
            self.start_refresh(automatic=True)

    async def _show_refresh_times(self) -> None:
        """``updated 14:02 · next 15:02`` at the right of the status row (once there are
        feeds to refresh)."""
        try:
            shown = self._auto.describe() if await self.data.has_feeds() else ""
        except StoreError:
            shown = ""
        times = self.query_one("#refresh-times", Static)
        times.update(Content(shown))
        times.set_class(bool(shown), "-shown")

    @work(thread=True, group="notify", exit_on_error=False)
    def _notify(self, new: int) -> None:
        """Run ``notify_command`` off the UI thread; a failure is one status line."""
        problem = run_notify(self._auto.settings.notify_command, new)
        if problem is not None:
            self.app.call_from_thread(self.set_status, problem)

    @on(RefreshProgressed)
    def _refresh_progressed(self, message: RefreshProgressed) -> None:
        self.status.say_progress(message.done, message.total)
        if self._loading:
            self._tell_sources(f"Refreshing feeds… {message.done}/{message.total}")

    @on(SyncFinished)
    def _sync_finished(self, message: SyncFinished) -> None:
        """The server's stories join the list (the cursor stays); the local refresh goes on."""
        if message.new:
            self._reload_list()
        self.status.say_synced(message)

    @on(SyncFailed)
    def _sync_failed(self, message: SyncFailed) -> None:
        self.status.say_sync_failed(message.reason)

    @on(RefreshFailed)
    def _refresh_failed(self, message: RefreshFailed) -> None:
        self._refresher.ended()
        self._auto.ended(refreshed=False)
        self.run_worker(self._show_refresh_times(), group="refresh-times")
        self.set_status(f"Refresh failed: {message.reason}")

    @on(RefreshFinished)
    def _refresh_finished(self, message: RefreshFinished) -> None:
        """New stories join the list; the cursor stays on its story, the pane is untouched."""
        self._refresher.ended()
        summary = message.summary
        self._auto.ended(refreshed=any(o.status in ("ok", "not_modified")
                                      for o in summary.outcomes))
        self.run_worker(self._show_refresh_times(), group="refresh-times")
        if summary.fresh and self._auto.settings.notify_command:
            self._notify(summary.fresh)
        if message.automatic and not summary.outcomes:
            return  # nothing was due: nothing to say
        self._reload_list()
        self.status.say_refreshed(summary)
        if self._loading:
            self._tell_sources("Refreshed " + summary.describe(), reload=True)

    def _reload_list(self) -> None:
        row = self.story_list.highlighted
        self.story_list.reload(keep_story=row.id if row else None)

    @on(FeedsRefreshed)
    def _feeds_refreshed(self, message: FeedsRefreshed) -> None:
        """The feeds are stored (their pages come next): new stories join the list now. The
        outcome and any failed feeds are told once, when the whole refresh ends."""
        if not message.summary.outcomes:
            return  # nothing was due (an automatic refresh): nothing to say
        self._reload_list()
        self.status.say_refreshed(message.summary, final=False)

    # -- full text and images --------------------------------------------------------------------

    async def action_full_text(self) -> None:
        target = await self._target()
        if target is None:
            self.set_status("No story to fetch: pick one from the list")
            return
        self.set_status(self._full_text.start(target.id))

    @on(FullTextProgressed)
    def _full_text_progressed(self, message: FullTextProgressed) -> None:
        what = "images" if message.images else "full text"
        self.set_status(f"Saving {what}… {message.done}/{message.total}")

    @on(FullTextFetched)
    async def _full_text_fetched(self, message: FullTextFetched) -> None:
        """``F`` ended: the story is shown again with what was saved, or the reason."""
        self._full_text.ended()
        if message.error is None:
            pictures = f"; {message.images} image{'s' if message.images != 1 else ''}" \
                if message.images else ""
            self.set_status(f"Full text saved{pictures}")
        else:
            self.set_status(f"full text: {message.error}")
        current = self.current
        if current is not None and current.id == message.story_id and self._pane is not None:
            self._pane.open(message.story_id, record=False)

    async def action_toggle_images(self) -> None:
        await self.ready()
        shown = await self.reading_pane.toggle_images()
        self.set_status("Images shown" if shown else "Images hidden: their alt text and link")

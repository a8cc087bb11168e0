"""Working through a day's stories: a whole view marked read (after asking), undo, the next
unread story, sort orders, and "read once previewed".

The main screen's keys ``A``, ``U``, ``n``, ``p`` and ``O`` call in here, and so may other
screens (the sources screen marks a feed or a folder read with ``mark_view_read``). Every
query and write runs on ``UiData``'s threads; the work that follows a key press is a worker,
and a question is a screen with a callback, so nothing waits on the UI thread or hangs in a
worker while a question is open.

Undo (``reader.undo``) holds each change the cache stored, newest last: one mark made by a
key, by opening a story or by previewing it, or a whole view marked read. ``U`` first lets
the marks still on their way be stored (``Marks.settled``), so it takes back the last one made.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from textual.timer import Timer
from textual.worker import Worker

from reader.config import ConfigError, save_sort_order
from reader.models import SORT_NAMES, SORT_ORDERS, MarkField, SortOrder, Story, View
from reader.store import StoreError
from reader.ui.marks import Mark, story_name
from reader.undo import Change

if TYPE_CHECKING:
    from reader.ui.data import UiData
    from reader.ui.marks import Marks
    from reader.ui.widgets.reading_pane import ReadingPane
    from reader.ui.widgets.story_list import StoryList


class TriageHost(Protocol):
    """What triage needs of the screen it works for (``MainScreen``)."""

    data: UiData
    marks: Marks

    @property
    def story_list(self) -> StoryList: ...
    @property
    def reading_pane(self) -> ReadingPane: ...
    @property
    def current(self) -> Story | None: ...
    @property
    def opened_id(self) -> str | None: ...
    def set_status(self, text: str) -> None: ...
    def failed(self, text: str) -> None: ...
    def cursor_story_id(self) -> str | None: ...
    def show_mark(self, mark: Mark) -> None: ...
    def ask(self, question: str, answered: Callable[[bool | None], None]) -> None: ...
    async def ready(self) -> None: ...
    async def open_story(self, story_id: str) -> None: ...
    def set_view(self, view: View) -> None: ...
    def run_worker(self, work: Coroutine[Any, Any, None], name: str | None = ...,
                   group: str = ..., description: str = ..., exit_on_error: bool = ...,
                   start: bool = ..., exclusive: bool = ...,
                   thread: bool = ...) -> Worker[None]: ...
    def set_timer(self, delay: float, callback: Callable[[], object] | None = ..., *,
                  name: str | None = ..., pause: bool = ...) -> Timer: ...

Tell = Callable[[str, bool], None]
"""Hears what a bulk mark says on the way: the line, and whether stories were marked."""


class Say(Protocol):
    def __call__(self, text: str, *, failed: bool = ..., marked: bool = ...) -> None: ...


PREVIEW_READ_SECONDS = 1.0
"""With ``mark_read_on = "preview"``: how long a story must stay in the pane to count as read."""


def plural(count: int, word: str = "story") -> str:
    return f"{count:,} {word if count == 1 else 'stories' if word == 'story' else word + 's'}"


class Triage:
    """Bulk marks, undo, next unread, sort orders and read-on-preview for one main screen."""

    def __init__(self, screen: TriageHost, *, sorts: dict[str, str] | None = None,
                 config_file: Path | None = None, mark_read_on: str = "open") -> None:
        self._screen = screen
        self._sorts: dict[str, SortOrder] = {
            name: order for name, order in (sorts or {}).items()
            if order in SORT_ORDERS}
        self._config_file = config_file
        self.mark_read_on = mark_read_on
        self.preview_read_seconds = PREVIEW_READ_SECONDS
        self._preview: tuple[str, Timer] | None = None
        self._bulk = 0

    # -- A: a whole view read --------------------------------------------------------------------

    def mark_view_read(self, view: View, name: str | None = None,
                       tell: Tell | None = None) -> None:
        """Ask "Mark N stories read? y/n" for ``view`` (``name``: how to call it in the
        question, e.g. a folder), and mark them all on ``y``. ``tell`` hears each line said
        on the way too (with True once stories were marked): the sources screen's ``A``
        shows them over the list, and reads its counts again."""
        self._screen.run_worker(self._ask(view, name, tell), group="mark-view",
                                exclusive=True, exit_on_error=False)

    async def _ask(self, view: View, name: str | None, tell: Tell | None) -> None:
        screen = self._screen

        def say(text: str, *, failed: bool = False, marked: bool = False) -> None:
            (screen.failed if failed else screen.set_status)(text)
            if tell is not None:
                tell(text, marked)

        try:
            count = await screen.data.count_to_mark(view, "read", True)
        except StoreError as exc:
            say(f"Could not count the unread stories: {exc}", failed=True)
            return
        if count == 0:
            say(f"Nothing to mark: every story in {name or 'this view'} is read")
            return
        where = f" in {name}" if name else ""
        question = f"Mark {plural(count)}{where} read?"

        def answered(yes: bool | None) -> None:
            if yes:
                self._bulk += 1
                screen.run_worker(self._mark_view(view, count, say), group="mark-view",
                                  exit_on_error=False)
            else:
                say("Nothing marked")

        await screen.ready()
        screen.ask(f"{question} y/n", answered)

    async def _mark_view(self, view: View, count: int, say: Say) -> None:
        screen = self._screen
        say(f"Marking {plural(count)} read…")
        try:
            marked = await screen.data.mark_view(view, "read", True)
        except StoreError as exc:
            say(f"Could not mark the stories read: {exc}", failed=True)
            return
        finally:
            self._bulk -= 1
        label = f"marked {plural(marked.count)} read"
        screen.marks.undo.record(Change("read", True, (), label, bulk=marked))
        self._show_changed(marked.rows, "read", True)
        say(f"{label[0].upper()}{label[1:]} · U undoes it", marked=True)

    def _show_changed(self, rows: tuple[int, ...], field: MarkField, value: bool) -> None:
        """After a bulk change the list is read again (the cursor stays on its story; an
        unread-only view loses the stories just marked read), and the pane shows its story's
        new mark."""
        screen = self._screen
        screen.story_list.reload(keep_story=screen.cursor_story_id())
        current = screen.current
        if current is not None and current.rowid in set(rows):
            screen.reading_pane.update_story(current.id, **{field: value})

    # -- U: undo ---------------------------------------------------------------------------------

    def undo(self) -> None:
        self._screen.run_worker(self._undo(), group="undo", exclusive=False,
                                exit_on_error=False)

    async def _undo(self) -> None:
        screen = self._screen
        if self._bulk:
            screen.set_status("Still marking the view read: U again once it is done")
            return
        await screen.marks.settled()
        change = screen.marks.undo.pop()
        if change is None:
            screen.set_status("Nothing to undo")
            return
        screen.set_status("Undoing…")
        try:
            if change.bulk is not None:
                await screen.data.unmark(change.bulk)
            else:
                await screen.data.mark(change.story_ids, change.field, not change.value)
        except StoreError as exc:
            screen.marks.undo.push_back(change)
            screen.failed(f"Could not undo: {exc}")
            return
        if change.bulk is not None:
            self._show_changed(change.bulk.rows, change.field, not change.value)
        for story_id in change.story_ids:
            screen.show_mark(Mark(story_id, change.field, not change.value))
        screen.set_status(change.undone_label)

    # -- n / p: the next unread story --------------------------------------------------------------

    def next_unread(self, backwards: bool) -> None:
        self._screen.run_worker(self._next_unread(backwards), group="next-unread",
                                exclusive=True, exit_on_error=False)

    async def _next_unread(self, backwards: bool) -> None:
        screen = self._screen
        stories = screen.story_list
        view = stories.shown_view
        if view is None:
            return
        row = await stories.row_under_cursor()
        # The cursor resting on a story nobody opened: that one is next, if it is unread.
        from_here = row is not None and row.id != screen.opened_id
        try:
            found = await screen.data.next_unread(view, row, backwards, from_here)
        except StoreError as exc:
            screen.set_status(str(exc))
            return
        if found is None:
            screen.set_status("No unread stories in this view" if row is None or row.read
                              else "No other unread story in this view")
            return
        stories.go_to(found.index)
        await screen.open_story(found.row.id)
        left = f"{found.unread - 1:,} more unread" if found.unread > 1 else "the last unread one"
        if found.wrapped:
            where = ("Back at the top: no unread story below" if not backwards
                     else "At the bottom: no unread story above")
            screen.set_status(f"{where} · {left}")
        else:
            screen.set_status(left[0].upper() + left[1:])

    # -- O: sort orders --------------------------------------------------------------------------

    def sorted_view(self, view: View) -> View:
        """``view`` in the order remembered for it (newest first if none)."""
        name = view.sort_name
        if name is None:
            return view
        return replace(view, sort=self._sorts.get(name, "newest"))

    def next_sort(self) -> None:
        screen = self._screen
        view = screen.story_list.view
        name = view.sort_name
        if name is None:
            screen.set_status("A search lists the best matches first; O sorts the list once"
                              " the search ends (Esc)")
            return
        order = SORT_ORDERS[(SORT_ORDERS.index(view.sort) + 1) % len(SORT_ORDERS)]
        self._sorts[name] = order
        screen.set_view(view)
        screen.set_status(f"Sorted {SORT_NAMES[order]} · O for the next order")
        if self._config_file is not None:
            screen.run_worker(self._remember(self._config_file, name, order), group="sort",
                              exit_on_error=False)

    async def _remember(self, path: Path, name: str, order: SortOrder) -> None:
        try:
            await asyncio.to_thread(save_sort_order, path, name, order)
        except (OSError, ConfigError) as exc:
            self._screen.failed(f"Could not remember the order: {exc}")

    # -- mark_read_on = "preview" ----------------------------------------------------------------

    def previewed(self, story: Story) -> None:
        """A story is in the pane (the list's cursor rests on it): with ``mark_read_on =
        "preview"`` it is read once it has stayed there ``preview_read_seconds``."""
        self.preview_moved()
        if self.mark_read_on == "preview" and not story.read:
            timer = self._screen.set_timer(self.preview_read_seconds,
                                           lambda: self._preview_read(story))
            self._preview = (story.id, timer)

    @property
    def previewing(self) -> str | None:
        """The story that will count as read if it stays in the pane (its timer runs)."""
        return self._preview[0] if self._preview is not None else None

    def preview_moved(self) -> None:
        """The cursor left the previewed story: it does not count as read."""
        if self._preview is not None:
            self._preview[1].stop()
            self._preview = None

    def _preview_read(self, story: Story) -> None:
        self._preview = None
        current = self._screen.current
        if current is not None and current.id == story.id and not current.read:
            self._screen.marks.send(Mark(story.id, "read", True), announce=False,
                                    name=story_name(story))


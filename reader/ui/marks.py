"""Read and star marks on their way to the cache: what the screen says while one is written.

A mark is shown only once the writer has stored it: the status line says "Starring…" at
once and "Starred" when it is done, or says why it could not be (another process held the
write lock too long, the disk is full) and leaves the story as it was. A second toggle of the
same story while the first is still on its way starts from the first one's value, so pressing
``s`` twice stars and unstars, whatever the writer's pace.

Each stored mark that changed its story goes on the session's undo stack (``reader.undo``)
as soon as the writer reports it, before anything else runs: ``U`` first waits for the marks
still on their way (``settled``), so it always takes back the last one made.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Literal

from textual.dom import DOMNode
from textual.message import Message
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from reader.models import Story, StoryRow
from reader.records import record
from reader.store import StoreError
from reader.text import clean_line
from reader.titles import shown_title
from reader.ui.data import UiData
from reader.undo import Change, UndoStack

MarkField = Literal["read", "starred"]

_WORDS: dict[tuple[MarkField, bool], tuple[str, str, str, str]] = {
    # (doing, done, what failed, what was done to a story, for undo)
    ("read", True): ("Marking read…", "Marked read", "mark the story read", "marked {} read"),
    ("read", False): ("Marking unread…", "Marked unread", "mark the story unread",
                      "marked {} unread"),
    ("starred", True): ("Starring…", "Starred", "star the story", "starred {}"),
    ("starred", False): ("Removing the star…", "Star removed", "remove the star",
                         "removed the star of {}"),
}


def change_label(field: MarkField, value: bool, what: str) -> str:
    """What a change did, for the status line once undone: "marked “Title” read"."""
    return _WORDS[field, value][3].format(what)


def story_name(story: Story | StoryRow) -> str:
    """A story as the status line names it: its title (or first words) in quotes, short."""
    text = (story.text_start if isinstance(story, StoryRow)
            else f"{story.standfirst} {story.body[:400]}")
    title = clean_line(shown_title(story.title[:200], text).text)
    return f"“{title[:40] + '…' if len(title) > 40 else title}”"


@record
class Mark:
    """Set ``field`` of one story to ``value``."""

    story_id: str
    field: MarkField
    value: bool

    @property
    def doing(self) -> str:
        return _WORDS[self.field, self.value][0]

    @property
    def done(self) -> str:
        return _WORDS[self.field, self.value][1]

    def failed(self, reason: str) -> str:
        return f"Could not {_WORDS[self.field, self.value][2]}: {reason}"


@dataclass
class MarkStored(Message):
    """The writer stored ``mark``: now the list and the pane may show it."""

    mark: Mark
    announce: bool


@dataclass
class MarkFailed(Message):
    """The writer could not store ``mark`` (``reason`` says why): nothing shows it."""

    mark: Mark
    reason: str


class Marks:
    """Sends marks to the writer in the order they are made and reports each outcome to
    ``target`` as ``MarkStored`` or ``MarkFailed``; knows which are still on their way."""

    def __init__(self, data: UiData, target: DOMNode, undo: UndoStack | None = None) -> None:
        self._data = data
        self._target = target
        self._pending: dict[tuple[str, MarkField], tuple[bool, int]] = {}
        self._workers: set[Worker[None]] = set()
        self.undo = undo if undo is not None else UndoStack()

    def toggle(self, story: Story | StoryRow, field: MarkField) -> Mark:
        """The mark that flips ``field``, from the latest value on its way, else the shown one."""
        shown = story.read if field == "read" else story.starred
        pending = self._pending.get((story.id, field))
        return Mark(story.id, field, not (pending[0] if pending is not None else shown))

    def send(self, mark: Mark, *, announce: bool, name: str = "a story") -> Worker[None]:
        """Queue ``mark`` for the writer now; the worker reports its outcome. ``announce``:
        the reader asked for it (a key), so the status line follows it. ``name`` names the
        story on the undo stack (``story_name``)."""
        key = (mark.story_id, mark.field)
        self._pending[key] = (mark.value, self._pending.get(key, (mark.value, 0))[1] + 1)
        written = self._data.mark([mark.story_id], mark.field, mark.value)
        written.add_done_callback(lambda _: self._settle(key))

        async def report() -> None:
            try:
                changed = await written
            except StoreError as exc:
                self._target.post_message(MarkFailed(mark, str(exc)))
            else:
                self.undo.record(Change(mark.field, mark.value,
                                        tuple(m.story_id for m in changed),
                                        change_label(mark.field, mark.value, name)))
                self._target.post_message(MarkStored(mark, announce))

        worker: Worker[None] = self._target.run_worker(report(), group="marks",
                                                       exit_on_error=False)
        self._workers = {w for w in self._workers if not w.is_finished}
        self._workers.add(worker)
        return worker

    async def settled(self) -> None:
        """Wait until every mark sent so far is stored (or has failed) and recorded."""
        while self._workers:
            worker = self._workers.pop()
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()

    def _settle(self, key: tuple[str, MarkField]) -> None:
        value, count = self._pending[key]
        if count <= 1:
            del self._pending[key]
        else:
            self._pending[key] = (value, count - 1)

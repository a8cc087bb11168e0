"""Undo for read and star marks: the changes of a session, newest last, each reversible exactly.

A plain class that knows nothing of Textual or SQLite (like ``reader.history``): the app
records each change once the cache has stored it, and ``U`` takes the newest one back to the
store, which sets each story's mark back. A change holds only the stories whose mark it
changed (``Store.mark`` and ``Store.mark_view`` report exactly those), so undoing "mark 1,234
stories read" over a view where 200 were read already un-marks the 1,034 it changed and
leaves the 200 read (``Store.unmark``).
"""

from __future__ import annotations

from collections import deque

from reader.models import BulkMark, MarkField
from reader.records import record

UNDO_DEPTH = 100
"""Changes kept; the oldest is forgotten past this (the issue asks for at least 20). A
change of 100,000 stories holds 100,000 row numbers (about 4 MB), so the depth is bounded."""


@record
class Change:
    """``field`` of the stories ``story_ids`` (or, for a whole view, of ``bulk``'s rows) was
    set to ``value``; ``label`` says what the reader did, for the status line ("marked
    1,234 stories read")."""

    field: MarkField
    value: bool
    story_ids: tuple[str, ...]
    label: str
    bulk: BulkMark | None = None

    @property
    def count(self) -> int:
        return self.bulk.count if self.bulk is not None else len(self.story_ids)

    @property
    def undone_label(self) -> str:
        return f"Undone: {self.label}"


class UndoStack:
    """The session's changes, the newest on top; ``pop`` takes the newest for undoing."""

    def __init__(self, depth: int = UNDO_DEPTH) -> None:
        self._changes: deque[Change] = deque(maxlen=depth)

    def __len__(self) -> int:
        return len(self._changes)

    def record(self, change: Change) -> None:
        """Remember a change the cache has stored (a change of no story is not one)."""
        if change.count:
            self._changes.append(change)

    def pop(self) -> Change | None:
        """The newest change, taken off the stack; None when there is nothing to undo."""
        return self._changes.pop() if self._changes else None

    def push_back(self, change: Change) -> None:
        """Put back a change whose undo could not be stored, so ``U`` can try it again."""
        self._changes.append(change)

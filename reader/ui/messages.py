"""Messages that travel up to the main screen: attributes go down, messages come up.

App-wide messages live here as dataclasses (toolong's ``messages.py``): a widget or a worker
posts one, and the screen decides what it means. Messages that only one widget sends and
only its parent handles (``SearchBar.Changed``, ``StoryList.Shown``) are nested in that widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from reader.models import StoryRow

if TYPE_CHECKING:  # the refresh layer (httpx, feedparser) loads only when a refresh starts
    from reader.refresh.outcomes import RefreshSummary

PREVIEW_DELAY = 0.08
"""Seconds the list's cursor rests on a story before it is previewed (and, in a search, its
snippet shown): holding j moves the cursor without reading every story it passes."""


@dataclass
class StoryHighlighted(Message):
    """The list cursor rests on a story (preview it). Floods collapse to the latest."""

    row: StoryRow | None

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StoryHighlighted)


@dataclass
class StoryChosen(Message):
    """A story was chosen to open (Enter in the list, a click on a related entry, ...)."""

    story_id: str


@dataclass
class RefreshProgressed(Message):
    """``done`` of ``total`` feeds refreshed so far. Floods collapse to the latest."""

    done: int
    total: int

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RefreshProgressed)


@dataclass
class RefreshFinished(Message):
    """The refresh ended (also when cancelled): every feed's outcome. ``automatic``: it was
    the app's own (on start, every ``refresh_interval``), which fetched only the due feeds."""

    summary: RefreshSummary
    automatic: bool = False


@dataclass
class SyncFinished(Message):
    """The sync with the feed server (``[sync]``) that starts a refresh ended: its summary
    line, how many new stories it stored, and its notes."""

    line: str
    new: int
    notes: tuple[str, ...] = ()


@dataclass
class SyncFailed(Message):
    """The sync could not run to its end (one line); the refresh of local feeds goes on."""

    reason: str


@dataclass
class FeedsRefreshed(Message):
    """Every feed of a running refresh is stored; the full text of its new stories comes
    next (then ``RefreshFinished``)."""

    summary: RefreshSummary


@dataclass
class FullTextProgressed(Message):
    """``done`` of ``total`` pages tried (a refresh's full-text part, or ``F``), or with
    ``images`` of the new stories' images. Floods collapse to the latest."""

    done: int
    total: int
    images: bool = False

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FullTextProgressed)


@dataclass
class FullTextFetched(Message):
    """``F`` ended: the story's page text was saved (``error`` is None) or why not."""

    story_id: str
    error: str | None
    images: int = 0


@dataclass
class RefreshFailed(Message):
    """The refresh could not run to its end (its process died, the cache was refused)."""

    reason: str


@dataclass
class ProgramEnded(Message):
    """A program the reader started (browser, opener, ``pipe_command``) ended; ``failure``
    is one line saying why it did not work (None: it did)."""

    program: str
    failure: str | None = None

"""What the full-text part of a refresh reports: plain dataclasses, light to import.

The app and the refresh's child process name these without loading the fetch layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from reader.records import record


class Cancel(Protocol):
    """What the page phase reads to know the refresh was cancelled: a ``threading.Event``,
    or the app's ``multiprocessing`` event (polled, never waited on)."""

    def is_set(self) -> bool: ...


@record
class FullTextProgress:
    """One page done: ``done`` of ``total``; ``saved`` of them had an article. With
    ``images``, one image of the new stories ended (kept or refused; ``saved`` is 0): the
    refresh's last part, after the pages, which could otherwise sit silent for seconds."""

    done: int
    total: int
    saved: int
    story_id: str = ""
    error: str | None = None
    images: bool = False

    def describe(self) -> str:
        """The progress line: "saving full text: 37/120", or "saving images: 12/45"."""
        return f"saving {'images' if self.images else 'full text'}: {self.done}/{self.total}"


@dataclass(slots=True)
class FullTextReport:
    """What the full-text part of a refresh did, for the summary line and ``--json``."""

    pages: int = 0
    saved: int = 0
    failed: int = 0
    images: int = 0
    images_refused: int = 0

    def describe(self) -> str:
        """The refresh's line about full text and images ("" when it did neither)."""
        parts = []
        if self.pages:
            parts.append(f"full text saved for {self.saved} of {self.pages} stor"
                         f"{'ies' if self.pages != 1 else 'y'}")
        if self.images or self.images_refused:
            parts.append(f"{self.images} image{'s' if self.images != 1 else ''} saved"
                         + (f" ({self.images_refused} refused)" if self.images_refused else ""))
        return "; ".join(parts)

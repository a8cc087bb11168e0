"""How a refresh ends, feed by feed: the values the command line, the app and scripts read.

Plain frozen dataclasses with no import of the fetch or parse layers, so the app can name
them (and a child process can send them over a queue) without loading httpx or feedparser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from typing import TYPE_CHECKING, Literal

from reader.records import record

if TYPE_CHECKING:
    from reader.fulltext.progress import FullTextReport

OutcomeStatus = Literal["ok", "not_modified", "error", "skipped"]
"""How one feed's refresh ended; ``skipped`` feeds were not fetched this time."""


@record
class FeedOutcome:
    """How one feed's refresh ended.

    ``status``: ``ok``, ``not_modified``, ``error`` (``error`` says why) or ``skipped`` (not
    fetched: disabled, waiting for the time the server asked for, or the refresh was cancelled).
    """

    feed_id: int
    name: str
    url: str
    status: OutcomeStatus
    new: int = 0
    updated: int = 0
    error: str | None = None
    warnings: tuple[str, ...] = ()
    moved_to: str | None = None
    pruned: int = 0
    hidden: int = 0
    """New stories a filter hid (counted in ``new``)."""
    auto_read: int = 0
    """New stories a filter marked read (counted in ``new``)."""


@record
class RefreshProgress:
    """One feed finished: ``done`` of ``total`` so far."""

    done: int
    total: int
    outcome: FeedOutcome


ProgressCallback = Callable[[RefreshProgress], None]


@record
class RefreshSummary:
    """Every feed's outcome, in feed-name order; ``not_due``: feeds an automatic refresh
    left alone because they asked not to be fetched so soon (``reader.schedule``)."""

    outcomes: tuple[FeedOutcome, ...] = field(default_factory=tuple)
    not_due: int = 0
    full_text: FullTextReport | None = None
    """What the full-text part did (pages, images), when the refresh had one."""

    def count(self, status: OutcomeStatus) -> int:
        """How many feeds ended with ``status``."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def new(self) -> int:
        """New stories stored, over all feeds."""
        return sum(o.new for o in self.outcomes)

    @property
    def filtered(self) -> int:
        """New stories filters hid or marked read, over all feeds."""
        return sum(o.hidden + o.auto_read for o in self.outcomes)

    @property
    def fresh(self) -> int:
        """New stories left to read: new, less those filters hid or marked read."""
        return self.new - self.filtered

    @property
    def failed(self) -> tuple[FeedOutcome, ...]:
        """The feeds that ended in an error."""
        return tuple(o for o in self.outcomes if o.status == "error")

    def describe(self) -> str:
        """The summary line: feeds ok / not modified / failed, new stories."""
        total = len(self.outcomes)
        if not total and self.not_due:
            return (f"no feed is due yet ({self.not_due} asked not to be fetched so soon;"
                    " 'reader feeds' shows when)")
        parts = [f"{self.count('ok')} ok", f"{self.count('not_modified')} not modified",
                 f"{self.count('error')} failed"]
        if self.count("skipped"):
            parts.append(f"{self.count('skipped')} skipped")
        new = self.new
        line = (f"{total} feed{'s' if total != 1 else ''}: {', '.join(parts)}; "
                f"{new} new stor{'ies' if new != 1 else 'y'}")
        if self.filtered:
            line += f" ({self.filtered} filtered)"
        if self.not_due:
            line += f"; {self.not_due} not due yet"
        return line



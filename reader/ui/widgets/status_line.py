"""``StatusLine``: the one line under the panes that answers the last thing the reader did.

The screen says when; this widget knows the wording of what comes back from a search (and
reads the snippet of the story under the cursor), a refresh or a sync (and the notifications
that go with them), and shows everything as plain text (a search snippet's matches picked
out, feed text never read as markup).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import work
from textual.content import Content
from textual.widgets import Static

from reader.store import StoreError
from reader.text import one_line
from reader.ui.data import UiData
from reader.ui.messages import PREVIEW_DELAY

if TYPE_CHECKING:
    from reader.refresh.outcomes import RefreshSummary
    from reader.ui.messages import SyncFinished

SEP = "  ·  "


class StatusLine(Static):
    """A line of plain text; each ``say…`` replaces it."""

    def __init__(self, data: UiData, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self._data = data
        self.search_summary = ""
        """While a search is shown: its count (and the parser's note), before any snippet."""
        self._sync_line: str | None = None
        """What the sync that started this refresh did, until the refresh ends."""

    def say(self, text: str) -> None:
        self.update(Content(text))

    def say_search(self, total: int, note: str | None) -> None:
        """"12 matches", and what the search parser had to say about the query."""
        found = f"{total:,} match{'es' if total != 1 else ''}"
        self.search_summary = f"{found}{SEP}{note}" if note else found
        self.say(self.search_summary)

    def end_search(self) -> None:
        self.search_summary = ""
        self.say("")

    @work(group="snippet", exclusive=True, exit_on_error=False)
    async def show_snippet(self, query: str, story_id: str) -> None:
        """In a search, where the highlighted story matches, once the cursor rests on it."""
        await asyncio.sleep(PREVIEW_DELAY)
        try:
            pieces = await self._data.snippet(query, story_id)
        except StoreError:
            return  # the count stays; a snippet is a bonus
        if pieces:
            self.say_snippet(pieces)

    def say_snippet(self, pieces: Sequence[tuple[str, bool]]) -> None:
        """The search's count, then where the highlighted story matches, matches in bold."""
        prefix = f"{self.search_summary}{SEP}" if self.search_summary else ""
        self.update(Content.assemble(prefix, *(
            (one_line(text), "bold $text-warning") if hit else one_line(text)
            for text, hit in pieces
        )))

    def say_progress(self, done: int, total: int) -> None:
        self.say(f"Refreshing feeds… {done}/{total}")

    def say_synced(self, message: SyncFinished) -> None:
        """The sync that starts a refresh ended; its notes become notifications."""
        self._sync_line = message.line[:1].upper() + message.line[1:]
        self.say(self._sync_line + "; refreshing this machine's feeds…")
        for note in message.notes:
            self.notify(note, title="Sync", markup=False, timeout=8)

    def say_sync_failed(self, reason: str) -> None:
        self.notify(reason, title="Sync failed (marks stay in the outbox)",
                    severity="warning", markup=False, timeout=8)

    def say_refreshed(self, summary: RefreshSummary, *, final: bool = True) -> None:
        """The refresh's outcome, and where to look when feeds failed (each feed says why;
        the first few are named in a notification). Not ``final``: the feeds are stored and
        their pages come next; the notification waits for the end."""
        text = "Refreshed " + summary.describe()
        report = summary.full_text
        if report is not None and (report.saved or report.images):  # only news of something
            text += f"{SEP}{report.describe()}"
        if summary.failed:
            text += f"{SEP}S shows which feeds failed and why"
        if self._sync_line is not None and not summary.outcomes:
            text = self._sync_line  # every feed is the sync server's: the sync says it all
        self.say(text)
        if not final:
            return
        self._sync_line = None
        failed = summary.failed
        if failed:
            # One feed a line: a name and its reason read apart from the next one's.
            names = "\n".join(f"{o.name}: {o.error}" for o in failed[:5])
            more = f"\n(and {len(failed) - 5:,} more: S shows them)" if len(failed) > 5 else ""
            title = "1 feed failed" if len(failed) == 1 else f"{len(failed):,} feeds failed"
            self.notify(names + more, title=title,
                        severity="warning", markup=False, timeout=8)

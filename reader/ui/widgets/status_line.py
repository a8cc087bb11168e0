"""``StatusLine``: the one line under the panes that answers the last thing the reader did.

The screen says when; this widget knows the wording of what comes back from a search or a
refresh, and shows everything as plain text (a search snippet's matches picked out, feed
text never read as markup).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from reader.text import one_line

if TYPE_CHECKING:
    from reader.refresh.outcomes import RefreshSummary

SEP = "  ·  "


class StatusLine(Static):
    """A line of plain text; each ``say…`` replaces it."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.search_summary = ""
        """While a search is shown: its count (and the parser's note), before any snippet."""

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

    def say_snippet(self, pieces: Sequence[tuple[str, bool]]) -> None:
        """The search's count, then where the highlighted story matches, matches in bold."""
        prefix = f"{self.search_summary}{SEP}" if self.search_summary else ""
        self.update(Content.assemble(prefix, *(
            (one_line(text), "bold $text-warning") if hit else one_line(text)
            for text, hit in pieces
        )))

    def say_refreshed(self, summary: RefreshSummary) -> None:
        """The refresh's outcome, and where to look when feeds failed (each feed says why)."""
        text = "Refreshed " + summary.describe()
        if summary.failed:
            text += f"{SEP}S shows which feeds failed and why"
        self.say(text)

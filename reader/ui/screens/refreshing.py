"""``Refreshing``: the main screen's background refresh (R), as a mixin of ``MainScreen``.

The refresh runs in a child process (``reader.refresh.child``) driven from a thread worker;
the screen only hears progress and the end. New stories join the list without moving the
cursor or touching the story being read; failed feeds are named with their reason.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from textual import work

if TYPE_CHECKING:
    from reader.ui.screens.main import MainScreen

    _Base = MainScreen
else:
    _Base = object


PROGRESS_INTERVAL = 0.25
"""Seconds between progress repaints: a count ticking 4 times a second reads as progress, and
a refresh of hundreds of feeds does not repaint the screen for each one while keys wait."""


class Refreshing(_Base):
    """Adds ``R`` to the main screen. Expects ``_refresh_cancel`` set to None in __init__."""

    def action_refresh(self) -> None:
        if self._refresh_cancel is not None:
            self.set_status("A refresh is already running")
            return
        if not self.store.has_feeds():
            self.set_status("No feeds yet: add one with  reader add URL  (or import OPML)")
            return
        self._refresh_cancel = threading.Event()
        self.set_status("Refreshing feeds…")
        self._refresh(self._refresh_cancel)

    @work(thread=True, exclusive=True, group="refresh")
    def _refresh(self, cancel: threading.Event) -> None:
        """Fetch, parse and store in the background; the UI only hears progress and the end."""
        from reader.refresh.child import refresh_in_child
        from reader.refresh.outcomes import RefreshProgress

        app = self.app
        paths, settings = app.paths, app.config.fetch  # type: ignore[attr-defined]

        shown = 0.0

        def progress(update: RefreshProgress) -> None:
            nonlocal shown
            now = time.monotonic()
            if now - shown >= PROGRESS_INTERVAL:
                shown = now
                app.call_from_thread(self._refresh_progress, update.done, update.total)

        try:
            summary = refresh_in_child(paths.database, settings, progress=progress,
                                       cancel=cancel)
        except Exception as exc:  # a refresh must never take the app down
            app.call_from_thread(self._refresh_failed, f"Refresh failed: {exc}")
            return
        app.call_from_thread(self._refresh_done, summary)

    def _refresh_progress(self, done: int, total: int) -> None:
        self.set_status(f"Refreshing feeds… {done}/{total}")

    def _refresh_failed(self, message: str) -> None:
        self._refresh_cancel = None
        self.set_status(message)

    def _refresh_done(self, summary: object) -> None:
        """New stories join the list; the cursor stays on its story, the pane is untouched."""
        from reader.refresh.outcomes import RefreshSummary

        self._refresh_cancel = None
        assert isinstance(summary, RefreshSummary)
        row = self.story_list.highlighted
        self.story_list.reload(keep_story=row.id if row else None)
        self._update_titles()
        text = "Refreshed " + summary.describe()
        if summary.failed:
            text += "  ·  S shows which feeds failed and why"
            names = ", ".join(f"{o.name}: {o.error}" for o in summary.failed[:5])
            more = len(summary.failed) - 5
            self.notify(names + (f" (and {more} more)" if more > 0 else ""),
                        title=f"{len(summary.failed)} feed(s) failed", severity="warning",
                        markup=False, timeout=8)
        self.set_status(text)

    def on_unmount(self) -> None:
        if self._refresh_cancel is not None:
            self._refresh_cancel.set()

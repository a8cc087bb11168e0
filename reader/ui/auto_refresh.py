"""When the app refreshes by itself, and what the status line says about it. No Textual here.

``refresh_on_start`` starts a refresh of the feeds that are due once the first frame is on
screen; ``refresh_interval`` starts another that long after the last refresh ended (one by
hand, ``R``, counts too), for as long as the app runs. The screen asks ``due()`` on a slow
tick (``TICK``): a timer set for the full interval would not notice a laptop that slept
through it, while a wall clock checked every half minute does, and costs nothing. Each feed is
still fetched no more often than it asks (``reader.schedule``): an automatic refresh leaves
the others alone.

The clock is a parameter so a test can move time on without waiting for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from reader.config import RefreshSettings
from reader.schedule import clock_time

TICK = 30.0
"""Seconds between looks at the clock."""

Clock = Callable[[], float]


class AutoRefresh:
    """The next automatic refresh: none while one runs, ``refresh_interval`` after the last."""

    def __init__(self, settings: RefreshSettings, clock: Clock = time.time) -> None:
        self.settings = settings
        self.clock = clock
        self.next_at: float | None = None
        self.last_refreshed: float | None = None
        """When the cache was last refreshed (by this app, or any reader process before)."""

    @property
    def on_start(self) -> bool:
        """Whether the app refreshes as it opens."""
        return self.settings.refresh_on_start

    def opened(self) -> None:
        """The app is open and will not refresh on start: the first one is an interval away."""
        self._plan(self.clock())

    def ended(self, refreshed: bool = True) -> None:
        """A refresh ended (any: by hand or automatic); the next is an interval from now.
        ``refreshed``: it fetched something, so the cache was refreshed now."""
        now = self.clock()
        if refreshed:
            self.last_refreshed = now
        self._plan(now)

    def _plan(self, now: float) -> None:
        interval = self.settings.refresh_interval
        self.next_at = now + interval if interval else None

    def due(self) -> bool:
        """Whether an automatic refresh should start now."""
        return self.next_at is not None and self.clock() >= self.next_at

    def started(self) -> None:
        """A refresh is running: nothing more is due until it ends."""
        self.next_at = None

    def describe(self) -> str:
        """``updated 14:02 · next 15:02`` (empty when nothing is known yet)."""
        now = self.clock()
        parts = []
        if self.last_refreshed is not None:
            parts.append(f"updated {clock_time(self.last_refreshed, now)}")
        if self.next_at is not None:
            parts.append(f"next {clock_time(self.next_at, now)}")
        return " · ".join(parts)

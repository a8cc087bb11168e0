"""A single background thread that owns its own connection and does the UI's small writes.

A write can wait for another process's transaction (a ``reader refresh`` in another terminal
holds the write lock while it stores a feed); doing writes here keeps a key press from ever
stalling behind one. The caller gets a future: its failure is the caller's to report.

The thread runs at a lower priority (Linux: a thread's niceness is its own). Most of its writes
take microseconds, but marking a whole view read keeps a core busy for half a second at
100,000 stories, and on a loaded machine the UI thread then waited for the CPU behind it:
``j`` while ``A`` marked 100,004 stories read took 33-110 ms (median of each of three runs)
to repaint at niceness 0, and 15-32 ms at 15 (2 cores, load average ~3, the runs of each
interleaved; idle ``j`` on that machine: 6-10 ms).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from pathlib import Path

from reader.store.local import StoreThread

NICENESS = 15
"""How much the writer thread lowers its priority: a key press runs first, and an idle UI
leaves the writer every core anyway (the refresh process goes all the way, 19)."""


def _lower_priority(niceness: int) -> None:
    """Lower the priority of the thread this runs on (never the whole process)."""
    if sys.platform.startswith("linux"):  # elsewhere setpriority would nice the process
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)


class BackgroundWriter(StoreThread):
    """Runs ``fn(store)`` calls one after another on a dedicated thread and connection."""

    def __init__(self, path: Path, *, busy_timeout: float | None = None,
                 niceness: int = NICENESS) -> None:
        super().__init__(path, "reader-writer", busy_timeout=busy_timeout)
        if niceness:
            self._pool.submit(_lower_priority, niceness)

"""A single background thread that owns its own connection and does the UI's small writes.

A write can wait for another process's transaction (a ``reader refresh`` in another terminal
holds the write lock while it stores a feed); doing writes here keeps a key press from ever
stalling behind one. The caller gets a future: its failure is the caller's to report.
"""

from __future__ import annotations

from pathlib import Path

from reader.store.local import StoreThread


class BackgroundWriter(StoreThread):
    """Runs ``fn(store)`` calls one after another on a dedicated thread and connection."""

    def __init__(self, path: Path, *, busy_timeout: float | None = None) -> None:
        super().__init__(path, "reader-writer", busy_timeout=busy_timeout)

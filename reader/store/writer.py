"""A single background thread that owns its own connection and does the UI's small writes.

The app reads the cache on its own thread (indexed page reads take well under a millisecond
and never wait in WAL mode), but a write can wait for another process's transaction; doing
writes here keeps a key press from ever stalling behind a ``reader refresh`` in another terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from reader.store.facade import Store

T = TypeVar("T")


class BackgroundWriter:
    """Runs ``fn(store)`` calls one after another on a dedicated thread and connection."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._store: Store | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="reader-writer")

    def _run(self, fn: Callable[[Store], T]) -> T:
        if self._store is None:
            self._store = Store.open(self._path)
        return fn(self._store)

    def submit(self, fn: Callable[[Store], T]) -> Future[T]:
        return self._pool.submit(self._run, fn)

    def close(self) -> None:
        """Finish queued writes, then close the connection on its own thread."""
        def close_store() -> None:
            if self._store is not None:
                self._store.close()
                self._store = None

        self._pool.submit(close_store)
        self._pool.shutdown(wait=True)

"""One ``Store`` per thread, and threads that each keep one: how the app reaches the cache.

An sqlite3 connection belongs to the thread that opened it, and opening one is not free (a
file open, WAL and pragma set-up, the migration check: ~0.3 ms, more on a busy disk). The app
used to open a new ``Store`` for every related-stories lookup and every command-palette
keystroke. ``LocalStore`` keeps one per thread instead, opened on the thread's first use and
closed on that thread (as lemon24/reader's ``LocalConnectionFactory`` does); ``StoreThread``
is a long-lived thread with its own ``Store`` that runs ``fn(store)`` calls one after another
and hands back futures, so a caller on another thread (the UI's event loop) never waits on
SQLite itself.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from reader.store import Store, StoreError

T = TypeVar("T")


def describe_sqlite_error(exc: sqlite3.Error) -> str:
    """One line a person can act on, for an sqlite3 error that got past the store."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return "the cache is busy: another reader is writing; try again"
    if "full" in text:
        return "the disk is full: nothing was changed"
    return f"the cache could not be used: {text}"


class LocalStore:
    """Hands each thread its own ``Store`` on ``path``, opened on first use.

    ``busy_timeout`` (seconds), when given, is how long a write on these connections waits
    for another process's write lock before it fails; the app keeps it short enough that a
    failed mark is reported while the reader still remembers pressing the key.
    """

    def __init__(self, path: Path, *, busy_timeout: float | None = None) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._closed = False

    def get(self) -> Store:
        """This thread's ``Store``; opens it on the thread's first call."""
        if self._closed:
            raise StoreError("the cache was closed")
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = (Store.open(self.path) if self.busy_timeout is None
                     else Store.open(self.path, write_wait=self.busy_timeout))
            self._local.store = store
        return store

    def close_thread(self) -> None:
        """Close this thread's ``Store``, if it opened one (a connection closes in its thread)."""
        store: Store | None = getattr(self._local, "store", None)
        if store is not None:
            self._local.store = None
            store.close()

    def close(self) -> None:
        """Refuse new connections and close this thread's. Connections of threads that have
        ended are closed with them; ``StoreThread.close`` closes its own before it ends."""
        self._closed = True
        self.close_thread()


class StoreThread:
    """A thread with its own ``Store``: ``submit(fn)`` runs ``fn(store)`` there, in order.

    Calls never overlap, so a lane of work (the UI's list pages, its story and related
    lookups, its writes) keeps one connection and its page cache warm.
    """

    def __init__(self, path: Path, name: str, *, busy_timeout: float | None = None) -> None:
        self.name = name
        self._stores = LocalStore(path, busy_timeout=busy_timeout)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._closed = False

    def submit(self, fn: Callable[[Store], T]) -> Future[T]:
        """Queue ``fn(store)``; its result (or its exception) arrives in the future."""
        if self._closed:
            failed: Future[T] = Future()
            failed.set_exception(StoreError("the cache was closed"))
            return failed
        return self._pool.submit(self._run, fn)

    def _run(self, fn: Callable[[Store], T]) -> T:
        try:
            return fn(self._stores.get())
        except sqlite3.Error as exc:
            raise StoreError(describe_sqlite_error(exc)) from exc

    def close(self) -> None:
        """Finish what is queued, then close the thread's connection on that thread."""
        if self._closed:
            return
        self._closed = True
        self._pool.submit(self._stores.close)
        self._pool.shutdown(wait=True)

"""``Database``: one sqlite3 connection to the cache, its settings and its transactions.

Every other module of ``reader.store`` is functions over a ``Database``; the ``Store`` facade
is a ``Database`` with those functions as methods. Writes are short ``BEGIN IMMEDIATE``
transactions so another reader process (a CLI refresh while the app is open) waits briefly
instead of failing, and never sees half a feed.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from reader.store.errors import CacheBusy, StoreError, store_error
from reader.store.schema import SchemaTooNewError, migrate

FIRST_WAIT = 1.0
"""Seconds any statement waits for a lock before the store says so. Writes by the reader hold
the lock for milliseconds (a feed's stories, a mark), so a longer wait means another process is
in a long write (a big refresh, an import), worth a line on a terminal."""
WRITE_WAIT = 30.0
"""Seconds in all a write waits for another process's write lock before giving up with one
clear line (``CacheBusy``): nothing is written half."""


class _Cursor(sqlite3.Cursor):
    """A cursor whose every ``sqlite3.Error`` leaves as the ``StoreError`` for it."""

    def execute(self, sql: str, parameters: Any = (), /) -> Self:
        try:
            return super().execute(sql, parameters)
        except sqlite3.Error as exc:
            raise store_error(exc) from exc

    def executemany(self, sql: str, parameters: Any, /) -> Self:
        try:
            return super().executemany(sql, parameters)
        except sqlite3.Error as exc:
            raise store_error(exc) from exc

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.Error as exc:
            raise store_error(exc) from exc

    def fetchmany(self, size: int | None = None) -> list[Any]:
        try:
            return super().fetchmany(self.arraysize if size is None else size)
        except sqlite3.Error as exc:
            raise store_error(exc) from exc

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.Error as exc:
            raise store_error(exc) from exc

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.Error as exc:
            raise store_error(exc) from exc


class _Connection(sqlite3.Connection):
    """A connection whose statements and cursors raise ``StoreError``, never ``sqlite3.Error``:
    the store's one error boundary, so no query anywhere can forget it."""

    def cursor(self, factory: Any = _Cursor) -> Any:
        return super().cursor(factory)

    # sqlite3's own execute() makes a plain Cursor, not ``self.cursor()``: go through ours.
    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Any:
        return self.cursor().executemany(sql, parameters)


def connect(path: Path | str) -> sqlite3.Connection:
    """Open a connection with the settings every connection to the cache must have."""
    try:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=True,
                               timeout=FIRST_WAIT, factory=_Connection)
    except sqlite3.Error as exc:
        raise store_error(exc) from exc
    try:
        _use_wal(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute(f"PRAGMA busy_timeout = {int(FIRST_WAIT * 1000)}")
    except BaseException:
        conn.close()
        raise
    return conn


def _use_wal(conn: sqlite3.Connection, tries: int = 100) -> None:
    """Switch the file to WAL (it stays so). Another connection opening a new file at the same
    moment can make the switch fail at once with "locked", without waiting: try again."""
    for attempt in range(tries):
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except CacheBusy:
            if attempt == tries - 1:
                raise
            time.sleep(0.02)


class Database:
    """The cache on disk through one connection. Not thread-safe: one per thread.

    ``on_wait`` is called, once per connection, when a write starts waiting for another
    process past ``FIRST_WAIT`` (the command line says so on a terminal); ``write_wait`` is
    how long a write waits in all.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None, *,
                 on_wait: Callable[[], None] | None = None,
                 write_wait: float = WRITE_WAIT) -> None:
        """Use an open connection (``open`` makes one with the right settings)."""
        self.conn = conn
        self.path = path
        self.on_wait = on_wait
        self.write_wait = write_wait
        self._told_waiting = False

    @classmethod
    def open(cls, path: Path | str, notice: Callable[[str], None] | None = None, *,
             on_wait: Callable[[], None] | None = None, write_wait: float = WRITE_WAIT) -> Self:
        """Open (creating and migrating as needed) the cache at ``path``; ``notice`` hears of
        a migration that will take a while (see ``schema.migrate``)."""
        path = Path(path)
        db: Self | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = cls(connect(path), path, on_wait=on_wait, write_wait=write_wait)
            migrate(db.conn, notice, begin=db.begin_write)
        except (SchemaTooNewError, OSError, StoreError) as exc:
            if db is not None:
                db.conn.close()  # a refused cache is not left open behind the error
            if isinstance(exc, SchemaTooNewError | CacheBusy):
                raise StoreError(str(exc)) from None
            raise StoreError(f"cannot open the cache at {path}: {exc}") from None
        return db

    def close(self) -> None:
        """Close the connection (a ``with`` block does it on leaving)."""
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, *, wait: bool = True) -> Iterator[sqlite3.Connection]:
        """A short write transaction: taken at once, committed whole or not at all.

        Inside another transaction it joins that one, so a caller can group several writes
        (a feed's stories and its refresh outcome) into one commit. ``wait=False``: raise
        ``CacheBusy`` at once if another process is writing (for work that can wait its turn).
        """
        if self.conn.in_transaction:
            yield self.conn
            return
        self.begin_write(wait=wait)
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:  # SQLite may have rolled back already (a full disk)
                self.conn.execute("ROLLBACK")
            raise

    def begin_write(self, *, wait: bool = True) -> None:
        """``BEGIN IMMEDIATE``: take the write lock now, waiting for another process's.

        The first ``FIRST_WAIT`` (or all of a shorter ``write_wait``) is silent; past it
        ``on_wait`` hears once that we are waiting, and the wait goes on to ``write_wait`` in
        all. Then ``CacheBusy``, one clear line. ``wait=False`` does not wait at all.
        """
        first = min(FIRST_WAIT, self.write_wait) if wait else 0.0
        try:
            self._begin(first)
            return
        except CacheBusy:
            if not wait or self.write_wait <= FIRST_WAIT:
                raise
        if self.on_wait is not None and not self._told_waiting:
            self._told_waiting = True
            self.on_wait()
        self._begin(self.write_wait - FIRST_WAIT)

    def _begin(self, timeout: float) -> None:
        """``BEGIN IMMEDIATE`` waiting up to ``timeout`` seconds (then ``CacheBusy``)."""
        if timeout == FIRST_WAIT:
            self.conn.execute("BEGIN IMMEDIATE")
            return
        self.conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(FIRST_WAIT * 1000)}")

    def checkpoint_every(self, pages: int) -> None:
        """Copy the write-ahead log into the cache file every ``pages`` pages (SQLite's
        default is 1,000, about 4 MB): a long writer (a refresh) checkpoints less often."""
        self.conn.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")

    def temp_in_memory(self) -> None:
        """Keep this connection's temporary files (statement journals, sort and temp tables)
        in memory instead of temporary files: for a connection that writes many rows, each
        in a statement SQLite must be able to undo alone (the refresh's)."""
        self.conn.execute("PRAGMA temp_store = MEMORY")

    def content_generation(self) -> int:
        """A number that moves whenever stories, their links or source names change (not on
        read/starred marks), kept by triggers: results derived from the cache's content (related
        lists, search plans) are cached against it and recomputed when it moves."""
        return int(self.conn.execute("SELECT n FROM content_generation").fetchone()[0])

    def story_count(self) -> int:
        """How many stories the cache holds (an index count)."""
        return int(self.conn.execute("SELECT count(*) FROM stories").fetchone()[0])

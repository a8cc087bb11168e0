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
from typing import Self

from reader.store.errors import StoreError
from reader.store.schema import SchemaTooNewError, migrate


def connect(path: Path | str) -> sqlite3.Connection:
    """Open a connection with the settings every connection to the cache must have."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=True, timeout=10.0)
    _use_wal(conn)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def _use_wal(conn: sqlite3.Connection, tries: int = 100) -> None:
    """Switch the file to WAL (it stays so). Another connection opening a new file at the same
    moment can make the switch fail at once with "locked", without waiting: try again."""
    for attempt in range(tries):
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == tries - 1:
                raise
            time.sleep(0.02)


class Database:
    """The cache on disk through one connection. Not thread-safe: one per thread."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path | str, notice: Callable[[str], None] | None = None) -> Self:
        """Open (creating and migrating as needed) the cache at ``path``; ``notice`` hears of
        a migration that will take a while (see ``schema.migrate``)."""
        path = Path(path)
        conn: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = connect(path)
            migrate(conn, notice)
        except (SchemaTooNewError, OSError, sqlite3.DatabaseError) as exc:
            if conn is not None:
                conn.close()  # a refused cache is not left open behind the error
            if isinstance(exc, SchemaTooNewError):
                raise StoreError(str(exc)) from None
            raise StoreError(f"cannot open the cache at {path}: {exc}") from None
        return cls(conn, path)

    def close(self) -> None:
        """Close the connection (a ``with`` block does it on leaving)."""
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction: taken at once, committed whole or not at all.

        Inside another transaction it joins that one, so a caller can group several writes
        (a feed's stories and its refresh outcome) into one commit.
        """
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def checkpoint_every(self, pages: int) -> None:
        """Copy the write-ahead log into the cache file every ``pages`` pages (SQLite's
        default is 1,000, about 4 MB): a long writer (a refresh) checkpoints less often."""
        self.conn.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")

    def content_generation(self) -> int:
        """A number that moves whenever stories, their links or source names change (not on
        read/starred marks), kept by triggers: results derived from the cache's content (related
        lists, search plans) are cached against it and recomputed when it moves."""
        return int(self.conn.execute("SELECT n FROM content_generation").fetchone()[0])

    def story_count(self) -> int:
        """How many stories the cache holds (an index count)."""
        return int(self.conn.execute("SELECT count(*) FROM stories").fetchone()[0])

"""Copying a long writer's write-ahead log into the cache file while it writes:
``BackgroundCheckpoints``.

A cold refresh writes tens of MB of write-ahead log (22 MB for the 198 real feeds), and its
connection copies the log into the cache file only every ``REFRESH_CHECKPOINT_PAGES`` (80 MB:
copying every 4 MB, SQLite's default, cost the writer thread time it could not spare). So the
whole copy, with its two fsyncs (the log, then the cache file), came when the refresh closed its
connection: its last step, with every core idle, waiting on the disk. Measured on the real
corpus (cold refresh, loaded machine): that close took 0.41 s of the refresh's wall time and
under 0.05 s of CPU; a 19 MB log alone took 0.46 s to close, 0.16 s without the fsyncs.

Here a thread with a connection of its own copies what is committed while the refresh goes on
fetching and parsing, so the disk works beside the CPU and the last copy has only the tail to
write. Its checkpoints are PASSIVE: they never wait for, nor block, the writer or any reader
(the app reading meanwhile); whatever they cannot copy yet waits for the next. Nothing here can
fail the refresh: a checkpoint that goes wrong is left to the next one, and in the end to the
close, which checkpoints as it always did.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from pathlib import Path

from reader.store.connection import connect
from reader.store.errors import StoreError

MIN_SECONDS_APART = 0.25
"""Checkpoints come at most this often: each one writes again the pages changed since the
last (the indexes' and the search index's pages change with every commit) and syncs twice."""


class BackgroundCheckpoints:
    """A thread that checkpoints the cache at ``database`` after the writer's commits.

    The writer calls ``committed`` after each commit (cheap: it only wakes the thread, which
    starts on the first call) and ``stop`` before it closes its own connection, so that its
    close, the last, copies what is left and removes the log as before.
    """

    def __init__(self, database: Path, min_seconds_apart: float = MIN_SECONDS_APART) -> None:
        self.database = database
        self.min_seconds_apart = min_seconds_apart
        self.checkpoints = 0
        """How many checkpoints ran."""
        self._ran = threading.Condition()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        """The writer committed: copy what it wrote, soon, beside the refresh."""
        if self._stop.is_set():
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="reader-checkpoints",
                                            daemon=True)
            self._thread.start()
        self._wake.set()

    def wait(self, count: int, timeout: float) -> bool:
        """Wait until ``count`` checkpoints have run (at most ``timeout`` seconds); whether
        they have. For whoever must know that what was committed is in the cache file."""
        with self._ran:
            return self._ran.wait_for(lambda: self.checkpoints >= count, timeout)

    def stop(self) -> None:
        """End the thread (after the checkpoint it may be running) and close its connection."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        try:
            conn = connect(self.database)
        except StoreError:
            return  # the writer's own close will checkpoint, as it always did
        last = 0.0
        try:
            while True:
                self._wake.wait()
                # At most one checkpoint every ``min_seconds_apart``: commits that come in the
                # meantime are copied together. Stopping cuts the wait short.
                if self._stop.wait(max(0.0, last + self.min_seconds_apart - time.monotonic())):
                    return
                self._wake.clear()
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except (StoreError, sqlite3.Error):
                    pass  # busy or failing: left to the next checkpoint, or to the close
                else:
                    with self._ran:
                        self.checkpoints += 1
                        self._ran.notify_all()
                last = time.monotonic()
        finally:
            with contextlib.suppress(sqlite3.Error):
                conn.close()

"""A refresh's write-ahead log is copied into the cache file while the refresh writes
(``store.checkpoints``), so closing its connection has only the tail left to copy.

Real SQLite files, the real refresh writer."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reader.models import FeedFetched, StoryDraft
from reader.refresh.writer import RefreshWriter
from reader.store import Store
from reader.store.checkpoints import BackgroundCheckpoints
from reader.store.feeds import add_feed

WAIT = 60.0
"""Seconds a test waits for a checkpoint before it fails (they take milliseconds)."""


def fetched(prefix: str, count: int) -> FeedFetched:
    return FeedFetched(title=None, site_url=None, url=None, etag=None, last_modified=None,
                       drafts=tuple(StoryDraft(key=f"{prefix}-{n}", title=f"{prefix} {n}",
                                               body=f"Body of {prefix} {n}. " * 200)
                                    for n in range(count)))


def new_cache(folder: Path) -> tuple[Path, int]:
    """A cache with one feed and no connection left open."""
    path = folder / "cache.sqlite3"
    with Store.open(path) as store:
        feed = add_feed(store, "http://127.0.0.1:9/feed", "feed")
    return path, feed


def test_what_the_writer_commits_reaches_the_cache_file_while_it_is_still_open(
    tmp_path: Path,
) -> None:
    path, feed = new_cache(tmp_path)
    writer = RefreshWriter(path, None)
    try:
        writer.states(None)
        before = path.stat().st_size
        *_, group = writer.record(feed, fetched("a", 200))
        writer.commit(group)
        assert writer.checkpoints.wait(1, WAIT)
        assert path.stat().st_size > before + 200 * 4000  # the stories' pages are in the file
        *_, group = writer.record(feed, fetched("b", 200))
        writer.commit(group)
        assert writer.checkpoints.wait(2, WAIT)
    finally:
        writer.close()
    # The writer's close, the last connection's, copied the rest and removed the log.
    assert not Path(f"{path}-wal").exists()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM stories").fetchone()[0] == 400
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_checkpoint_never_blocks_a_reader_or_the_writer(tmp_path: Path) -> None:
    """A reader in the middle of a read transaction keeps its snapshot; the checkpoint copies
    what it can (PASSIVE) and the writer goes on committing."""
    path, feed = new_cache(tmp_path)
    reader = sqlite3.connect(path, isolation_level=None)
    writer = RefreshWriter(path, None)
    try:
        writer.states(None)
        reader.execute("BEGIN")
        assert reader.execute("SELECT count(*) FROM stories").fetchone()[0] == 0
        for n in range(3):
            *_, group = writer.record(feed, fetched(f"r{n}", 50))
            writer.commit(group)
            assert writer.checkpoints.wait(n + 1, WAIT)
        assert reader.execute("SELECT count(*) FROM stories").fetchone()[0] == 0
        reader.execute("COMMIT")
        assert reader.execute("SELECT count(*) FROM stories").fetchone()[0] == 150
    finally:
        writer.close()
        reader.close()


def test_stopping_without_a_commit_or_twice_is_harmless(tmp_path: Path) -> None:
    path, _ = new_cache(tmp_path)
    checkpoints = BackgroundCheckpoints(path)
    checkpoints.stop()
    checkpoints.stop()
    checkpoints.committed()  # after stop: starts nothing
    assert checkpoints.checkpoints == 0 and not checkpoints.wait(1, 0)


def test_a_cache_that_cannot_be_opened_is_left_to_the_writers_close(tmp_path: Path) -> None:
    checkpoints = BackgroundCheckpoints(tmp_path / "missing" / "cache.sqlite3")
    checkpoints.committed()
    checkpoints.stop()  # the thread ended by itself: nothing raised, nothing ran
    assert checkpoints.checkpoints == 0

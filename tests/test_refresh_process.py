"""The app's refresh runs in a child process: results, progress and cancelling come back."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from feed_server import FeedServer, rss2, static

from reader.config import FetchSettings
from reader.refresh.child import refresh_in_child
from reader.refresh.outcomes import RefreshProgress
from reader.store import Store
from reader.store.feeds import add_feed


@pytest.fixture
def server() -> Iterator[FeedServer]:
    running = FeedServer()
    yield running
    running.stop()


def subscribed_cache(folder: Path, server: FeedServer, feeds: int) -> Path:
    """A cache subscribed to ``feeds`` one-story feeds that ``server`` serves."""
    database = folder / "cache.sqlite3"
    with Store.open(database) as store:
        for n in range(feeds):
            server.routes[f"/f{n}.xml"] = static(rss2(f"F{n}", [(f"Story {n}", "<p>x</p>")]))
            add_feed(store, server.url(f"/f{n}.xml"), f"F{n}")
    return database


def test_child_refresh_reports_progress_and_stores_stories(
    tmp_path: Path, server: FeedServer
) -> None:
    database = subscribed_cache(tmp_path, server, 3)
    with Store.open(database) as store:
        add_feed(store, "http://127.0.0.1:9/refused.xml", "Refused")
    seen: list[RefreshProgress] = []
    for _ in range(3):  # repeated runs must not hang (a multiprocessing Event once did)
        seen.clear()
        summary = refresh_in_child(database, FetchSettings(), progress=seen.append)
        assert [p.done for p in seen] == [1, 2, 3, 4]
        assert summary.count("error") == 1
    with Store.open(database) as store:
        assert store.count() == 3


def test_a_cancelled_child_refresh_skips_what_it_has_not_started(
    tmp_path: Path, server: FeedServer
) -> None:
    database = subscribed_cache(tmp_path, server, 4)
    cancel = threading.Event()
    cancel.set()
    summary = refresh_in_child(database, FetchSettings(), cancel=cancel)
    assert len(summary.outcomes) == 4
    assert {o.status for o in summary.outcomes} <= {"skipped", "ok"}

"""The refresh's group commits: feeds stored one after another are committed together, each
stored whole or not at all, and a feed is reported only once what it stored is committed.

Real SQLite files, a real HTTP server on 127.0.0.1 and the real pipeline; the failing
full-text collector below is a real ``FullTextCollector`` that breaks on one feed, standing for
anything that fails after a feed's rows were written.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from conftest import file_of
from feed_server import FeedServer, rss2, static

from reader.config import FetchSettings
from reader.fulltext.at_refresh import FullTextCollector
from reader.models import FeedFetched, StoryDraft, View
from reader.refresh.outcomes import RefreshProgress
from reader.refresh.pipeline import refresh_feeds
from reader.refresh.writer import RefreshWriter
from reader.store import Store
from reader.store.feeds import add_feed

SETTINGS = FetchSettings(
    concurrency=16, per_host=8, connect_timeout=5.0, read_timeout=60.0, deadline=120.0,
    max_bytes=256 * 1024, max_redirects=5,
)


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    running = FeedServer()
    yield running
    running.stop()


def fetched(prefix: str, count: int) -> FeedFetched:
    return FeedFetched(title=None, site_url=None, url=None, etag=None, last_modified=None,
                       drafts=tuple(StoryDraft(key=f"{prefix}-{n}", title=f"{prefix} {n}",
                                               body=f"Body of {prefix} {n}")
                                    for n in range(count)))


def stories_seen_by_another_process(path: Path) -> dict[int, int]:
    """Stories per feed as another connection (another process) sees the cache now."""
    other = sqlite3.connect(path)
    try:
        return dict(other.execute("SELECT source_id, count(*) FROM stories GROUP BY source_id"))
    finally:
        other.close()


class BreaksOn(FullTextCollector):
    """Fails after the given feed's stories were written, as a bug there would."""

    def __init__(self, feed_id: int) -> None:
        super().__init__()
        self.breaks_on = feed_id

    def collect(self, store: Store, feed_id: int, drafts: Sequence[StoryDraft]) -> None:
        super().collect(store, feed_id, drafts)
        if feed_id == self.breaks_on:
            raise RuntimeError("the collector broke")


def test_a_group_is_committed_whole_and_a_failing_feed_is_undone_alone(store: Store) -> None:
    a, b, c = (add_feed(store, f"http://127.0.0.1:9/{name}", name) for name in "abc")
    collector = BreaksOn(b)
    writer = RefreshWriter(file_of(store), None, collector)
    try:
        writer.states(None)
        *_, group = writer.record(a, fetched("a", 3))
        with pytest.raises(RuntimeError, match="collector broke"):
            writer.record(b, fetched("b", 4))
        report, _, name, same = writer.record(c, fetched("c", 2))
        assert (report.new, name, same) == (2, "c", group)
        assert stories_seen_by_another_process(file_of(store)) == {}  # nothing committed yet
        assert len(collector.new_ids) == 5  # a's and c's: b's four were forgotten with it
        writer.commit(group)
        assert stories_seen_by_another_process(file_of(store)) == {a: 3, c: 2}
        writer.commit(group)  # done already: nothing happens
        *_, later = writer.record(c, fetched("c-more", 1))
        assert later == group + 1
    finally:
        writer.close()  # commits the open group: a refresh stopped on the way keeps it
    assert stories_seen_by_another_process(file_of(store)) == {a: 3, c: 3}
    assert store.count(View(query="body")) == 6  # and searchable


def test_closing_the_writer_commits_what_it_stored(store: Store) -> None:
    feed = add_feed(store, "http://127.0.0.1:9/stopped", "stopped")
    writer = RefreshWriter(file_of(store), None)
    writer.states(None)
    writer.record(feed, fetched("stopped", 2))
    writer.close()
    assert stories_seen_by_another_process(file_of(store)) == {feed: 2}


def test_a_feed_is_reported_only_once_its_stories_are_committed(
    server: FeedServer, store: Store
) -> None:
    feeds = {}
    for n in range(12):
        server.routes[f"/groups/f{n}"] = static(rss2(f"G{n}", [(f"g{n}-{i}", f"G {n}.{i}")
                                                            for i in range(n + 1)]))
        feeds[add_feed(store, server.url(f"/groups/f{n}"), f"g{n}")] = n + 1
    seen: dict[int, int] = {}

    def progress(step: RefreshProgress) -> None:  # what another process sees at that moment
        seen[step.outcome.feed_id] = stories_seen_by_another_process(file_of(store)).get(
            step.outcome.feed_id, 0)

    summary = refresh_feeds(file_of(store), SETTINGS, list(feeds), progress=progress)
    assert summary.count("ok") == 12 and summary.new == sum(feeds.values())
    assert seen == feeds


def test_a_slow_feed_does_not_hold_back_the_commit_of_those_stored_before_it(
    server: FeedServer, store: Store
) -> None:
    """The group a stored feed waits in is committed (``GROUP_SECONDS`` later) while another
    feed is still on its way: here the slow feed's server answers only once the fast feed was
    reported (or after a minute, which fails the test)."""
    fast_reported = threading.Event()
    answered_in_time: list[bool] = []
    body = rss2("Slow", [("slow-1", "Slow one")])

    def slow(h) -> None:
        answered_in_time.append(fast_reported.wait(60))
        static(body)(h)

    server.routes["/groups/fast"] = static(rss2("Fast", [("fast-1", "Fast one")]))
    server.routes["/groups/slow"] = slow
    fast = add_feed(store, server.url("/groups/fast"), "fast")
    add_feed(store, server.url("/groups/slow"), "slow")

    def progress(step: RefreshProgress) -> None:
        if step.outcome.feed_id == fast:
            assert stories_seen_by_another_process(file_of(store)) == {fast: 1}
            fast_reported.set()

    summary = refresh_feeds(file_of(store), SETTINGS, progress=progress)
    assert summary.count("ok") == 2 and summary.new == 2
    assert answered_in_time == [True]

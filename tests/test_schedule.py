"""A feed is fetched no more often than it asks: durations, what a feed and its server ask, and
automatic refreshes against a real server on 127.0.0.1 that skip what is not due."""

from __future__ import annotations

import time
from collections.abc import Iterator
from email.utils import formatdate

import pytest
from conftest import file_of
from feed_server import FeedServer, rss2, static

from reader.config import FetchSettings
from reader.feeds.parse import parse_feed
from reader.refresh.pipeline import refresh_feeds
from reader.schedule import (
    DAY,
    DUE_GRACE,
    HOUR,
    MAX_ASK,
    MINUTE,
    DurationError,
    check_duration,
    feed_asks_every,
    format_duration,
    http_fresh_until,
    is_due,
    next_due,
    parse_duration,
)
from reader.store import Store
from reader.store.feeds import add_feed, feed_sources, set_interval

SETTINGS = FetchSettings(connect_timeout=2.0, read_timeout=2.0, deadline=5.0)
SY = 'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"'


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    running = FeedServer()
    yield running
    running.stop()


def with_channel(extra: str, title: str = "Asks") -> bytes:
    """An RSS feed whose channel carries ``extra`` (ttl, sy: elements)."""
    body = rss2(title, [(f"{title}-1", f"{title} story")]).decode()
    return body.replace("<rss version=\"2.0\">", f"<rss version=\"2.0\" {SY}>").replace(
        "<channel>", f"<channel>{extra}", 1).encode()


@pytest.mark.parametrize(("text", "seconds"), [
    ("30m", 30 * MINUTE), ("2h", 2 * HOUR), ("1d", DAY), ("1h30m", 90 * MINUTE),
    (" 45s ", 45), ("2w", 14 * DAY), ("0", 0), ("10 m", 10 * MINUTE), ("3H", 3 * HOUR),
])
def test_durations_are_read_as_written(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "60", "1.5h", "-5m", "5 minutes", "m", "1y", "1h 2x"])
def test_anything_else_is_not_a_duration(text: str) -> None:
    with pytest.raises(DurationError, match="a duration like"):
        parse_duration(text)


def test_durations_are_checked_against_their_range_and_shown_back() -> None:
    assert check_duration("0", MINUTE, DAY, zero_ok=True) == 0
    with pytest.raises(DurationError, match=r'from 1m to 1d \(or "0" for off\)'):
        check_duration("2d", MINUTE, DAY, zero_ok=True)
    with pytest.raises(DurationError, match=r"from 1m to 1d$"):
        check_duration("0", MINUTE, DAY)
    assert [format_duration(s) for s in (0, 45, 3600, 5400, 90061)] == [
        "0", "45s", "1h", "1h30m", "1d1h1m1s"]


def test_the_document_asks_through_ttl_and_the_syndication_module() -> None:
    assert feed_asks_every(60, None, None) == HOUR
    assert feed_asks_every(None, "hourly", 2) == 30 * MINUTE
    assert feed_asks_every(None, None, 4) == 6 * HOUR  # per day, the module's default
    assert feed_asks_every(10, "daily", None) == DAY  # both are lower bounds: the longer holds
    assert feed_asks_every(None, None, None) is None
    parsed = parse_feed(with_channel("<ttl> 90 </ttl><sy:updatePeriod>Hourly"
                                     "</sy:updatePeriod><sy:updateFrequency>4"
                                     "</sy:updateFrequency>"), {}, "http://127.0.0.1/f")
    assert (parsed.ttl, parsed.update_period, parsed.update_frequency) == (90, "hourly", 4)
    assert parsed.asks_every == 90 * MINUTE
    odd = parse_feed(with_channel("<ttl>soon</ttl><sy:updatePeriod>never</sy:updatePeriod>"),
                     {}, "http://127.0.0.1/f")
    assert (odd.ttl, odd.update_period, odd.asks_every) == (None, None, None)


def test_the_server_asks_through_max_age_or_expires() -> None:
    now = 1_000_000.0
    assert http_fresh_until({"cache-control": "public, max-age=600"}, now) == now + 600
    assert http_fresh_until({"cache-control": "max-age=600", "age": "100"}, now) == now + 500
    assert http_fresh_until({"cache-control": "no-cache, max-age=600"}, now) is None
    # Expires is measured against the server's own Date: its clock may be wrong.
    headers = {"date": formatdate(5_000_000, usegmt=True),
               "expires": formatdate(5_000_000 + 1800, usegmt=True)}
    assert http_fresh_until(headers, now) == now + 1800
    assert http_fresh_until({"expires": "0"}, now) is None
    assert http_fresh_until({"expires": formatdate(now - 60, usegmt=True)}, now) is None


def test_the_longest_ask_holds_and_what_a_feed_asks_is_capped_at_a_day() -> None:
    now = 1_000_000.0
    assert next_due(now) == now
    assert next_due(now, interval=2 * HOUR, feed_every=HOUR) == now + 2 * HOUR
    assert next_due(now, feed_every=365 * DAY) == now + MAX_ASK  # a ttl of a year
    assert next_due(now, fresh=now + 30 * DAY) == now + MAX_ASK  # an Expires far away
    assert next_due(now, interval=3 * DAY) == now + 3 * DAY  # the person's own choice
    assert next_due(now, retry_after=now + 5 * DAY) == now + 5 * DAY  # fetch caps it (a week)
    assert is_due(None, now) and is_due(now + DUE_GRACE, now) and not is_due(now + 600, now)


def test_an_automatic_refresh_fetches_only_the_feeds_that_are_due(
    server: FeedServer, store: Store
) -> None:
    """A feed with ``<ttl>60</ttl>`` or ``max-age`` is not fetched again before it is due; a
    refresh by hand fetches every feed."""
    server.routes["/ttl.xml"] = static(with_channel("<ttl>60</ttl>", "Ttl"))
    server.routes["/maxage.xml"] = static(rss2("Max age", [("m-1", "Max age story")]),
                                          headers={"Cache-Control": "max-age=7200"})
    server.routes["/year.xml"] = static(with_channel("<ttl>525600</ttl>", "Year"))
    server.routes["/plain.xml"] = static(rss2("Plain", [("p-1", "Plain story")]))
    ids = {path: add_feed(store, server.url(path), path)
           for path in ("/ttl.xml", "/maxage.xml", "/year.xml", "/plain.xml")}
    before = time.time()
    first = refresh_feeds(file_of(store), SETTINGS, due_only=True)  # never checked: all due
    assert first.count("ok") == 4 and first.not_due == 0
    due = {s.url: s.next_due for s in feed_sources(store)}
    assert due[server.url("/ttl.xml")] == pytest.approx(before + HOUR, abs=30)
    assert due[server.url("/maxage.xml")] == pytest.approx(before + 2 * HOUR, abs=30)
    assert due[server.url("/year.xml")] == pytest.approx(before + DAY, abs=30)  # capped
    assert due[server.url("/plain.xml")] == pytest.approx(before, abs=30)

    asked = len(server.requests)
    second = refresh_feeds(file_of(store), SETTINGS, due_only=True)
    assert [o.url for o in second.outcomes] == [server.url("/plain.xml")]
    assert second.not_due == 3
    assert second.describe().endswith("; 3 not due yet")
    assert [p for p, _ in server.requests[asked:]] == ["/plain.xml"]

    set_interval(store, ids["/plain.xml"], 30 * MINUTE)  # the person's own interval
    third = refresh_feeds(file_of(store), SETTINGS, due_only=True)
    assert third.outcomes == () and third.not_due == 4
    assert third.describe().startswith("no feed is due yet (4 asked not to be fetched")

    by_hand = refresh_feeds(file_of(store), SETTINGS)  # R, reader refresh: every feed
    assert len(by_hand.outcomes) == 4 and by_hand.not_due == 0
    named = refresh_feeds(file_of(store), SETTINGS, [ids["/ttl.xml"]], due_only=True)
    assert named.outcomes == () and named.not_due == 1

"""The fetch boundary against real servers on loopback: every failure is a reason in words,
and one ``Fetcher`` bounds a whole refresh (per-host budget of time and bytes, an overall
deadline), so one slow host never holds the others.

A second host is a second server on 127.0.0.2 (all of 127/8 is loopback). Bounds are a second
or two here; the tests wait for the fetches, never for a fixed time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import socket
from collections.abc import Iterator

import pytest
from feed_server import FeedServer, redirect, rss2, slow_headers, static, trickle

from reader.config import FetchSettings
from reader.feeds.fetch import Fetcher, FetchRequest, FetchResult, check_url

FAST = FetchSettings(
    concurrency=16, per_host=2, connect_timeout=2.0, read_timeout=1.0, deadline=1.5,
    max_bytes=256 * 1024, max_redirects=5, host_deadline=30.0, refresh_deadline=30.0,
)
CLASS_NAME = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception|Group|Timeout|URL)\b")


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    running = FeedServer()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def other_host() -> Iterator[FeedServer]:
    running = FeedServer("127.0.0.2")
    yield running
    running.stop()


def fetch_all(settings: FetchSettings, urls: list[str]) -> list[FetchResult]:
    async def run() -> list[FetchResult]:
        async with Fetcher(settings) as fetcher:
            return list(await asyncio.gather(*(fetcher.fetch(FetchRequest(u)) for u in urls)))
    return asyncio.run(run())


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def assert_in_words(result: FetchResult) -> None:
    assert result.status == "error", result
    assert result.error and "\n" not in result.error
    assert not CLASS_NAME.search(result.error), result.error


BAD_URLS = {
    "port out of range": ("http://127.0.0.1:99999/feed", "bad port '99999'"),
    "port not a number": ("http://127.0.0.1:abc/feed", "bad port 'abc'"),
    "negative port": ("http://127.0.0.1:-1/feed", "bad port '-1'"),
    "bad ipv6": ("http://[bad-ipv6/", "invalid IPv6 URL"),
    "control character": ("http://exa\x00mple.org/", "not a usable URL"),
    "no host": ("http:///feed", "without a host"),
    "other scheme": ("ftp://example.org/feed", "a ftp: URL, not http(s)"),
}


def test_the_test_server_ends_each_connection_without_an_error(server: FeedServer) -> None:
    """Every request used to end in an AttributeError in the server's thread (its wrapped
    ``wfile`` had no ``closed``), printed as a traceback that could race pytest's own parsing
    of a module (``feed_server._TimedWrites``)."""
    server.routes["/one"] = static(rss2("One", [("o1", "story")]))
    results = fetch_all(FAST, [server.url("/one")])
    assert [r.status for r in results] == ["ok"]
    assert server.wait_connections_ended(1)
    assert server.errors == []


@pytest.mark.parametrize("case", BAD_URLS)
def test_a_bad_url_is_a_reason_in_words(case: str) -> None:
    url, reason = BAD_URLS[case]
    [result] = fetch_all(FAST, [url])
    assert_in_words(result)
    assert reason in (result.error or "")


def test_check_url_names_a_redirect_target() -> None:
    with pytest.raises(Exception, match="redirected to 'javascript:alert"):
        check_url("javascript:alert(1)", redirect=True)


def test_redirects_to_bad_places_are_reasons_in_words(server: FeedServer) -> None:
    targets = {
        "/r/port": ("http://127.0.0.1:99999/feed", "bad port '99999'"),
        "/r/abc": ("http://127.0.0.1:abc/feed", "bad port 'abc'"),
        "/r/js": ("javascript:alert(1)", "a javascript: URL, not http(s)"),
        "/r/ipv6": ("http://[bad-ipv6/", "invalid IPv6 URL"),
        "/r/data": ("data:text/xml,<rss/>", "a data: URL"),
    }
    for path, (location, _) in targets.items():
        server.routes[path] = redirect(location, 302)
    results = fetch_all(FAST, [server.url(p) for p in targets])
    for result, (location, reason) in zip(results, targets.values(), strict=True):
        assert_in_words(result)
        assert reason in (result.error or ""), result.error
        assert (result.error or "").startswith(f"redirected to {location!r}")


def test_nothing_listening_is_a_refused_connection() -> None:
    [result] = fetch_all(FAST, [f"http://127.0.0.1:{closed_port()}/feed"])
    assert_in_words(result)
    assert result.error == "127.0.0.1 refused the connection (nothing listens there)"


def test_a_host_whose_name_is_not_found_is_looked_up_once_a_refresh(
        server: FeedServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its other feeds (pages, images) fail at once with the same reason instead of each
    waiting for a lookup that fails again (seconds each where DNS is unreachable); a host
    that answers is fetched as usual beside it. ``.invalid`` never resolves (RFC 6761)."""
    server.routes["/up"] = static(rss2("Up", [("u1", "story")]))
    lookups: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def counted(host: object, *args: object, **kwargs: object) -> object:
        lookups.append(str(host))
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", counted)
    missing = [f"http://reader-test.invalid/feed/{n}" for n in range(6)]
    results = fetch_all(FAST, [*missing, server.url("/up")])
    assert results[-1].status == "ok"
    for result in results[:-1]:
        assert_in_words(result)
        assert result.error in (
            "the host name reader-test.invalid was not found (offline, or no such host)",
            f"could not connect within {FAST.connect_timeout:g} s")  # a resolver not answering
    assert len({r.error for r in results[:-1]}) == 1
    # Only the fetches already under way when the first lookup failed (one per slot).
    assert 1 <= lookups.count("reader-test.invalid") <= FAST.per_host


def test_slowloris_headers_are_cut_off_by_the_read_timeout(server: FeedServer) -> None:
    server.routes["/slowloris"] = slow_headers(every=0.05)
    settings = dataclasses.replace(FAST, read_timeout=0.5, deadline=20.0)
    [result] = fetch_all(settings, [server.url("/slowloris")])
    assert "/slowloris" not in server.outlasted  # not waited out
    assert_in_words(result)
    assert result.error == "the server took more than 0.5 s to send its headers"


def test_a_trickling_host_spends_its_budget_and_the_rest_are_skipped(
    server: FeedServer, other_host: FeedServer
) -> None:
    """Six feeds trickling from one host, two at a time: the first two are cut off at their
    deadline, which spends the host's budget; the other four come back at once as skipped.
    Eight good feeds on another host are fetched meanwhile, none waiting behind them.

    The good host has the same 1.5 s budget (the settings are the refresh's, not a host's), and
    its busy time is its answers' time: with twenty good feeds, a machine loaded enough to
    make each answer take ~150 ms could spend it and rightly skip a good one (the all-faults
    test's good feeds were skipped that way at load 7); eight leave it 2.5 times the room."""
    for n in range(6):
        other_host.routes[f"/slow{n}"] = trickle(every=0.1)
    for n in range(8):
        server.routes[f"/good{n}"] = static(rss2(f"Good {n}", [(f"g{n}", "story")]))
    settings = dataclasses.replace(FAST, deadline=1.5, host_deadline=1.5, refresh_deadline=30)
    slow = [other_host.url(f"/slow{n}") for n in range(6)]
    good = [server.url(f"/good{n}") for n in range(8)]
    results = fetch_all(settings, slow + good)
    # None waited out (each drips for 20 s); was 3 rounds of the deadline, now one, and the
    # rest skipped at once (below).
    assert not set(other_host.outlasted) & {f"/slow{n}" for n in range(6)}
    assert [r.status for r in results[6:]] == ["ok"] * 8
    slow_results = results[:6]
    # The first one or two (started together) reach their own deadline; one started a moment
    # later reaches the host's budget first, and is skipped like those not started.
    assert sum(r.status == "error" for r in slow_results) in (1, 2)
    assert sum(r.status == "skipped" for r in slow_results) >= 4
    for result in slow_results:
        if result.status == "error":
            assert result.error == "cut off after the 1.5 s deadline"
        else:
            assert result.error == "host 127.0.0.2 too slow this time"
    assert len(other_host.requests_for("/slow2")) + len(other_host.requests_for("/slow5")) <= 2


def test_the_host_budget_cuts_off_feeds_in_flight(other_host: FeedServer) -> None:
    for n in range(3):
        other_host.routes[f"/drip{n}"] = trickle(every=0.1)
    settings = dataclasses.replace(FAST, deadline=30, host_deadline=1.0)
    results = fetch_all(settings, [other_host.url(f"/drip{n}") for n in range(3)])
    assert not set(other_host.outlasted) & {f"/drip{n}" for n in range(3)}  # none waited out
    assert {(r.status, r.error) for r in results} == {
        ("skipped", "host 127.0.0.2 too slow this time")}


def test_a_host_over_its_byte_budget_is_skipped(server: FeedServer,
                                                other_host: FeedServer) -> None:
    body = rss2("Big", [(f"b{n}", "x" * 2000) for n in range(20)])
    for n in range(5):
        other_host.routes[f"/big{n}"] = static(body)
    server.routes["/small"] = static(rss2("Small", [("s", "story")]))
    settings = dataclasses.replace(FAST, per_host=1, host_max_bytes=len(body) * 5 // 2)
    results = fetch_all(settings, [other_host.url(f"/big{n}") for n in range(5)]
                        + [server.url("/small")])
    assert [r.status for r in results] == ["ok", "ok", "skipped", "skipped", "skipped", "ok"]
    assert results[2].error == \
        f"host 127.0.0.2 sent more than {len(body) * 5 // 2:,} bytes this time"
    assert len(other_host.requests_for("/big4")) == 0  # asked for nothing more


def test_the_refresh_deadline_skips_what_is_pending(server: FeedServer,
                                                    other_host: FeedServer) -> None:
    for n in range(4):
        other_host.routes[f"/late{n}"] = trickle(every=0.1)
    server.routes["/prompt"] = static(rss2("Prompt", [("p", "story")]))
    settings = dataclasses.replace(FAST, deadline=30, host_deadline=30, refresh_deadline=1.0)
    results = fetch_all(settings, [other_host.url(f"/late{n}") for n in range(4)]
                        + [server.url("/prompt")])
    assert not set(other_host.outlasted) & {f"/late{n}" for n in range(4)}  # none waited out
    assert results[-1].status == "ok"
    for result in results[:4]:
        assert (result.status, result.error) == (
            "skipped", "host 127.0.0.2 too slow this time (the refresh stops after 1 s)")

"""Faults from the reliability probes, end to end: the real ``reader`` in a subprocess against
real loopback servers and real cache files. Each case that once ended in a traceback is one
``reader: error:`` line and exit status 2; a refresh stores reasons in words, never an
exception's class name."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_reader
from feed_server import FeedServer, redirect, rss2, static

ONE_LINE_ERROR = re.compile(r"^reader: error: \S[^\n]*\n$")
CLASS_NAME = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception|Group|Timeout|URL)\b")


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    running = FeedServer()
    running.routes["/ok"] = static(rss2("Fine", [("f1", "Fine story")]))
    running.routes["/to-bad-port"] = redirect("http://127.0.0.1:99999/feed", 302)
    running.routes["/to-abc-port"] = redirect("http://127.0.0.1:abc/feed", 302)
    running.routes["/to-javascript"] = redirect("javascript:alert(document.cookie)", 302)
    running.routes["/to-bad-ipv6"] = redirect("http://[bad-ipv6/", 302)
    yield running
    running.stop()


@pytest.fixture
def home(isolated_home: Path) -> Path:
    config = isolated_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[fetch]\ndeadline = 5\nconnect_timeout = 2\nread_timeout = 2\n")
    return isolated_home


def assert_one_line_error(result, *words: str) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode == 2, result
    assert ONE_LINE_ERROR.match(result.stderr), result.stderr
    assert not CLASS_NAME.search(result.stderr), result.stderr
    for word in words:
        assert word in result.stderr, result.stderr
    assert result.stdout == ""


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


ADD_CASES = {
    "port out of range": (lambda s: "http://127.0.0.1:99999/feed", "bad port '99999'"),
    "port not a number": (lambda s: "http://127.0.0.1:abc/feed", "bad port 'abc'"),
    "bad ipv6": (lambda s: "http://[bad-ipv6/", "invalid IPv6 URL"),
    "nothing listening": (lambda s: f"http://127.0.0.1:{closed_port()}/feed",
                          "refused the connection"),
    "redirect to a bad port": (lambda s: s.url("/to-bad-port"), "bad port '99999'"),
    "redirect to a port not a number": (lambda s: s.url("/to-abc-port"), "bad port 'abc'"),
    "redirect to javascript:": (lambda s: s.url("/to-javascript"),
                                "a javascript: URL, not http(s)"),
    "redirect to a bad ipv6": (lambda s: s.url("/to-bad-ipv6"), "invalid IPv6 URL"),
}


@pytest.mark.parametrize("case", ADD_CASES)
def test_add_gives_one_line_for_every_bad_address(server: FeedServer, home: Path,
                                                  case: str) -> None:
    make, reason = ADD_CASES[case]
    url = make(server)
    assert_one_line_error(run_reader("add", url, home=home), "cannot fetch", reason)
    listed = run_reader("feeds", "--json", home=home)
    assert listed.stdout == ""  # nothing subscribed


def test_refresh_json_gives_reasons_in_words(server: FeedServer, home: Path,
                                             tmp_path: Path) -> None:
    urls = ["http://127.0.0.1:99999/feed", server.url("/to-bad-port"),
            server.url("/to-javascript"), server.url("/ok")]
    opml = tmp_path / "list.opml"
    opml.write_text('<opml version="2.0"><body>' + "".join(
        f'<outline text="F{n}" xmlUrl="{url}"/>' for n, url in enumerate(urls))
        + "</body></opml>", encoding="utf-8")
    assert run_reader("import", str(opml), home=home).returncode == 0
    result = run_reader("refresh", "--json", home=home)
    assert (result.returncode, result.stderr) == (0, "")
    outcomes = {o["url"]: o for o in map(json.loads, result.stdout.splitlines())}
    assert outcomes[server.url("/ok")]["status"] == "ok"
    assert outcomes[urls[0]]["error"] == \
        "bad port '99999' (a port is a number from 1 to 65535)"
    assert outcomes[urls[1]]["error"] == ("redirected to 'http://127.0.0.1:99999/feed', bad"
                                          " port '99999' (a port is a number from 1 to 65535)")
    assert "a javascript: URL, not http(s)" in outcomes[urls[2]]["error"]
    for outcome in outcomes.values():
        assert not CLASS_NAME.search(outcome["error"] or ""), outcome
    stored = run_reader("feeds", "--json", home=home)
    for feed in map(json.loads, stored.stdout.splitlines()):
        assert not CLASS_NAME.search(feed["last_error"] or ""), feed


OPTION_CASES = {
    "search without a query": ["search"],
    "search with a bad limit": ["search", "x", "--limit", "many"],
    "list with a bad option": ["list", "--bogus"],
    "show without an id": ["show"],
}


@pytest.mark.parametrize("case", OPTION_CASES)
def test_every_option_error_has_the_one_prefix(isolated_home: Path, case: str) -> None:
    result = run_reader(*OPTION_CASES[case], home=isolated_home)
    assert_one_line_error(result)
    assert result.stderr.startswith("reader: error: ")

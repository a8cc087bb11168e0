"""``reader edit``, ``reader refresh --due`` and ``reader filters`` as the real command in a
subprocess, every bad input included: one error line, exit 2, nothing changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_reader
from feed_server import FeedServer, rss2, static

from reader.cli.context import Context
from reader.store import Store
from reader.store.feeds import add_feed


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    running = FeedServer()
    ttl = rss2("Hourly", [("h1", "Hourly story")]).replace(b"<channel>", b"<channel><ttl>60</ttl>")
    running.routes["/hourly.xml"] = static(ttl)
    running.routes["/plain.xml"] = static(rss2("Plain", [
        ("p1", "A sponsored post about rust"), ("p2", "Giveaway inside"), ("p3", "Plain news"),
    ]))
    yield running
    running.stop()


def make_home(home: Path, server: FeedServer, config: str = "") -> dict[str, int]:
    path = home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[fetch]\ndeadline = 5\nconnect_timeout = 2\n\n" + config)
    context = Context.create(str(home), [])
    with Store.open(context.paths.database) as store:
        return {name: add_feed(store, server.url(f"/{name}.xml"), name.title())
                for name in ("hourly", "plain")}


def feeds_json(home: Path) -> dict[str, dict[str, Any]]:
    result = run_reader("feeds", "--json", home=home)
    assert result.returncode == 0, result.stderr
    return {str(f["title"]): f for f in map(json.loads, result.stdout.splitlines())}


def one_error_line(result: object, *words: str) -> None:
    assert result.returncode == 2, result.stdout  # type: ignore[attr-defined]
    lines = result.stderr.strip().splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("reader: error: "), lines
    assert all(word in lines[0] for word in words), lines[0]


def test_edit_changes_title_folder_and_interval(isolated_home: Path, server: FeedServer) -> None:
    ids = make_home(isolated_home, server)
    done = run_reader("edit", str(ids["plain"]), "--title", "Tech news", "--group", "Tech",
                      "--interval", "2h", home=isolated_home)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (f"feed {ids['plain']} 'Plain': title: 'Tech news'; folder: 'Tech';"
                           " interval: 2h\n")
    feed = feeds_json(isolated_home)["Tech news"]
    assert (feed["group"], feed["interval"], feed["next_due"]) == ("Tech", 7200, None)
    again = run_reader("edit", server.url("/plain.xml"), "--group", "", "--interval", "0",
                       home=isolated_home)
    assert again.stdout.endswith("folder: none; interval: none\n"), again.stderr
    feed = feeds_json(isolated_home)["Tech news"]
    assert (feed["group"], feed["interval"]) == (None, None)


@pytest.mark.parametrize(("args", "words"), [
    (["--interval", "60"], ["--interval", 'a duration like "30m"', "'60'"]),
    (["--interval", "10s"], ["--interval", "from 1m to 30d"]),
    (["--interval", "31d"], ["--interval", "from 1m to 30d"]),
    (["--title", "  "], ["--title", "cannot be empty"]),
    ([], ["nothing to change", "--title, --group, --interval"]),
    (["--interval"], ["--interval", "expected one argument"]),
])
def test_edit_refuses_a_bad_value_in_one_line(
    isolated_home: Path, server: FeedServer, args: list[str], words: list[str]
) -> None:
    ids = make_home(isolated_home, server)
    one_error_line(run_reader("edit", str(ids["plain"]), *args, home=isolated_home), *words)
    assert feeds_json(isolated_home)["Plain"]["interval"] is None  # nothing changed


def test_edit_names_a_feed_that_is_not_there(isolated_home: Path, server: FeedServer) -> None:
    make_home(isolated_home, server)
    one_error_line(run_reader("edit", "999", "--title", "X", home=isolated_home), "no feed '999'")
    one_error_line(run_reader("edit", "seeds", "--title", "X", home=isolated_home),
                   "'seeds' is a folder of articles, not a feed")


def test_refresh_due_fetches_only_what_is_due(isolated_home: Path, server: FeedServer) -> None:
    make_home(isolated_home, server)
    first = run_reader("refresh", "--due", "--json", home=isolated_home)
    assert first.returncode == 0, first.stderr
    assert sorted(json.loads(line)["title"] for line in first.stdout.splitlines()) == [
        "Hourly", "Plain"]
    listed = feeds_json(isolated_home)
    assert listed["Hourly"]["next_due"] > listed["Hourly"]["last_checked"]  # ISO, an hour on
    second = run_reader("refresh", "--due", home=isolated_home)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[-1] == (
        "1 feed: 1 ok, 0 not modified, 0 failed; 0 new stories; 1 not due yet")
    by_hand = run_reader("refresh", "--json", home=isolated_home)  # every feed
    assert len(by_hand.stdout.splitlines()) == 2
    one_error_line(run_reader("refresh", "--due", "nowhere", home=isolated_home), "no feed")


FILTERS = """
[[filters]]
name = "ads"
query = '"sponsored post"'
action = "hide"

[[filters]]
query = "giveaway"
action = "read"

[[filters]]
query = "is:never"
action = "hide"

[[filters]]
query = "source:plain news"
action = "explode"
"""


def test_filters_lists_each_rule_with_its_matches_and_names_a_bad_one(
    isolated_home: Path, server: FeedServer
) -> None:
    make_home(isolated_home, server, FILTERS)
    refreshed = run_reader("refresh", "plain", home=isolated_home)
    assert refreshed.returncode == 0, refreshed.stderr
    assert "3 new stories (2 filtered)" in refreshed.stdout
    assert refreshed.stderr.count("reader: warning: filter") == 2  # the others apply
    listed = run_reader("filters", home=isolated_home)
    assert listed.returncode == 2
    assert listed.stdout.splitlines() == [
        "  1  hide  \"sponsored post\"  'ads'  · 1 story",
        "  2  read  giveaway  · 1 story",
        "1 story hidden (search is:hidden to see them)",
    ]
    errors = listed.stderr.strip().splitlines()
    assert errors == [
        "reader: error: filter 3 (is:never): is:never is not a filter (use is:unread,"
        " is:starred or is:hidden)",
        'reader: error: filter 4 (source:plain news): needs action = "read" or "hide"',
    ]
    as_json = [json.loads(line) for line in
               run_reader("filters", "--json", home=isolated_home).stdout.splitlines()]
    assert [(r["number"], r["matched"], r["error"] is None) for r in as_json] == [
        (1, 1, True), (2, 1, True), (3, 0, False), (4, 0, False)]
    shown = run_reader("list", "--json", home=isolated_home)
    titles = [json.loads(line)["title"] for line in shown.stdout.splitlines()]
    assert "A sponsored post about rust" not in titles and "Giveaway inside" in titles


def test_a_bad_refresh_setting_is_one_line(isolated_home: Path, server: FeedServer) -> None:
    make_home(isolated_home, server, "")
    config = isolated_home / "config" / "config.toml"
    config.write_text('refresh_interval = "soon"\n')
    one_error_line(run_reader("feeds", home=isolated_home), "refresh_interval must be",
                   'a duration like "30m"')
    config.write_text('notify_command = "notify-send hi"\n')
    one_error_line(run_reader("feeds", home=isolated_home), "notify_command must be",
                   "a list of strings")

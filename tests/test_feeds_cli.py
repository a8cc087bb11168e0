"""The feed commands, run as the real ``reader`` in a subprocess against a local server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from config_support import with_fetch_settings
from conftest import run_reader
from feed_server import FeedServer, rss2, static

from reader.feeds.opml import read_opml

FEEDS = Path(__file__).parent / "feeds"


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    running = FeedServer()
    running.routes["/c/rss"] = static(rss2("RSS two", [(f"g{n}", f"Story {n}") for n in range(3)]))
    running.routes["/c/atom.xml"] = static((FEEDS / "atom.xml").read_bytes(),
                                           "application/atom+xml")
    running.routes["/c/hostile"] = static((FEEDS / "hostile.xml").read_bytes())
    running.routes["/c/page.html"] = static(
        b'<html><head><link rel="alternate" type="application/atom+xml" title="Posts"'
        b' href="atom.xml"></head><body>hi</body></html>', "text/html")
    running.routes["/c/plain.html"] = static((FEEDS / "page_without_feed.html").read_bytes(),
                                             "text/html")
    running.routes["/c/broken"] = static(b"<?xml version='1.0'?><rss><chan")
    yield running
    running.stop()


@pytest.fixture
def home(isolated_home: Path) -> Path:
    return with_fetch_settings(isolated_home, deadline=5, per_host=8, connect_timeout=2)


def reader(home: Path, *args: str):
    return run_reader(*args, home=home)


def feeds_json(home: Path) -> list[dict[str, object]]:
    result = reader(home, "feeds", "--json")
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def assert_one_line_error(result, *words: str) -> None:
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reader: error: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


def test_add_list_show_and_remove(server: FeedServer, home: Path) -> None:
    added = reader(home, "add", server.url("/c/rss"))
    assert added.returncode == 0, added.stderr
    assert "added feed" in added.stdout and "'RSS two'" in added.stdout
    assert "3 stories" in added.stdout
    [feed] = feeds_json(home)
    assert feed["title"] == "RSS two" and feed["url"] == server.url("/c/rss")
    assert (feed["stories"], feed["unread"], feed["last_status"]) == (3, 3, "ok")
    assert feed["last_checked"] and feed["last_error"] is None

    listed = reader(home, "list", "--source", "RSS two", "--json")
    stories = [json.loads(line) for line in listed.stdout.splitlines()]
    assert {s["title"] for s in stories} == {"Story 0", "Story 1", "Story 2"}
    shown = reader(home, "show", stories[0]["id"])
    assert shown.returncode == 0 and "Body of **Story" in shown.stdout

    text = reader(home, "feeds").stdout
    assert "RSS two" in text and "3 stories, 3 unread" in text and server.url("/c/rss") in text

    assert_one_line_error(reader(home, "add", server.url("/c/rss")), "already subscribed")
    assert_one_line_error(reader(home, "remove", "no-such-feed"), "no feed")
    assert_one_line_error(reader(home, "remove", "seeds"), "not a feed")
    removed = reader(home, "remove", str(feed["id"]))
    assert removed.returncode == 0 and "3 stories" in removed.stdout
    assert feeds_json(home) == []
    assert reader(home, "show", stories[0]["id"]).returncode == 2


def test_add_finds_the_feed_of_a_web_page(server: FeedServer, home: Path) -> None:
    added = reader(home, "add", server.url("/c/page.html"), "--title", "My blog")
    assert added.returncode == 0, added.stderr
    assert "'Posts' (Atom) at " + server.url("/c/atom.xml") in added.stdout
    [feed] = feeds_json(home)
    assert feed["url"] == server.url("/c/atom.xml") and feed["title"] == "My blog"
    refreshed = reader(home, "refresh", "My blog")
    assert refreshed.returncode == 0
    assert feeds_json(home)[0]["title"] == "My blog"  # a chosen title survives refresh


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/c/plain.html", ["links to no RSS, Atom or JSON feed"]),
        ("/c/broken", ["is not a feed"]),
        ("/c/missing", ["cannot fetch", "404"]),
        ("ftp://example.com/feed", ["not an http"]),
        ("not a url", ["not an http"]),
    ],
)
def test_add_refuses_what_is_not_a_feed(
    server: FeedServer, home: Path, url: str, words: list[str]
) -> None:
    full = server.url(url) if url.startswith("/") else url
    assert_one_line_error(reader(home, "add", full), *words)
    assert feeds_json(home) == []


def test_refresh_reports_each_feed_and_a_summary(server: FeedServer, home: Path) -> None:
    assert reader(home, "add", server.url("/c/rss")).returncode == 0
    opml = home / "two.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>'
        f'<outline text="Broken" type="rss" xmlUrl="{server.url("/c/broken")}"/>'
        "</body></opml>"
    )
    assert reader(home, "import", str(opml)).returncode == 0
    plain = reader(home, "refresh")
    assert plain.returncode == 0, plain.stderr
    lines = plain.stdout.strip().splitlines()
    assert lines[-1] == "2 feeds: 1 ok, 0 not modified, 1 failed; 0 new stories"
    assert any(line.startswith("failed") and "Broken" in line for line in lines)
    as_json = reader(home, "refresh", "--json")
    results = {r["title"]: r for r in map(json.loads, as_json.stdout.splitlines())}
    assert results["RSS two"]["status"] == "ok"
    assert results["Broken"]["status"] == "error"
    assert "not a valid feed" in results["Broken"]["error"]
    named = reader(home, "refresh", "--json", server.url("/c/rss"))
    assert [json.loads(line)["title"] for line in named.stdout.splitlines()] == ["RSS two"]
    assert_one_line_error(reader(home, "refresh", "999"), "no feed '999'")
    broken = next(f for f in feeds_json(home) if f["title"] == "Broken")
    assert broken["last_status"] == "error" and "not a valid feed" in str(broken["last_error"])


def test_import_and_export_round_trip(home: Path) -> None:
    source = home / "in.opml"
    source.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        '<outline text="News"><outline text="Tech">'
        '<outline text="Deep" type="rss" xmlUrl="https://deep.example/rss"'
        ' htmlUrl="https://deep.example/"/></outline>'
        '<outline text="Local" type="rss" xmlUrl="https://local.example/atom"/></outline>'
        '<outline text="Top" type="rss" xmlUrl="https://top.example/feed"/>'
        "</body></opml>"
    )
    imported = reader(home, "import", str(source))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith("imported 3 feeds")
    again = reader(home, "import", str(source))
    assert "imported 0 feeds (3 already subscribed)" in again.stdout
    groups = {f["title"]: f["group"] for f in feeds_json(home)}
    assert groups == {"Deep": "News/Tech", "Local": "News", "Top": None}

    target = home / "out.opml"
    exported = reader(home, "export", str(target))
    assert exported.returncode == 0 and "exported 3 feeds" in exported.stdout
    feeds, _ = read_opml(target.read_bytes())
    original, _ = read_opml(source.read_bytes())
    assert sorted(feeds, key=lambda f: f.url) == sorted(original, key=lambda f: f.url)
    to_stdout = reader(home, "export")
    assert to_stdout.stdout.startswith("<?xml") and "https://deep.example/rss" in to_stdout.stdout


def test_an_opml_name_that_is_only_the_url_gives_way_to_the_feeds_title(
    home: Path, server: FeedServer
) -> None:
    """``reader export`` names an untitled feed by its URL (OPML needs a text); imported
    again, that is not a title of the user's: the feed's own title replaces it on refresh."""
    url = server.url("/c/rss")
    source = home / "in.opml"
    source.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        f'<outline type="rss" text="{url}" title="{url}" xmlUrl="{url}"/></body></opml>'
    )
    assert reader(home, "import", str(source)).returncode == 0
    refreshed = reader(home, "refresh")
    assert refreshed.returncode == 0, refreshed.stderr
    assert [f["title"] for f in feeds_json(home)] == ["RSS two"]


@pytest.mark.parametrize("content", [None, "not xml at all", "<opml version='2.0'></opml>",
                                     "<html><body>x</body></html>"])
def test_a_bad_opml_file_changes_nothing(home: Path, content: str | None) -> None:
    keep = home / "keep.opml"
    keep.write_text('<opml version="2.0"><body><outline text="K" xmlUrl="https://k.example/"/>'
                    "</body></opml>")
    assert reader(home, "import", str(keep)).returncode == 0
    bad = home / "bad.opml"
    if content is not None:
        bad.write_text(content)
    assert_one_line_error(reader(home, "import", str(bad)), "bad.opml")
    assert [f["title"] for f in feeds_json(home)] == ["K"]


def test_export_to_an_unwritable_place_is_one_error(home: Path) -> None:
    assert_one_line_error(reader(home, "export", str(home / "no" / "such" / "dir" / "x.opml")),
                          "cannot write")


def test_hostile_feed_text_comes_out_plain(server: FeedServer, home: Path) -> None:
    added = reader(home, "add", server.url("/c/hostile"))
    assert added.returncode == 0, added.stderr
    outputs = [added.stdout, reader(home, "feeds").stdout, reader(home, "list").stdout]
    story = next(json.loads(line) for line in reader(home, "list", "--json").stdout.splitlines()
                 if json.loads(line)["title"].startswith("[bold]"))
    outputs.append(reader(home, "show", story["id"]).stdout)
    outputs.append(reader(home, "show", story["id"], "--json").stdout)
    for output in outputs:
        for bad in ("\x1b", "\x07", "\u202e", "\u202c", "evil.example"):
            assert bad not in output
    assert "[bold]Bold[/bold] [@click=app.quit]quit[/]" in outputs[3]
    assert "[b]markup[/b]" in outputs[3]

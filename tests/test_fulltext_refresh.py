"""Full text end to end: a summary-only feed whose links are real article pages, served on
127.0.0.1, refreshed with the real ``reader`` command; then show, search and feeds read it."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from conftest import run_reader
from feed_server import FeedServer, send, slow_headers, static
from test_fulltext_pages import extraction_pages

ARTICLES = 3
CONFIG = """
[fetch]
read_timeout = 2
deadline = 30
max_bytes = 1048576
"""
"""The slow page must meet the read timeout (the deadline has its own test in test_fetch);
both leave room for a loaded machine: with 0.5 s and 1.5 s, at load 10 the page after the
slow one was cut off by the deadline. The slow page is served by a host of its own
(``SLOW_HOST``): its answer outlives the client's wait, and on the pages' host it was counted
in flight beside the next two requests (``max_in_flight`` 3, once in 25 whole-suite runs)."""
SLOW_HOST = "127.0.0.2"


def summary_feed(title: str, items: list[tuple[str, str, str]]) -> bytes:
    """RSS 2.0 with only a short description per item: (guid, title, link)."""
    parts = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
             f"<title>{escape(title)}</title><link>http://127.0.0.1/</link>"]
    for number, (guid, item_title, link) in enumerate(items):
        summary = f"<p>The summary of {escape(item_title)}, in a sentence or two.</p>"
        parts.append(
            f"<item><guid isPermaLink='false'>{escape(guid)}</guid>"
            f"<title>{escape(item_title)}</title><link>{escape(link)}</link>"
            f"<pubDate>{formatdate(1_700_000_000 + number * 60, usegmt=True)}</pubDate>"
            f"<description>{escape(summary)}</description></item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode()


@pytest.fixture
def served(isolated_home: Path) -> Iterator[tuple[FeedServer, list[tuple[str, str]]]]:
    server = FeedServer()
    slow_host = FeedServer(SLOW_HOST)
    pages = extraction_pages(ARTICLES)
    items: list[tuple[str, str, str]] = []
    truths = []
    for n, (_key, page, truth) in enumerate(pages):
        delayed = page

        def route(h: BaseHTTPRequestHandler, body: bytes = delayed) -> None:
            time.sleep(0.05)  # long enough for requests to overlap
            send(h, 200, body, "text/html")

        server.routes[f"/article/{n}"] = route
        items.append((f"a{n}", f"Article {n}", server.url(f"/article/{n}")))
        truths.append((f"Article {n}", truth))
    failures = {
        "forbidden": (server, static(b"<html>no</html>", "text/html", status=403)),
        "slow": (slow_host, slow_headers(every=0.05)),  # ends once the client has left
        "big": (server, static(b"<html><body>" + b"<p>word</p>" * 200_000 + b"</body></html>",
                               "text/html")),
        "pdf": (server, static(b"%PDF-1.4 not a page", "application/pdf")),
    }
    for name, (host, failing) in failures.items():
        host.routes[f"/{name}"] = failing
        items.append((name, f"Broken {name}", host.url(f"/{name}")))
    items.append(("missing", "Broken missing", server.url("/missing")))
    server.routes["/feed.xml"] = static(summary_feed("Summaries", items))
    server.routes["/never.xml"] = static(summary_feed("Never", [
        ("n0", "Never fetched", server.url("/never/0"))]))
    (isolated_home / "config").mkdir(parents=True, exist_ok=True)
    (isolated_home / "config" / "config.toml").write_text(CONFIG)
    yield server, truths
    server.stop()
    slow_host.stop()


def _stories(home: Path) -> dict[str, dict[str, object]]:
    listed = run_reader("list", "--json", home=home, check=True).stdout.splitlines()
    by_title = {}
    for line in listed:
        row = json.loads(line)
        shown = run_reader("show", str(row["id"]), "--json", home=home, check=True).stdout
        by_title[str(row["title"])] = json.loads(shown)
    return by_title


def test_a_refresh_saves_the_pages_main_text_and_says_why_when_it_cannot(
        served: tuple[FeedServer, list[tuple[str, str]]], isolated_home: Path) -> None:
    from benchmarks.extraction import score
    from reader.fulltext.extract import plain_text

    server, truths = served
    home = isolated_home
    run_reader("add", server.url("/feed.xml"), home=home, check=True)
    never = run_reader("add", server.url("/never.xml"), home=home, check=True).stdout
    never_id = re.search(r"added feed (\d+)", never).group(1)  # type: ignore[union-attr]
    edited = run_reader("edit", never_id, "--full-text", "never", home=home, check=True)
    assert "full text: never" in edited.stdout
    server.requests.clear()
    server.max_in_flight = 0

    done = run_reader("refresh", home=home, check=True)
    assert done.stdout.splitlines()[-2:] == [
        f"full text saved for {ARTICLES} of {ARTICLES + 5} stories",
        "2 feeds: 2 ok, 0 not modified, 0 failed; 0 new stories",  # stored when added
    ]

    stories = _stories(home)
    for title, truth in truths:
        story = stories[title]
        assert story["full_text"] is True and story["full_text_saved"]
        assert story["standfirst"] == f"The summary of {title}, in a sentence or two."
        _, recall, _ = score(plain_text(str(story["body"])), truth)
        assert recall >= 0.9, title
    reasons = {title: stories[title]["full_text_error"] for title in stories
               if title.startswith("Broken")}
    assert reasons["Broken forbidden"] == "403 from the site"
    assert reasons["Broken missing"] == "404 from the site"
    assert "more than 2 s" in str(reasons["Broken slow"])
    assert reasons["Broken big"] == "the body is larger than the limit of 1 MB"
    assert reasons["Broken pdf"] == "the page is not HTML (application/pdf)"
    for title in reasons:
        assert stories[title]["full_text"] is False
        assert "The summary of" in str(stories[title]["body"])  # the summary is kept
    shown = run_reader("show", str(stories["Broken forbidden"]["id"]), home=home, check=True)
    assert "full text: 403 from the site" in shown.stdout

    # The page's own words are searchable: one the feed never had finds the story.
    body_words = set(re.findall(r"[a-z]{9,}", plain_text(str(stories["Article 0"]["body"]))))
    others = " ".join(str(s["body"]) for t, s in stories.items() if t != "Article 0").lower()
    word = sorted(w for w in body_words if w not in others)[0]
    found = run_reader("search", word, "--json", home=home, check=True).stdout.splitlines()
    assert [json.loads(line)["title"] for line in found] == ["Article 0"]

    # Politeness: never more than 2 requests at once to the one host; "never" fetched nothing.
    assert 1 <= server.max_in_flight <= 2
    assert not server.requests_for("/never/0")
    feeds = [json.loads(line) for line in
             run_reader("feeds", "--json", home=home, check=True).stdout.splitlines()]
    assert sorted(f["full_text"] for f in feeds) == ["auto", "never"]

    # No page is fetched twice for the same story unless asked.
    fetched = len(server.requests_for("/article/0"))
    server.routes["/feed.xml"] = static(summary_feed("Summaries", [
        ("a0", "Article 0", server.url("/article/0"))]))
    run_reader("refresh", home=home, check=True)
    assert len(server.requests_for("/article/0")) == fetched
    again = run_reader("fulltext", str(stories["Article 0"]["id"]), home=home, check=True)
    assert "full text saved for 1 of 1 story" in again.stdout
    assert len(server.requests_for("/article/0")) == fetched + 1

    # Asked for: the stories of a source still without their full text are tried again.
    server.routes["/forbidden"] = server.routes["/article/1"]  # the site let us in now
    missing = run_reader("fulltext", "--source", "Summaries", "--missing", "--json",
                         home=home, check=True)
    results = {r["id"]: r for r in map(json.loads, missing.stdout.splitlines())}
    assert set(results) == {str(stories[t]["id"]) for t in reasons}
    assert results[str(stories["Broken forbidden"]["id"])]["full_text"] is True
    assert results[str(stories["Broken missing"]["id"])]["error"] == "404 from the site"


def test_edit_needs_a_known_mode_and_feed(isolated_home: Path) -> None:
    bad = run_reader("edit", "1", "--full-text", "sometimes", home=isolated_home)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    missing = run_reader("edit", "99", "--full-text", "never", home=isolated_home)
    assert missing.returncode == 2 and missing.stderr.startswith("reader: error:")
    nothing = run_reader("edit", "1", home=isolated_home)
    assert nothing.returncode == 2 and "--full-text" in nothing.stderr


def test_seed_stories_have_no_page_to_fetch(isolated_home: Path) -> None:
    listed = run_reader("list", "--json", home=isolated_home, check=True).stdout.splitlines()
    teaser = next(json.loads(line) for line in listed if json.loads(line)["teaser"])
    done = run_reader("fulltext", str(teaser["id"]), "--json", home=isolated_home, check=True)
    assert json.loads(done.stdout) == {"id": teaser["id"], "full_text": False,
                                       "error": "the story has no web link"}
    shown = json.loads(run_reader("show", str(teaser["id"]), "--json", home=isolated_home,
                                  check=True).stdout)
    assert shown["teaser"] is True and shown["full_text"] is False

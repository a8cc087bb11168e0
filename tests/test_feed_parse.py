"""Parsing feeds into story drafts: golden RSS 2.0, RSS 1.0 and Atom files, bad feeds."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from reader.feeds.parse import FeedParseError, NotAFeedError, _letters, parse_feed
from reader.models import Enclosure

FEEDS = Path(__file__).parent / "feeds"
XML = {"Content-Type": "application/xml"}


def parse(name: str, url: str):
    return parse_feed((FEEDS / name).read_bytes(), XML, url)


def test_rss2_entries_become_drafts() -> None:
    feed = parse("rss2.xml", "https://news.example.com/feed.xml")
    assert feed.title == "Example & Co. News"
    assert feed.site_url == "https://news.example.com/"
    assert feed.warnings == ()
    first, second, third = feed.drafts
    assert first.key == "https://news.example.com/2024/first"
    assert first.title == "First story"
    assert first.url == "https://news.example.com/2024/first"
    assert first.author == "News Desk"  # RSS 2.0's "desk@example.com (News Desk)"
    assert first.published == "2024-05-07T07:30:00+00:00"
    assert first.updated is None  # the feed gave no update time: none is invented
    assert first.tags == ("Science", "Space")
    assert first.enclosures == (Enclosure("https://cdn.example.com/first.mp3", "audio/mpeg", 1234),)
    assert first.standfirst == "A short summary of the first story."
    assert "[relative link](https://news.example.com/about)" in first.body
    assert "![A chart](https://news.example.com/images/chart.png)" in first.body
    assert "- one\n- two" in first.body
    for banned in ("alert(", "javascript", "<script", "color: red", "ads.example", "pixel"):
        assert banned not in first.body
    assert "script link" in first.body  # the text of a dropped link stays, as text

    assert second.key == "https://news.example.com/2024/second"  # no guid: the link
    assert second.author == "Ada Writer"
    assert second.body == "Second *body*"
    assert second.published is None

    assert third.key.startswith("sha256:")  # neither: a hash of title and date
    assert third.url is None and third.author is None and third.published is None
    again = parse("rss2.xml", "https://news.example.com/feed.xml")
    assert again.drafts[2].key == third.key  # stable across parses


def test_rss1_feed() -> None:
    feed = parse("rss1.xml", "https://rdf.example.org/index.rdf")
    assert feed.title == "RDF Site Summary"
    assert [d.key for d in feed.drafts] == ["https://rdf.example.org/one",
                                            "https://rdf.example.org/two"]
    one = feed.drafts[0]
    assert one.body == "One **bold** claim"
    assert one.author == "R. Author"
    assert one.updated == "2024-03-01T08:00:00+00:00"
    assert one.tags == ("Semantics",)
    assert feed.drafts[1].updated is None


def test_atom_feed_resolves_against_xml_base() -> None:
    feed = parse("atom.xml", "https://blog.example.net/atom.xml")
    assert feed.title == "Atom <Blog>"
    entry, only_updated = feed.drafts
    assert entry.key == "tag:blog.example.net,2024:1"
    assert entry.title == "An Atom entry"  # an HTML title becomes plain text
    assert entry.url == "https://blog.example.net/posts/atom-entry"
    assert entry.published == "2024-04-01T11:00:00+00:00"
    assert entry.updated == "2024-04-02T10:00:00+00:00"
    assert entry.author == "Tim Author"
    assert entry.tags == ("atom", "feeds")
    assert entry.enclosures == (Enclosure("https://cdn.example.net/talk.ogg", "audio/ogg", 99),)
    assert entry.standfirst == "Summary that is not the content"
    assert "[a relative link](https://blog.example.net/about)" in entry.body
    assert "[mail](mailto:tim@example.net)" in entry.body
    assert only_updated.published is None
    assert only_updated.updated == "2024-04-03T00:00:00+00:00"
    assert only_updated.body == "XHTML **body**"


def test_hostile_text_is_stripped_and_bozo_entries_kept() -> None:
    feed = parse("hostile.xml", "https://hostile.example/feed")
    assert feed.warnings and "not well-formed" in feed.warnings[0]
    assert len(feed.drafts) == 2
    title = feed.drafts[0].title
    assert "\x1b" not in title and "\u202e" not in title and "\u202c" not in title
    assert "evil.example" not in title
    assert "[bold]Bold[/bold]" in title  # markup-looking text stays text
    body = feed.drafts[0].body
    assert "\x1b" not in body
    assert r"\[b\]markup\[/b\]" in body  # escaped: Markdown shows it literally
    assert "\u202e" not in feed.title


def test_invalid_documents_are_errors() -> None:
    with pytest.raises(FeedParseError, match="not a valid feed"):
        parse_feed(b"<rss><channel><title>broken</title></chan", XML, "http://x/")
    with pytest.raises(FeedParseError, match="empty"):
        parse_feed(b"  \n", XML, "http://x/")
    with pytest.raises(FeedParseError):
        parse_feed(b"just some text", {"Content-Type": "text/plain"}, "http://x/")


def test_a_web_page_is_not_a_feed_but_names_its_links() -> None:
    data = (FEEDS / "page_with_feed.html").read_bytes()
    with pytest.raises(NotAFeedError) as caught:
        parse_feed(data, {"Content-Type": "text/html"}, "https://site.example/blog/")
    urls = [link.url for link in caught.value.links]
    assert urls == ["https://site.example/comments/feed.xml",
                    "https://site.example/blog/feed.atom", "https://site.example/rss.xml"]
    # survives the trip back from a worker process
    copy = pickle.loads(pickle.dumps(caught.value))
    assert copy.links == caught.value.links


def test_bytes_never_read_as_a_path(tmp_path: Path) -> None:
    secret = tmp_path / "feed.xml"
    secret.write_bytes((FEEDS / "rss1.xml").read_bytes())
    with pytest.raises(FeedParseError):
        parse_feed(str(secret).encode(), XML, "http://x/")


def test_wrong_declared_encoding_keeps_entries_with_a_warning() -> None:
    data = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Caf\xe9'
            '</title><item><guid>1</guid><title>R\xe9sum\xe9</title></item></channel></rss>'
            ).encode("latin-1")
    feed = parse_feed(data, {"Content-Type": "application/rss+xml"}, "http://x/")
    assert len(feed.drafts) == 1
    assert feed.warnings
    assert "sum" in feed.drafts[0].title


def test_entries_sharing_a_guid_but_differing_are_two_stories() -> None:
    data = (b'<rss version="2.0"><channel><title>t</title>'
            b"<item><guid>same</guid><title>first</title></item>"
            b"<item><guid>same</guid><title>second</title></item>"
            b"<item><guid>same</guid><title>first</title></item></channel></rss>")
    feed = parse_feed(data, XML, "http://x/")
    assert [d.title for d in feed.drafts] == ["first", "second"]
    assert len({d.key for d in feed.drafts}) == 2
    assert all(d.key.startswith("http://x/same\x1f") for d in feed.drafts)
    assert feed.warnings == ("dropped 1 duplicate entry (the same guid or link and the same"
                             " content as an earlier entry)",)


def test_feed_modules_never_import_textual() -> None:
    code = ("import sys, reader.refresh.pipeline, reader.cli.feeds, reader.feeds.opml,"
            " reader.store.feeds; sys.exit('textual' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_a_summary_that_repeats_the_opening_is_shown_once() -> None:
    """Markup in the body (a leading image, links) does not hide that the summary is its
    opening; a summary that says something else stays as the standfirst."""
    item = ("<item><title>t</title><description>Almost! Micro Focus just deployed a managed"
            " mainframe emulation environment that runs on...</description><content:encoded>"
            "&lt;img src='https://i.example/logo.jpg'&gt;Almost! &lt;a href='https://m.example'"
            "&gt;Micro Focus&lt;/a&gt; just deployed a managed mainframe emulation environment"
            " that runs on top of &lt;a href='https://aws.example'&gt;EC2&lt;/a&gt;."
            "</content:encoded></item>")
    data = (b'<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            b"<channel><title>t</title>" + item.encode() + item.replace(
                "Almost! Micro Focus just deployed a managed mainframe emulation environment that"
                " runs on...", "A different summary.").encode() + b"</channel></rss>")
    first, second = parse_feed(data, XML, "http://x/").drafts
    assert first.standfirst == "" and "Micro Focus" in first.body
    assert second.standfirst == "A different summary."


def test_json_feed_fields_of_the_wrong_type_are_left_out() -> None:
    """Hostile JSON is normal input: a number for a title, an object for a URL, items that
    are not objects, a terminal escape in a title. Nothing crashes, nothing is invented."""
    body = json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": ["not", "a", "string"],
        "home_page_url": {"x": 1}, "authors": "Jo",
        "items": [
            "not an item", 7, None,
            {"id": 12, "title": 5, "url": {"a": 1}, "content_text": "Text \x1b[31mred",
             "tags": ["a", 3, None], "attachments": [{"url": 5}, {"url": "/ep.mp3"}],
             "date_published": "not a date", "authors": [{"name": 9}, "x"]},
            {"id": True, "title": "T \x1b]8;;http://evil\x07x", "content_html": "<p>h</p>"},
        ],
    }).encode()
    feed = parse_feed(body, {"Content-Type": "application/feed+json"}, "https://j.example/f")
    assert feed.title == ""
    first, second = feed.drafts
    assert (first.key, first.title, first.url, first.author) == ("12", "", None, None)
    assert first.body == "Text red" and first.tags == ("a",)
    assert first.enclosures == (Enclosure("https://j.example/ep.mp3"),) and first.published is None
    assert second.title == "T x" and "\x1b" not in second.title
    with pytest.raises(FeedParseError, match="a JSON Feed without a list of items"):
        parse_feed(b'{"version": "https://jsonfeed.org/version/1", "items": null}',
                   {"Content-Type": "application/json"}, "https://j.example/f")


def test_letters_are_what_isalnum_keeps_case_folded() -> None:
    """``_letters`` reads the UTF-8 (deleting ASCII marks, then common marks, then the regex
    for anything else): the same as keeping what ``str.isalnum`` keeps and case-folding, for
    every character of the first planes alone and among letters, marks and a lone surrogate."""
    def letters(text: str) -> str:
        return "".join(char for char in text if char.isalnum()).casefold()

    for code in [*range(0x3100), *range(0xD7F0, 0xE010), *range(0xFB00, 0x10000, 3),
                 *range(0x10000, 0x110000, 97)]:
        char = chr(code)
        for text in (char, f"Ab{char}Z9", f"{char} \u2019x{char}\u00a0", f"\ud800{char}ß"):
            assert _letters(text) == letters(text), repr(text)

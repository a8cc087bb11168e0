"""Enclosures with their type, size and duration: parsed, stored, read back from old caches."""

from __future__ import annotations

import hashlib

import pytest
from realfeed_files import realfeed

from reader.feeds.parse import parse_feed
from reader.identity import content_hash
from reader.models import Enclosure, FeedFetched, StoryDraft, View
from reader.store import Store
from reader.store.feeds import add_feed, record_refresh


def item(inner: str) -> bytes:
    return ('<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">'
            f"<channel><title>P</title><item><title>Ep</title><guid>g</guid>{inner}</item>"
            "</channel></rss>").encode()


@pytest.mark.parametrize(("written", "seconds"), [
    ("1:12:03", 4323), ("01:54:09", 6849), ("54:09", 3249), ("75:00", 4500), ("4323", 4323),
    ("4323.5", 4323), (" 0:42 ", 42), ("0", None), ("", None), ("an hour", None),
    ("1:2:3:4", None), ("99999999999", None),
])
def test_itunes_duration_in_every_written_form(written: str, seconds: int | None) -> None:
    feed = parse_feed(item(f"<enclosure url='https://p.example/1.mp3' type='Audio/MPEG'"
                           f" length='54919661'/><itunes:duration>{written}</itunes:duration>"),
                      {}, "https://p.example/feed")
    [draft] = feed.drafts
    assert draft.enclosures == (Enclosure("https://p.example/1.mp3", "audio/mpeg", 54919661,
                                          seconds),)


@pytest.mark.parametrize(("attributes", "expected"), [
    ("type='audio/mpeg' length='0'", Enclosure("https://p.example/1.mp3", "audio/mpeg")),
    ("type='not a type' length='-5'", Enclosure("https://p.example/1.mp3")),
    ("type='audio/mpeg; charset=x' length='12 MB'", Enclosure("https://p.example/1.mp3",
                                                              "audio/mpeg")),
])
def test_what_a_feed_does_not_say_stays_unknown(attributes: str, expected: Enclosure) -> None:
    [draft] = parse_feed(item(f"<enclosure url='https://p.example/1.mp3' {attributes}/>"), {},
                         "https://p.example/feed").drafts
    assert draft.enclosures == (expected,)


def test_a_real_podcast_keeps_type_size_and_duration() -> None:
    feed = parse_feed(realfeed("nnw__atp.rss"), {}, "https://atp.fm/rss")
    first = feed.drafts[0]
    assert first.enclosures == (Enclosure("http://traffic.libsyn.com/atpfm/atp311.mp3",
                                          "audio/mpeg", 54919661, 6849),)
    assert sum(1 for d in feed.drafts if d.enclosures and d.enclosures[0].duration) == 99


def test_describe_says_what_the_feed_gives() -> None:
    assert Enclosure("u", "audio/mpeg", 54919661, 4323).describe() == "audio/mpeg · 55 MB · 1:12:03"
    assert Enclosure("u", "video/mp4", 1_200_000_000).describe() == "video/mp4 · 1.2 GB"
    assert Enclosure("u", None, 900, 42).describe() == "file · 900 bytes · 0:42"


def test_bare_url_enclosures_keep_the_content_hash_they_always_had() -> None:
    """A hash over URLs only, as before enclosures had details: an unchanged feed that gives
    no details does not make its stories 'updated'."""
    draft = StoryDraft(key="k", title="T", enclosures=(Enclosure("https://p/1.mp3"),
                                                       Enclosure("https://p/2.mp3")))
    parts = ["T", "", "", "", "", "", "", "0", "", "https://p/1.mp3\x1fhttps://p/2.mp3"]
    assert content_hash(draft) == hashlib.sha256("\x1e".join(parts).encode()).hexdigest()[:16]
    detailed = StoryDraft(key="k", title="T", enclosures=(Enclosure("https://p/1.mp3", "a/b"),
                                                          Enclosure("https://p/2.mp3")))
    assert content_hash(detailed) != content_hash(draft)


def test_old_rows_with_plain_urls_still_read_and_gain_details(store: Store) -> None:
    feed_id = add_feed(store, "https://p.example/feed", "P")
    draft = StoryDraft(key="g", title="Ep", enclosures=(Enclosure("https://p.example/1.mp3"),))
    record_refresh(store, feed_id, FeedFetched(drafts=(draft,)))
    with store.transaction() as conn:  # as a cache written before details were kept
        conn.execute("""UPDATE stories SET enclosures = '["https://p.example/1.mp3", 7, {}]'""")
    [row] = store.page(View(), 0, 5)
    assert store.get_story(row.id).enclosures == (Enclosure("https://p.example/1.mp3"),)
    detailed = StoryDraft(key="g", title="Ep", enclosures=(
        Enclosure("https://p.example/1.mp3", "audio/mpeg", 10, 60),))
    report, _ = record_refresh(store, feed_id, FeedFetched(drafts=(detailed,)))
    assert (report.new, report.updated) == (0, 1)  # same story (same id), now with details
    assert store.get_story(row.id).enclosures == detailed.enclosures


def test_json_feed_attachments_give_their_details() -> None:
    body = (b'{"version": "https://jsonfeed.org/version/1.1", "title": "P", "items": [{"id": "1",'
            b' "attachments": [{"url": "https://p.example/1.m4a", "mime_type": "audio/x-m4a",'
            b' "size_in_bytes": 89970236, "duration_in_seconds": 6629},'
            b' {"url": "https://p.example/2.m4a", "size_in_bytes": "big"}]}]}')
    [draft] = parse_feed(body, {"Content-Type": "application/feed+json"},
                         "https://p.example/feed.json").drafts
    assert draft.enclosures == (Enclosure("https://p.example/1.m4a", "audio/x-m4a", 89970236,
                                          6629), Enclosure("https://p.example/2.m4a"))

"""The lxml path for plain RSS 2.0 / Atom 1.0 gives exactly what feedparser gives, or declines.

``parse_feed`` reads a plain, well-formed UTF-8 RSS 2.0 or Atom 1.0 document with lxml and
anything else with feedparser. These tests hold the two to the same stories: feedparser's
quirks written out as small documents, the benchmark's generated feeds, feedparser's own test
corpus (where it is beside the repository), and documents the fast path must leave alone.
"""

from __future__ import annotations

import pytest
from test_feed_corpus import CORPUS, corpus_files, declared_headers

from benchmarks.feedgen import generate_feed, is_atom
from reader.feeds.parse import parse_feed
from reader.feeds.parse_lxml import read_plain_feed

RSS_TYPE = "application/rss+xml; charset=utf-8"
ATOM_TYPE = "application/atom+xml"
URL = "https://news.example.com/feed.xml"


def rss(items: str, channel: str = "<title>T</title><link>https://news.example.com/</link>",
        namespaces: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"{namespaces}><channel>'
            f"{channel}{items}</channel></rss>").encode()


def atom(entries: str, head: str = "<title>T</title>") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"{head}{entries}</feed>").encode()


def assert_same(data: bytes, content_type: str = RSS_TYPE, url: str = URL) -> None:
    """The fast path takes the document, and its stories equal feedparser's."""
    assert read_plain_feed(data, content_type, url) is not None, "the fast path declined"
    headers = {"Content-Type": content_type}
    assert parse_feed(data, headers, url) == parse_feed(data, headers, url, fast=False)


DC = ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
CONTENT = ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'

RSS_QUIRKS = {
    "plain item": "<item><title>One</title><link>https://a.example/1</link>"
                  "<guid>https://a.example/1</guid><pubDate>Tue, 24 Nov 2026 06:00:00 GMT"
                  "</pubDate><description>&lt;p&gt;Hello &lt;b&gt;world&lt;/b&gt;&lt;/p&gt;"
                  "</description></item>",
    "permalink guid is the link": "<item><title>A</title><guid>https://a.example/g</guid></item>",
    "relative guid resolves": "<item><title>A</title><guid>story-7</guid></item>",
    "guid not a permalink": '<item><title>A</title><guid isPermaLink="false">k-1</guid></item>',
    "relative link": "<item><title>A</title><link>/2026/a?x=1&amp;y=2</link></item>",
    "html-looking title": "<item><title>Fish &amp;amp; &lt;b&gt;chips&lt;/b&gt;</title></item>",
    "markup-looking title that is text": "<item><title>a &lt; b and c &gt; d</title></item>",
    "windows-1252 code points": "<item><title>quote \u0093this\u0094 \u0080</title></item>",
    "utf-8 read as latin-1": "<item><title>caf\u00c3\u00a9</title></item>",
    "categories and domain": '<item><title>A</title><category domain="d">x</category>'
                             "<category>y</category><category>x</category>"
                             '<category domain="e"></category><category>z</category></item>',
    "enclosures": '<item><title>A</title><enclosure url="/a.mp3" length="1" type="audio/mpeg"/>'
                  '<enclosure url="https://c.example/b.mp3"/><enclosure length="2"/></item>',
    "no title or link": "<item><description>only text</description></item>",
    "empty item": "<item></item>",
    "author": "<item><title>A</title><author>desk@example.com (Desk)</author></item>",
    "whitespace everywhere": "<item>\n <title>\n  Spaced  \n</title>\n <link> https://a.example/s"
                             " </link>\n</item>",
    "comments inside": "<item><!-- c --><title>A</title><comments>https://a.example/c</comments>"
                       "</item>",
    "cdata description": "<item><title>A</title><description><![CDATA[<p>raw "
                         "<i>html</i></p>]]></description></item>",
}
RSS_NS_QUIRKS = {
    "dc creator and date": (DC, "<item><title>A</title><dc:creator>Jo Smith</dc:creator>"
                                "<dc:date>2026-11-24T06:00:00Z</dc:date></item>"),
    "content before description": (CONTENT, "<item><title>A</title><content:encoded>&lt;p&gt;"
                                            "Full&lt;/p&gt;</content:encoded><description>Short"
                                            "</description></item>"),
    "content after description": (CONTENT, "<item><title>A</title><description>Short"
                                           "</description><content:encoded>&lt;p&gt;Short and"
                                           " more&lt;/p&gt;</content:encoded></item>"),
    "content only": (CONTENT, "<item><content:encoded>&lt;p&gt;x&lt;/p&gt;</content:encoded>"
                              "</item>"),
}
ATOM_QUIRKS = {
    "plain entry": '<entry><title>One</title><id>urn:x:1</id><link href="https://a.example/1"/>'
                   "<published>2026-11-24T06:00:00Z</published><updated>2026-11-24T07:00:00Z"
                   '</updated><content type="html">&lt;p&gt;Hi&lt;/p&gt;</content></entry>',
    "id as the fallback link": "<entry><title>A</title><id>https://a.example/by-id</id></entry>",
    "alternate over enclosure and self": '<entry><title>A</title><id>urn:x:2</id>'
                                         '<link rel="self" href="/self"/>'
                                         '<link rel="enclosure" href="/a.mp3"/>'
                                         '<link href="/alt"/><link rel="alternate" '
                                         'type="text/plain" href="/plain"/></entry>',
    "author name and email": "<entry><title>A</title><id>urn:x:3</id><author><name>Jo</name>"
                             "<email>jo@example.com</email><uri>https://jo.example</uri>"
                             "</author></entry>",
    "author email only": "<entry><title>A</title><id>urn:x:4</id><author>"
                         "<email>jo@example.com</email></author></entry>",
    "html title, text summary and content": '<entry><title type="html">&lt;em&gt;A&lt;/em&gt;'
                                           '</title><id>urn:x:5</id><summary>Sum</summary>'
                                           '<content type="text">Body &amp; more</content>'
                                           "</entry>",
    "summary after content": '<entry><id>urn:x:6</id><content type="html">&lt;p&gt;Long'
                             "&lt;/p&gt;</content><summary>Short</summary></entry>",
    "categories": '<entry><id>urn:x:7</id><category term="a"/><category term="b" label="B"/>'
                  '<category scheme="s" label="L"/><category term="a"/></entry>',
    "updated only": "<entry><title>A</title><id>urn:x:8</id><updated>2026-11-24T06:00:00+01:00"
                    "</updated></entry>",
}


@pytest.mark.parametrize("name", sorted(RSS_QUIRKS))
def test_rss_quirks_match_feedparser(name: str) -> None:
    assert_same(rss(RSS_QUIRKS[name]))


@pytest.mark.parametrize("name", sorted(RSS_NS_QUIRKS))
def test_rss_namespaced_quirks_match_feedparser(name: str) -> None:
    namespaces, items = RSS_NS_QUIRKS[name]
    assert_same(rss(items, namespaces=namespaces))


@pytest.mark.parametrize("name", sorted(ATOM_QUIRKS))
def test_atom_quirks_match_feedparser(name: str) -> None:
    head = '<title>T</title><id>urn:feed</id><link href="https://news.example.com/"/>'
    assert_same(atom(ATOM_QUIRKS[name], head), ATOM_TYPE)


def test_feed_level_fields_match_feedparser() -> None:
    assert_same(rss("", channel="<title>A &amp;amp; B</title><link>/home</link>"
                    "<description>d</description><image><title>img</title><link>/i</link>"
                    "<url>/i.png</url></image>"))
    assert_same(atom("", head="<title type='html'>&lt;b&gt;A&lt;/b&gt;</title>"
                     "<id>https://news.example.com/id</id>"), ATOM_TYPE)
    assert_same(atom("", head="<title>T</title><subtitle>S</subtitle>"), ATOM_TYPE)


@pytest.mark.parametrize("feed", range(6))
def test_generated_benchmark_feeds_match_feedparser(feed: int) -> None:
    content_type = ATOM_TYPE if is_atom(feed) else RSS_TYPE
    assert_same(generate_feed(1, feed, 20), content_type, f"http://127.0.0.1:8000/feed/{feed}.xml")


DECLINED = {
    "doctype": b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa">]><rss version="2.0">'
               b"<channel><title>&a;</title></channel></rss>",
    "billion laughs": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
                      b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                      b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
                      b'<rss version="2.0"><channel><title>&c;</title></channel></rss>',
    "not well-formed": rss("<item><title>A</item>"),
    "html entity": rss("<item><title>A&nbsp;B</title></item>"),
    "latin-1 declared": b'<?xml version="1.0" encoding="iso-8859-1"?><rss version="2.0">'
                        b"<channel><title>caf\xe9</title></channel></rss>",
    "rss 0.91": rss("").replace(b'version="2.0"', b'version="0.91"'),
    "rss 1.0": b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
               b'syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel/></rdf:RDF>',
    "unknown item element": rss("<item><title>A</title><source url='x'>S</source></item>"),
    "markup inside a title": rss("<item><title>A <b>bold</b></title></item>"),
    "attribute on description": rss("<item><description type='text'>A</description></item>"),
    "two titles": rss("<item><title>A</title><title>B</title></item>"),
    "xml:base": atom('<entry xml:base="https://b.example/"><id>x</id></entry>'),
    "xhtml content": atom('<entry><id>x</id><content type="xhtml"><div xmlns="http://www.w3.'
                          'org/1999/xhtml">x</div></content></entry>'),
    "content src": atom('<entry><id>x</id><content src="https://a.example/x"/></entry>'),
    "atom link without href": atom("<entry><id>x</id><link>https://a.example/</link></entry>"),
    "atom author text": atom("<entry><id>x</id><author>Jo</author></entry>"),
    "atom 0.3": b'<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>T</title></feed>',
}


@pytest.mark.parametrize("name", sorted(DECLINED))
def test_documents_outside_the_plain_subset_go_to_feedparser(name: str) -> None:
    content_type = ATOM_TYPE if b"Atom" in DECLINED[name] else RSS_TYPE
    assert read_plain_feed(DECLINED[name], content_type, URL) is None


@pytest.mark.parametrize("content_type", [None, "text/xml", "text/html", "text/plain",
                                          "application/rss+xml; charset=iso-8859-1"])
def test_content_types_feedparser_remarks_on_go_to_feedparser(content_type: str | None) -> None:
    assert read_plain_feed(rss(RSS_QUIRKS["plain item"]), content_type, URL) is None


def test_text_xml_with_utf8_charset_is_read() -> None:
    assert_same(rss(RSS_QUIRKS["plain item"]), "text/xml; charset=UTF-8")


def test_an_entity_bomb_is_neither_expanded_nor_fatal() -> None:
    feed = parse_feed(DECLINED["billion laughs"], {"Content-Type": RSS_TYPE}, URL)
    assert len(feed.title) < 10_000


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"feedparser corpus not found at {CORPUS}")
def test_every_corpus_document_the_fast_path_takes_matches_feedparser() -> None:
    taken = 0
    different: list[str] = []
    for path in corpus_files():
        data = path.read_bytes()
        headers = {"Content-Type": "application/xml", **declared_headers(data)}
        url = f"http://corpus.example/{path.relative_to(CORPUS).as_posix()}"
        lowered = {k.lower(): v for k, v in headers.items()}
        if read_plain_feed(data, lowered.get("content-type"), url) is None:
            continue
        taken += 1
        if parse_feed(data, headers, url) != parse_feed(data, headers, url, fast=False):
            different.append(path.name)
    assert taken > 300, f"the fast path took only {taken} corpus documents"
    assert not different, f"{len(different)} differ from feedparser: {different[:20]}"

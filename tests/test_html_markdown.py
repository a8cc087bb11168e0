"""Feed HTML to sanitised Markdown, link discovery on pages, and OPML."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.feeds.discover import choose_feed_link, find_feed_links, looks_like_html
from reader.feeds.html_markdown import html_to_markdown, html_to_text, text_to_markdown
from reader.feeds.opml import OpmlError, OpmlFeed, read_opml, write_opml

BASE = "https://example.com/dir/page.html"
FEEDS = Path(__file__).parent / "feeds"


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("<p>Hello <b>world</b></p><p>Two</p>", "Hello **world**\n\nTwo"),
        ('<a href="/x">rel</a>', "[rel](https://example.com/x)"),
        ('<a href="other">rel</a>', "[rel](https://example.com/dir/other)"),
        ('<a href="javascript:alert(1)">js</a>', "js"),
        ('<a href="data:text/html,x">data</a>', "data"),
        ('<a href="mailto:a@b.example">mail</a>', "[mail](mailto:a@b.example)"),
        ('<a href="http://x.example/a b(c)">sp</a>', "[sp](http://x.example/a%20b%28c%29)"),
        ("<script>alert(1)</script><style>p{}</style>ok", "ok"),
        ("<iframe src=x><p>inside</p></iframe>after", "after"),
        ('<img src="http://t.example/p.gif" width="1" height="1">', ""),
        ('<img src="/i.png" alt="pic">', "![pic](https://example.com/i.png)"),
        ('<img src="javascript:x" alt="pic">', "pic"),
        ("<ul><li>a</li><li>b</li></ul>", "- a\n- b"),
        ("<ol><li>a<li>b</ol>", "1. a\n2. b"),
        ("<blockquote><p>q1</p><p>q2</p></blockquote>", "> q1\n>\n> q2"),
        ("<h2>Head <i>ing</i></h2>", "## Head *ing*"),
        ("line<br>two", "line  \ntwo"),
        ("<pre>a  *b*\n  c</pre>", "```\na  *b*\n  c\n```"),
        ("use <code>a*b</code>", "use `a*b`"),
        ("[bold] *x* _y_ <not a tag", r"\[bold\] \*x\* \_y\_ \<not a tag"),
        ("<p>2024. A year</p><p># not heading</p>", "2024\\. A year\n\n\\# not heading"),
        ("<table><tr><td>1</td><td>2</td></tr></table>", "1 · 2"),
        ("<p>unclosed <b>bold", "unclosed **bold**"),
        ("<div><script>never closed", ""),
        ("text \x1b[31mred\x1b[0m \x1b]8;;http://evil\x07link \u202eflip", "text red link flip"),
    ],
)
def test_html_to_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html, BASE) == markdown


def test_relative_links_without_a_base_stay_text() -> None:
    assert html_to_markdown('<a href="/x">rel</a>', None) == "rel"


def test_text_helpers() -> None:
    assert html_to_text("<b>T</b> &amp; <script>x</script>t") == "T & t"
    assert text_to_markdown("1. not a list\n\n[x] *y*") == "1\\. not a list\n\n\\[x\\] \\*y\\*"


def test_discovery_prefers_the_main_feed() -> None:
    data = (FEEDS / "page_with_feed.html").read_bytes()
    assert looks_like_html(data, "text/html")
    links = find_feed_links(data, "https://site.example/blog/", "text/html")
    assert len(links) == 3  # the link inside <body> is not an announcement
    chosen = choose_feed_link(links)
    assert chosen is not None
    assert chosen.url == "https://site.example/blog/feed.atom"
    assert chosen.kind == "Atom" and chosen.title == "Posts"
    page = (FEEDS / "page_without_feed.html").read_bytes()
    assert find_feed_links(page, "https://site.example/") == []
    assert choose_feed_link([]) is None
    assert not looks_like_html(b"<?xml version='1.0'?><rss/>", "text/html")


OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="Top" type="rss" xmlUrl="https://top.example/feed" htmlUrl="https://top.example/"/>
  <outline text="News">
    <outline text="Tech">
      <outline title="Deep" text="ignored" type="rss" xmlUrl="https://deep.example/rss"/>
    </outline>
    <outline text="Local" type="rss" xmlUrl="https://local.example/atom"/>
  </outline>
  <outline text="Bad" type="rss" xmlUrl="ftp://nope.example/feed"/>
</body></opml>"""


def test_opml_folders_become_groups_and_round_trip() -> None:
    feeds, warnings = read_opml(OPML)
    assert feeds == [
        OpmlFeed("https://top.example/feed", "Top", "https://top.example/", None),
        OpmlFeed("https://deep.example/rss", "Deep", None, "News/Tech"),
        OpmlFeed("https://local.example/atom", "Local", None, "News"),
    ]
    assert len(warnings) == 1 and "ftp://nope.example/feed" in warnings[0]
    again, _ = read_opml(write_opml(feeds))
    assert sorted(again, key=lambda f: f.url) == sorted(feeds, key=lambda f: f.url)


@pytest.mark.parametrize("data", [b"", b"not xml", b"<html><body/></html>", b"<opml/>"])
def test_invalid_opml_is_refused(data: bytes) -> None:
    with pytest.raises(OpmlError):
        read_opml(data)

"""Feed HTML to sanitised Markdown, link discovery on pages, and OPML."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from realfeed_files import real_story

from reader.feeds.discover import choose_feed_link, find_feed_links, looks_like_html
from reader.feeds.html_markdown import (
    html_to_markdown,
    html_to_text,
    script_text,
    text_to_markdown,
    watch_url,
)
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
        ("<iframe><p>inside</p></iframe>after", "after"),
        ("<iframe src='javascript:alert(1)'></iframe>after", "after"),
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
        ("[bold] *x* _y_ a < b", r"\[bold\] \*x\* \_y\_ a \< b"),
        ("snake_case ~~no~~ AT&amp;amp;T &amp;c", r"snake_case \~\~no\~\~ AT\&amp;T &c"),
        ("text then <not a tag", "text then"),  # as a browser shows it: the tag never ends
        ("<p>2024. A year</p><p># not heading</p>", "2024\\. A year\n\n\\# not heading"),
        ("<table><tr><td>1</td><td>2</td></tr></table>", "1\n\n2"),  # one row: a layout
        ("<p>unclosed <b>bold", "unclosed **bold**"),
        ("<div><script>never closed", ""),
        ("text \x1b[31mred\x1b[0m \x1b]8;;http://evil\x07link \u202eflip", "text red link flip"),
        # Character references to controls, escapes and bidi marks are removed as well.
        ("a&#27;[31mred&#x1b;[0m &#x202E;flip &#8217;q &#X9B;c", "ared flip ’q ›c"),
        ("left&lrm;to", "leftto"),
        ("right&rlm;to", "rightto"),
    ],
)
def test_html_to_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html, BASE) == markdown


# -- markup read as a browser recovers it ------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        # A stray quote after a quoted value starts an attribute name; the tag still ends at ">".
        ("<a href='http://t.example/s' data-c='#1F''>Follow</a> on",
         "[Follow](http://t.example/s) on"),
        # "<img" inside a tag is an attribute name there, not a tag: no markup becomes text.
        ('<p><a href="http://x.example/"<img src="http://x.example/i.gif">see</a> this</p>',
         "[see](http://x.example/) this"),
        ('<p title="a > b">text</p>', "text"),
        ("<p>one<p>two<div>three</div>", "one\n\ntwo\n\nthree"),
        # libxml2 closes what </b> closes (a browser would carry the <i> on): no text is lost.
        ("<b>bold <i>both</b> italic</i>", "**bold *both*** italic"),
        ("</p>stray end <br/> and <3", "stray end  \nand \\<3"),
    ],
)
def test_markup_is_recovered_as_a_browser_does(html: str, markdown: str) -> None:
    assert html_to_markdown(html, BASE) == markdown


def test_techcrunch_stray_quote_shows_no_markup() -> None:
    story = real_story("feedjira__TechCrunch.xml",
                       "Google Launches Native Gmail App For iPhone, iPad and iPod Touch, "
                       "Faces Instant Backlash")
    assert "\\<a" not in story.body and "data-link-color" not in story.body
    assert "[Follow @Scobleizer](http://twitter.com/Scobleizer)" in story.body
    assert "[Follow @parislemon](http://twitter.com/parislemon)" in story.body


def test_aws_broken_anchor_shows_no_markup() -> None:
    story = real_story("feedjira__AmazonWebServicesBlog.xml",
                       "Cloud Computing and Biomedical Research Roundtable in San Diego")
    assert "\\<" not in story.body and "<img" not in story.body and "&lt;" not in story.body
    assert "Amazon CTO [Werner Vogels](http://www.allthingsdistributed.com)" in story.body


def test_nesting_deeper_than_the_parser_allows_keeps_every_word() -> None:
    markdown = html_to_markdown("<div>" * 3000 + "deep" + "</div>" * 3000 + "<p>after</p>")
    assert "deep" in markdown and "after" in markdown


# -- embedded media ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ('<iframe src="https://www.youtube.com/embed/abc_DEF-123?start=42" title="A talk">'
         "</iframe>", "▶ video: [A talk](https://www.youtube.com/watch?v=abc_DEF-123&t=42s)"),
        ('<iframe src="//www.youtube-nocookie.com/embed/abcdefgh" title="YouTube video player">',
         "▶ video: [https://www.youtube.com/watch?v=abcdefgh]"
         "(https://www.youtube.com/watch?v=abcdefgh)"),
        ('<iframe src="https://player.vimeo.com/video/739611836?h=261f758988&badge=0">',
         "▶ video: [https://vimeo.com/739611836/261f758988]"
         "(https://vimeo.com/739611836/261f758988)"),
        ('<p>Watch:<video controls title="Demo"><source src="/v/demo.webm" type="video/webm">'
         "Your browser cannot play it</video> then read on</p>",
         "Watch:\n\n▶ video: [Demo](https://example.com/v/demo.webm)\n\nthen read on"),
        ('<audio src="https://cdn.example/ep1.mp3"></audio>',
         "▶ audio: [https://cdn.example/ep1.mp3](https://cdn.example/ep1.mp3)"),
        ('<iframe src="https://w.soundcloud.com/player/?url=x"></iframe>',
         "▶ audio: [https://w.soundcloud.com/player/?url=x]"
         "(https://w.soundcloud.com/player/?url=x)"),
        ('<object data="http://o.example/movie.swf"><param name="movie" value="http://o.example/'
         'movie.swf"><embed src="http://o.example/movie.swf"></object>',
         "▶ embed: [http://o.example/movie.swf](http://o.example/movie.swf)"),
        ('<embed src="https://e.example/clip.mp4">text after',  # libxml2 keeps <embed> open
         "▶ video: [https://e.example/clip.mp4](https://e.example/clip.mp4)\n\ntext after"),
        ('<iframe src="https://www.youtube.com/embed/abcdefgh"></iframe>'
         '<iframe src="https://www.youtube.com/embed/abcdefgh"></iframe>',
         "▶ video: [https://www.youtube.com/watch?v=abcdefgh]"
         "(https://www.youtube.com/watch?v=abcdefgh)"),
        ('<video src="javascript:alert(1)"></video><iframe src="data:text/html,x"></iframe>ok',
         "ok"),
        ('<iframe src="ftp://f.example/x" title="[x](javascript:y)"></iframe>ok', "ok"),
        ('<iframe src="https://e.example/x" title="[x](javascript:y) *b*"></iframe>',
         "▶ embed: [\\[x\\](javascript:y) \\*b\\*](https://e.example/x)"),
    ],
)
def test_embedded_media_become_a_link_line(html: str, markdown: str) -> None:
    assert html_to_markdown(html, BASE) == markdown


def test_watch_urls() -> None:
    assert watch_url("https://www.youtube.com/embed/videoseries?list=PL1") == (
        "https://www.youtube.com/playlist?list=PL1")
    assert watch_url("https://example.com/embed/x") == "https://example.com/embed/x"
    assert watch_url("https://player.vimeo.com/video/1?h=notahex!") == "https://vimeo.com/1"


@pytest.mark.parametrize(
    ("feed", "title", "line"),
    [
        ("nnw__neverworkintheory.atom",
         "Shurui Zhou on Sustainability of Open Source Scientific Software",
         "▶ video: [https://www.youtube.com/watch?v=24BdlgcK2mE]"
         "(https://www.youtube.com/watch?v=24BdlgcK2mE)"),
        ("nnw__natasha.xml", "How to Reuse Paging Interface Controllers in watchOS",
         "▶ video: [https://www.natashatherobot.com/wp-content/uploads/WatchOSPaging.mp4?_=1]"
         "(https://www.natashatherobot.com/wp-content/uploads/WatchOSPaging.mp4?_=1)"),
        ("news__Nextcloud.rss",
         "OpenProject and Nextcloud integrate project management and file management",
         "▶ video: [nextcloud-integration_update](https://vimeo.com/739611836/261f758988)"),
        ("feedjira__TenderLovemaking.xml", "Easily Add Growl Notifications to Autotest",
         "▶ embed: [http://www.flickr.com/apps/video/stewart.swf?v=61761]"
         "(http://www.flickr.com/apps/video/stewart.swf?v=61761)"),
    ],
)
def test_real_embeds_become_link_lines(feed: str, title: str, line: str) -> None:
    assert line in real_story(feed, title).body.split("\n")


# -- tables ------------------------------------------------------------------------------------

MD = MarkdownIt("gfm-like")  # the parser Textual's Markdown widget uses


def table_of(markdown: str) -> list[list[str]]:
    """The cells of the (one) table in ``markdown`` as the reading pane's parser reads them."""
    tokens = MD.parse(markdown)
    assert [t.type for t in tokens].count("table_open") == 1, markdown
    rows: list[list[str]] = []
    for token in tokens:
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows:
            rows[-1].append(token.content)
    return rows


@pytest.mark.parametrize(
    ("html", "rows"),
    [
        ("<table><tr><th>Name</th><th>Size</th></tr><tr><td>a</td><td>1</td></tr>"
         "<tr><td></td><td></td></tr><tr><td>b|c</td><td><code>x|y</code></td></tr></table>",
         [["Name", "Size"], ["a", "1"], ["b|c", "`x|y`"]]),
        ("<table><thead><tr><td>H1</td><td>H2</td></tr></thead>"
         "<tbody><tr><td><div>one</div><div>two</div></td><td><p>p1</p><p>p2<br>l2</p></td></tr>"
         "</tbody></table>",
         [["H1", "H2"], ["one two", "p1 p2 l2"]]),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
         [["", ""], ["a", "b"], ["c", "d"]]),
        ("<table><tr><th></th><th colspan=2>Group</th></tr><tr><th></th><th>x</th><th>y</th></tr>"
         "<tr><th>row</th><td>1</td><td>2</td></tr></table>",
         [["", "Group x", "Group y"], ["**row**", "1", "2"]]),
        ("<table><tr><th>k</th><th>v</th><th>w</th></tr><tr><td rowspan=2>r</td><td>1</td>"
         "<td>2</td></tr><tr><td>3</td><td>4</td></tr>"
         "<tfoot><tr><td colspan=173>foot</td></tr></tfoot></table>",
         [["k", "v", "w"], ["r", "1", "2"], ["", "3", "4"], ["foot", "", ""]]),
        ("<table><tr><th colspan=2>Title</th></tr><tr><th>a</th><th>b</th></tr>"
         "<tr><td>1</td><td>2</td></tr></table>",
         [["a", "b"], ["1", "2"]]),
    ],
)
def test_tables_become_markdown_tables(html: str, rows: list[list[str]]) -> None:
    assert table_of(html_to_markdown(html, BASE)) == rows


def test_layout_tables_become_blocks() -> None:
    one_row = ('<table><tr><td><img src="/t.png" alt="thumb"></td><td><p>Text</p></td></tr>'
               "</table>")
    assert html_to_markdown(one_row, BASE) == "![thumb](https://example.com/t.png)\n\nText"
    prose = ("<table><tr><td>a</td><td>b</td></tr><tr><td colspan=2><p>" + "long words " * 30
             + "</p><ul><li>item</li></ul></td></tr></table>")
    markdown = html_to_markdown(prose, BASE)
    assert "|" not in markdown and "- item" in markdown
    nested = "<table>" * 10 + "<tr><td>x</td><td>y</td></tr>" + "</table>" * 10
    assert html_to_markdown(nested, BASE) == "x\n\ny"


def test_stray_table_content_is_shown_before_the_table() -> None:
    html = ("<table><caption>Cap <b>x</b></caption>stray<tr><td>a</td>mid<td>b</td></tr>"
            "<ul><li>item</li></ul><tr><td>c</td><td>d</td></tr></table>end")
    assert html_to_markdown(html, BASE) == (
        "Cap **x**\n\nstray\n\nmid\n\n- item\n\n"
        "|  |  |\n| --- | --- |\n| a | b |\n| c | d |\n\nend")


def test_ad_frames_are_dropped_like_tracking_pixels() -> None:
    html = ('<iframe src="https://ads.example.com/x"></iframe><iframe width="1" height="1" '
            'src="https://t.example/p"></iframe><iframe src="https://x.doubleclick.net/a">'
            "</iframe>ok")
    assert html_to_markdown(html, BASE) == "ok"


def test_real_tables_keep_header_and_cells() -> None:
    deals = real_story(
        "nnw__dcrainmaker.xml",
        "Huge Fall Sale: 20% of All Trainers & Most Power Meters, $100 off Fenix 5, "
        "GoPro Hero6 deal!")
    rows = table_of(deals.body[deals.body.index("| Item |"):].split("\n\n")[0])
    assert rows[0] == ["Item", "Year Announced", "Regular Price", "Review/Related Post"]
    assert rows[1][1:3] == ["2015-2017", "$399"]
    gems = real_story("feedjira__HREFConsideredHarmful.xml", "Ruby and other gems")
    rows = table_of(gems.body[gems.body.index("| "):].split("\n\n")[0])
    assert rows[0] == ["", "Rails Provided By", "Rails Stores", "Gemstone Provided By",
                       "Gemstone Stores"]
    assert rows[1] == ["**Storage Engine**", "MySQL", "objects mapped to relational tables",
                       '"Stone" object store', "Smalltalk objects"]
    # Contributors: cells holding <div>s and links are one line each; "On Air" is the title.
    show = real_story("feedjira__CRE.xml", "CRE207 Planetarien")
    assert "**On Air**" in show.body and " · " not in show.body
    rows = table_of(show.body[show.body.index("| "):].split("\n\n")[0])
    assert rows[1][1] == "Tim Pritlove" and len(rows[1]) == 5


# -- super- and subscripts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("2<sup>16</sup> functions", "2¹⁶ functions"),
        ("r<sup>2</sup> and x<sup>n+1</sup>", "r² and xⁿ⁺¹"),
        ("H<sub>2</sub>O and X<sub>i</sub>", "H₂O and X\\_(i)"),
        ("e<sup>iπ</sup> + 1", "e^(iπ) + 1"),
        ('word<sup><a href="#fn1">1</a></sup> next',
         "word[¹](https://example.com/dir/page.html#fn1) next"),
        ("word<sup>[3]</sup>", "word\\[3\\]"),
        ("1<sup>st</sup> and 2<sup>nd</sup>", "1st and 2nd"),
        ("Brand<sup>TM</sup>", "Brand™"),
        ("<code>X<sub>n</sub></code>", "`X_(n)`"),
        ("<math><msup><mn>10</mn><mn>3</mn></msup></math> and "
         "<math><msub><mi>x</mi><mi>k</mi></msub></math>", "10³ and x\\_(k)"),
        ('<math alttext="a^2"><mi>ignored</mi></math>', "a^2"),
    ],
)
def test_super_and_subscripts_keep_their_meaning(html: str, markdown: str) -> None:
    assert html_to_markdown(html, BASE) == markdown


def test_script_text_in_plain_text() -> None:
    assert script_text("i", "_", markdown=False) == "_(i)"
    assert html_to_text("E = mc<sup>2</sup> for H<sub>2</sub>O") == "E = mc² for H₂O"


def test_real_superscripts_keep_their_meaning() -> None:
    formulas = real_story("nnw__russcox.atom", "Minimal Boolean Formulas")
    assert "so there are 2¹⁶ different functions" in " ".join(formulas.body.split())
    footnotes = real_story("nnw__root-author.atom",
                           "RAW Power 3: an affordable digital photo development app for macOS")
    assert "not a good option for my M1 Mac[¹](" in footnotes.body
    table = real_story("nnw__yakubin.atom", "Reserve and commit")
    assert "| **10⁶** | 7 086 080 | 10 190 848 |" in table.body  # MathML in the cells


# -- links -------------------------------------------------------------------------------------


def test_fragments_resolve_against_the_entrys_own_link() -> None:
    page = "https://research.swtch.com/deps"
    assert html_to_markdown('see<a href="#note16"><sup>16</sup></a>', page) == (
        f"see[¹⁶]({page}#note16)")
    assert html_to_markdown('<a href="#top">up</a>', None) == "up"


def test_real_footnote_fragments_resolve_against_the_story() -> None:
    """russcox's notes link to ``#noteN``: against the story's own page, not the feed's."""
    story = real_story("nnw__russcox.atom", "Our Software Dependency Problem")
    assert story.url == "http://research.swtch.com/deps"
    assert "[¹⁶](http://research.swtch.com/deps#note16)" in story.body


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


def test_conversions_in_several_threads_at_once_match_one_thread() -> None:
    """The HTML parser is reused within a thread (``_parse``), never shared between threads:
    bodies converted from four threads at once read exactly as converted one by one."""
    from concurrent.futures import ThreadPoolExecutor

    bodies = [
        f"<p>Item {n} with <b>bold</b>, a <a href='/x{n}'>link</a> &amp; "
        f"<table><tr><th>a</th><th>b</th></tr><tr><td>{n}</td><td>x<sup>2</sup></td></tr></table>"
        + "<div>" * (n % 7) + f"deep {n}" + "</div>" * (n % 7)
        for n in range(200)
    ]
    alone = [html_to_markdown(body, "https://example.com/a/") for body in bodies]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda body: html_to_markdown(body, "https://example.com/a/"),
                                 bodies * 4))
    assert together == alone * 4
    assert "Item 7 with **bold**, a [link](https://example.com/x7) &" in alone[7]

"""Issue 12's parsing defects, each on the real document it was found in.

The documents are the real corpus (``tests/realfeeds.py``: ``../shared/realfeeds/`` or
``READER_REALFEEDS``; missing, these tests fail). Each test names the file and what a reader
would have seen before.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import run_reader
from feed_server import FeedServer, static
from realfeeds import TRUNCATED, RealDocument, documents

from reader.feeds.parse import FeedParseError, ParsedFeed, parse_feed
from reader.feeds.parse_json import MAX_JSON_VALUES
from reader.links import story_links
from reader.models import FeedFetched, View
from reader.store import Store
from reader.store.feeds import add_feed, record_refresh
from reader.text import markdown_to_plain
from reader.titles import shown_title

JSON_FEEDS = ("feed-rs__jsonfeed_elastic_1.1.json", "feed-rs__jsonfeed_example_1.json",
              "feedjira__json_feed.json", "feedjira__json_feed_with_escaped_uris.json",
              "nnw__3960.json", "nnw__DaringFireball.json", "nnw__allthis.json",
              "nnw__curt.json", "nnw__inessential.json", "nnw__pxlnv.json", "nnw__rose.json")


def real(name: str) -> RealDocument:
    found = [doc for doc in documents() if doc.name == name]
    assert found, f"{name} is not in the real corpus"
    return found[0]


def parsed(name: str) -> ParsedFeed:
    doc = real(name)
    return parse_feed(doc.body, doc.headers, doc.url)


def store_document(store: Store, name: str) -> tuple[int, int]:
    """The document stored as one refresh of its feed: (feed id, new stories)."""
    doc = real(name)
    feed_id = add_feed(store, doc.url, name)
    report, _ = record_refresh(store, feed_id, FeedFetched(drafts=parsed(name).drafts))
    return feed_id, report.new


# -- identity: entries that share a guid or link ---------------------------------------------


@pytest.mark.parametrize(("name", "stories"), [
    ("rome__rsr.xml", 15),  # 15 episodes, one <link>, no guid: 1 story before
    ("rome__issue137-rss.xml", 4),  # 4 news items, one guid: 1 before
    ("nnw__scriptingNews.rss", 50),  # two guids used twice: 48 before
    ("rss-parser__itunes-missing-image.rss", 131),  # an "extended version" re-posted: 130
])
def test_entries_sharing_a_guid_or_link_are_separate_stories(
        store: Store, name: str, stories: int) -> None:
    feed = parsed(name)
    assert len(feed.drafts) == stories == len({d.key for d in feed.drafts})
    assert not [w for w in feed.warnings if "duplicate" in w]
    feed_id, new = store_document(store, name)
    assert new == stories
    again, _ = record_refresh(store, feed_id, FeedFetched(drafts=parsed(name).drafts))
    assert (again.new, again.updated) == (0, 0)  # a refresh of the same document adds nothing


def test_each_podcast_episode_keeps_its_own_enclosure() -> None:
    feed = parsed("rome__rsr.xml")
    assert len({d.enclosures for d in feed.drafts}) == 15
    assert len({d.url for d in feed.drafts}) == 1


def test_an_entry_edited_later_updates_its_story(store: Store) -> None:
    """scriptingNews reuses a guid for two posts: fixing one post's text later updates that
    post, it does not add a third story."""
    doc = real("nnw__scriptingNews.rss")
    feed_id, _ = store_document(store, doc.name)
    edited = doc.body.replace(b"Good morning Internet guzzlers!", b"Good morning, guzzlers!")
    assert edited != doc.body
    drafts = parse_feed(edited, doc.headers, doc.url).drafts
    report, _ = record_refresh(store, feed_id, FeedFetched(drafts=drafts))
    assert (report.new, report.updated) == (0, 1)


def test_a_true_duplicate_is_dropped_and_counted() -> None:
    """rss_0.92 repeats one item word for word (feedparser: 22 entries, 21 distinct)."""
    feed = parsed("rss__rss_0.92")
    assert len(feed.drafts) == 21
    assert "dropped 1 duplicate entry (the same guid or link and the same content as an" \
           " earlier entry)" in feed.warnings


def test_an_old_cache_keeps_its_story_ids(store: Store) -> None:
    """Before, the first episode of rsr.xml was stored under the bare link and the rest were
    lost. After the upgrade that story keeps its id and read state, and the other 14 come."""
    doc = real("rome__rsr.xml")
    first = parsed(doc.name).drafts[0]
    feed_id = add_feed(store, doc.url, doc.name)
    legacy = type(first)(key=first.url or "", title=first.title, body=first.body,
                         url=first.url, published=first.published, enclosures=first.enclosures)
    record_refresh(store, feed_id, FeedFetched(drafts=(legacy,)))
    old = store.page(View(), 0, 10)[0]
    store.set_read(old.id, True)
    report, _ = record_refresh(store, feed_id, FeedFetched(drafts=parsed(doc.name).drafts))
    assert (report.new, store.count(View())) == (14, 15)
    kept = store.get_story(old.id)
    assert kept.read and kept.enclosures == first.enclosures


# -- titles, dates, links ---------------------------------------------------------------------


def test_titles_are_the_entries_own_not_a_nested_author_title() -> None:
    """Google Cloud's blog: ``<author><title>`` gave 19 of 20 stories the headline
    "Product Manager, Office of the CTO"."""
    titles = [d.title for d in parsed("nnw__cloudblog.rss").drafts]
    assert len(titles) == 20 and len(set(titles)) == 20
    assert titles[0] == ("Want to keep your employees productive? Pay attention to shadow IT"
                         " clues")
    assert not [t for t in titles if "Office of the CTO" in t]


def test_the_article_is_the_body_not_a_nested_one_line_description() -> None:
    """Google Cloud's blog: feedparser reads each item's ``<og><description>`` (one line) as
    its content, and the story was that line, or nothing, with the whole article (headings,
    links) flattened into the standfirst. YouTube's search feed: ``<media:description>`` over
    the item's HTML card. The article is the body; the line is kept as the standfirst."""
    drafts = parsed("nnw__cloudblog.rss").drafts
    twilio = next(d for d in drafts if d.title.startswith("Using Google Cloud Speech-to-Text"))
    assert twilio.body.startswith("Developers have asked us how they can use Google Cloud")
    assert "## Architecture" in twilio.body and "[Twilio](https://www.twilio.com/)" in twilio.body
    assert twilio.standfirst == ""  # the line repeats the article's opening: shown once
    monthly = next(d for d in drafts if d.title == "Last month today: August on GCP")
    assert monthly.standfirst == ("Here are some of the top GCP stories that appeared on the"
                                  " Cloud blog in August.")
    assert all(len(d.body) > 1000 for d in drafts)
    youtube = parsed("rome__test3.xml").drafts
    assert all("http://www.youtube.com/watch?v=" in d.body for d in youtube)
    # a podcast whose plain content and HTML summary say the same keeps its content
    podcast = parsed("rss-parser__giantbomb-podcast.rss").drafts[0]
    assert not podcast.from_summary


def test_a_plain_copy_of_the_html_summary_is_not_the_body() -> None:
    """KCRW's podcasts write one text in ``<description>`` (HTML) and ``<itunes:summary>``
    (plain text for feedparser): the body was the plain copy, "Arianna Huffington is
    away.<br>" with its tag as text, and one story showed its text twice (body and
    standfirst). The HTML is the body; the copy goes."""
    shows = parsed("rome__lr.xml").drafts
    away = next(d for d in shows if d.title.startswith("Iran Wants to Talk"))
    assert (away.body, away.standfirst) == ("Arianna Huffington is away.", "")
    art = parsed("rome__at.xml").drafts
    assert not [d for d in shows + art if "<br>" in d.body or "\\<br\\>" in d.body]
    smart = next(d for d in art if d.title == "The Comeuppance Smart Critic")
    assert smart.body.startswith('My late mother used to tell me affectionately, "Edward,')
    assert smart.standfirst == ""


def test_html_escaped_inside_xhtml_is_read_as_html() -> None:
    """rome__issue137-rss.xml: a ``<description>`` that starts with a raw ``<img/>`` and goes
    on in CDATA is XHTML to feedparser, and 2 of the 4 stories showed ``\\<p\\>MOE will be
    \\<a href=…`` as text; its links and pictures, wrapped over two lines in the file, were no
    links. Reddit's Atom capture the same (``\\<!-- SC_OFF --\\>\\<div class="md"\\>``). A
    post about HTML keeps its escaped examples (inside ``<pre>``/``<code>``)."""
    moe = parsed("rome__issue137-rss.xml").drafts
    for draft in moe:
        assert "\\<" not in draft.body and "\n/" not in draft.body and "\n." not in draft.body
    assert moe[0].body.split("\n\n")[1].startswith(
        "MOE will be [building 11 new primary schools and upgrading another 28 existing schools"
        " from November 2009](http://www.moe.gov.sg/media/press/2009/09/moe-to-build-new-primary"
        "-schoo.php).")
    assert "(http://www.moe.gov.sg/media/press/2009/09/new-programmes-in-special-assistance-plan" \
        "-sap-schools.php)" in moe[3].body
    reddit = parsed("rss-parser__reddit-atom.rss").drafts
    assert not [d for d in reddit if "\\<" in d.body]
    assert any(d.body.startswith("Hey Reddit! Benjamin Von Wong here") for d in reddit)
    example = (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><entry><id>1</id>'
               b'<title>HTML</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
               b'<p>Write</p><pre>&lt;p&gt;text&lt;/p&gt;</pre></div></content></entry></feed>')
    body = parse_feed(example, {}, "https://a.example/feed").drafts[0].body
    assert "<p>text</p>" in body


def test_an_untitled_story_keeps_an_empty_title_and_shows_its_first_words(
        isolated_home: Path) -> None:
    """scriptingNews's untitled posts: "(untitled)" in the list before."""
    with Store.open(isolated_home / "data" / "cache.sqlite3") as store:
        store_document(store, "nnw__scriptingNews.rss")
        untitled = [row for row in store.page(View(), 0, 100) if not row.title]
    assert len(untitled) == 39
    shown = shown_title(untitled[0].title, untitled[0].text_start)
    assert shown.stand_in and shown.text and shown.text != "(untitled)"
    result = run_reader("show", "--json", untitled[0].id, home=isolated_home, check=True)
    assert json.loads(result.stdout)["title"] == ""
    listing = run_reader("list", "--source", "nnw__scriptingNews.rss", home=isolated_home,
                         check=True).stdout
    line = next(line for line in listing.splitlines() if line.startswith(untitled[0].id))
    assert line.endswith(shown.text)


def test_atom_entries_dated_only_by_updated_keep_that_date(isolated_home: Path) -> None:
    """neverworkintheory.atom gives each entry only <updated>: no date at all before."""
    feed = parsed("nnw__neverworkintheory.atom")
    assert all(d.published is None and d.updated for d in feed.drafts)
    with Store.open(isolated_home / "data" / "cache.sqlite3") as store:
        store_document(store, "nnw__neverworkintheory.atom")
        rows = store.page(View(), 0, 50)
    dates = [r.date for r in rows if r.date is not None]
    assert len(dates) == len(rows)
    assert dates == sorted(dates, reverse=True)
    shown = json.loads(run_reader("show", "--json", rows[0].id, home=isolated_home,
                                  check=True).stdout)
    assert shown["published"] is None and shown["updated"] == rows[0].updated
    listing = run_reader("list", "--source", "nnw__neverworkintheory.atom",
                         home=isolated_home, check=True).stdout
    assert "----------" not in listing
    assert rows[0].updated and rows[0].updated[:10] in listing.splitlines()[0]


@pytest.mark.parametrize(("name", "name_alone"), [
    ("node-feedparser__invalid-characters-gzipped.xml", "Mattt Thompson"),  # RSS: address (name)
    ("feed-rs__rss_2.0_relurl_1.xml", "Jonas Große Sundrup"),  # a TLD feedparser's pattern cuts
    ("rss-parser__many-links.rss", "Google Testing Bloggers"),  # Atom: feedparser's name (address)
    ("feedkit__RSS.xml", "Joe Bob Briggs"),
])
def test_an_author_given_with_an_e_mail_address_is_shown_by_name(name: str,
                                                                name_alone: str) -> None:
    """NSHipster's stories showed "mattt@nshipster.com (Mattt Thompson)" as their author, the
    Google Testing Blog's "Google Testing Bloggers (noreply@blogger.com)": 119 stories of 11
    real feeds. An address alone stays; so do authors without one."""
    authors = {d.author for d in parsed(name).drafts}
    assert name_alone in authors and not any("@" in (a or "") for a in authors)
    assert {d.author for d in parsed("nnw__phpxml.rss").drafts} == {"webmaster@fcutrecht.net"}
    assert "ATP" in {d.author for d in parsed("nnw__atp.rss").drafts}  # not <itunes:author>'s


def test_feed_services_buttons_ads_and_counters_are_not_the_storys_images() -> None:
    """TechCrunch's stories ended in two DoubleClick ads and six FeedBurner share buttons,
    each an ``[image]`` and a link called "image"; Pheedo's ad closed the Washington Post's,
    a Matomo counter each post of 3960.org (439 images in 159 real stories). The story's own
    pictures stay, and so do buttons that say what they are (Pheedo's "Add to StumbleUpon")."""
    techcrunch = parsed("feedjira__TechCrunch.xml").drafts
    assert not [d for d in techcrunch if "doubleclick" in d.body or "/~ff/" in d.body]
    assert techcrunch[0].body.endswith("as of September 30, 2011.")
    post = parsed("node-feedparser__wapowellness.xml").drafts
    assert not [d for d in post if "ads.pheedo.com" in d.body]
    button = "[![Add to StumbleUpon](http://images.pheedo.com/"
    assert len([d for d in post if button in d.body]) == 26
    blog = parsed("nnw__3960.json").drafts
    assert not [d for d in blog if "stats.3960.org" in d.body]
    assert len([d for d in blog if "![](https://journal.3960.org/posts/" in d.body]) == 5


def test_plain_text_escaped_once_more_as_html_reads_as_a_person_would() -> None:
    """Fields the feed calls plain text but escapes as HTML, as feedparser judges an RSS title
    (a character reference, a closing tag it knows): the pane showed thoughtbot's standfirst
    "applying &ldquo;Tell, Don&rsquo;t Ask&rdquo;." (an Atom ``<summary>``), KCRW's author
    "M.Miller &amp; T.Blankley" (``<itunes:author>``) and a JSON Feed's standfirst
    "Blackletter &amp; thick Tschichold beauty"."""
    robots = {d.standfirst for d in
              parsed("feedjira__GiantRobotsSmashingIntoOtherGiantRobots.xml").drafts}
    assert "Write declarative Elixir code by applying \u201cTell, Don\u2019t Ask\u201d." in robots
    assert "R.Scheer, A.Huffington, M.Miller & T.Blankley" in \
        {d.author for d in parsed("rome__lr.xml").drafts}
    dorny = {d.standfirst for d in parsed("feedjira__json_feed_with_escaped_uris.json").drafts}
    assert "Blackletter & thick Tschichold beauty" in dorny
    for name in ("feedjira__GiantRobotsSmashingIntoOtherGiantRobots.xml", "rome__lr.xml",
                 "feedjira__json_feed_with_escaped_uris.json"):
        drafts = parsed(name).drafts
        assert not [d for d in drafts if re.search(r"&(?:amp|[lr][sd]quo);", d.standfirst)]
        assert not [d for d in drafts if "&amp;" in (d.author or "")]


def test_a_bare_address_with_an_underscore_stays_one_working_link() -> None:
    """Endorphine für Delfine's show notes write addresses as plain text; the ``_`` in
    ``instagram.com/walerija_/`` was escaped, the Markdown parser links the address before it
    reads escapes, and the link opened ``…/walerija%5C_/`` (``show`` printed ``walerija\\_``)."""
    story = next(d for d in parsed("rss-parser__itunes-keywords-astext.rss").drafts
                 if "instagram.com/walerija_/" in d.body)
    urls = [link.url for link in story_links(story.body).links]
    assert "https://www.instagram.com/walerija_/Dieser" in urls
    assert not [url for url in urls if "%5C" in url]
    assert "walerija\\_" not in markdown_to_plain(story_links(story.body).plain_markdown)


def test_fragment_links_resolve_against_the_entrys_page() -> None:
    """All This: footnote links (``#fn:preview``) pointed into the feed's URL before."""
    feed = parsed("nnw__allthis.atom")
    story = next(d for d in feed.drafts if "#fn:" in d.body)
    footnotes = re.findall(r"\]\(([^)]*#fn:[^)]*)\)", story.body)
    assert footnotes and all(link.startswith(f"{story.url}#fn:") for link in footnotes)


# -- JSON Feed --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", JSON_FEEDS)
def test_json_feeds_are_read(name: str) -> None:
    doc = real(name)
    items = json.loads(doc.body)["items"]
    feed = parse_feed(doc.body, doc.headers, doc.url)
    assert feed.version in ("json10", "json11") and feed.title
    assert len(feed.drafts) == len(items)
    with_titles = [item for item in items if item.get("title")]
    assert len([d for d in feed.drafts if d.title]) == len(with_titles)
    assert all(d.body or d.standfirst or d.title for d in feed.drafts)


def test_json_feed_titles_escaped_as_html_read_as_a_reader_would() -> None:
    """Real JSON Feeds escape their titles as their sites' HTML does (against the spec's plain
    text): the list showed ``Add Task &amp; Sub Tasks``, ``&#8216;Jokes&#8217;`` and a source
    named ``Blog &#8211; InfluxData``. They are read as feedparser reads an RSS title; a title
    that only has an ``&`` or a ``<`` stays as written."""
    titles = {d.title for d in parsed("nnw__rose.json").drafts}
    assert "Workflow: Add Task & Sub Tasks To OmniFocus" in titles
    assert not any("&amp;" in title for title in titles)
    pixel = {d.title for d in parsed("nnw__pxlnv.json").drafts}
    assert ("FCC Says Releasing \u2018Jokes\u2019 It Wrote About Ajit Pai Colluding With Verizon"
            " Would \u2018Harm\u2019 Agency") in pixel
    influx = parsed("feed-rs__jsonfeed_elastic_1.1.json")
    assert influx.title == "Blog \u2013 InfluxData"
    assert "InfluxDB vs. Graphite for Time Series Data & Metrics Benchmark" in \
        {d.title for d in influx.drafts}
    plain = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "x < y & z",
                        "items": [{"id": "1", "title": "a <b> & c", "content_text": "t"}]})
    feed = parse_feed(plain.encode(), {"Content-Type": "application/feed+json"},
                      "https://a.example/feed.json")
    assert feed.title == "x < y & z" and feed.drafts[0].title == "a <b> & c"


def test_a_json_feed_served_as_plain_json_or_as_text_is_read() -> None:
    doc = real("nnw__DaringFireball.json")
    for content_type in ("application/json", "text/plain", ""):
        feed = parse_feed(doc.body, {"Content-Type": content_type}, doc.url)
        assert len(feed.drafts) == 48


def test_rss_written_as_json_is_read() -> None:
    """scripting.com's RSS-in-JSON (``{"rss": {"channel": …}}``)."""
    feed = parsed("nnw__ScriptingNews.json")
    assert feed.version == "rss20" and feed.title == "Scripting News"
    assert len(feed.drafts) == 50


def test_json_that_is_not_a_feed_says_what_it_is() -> None:
    def refusal(body: bytes) -> str:
        with pytest.raises(FeedParseError) as caught:
            parse_feed(body, {"Content-Type": "application/json"}, "https://a.example/x")
        return str(caught.value)

    assert refusal(b'{"posts": [1, 2]}') == "a JSON object with the keys posts, not a feed"
    assert refusal(b"[1, 2, 3]") == "a JSON array, not a feed"
    assert refusal(b'{"version": "https://jsonfeed.org/version/2", "items": []}') == \
        "a JSON Feed of a version this reader does not know (https://jsonfeed.org/version/2)"
    assert refusal(b'{"a": ').startswith("served as JSON, but not valid JSON: ")
    assert refusal(b"[" * 100_000 + b"]" * 100_000) == \
        "a JSON document nested too deeply to be a feed"
    assert refusal(b"[" + b"0," * (MAX_JSON_VALUES + 1) + b"0]").startswith(
        "a JSON document with more than")


def test_the_truncated_capture_says_it_ends_early() -> None:
    with pytest.raises(FeedParseError) as caught:
        parsed(TRUNCATED)
    assert str(caught.value) == ("not a valid feed: the document ends before it is complete"
                                 " (line 19, column 84)")


def test_reader_add_finds_a_json_feed_announced_by_a_page(isolated_home: Path) -> None:
    """A page announcing ``application/feed+json`` (and, as WordPress does on every page, its
    REST API as ``application/json``, which is not a feed): ``reader add`` subscribes to the
    JSON Feed and stores its stories."""
    doc = real("nnw__DaringFireball.json")
    server = FeedServer()
    try:
        server.routes["/feed.json"] = static(doc.body, "application/feed+json")
        server.routes["/"] = static(
            b'<html><head><link rel="alternate" type="application/json" href="/wp-json/x">'
            b'<link rel="alternate" type="application/feed+json" title="Daring Fireball"'
            b' href="/feed.json"></head><body>hi</body></html>', "text/html")
        added = run_reader("add", server.url("/"), home=isolated_home)
        assert added.returncode == 0, added.stderr
        assert f"'Daring Fireball' (JSON Feed) at {server.url('/feed.json')}" in added.stdout
        listed = run_reader("list", "--json", "--source", "Daring Fireball", home=isolated_home,
                            check=True)
        assert len(listed.stdout.splitlines()) == 48
    finally:
        server.stop()

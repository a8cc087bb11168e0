"""Feed bytes to stories: ``parse_feed`` turns an RSS, Atom or JSON Feed document into
``StoryDraft``s.

Pure: bytes and response headers in, models out, so refresh can run it in a worker process and
tests can feed it golden files. JSON Feed is read by ``parse_json``; a well-formed RSS or Atom
document by ``parse_lxml`` (a port of feedparser's handlers over lxml's tree: the same fields,
a fifth of the cost; it takes 178 of the real corpus's 186 XML documents), and anything that
path declines by feedparser itself. feedparser always gets the bytes wrapped in a file
object, never a string it could take for a URL or a path. Its own HTML sanitiser and URI
resolver are turned off because ``html_markdown`` does both jobs while converting, at a
fraction of the cost; relative links resolve against the entry's own page.

Entries become stories by the rules of ``entry_identity`` (entries sharing a guid or link
but differing stay apart; true duplicates are dropped and counted). A broken entry is
skipped with a warning, and so is one with no field at all; a document with no entries and
a parse error is not a feed, and the error says what the document is instead.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from reader.feeds.discover import find_feed_links, looks_like_html
from reader.feeds.entry_identity import assign_keys
from reader.feeds.html_markdown import html_to_markdown, html_to_text, resolve_url, text_to_markdown
from reader.feeds.parse_json import NotJsonFeedError, looks_like_json, read_json_feed
from reader.feeds.parse_lxml import read_plain_feed
from reader.feeds.parsed import FeedParseError, NotAFeedError, ParsedFeed
from reader.models import Enclosure, StoryDraft, story_draft
from reader.schedule import ttl_minutes, update_frequency, update_period
from reader.stand_ins import load_feedparser
from reader.text import clean_line

feedparser = load_feedparser()  # without chardet until a document needs it (reader.stand_ins)
from feedparser.mixin import _FeedParserMixin  # noqa: E402

_HTTP = frozenset({"http", "https"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
_TEXT_TYPES = frozenset({"text/plain", "text", ""})


_ISO_UTC = "%04d-%02d-%02dT%02d:%02d:%02d+00:00"


def _iso(value: Any) -> str | None:
    """ISO 8601 (UTC) for one of feedparser's parsed dates; None when the feed gave none.

    A date whose numbers are a time of any month's first 28 days is written out directly, as
    ``datetime.isoformat`` writes it (4,253 of the real corpus's 4,605 dates): the corpus's
    7,386 calls 77 -> 57 M machine instructions (callgrind)."""
    if not value:
        return None
    try:
        year, month, day, hour, minute, second = value[:6]
        if (1 <= year <= 9999 and 1 <= month <= 12 and 1 <= day <= 28 and 0 <= hour < 24
                and 0 <= minute < 60 and 0 <= second < 60 and type(year) is type(month)
                is type(day) is type(hour) is type(minute) is type(second) is int):
            # (whole numbers only: "%d" would write a float that datetime refuses)
            return _ISO_UTC % (year, month, day, hour, minute, second)
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC).isoformat()
    except (TypeError, ValueError, OverflowError):
        return None


def _content_base(detail: Mapping[str, Any], document: str | None, link: str | None) -> str | None:
    """What relative links and fragments (``#note1``) in an entry's text resolve against.

    An ``xml:base`` in scope says so itself (the text's base then differs from the document's
    address); otherwise the entry's own page, where its text is published and where its
    footnotes are, rather than the feed's address, which is where feedparser would resolve
    them; a document whose entries have no link keeps its own address.
    """
    declared = detail.get("base")
    if declared and declared != document:
        return str(declared)
    return link or document


def _detail_markdown(detail: Mapping[str, Any] | None, base: str | None) -> str:
    if not detail:
        return ""
    value = detail.get("value") or ""
    kind = (detail.get("type") or "").lower()
    if kind in _HTML_TYPES:
        if kind in _XHTML_TYPES and "&lt;" in value and _escaped_html_in_xhtml(value):
            value = html.unescape(value)
        return html_to_markdown(value, base)
    if kind in _TEXT_TYPES:
        return text_to_markdown(value)
    return ""  # base64 or other binary content: nothing readable


_XHTML_TYPES = frozenset({"application/xhtml+xml", "xhtml"})
_ESCAPED_TAG = re.compile(r"&lt;(?:p|/p|br ?/?|a href=|div|/div|/a)&gt;?", re.IGNORECASE)


def _escaped_html_in_xhtml(value: str) -> bool:
    """Whether XHTML holds the entry's HTML escaped as text: an RSS ``<description>`` that
    starts with a raw ``<img/>`` element and goes on in a CDATA section of HTML is taken by
    feedparser for XHTML, so the CDATA's tags are text and the pane showed ``<p>MOE will be
    <a href="…">`` (rome__issue137-rss.xml, 2 of its 4 stories). Escaped paragraph, break,
    division and link tags outside any ``<pre>`` or ``<code>`` (where a post about HTML shows
    its examples) are read as the HTML they are."""
    return (_ESCAPED_TAG.search(value) is not None
            and "<pre" not in value and "<code" not in value)


def _detail_text(detail: Mapping[str, Any] | None, fallback: str = "") -> str:
    """A one-line plain text field (title, summary-as-standfirst)."""
    if not detail:
        return clean_line(fallback)
    value = detail.get("value") or ""
    if (detail.get("type") or "").lower() in _HTML_TYPES:
        return html_to_text(value)
    return clean_line(value)


def _standfirst(summary: Mapping[str, Any]) -> str:
    """The summary as one line; plain text escaped as HTML (``_escaped_as_html``) decoded.
    (Titles are read as their type says: an entry without guid or link is told apart by its
    title, and a title read otherwise would make it a new story.)"""
    value = summary.get("value") or ""
    if (summary.get("type") or "").lower() not in _HTML_TYPES and _escaped_as_html(value):
        return html_to_text(value)
    return _detail_text(summary)


def _escaped_as_html(value: str) -> bool:
    """Whether a line the feed calls plain text is HTML escaped once more, as feedparser
    judges an RSS title: a character reference or a closing tag it knows (and no tag it does
    not). Read as written, the pane showed ``Write declarative Elixir code by applying
    &ldquo;Tell, Don&rsquo;t Ask&rdquo;.`` (an Atom ``<summary>``, thoughtbot's) and an
    author ``R.Scheer, A.Huffington, M.Miller &amp; T.Blankley`` (``<itunes:author>``, KCRW);
    one with only a bare ``&`` or ``<`` stays as written. Only one-line fields: a plain-text
    body keeps its lines, which an HTML reading would join."""
    return ("&" in value or "</" in value) and _FeedParserMixin.looks_like_html(value)


_NOT_LETTERS = re.compile(r"[\W_]+")  # (\w is a letter or digit, str.isalnum, or "_")
_ASCII_NOT_LETTER_BYTES = bytes(i for i in range(128) if not chr(i).isalnum())
_ASCII_FOLD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")
# Marks that are neither letters nor digits and that bodies are full of, as UTF-8.
_COMMON_MARKS = tuple(mark.encode() for mark in "\u2019\u201c\u201d\u2014\u2013\u2026"
                      "\u2018\u201e\u00a0")
_LINK_TARGETS = re.compile(r"!\[[^\]\n]*\]\([^)\s]*\)|\]\([^)\s]*\)")


def _letters(text: str) -> str:
    """The letters and digits of ``text`` (``str.isalnum``), case-folded, read from its UTF-8,
    where an ASCII byte is an ASCII character and a character's bytes are found only where it
    is: ``bytes.translate`` deletes the ASCII that is neither (and lowers ASCII letters, which
    is their case folding), ``bytes.replace`` the common marks (curly quotes, dashes, the
    no-break space), and the regex runs only if something else that is neither is left. On
    the real corpus's summaries and the openings they are compared with, ``_repeats_opening``
    went 243 -> 126 M instructions (callgrind): the regex had read every character (after
    ``split`` took the whitespace), and ``str.translate`` with a table of the ASCII to delete
    raised and cleared a KeyError for each other ASCII character a text held."""
    if text.isascii():  # (casefold is lower for ASCII)
        return text.encode().translate(_ASCII_FOLD, _ASCII_NOT_LETTER_BYTES).decode()
    data = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_NOT_LETTER_BYTES)
    # (Not "if mark in data" first: bytes "in" tries its operand as an int, raising and
    # clearing a TypeError; replace gives back the same bytes where there is nothing to do.)
    for mark in _COMMON_MARKS:
        data = data.replace(mark, b"")
    rest = data.decode("utf-8", "surrogatepass")
    if not rest.isalnum():  # another mark, or nothing at all
        rest = _NOT_LETTERS.sub("", rest)
    return rest.casefold()


def _repeats_opening(standfirst: str, body: str) -> bool:
    """Whether a summary only repeats the opening of the body (WordPress's excerpt): its
    first 100 characters, letters and digits only, are in the body's opening without its
    link targets and images (so Markdown's emphasis, links and escapes do not hide a
    repeat). Read from the body already converted: converting the content's start to text
    again cost 0.01 ms an entry.

    The repeat is nearly always at the very start (1,450 of the corpus's 1,592 summaries
    repeat), so a short opening is searched first. It ends after a space where no image's
    alt text is open, or after a newline: no link target or image can span that point, so
    the opening reads exactly as the start of the whole window does and a repeat found in
    it is one in the window; the rest of the window is read on from there. 0.025 ms an
    entry instead of 0.036."""
    want = _letters(standfirst[:100])
    if not want:
        return False
    end = 4 * len(standfirst) + 4000
    limit = min(end, 4 * len(want) + 200)
    cut = body.rfind(" ", 0, limit) + 1
    image = body.rfind("![", 0, cut)
    if image != -1 and "]" not in body[image:cut] and "\n" not in body[image:cut]:
        cut = body.rfind("\n", 0, limit) + 1  # inside an image's alt text: a line's end
    opening = _letters(_without_link_targets(body[:cut])) if cut else ""
    if want in opening:
        return True
    return want in opening + _letters(_without_link_targets(body[cut:end]))


def _without_link_targets(markdown: str) -> str:
    # Two in three openings have no link: a search for "](" spares them the regex.
    return _LINK_TARGETS.sub("", markdown) if "](" in markdown else markdown


def _pick_content(entry: Mapping[str, Any]) -> Mapping[str, Any] | None:
    contents = [c for c in entry.get("content") or [] if c.get("value")]
    for content in contents:
        if (content.get("type") or "").lower() in _HTML_TYPES:
            return content
    return contents[0] if contents else None


def _body_and_summary(
    entry: Mapping[str, Any],
) -> tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]:
    """What becomes the body and what the standfirst: the entry's content and its summary,
    unless the content is plain text and the summary is HTML more than twice as long. Then the
    summary is the article and the "content" a line about it: feedparser takes a second
    ``<description>`` inside an item (the Google Cloud blog's ``<og><description>``) or
    YouTube's ``<media:description>`` for content, and the story showed that one line as its
    body with the whole article squeezed into the standfirst (18 of the blog's 20 stories, 5
    of a YouTube search's). Nothing is dropped: the line becomes the standfirst (unless the
    article opens with it, as any standfirst).

    A plain-text "content" that holds markup and reads, as HTML, as the summary does is the
    summary written again (KCRW's podcasts put one text, ``Arianna Huffington is
    away.&lt;br&gt;``, in ``<description>`` and ``<itunes:summary>``): the summary is the body
    and the copy goes, where the pane showed ``away.<br>`` (7 real stories, 2 feeds)."""
    content = _pick_content(entry)
    summary = entry.get("summary_detail")
    if (content is not None and summary is not None
            and (content.get("type") or "").lower() not in _HTML_TYPES
            and (summary.get("type") or "").lower() in _HTML_TYPES):
        text, html = content.get("value") or "", summary.get("value") or ""
        if len(html) > 2 * len(text):
            return summary, content
        if _MARKUP.search(text) and html_to_text(text) == html_to_text(html):
            return summary, None
    return content, summary


_MARKUP = re.compile(r"</?[a-zA-Z][^<>]*>")


def _fallback_key(entry: Mapping[str, Any], title: str) -> str:
    """No guid and no link: a hash of the title and the date as the feed wrote them."""
    date = entry.get("published") or _own(entry, "updated") or ""
    basis = f"{title}\0{date}"
    if not title and not date:  # nothing to tell entries apart by but their text
        basis += "\0" + str(entry.get("summary") or "")
    return "sha256:" + hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()


def _own(entry: Mapping[str, Any], key: str) -> Any:
    """``entry[key]`` if the entry has it: for feedparser's dict, whose own ``get`` answers
    ``updated_parsed`` with the published date when there is no update date."""
    return dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)


def _own_title(entry: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The entry's own title. feedparser keeps the first title of an entry in ``title`` but
    lets a later one nested deeper (``<author><title>`` after an ``<image>`` in the Google
    Cloud blog) overwrite ``title_detail``; then ``title`` is the entry's, and its type is
    guessed the way feedparser guesses it for RSS."""
    detail = entry.get("title_detail")
    title = entry.get("title")
    if detail is None or title is None or detail.get("value") == title:
        return detail
    kind = "text/html" if _FeedParserMixin.looks_like_html(title) else "text/plain"
    return {"type": kind, "value": title}


_EMAIL_AND_NAME = re.compile(
    r"\s*(?:[^\s()<>@]+@[^\s()<>@]+\s*\((?P<after>[^()]*[^\s()][^()]*)\)"
    r"|(?P<before>[^()<>@]*[^\s()<>@])\s*[(<][^\s()<>@]+@[^\s()<>@]+[)>])\s*"
)


def _author(entry: Mapping[str, Any]) -> str:
    """The author as a person reads it: the name alone where the feed gives an e-mail address
    and a name, in RSS 2.0's form (``mattt@nshipster.com (Mattt Thompson)``) or the one
    feedparser writes for Atom (``Google Testing Bloggers (noreply@blogger.com)``); the pane
    and ``show`` printed it whole (119 of the real corpus's 3,682 stories, 11 feeds). An
    address alone stays, as does anything else. feedparser's own ``author_detail`` name is not
    used: it can come from another of the entry's author elements than ``author``, and its
    address pattern cuts ``jonas@insanity.industries (Jonas Große Sundrup)`` to
    ``stries (Jonas Große Sundrup``."""
    author = clean_line(entry.get("author")) or clean_line(
        (entry.get("author_detail") or {}).get("name")
    )
    if _escaped_as_html(author):
        author = html_to_text(author)
    if "@" in author:
        match = _EMAIL_AND_NAME.fullmatch(author)
        if match:
            return (match.group("after") or match.group("before")).strip()
    return author


def entry_to_draft(entry: Mapping[str, Any], base: str | None) -> StoryDraft:
    """One feedparser entry as a story draft. Fields the entry lacks stay empty.

    ``key`` is the entry's base key (guid, link or a hash); ``entry_identity`` makes it the
    story's key, telling apart entries of one document that share it."""
    title = _detail_text(_own_title(entry), entry.get("title") or "")
    link = resolve_url(entry.get("link"), base, _HTTP)
    key = clean_line(entry.get("id")) or clean_line(entry.get("link")) or _fallback_key(
        entry, title
    )
    content, summary = _body_and_summary(entry)
    if content is not None:
        body = _detail_markdown(content, _content_base(content, base, link))
        standfirst = ""
        if summary and summary.get("value"):
            standfirst = _standfirst(summary)
            if _repeats_opening(standfirst, body):
                standfirst = ""  # the summary is the start of the content: shown once
    elif summary:
        body = _detail_markdown(summary, _content_base(summary, base, link))
        standfirst = ""
    else:
        body = standfirst = ""
    from_summary = content is None or content is entry.get("summary_detail")
    author = _author(entry)
    tags: list[str] = []
    for tag in entry.get("tags") or []:
        term = clean_line(tag.get("term") or tag.get("label"))
        if term and term not in tags:
            tags.append(term)
    return story_draft(  # StoryDraft(...) without its frozen __init__'s cost
        key=key,
        title=title,
        standfirst=standfirst,
        body=body,
        url=link,
        author=author or None,
        published=_iso(_own(entry, "published_parsed")),
        updated=_iso(_own(entry, "updated_parsed")),
        teaser=False,
        tags=tuple(tags),
        enclosures=_enclosures(entry, base),
        aliases=(),
        from_summary=from_summary,
    )


_MIME_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*")
_CLOCK = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,]\d+)?")
_SECONDS = re.compile(r"(\d+)(?:[.,]\d+)?")
_LONGEST = 10_000 * 3600
"""No episode runs 10,000 hours: a larger "duration" is a feed's mistake, not a length."""


def _enclosures(entry: Mapping[str, Any], base: str | None) -> tuple[Enclosure, ...]:
    """The entry's enclosures (RSS ``<enclosure>``, Atom ``rel="enclosure"``, JSON Feed
    attachments), each URL once and in the feed's order, with the type and size the feed
    gives. The Media RSS ``<media:content>`` of the same URL fills in what the enclosure
    leaves out (its ``duration``, ``fileSize``, ``type``), and ``<itunes:duration>`` is the
    first enclosure's playing time. Media RSS content that is not an enclosure (pictures,
    mostly) is not listed: the list, and so a story's identity, stays what it always was.

    An entry without enclosures (2,454 of the real corpus's 3,693) has none to fill in, so
    its Media RSS content is not read (its URLs are the attributes' text: resolving one
    cannot fail)."""
    listed = entry.get("enclosures")
    if not listed:
        return ()
    media: dict[str, Mapping[str, Any]] = {}
    for item in entry.get("media_content") or []:
        if isinstance(item, Mapping):
            url = resolve_url(item.get("url"), base, _HTTP)
            if url and url not in media:
                media[url] = item
    found: dict[str, Enclosure] = {}
    for enclosure in listed:
        url = resolve_url(enclosure.get("href"), base, _HTTP)
        if not url or url in found:
            continue
        extra = media.get(url, {})
        found[url] = Enclosure(
            url=url,
            type=_mime_type(enclosure.get("type")) or _mime_type(extra.get("type")),
            length=_whole(enclosure.get("length")) or _whole(extra.get("filesize"))
            or _whole(extra.get("length")),
            duration=_seconds(enclosure.get("duration")) or _seconds(extra.get("duration")),
        )
    enclosures = list(found.values())
    if enclosures and enclosures[0].duration is None:
        itunes = _seconds(entry.get("itunes_duration"))
        if itunes is not None:
            enclosures[0] = replace(enclosures[0], duration=itunes)
    return tuple(enclosures)


def _mime_type(value: Any) -> str | None:
    if value is None:  # (most often: the feed says nothing)
        return None
    text = clean_line(value if isinstance(value, str) else None).lower()
    text = text.split(";", 1)[0].strip()
    return text if _MIME_TYPE.fullmatch(text) else None


def _whole(value: Any) -> int | None:
    """A size in bytes; "0", "", a negative or a non-number say nothing."""
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else str(value) if isinstance(value, int) \
        else ""
    return int(text) if text.isdigit() and 0 < int(text) < 2 ** 53 else None


def _seconds(value: Any) -> int | None:
    """A playing time: ``1:12:03``, ``54:09`` or a number of seconds (``4323``, ``4323.5``)."""
    if value is None:
        return None
    text = value.strip() if isinstance(value, str) else str(value) \
        if isinstance(value, int | float) and not isinstance(value, bool) else ""
    clock = _CLOCK.fullmatch(text)
    if clock:
        hours, minutes, seconds = (int(part or 0) for part in clock.groups())
        total = hours * 3600 + minutes * 60 + seconds
    else:
        plain = _SECONDS.fullmatch(text)
        if plain is None:
            return None
        total = int(plain.group(1))
    return total if 0 < total < _LONGEST else None


_SAX_LOCATION = re.compile(r"^<unknown>:(\d+):(\d+): (.*)$", re.DOTALL)
_ENDS_EARLY = ("no element found", "unclosed token")
# Whitespace before the XML declaration (a template's stray newline) makes the declaration
# illegal, and feedparser then reads the whole document with its forgiving HTML-like parser.
_SPACE_BEFORE_DECLARATION = re.compile(rb"^(\xef\xbb\xbf)?[ \t\r\n]+(?=<\?xml)")


def _describe(exc: Any) -> str:
    text = clean_line(str(exc)) if exc is not None else ""
    found = _SAX_LOCATION.match(text)
    if found:
        line, column, problem = found.groups()
        if problem in _ENDS_EARLY:
            return f"the document ends before it is complete (line {line}, column {column})"
        text = f"line {line}, column {column}: {problem}"
    return text or "a problem it gives no words for"


_MAGIC = (
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data the server did not say was compressed"),
    (b"ID3", "an MP3 audio file"), (b"OggS", "an Ogg audio or video file"),
)
_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_KNOWN_ROOTS = {
    b"opml": "an OPML subscription list (import it with `reader import`)",
    b"urlset": "a sitemap", b"sitemapindex": "a sitemap index", b"svg": "an SVG image",
    b"html": "a web page",
}


def describe_document(data: bytes) -> str:
    """What a document that is not a feed is, in a few words, from its first bytes."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[4:8] in (b"ftyp", b"moov"):
        return "an MP4 audio or video file"
    head = data[:4096]
    if b"<" not in head:
        return "plain text, neither XML nor JSON"
    body = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!.*?>", b"", head, flags=re.DOTALL)
    root = _XML_ROOT.search(body)
    if root is None:
        return "not XML"
    name = root.group(2)
    known = _KNOWN_ROOTS.get(name.lower())
    shown = name.decode("ascii", "replace")
    return f"an XML document whose root element is <{shown}>" + (f": {known}" if known else "")


def _is_empty(draft: StoryDraft) -> bool:
    """Not one field to show (feedparser makes such entries out of illegally nested items)."""
    return not (draft.title or draft.body or draft.standfirst or draft.url or draft.enclosures
                or draft.author or draft.published or draft.updated or draft.tags)


def parse_feed(
    data: bytes, headers: Mapping[str, str] | None = None, url: str = "", *, fast: bool = True
) -> ParsedFeed:
    """Parse a feed document fetched from ``url`` (the base for relative links).

    JSON Feed (and RSS written as JSON) is read by ``parse_json``. A well-formed RSS or Atom
    document is read with lxml (``parse_lxml``) where that path knows every element in it,
    anything else with feedparser; ``fast=False`` reads every XML document with feedparser
    (the tests compare the two). Raises ``NotAFeedError`` for a web page and
    ``FeedParseError`` for anything else that has no entries and is not a well-formed feed.
    """
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    content_type = headers.get("content-type")
    if not data.strip():
        raise FeedParseError("the response is empty")
    location = headers.get("content-location")
    headers["content-location"] = urljoin(url, location) if location else url
    base = headers["content-location"] or None
    kind = next((kind for magic, kind in _MAGIC if data.startswith(magic)), None)
    if kind is not None:
        raise FeedParseError(f"not a feed: {kind}")
    feed: Mapping[str, Any]
    if looks_like_json(data, content_type):
        try:
            feed, entries, version = read_json_feed(data)
        except NotJsonFeedError as exc:
            raise FeedParseError(str(exc)) from None
        warnings: list[str] = []
    else:
        if looks_like_html(data, content_type) and not _is_xml(data):
            links = find_feed_links(data, url, content_type)
            raise NotAFeedError("a web page, not a feed", tuple(links))
        space = _SPACE_BEFORE_DECLARATION.match(data)
        if space:
            data = (space.group(1) or b"") + data[space.end():]
        plain = read_plain_feed(data, headers) if fast else None
        if plain is not None:
            feed, entries, version = plain["feed"], plain["entries"], plain["version"]
            warnings = _remarks(plain["remark"], entries, version, data)
        else:
            feed, entries, version, warnings = _read_with_feedparser(data, headers)
    drafts: list[StoryDraft] = []
    empty = 0
    for number, entry in enumerate(entries, 1):
        try:
            draft = entry_to_draft(entry, base)
        except Exception as exc:  # one odd entry must not cost the rest of the feed
            warnings.append(f"skipped entry {number}: it could not be read ({_describe(exc)})")
            continue
        if _is_empty(draft):
            empty += 1
        else:
            drafts.append(draft)
    keyed, duplicates = assign_keys(drafts)
    if duplicates:
        warnings.append(f"dropped {duplicates} duplicate entr{'ies' if duplicates > 1 else 'y'}"
                        " (the same guid or link and the same content as an earlier entry)")
    if empty:
        warnings.append(f"skipped {empty} empty entr{'ies' if empty > 1 else 'y'}"
                        " (not one field)")
    title = _detail_text(feed.get("title_detail"), feed.get("title") or "")
    return ParsedFeed(
        title=title,
        site_url=resolve_url(feed.get("link"), base, _HTTP),
        drafts=tuple(keyed),
        warnings=tuple(warnings),
        version=version,
        ttl=ttl_minutes(feed.get("ttl")),
        update_period=update_period(feed.get("sy_updateperiod")),
        update_frequency=update_frequency(feed.get("sy_updatefrequency")),
    )


def _read_with_feedparser(
    data: bytes, headers: dict[str, str]
) -> tuple[Mapping[str, Any], list[Any], str, list[str]]:
    """Feed fields, entries, version and warnings from feedparser, which reads anything."""
    result = feedparser.parse(
        io.BytesIO(data), response_headers=headers, sanitize_html=False,
        resolve_relative_uris=False,
    )
    entries = result.get("entries") or []
    version = result.get("version") or ""
    problem = result.get("bozo_exception") if result.get("bozo") else None
    if problem is not None and not entries and not (
        isinstance(problem, feedparser.ThingsNobodyCaresAboutButMe) and version
    ) and (b"<" not in data[:4096] or describe_document(data) == "not XML"):
        raise FeedParseError(f"not a feed: {describe_document(data)}")
    return result.get("feed") or {}, entries, version, _remarks(problem, entries, version, data)


def _remarks(problem: Any, entries: list[Any], version: str, data: bytes) -> list[str]:
    """The warnings for what feedparser remarked on (its ``bozo_exception``), or
    ``FeedParseError`` when the document, having no entries, is not a feed at all."""
    if problem is None:
        if not entries and not version:
            raise FeedParseError("not a feed: " + describe_document(data))
        return []
    reason = _describe(problem)
    # A surprising content type or declared encoding is only a remark when the document
    # still parsed as a feed; anything else without entries means it is not one.
    soft = isinstance(problem, feedparser.ThingsNobodyCaresAboutButMe) and bool(version)
    if not entries and not soft:
        raise FeedParseError(f"not a valid feed: {reason}")
    if entries and soft:
        return [f"{reason} (read anyway)"]
    if entries:
        return [f"the feed is not well-formed ({reason}); its entries were kept"]
    return []


def _is_xml(data: bytes) -> bool:
    """An XML document that merely was served as text/html still parses as a feed."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf:rdf"))


def default_title(url: str) -> str:
    """A name for a feed that gives no title: its host, which the user can see is not invented."""
    return urlsplit(url).hostname or url

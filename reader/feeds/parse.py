"""Feed bytes to stories: ``parse_feed`` turns an RSS/Atom document into ``StoryDraft``s.

Pure: bytes and response headers in, models out, so refresh can run it in a worker process and
tests can feed it golden files. A plain, well-formed RSS 2.0 or Atom 1.0 document in UTF-8 is
read with lxml (``parse_lxml``, five times cheaper, the same fields); feedparser reads every
other document. feedparser always gets the bytes wrapped in a file object, never a string it
could take for a URL or a path. Its own HTML sanitiser and URI resolver are
turned off because ``html_markdown`` does both jobs while converting, at a fraction of the cost.
A broken entry is skipped with a warning; a document with no entries and a parse error is not
a feed.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from reader.feeds.discover import FeedLink, find_feed_links, looks_like_html
from reader.feeds.html_markdown import html_to_markdown, html_to_text, resolve_url, text_to_markdown
from reader.feeds.parse_lxml import read_plain_feed
from reader.models import StoryDraft
from reader.text import clean_line

_HTTP = frozenset({"http", "https"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})
_TEXT_TYPES = frozenset({"text/plain", "text", ""})


class FeedParseError(Exception):
    """The document is not a usable feed; the message says why in a few words."""


class NotAFeedError(FeedParseError):
    """The document is a web page. ``links`` are the feeds it announces, if any."""

    def __init__(self, message: str, links: tuple[FeedLink, ...] = ()) -> None:
        super().__init__(message)
        self.links = links

    def __reduce__(self) -> tuple[Any, ...]:  # keep ``links`` across a process pool
        return (type(self), (str(self), self.links))


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What a feed document says: its title, its site and its entries as story drafts."""

    title: str
    site_url: str | None
    drafts: tuple[StoryDraft, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    version: str = ""


def _iso(value: Any) -> str | None:
    """ISO 8601 (UTC) for one of feedparser's parsed dates; None when the feed gave none."""
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC).isoformat()
    except (TypeError, ValueError, OverflowError):
        return None


def _detail_markdown(detail: Mapping[str, Any] | None, base: str | None) -> str:
    if not detail:
        return ""
    value = detail.get("value") or ""
    kind = (detail.get("type") or "").lower()
    base = detail.get("base") or base
    if kind in _HTML_TYPES:
        return html_to_markdown(value, base)
    if kind in _TEXT_TYPES:
        return text_to_markdown(value)
    return ""  # base64 or other binary content: nothing readable


def _detail_text(detail: Mapping[str, Any] | None, fallback: str = "") -> str:
    """A one-line plain text field (title, summary-as-standfirst)."""
    if not detail:
        return clean_line(fallback)
    value = detail.get("value") or ""
    if (detail.get("type") or "").lower() in _HTML_TYPES:
        return html_to_text(value)
    return clean_line(value)


def _pick_content(entry: Mapping[str, Any]) -> Mapping[str, Any] | None:
    contents = [c for c in entry.get("content") or [] if c.get("value")]
    for content in contents:
        if (content.get("type") or "").lower() in _HTML_TYPES:
            return content
    return contents[0] if contents else None


def _fallback_key(entry: Mapping[str, Any], title: str) -> str:
    """No guid and no link: a hash of the title and the date as the feed wrote them."""
    date = entry.get("published") or entry.get("updated") or ""
    basis = f"{title}\0{date}"
    if not title and not date:  # nothing to tell entries apart by but their text
        basis += "\0" + str(entry.get("summary") or "")
    return "sha256:" + hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()


def entry_to_draft(entry: dict[str, Any], base: str | None) -> StoryDraft:
    """One feedparser entry as a story draft. Fields the entry lacks stay empty."""
    title = _detail_text(entry.get("title_detail"), entry.get("title") or "")
    link = resolve_url(entry.get("link"), base, _HTTP)
    key = clean_line(entry.get("id")) or clean_line(entry.get("link")) or _fallback_key(
        entry, title
    )
    content = _pick_content(entry)
    summary = entry.get("summary_detail")
    if content is not None:
        body = _detail_markdown(content, base)
        standfirst = ""
        if summary and summary.get("value"):
            standfirst = _detail_text(summary)
            opening = html_to_text((content.get("value") or "")[: 2 * len(summary["value"]) + 200])
            if standfirst[:100] in opening:
                standfirst = ""  # the summary is the start of the content: shown once
    else:
        body = _detail_markdown(summary, base)
        standfirst = ""
    author = clean_line(entry.get("author")) or clean_line(
        (entry.get("author_detail") or {}).get("name")
    )
    tags: list[str] = []
    for tag in entry.get("tags") or []:
        term = clean_line(tag.get("term") or tag.get("label"))
        if term and term not in tags:
            tags.append(term)
    enclosures: list[str] = []
    for enclosure in entry.get("enclosures") or []:
        href = resolve_url(enclosure.get("href"), base, _HTTP)
        if href and href not in enclosures:
            enclosures.append(href)
    return StoryDraft(
        key=key,
        title=title,
        standfirst=standfirst,
        body=body,
        url=link,
        author=author or None,
        # dict.get: feedparser's own get() answers "updated" with the published date.
        published=_iso(dict.get(entry, "published_parsed")),
        updated=_iso(dict.get(entry, "updated_parsed")),
        tags=tuple(tags),
        enclosures=tuple(enclosures),
    )


_SAX_LOCATION = re.compile(r"^<unknown>:(\d+):(\d+): ")


def _describe(exc: Any) -> str:
    text = clean_line(str(exc)) if exc is not None else ""
    text = _SAX_LOCATION.sub(r"line \1, column \2: ", text)
    return text or (type(exc).__name__ if exc is not None else "unknown problem")


def parse_feed(
    data: bytes, headers: Mapping[str, str] | None = None, url: str = "", *, fast: bool = True
) -> ParsedFeed:
    """Parse a feed document fetched from ``url`` (the base for relative links).

    A plain RSS 2.0 or Atom 1.0 document in UTF-8 is read with lxml (``parse_lxml``), anything
    else with feedparser; ``fast=False`` reads everything with feedparser (the tests compare).
    Raises ``NotAFeedError`` for a web page and ``FeedParseError`` for anything else that has
    no entries and is not a well-formed feed.
    """
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    content_type = headers.get("content-type")
    if not data.strip():
        raise FeedParseError("the response is empty")
    if looks_like_html(data, content_type) and not _is_xml(data):
        links = find_feed_links(data, url, content_type)
        raise NotAFeedError("a web page, not a feed", tuple(links))
    location = headers.get("content-location")
    headers["content-location"] = urljoin(url, location) if location else url
    plain = read_plain_feed(data, content_type, headers["content-location"]) if fast else None
    if plain is not None:
        feed, entries, version = plain["feed"], plain["entries"], plain["version"]
        warnings: list[str] = []
    else:
        feed, entries, version, warnings = _read_with_feedparser(data, headers)
    base = headers["content-location"] or None
    drafts: list[StoryDraft] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, 1):
        try:
            draft = entry_to_draft(entry, base)
        except Exception as exc:  # one odd entry must not cost the rest of the feed
            warnings.append(f"skipped entry {number}: {type(exc).__name__}: {_describe(exc)}")
            continue
        if draft.key in seen:
            continue
        seen.add(draft.key)
        drafts.append(draft)
    title = _detail_text(feed.get("title_detail"), feed.get("title") or "")
    return ParsedFeed(
        title=title,
        site_url=resolve_url(feed.get("link"), base, _HTTP),
        drafts=tuple(drafts),
        warnings=tuple(warnings),
        version=version,
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
    warnings: list[str] = []
    if result.get("bozo"):
        problem = result.get("bozo_exception")
        reason = _describe(problem)
        # A surprising content type or declared encoding is only a remark when the document
        # still parsed as a feed; anything else without entries means it is not one.
        soft = isinstance(problem, feedparser.ThingsNobodyCaresAboutButMe) and bool(version)
        if not entries and not soft:
            raise FeedParseError(f"not a valid feed: {reason}")
        if entries and soft:
            warnings.append(f"{reason} (read anyway)")
        elif entries:
            warnings.append(f"the feed is not well-formed ({reason}); its entries were kept")
    elif not entries and not version:
        raise FeedParseError("not an RSS or Atom feed")
    return result.get("feed") or {}, entries, version, warnings


def _is_xml(data: bytes) -> bool:
    """An XML document that merely was served as text/html still parses as a feed."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf:rdf"))


def default_title(url: str) -> str:
    """A name for a feed that gives no title: its host, which the user can see is not invented."""
    return urlsplit(url).hostname or url

"""Plain RSS 2.0 and Atom 1.0 read with lxml's C parser, field for field as feedparser reads them.

feedparser calls a pure-Python SAX handler for every element and every run of text, which made
it the largest CPU cost of a cold refresh (0.30 ms an item, more than storing the item). Most
feeds are plain, well-formed RSS 2.0 or Atom 1.0 in UTF-8. For those, ``read_plain_feed``
builds the same feed and entry fields feedparser would (the ones ``parse`` reads), including
its quirks (a permalink guid as the link, an Atom id as the fallback link, the mis-decoded
UTF-8 repair, Windows-1252 code points), at about a tenth of the cost.

It reads only what it knows exactly. An element, attribute, encoding, DOCTYPE or nesting it
does not know, and a document lxml does not find well-formed, make it answer None, and
feedparser parses the document as before. ``tests/test_feed_parse_lxml.py`` checks that both
give the same stories for every document of feedparser's own test corpus this path accepts.
The few feedparser helpers used here are private; if they move, this path turns itself off.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

try:
    from feedparser.datetimes import _parse_date
    from feedparser.html import _cp1252
    from feedparser.mixin import _FeedParserMixin
    from feedparser.urls import ACCEPTABLE_URI_SCHEMES, _urljoin
except ImportError:  # pragma: no cover - a feedparser release that moved its internals
    _AVAILABLE = False
else:
    _AVAILABLE = True

Fields = dict[str, Any]

ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_XML_TYPES = frozenset({
    "application/rss+xml", "application/atom+xml", "application/xml", "application/rdf+xml",
    "text/xml",
})
_UTF8 = frozenset({"utf-8", "utf8"})
_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';\s]+)""", re.IGNORECASE)
_ENTITY_LIKE = re.compile("&([A-Za-z0-9_]+);")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# An absolute http(s) URL that urljoin gives back as it is: a host, then a path of plain
# characters (no query, fragment, parameters, brackets, whitespace or repeated slashes).
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.\-]+(?::[0-9]+)?(?:/[A-Za-z0-9._~!$&'()*+,=:@%/\-]*)?\Z")
_TEXT_OR_HTML = frozenset({"text/plain", "text/html"})

# Children of an RSS item and of the channel whose meaning feedparser gives nothing that
# ``parse`` reads: skipped. Anything not listed and not handled below declines the document.
_RSS_ITEM_SKIPPED = frozenset({
    "comments", "{http://wellformedweb.org/CommentAPI/}commentRss",
    "{http://wellformedweb.org/CommentAPI/}comment", "{http://purl.org/rss/1.0/modules/slash/}comments",
})
_RSS_CHANNEL_SKIPPED = frozenset({
    "description", "language", "copyright", "managingEditor", "webMaster", "pubDate",
    "lastBuildDate", "category", "generator", "docs", "ttl", "image", "skipHours", "skipDays",
    "{http://purl.org/rss/1.0/modules/syndication/}updatePeriod",
    "{http://purl.org/rss/1.0/modules/syndication/}updateFrequency",
})
_ATOM_FEED_SKIPPED = frozenset({
    ATOM + "subtitle", ATOM + "updated", ATOM + "generator", ATOM + "icon", ATOM + "logo",
    ATOM + "rights", ATOM + "category",
})
_ONCE_PER_ITEM = {  # a second one of these declines: see _Reader.fields
    "title": "title", "link": "link", "description": "description", "guid": "guid",
    "pubDate": "published", "author": "author", _DC + "creator": "author",
    _DC + "date": "updated", _CONTENT + "encoded": "content",
    ATOM + "title": "title", ATOM + "id": "guid", ATOM + "published": "published",
    ATOM + "updated": "updated", ATOM + "author": "author", ATOM + "summary": "description",
    ATOM + "content": "content",
}


class _Decline(Exception):
    """The document steps outside what this path reads exactly: feedparser reads it."""


def read_plain_feed(data: bytes, content_type: str | None, base: str) -> Fields | None:
    """``{"feed": …, "entries": […], "version": …}`` as feedparser would give them, or None.

    None means "not a plain RSS 2.0 / Atom 1.0 document in UTF-8": parse it with feedparser.
    ``base`` is the URL relative links resolve against (feedparser's content-location).
    """
    if not _AVAILABLE or not _utf8(data, content_type):
        return None
    if base and _urljoin(base, base) != base:
        return None  # feedparser would normalise the base first; rare, and not worth copying
    if base and base.strip().split(":", 1)[0] not in ACCEPTABLE_URI_SCHEMES:
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, collect_ids=False)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        return None
    try:
        if root.tag == "rss" and dict(root.attrib) == {"version": "2.0"}:
            return _Rss(base).read(root)
        if root.tag == ATOM + "feed" and not root.attrib:
            return _Atom(base).read(root)
    except _Decline:
        return None
    return None


def _utf8(data: bytes, content_type: str | None) -> bool:
    """Served as XML and written in UTF-8, with nothing for feedparser to remark on."""
    media, _, params = (content_type or "").partition(";")
    media = media.strip().lower()
    if media not in _XML_TYPES:
        return False  # none at all, or HTML or text: feedparser remarks on it
    found = _CHARSET.search(params)
    charset = found.group(1).lower() if found else ""
    if charset and charset not in _UTF8:
        return False
    if media == "text/xml" and not charset:
        return False  # RFC 3023: text/xml without a charset is US-ASCII to feedparser
    head = data[:512]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or head[:1] == b"\x00":
        return False
    declared = _DECLARED.match(head)
    return declared is None or declared.group(1).lower().decode("ascii", "replace") in _UTF8


def _attrs(element: Any) -> dict[str, str]:
    """Attributes with the names lower-cased, as feedparser sees them."""
    return {name.lower(): value for name, value in element.attrib.items()}


def _children(element: Any) -> Any:
    """Child elements, comments skipped (feedparser ignores them); a processing instruction
    or an entity reference declines the document."""
    for child in element:
        if child.tag is etree.Comment:
            continue
        if not isinstance(child.tag, str):
            raise _Decline
        yield child


def _leaf(element: Any, allowed: frozenset[str] = frozenset()) -> str:
    """The text of an element with no children, whose attributes are all in ``allowed``."""
    if len(element) or any(name.lower() not in allowed for name in element.attrib):
        raise _Decline
    return element.text or ""


def _repair(value: str) -> str:
    """feedparser's last steps for text: undo UTF-8 read as Latin-1, map Windows-1252 points."""
    if value.isascii():
        return value  # both steps leave ASCII as it is
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        value = value.encode("iso-8859-1").decode("utf-8")
    return value.translate(_cp1252)


def _date(entry: Fields, key: str, element: Any) -> None:
    """A date as written (``published``) and as feedparser reads it (``published_parsed``)."""
    value = _repair(_leaf(element).strip())
    entry[key] = value
    entry[key + "_parsed"] = _parse_date(value)


def _with_lists(entry: Fields, tags: list[Fields], enclosures: list[Fields]) -> Fields:
    """The entry with its tags and enclosures, each only when there are some (as feedparser)."""
    if tags:
        entry["tags"] = tags
    if enclosures:
        entry["enclosures"] = enclosures
    return entry


def _content_type(element: Any, default: str) -> str:
    kind = _attrs(element).get("type", default).lower()
    kind = {"text": "text/plain", "plain": "text/plain", "html": "text/html"}.get(kind, kind)
    if kind not in _TEXT_OR_HTML:
        raise _Decline  # xhtml (child elements), base64 and other types: feedparser's to read
    return kind


def _join(base: str, value: str) -> str:
    """feedparser's ``_urljoin``, skipped for a plain absolute URL, which it returns unchanged."""
    if value.startswith(("http://", "https://")) and _PLAIN_URL.match(value):
        return value
    return _urljoin(base, value)


class _Reader:
    def __init__(self, base: str) -> None:
        self.base = base

    def resolve(self, value: str) -> str:
        return _join(self.base, value) if value else value

    def detail(self, kind: str, value: str) -> Fields:
        return {"type": kind, "value": value, "base": self.base}

    @staticmethod
    def add_tag(tags: list[Fields], term: str | None, scheme: str | None,
                label: str | None) -> None:
        if not term and not scheme and not label:
            return
        tag = {"term": term, "scheme": scheme, "label": label}
        if tag not in tags:
            tags.append(tag)

    def category_text(self, tags: list[Fields], value: str) -> None:
        if not value:
            return
        if tags and not tags[-1]["term"]:
            tags[-1]["term"] = value
        else:
            self.add_tag(tags, value, None, None)

    def guid(self, context: Fields, element: Any, allowed: frozenset[str]) -> None:
        attrs = _attrs(element)
        is_link = attrs.get("ispermalink", "true") == "true"
        value = _leaf(element, allowed).strip()
        if is_link:
            value = self.resolve(value)
        value = _repair(value)
        context["id"] = value
        if is_link:
            context.setdefault("link", value)

    @staticmethod
    def fields(item: Any) -> Iterator[Any]:
        """The child elements of an item or entry, declining attributes on it and a second
        title, link, id, date, author, summary or content (feedparser keeps the first of
        some, the last of others)."""
        if item.attrib:
            raise _Decline
        seen: set[str] = set()
        for element in _children(item):
            slot = _ONCE_PER_ITEM.get(element.tag)
            if slot is not None:
                if slot in seen:
                    raise _Decline
                seen.add(slot)
            yield element


class _Rss(_Reader):
    def read(self, root: Any) -> Fields:
        channels = [child for child in root if child.tag is not etree.Comment]
        if len(channels) != 1 or channels[0].tag != "channel" or channels[0].attrib:
            raise _Decline
        feed: Fields = {}
        entries: list[Fields] = []
        seen: set[str] = set()
        for element in _children(channels[0]):
            tag = element.tag
            if tag == "item":
                entries.append(self.item(element))
            elif tag in ("title", "link"):
                if tag in seen:
                    raise _Decline
                seen.add(tag)
                value = _leaf(element).strip()
                if tag == "title":
                    kind = "text/html" if _FeedParserMixin.looks_like_html(value) else \
                        "text/plain"
                    value = _repair(value)
                    feed["title"] = value
                    feed["title_detail"] = self.detail(kind, value)
                else:
                    feed["link"] = _ENTITY_LIKE.sub(r"&\g<1>", _repair(self.resolve(value)))
            elif tag == ATOM + "link":
                attrs = _attrs(element)
                if attrs.get("rel", "").lower() not in ("self", "hub") or len(element):
                    raise _Decline  # an alternate atom:link would set the feed's link
            elif tag not in _RSS_CHANNEL_SKIPPED:
                raise _Decline
        return {"feed": feed, "entries": entries, "version": "rss20"}

    def item(self, item: Any) -> Fields:
        entry: Fields = {}
        tags: list[Fields] = []
        enclosures: list[Fields] = []
        has_content = False
        for element in self.fields(item):
            tag = element.tag
            if tag == "title":
                value = _leaf(element).strip()
                kind = "text/html" if _FeedParserMixin.looks_like_html(value) else "text/plain"
                value = _repair(value)
                entry["title"] = value
                entry["title_detail"] = self.detail(kind, value)
            elif tag == "link":
                value = _repair(self.resolve(_leaf(element).strip())).replace("&amp;", "&")
                entry["link"] = _ENTITY_LIKE.sub(r"&\g<1>", value)
            elif tag == "guid":
                self.guid(entry, element, frozenset({"ispermalink"}))
            elif tag == "description":
                if "summary" in entry and not has_content:
                    raise _Decline  # feedparser would read it as content
                value = _repair(_leaf(element).strip())
                entry["summary"] = value
                entry["summary_detail"] = self.detail("text/html", value)
            elif tag == _CONTENT + "encoded":
                has_content = True
                value = _repair(_leaf(element).strip())
                entry.setdefault("content", []).append(self.detail("text/html", value))
                entry.setdefault("summary", value)
            elif tag == "pubDate":
                _date(entry, "published", element)
            elif tag == _DC + "date":
                _date(entry, "updated", element)
            elif tag in ("author", _DC + "creator"):
                entry["author"] = _repair(_leaf(element).strip())
            elif tag == "category":
                attrs = _attrs(element)
                text = _leaf(element, frozenset({"domain"}))
                self.add_tag(tags, None, attrs.get("domain"), None)
                self.category_text(tags, _repair(text.strip()))
            elif tag == "enclosure":
                attrs = _attrs(element)
                _leaf(element, frozenset({"url", "length", "type"}))
                enclosures.append({"href": attrs["url"]} if attrs.get("url") else {})
            elif tag not in _RSS_ITEM_SKIPPED:
                raise _Decline
        return _with_lists(entry, tags, enclosures)


class _Atom(_Reader):
    def read(self, root: Any) -> Fields:
        feed: Fields = {}
        entries: list[Fields] = []
        seen: set[str] = set()
        for element in _children(root):
            tag = element.tag
            if tag == ATOM + "entry":
                entries.append(self.entry(element))
            elif tag in (ATOM + "title", ATOM + "id"):
                if tag in seen:
                    raise _Decline
                seen.add(tag)
                if tag == ATOM + "title":
                    self.title(feed, element)
                else:
                    self.guid(feed, element, frozenset())
            elif tag == ATOM + "link":
                self.link(feed, element, [])
            elif tag == ATOM + "author":
                continue  # the feed's author: nothing ``parse`` reads
            elif tag not in _ATOM_FEED_SKIPPED:
                raise _Decline
        return {"feed": feed, "entries": entries, "version": "atom10"}

    def title(self, context: Fields, element: Any) -> None:
        kind = _content_type(element, "text/plain")
        value = _repair(_leaf(element, frozenset({"type"})).strip())
        context["title"] = value
        context["title_detail"] = self.detail(kind, value)

    def link(self, context: Fields, element: Any, enclosures: list[Fields]) -> None:
        attrs = _attrs(element)
        _leaf(element, frozenset({"rel", "type", "href", "title", "hreflang", "length"}))
        if "href" not in attrs:
            raise _Decline  # feedparser would read the element's text as the link
        rel = attrs.get("rel", "alternate").lower()
        kind = attrs.get("type", "application/atom+xml" if rel == "self" else "text/html")
        kind = kind.lower()
        kind = {"html": "text/html", "xhtml": "application/xhtml+xml"}.get(kind, kind)
        href = _join(self.base or "", attrs["href"])
        if rel == "alternate" and kind in _HTML_TYPES:
            context["link"] = href
        elif rel == "enclosure":
            enclosures.append({"href": href} if href else {})

    def entry(self, item: Any) -> Fields:
        entry: Fields = {}
        tags: list[Fields] = []
        enclosures: list[Fields] = []
        for element in self.fields(item):
            tag = element.tag
            if tag == ATOM + "title":
                self.title(entry, element)
            elif tag == ATOM + "link":
                self.link(entry, element, enclosures)
            elif tag == ATOM + "id":
                self.guid(entry, element, frozenset())
            elif tag in (ATOM + "published", ATOM + "updated"):
                _date(entry, tag[len(ATOM):], element)
            elif tag in (ATOM + "summary", ATOM + "content"):
                kind = _content_type(element, "text/plain")
                value = _repair(_leaf(element, frozenset({"type"})).strip())
                if tag == ATOM + "content":
                    entry.setdefault("content", []).append(self.detail(kind, value))
                    entry.setdefault("summary", value)
                elif "summary" in entry and "content" not in entry:
                    raise _Decline
                else:
                    entry["summary"] = value
                    entry["summary_detail"] = self.detail(kind, value)
            elif tag == ATOM + "author":
                entry["author"] = self.author(element)
            elif tag == ATOM + "category":
                attrs = _attrs(element)
                text = _leaf(element, frozenset({"term", "scheme", "label"}))
                self.add_tag(tags, attrs.get("term"), attrs.get("scheme"), attrs.get("label"))
                self.category_text(tags, _repair(text.strip()))
            elif tag != ATOM + "rights":
                raise _Decline
        return _with_lists(entry, tags, enclosures)

    @staticmethod
    def author(element: Any) -> str:
        """feedparser's "name (email)", "name" or "email" (without its text repairs)."""
        if element.attrib or (element.text or "").strip() or any(
            (child.tail or "").strip() for child in element
        ):
            raise _Decline  # text of its own: feedparser would keep it as the author
        parts: dict[str, str] = {}
        for child in _children(element):
            name = child.tag[len(ATOM):] if child.tag.startswith(ATOM) else ""
            if name not in ("name", "email", "uri") or name in parts:
                raise _Decline
            parts[name] = _leaf(child).strip()
        name, email = parts.get("name"), parts.get("email")
        if name and email:
            return f"{name} ({email})"
        return name or email or ""

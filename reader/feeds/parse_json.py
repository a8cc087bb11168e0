"""JSON Feed 1.0 / 1.1 (jsonfeed.org), and RSS 2.0 written as JSON, read into feed entries.

The entries come out in the shape ``parse.entry_to_draft`` reads from feedparser (``title_detail``,
``content``, ``summary_detail``, ``published_parsed``, ``enclosures``…), so a JSON Feed story
goes through the same cleaning, HTML conversion and identity rules as an RSS or Atom one.
JSON Feed's fields map as follows: ``id`` is the guid (``url`` when an item has none, as one
real 1.1 feed does), ``url`` (else ``external_url``) the link, ``content_html`` (else
``content_text``) the body, ``summary`` the standfirst, ``date_published``/``date_modified``
the dates, ``authors`` (1.1) or ``author`` (1.0) the author, the item's or else the feed's,
``tags`` the tags and ``attachments`` the enclosures.

"RSS in JSON" is scripting.com's documented format (``{"rss": {"version": "2.0", "channel":
{…, "item": […]}}}``, read by NetNewsWire too): the same elements as RSS 2.0, as JSON keys.

A body is taken for JSON when it is served as ``application/feed+json`` or
``application/json`` (or any ``+json`` type), or when it starts with ``{``; anything that
then is not one of these two formats is refused with what it is. Bounded: a body with more
values than any feed has is refused before it is decoded (memory), and nesting deeper than
Python's recursion limit fails inside the decoder (``RecursionError``), reported as such.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from reader.stand_ins import load_feedparser

load_feedparser()
from feedparser.mixin import _FeedParserMixin  # noqa: E402

from reader.feeds.feed_dates import parse_date  # noqa: E402

Fields = dict[str, Any]

JSON_FEED_VERSIONS = {
    "https://jsonfeed.org/version/1": "json10", "http://jsonfeed.org/version/1": "json10",
    "https://jsonfeed.org/version/1.1": "json11", "http://jsonfeed.org/version/1.1": "json11",
}
JSON_TYPES = frozenset({"application/feed+json", "application/json", "text/json"})
MAX_JSON_VALUES = 2_000_000
"""Commas a JSON body may hold (an upper bound on its values): a 730-episode podcast has about
20,000, and two million short strings already take some 150 MB once decoded."""


class NotJsonFeedError(Exception):
    """The body is JSON (or was served as JSON) but not a feed; the message says what it is."""


def looks_like_json(data: bytes, content_type: str | None) -> bool:
    """A body whose first character opens a JSON object, or one served as JSON that does not
    start like XML (a feed served with the wrong type is still read as what it is)."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return True
    media = (content_type or "").split(";")[0].strip().lower()
    return (media in JSON_TYPES or media.endswith("+json")) and not head.startswith(b"<")


def _describe_json(value: Any) -> str:
    if isinstance(value, Mapping):
        names = ", ".join(sorted(str(k) for k in value)[:6])
        more = ", …" if len(value) > 6 else ""
        return f"a JSON object with the keys {names}{more}" if value else "an empty JSON object"
    kinds = {list: "a JSON array", str: "a JSON string", bool: "a JSON true/false",
             int: "a JSON number", float: "a JSON number", type(None): "JSON null"}
    return kinds.get(type(value), "a JSON value")


def read_json_feed(data: bytes) -> tuple[Fields, list[Fields], str]:
    """Feed fields, entries and version (``json10``, ``json11`` or ``rss20``) of a JSON body.

    Raises ``NotJsonFeedError`` for a body that is not JSON, or JSON that is not a feed.
    """
    if data.count(b",") > MAX_JSON_VALUES:
        raise NotJsonFeedError(f"a JSON document with more than {MAX_JSON_VALUES:,} values,"
                               " far more than any feed; not read")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise NotJsonFeedError("served as JSON, but not UTF-8 text (JSON must be)") from None
    except RecursionError:
        raise NotJsonFeedError("a JSON document nested too deeply to be a feed") from None
    except ValueError as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        where = (f" (line {exc.lineno}, column {exc.colno})"
                 if isinstance(exc, json.JSONDecodeError) else "")
        raise NotJsonFeedError(f"served as JSON, but not valid JSON: {reason}{where}") from None
    if isinstance(document, Mapping):
        version = document.get("version")
        if isinstance(version, str) and version.strip() in JSON_FEED_VERSIONS:
            return _json_feed(document, JSON_FEED_VERSIONS[version.strip()])
        if isinstance(version, str) and "jsonfeed.org/version/" in version:
            raise NotJsonFeedError(f"a JSON Feed of a version this reader does not know"
                                   f" ({version.strip()[:60]})")
        rss = document.get("rss")
        if isinstance(rss, Mapping) and isinstance(rss.get("channel"), Mapping):
            return _rss_in_json(rss["channel"])
    raise NotJsonFeedError(f"{_describe_json(document)}, not a feed")


# -- JSON Feed -------------------------------------------------------------------------------


def _string(value: Any) -> str:
    """A string field's value; anything else (a number where text belongs, an object) is
    nothing, except that an id may be a number (JSON Feed 1.0 feeds do that)."""
    if isinstance(value, str):
        return value
    return ""


def _id(value: Any) -> str:
    if isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        return str(value)
    return _string(value)


def _names(value: Any) -> list[str]:
    """Author names of an ``authors`` list or a single ``author`` object."""
    people = value if isinstance(value, list) else [value]
    names = []
    for person in people:
        if isinstance(person, Mapping):
            name = _string(person.get("name")).strip()
            if name and name not in names:
                names.append(name)
    return names


def _date(entry: Fields, key: str, value: Any) -> None:
    text = _string(value).strip()
    if text:
        entry[key] = text
        entry[key + "_parsed"] = parse_date(text)


def _detail(kind: str, value: str) -> Fields:
    return {"type": kind, "value": value, "base": None}


def _json_feed(document: Mapping[str, Any], version: str) -> tuple[Fields, list[Fields], str]:
    feed: Fields = {}
    title = _string(document.get("title"))
    if title:
        feed["title"] = title
        feed["title_detail"] = _title_detail(title)
    home = _string(document.get("home_page_url"))
    if home:
        feed["link"] = home
    feed_authors = _names(document.get("authors") or document.get("author"))
    items = document.get("items")
    if not isinstance(items, list):
        raise NotJsonFeedError("a JSON Feed without a list of items")
    entries = [_json_item(item, feed_authors) for item in items if isinstance(item, Mapping)]
    return feed, entries, version


def _json_item(item: Mapping[str, Any], feed_authors: list[str]) -> Fields:
    entry: Fields = {}
    url = _string(item.get("url")) or _string(item.get("external_url"))
    if url:
        entry["link"] = url
    guid = _id(item.get("id"))
    if guid:
        entry["id"] = guid
    title = _string(item.get("title"))
    if title:
        entry["title"] = title
        entry["title_detail"] = _title_detail(title)
    html, text = _string(item.get("content_html")), _string(item.get("content_text"))
    if html or text:
        entry["content"] = [_detail("text/html", html) if html else _detail("text/plain", text)]
    summary = _string(item.get("summary"))
    if summary:
        entry["summary"] = summary
        entry["summary_detail"] = _detail("text/plain", summary)
    _date(entry, "published", item.get("date_published"))
    _date(entry, "updated", item.get("date_modified"))
    authors = _names(item.get("authors") or item.get("author")) or feed_authors
    if authors:
        entry["author"] = ", ".join(authors)
    tags = item.get("tags")
    if isinstance(tags, list):
        entry["tags"] = [{"term": tag} for tag in tags if isinstance(tag, str)]
    attachments = item.get("attachments")
    if isinstance(attachments, list):
        entry["enclosures"] = [
            {"href": _string(a.get("url")), "type": _string(a.get("mime_type")),
             "length": a.get("size_in_bytes"), "duration": a.get("duration_in_seconds")}
            for a in attachments if isinstance(a, Mapping) and _string(a.get("url"))
        ]
    return entry


# -- RSS 2.0 written as JSON -----------------------------------------------------------------


def _value(value: Any) -> str:
    """An element's text: a string, or ``#value`` of an element that has attributes."""
    if isinstance(value, Mapping):
        value = value.get("#value")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return _string(value)


def _many(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if value is not None else []


def _title_detail(text: str) -> Fields:
    """A title as feedparser reads an RSS one: plain text unless it looks like HTML (a closing
    tag it knows, or a character reference), which the story's text then decodes.

    JSON Feed's titles are plain text by its spec, but the real ones are escaped as the sites'
    HTML is: WordPress and Ghost write ``Add Task &amp; Sub Tasks``, ``&#8216;Jokes&#8217;``,
    ``Blog &#8211; InfluxData`` (3 of the real corpus's 12 JSON Feeds; NetNewsWire decodes
    them too). Read as plain text, those references were shown as written."""
    kind = "text/html" if _FeedParserMixin.looks_like_html(text) else "text/plain"
    return _detail(kind, text)


def _rss_title_and_link(element: Mapping[str, Any]) -> Fields:
    """The title and link of a channel or an item, each only where it has text."""
    fields: Fields = {}
    title = _value(element.get("title")).strip()
    if title:
        fields["title"] = title
        fields["title_detail"] = _title_detail(title)
    link = _value(element.get("link")).strip()
    if link:
        fields["link"] = link
    return fields


def _rss_in_json(channel: Mapping[str, Any]) -> tuple[Fields, list[Fields], str]:
    feed = _rss_title_and_link(channel)
    entries = [_rss_item(item) for item in _many(channel.get("item")) if isinstance(item, Mapping)]
    return feed, entries, "rss20"


def _rss_item(item: Mapping[str, Any]) -> Fields:
    entry = _rss_title_and_link(item)
    guid = item.get("guid")
    guid_text = _value(guid).strip()
    if guid_text:
        entry["id"] = guid_text
        permalink = not (isinstance(guid, Mapping)
                         and _string(guid.get("isPermaLink")).lower() == "false")
        if permalink:
            entry.setdefault("link", guid_text)
    description = _value(item.get("description")).strip()
    if description:
        entry["summary"] = description
        entry["summary_detail"] = _detail("text/html", description)
    _date(entry, "published", item.get("pubDate"))
    author = _value(item.get("author")).strip()
    if author:
        entry["author"] = author
    entry["tags"] = [{"term": _value(c).strip()} for c in _many(item.get("category"))
                     if _value(c).strip()]
    entry["enclosures"] = [{"href": _string(e.get("url")), "type": _string(e.get("type")),
                            "length": e.get("length")}
                           for e in _many(item.get("enclosure"))
                           if isinstance(e, Mapping) and _string(e.get("url"))]
    return entry

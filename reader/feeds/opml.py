"""OPML 2.0 subscription lists: ``read_opml`` and ``write_opml``, and ``read_opml_file``.

Pure, like parsing: bytes in, ``OpmlFeed``s out, and back (``read_opml_file`` reads the bytes
first, with the 10 MB cap enforced while reading, and reads a newsboat ``urls`` file as well:
``reader.feeds.newsboat_urls``). Nested outline folders become a
feed's group ("News/Tech"). Reading checks the whole document before anything is returned,
so an unreadable or invalid file changes nothing in the cache.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from email.utils import formatdate
from pathlib import Path

from reader.feeds.html_markdown import resolve_url
from reader.feeds.newsboat_urls import looks_like_urls_file, read_urls_file
from reader.files import LocalFileError, read_bounded
from reader.records import record
from reader.text import clean_line

_HTTP = frozenset({"http", "https"})
GROUP_SEPARATOR = "/"
MAX_OPML_BYTES = 10 * 1024 * 1024


class OpmlError(Exception):
    """The file is not an OPML subscription list we can read; the message says why."""


@record
class OpmlFeed:
    """One subscription: its feed URL, the title the list gives it, its site and folder."""

    url: str
    title: str = ""
    site_url: str | None = None
    group: str | None = None


def read_opml_file(path: Path) -> tuple[list[OpmlFeed], list[str]]:
    """``read_opml`` of a file named by the user (or newsboat's ``urls`` file's feeds, when
    it is one): a regular file, or a pipe such as
    ``/dev/stdin`` or a shell's ``<(...)``; anything larger than 10 MB (``/dev/zero``, a sparse
    1 GB file) is refused having read at most that much."""
    try:
        data = read_bounded(path, MAX_OPML_BYTES, streams=True)
    except FileNotFoundError:
        raise OpmlError("no such file") from None
    except LocalFileError as exc:
        raise OpmlError(f"{exc}; not an OPML subscription list"
                        if str(exc).startswith("it is larger") else str(exc)) from None
    if not data.strip():
        raise OpmlError("the file is empty")
    if looks_like_urls_file(data):
        entries, warnings = read_urls_file(data)
        return [OpmlFeed(e.url, e.title, group=e.group) for e in entries], warnings
    return read_opml(data)


def read_opml(data: bytes) -> tuple[list[OpmlFeed], list[str]]:
    """The feeds of an OPML document, and a warning for each outline that was skipped."""
    if len(data) > MAX_OPML_BYTES:
        raise OpmlError("the file is larger than 10 MB; not an OPML subscription list")
    try:
        root = ET.fromstring(data)  # expat: no external entities, entity expansion limited
    except ET.ParseError as exc:
        raise OpmlError(f"not valid XML ({exc})") from None
    if root.tag != "opml":
        raise OpmlError(f"not OPML (the document is <{clean_line(root.tag)[:40]}>)")
    body = root.find("body")
    if body is None:
        raise OpmlError("OPML without a <body>")
    feeds: list[OpmlFeed] = []
    warnings: list[str] = []
    seen: set[str] = set()

    def walk(element: ET.Element, folders: tuple[str, ...]) -> None:
        for outline in element.findall("outline"):
            title = clean_line(outline.get("title") or outline.get("text"))
            raw_url = outline.get("xmlUrl") or outline.get("xmlurl")
            if raw_url is None:
                walk(outline, (*folders, title) if title else folders)
                continue
            url = resolve_url(raw_url, None, _HTTP)
            if url is None:
                warnings.append(f"skipped {title or 'an outline'}: {clean_line(raw_url)!r} "
                                "is not an http(s) feed URL")
                continue
            if url in seen:
                continue
            seen.add(url)
            feeds.append(OpmlFeed(
                url=url,
                # OPML needs a text: with no name of its own a feed's is its URL, and that is
                # no title to keep over the one the feed gives on its first refresh.
                title="" if title in (raw_url.strip(), url) else title,
                site_url=resolve_url(outline.get("htmlUrl"), None, _HTTP),
                group=GROUP_SEPARATOR.join(folders) or None,
            ))

    walk(body, ())
    return feeds, warnings


def write_opml(feeds: Iterable[OpmlFeed], title: str = "reader subscriptions") -> bytes:
    """An OPML 2.0 document with feeds in folders by group (in the order given)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = formatdate(usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}

    def folder(path: tuple[str, ...]) -> ET.Element:
        if path not in folders:
            parent = folder(path[:-1])
            folders[path] = ET.SubElement(parent, "outline", text=path[-1], title=path[-1])
        return folders[path]

    for feed in feeds:
        path = tuple(p for p in (feed.group or "").split(GROUP_SEPARATOR) if p)
        attrs = {"type": "rss", "text": feed.title or feed.url, "title": feed.title or feed.url,
                 "xmlUrl": feed.url}
        if feed.site_url:
            attrs["htmlUrl"] = feed.site_url
        ET.SubElement(folder(path), "outline", attrs)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"

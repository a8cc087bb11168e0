"""Finding a site's feed when the user gives the address of a web page.

Pages announce their feeds with ``<link rel="alternate" type="application/rss+xml" href=...>``
in the head. This module only reads the page's bytes (no network), so it is tested on plain
strings; ``reader add`` fetches the chosen link.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from reader.feeds.html_markdown import resolve_url
from reader.feeds.parsed import FEED_TYPES, FeedLink
from reader.feeds.parsed import choose_feed_link as choose_feed_link  # (its old home)
from reader.text import clean_line

_HTTP = frozenset({"http", "https"})
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head)\b",
    re.IGNORECASE | re.DOTALL,
)
_XML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<\?xml", re.IGNORECASE)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def looks_like_html(data: bytes, content_type: str | None = None) -> bool:
    """True for a web page: by its first bytes, or by its type when those say nothing."""
    head = data[:2048]
    if _HTML_START.match(head):
        return True
    if _XML_START.match(head):
        return False
    return (content_type or "").split(";")[0].strip().lower() in ("text/html",
                                                                   "application/xhtml+xml")


def _decode(data: bytes, content_type: str | None) -> str:
    match = _CHARSET.search(content_type or "") or _META_CHARSET.search(data[:4096])
    charset = match.group(1) if match else "utf-8"
    if isinstance(charset, bytes):
        charset = charset.decode("ascii", "replace")
    try:
        return data.decode(charset, "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


class _EndOfHead(Exception):
    pass


class _LinkFinder(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.links: list[FeedLink] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            raise _EndOfHead
        values = {k: (v or "") for k, v in attrs}
        if tag == "base" and values.get("href"):
            self.base = resolve_url(values["href"], self.base, _HTTP) or self.base
        if tag != "link":
            return
        rel = values.get("rel", "").lower().split()
        kind = values.get("type", "").split(";")[0].strip().lower()
        if "alternate" not in rel or kind not in FEED_TYPES:
            return
        url = resolve_url(values.get("href"), self.base, _HTTP)
        if url and all(link.url != url for link in self.links):
            self.links.append(FeedLink(url, kind, clean_line(values.get("title"))))

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            raise _EndOfHead


def find_feed_links(data: bytes, base_url: str, content_type: str | None = None) -> list[FeedLink]:
    """Every feed the page announces in its head, in page order, with absolute URLs."""
    finder = _LinkFinder(base_url)
    try:
        finder.feed(_decode(data, content_type))
        finder.close()
    except _EndOfHead:
        pass
    except Exception:  # a page too broken to read has no usable links, not a crash
        pass
    return finder.links

"""A web page's main text as sanitised Markdown: readability-lxml, then our own converter.

readability-lxml (Apache-2.0) finds the block of the page that holds the article and returns
it as HTML; ``html_to_markdown`` then keeps only what it knows to be safe (no ``javascript:``
links, no scripts, no tracking pixels, no terminal escapes), exactly as for feed HTML. No
library's own Markdown or text output is trusted.

Measured on the 181 pages of ``../shared/extraction/`` through this path (``python -m
benchmarks.extraction``): readability-lxml F1 0.951, trafilatura 0.945, both about 20-30 ms a
page on the shared 2-core machine; readability-lxml needs 3 small packages where trafilatura
brings a dozen (babel alone is 36 MB) and imports in 0.2 s instead of 0.7 s.
"""

from __future__ import annotations

import codecs
import logging
import re

from reader.feeds.html_markdown import html_to_markdown, parse_attrs
from reader.records import record
from reader.text import markdown_to_plain

MIN_ARTICLE_WORDS = 40
"""Fewer words than this is a cookie wall, an error page or a stub, not an article: the
shortest human-marked article body of the 181 benchmark pages has 66 words."""
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

_WORD = re.compile(r"\w+")
_IMAGE = re.compile(r"!\[((?:\\.|[^\]\\])*)\]\([^)\s]*\)")
_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\([^)\s]*\)")
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|p|div|article)\b",
    re.IGNORECASE | re.DOTALL,
)

_IMG_TAG = re.compile(r"<img\b([^<>]*)>", re.IGNORECASE)
_PIXEL_SIZE = re.compile(r"\s*([01])(?:px)?\s*$")

# readability logs every page it cannot parse with a traceback; a refresh reports the reason
# itself, and a log line on stderr would land in the middle of the app's screen.
_readability_log = logging.getLogger("readability")
_readability_log.addHandler(logging.NullHandler())
_readability_log.propagate = False


class ExtractionError(Exception):
    """The page has no article text to save; the message says why, for the reading pane."""


@record
class Article:
    """A page's main text: sanitised Markdown, and how many words it has."""

    markdown: str
    words: int


def plain_text(markdown: str) -> str:
    """The words of our stored Markdown as a reader sees them: link and image targets dropped,
    an image's alt text kept (the pane shows it), backslash escapes undone."""
    text = _IMAGE.sub(r"\1", markdown)
    text = _LINK.sub(r"\1", text)
    return markdown_to_plain(text)


def count_words(text: str) -> int:
    """Word tokens (``\\w+``), the unit the extraction benchmark and the summary test count."""
    return sum(1 for _ in _WORD.finditer(text))


def media_type(content_type: str | None) -> str:
    """``text/html`` of ``text/html; charset=utf-8``; "" when not given."""
    return (content_type or "").partition(";")[0].strip().lower()


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    """True for an HTML page: by its declared type, or (no type given) by how it starts."""
    kind = media_type(content_type)
    if kind:
        return kind in HTML_TYPES
    return _HTML_START.match(body[:2048]) is not None


def _charset(content_type: str | None, body: bytes) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8"
    found = _META_CHARSET.search(body[:4096])
    return found.group(1).decode("ascii") if found else None


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """The page as text: the charset the server or the page declares, else UTF-8, else
    windows-1252 (what browsers assume for an undeclared legacy page)."""
    declared = _charset(content_type, body)
    if declared:
        try:
            return body.decode(codecs.lookup(declared).name, errors="replace")
        except LookupError:
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def _is_pixel(match: re.Match[str]) -> bool:
    attrs = {name: value or "" for name, value in parse_attrs(match.group(1))}
    if any(_PIXEL_SIZE.match(attrs.get(name, "x")) for name in ("width", "height")):
        return True
    style = attrs.get("style", "").replace(" ", "").lower()
    return "display:none" in style or "width:1px" in style or "height:1px" in style


def drop_tracking_pixels(page: str) -> str:
    """The page without its 1×1 and hidden images. readability-lxml drops ``width``, ``height``
    and ``style`` from what it keeps, so our converter could no longer tell a pixel from a
    picture: they are taken out first."""
    return _IMG_TAG.sub(lambda m: "" if _is_pixel(m) else m.group(0), page)


def main_html(page: str, url: str | None = None) -> str:
    """The article block of a page as HTML (readability-lxml); "" when it finds none."""
    from readability import Document  # ~0.2 s to import: only when a page is extracted
    from readability.readability import Unparseable

    try:
        return str(Document(drop_tracking_pixels(page), url=url).summary(html_partial=True))
    except (Unparseable, ValueError, TypeError) as exc:
        raise ExtractionError(f"the page could not be read as HTML ({exc or 'empty'})") from None
    except Exception as exc:  # lxml's own errors; a bad page must never stop a refresh
        raise ExtractionError(
            f"the page could not be read as HTML ({type(exc).__name__})"
        ) from None


def extract_article(page: str, url: str | None = None, *,
                    min_words: int = MIN_ARTICLE_WORDS) -> Article:
    """The page's main text as sanitised Markdown, links and images resolved against ``url``.

    Raises ``ExtractionError`` when there is no article text of at least ``min_words``.
    """
    if not page.strip():
        raise ExtractionError("the page is empty")
    markdown = html_to_markdown(main_html(page, url), url)
    words = count_words(plain_text(markdown))
    if words < min_words:
        raise ExtractionError("no article text found in the page")
    return Article(markdown, words)

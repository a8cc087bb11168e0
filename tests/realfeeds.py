"""The real corpus for tests: 198 captured feeds, as a reader receives them, and feedparser's
count of their distinct entries.

The documents come from ``../shared/realfeeds/`` (or ``READER_REALFEEDS``); a missing folder
fails the test that asks, it never skips it. Each document comes with the content type the
benchmark's server sends for it (``benchmarks.realfeeds``), already un-gzipped as a client
receives the one capture stored compressed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from typing import Any

import feedparser
from shared_data import shared_folder

from benchmarks.realfeeds import TRUNCATED, document, files

__all__ = ["TRUNCATED", "RealDocument", "distinct_entries", "documents",
           "feedparser_distinct_entries", "feedparser_entries"]


@dataclass(frozen=True)
class RealDocument:
    name: str
    body: bytes
    content_type: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": self.content_type}

    @property
    def url(self) -> str:
        return f"http://realfeeds.example/real/{self.name}"

    @property
    def is_json(self) -> bool:
        return "json" in self.content_type


@cache
def documents() -> tuple[RealDocument, ...]:
    """Every document of the real corpus, by name (fails the test if the corpus is missing)."""
    where = shared_folder("realfeeds")
    found = []
    for path in files(where):
        served = document(path.read_bytes())
        found.append(RealDocument(path.name, served.body, served.content_type))
    return tuple(found)


def _distinct(entry: Any) -> tuple[Any, ...]:
    contents = tuple(c.get("value") for c in entry.get("content") or [])
    enclosures = tuple(e.get("href") for e in entry.get("enclosures") or [])
    return (entry.get("id"), entry.get("link"), entry.get("title"), entry.get("published"),
            dict.get(entry, "updated"), entry.get("summary"), contents, enclosures)


def distinct_entries(entries: Any) -> int:
    """How many of feedparser's ``entries`` differ in something a reader shows (see below)."""
    seen = {_distinct(entry) for entry in entries}
    seen.discard((None, None, None, None, None, None, (), ()))
    return len(seen)


def feedparser_entries(doc: RealDocument) -> list[Any]:
    """Plain feedparser's entries of a document, read as the reader's own fallback reads it:
    without cleaning the HTML or resolving relative links (half the CPU of its defaults: 3.1 s
    instead of 6.1 s over the corpus). How many of them are distinct is kept for
    ``feedparser_distinct_entries``."""
    result = feedparser.parse(io.BytesIO(doc.body), response_headers={
        "content-type": doc.content_type, "content-location": doc.url},
        sanitize_html=False, resolve_relative_uris=False)
    _DISTINCT[doc.name] = distinct_entries(result.entries)
    return list(result.entries)


_DISTINCT: dict[str, int] = {}
"""``distinct_entries`` of each document feedparser has read in this process."""


def feedparser_distinct_entries(doc: RealDocument) -> int:
    """How many entries plain feedparser finds that differ in something a reader shows (id,
    link, title, dates, summary, content, enclosures). Entries with none of these (feedparser's
    artefacts of illegally nested items) are not counted: there is nothing in them to keep.

    Cleaning can only make two entries alike, so reading without it never raises the count;
    over the 197 real documents the two readings give the same count, document by document
    (checked 2026-12-01). Read once per process: ``test_realfeeds_corpus``'s corpus test
    reads every document (``feedparser_entries``), and its loopback tests, in the same file
    and so the same process, count from that reading (3 s of CPU not spent twice)."""
    if doc.name not in _DISTINCT:
        feedparser_entries(doc)
    return _DISTINCT[doc.name]

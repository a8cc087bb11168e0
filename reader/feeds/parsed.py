"""What a parse hands back, light enough for the process that only receives it.

A refresh parses in worker processes (``reader.refresh.parse_workers``) and gets each result
back as a pickle: to unpickle a ``ParsedFeed``, a ``FeedParseError`` or a ``NotAFeedError`` with
its ``FeedLink``s, the refreshing process needs these classes, not the parser. They live here,
apart from ``parse`` and ``discover`` (which import lxml, feedparser and html.parser: ~100 M
instructions), so that ``reader refresh`` can leave the parse stack to its workers' zygote
(``reader.refresh.zygote``). ``parse`` and ``discover`` still export every name.
"""

from __future__ import annotations

from dataclasses import field
from typing import Any

from reader.models import StoryDraft
from reader.records import record
from reader.schedule import feed_asks_every

FEED_TYPES = {
    "application/rss+xml": "RSS",
    "application/atom+xml": "Atom",
    "application/rdf+xml": "RSS 1.0",
    "application/feed+json": "JSON Feed",
}
"""Link types that announce a feed. Plain ``application/json`` is left out on purpose:
WordPress announces its REST API with it on every page, and that is not a feed."""


@record
class FeedLink:
    """One feed a page links to."""

    url: str
    type: str
    title: str = ""

    @property
    def kind(self) -> str:
        return FEED_TYPES.get(self.type, self.type)

    def describe(self) -> str:
        named = f"{self.title!r} " if self.title else ""
        return f"{named}({self.kind}) at {self.url}"


def _is_comments_feed(link: FeedLink) -> bool:
    text = f"{link.title} {link.url}".lower()
    return "comment" in text


def choose_feed_link(links: list[FeedLink]) -> FeedLink | None:
    """The page's main feed: the first one that is not a comments feed, else the first."""
    if not links:
        return None
    return sorted(links, key=_is_comments_feed)[0]


class FeedParseError(Exception):
    """The document is not a usable feed; the message says why in a few words."""


class NotAFeedError(FeedParseError):
    """The document is a web page. ``links`` are the feeds it announces, if any."""

    def __init__(self, message: str, links: tuple[FeedLink, ...] = ()) -> None:
        super().__init__(message)
        self.links = links

    def __reduce__(self) -> tuple[Any, ...]:  # keep ``links`` across a process pool
        return (type(self), (str(self), self.links))


@record
class ParsedFeed:
    """What a feed document says: its title, its site and its entries as story drafts.

    ``ttl`` (RSS ``<ttl>``, minutes), ``update_period`` and ``update_frequency`` (RSS 1.0's
    ``sy:`` module) are how often the feed asks to be fetched at most (``reader.schedule``).
    """

    title: str
    site_url: str | None
    drafts: tuple[StoryDraft, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    version: str = ""
    ttl: int | None = None
    update_period: str | None = None
    update_frequency: int | None = None

    @property
    def asks_every(self) -> float | None:
        """Seconds the document asks readers to wait between fetches (None: nothing)."""
        return feed_asks_every(self.ttl, self.update_period, self.update_frequency)

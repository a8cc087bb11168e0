"""The one small interface every sync protocol implements, and the data it speaks.

A protocol module (``fever``, ``ttrss``; the Google Reader API or Miniflux's REST API would be
more of them) turns a server's JSON into these frozen types and raises only ``SyncError``s, so
the engine that writes the cache never sees a protocol's quirks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from reader.records import record

Flag = Literal["read", "starred"]


class SyncError(Exception):
    """A sync that cannot go on; the message is the one line the user sees."""


class AuthError(SyncError):
    """The server refused the username or password (or has API access turned off)."""


class BadAnswer(SyncError):
    """The server answered something that is not what its protocol says."""


class NotSupported(SyncError):
    """The protocol cannot do this (e.g. subscribe through the Fever API)."""


@record
class ServerInfo:
    """What ``reader sync --check`` reports: the server, and how much it holds."""

    service: str
    version: str
    feeds: int
    unread: int


@record
class RemoteFeed:
    """A subscription on the server; ``group`` is its folder/category, if any."""

    id: str
    title: str
    url: str
    site_url: str | None = None
    group: str | None = None


@record
class RemoteItem:
    """One item (article) on the server, as the protocol gave it.

    ``html`` and ``title`` are the server's HTML; ``guid`` is the entry's own id when the
    server tells it (Tiny Tiny RSS stores a hash of it: ``{"ver":2,...,"hash":"SHA1:..."}``).
    """

    id: str
    feed_id: str
    title: str
    html: str
    url: str | None
    author: str | None
    published: float | None
    read: bool
    starred: bool
    guid: str | None = None
    tags: tuple[str, ...] = ()
    enclosures: tuple[str, ...] = ()


@record
class ItemPage:
    """Items after a cursor: ``cursor`` is where the next page starts; ``more`` says whether
    to ask for one."""

    items: tuple[RemoteItem, ...]
    cursor: int
    more: bool


@record
class MarkState:
    """The ids of every unread and every starred item on the server."""

    unread: frozenset[str]
    starred: frozenset[str]


@record
class Mark:
    """One local mark to send: item ``item_id``'s ``flag`` set to ``value``."""

    item_id: str
    flag: Flag
    value: bool


class SyncService(Protocol):
    """A feed server's API. Every method may raise ``SyncError`` (never anything else)."""

    name: str
    can_subscribe: bool

    def check(self) -> ServerInfo:
        """Log in and say what the server is and holds."""
        ...

    def prefetch(self, cursor: int) -> None:
        """Where the protocol can answer several reads in one request (Fever), ask now for
        the subscriptions, ``items_since(cursor)`` and ``mark_state``; else do nothing."""
        ...

    def subscriptions(self) -> list[RemoteFeed]:
        """Every subscription, with its group."""
        ...

    def items_since(self, cursor: int) -> ItemPage:
        """One page of items newer than ``cursor`` (0: from the first)."""
        ...

    def items_with_ids(self, ids: Sequence[str]) -> list[RemoteItem]:
        """The items with these ids (those the server still has)."""
        ...

    def mark_state(self) -> MarkState:
        """Which items are unread and which starred, now."""
        ...

    def send_marks(self, marks: Sequence[Mark]) -> set[str]:
        """Send ``marks`` in order; return the ids of items the server no longer has (their
        marks are dropped). Raises ``SyncError`` when the server did not take them."""
        ...

    def subscribe(self, url: str) -> RemoteFeed:
        """Subscribe on the server (raises ``NotSupported`` where the protocol cannot)."""
        ...

    def unsubscribe(self, feed_id: str) -> None:
        """Unsubscribe on the server (raises ``NotSupported`` where the protocol cannot)."""
        ...

    def close(self) -> None:
        """Log out (where the protocol has sessions) and close the connection."""
        ...

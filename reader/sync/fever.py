"""The Fever API: what FreshRSS, Miniflux, Tiny Tiny RSS (with its plugin) and coldsweat serve.

Every call is a POST to ``sync.url`` with ``?api&...`` naming what to return and the form field
``api_key`` = md5("username:password"), so there is no session. Several reads fit in one
request, which is how a sync of an unchanged server is one request (``prefetch``). Items come
50 at a time after ``since_id``; marks go one item per request (the API has no batch form),
over one keep-alive connection. Subscriptions are read-only: subscribing happens on the server.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from reader.sync.http import JsonClient, expect
from reader.sync.service import (
    AuthError,
    BadAnswer,
    ItemPage,
    Mark,
    MarkState,
    NotSupported,
    RemoteFeed,
    RemoteItem,
    ServerInfo,
    SyncError,
)

PAGE = 50
"""Items per answer, as the API defines it."""

_AS = {("read", True): "read", ("read", False): "unread",
       ("starred", True): "saved", ("starred", False): "unsaved"}


class FeverService:
    """A Fever API endpoint (``url`` is the endpoint itself, e.g. ``.../api/fever.php``)."""

    name = "fever"
    can_subscribe = False

    def __init__(self, url: str, username: str, password: str, timeout: float = 30.0,
                 client: JsonClient | None = None) -> None:
        self.url = url
        self.http = client or JsonClient(url, timeout)
        self.server = self.http.server
        self._key = hashlib.md5(f"{username}:{password}".encode()).hexdigest()
        self._prefetched: dict[str, Any] | None = None
        self._prefetched_cursor: int | None = None

    # -- requests ---------------------------------------------------------------------------

    def _call(self, query: str, form: dict[str, str] | None = None) -> tuple[int, Any]:
        joiner = "&" if "?" in self.url else "?"
        status, answer = self.http.post(f"{self.url}{joiner}api{query}",
                                        data={"api_key": self._key, **(form or {})})
        if status == 404 and form is None:
            raise SyncError(f"no Fever API at {self.url} (HTTP 404): check sync.url")
        if answer is None:
            return status, None
        if not isinstance(answer, dict):
            raise BadAnswer(f"the Fever server {self.server} sent a malformed answer")
        if answer.get("auth") != 1:
            raise AuthError(f"the Fever server {self.server} refused the login: check"
                            " sync.username and the password")
        return status, answer

    def _read(self, query: str) -> dict[str, Any]:
        status, answer = self._call(query)
        if answer is None or status >= 400:
            raise SyncError(f"the Fever server {self.server} answered HTTP {status}")
        return dict(answer)

    # -- the interface ----------------------------------------------------------------------

    def check(self) -> ServerInfo:
        answer = self._read("&feeds&unread_item_ids")
        feeds = expect(answer.get("feeds", []), list, "feed list", self.server)
        unread = _ids(answer.get("unread_item_ids", ""), "unread item list", self.server)
        version = answer.get("api_version")
        return ServerInfo(service="Fever API", version=str(version) if version else "?",
                          feeds=len(feeds), unread=len(unread))

    def prefetch(self, cursor: int) -> None:
        """Ask for subscriptions, the first page of new items and the marks in one request;
        the next ``subscriptions``, ``items_since(cursor)`` and ``mark_state`` use it."""
        self._prefetched = self._read(
            f"&groups&feeds&unread_item_ids&saved_item_ids&items&since_id={int(cursor)}"
        )
        self._prefetched_cursor = cursor

    def _take(self, key: str, query: str) -> dict[str, Any]:
        if self._prefetched is not None and key in self._prefetched:
            answer = self._prefetched
            self._prefetched = {k: v for k, v in answer.items() if k != key}
            return answer
        return self._read(query)

    def subscriptions(self) -> list[RemoteFeed]:
        answer = self._take("feeds", "&groups&feeds")
        groups = {str(g.get("id")): _text(g.get("title"))
                  for g in _dicts(answer.get("groups", []), "group list", self.server)}
        group_of: dict[str, str] = {}
        for link in _dicts(answer.get("feeds_groups", []), "feed group list", self.server):
            name = groups.get(str(link.get("group_id")))
            for feed_id in _ids(link.get("feed_ids", ""), "feed group list", self.server):
                if name and feed_id not in group_of:
                    group_of[feed_id] = name
        feeds: list[RemoteFeed] = []
        for raw in _dicts(answer.get("feeds", []), "feed list", self.server):
            feed_id = _id(raw.get("id"), "feed", self.server)
            feeds.append(RemoteFeed(
                id=feed_id, title=_text(raw.get("title")), url=_text(raw.get("url")),
                site_url=_text(raw.get("site_url")) or None, group=group_of.get(feed_id),
            ))
        return feeds

    def items_since(self, cursor: int) -> ItemPage:
        if self._prefetched_cursor == cursor and self._prefetched is not None \
                and "items" in self._prefetched:
            answer = self._take("items", "")
        else:
            answer = self._read(f"&items&since_id={int(cursor)}")
        items = self._items(answer)
        top = max((int(item.id) for item in items), default=cursor)
        return ItemPage(items=tuple(items), cursor=max(top, cursor), more=top > cursor)

    def items_with_ids(self, ids: Sequence[str]) -> list[RemoteItem]:
        found: list[RemoteItem] = []
        for start in range(0, len(ids), PAGE):
            chunk = ",".join(str(int(i)) for i in ids[start:start + PAGE])
            found += self._items(self._read(f"&items&with_ids={chunk}"))
        return found

    def mark_state(self) -> MarkState:
        answer = self._take("unread_item_ids", "&unread_item_ids&saved_item_ids")
        if "saved_item_ids" not in answer:
            answer = {**answer, **self._read("&saved_item_ids")}
        return MarkState(
            unread=frozenset(_ids(answer.get("unread_item_ids", ""), "unread item list",
                                  self.server)),
            starred=frozenset(_ids(answer.get("saved_item_ids", ""), "saved item list",
                                   self.server)),
        )

    def send_marks(self, marks: Sequence[Mark]) -> set[str]:
        gone: set[str] = set()
        for mark in marks:
            status, _answer = self._call("", {"mark": "item", "as": _AS[mark.flag, mark.value],
                                              "id": str(int(mark.item_id))})
            if status == 404:  # coldsweat: no such item any more
                gone.add(mark.item_id)
            elif status >= 400:
                raise SyncError(f"the Fever server {self.server} refused a mark"
                                f" (HTTP {status})")
        return gone

    def subscribe(self, url: str) -> RemoteFeed:
        raise NotSupported("the Fever API cannot subscribe: subscribe to "
                           f"{url} on the server ({self.server}), then run 'reader sync'")

    def unsubscribe(self, feed_id: str) -> None:
        raise NotSupported("the Fever API cannot unsubscribe: unsubscribe on the server"
                           f" ({self.server}), then run 'reader sync'")

    def close(self) -> None:
        self.http.close()

    # -- reading answers ----------------------------------------------------------------------

    def _items(self, answer: dict[str, Any]) -> list[RemoteItem]:
        items: list[RemoteItem] = []
        for raw in _dicts(answer.get("items", []), "item list", self.server):
            created = raw.get("created_on_time")
            published = float(created) if isinstance(created, (int, float)) \
                and not isinstance(created, bool) and 0 < created < 1e11 else None
            items.append(RemoteItem(
                id=_id(raw.get("id"), "item", self.server),
                feed_id=_id(raw.get("feed_id"), "item", self.server),
                title=_text(raw.get("title")), html=_text(raw.get("html")),
                url=_text(raw.get("url")) or None, author=_text(raw.get("author")) or None,
                published=published, read=_flag(raw.get("is_read")),
                starred=_flag(raw.get("is_saved")),
            ))
        return items


def _dicts(value: Any, what: str, server: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    rows = expect(value, list, what, server)
    for row in rows:
        expect(row, dict, what, server)
    return rows


def _id(value: Any, what: str, server: str) -> str:
    """Ids are integers; some servers send them as strings of digits."""
    if isinstance(value, str) and value.strip().isdigit():
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    raise BadAnswer(f"the Fever server {server} sent a malformed {what} id")


def _ids(value: Any, what: str, server: str) -> list[str]:
    """A comma-separated list of ids (the API's form), or a JSON list of them."""
    if value is None or value == "":
        return []
    parts = value.split(",") if isinstance(value, str) else value
    if not isinstance(parts, list):
        raise BadAnswer(f"the Fever server {server} sent a malformed {what}")
    return [_id(part, what, server) for part in parts if str(part).strip()]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value) \
        if isinstance(value, (int, float)) else ""


def _flag(value: Any) -> bool:
    return value in (1, True, "1", "true")

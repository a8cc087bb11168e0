"""The Tiny Tiny RSS JSON API (API level 15 and later).

Every call is a JSON POST to ``<sync.url>/api/`` with ``op`` naming the method and ``sid`` the
session from ``login``; a lapsed session is renewed once. Headlines come 200 at a time after
``since_id``, newest first, so a page is taken with ``skip`` until a short one and the cursor
moves to the highest id only when the last page is in (a sync stopped half-way starts the
same pages again; stories already stored are recognised). ``updateArticle`` marks many items
in one request. The API cannot say which marks changed since a time, so the unread and starred
ids are listed (200 per request, without content). Content is asked for unsanitised: the
reader converts and cleans every item's HTML itself (as for a fetched feed), and the server's
sanitiser took more than half of each page's time (the 5,000-item test: 24.6 s, then
10.0 s). Subscribing and unsubscribing work.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reader.sync.http import JsonClient, expect
from reader.sync.service import (
    AuthError,
    BadAnswer,
    ItemPage,
    Mark,
    MarkState,
    RemoteFeed,
    RemoteItem,
    ServerInfo,
    SyncError,
)

MIN_API_LEVEL = 15
PAGE = 200
"""Headlines per request: the most the server gives."""
ALL_ARTICLES = -4
STARRED = -1
FIELD = {"read": 2, "starred": 0}
"""``updateArticle``'s field numbers: 2 is ``unread`` (so a read mark sets it false)."""
_SUBSCRIBE_CODES = {
    2: "the server says the URL is not valid (Tiny Tiny RSS refuses local addresses)",
    3: "the server found a web page with no feed at the URL",
    4: "the server found several feeds at the URL: give the feed's own address",
    5: "the server could not download the URL",
    6: "the server could not read the URL as a feed",
    7: "the server could not store the subscription",
}


def api_url(url: str) -> str:
    """``sync.url`` may be the Tiny Tiny RSS address or its ``api/`` address."""
    base = url.rstrip("/")
    return base + "/" if base.endswith("/api") else base + "/api/"


class TtrssService:
    """A Tiny Tiny RSS server, reached as ``username`` (who needs API access enabled)."""

    name = "ttrss"
    can_subscribe = True

    def __init__(self, url: str, username: str, password: str, timeout: float = 30.0,
                 client: JsonClient | None = None) -> None:
        self.url = api_url(url)
        self.http = client or JsonClient(self.url, timeout)
        self.server = self.http.server
        self._username = username
        self._password = password
        self._sid: str | None = None
        self.api_level = 0
        self._paging: tuple[int, int, int] | None = None  # (cursor, skip, highest id seen)
        self._paged: set[str] = set()  # the ids the pages of this cursor brought so far

    # -- requests ---------------------------------------------------------------------------

    def _post(self, body: dict[str, Any]) -> tuple[int, Any]:
        status, answer = self.http.post(self.url, json_body=body)
        if answer is None:
            raise SyncError(f"no Tiny Tiny RSS API at {self.url} (HTTP {status}): check"
                            " sync.url")
        if not isinstance(answer, dict) or "content" not in answer:
            raise BadAnswer(f"the Tiny Tiny RSS server {self.server} sent a malformed answer")
        return int(answer.get("status") or 0), answer["content"]

    def _login(self) -> None:
        status, content = self._post({"op": "login", "user": self._username,
                                      "password": self._password})
        if status != 0:
            error = content.get("error") if isinstance(content, dict) else None
            if error == "API_DISABLED":
                raise AuthError(f"API access is off for {self._username!r} on"
                                f" {self.server}: turn on 'Enable API' in its preferences")
            raise AuthError(f"the Tiny Tiny RSS server {self.server} refused the login:"
                            " check sync.username and the password")
        content = expect(content, dict, "login answer", self.server)
        sid = content.get("session_id")
        level = content.get("api_level")
        if not isinstance(sid, str) or not sid:
            raise BadAnswer(f"the Tiny Tiny RSS server {self.server} sent no session")
        self.api_level = level if isinstance(level, int) and not isinstance(level, bool) else 0
        if self.api_level < MIN_API_LEVEL:
            raise SyncError(f"the Tiny Tiny RSS server {self.server} has API level"
                            f" {self.api_level}; level {MIN_API_LEVEL} or later is needed")
        self._sid = sid

    def _call(self, op: str, **params: Any) -> Any:
        """Call ``op`` in the session (logging in first, and again once if it lapsed)."""
        for attempt in range(2):
            if self._sid is None:
                self._login()
            status, content = self._post({"op": op, "sid": self._sid, **params})
            if status == 0:
                return content
            error = content.get("error") if isinstance(content, dict) else None
            if error == "NOT_LOGGED_IN" and attempt == 0:
                self._sid = None
                continue
            if error == "API_DISABLED":
                raise AuthError(f"API access is off for {self._username!r} on {self.server}")
            raise SyncError(f"the Tiny Tiny RSS server {self.server} refused {op}:"
                            f" {_short(error)}")
        raise SyncError(f"the Tiny Tiny RSS server {self.server} keeps ending the session")

    # -- the interface ----------------------------------------------------------------------

    def check(self) -> ServerInfo:
        version = self._call("getVersion")
        unread = self._call("getUnread")
        feeds = self._feeds()
        version_text = version.get("version") if isinstance(version, dict) else None
        count = unread.get("unread") if isinstance(unread, dict) else None
        return ServerInfo(
            service=f"Tiny Tiny RSS (API level {self.api_level})",
            version=_short(version_text),
            feeds=len(feeds),
            unread=int(count) if isinstance(count, (int, str)) and str(count).isdigit() else 0,
        )

    def prefetch(self, cursor: int) -> None:
        """Nothing to combine: the API answers one method per request."""

    def _feeds(self) -> list[dict[str, Any]]:
        return _dicts(self._call("getFeeds", cat_id=-3), "feed list", self.server)

    def subscriptions(self) -> list[RemoteFeed]:
        categories = {
            _int(c.get("id"), "category", self.server): _text(c.get("title"))
            for c in _dicts(self._call("getCategories", include_empty=True),
                            "category list", self.server)
        }
        feeds: list[RemoteFeed] = []
        for raw in self._feeds():
            category = raw.get("cat_id")
            group = categories.get(category) if isinstance(category, int) and category > 0 \
                else None
            feeds.append(RemoteFeed(
                id=str(_int(raw.get("id"), "feed", self.server)),
                title=_text(raw.get("title")), url=_text(raw.get("feed_url")),
                group=group or None,
            ))
        return feeds

    def items_since(self, cursor: int) -> ItemPage:
        if self._paging is None or self._paging[0] != cursor:
            self._paging = (cursor, 0, cursor)
            self._paged = set()
        _, skip, top = self._paging
        rows = self._headlines(ALL_ARTICLES, since_id=cursor, skip=skip, show_content=True,
                               include_attachments=True, sanitize=False)
        items = [self._item(row) for row in rows]
        top = max([top, *(int(item.id) for item in items)])
        fresh = {item.id for item in items} - self._paged
        self._paged |= fresh
        if len(rows) >= PAGE and fresh:  # a server repeating a page must not keep us paging
            self._paging = (cursor, skip + len(rows), top)
            return ItemPage(items=tuple(items), cursor=cursor, more=True)
        self._paging = None
        self._paged = set()
        return ItemPage(items=tuple(items), cursor=top, more=False)

    def items_with_ids(self, ids: Sequence[str]) -> list[RemoteItem]:
        found: list[RemoteItem] = []
        for start in range(0, len(ids), PAGE):
            chunk = ",".join(str(int(i)) for i in ids[start:start + PAGE])
            for raw in _dicts(self._call("getArticle", article_id=chunk), "article list",
                              self.server):
                found.append(self._item(raw))
        return found

    def mark_state(self) -> MarkState:
        return MarkState(
            unread=frozenset(self._ids(ALL_ARTICLES, view_mode="unread")),
            starred=frozenset(self._ids(STARRED, view_mode="all_articles")),
        )

    def _ids(self, feed_id: int, view_mode: str) -> set[str]:
        ids: set[str] = set()
        skip = 0
        while True:
            rows = self._headlines(feed_id, view_mode=view_mode, skip=skip, show_content=False)
            before = len(ids)
            ids.update(str(_int(row.get("id"), "headline", self.server)) for row in rows)
            if len(rows) < PAGE or len(ids) == before:  # the last page, or one seen already
                return ids
            skip += len(rows)

    def _headlines(self, feed_id: int, **params: Any) -> list[dict[str, Any]]:
        params.setdefault("view_mode", "all_articles")
        return _dicts(self._call("getHeadlines", feed_id=feed_id, limit=PAGE, **params),
                      "headline list", self.server)

    def send_marks(self, marks: Sequence[Mark]) -> set[str]:
        gone: set[str] = set()
        start = 0
        while start < len(marks):
            end = start + 1
            while (end < len(marks) and end - start < PAGE
                   and (marks[end].flag, marks[end].value) == (marks[start].flag,
                                                               marks[start].value)):
                end += 1
            run = marks[start:end]
            ids = list(dict.fromkeys(str(int(m.item_id)) for m in run))
            first = run[0]
            mode = int(not first.value) if first.flag == "read" else int(first.value)
            answer = self._call("updateArticle", article_ids=",".join(ids), mode=mode,
                                field=FIELD[first.flag])
            updated = answer.get("updated") if isinstance(answer, dict) else None
            if not isinstance(updated, int) or updated < len(ids):
                gone |= set(ids) - {item.id for item in self.items_with_ids(ids)}
            start = end
        return gone

    def subscribe(self, url: str) -> RemoteFeed:
        answer = self._call("subscribeToFeed", feed_url=url, category_id=0)
        status = answer.get("status") if isinstance(answer, dict) else None
        code = status.get("code") if isinstance(status, dict) else status
        if code not in (0, 1):
            reason = _SUBSCRIBE_CODES.get(code if isinstance(code, int) else -1,
                                          f"the server refused it (code {_short(code)})")
            raise SyncError(f"cannot subscribe to {url} on {self.server}: {reason}")
        for feed in self.subscriptions():
            if feed.url == url:
                return feed
        raise SyncError(f"{self.server} accepted {url} but does not list it")

    def unsubscribe(self, feed_id: str) -> None:
        try:
            self._call("unsubscribeFeed", feed_id=int(feed_id))
        except AuthError:
            raise
        except SyncError as exc:
            if "FEED_NOT_FOUND" not in str(exc):
                raise

    def close(self) -> None:
        try:
            if self._sid is not None:
                self._post({"op": "logout", "sid": self._sid})
        except SyncError:
            pass  # the session lapses by itself on the server
        finally:
            self._sid = None
            self.http.close()

    # -- reading answers ----------------------------------------------------------------------

    def _item(self, raw: dict[str, Any]) -> RemoteItem:
        updated = raw.get("updated")
        published = float(updated) if isinstance(updated, (int, float)) \
            and not isinstance(updated, bool) and 0 < updated < 1e11 else None
        tags = raw.get("tags")
        attachments = raw.get("attachments")
        return RemoteItem(
            id=str(_int(raw.get("id"), "headline", self.server)),
            feed_id=str(_int(raw.get("feed_id", 0), "headline", self.server)),
            title=_text(raw.get("title")), html=_text(raw.get("content")),
            url=_text(raw.get("link")) or None, author=_text(raw.get("author")) or None,
            published=published, read=not _flag(raw.get("unread")),
            starred=_flag(raw.get("marked")), guid=_text(raw.get("guid")) or None,
            tags=tuple(t for t in tags if isinstance(t, str) and t.strip())
            if isinstance(tags, list) else (),
            enclosures=tuple(
                a["content_url"] for a in attachments
                if isinstance(a, dict) and isinstance(a.get("content_url"), str)
            ) if isinstance(attachments, list) else (),
        )


def _dicts(value: Any, what: str, server: str) -> list[dict[str, Any]]:
    rows = expect(value, list, what, server)
    for row in rows:
        expect(row, dict, what, server)
    return rows


def _int(value: Any, what: str, server: str) -> int:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise BadAnswer(f"the Tiny Tiny RSS server {server} sent a malformed {what} id")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _flag(value: Any) -> bool:
    return value in (True, 1, "1", "t", "true")


def _short(value: Any) -> str:
    text = " ".join(str(value).split()) if value is not None else "no reason given"
    return "".join(ch for ch in text if ch.isprintable())[:120]

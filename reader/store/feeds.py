"""Feed rows in the cache: subscribing, finding, removing, and recording each refresh.

Kept apart from ``connection.py`` so the story store stays about stories. ``record_refresh``
writes a feed's new and changed stories and its outcome (status, error, validators, new URL,
retry time) in one short ``BEGIN IMMEDIATE`` transaction: another process reading the cache
sees the feed before or after, never half of it. Nothing here deletes a story except
``remove_feed`` (the user's explicit wish) and the opt-in retention pruning of old read,
unstarred stories that the feed no longer carries.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from reader.models import LoadReport, Source, StoryDraft
from reader.store.connection import Store, StoreError

FEED = "feed"


class FeedNotFound(StoreError):
    pass


class AlreadySubscribed(StoreError):
    pass


@dataclass(frozen=True, slots=True)
class FeedState:
    """What a refresh needs to know of one feed before fetching it."""

    id: int
    name: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class Subscription:
    """A feed as a subscription list (OPML) describes it."""

    id: int
    name: str
    url: str
    site_url: str | None
    group: str | None


@dataclass(frozen=True, slots=True)
class FeedUpdate:
    """What one refresh learned about a feed, written by ``record_refresh`` in one go.

    ``status`` is ``ok`` (``drafts`` are the feed's entries), ``not_modified`` or ``error``.
    ``url`` is the feed's new address after a permanent redirect.
    """

    status: str
    error: str | None = None
    title: str | None = None
    site_url: str | None = None
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None
    gone: bool = False
    drafts: tuple[StoryDraft, ...] = field(default_factory=tuple)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def feed_sources(store: Store) -> list[Source]:
    """Every feed with its story and unread counts and its last outcome, by name."""
    return [s for s in store.sources() if s.kind == FEED]


def feed_states(store: Store, ids: Sequence[int] | None = None) -> list[FeedState]:
    """The feeds to refresh: all of them, or those with the given ids, in name order."""
    rows = store.conn.execute(
        "SELECT id, name, url, etag, last_modified, retry_after, disabled FROM sources"
        " WHERE kind = 'feed' ORDER BY name COLLATE NOCASE"
    ).fetchall()
    wanted = set(ids) if ids is not None else None
    return [
        FeedState(id=r[0], name=r[1], url=r[2] or "", etag=r[3], last_modified=r[4],
                  retry_after=r[5], disabled=bool(r[6]))
        for r in rows
        if wanted is None or r[0] in wanted
    ]


def subscriptions(store: Store) -> list[Subscription]:
    rows = store.conn.execute(
        "SELECT id, name, url, site_url, group_name FROM sources WHERE kind = 'feed'"
        " ORDER BY group_name COLLATE NOCASE NULLS FIRST, name COLLATE NOCASE"
    ).fetchall()
    return [Subscription(r[0], r[1], r[2] or "", r[3], r[4]) for r in rows]


def find_feed(store: Store, ref: str) -> Source:
    """The feed named by ``ref``: its id (as ``reader feeds`` shows), URL or name."""
    ref = ref.strip()
    sources = store.sources()
    match: Source | None = None
    if ref.isdigit():
        match = next((s for s in sources if s.id == int(ref)), None)
    if match is None:
        row = store.conn.execute(
            "SELECT id FROM sources WHERE url = ? OR key = ? ORDER BY kind = 'feed' DESC",
            (ref, ref),
        ).fetchone()
        if row is not None:
            match = next((s for s in sources if s.id == row[0]), None)
    if match is None:
        named = [s for s in sources if s.name == ref] or [
            s for s in sources if s.name.casefold() == ref.casefold()
        ]
        match = named[0] if len(named) == 1 else None
    if match is None:
        raise FeedNotFound(f"no feed {ref!r} (see 'reader feeds' for ids and URLs)")
    if match.kind != FEED:
        raise FeedNotFound(f"{match.name!r} is a folder of articles, not a feed")
    return match


def subscribed_as(store: Store, url: str) -> str | None:
    """The name of the feed already subscribed at ``url``, if any."""
    row = store.conn.execute(
        "SELECT name FROM sources WHERE kind = 'feed' AND (url = ? OR key = ?)", (url, url)
    ).fetchone()
    return str(row[0]) if row else None


def add_feed(
    store: Store, url: str, name: str, *, user_title: bool = False, group: str | None = None,
    site_url: str | None = None,
) -> int:
    """Subscribe to ``url``; raises ``AlreadySubscribed`` if it is already a feed."""
    with store.transaction():
        existing = subscribed_as(store, url)
        if existing is not None:
            raise AlreadySubscribed(f"already subscribed to {url} as {existing!r}")
        feed_id = store.ensure_source(FEED, url, name, url=url, group=group,
                                      user_title=user_title)
        if site_url:
            store.conn.execute("UPDATE sources SET site_url = ? WHERE id = ?",
                               (site_url, feed_id))
    return feed_id


def remove_feed(store: Store, feed_id: int) -> int:
    """Unsubscribe; the feed's stories go with it. Returns how many stories were removed."""
    with store.transaction() as conn:
        count = int(conn.execute("SELECT count(*) FROM stories WHERE source_id = ?",
                                 (feed_id,)).fetchone()[0])
        deleted = conn.execute("DELETE FROM sources WHERE id = ? AND kind = 'feed'", (feed_id,))
        if deleted.rowcount == 0:
            raise FeedNotFound(f"no feed with id {feed_id}")
    return count


def record_refresh(
    store: Store, feed_id: int, update: FeedUpdate, *, retention_days: int | None = None,
    now: float | None = None, index_later: bool = False,
) -> tuple[LoadReport, int]:
    """Write one refresh of one feed in one transaction; returns (stories report, pruned).

    With ``index_later`` its new stories wait for ``Store.index_pending`` to join the search
    index, which a refresh of many feeds calls once for many of them.
    """
    now = time.time() if now is None else now
    checked = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
    report = LoadReport()
    pruned = 0
    with store.transaction() as conn:
        row = conn.execute(
            "SELECT name, user_title, disabled FROM sources WHERE id = ? AND kind = 'feed'",
            (feed_id,),
        ).fetchone()
        if row is None:
            raise FeedNotFound(f"the feed with id {feed_id} was removed during the refresh")
        name, user_title, disabled = row
        success = update.status in ("ok", "not_modified")
        if update.status == "ok":
            report = store.save_stories(feed_id, update.drafts, index_later=index_later)
            if update.title and not user_title and update.title != name:
                name = store._unique_name(update.title, exclude_id=feed_id)
            conn.execute(
                "UPDATE sources SET name = ?, site_url = coalesce(?, site_url) WHERE id = ?",
                (name, update.site_url, feed_id),
            )
            if retention_days is not None:
                pruned = _prune(store, feed_id, {d.key for d in update.drafts},
                                now - retention_days * 86400)
        if update.status == "ok":  # the validators of the document just stored, or none
            conn.execute("UPDATE sources SET etag = ?, last_modified = ? WHERE id = ?",
                         (update.etag, update.last_modified, feed_id))
        elif success:  # a 304 need not repeat them: keep the stored ones unless renewed
            conn.execute(
                "UPDATE sources SET etag = coalesce(?, etag),"
                " last_modified = coalesce(?, last_modified) WHERE id = ?",
                (update.etag, update.last_modified, feed_id),
            )
        if success and update.url:
            conn.execute("UPDATE sources SET url = ? WHERE id = ?", (update.url, feed_id))
        conn.execute(
            "UPDATE sources SET last_checked = ?, last_status = ?, last_error = ?,"
            " retry_after = ?, disabled = ? WHERE id = ?",
            (checked, update.status, update.error, update.retry_after,
             1 if update.gone else 0 if success else disabled, feed_id),
        )
    return report, pruned


def _prune(store: Store, feed_id: int, current_keys: set[str], before: float) -> int:
    """Delete read, unstarred stories older than ``before`` that the feed no longer carries.

    Stories still in the feed stay: deleting them would bring them back as unread next time.
    """
    rows = store.conn.execute(
        "SELECT s.rowid, s.key FROM stories s JOIN story_state st ON st.story = s.rowid"
        " WHERE s.source_id = ? AND st.read = 1 AND st.starred = 0"
        " AND s.added < ? AND s.sort_ts < ?",
        (feed_id, before, before),
    ).fetchall()
    doomed = [(rowid,) for rowid, key in rows if key not in current_keys]
    store.conn.executemany("DELETE FROM stories WHERE rowid = ?", doomed)
    return len(doomed)

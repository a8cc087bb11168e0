"""Feed rows in the cache: subscribing, finding, removing, and recording each refresh.

Kept apart from ``stories.py`` so that module stays about stories. ``record_refresh``
writes a feed's new and changed stories and its outcome (status, error, validators, new URL,
retry time) in one short ``BEGIN IMMEDIATE`` transaction: another process reading the cache
sees the feed before or after, never half of it. Nothing here deletes a story except
``remove_feed`` (the user's explicit wish) and the opt-in retention pruning of old read,
unstarred stories that the feed no longer carries.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from reader.models import FeedFailed, FeedFetched, FeedUpdate, LoadReport, Source, SourceKind
from reader.records import record
from reader.schedule import is_due, next_due
from reader.store.connection import Database
from reader.store.decide import StoredFeed, decide_feed
from reader.store.errors import AlreadySubscribed, FeedNotFound
from reader.store.sources import ensure_source, list_sources, unique_name
from reader.store.stories import save_stories

if TYPE_CHECKING:
    from reader.filters import SourceScreen

FEED: SourceKind = "feed"

__all__ = [
    "AlreadySubscribed", "FeedNotFound", "FeedState", "FeedUpdate", "Subscription", "add_feed",
    "feed_name", "feed_sources", "feed_states", "find_feed", "group_feed_ids", "group_names",
    "record_refresh", "record_refresh_named", "remove_feed", "rename_feed", "rename_group",
    "set_group", "set_interval", "subscribed_as", "subscriptions",
]


@record
class FeedState:
    """What a refresh needs to know of one feed before fetching it."""

    id: int
    name: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None
    disabled: bool = False
    last_checked: str | None = None
    """When a refresh last recorded the feed (ISO time); a feed a refresh skipped keeps its
    older time, so the next refresh, which starts with the least recently checked, tries it
    first."""
    next_due: float | None = None
    """When an automatic refresh may fetch it again (``reader.schedule``; None: at once)."""


@record
class Subscription:
    """A feed as a subscription list (OPML) describes it."""

    id: int
    name: str
    url: str
    site_url: str | None
    group: str | None


def feed_sources(db: Database) -> list[Source]:
    """Every feed with its story and unread counts and its last outcome, by name."""
    return [s for s in list_sources(db) if s.kind == FEED]


def feed_states(db: Database, ids: Sequence[int] | None = None, *,
                due_at: float | None = None) -> list[FeedState]:
    """The feeds to refresh: all of them, or those with the given ids, in name order; with
    ``due_at`` (a time: an automatic refresh) only those due then (``schedule.is_due``)."""
    rows = db.conn.execute(
        "SELECT id, name, url, etag, last_modified, retry_after, disabled, last_checked,"
        " next_due FROM sources WHERE kind = 'feed'"
        " AND id NOT IN (SELECT source_id FROM sync_sources)"  # the sync server fetches those
        " ORDER BY name COLLATE NOCASE"
    ).fetchall()
    wanted = set(ids) if ids is not None else None
    return [
        FeedState(id=r[0], name=r[1], url=r[2] or "", etag=r[3], last_modified=r[4],
                  retry_after=r[5], disabled=bool(r[6]), last_checked=r[7], next_due=r[8])
        for r in rows
        if (wanted is None or r[0] in wanted) and (due_at is None or is_due(r[8], due_at))
    ]


def feed_name(db: Database, feed_id: int) -> str:
    """The feed's name now (a refresh may have renamed it); empty if it is gone."""
    row = db.conn.execute("SELECT name FROM sources WHERE id = ?", (feed_id,)).fetchone()
    return str(row[0]) if row else ""


def subscriptions(db: Database) -> list[Subscription]:
    """Every feed as OPML lists it: by group, then by name."""
    rows = db.conn.execute(
        "SELECT id, name, url, site_url, group_name FROM sources WHERE kind = 'feed'"
        " ORDER BY group_name COLLATE NOCASE NULLS FIRST, name COLLATE NOCASE"
    ).fetchall()
    return [Subscription(r[0], r[1], r[2] or "", r[3], r[4]) for r in rows]


def find_feed(db: Database, ref: str) -> Source:
    """The feed named by ``ref``: its id (as ``reader feeds`` shows), URL or name."""
    ref = ref.strip()
    sources = list_sources(db)
    match: Source | None = None
    if ref.isdigit():
        match = next((s for s in sources if s.id == int(ref)), None)
    if match is None:
        row = db.conn.execute(
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


def subscribed_as(db: Database, url: str) -> str | None:
    """The name of the feed already subscribed at ``url``, if any."""
    row = db.conn.execute(
        "SELECT name FROM sources WHERE kind = 'feed' AND (url = ? OR key = ?)", (url, url)
    ).fetchone()
    return str(row[0]) if row else None


def add_feed(
    db: Database, url: str, name: str, *, user_title: bool = False, group: str | None = None,
    site_url: str | None = None,
) -> int:
    """Subscribe to ``url``; raises ``AlreadySubscribed`` if it is already a feed."""
    with db.transaction():
        existing = subscribed_as(db, url)
        if existing is not None:
            raise AlreadySubscribed(f"already subscribed to {url} as {existing!r}")
        feed_id = ensure_source(db, FEED, url, name, url=url, group=group,
                                user_title=user_title)
        if site_url:
            db.conn.execute("UPDATE sources SET site_url = ? WHERE id = ?",
                               (site_url, feed_id))
    return feed_id


def remove_feed(db: Database, feed_id: int) -> int:
    """Unsubscribe; the feed's stories go with it. Returns how many stories were removed."""
    with db.transaction() as conn:
        count = int(conn.execute("SELECT count(*) FROM stories WHERE source_id = ?",
                                 (feed_id,)).fetchone()[0])
        deleted = conn.execute("DELETE FROM sources WHERE id = ? AND kind = 'feed'", (feed_id,))
        if deleted.rowcount == 0:
            raise FeedNotFound(f"no feed with id {feed_id}")
    return count


def record_refresh(
    db: Database, feed_id: int, update: FeedUpdate, *, retention_days: int | None = None,
    now: float | None = None, index_later: bool = False, screen: SourceScreen | None = None,
) -> tuple[LoadReport, int]:
    """Write one refresh of one feed in one transaction; returns (stories report, pruned).

    ``decide.decide_feed`` says what the outcome changes on the feed's row. With
    ``index_later`` its new stories wait for ``index_pending`` to join the search index, which
    a refresh of many feeds calls once for many of them. ``screen`` holds the filters new
    stories are matched against (``reader.filters``), under the feed's name after this refresh.
    """
    report, pruned, _name = record_refresh_named(db, feed_id, update,
                                                 retention_days=retention_days, now=now,
                                                 index_later=index_later, screen=screen)
    return report, pruned


def record_refresh_named(
    db: Database, feed_id: int, update: FeedUpdate, *, retention_days: int | None = None,
    now: float | None = None, index_later: bool = False, screen: SourceScreen | None = None,
) -> tuple[LoadReport, int, str]:
    """``record_refresh``, and the feed's name after it (a refresh may rename it): the
    refresh's writer reports it without reading the row again.

    The feed's row is written by one UPDATE at the end (its columns are the ones the separate
    statements for the schedule, the name, the validators, the address and the outcome wrote:
    each of those statements cost a prepare-free but whole UPDATE of the row, five a feed)."""
    now = time.time() if now is None else now
    checked = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
    report = LoadReport()
    pruned = 0
    with db.transaction() as conn:
        row = conn.execute(
            "SELECT name, user_title, disabled, interval, feed_every FROM sources"
            " WHERE id = ? AND kind = 'feed'",
            (feed_id,),
        ).fetchone()
        if row is None:
            raise FeedNotFound(f"the feed with id {feed_id} was removed during the refresh")
        intent = decide_feed(StoredFeed(row[0], bool(row[1]), bool(row[2])), update)
        # When an automatic refresh may fetch it again (the document's ask is kept through a
        # 304 or a failure: it is still the document the feed last gave).
        feed_every = update.asks_every if isinstance(update, FeedFetched) else row[4]
        fresh = None if isinstance(update, FeedFailed) else update.fresh_until
        due = next_due(now, interval=row[3], feed_every=feed_every, fresh=fresh,
                       retry_after=intent.retry_after)
        sets = "feed_every = ?, fresh_until = ?, next_due = ?"
        values: list[object] = [feed_every, fresh, due]
        name = row[0]
        if isinstance(update, FeedFetched):
            verdict = None if screen is None else screen.for_source(intent.rename_to or row[0])
            report = save_stories(db, feed_id, update.drafts, index_later=index_later,
                                  verdict=verdict, columns=update.columns)
            if intent.rename_to is not None:
                name = unique_name(db, intent.rename_to, exclude_id=feed_id)
            sets += ", name = ?, site_url = coalesce(?, site_url)"
            values += (name, intent.site_url)
            if retention_days is not None:
                pruned = _prune(db, feed_id, {d.key for d in update.drafts},
                                now - retention_days * 86400)
        if intent.validators is not None:
            sets += ", etag = ?, last_modified = ?"
            values += intent.validators
        elif intent.keep_validators is not None:
            sets += ", etag = coalesce(?, etag), last_modified = coalesce(?, last_modified)"
            values += intent.keep_validators
        if intent.url:
            sets += ", url = ?"
            values.append(intent.url)
        conn.execute(
            f"UPDATE sources SET {sets}, last_checked = ?, last_status = ?, last_error = ?,"
            " retry_after = ?, disabled = ? WHERE id = ?",
            (*values, checked, intent.status, intent.error, intent.retry_after,
             int(intent.disabled), feed_id),
        )
    return report, pruned, name


def _prune(db: Database, feed_id: int, current_keys: set[str], before: float) -> int:
    """Delete read, unstarred stories older than ``before`` that the feed no longer carries.

    Stories still in the feed stay: deleting them would bring them back as unread next time.
    """
    rows = db.conn.execute(
        "SELECT s.rowid, s.key FROM stories s JOIN story_state st ON st.story = s.rowid"
        " WHERE s.source_id = ? AND st.read = 1 AND st.starred = 0"
        " AND s.added < ? AND s.sort_ts < ?",
        (feed_id, before, before),
    ).fetchall()
    doomed = [(rowid,) for rowid, key in rows if key not in current_keys]
    db.conn.executemany("DELETE FROM stories WHERE rowid = ?", doomed)
    return len(doomed)


# -- a person's changes to a feed (``reader edit``, the sources screen) ----------------------


def rename_feed(db: Database, feed_id: int, title: str) -> str:
    """Give the feed the person's own name (kept on refresh; made unique); returns it."""
    wanted = title.strip()
    if not wanted:
        raise ValueError("a title cannot be empty")
    with db.transaction() as conn:
        name = unique_name(db, wanted, exclude_id=feed_id)
        conn.execute("UPDATE sources SET name = ?, user_title = 1 WHERE id = ? AND kind = 'feed'",
                     (name, feed_id))
    return name


def set_group(db: Database, feed_id: int, group: str | None) -> None:
    """Move the feed into the folder ``group`` (made by naming it), or out of any (None)."""
    with db.transaction() as conn:
        conn.execute("UPDATE sources SET group_name = ? WHERE id = ? AND kind = 'feed'",
                     (group.strip() if group and group.strip() else None, feed_id))


def group_names(db: Database) -> list[str]:
    """Every folder that holds a feed, by name."""
    return [str(r[0]) for r in db.conn.execute(
        "SELECT DISTINCT group_name FROM sources WHERE kind = 'feed' AND group_name IS NOT NULL"
        " ORDER BY group_name COLLATE NOCASE")]


def group_feed_ids(db: Database, group: str) -> list[int]:
    """The feeds in the folder ``group``, by name."""
    return [int(r[0]) for r in db.conn.execute(
        "SELECT id FROM sources WHERE kind = 'feed' AND group_name = ?"
        " ORDER BY name COLLATE NOCASE", (group,))]


def rename_group(db: Database, old: str, new: str) -> int:
    """Rename a folder (every feed in it moves); returns how many feeds it holds."""
    wanted = new.strip()
    if not wanted:
        raise ValueError("a folder name cannot be empty")
    with db.transaction() as conn:
        moved = conn.execute("UPDATE sources SET group_name = ? WHERE kind = 'feed'"
                             " AND group_name = ?", (wanted, old))
    return int(moved.rowcount)


def set_interval(db: Database, feed_id: int, interval: float | None) -> float | None:
    """The person's minimum wait between automatic fetches of the feed (None or 0: none);
    its next due time is worked out again from its last check. Returns that time."""
    interval = interval or None
    with db.transaction() as conn:
        row = conn.execute(
            "SELECT last_checked, feed_every, fresh_until, retry_after FROM sources"
            " WHERE id = ? AND kind = 'feed'", (feed_id,)).fetchone()
        if row is None:
            raise FeedNotFound(f"no feed with id {feed_id}")
        due = None
        if row[0]:
            checked = datetime.fromisoformat(row[0]).timestamp()
            due = next_due(checked, interval=interval, feed_every=row[1], fresh=row[2],
                           retry_after=row[3])
        conn.execute("UPDATE sources SET interval = ?, next_due = ? WHERE id = ?",
                     (interval, due, feed_id))
    return due

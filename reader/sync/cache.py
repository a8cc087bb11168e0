"""The sync's reads and writes of the cache: server feeds as sources, items as stories, marks.

Each function that writes is one ``BEGIN IMMEDIATE`` transaction that leaves the cache whole:
a page of items is stored together with the cursor that says it was, so a sync killed between
two pages starts again after the last one stored; the server's marks are applied in one go;
an outbox entry leaves only once the server took it. The server's marks are applied with
``sync_quiet`` held, so the outbox triggers (schema migration 7) do not send them back.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace

from reader.feeds.parse import default_title
from reader.models import StoryDraft
from reader.records import record
from reader.store import Store
from reader.sync.items import ITEM_KEY_PREFIX, StoredStory, item_to_draft, matches
from reader.sync.service import Mark, MarkState, RemoteFeed, RemoteItem
from reader.text import clean_line

FEED_KEY_PREFIX = "server-feed:"
"""The key of a server feed that gives no URL."""


@contextmanager
def _quiet(store: Store) -> Iterator[None]:
    """Within the current transaction: story_state changes are the server's, not marks."""
    store.conn.execute("INSERT INTO sync_quiet (applying) VALUES (1)")
    yield
    store.conn.execute("DELETE FROM sync_quiet")


# -- state ---------------------------------------------------------------------------------

def get_state(store: Store, key: str) -> str | None:
    row = store.conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else None


def _set_state(store: Store, key: str, value: str) -> None:
    store.conn.execute(
        "INSERT INTO sync_state (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def item_cursor(store: Store) -> int:
    value = get_state(store, "cursor")
    return int(value) if value and value.isdigit() else 0


def account_changed(store: Store, account: str) -> bool:
    """Whether the cache is tied to another account than ``account`` (or to none yet)."""
    return get_state(store, "account") != account


def use_account(store: Store, account: str) -> int:
    """Tie the cache to ``account`` (service, URL, user). When it was tied to another one,
    forget that server's ids and unsent marks (they mean nothing to this one); its sources
    stay as plain feeds. Returns how many unsent marks were dropped."""
    with store.transaction():
        current = get_state(store, "account")
        if current == account:
            return 0
        dropped = 0
        if current is not None:
            dropped = int(store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0])
            for table in ("outbox", "sync_items", "sync_sources", "sync_state"):
                store.conn.execute(f"DELETE FROM {table}")
        _set_state(store, "account", account)
        return dropped


def record_finished(store: Store, when: float) -> None:
    with store.transaction():
        _set_state(store, "last_sync", repr(when))


def synced_sources(store: Store) -> dict[int, str]:
    """Source id → the server's feed id, for every source that comes from the server."""
    return {int(r[0]): str(r[1]) for r in store.conn.execute(
        "SELECT source_id, remote_id FROM sync_sources")}


def server_sources(store: Store) -> dict[int, str]:
    """Source id → the sync service it comes from ("fever", "ttrss"), for ``feeds --json``."""
    account = get_state(store, "account")
    service = account.split(" ", 1)[0] if account else ""
    return {source_id: service for source_id in synced_sources(store)}


# -- the outbox ------------------------------------------------------------------------------

@record
class PendingMark:
    """A mark to send, standing for every outbox entry of its item and flag up to ``upto``."""

    mark: Mark
    upto: int


def pending_marks(store: Store, limit: int = 10_000) -> list[PendingMark]:
    """The outbox in order, an item's flag once (its latest value: what it ends as)."""
    rows = store.conn.execute(
        "SELECT id, remote_id, flag, value FROM outbox ORDER BY id LIMIT ?", (limit,)
    ).fetchall()
    latest: dict[tuple[str, str], tuple[int, bool]] = {}
    for entry_id, remote_id, flag, value in rows:
        latest.pop((remote_id, flag), None)  # re-inserted: keeps the order of the last entry
        latest[remote_id, flag] = (int(entry_id), bool(value))
    return [PendingMark(Mark(item_id=remote_id, flag="read" if flag == "read" else "starred",
                             value=value), upto=entry_id)
            for (remote_id, flag), (entry_id, value) in latest.items()]


def outbox_size(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0])


def remove_sent(store: Store, sent: Sequence[PendingMark]) -> None:
    """The server took these: their entries (and older ones of the same item and flag) go.
    A mark made meanwhile has a higher id and stays for the next sync."""
    with store.transaction() as conn:
        conn.executemany(
            "DELETE FROM outbox WHERE remote_id = ? AND flag = ? AND id <= ?",
            [(p.mark.item_id, p.mark.flag, p.upto) for p in sent],
        )


# -- subscriptions ---------------------------------------------------------------------------

@record
class FeedsReport:
    added: int = 0
    adopted: int = 0
    removed: int = 0
    kept_empty: bool = False


def apply_subscriptions(store: Store, feeds: Sequence[RemoteFeed]) -> FeedsReport:
    """Make the server's feeds sources (a feed already subscribed here is adopted, not
    doubled), keep their names and groups current, and drop those the server no longer lists
    (a source made by the sync goes with its stories, an adopted one becomes a plain feed).
    A server listing no feed at all while feeds came from it is taken for a fault: nothing
    is removed then."""
    added = adopted = removed = 0
    with store.transaction() as conn:
        known = {str(r[1]): (int(r[0]), bool(r[2])) for r in conn.execute(
            "SELECT source_id, remote_id, adopted FROM sync_sources")}
        for feed in feeds:
            title = clean_line(feed.title) or default_title(feed.url or feed.id)
            url = clean_line(feed.url) or None
            group = clean_line(feed.group) or None
            if feed.id in known:
                source_id = known[feed.id][0]
                _update_source(store, source_id, title, url, group)
                continue
            row = conn.execute(
                "SELECT id FROM sources WHERE kind = 'feed' AND (key = ? OR url = ?)"
                " AND id NOT IN (SELECT source_id FROM sync_sources)", (url, url),
            ).fetchone() if url else None
            if row is not None:
                source_id = int(row[0])
                conn.execute("UPDATE sources SET group_name = ? WHERE id = ?",
                             (group, source_id))
                adopted += 1
            else:
                key = url or f"{FEED_KEY_PREFIX}{feed.id}"
                source_id = store.ensure_source("feed", key, title, url=url, group=group)
                if feed.site_url:
                    conn.execute("UPDATE sources SET site_url = ? WHERE id = ?",
                                 (clean_line(feed.site_url), source_id))
                added += 1
            conn.execute(
                "INSERT INTO sync_sources (source_id, remote_id, adopted) VALUES (?, ?, ?)",
                (source_id, feed.id, int(row is not None)))
        listed = {feed.id for feed in feeds}
        kept_empty = not feeds and bool(known)
        if not kept_empty:
            for remote_id, (source_id, was_adopted) in known.items():
                if remote_id in listed:
                    continue
                if was_adopted:
                    conn.execute("DELETE FROM sync_items WHERE story IN"
                                 " (SELECT rowid FROM stories WHERE source_id = ?)", (source_id,))
                    conn.execute("DELETE FROM sync_sources WHERE source_id = ?", (source_id,))
                else:
                    conn.execute("DELETE FROM sources WHERE id = ?", (source_id,))
                removed += 1
    return FeedsReport(added=added, adopted=adopted, removed=removed, kept_empty=kept_empty)


def _update_source(store: Store, source_id: int, title: str, url: str | None,
                   group: str | None) -> None:
    row = store.conn.execute("SELECT name, user_title FROM sources WHERE id = ?",
                             (source_id,)).fetchone()
    if row is None:
        return
    store.conn.execute("UPDATE sources SET group_name = ?, url = coalesce(?, url) WHERE id = ?",
                       (group, url, source_id))
    if not row[1] and row[0] != title:
        taken = store.conn.execute("SELECT 1 FROM sources WHERE name = ? AND id != ?",
                                   (title, source_id)).fetchone()
        if taken is None:
            store.conn.execute("UPDATE sources SET name = ? WHERE id = ?", (title, source_id))


def add_server_feed(store: Store, feed: RemoteFeed) -> int:
    """A feed just subscribed on the server, as a source (``reader add`` through ttrss)."""
    apply_subscriptions(store, [*_listed_feeds(store), feed])
    row = store.conn.execute("SELECT source_id FROM sync_sources WHERE remote_id = ?",
                             (feed.id,)).fetchone()
    return int(row[0])


def _listed_feeds(store: Store) -> list[RemoteFeed]:
    """The server feeds the cache knows, as the server last listed them."""
    return [RemoteFeed(id=str(r[0]), title=str(r[1]), url=r[2] or "", group=r[3])
            for r in store.conn.execute(
                "SELECT m.remote_id, s.name, s.url, s.group_name FROM sync_sources m"
                " JOIN sources s ON s.id = m.source_id")]


# -- items -----------------------------------------------------------------------------------

@record
class ItemsReport:
    new: int = 0
    matched: int = 0
    known: int = 0
    unknown_feed: tuple[RemoteItem, ...] = ()


def store_items(store: Store, items: Iterable[RemoteItem],
                cursor: int | None = None) -> ItemsReport:
    """Store a page of items as stories, with ``cursor`` (when given) in the same commit.

    An item already tied to a story is left as it is. Else it is recognised among the
    source's stories not yet tied to an item (``items.matches``: same key, hashed guid or
    link) and tied to that one, which keeps its text and marks; else it becomes a new story
    with the item's read and starred state.
    """
    new = matched = known = 0
    unknown: list[RemoteItem] = []
    with store.transaction() as conn:
        sources = {remote: source for source, remote in synced_sources(store).items()}
        items = list(items)
        tied = {str(r[0]) for r in conn.execute(
            "SELECT remote_id FROM sync_items WHERE remote_id IN"
            " (SELECT value FROM json_each(?))", (_json_list(i.id for i in items),))}
        by_source: dict[int, list[RemoteItem]] = {}
        for item in items:
            if item.id in tied:
                known += 1
            elif item.feed_id not in sources:
                unknown.append(item)
            else:
                by_source.setdefault(sources[item.feed_id], []).append(item)
        for source_id, source_items in by_source.items():
            n_new, n_matched = _store_source_items(store, source_id, source_items)
            new += n_new
            matched += n_matched
        if cursor is not None:
            _set_state(store, "cursor", str(cursor))
    return ItemsReport(new=new, matched=matched, known=known, unknown_feed=tuple(unknown))


def _store_source_items(store: Store, source_id: int,
                        items: Sequence[RemoteItem]) -> tuple[int, int]:
    conn = store.conn
    candidates = [StoredStory(int(r[0]), str(r[1]), r[2]) for r in conn.execute(
        "SELECT rowid, key, url FROM stories WHERE source_id = ?"
        " AND rowid NOT IN (SELECT story FROM sync_items)", (source_id,))]
    taken_keys = {str(r[0]) for r in conn.execute(
        "SELECT key FROM stories WHERE source_id = ?", (source_id,))}
    ties: list[tuple[str, int]] = []
    drafts: list[tuple[RemoteItem, StoryDraft]] = []
    for item in items:
        draft = item_to_draft(item)
        found = next((c for c in candidates if matches(item, draft, c)), None)
        if found is not None:
            candidates.remove(found)
            ties.append((item.id, found.rowid))
            continue
        if draft.key in taken_keys:  # another item with the same link: still its own story
            draft = replace(draft, key=ITEM_KEY_PREFIX + item.id)
        taken_keys.add(draft.key)
        drafts.append((item, draft))
    if drafts:
        store.save_stories(source_id, [d for _, d in drafts], index_later=True)
        rowids = {str(r[0]): int(r[1]) for r in conn.execute(
            "SELECT key, rowid FROM stories WHERE source_id = ? AND key IN"
            " (SELECT value FROM json_each(?))",
            (source_id, _json_list(d.key for _, d in drafts)))}
        now = time.time()
        with _quiet(store):
            for item, draft in drafts:
                rowid = rowids[draft.key]
                ties.append((item.id, rowid))
                if item.read or item.starred:
                    conn.execute(
                        "UPDATE story_state SET read = ?, read_at = ?, starred = ?,"
                        " starred_at = ? WHERE story = ?",
                        (int(item.read), now if item.read else None, int(item.starred),
                         now if item.starred else None, rowid))
    conn.executemany("INSERT OR REPLACE INTO sync_items (remote_id, story) VALUES (?, ?)", ties)
    return len(drafts), len(ties) - len(drafts)


def untied_ids(store: Store, ids: Iterable[str]) -> list[str]:
    """Those of ``ids`` that no story stands for yet."""
    wanted = sorted(set(ids), key=lambda i: (len(i), i))
    if not wanted:
        return []
    tied = {str(r[0]) for r in store.conn.execute(
        "SELECT remote_id FROM sync_items WHERE remote_id IN (SELECT value FROM json_each(?))",
        (_json_list(wanted),))}
    return [i for i in wanted if i not in tied]


def _json_list(values: Iterable[str]) -> str:
    import json

    return json.dumps(list(values))


# -- marks -----------------------------------------------------------------------------------

@record
class MarksReport:
    read: int = 0
    unread: int = 0
    starred: int = 0
    unstarred: int = 0


def apply_marks(store: Store, state: MarkState) -> MarksReport:
    """Make every story the server knows read/unread and starred/unstarred as the server says,
    except where a mark of ours for that story and flag waits in the outbox: ours wins (it is
    sent first at the next sync; see the README's conflict rule)."""
    now = time.time()
    with store.transaction() as conn, _quiet(store):
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS sync_unread (remote_id TEXT PRIMARY KEY)")
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS sync_starred (remote_id TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM temp.sync_unread")
        conn.execute("DELETE FROM temp.sync_starred")
        conn.executemany("INSERT OR IGNORE INTO temp.sync_unread VALUES (?)",
                         [(i,) for i in state.unread])
        conn.executemany("INSERT OR IGNORE INTO temp.sync_starred VALUES (?)",
                         [(i,) for i in state.starred])
        counts: dict[str, int] = {}
        for flag, table, label_on, label_off in (
            ("read", "sync_unread", "unread", "read"),
            ("starred", "sync_starred", "starred", "unstarred"),
        ):
            free = (f"SELECT m.story FROM sync_items m WHERE m.remote_id NOT IN"
                    f" (SELECT remote_id FROM outbox WHERE flag = '{flag}')")
            listed = f"m.remote_id IN (SELECT remote_id FROM temp.{table})"
            # read: listed as unread → 0; starred: listed as starred → 1.
            on_value = 0 if flag == "read" else 1
            counts[label_on] = conn.execute(
                f"UPDATE story_state SET {flag} = ?, {flag}_at = ? WHERE {flag} != ?"
                f" AND story IN ({free} AND {listed})",
                (on_value, now if on_value else None, on_value)).rowcount
            counts[label_off] = conn.execute(
                f"UPDATE story_state SET {flag} = ?, {flag}_at = ? WHERE {flag} != ?"
                f" AND story IN ({free} AND NOT {listed})",
                (1 - on_value, now if on_value == 0 else None, 1 - on_value)).rowcount
        conn.execute("DELETE FROM temp.sync_unread")
        conn.execute("DELETE FROM temp.sync_starred")
    return MarksReport(read=counts["read"], unread=counts["unread"],
                       starred=counts["starred"], unstarred=counts["unstarred"])

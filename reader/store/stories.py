"""Stories: writing a source's stories, indexing them for search, marking, and reading them.

``save_stories`` asks ``decide.decide_stories`` what is new, updated or unchanged and only
carries that out. Read/starred state lives in ``story_state`` keyed by the story's row, so an
update keeps it.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from reader.models import (
    BulkMark,
    DraftColumns,
    LoadReport,
    Mark,
    MarkField,
    RelatedStory,
    Story,
    StoryDraft,
)
from reader.store import rows
from reader.store.connection import Database
from reader.store.errors import CacheBusy, StoryNotFound
from reader.store.sources import source_key

if TYPE_CHECKING:
    from reader.filters import Verdict
    from reader.store.decide import LinkChanges, StoredStory


def _index_new(conn: sqlite3.Connection, added: list[int], *, later: bool) -> None:
    """Index new stories for search in one statement (schema migration 3), or with ``later``
    list them for ``index_pending`` (migration 6). Their rows are nearly always one run
    of rowids, which needs no list to look them up."""
    target = ("search_pending (story) SELECT rowid" if later else
              "stories_fts (rowid, title, standfirst, body)"
              " SELECT rowid, title, standfirst, body")
    if max(added) - min(added) == len(added) - 1:
        conn.execute(f"INSERT INTO {target} FROM stories WHERE rowid BETWEEN ? AND ?",
                     (min(added), max(added)))
    else:
        conn.execute(f"INSERT INTO {target} FROM stories"
                     " WHERE rowid IN (SELECT value FROM json_each(?)) ORDER BY rowid",
                     (json.dumps(added),))


def _values(draft: StoryDraft, columns: DraftColumns) -> tuple[object, ...]:
    return (
        draft.title, draft.standfirst, draft.body, draft.url, draft.author,
        draft.published, draft.updated, int(draft.teaser), columns[2], columns[3], columns[1],
        columns[0],
    )


_CHUNKS = (32, 16, 8, 4, 2, 1)
"""Rows per INSERT statement: a batch is written largest chunk first, so a source's new rows
take a few statements of at most six shapes, each prepared once per connection (32 rows of
18 values stay under the 999 variables of older SQLite builds)."""


def _multi_row(head: str, row: str) -> dict[int, str]:
    """``head`` (``INSERT INTO t (columns) VALUES ``) and ``row`` (its values, ``(?,...)``)
    for each size of ``_CHUNKS``."""
    return {size: head + ",".join([row] * size) for size in _CHUNKS}


_NULL = "nullif(?,0)"
"""A value that may be missing (a text, or a time that is never 0), bound as 0 for NULL.
Python's sqlite3 binds an int, float or str as it is, but looks a None up as a value to adapt
(its adapter registry, then two attribute look-ups) every time: ~3,200 instructions a None,
against ~100 for this expression. The real corpus's new rows had ~7,500 (a story's URL,
author and dates, its state's read time)."""


_STORY_WIDTH = 18
_NEW_STORIES = _multi_row(
    "INSERT INTO stories (rowid, title, standfirst, body, url, author, published, updated,"
    " teaser, tags, enclosures, norm_title, content_hash, id, source_id, key, added, sort_ts)"
    " VALUES ", f"(?,?,?,?,{_NULL},{_NULL},{_NULL},{_NULL},?,?,?,?,?,?,?,?,?,?)")
_STATE_WIDTH = 4
_NEW_STATES = _multi_row("INSERT INTO story_state (story, read, read_at, sort_ts) VALUES ",
                         f"(?,?,{_NULL},?)")


def _first_rowid(conn: sqlite3.Connection, count: int) -> int | None:
    """The row number SQLite itself gives the next story (one past the largest: the table has
    no AUTOINCREMENT), if ``count`` stories from there fit below 2**63; None otherwise, where
    SQLite picks row numbers at random and each story must be inserted alone to learn its."""
    last = int(conn.execute("SELECT coalesce(max(rowid), 0) FROM stories").fetchone()[0])
    return last + 1 if last + count < 2**63 else None


def _insert_rows(conn: sqlite3.Connection, statements: dict[int, str],
                 values: list[object], width: int) -> None:
    """Insert rows of ``width`` values each (``values`` holds them one after another) with a
    few multi-row statements instead of one statement a row.

    Inside a transaction SQLite keeps a statement journal of each page an INSERT with
    triggers and unique keys changes, so that the statement alone can be undone: a row at a
    time, every index leaf and trigger-written page was copied for every row. The real
    corpus's 3,682 stories, stored as a refresh does: 2,786 -> 2,470 M instructions."""
    rows = len(values) // width
    start = 0
    for size in _CHUNKS:
        while rows - start >= size:
            conn.execute(statements[size], values[start * width:(start + size) * width])
            start += size


def _stored(conn: sqlite3.Connection, source_id: int, keys: list[str]) -> dict[str, StoredStory]:
    """What the store knows of the source's stories stored under ``keys``, by key."""
    from reader.store.decide import StoredStory  # as in ``save_stories``

    return {
        story_key: StoredStory(rowid, digest, when,
                                tuple(e.url for e in rows.enclosures(enclosures)), published)
        for story_key, rowid, digest, when, enclosures, published in conn.execute(
            "SELECT key, rowid, content_hash, added, enclosures, published FROM stories"
            " WHERE source_id = ? AND key IN (SELECT value FROM json_each(?))",
            (source_id, json.dumps(keys)),
        )
    }


def _write_links(conn: sqlite3.Connection, changes: LinkChanges) -> None:
    """Carry out ``decide.decide_links``' changes."""
    for from_rowid, targets in changes.delete.items():
        marks = ",".join("?" * len(targets))
        conn.execute(
            "DELETE FROM story_links WHERE from_story = ?"
            + (f" AND to_story NOT IN ({marks})" if targets else ""),
            (from_rowid, *targets),
        )
    conn.executemany(
        "INSERT INTO story_links (from_story, to_story, position) VALUES (?, ?, ?)"
        " ON CONFLICT (from_story, to_story) DO UPDATE SET position = excluded.position",
        changes.upsert,
    )


def save_stories(
    db: Database, source_id: int, drafts: Sequence[StoryDraft],
    links: Sequence[tuple[str, str]] = (), *, replace_links: bool = False,
    index_later: bool = False, verdict: Verdict | None = None,
    columns: Sequence[DraftColumns] = (),
) -> LoadReport:
    """Insert new stories and update changed ones of one source, in one transaction.

    ``links`` are (from key, to key) pairs of explicit related stories. With
    ``replace_links``, ``links`` are the whole set of links leaving the given drafts: a
    link a draft no longer makes (its file dropped a related item) is removed. New stories
    join the full-text index in one statement at the end (half the cost of a row trigger),
    or with ``index_later`` are listed for ``index_pending`` (a refresh indexes many
    feeds' stories at once; see schema migration 6). ``verdict`` says which filters
    (``reader.filters``) each *new* story matches: it is stored read, or hidden, from the
    start, in this same transaction (an update never changes what a filter decided).
    ``columns``: the drafts' ``DraftColumns`` if worked out already (``decide_stories``).
    New stories are written after the updates, a chunk of rows per statement
    (``_insert_rows``), with the row numbers SQLite would have given them one by one.
    """
    # Imported here, as only writes decide: the app's first frame reads, and the decisions'
    # seven frozen dataclasses took ~3 ms of it.
    from reader.store.decide import (
        NewStory,
        UpdatedStory,
        decide_links,
        decide_stories,
    )

    key = source_key(db, source_id)
    now = time.time()
    new = updated = unchanged = auto_read = 0
    hits: list[tuple[str, int]] = []
    hidden: list[tuple[int]] = []
    with db.transaction() as conn:
        # The stored rows of the drafts' keys, in one query rather than one per draft; then
        # those of the aliases (other keys a draft's story may be stored under:
        # ``decide_stories``) of the drafts whose own key is not stored, the only ones it
        # looks them up for. A source with no story yet (a feed's first refresh: every feed of
        # a cold refresh) has nothing to look up. For the real corpus all keys and aliases
        # were 1.3 MB of JSON; writing it and SQLite reading it took 146 M of the writer's
        # 1,946 M instructions in a cold refresh.
        stored: dict[str, StoredStory] = {}
        if conn.execute("SELECT 1 FROM stories WHERE source_id = ? LIMIT 1",
                        (source_id,)).fetchone() is not None:
            stored = _stored(conn, source_id, [draft.key for draft in drafts])
            aliases = [alias for draft in drafts if draft.key not in stored
                       for alias in draft.aliases]
            if aliases:
                stored.update(_stored(conn, source_id, aliases))
        rowids: dict[str, int] = {}
        added: list[int] = []
        # The new rows' values, one flat list per table (``_insert_rows`` cuts it in chunks).
        new_values: list[object] = []
        state_values: list[object] = []
        next_rowid: int | None = 0
        for intent in decide_stories(key, stored, drafts, now, columns):
            draft = intent.draft
            if isinstance(intent, NewStory):
                cols = intent.columns
                d_url, d_author, d_published, d_updated = (
                    draft.url, draft.author, draft.published, draft.updated)
                values = (draft.title, draft.standfirst, draft.body,
                          0 if d_url is None else d_url, 0 if d_author is None else d_author,
                          0 if d_published is None else d_published,
                          0 if d_updated is None else d_updated, int(draft.teaser), cols[2],
                          cols[3], cols[1], cols[0], intent.public_id, source_id, draft.key,
                          now, intent.sort_ts)
                if not added:  # the first new story
                    next_rowid = _first_rowid(conn, len(drafts))
                if next_rowid is None:
                    rowid = int(conn.execute(_NEW_STORIES[1], (None, *values)).lastrowid or 0)
                else:
                    rowid = next_rowid
                    next_rowid += 1
                    new_values.append(rowid)
                    new_values += values
                read = False
                if verdict is not None and (matched := verdict(draft)):
                    hits += [(rule.label, rowid) for rule in matched]
                    read = any(rule.action == "read" for rule in matched)
                    if any(rule.action == "hide" for rule in matched):
                        hidden.append((rowid,))
                    elif read:
                        auto_read += 1
                state_values += (rowid, int(read), now if read else 0, intent.sort_ts)
                added.append(rowid)
                new += 1
            elif isinstance(intent, UpdatedStory):
                rowid = intent.rowid
                # A story whose page text was saved keeps it (and the summary it had as its
                # standfirst) when the feed edits its entry: the page is the whole article.
                conn.execute(
                    "UPDATE stories SET title = ?,"
                    " standfirst = CASE WHEN full_text_at IS NULL THEN ? ELSE standfirst END,"
                    " body = CASE WHEN full_text_at IS NULL THEN ? ELSE body END, url = ?,"
                    " author = ?, published = ?, updated = ?, teaser = ?, tags = ?,"
                    " enclosures = ?, norm_title = ?, content_hash = ?, sort_ts = ?,"
                    " key = ? WHERE rowid = ?",
                    (*_values(draft, intent.columns), intent.sort_ts,
                     draft.key, rowid),
                )
                updated += 1
            else:
                rowid = intent.rowid
                unchanged += 1
            rowids[draft.key] = rowid
        _insert_rows(conn, _NEW_STORIES, new_values, _STORY_WIDTH)
        _insert_rows(conn, _NEW_STATES, state_values, _STATE_WIDTH)
        if added:
            _index_new(conn, added, later=index_later)
        if hits:
            conn.executemany("INSERT OR IGNORE INTO filter_hits (rule, story) VALUES (?, ?)",
                             hits)
            conn.executemany("INSERT OR IGNORE INTO hidden (story) VALUES (?)", hidden)
        if links or replace_links:  # (a feed's stories link none)
            _write_links(conn, decide_links(rowids, links, replace=replace_links))
    return LoadReport(new=new, updated=updated, unchanged=unchanged, hidden=len(hidden),
                      auto_read=auto_read)


def index_pending(db: Database, *, limit: int | None = None, wait: bool = True) -> int:
    """Add the stories ``save_stories(index_later=True)`` listed to the full-text index.

    One transaction, which reads the list once it holds the write lock, so two processes
    finishing the same list never index a story twice. It counts as a change of content:
    a related-stories list worked out meanwhile could not see these stories yet. Returns
    how many were indexed. ``limit`` indexes at most that many (the oldest); ``wait=False``
    does nothing (returns 0) when another connection holds the write lock, instead of waiting
    for it: a command that only reads the cache must not queue behind a refresh.
    """
    if db.conn.execute("SELECT 1 FROM search_pending LIMIT 1").fetchone() is None:
        return 0  # the usual case: no write lock needed
    chosen = ("SELECT story FROM search_pending ORDER BY story"
              + (f" LIMIT {int(limit)}" if limit is not None else ""))
    try:
        with db.transaction(wait=wait) as conn:
            count = int(conn.execute(f"SELECT count(*) FROM ({chosen})").fetchone()[0])
            if count:
                conn.execute(
                    "INSERT INTO stories_fts (rowid, title, standfirst, body)"
                    " SELECT s.rowid, s.title, s.standfirst, s.body"
                    f" FROM ({chosen}) p JOIN stories s ON s.rowid = p.story ORDER BY p.story"
                )
                conn.execute(f"DELETE FROM search_pending WHERE story IN ({chosen})")
                conn.execute("UPDATE content_generation SET n = n + 1 WHERE id = 1")
    except CacheBusy:
        if wait:
            raise
        return 0
    return count


_COLUMNS: dict[MarkField, str] = {"read": "read", "starred": "starred"}
"""The column of each mark (SQL is never built from text a caller passes)."""


def mark_rows(
    db: Database, selected: str | None, params: Sequence[Any], field: MarkField, value: bool,
) -> BulkMark:
    """Set ``field`` to ``value`` on every story that ``selected`` (a SELECT of story row
    numbers; None: every story) lists and that is not so already, in one UPDATE; returns the
    rows it changed.

    One statement whatever the count, and it only ever UPDATEs ``story_state``, so the sync
    outbox triggers (schema migration 7) see each change. It returns row numbers, not ids:
    at 100,000 stories looking up each story's id would visit every wide story row (about a
    third of the 0.6 s the whole mark takes). Joins the caller's transaction if any.
    """
    column = _COLUMNS[field]
    at = time.time() if value else None
    where = f" AND story IN ({selected})" if selected is not None else ""
    with db.transaction() as conn:
        changed = conn.execute(
            f"UPDATE story_state SET {column} = ?, {column}_at = ?"
            f" WHERE {column} != ?{where} RETURNING story",
            (int(value), at, int(value), *params),
        ).fetchall()
    return BulkMark(field, value, tuple(r[0] for r in changed), at)


def unmark(db: Database, marked: BulkMark) -> int:
    """Take back a bulk mark: each story it changed whose mark is still the one it made
    (the same value, stamped at the same moment) gets the other value back, in one UPDATE.
    A story marked again since, or a row number now used by another story, is left alone.
    Returns how many stories changed."""
    column = _COLUMNS[marked.field]
    with db.transaction() as conn:
        return conn.execute(
            f"UPDATE story_state SET {column} = ?, {column}_at = ?"
            f" WHERE story IN (SELECT value FROM json_each(?)) AND {column} = ?"
            f" AND {column}_at IS ?",
            (int(not marked.value), None if marked.value else time.time(),
             json.dumps(marked.rows), int(marked.value), marked.at),
        ).rowcount


def mark(
    db: Database, story_ids: Sequence[str], *, read: bool | None = None,
    starred: bool | None = None,
) -> tuple[Mark, ...]:
    """Mark stories read/unread and/or starred/unstarred, in one transaction; returns the
    marks that changed something (a story already read is not marked read again), in the
    order of ``story_ids``.

    Every read or star change of stories named by id goes through here, the app's and the
    command line's alike (a whole view at once goes through ``mark_rows``), so what has to
    follow a mark (the sync outbox, undo) sees exactly what changed. Unknown ids are
    ignored.
    """
    ids = json.dumps(list(dict.fromkeys(story_ids)))
    changes: list[Mark] = []
    now = time.time()
    with db.transaction() as conn:
        fields: tuple[tuple[MarkField, bool | None], ...] = (("read", read),
                                                             ("starred", starred))
        for field, value in fields:
            if value is None:
                continue
            column = _COLUMNS[field]
            changes += [Mark(r[0], field, value) for r in conn.execute(
                f"UPDATE story_state SET {column} = ?, {column}_at = ?"
                f" WHERE {column} != ? AND story IN (SELECT rowid FROM stories WHERE id IN"
                " (SELECT value FROM json_each(?)))"
                " RETURNING (SELECT id FROM stories WHERE rowid = story)",
                (int(value), now if value else None, int(value), ids),
            ).fetchall()]
    order = {story_id: n for n, story_id in enumerate(story_ids)}
    return tuple(sorted(changes, key=lambda m: (order.get(m.story_id, 0), m.field)))


def set_read(db: Database, story_id: str, read: bool) -> None:
    """Mark one story read or unread (``mark`` for one story)."""
    mark(db, [story_id], read=read)


def set_starred(db: Database, story_id: str, starred: bool) -> None:
    """Star or unstar one story (``mark`` for one story)."""
    mark(db, [story_id], starred=starred)


_HEX = re.compile(r"[0-9a-f]+")


def get_story(db: Database, ref: str) -> Story:
    """The story with id ``ref``, or with a unique id prefix of at least 4 characters."""
    ref = ref.strip().lower()
    row = db.conn.execute(
        f"SELECT {rows.STORY_COLUMNS}{rows.STORY_FROM} WHERE s.id = ?", (ref,)
    ).fetchone()
    if row is None and len(ref) >= 4 and _HEX.fullmatch(ref):
        found = db.conn.execute(
            f"SELECT {rows.STORY_COLUMNS}{rows.STORY_FROM} WHERE s.id >= ? AND s.id < ? LIMIT 2",
            (ref, ref + "g"),
        ).fetchall()
        if len(found) > 1:
            raise StoryNotFound(f"story id {ref!r} is ambiguous: give more of it")
        row = found[0] if found else None
    if row is None and len(ref) < 4 and _HEX.fullmatch(ref):
        raise StoryNotFound(f"no story with id {ref!r}: give at least 4 of its 12 hex digits")
    if row is None:
        raise StoryNotFound(f"no story with id {ref!r}")
    return rows.story(row)


def stories_by_rowid(db: Database, rowids: Sequence[int]) -> dict[int, Story]:
    """Whole stories by row number (those deleted meanwhile are simply absent)."""
    if not rowids:
        return {}
    marks = ",".join("?" * len(rowids))
    return {r[0]: rows.story(r) for r in db.conn.execute(
        f"SELECT {rows.STORY_COLUMNS}{rows.STORY_FROM} WHERE s.rowid IN ({marks})",
        tuple(rowids),
    )}


def explicit_related(db: Database, story: Story) -> list[RelatedStory]:
    """Stories this one recommends, then stories that recommend it (both directions)."""
    return explicit_related_many(db, [story.rowid]).get(story.rowid, [])


def explicit_related_many(db: Database, rowids: Sequence[int]) -> dict[int, list[RelatedStory]]:
    """``explicit_related`` of many stories at once (two queries, whatever their number):
    ``list --json`` prints a page of stories with their links without a query per story."""
    if not rowids:
        return {}
    wanted = json.dumps(list(rowids))
    out: dict[int, list[RelatedStory]] = {}
    for owner, *r in db.conn.execute(
        f"SELECT l.from_story, s.id, s.title, src.name, s.teaser, {rows.TEXT_START}"
        " FROM story_links l JOIN stories s ON s.rowid = l.to_story"
        " JOIN sources src ON src.id = s.source_id"
        " WHERE l.from_story IN (SELECT value FROM json_each(?))"
        " ORDER BY l.from_story, l.position",
        (wanted,),
    ):
        out.setdefault(owner, []).append(RelatedStory(
            id=r[0], title=r[1], kind="explicit", source=r[2], teaser=bool(r[3]), text=r[4]))
    for owner, *r in db.conn.execute(
        f"SELECT l.to_story, s.id, s.title, src.name, s.teaser, {rows.TEXT_START}"
        " FROM story_links l JOIN stories s ON s.rowid = l.from_story"
        " JOIN sources src ON src.id = s.source_id"
        " WHERE l.to_story IN (SELECT value FROM json_each(?))"
        " ORDER BY l.to_story, s.sort_ts DESC, s.rowid",
        (wanted,),
    ):
        out.setdefault(owner, []).append(RelatedStory(
            id=r[0], title=r[1], kind="recommended-by", source=r[2], teaser=bool(r[3]),
            text=r[4]))
    return out


def find_titles(db: Database, words: Sequence[str],
                limit: int = 30) -> list[tuple[str, str, str, str]]:
    """(id, title, source, text start) of recent stories whose titles hold every word (any
    case); an untitled story is found by the start of its text, which it shows instead
    (``reader.titles``).

    Backs the command palette's "open story…": a LIKE scan, bounded by ``limit``.
    """
    clauses, params = [], []
    for word in words:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append(f"(CASE WHEN s.title = '' THEN {rows.TEXT_START} ELSE s.title END)"
                       " LIKE ? ESCAPE '\\'")
        params.append(f"%{escaped}%")
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    found = db.conn.execute(
        f"SELECT s.id, s.title, src.name, {rows.TEXT_START}"
        " FROM stories s JOIN sources src ON src.id = s.source_id"
        f"{where} ORDER BY s.sort_ts DESC, s.rowid LIMIT ?",
        (*params, limit),
    ).fetchall()
    return [(r[0], r[1], r[2], r[3]) for r in found]

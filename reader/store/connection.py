"""The ``Store``: one sqlite3 connection to the cache and the operations on it.

Writes are short ``BEGIN IMMEDIATE`` transactions so another reader process (a CLI refresh
while the app is open) waits briefly instead of failing, and never sees half a feed.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reader.models import LoadReport, RelatedStory, Source, Story, StoryDraft, StoryRow, View
from reader.store.schema import SchemaTooNewError, migrate

ALL_STORIES = View()


class StoreError(Exception):
    """A cache problem worth one clear line to the user (not a bug)."""


class StoryNotFound(StoreError):
    pass


def story_public_id(source_key: str, story_key: str) -> str:
    """A short id that is the same on every run for the same story of the same source."""
    digest = hashlib.sha256(f"{source_key}\0{story_key}".encode()).hexdigest()
    return digest[:12]


_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_title(title: str) -> str:
    """Lower-case words only: how one story carried by two sources is recognised."""
    return " ".join(_NON_WORD.sub(" ", title.casefold()).split())


def iso_to_epoch(value: str | None) -> float | None:
    """Seconds since the epoch for an ISO 8601 string, or None when absent or unparseable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _content_hash(draft: StoryDraft) -> str:
    parts = [
        draft.title, draft.standfirst, draft.body, draft.url or "", draft.author or "",
        draft.published or "", draft.updated or "", "1" if draft.teaser else "0",
        "\x1f".join(draft.tags), "\x1f".join(draft.enclosures),
    ]
    return hashlib.sha256("\x1e".join(parts).encode()).hexdigest()[:16]


def _index_new(conn: sqlite3.Connection, added: list[int], *, later: bool) -> None:
    """Index new stories for search in one statement (schema migration 3), or with ``later``
    list them for ``Store.index_pending`` (migration 6). Their rows are nearly always one run
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


def connect(path: Path | str) -> sqlite3.Connection:
    """Open a connection with the settings every connection to the cache must have."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=True, timeout=10.0)
    _use_wal(conn)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def _use_wal(conn: sqlite3.Connection, tries: int = 100) -> None:
    """Switch the file to WAL (it stays so). Another connection opening a new file at the same
    moment can make the switch fail at once with "locked", without waiting: try again."""
    for attempt in range(tries):
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == tries - 1:
                raise
            time.sleep(0.02)


_STORY_COLUMNS = (
    "s.rowid, s.id, src.name, s.title, s.standfirst, s.body, s.url, s.author, s.published,"
    " s.updated, s.teaser, st.read, st.starred, s.tags, s.enclosures, s.source_id"
)
_ROW_COLUMNS = (
    "s.rowid, s.id, src.name, s.title, s.published, st.read, st.starred, s.teaser, s.sort_ts"
)
_FROM = (
    " FROM stories s JOIN story_state st ON st.story = s.rowid"
    " JOIN sources src ON src.id = s.source_id"
)


def story_row(r: Sequence[Any]) -> StoryRow:
    """A ``StoryRow`` from a row selected with ``_ROW_COLUMNS``."""
    return StoryRow(rowid=r[0], id=r[1], source=r[2], title=r[3], published=r[4],
                    read=bool(r[5]), starred=bool(r[6]), teaser=bool(r[7]), sort_ts=r[8])


class Store:
    """The cache on disk. Not thread-safe: open one ``Store`` per thread."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path | str, notice: Callable[[str], None] | None = None) -> Store:
        """Open (creating and migrating as needed) the cache at ``path``; ``notice`` hears of
        a migration that will take a while (see ``schema.migrate``)."""
        path = Path(path)
        conn: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = connect(path)
            migrate(conn, notice)
        except (SchemaTooNewError, OSError, sqlite3.DatabaseError) as exc:
            if conn is not None:
                conn.close()  # a refused cache is not left open behind the error
            if isinstance(exc, SchemaTooNewError):
                raise StoreError(str(exc)) from None
            raise StoreError(f"cannot open the cache at {path}: {exc}") from None
        return cls(conn, path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction: taken at once, committed whole or not at all.

        Inside another transaction it joins that one, so a caller can group several writes
        (a feed's stories and its refresh outcome) into one commit.
        """
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- sources -----------------------------------------------------------------------------

    def _unique_name(self, wanted: str, exclude_id: int | None = None) -> str:
        name, n = wanted or "untitled", 1
        while True:
            row = self.conn.execute("SELECT id FROM sources WHERE name = ?", (name,)).fetchone()
            if row is None or row[0] == exclude_id:
                return name
            n += 1
            name = f"{wanted} ({n})"

    def ensure_source(
        self, kind: str, key: str, name: str, *, url: str | None = None,
        path: str | None = None, group: str | None = None, user_title: bool = False,
    ) -> int:
        """Return the id of the source with ``key``, creating it if new."""
        row = self.conn.execute("SELECT id FROM sources WHERE key = ?", (key,)).fetchone()
        if row is not None:
            return int(row[0])
        with self.transaction():
            # Again under the write lock: another process may have added it meanwhile.
            row = self.conn.execute("SELECT id FROM sources WHERE key = ?", (key,)).fetchone()
            if row is not None:
                return int(row[0])
            cur = self.conn.execute(
                "INSERT INTO sources (kind, key, name, url, path, group_name, user_title, added)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (kind, key, self._unique_name(name), url, path, group, int(user_title),
                 time.time()),
            )
        return int(cur.lastrowid or 0)

    def source_key(self, source_id: int) -> str:
        row = self.conn.execute("SELECT key FROM sources WHERE id = ?", (source_id,)).fetchone()
        if row is None:
            raise StoreError(f"no source with id {source_id}")
        return str(row[0])

    def source_meta(self, source_id: int) -> dict[str, Any]:
        row = self.conn.execute("SELECT meta FROM sources WHERE id = ?", (source_id,)).fetchone()
        return dict(json.loads(row[0])) if row else {}

    def set_source_meta(self, source_id: int, meta: dict[str, Any]) -> None:
        with self.transaction():
            self.conn.execute(
                "UPDATE sources SET meta = ? WHERE id = ?", (json.dumps(meta), source_id)
            )

    def sources(self) -> list[Source]:
        """Every source with its story and unread counts, seeds first, then by name."""
        rows = self.conn.execute(
            "SELECT src.id, src.kind, src.name, src.url, src.path, src.group_name,"
            " src.last_checked, src.last_status, src.last_error, src.disabled,"
            " (SELECT count(*) FROM stories s WHERE s.source_id = src.id),"
            " (SELECT count(*) FROM stories s JOIN story_state st ON st.story = s.rowid"
            "   WHERE s.source_id = src.id AND st.read = 0)"
            " FROM sources src ORDER BY src.kind DESC, src.name COLLATE NOCASE"
        ).fetchall()
        return [
            Source(
                id=r[0], kind=r[1], name=r[2], url=r[3], path=r[4], group=r[5],
                last_checked=r[6], last_status=r[7], last_error=r[8], disabled=bool(r[9]),
                story_count=r[10], unread_count=r[11],
            )
            for r in rows
        ]

    def has_feeds(self) -> bool:
        """Whether any feed is subscribed (cheap, unlike ``sources()``, which counts stories)."""
        row = self.conn.execute("SELECT 1 FROM sources WHERE kind = 'feed' LIMIT 1").fetchone()
        return row is not None

    def source_by_name(self, name: str) -> Source | None:
        for source in self.sources():
            if source.name == name:
                return source
        folded = name.casefold()
        matches = [s for s in self.sources() if s.name.casefold() == folded]
        return matches[0] if len(matches) == 1 else None

    # -- writing stories ---------------------------------------------------------------------

    def save_stories(
        self, source_id: int, drafts: Sequence[StoryDraft],
        links: Sequence[tuple[str, str]] = (), *, replace_links: bool = False,
        index_later: bool = False,
    ) -> LoadReport:
        """Insert new stories and update changed ones of one source, in one transaction.

        Read/starred state lives in ``story_state`` keyed by the story's row, so an update
        keeps it. ``links`` are (from key, to key) pairs of explicit related stories. With
        ``replace_links``, ``links`` are the whole set of links leaving the given drafts: a
        link a draft no longer makes (its file dropped a related item) is removed. New stories
        join the full-text index in one statement at the end (half the cost of a row trigger),
        or with ``index_later`` are listed for ``index_pending`` (a refresh indexes many
        feeds' stories at once; see schema migration 6).
        """
        source_key = self.source_key(source_id)
        new = updated = unchanged = 0
        now = time.time()
        with self.transaction() as conn:
            rowids: dict[str, int] = {}
            added: list[int] = []
            # The stored rows of these keys, in one query rather than one per draft.
            stored: dict[str, tuple[int, str, float]] = {
                key: (rowid, digest, when) for key, rowid, digest, when in conn.execute(
                    "SELECT key, rowid, content_hash, added FROM stories WHERE source_id = ?"
                    " AND key IN (SELECT value FROM json_each(?))",
                    (source_id, json.dumps([draft.key for draft in drafts])),
                )
            }
            for draft in drafts:
                digest = _content_hash(draft)
                published_ts = iso_to_epoch(draft.published)
                if published_ts is None:  # an Atom entry may give only its update time
                    published_ts = iso_to_epoch(draft.updated)
                row = stored.get(draft.key)
                values = (
                    draft.title, draft.standfirst, draft.body, draft.url, draft.author,
                    draft.published, draft.updated, int(draft.teaser),
                    json.dumps(list(draft.tags)), json.dumps(list(draft.enclosures)),
                    normalise_title(draft.title), digest,
                )
                if row is None:
                    cur = conn.execute(
                        "INSERT INTO stories (title, standfirst, body, url, author, published,"
                        " updated, teaser, tags, enclosures, norm_title, content_hash, id,"
                        " source_id, key, added, sort_ts)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (*values, story_public_id(source_key, draft.key), source_id, draft.key,
                         now, published_ts if published_ts is not None else now),
                    )
                    rowid = int(cur.lastrowid or 0)
                    conn.execute("INSERT INTO story_state (story) VALUES (?)", (rowid,))
                    added.append(rowid)
                    stored[draft.key] = (rowid, digest, now)
                    new += 1
                else:
                    rowid = int(row[0])
                    if row[1] != digest:
                        stored[draft.key] = (rowid, digest, row[2])
                        conn.execute(
                            "UPDATE stories SET title = ?, standfirst = ?, body = ?, url = ?,"
                            " author = ?, published = ?, updated = ?, teaser = ?, tags = ?,"
                            " enclosures = ?, norm_title = ?, content_hash = ?, sort_ts = ?"
                            " WHERE rowid = ?",
                            (*values, published_ts if published_ts is not None else row[2],
                             rowid),
                        )
                        updated += 1
                    else:
                        unchanged += 1
                rowids[draft.key] = rowid
            if added:
                _index_new(conn, added, later=index_later)
            if replace_links:
                wanted: dict[int, set[int]] = {rowid: set() for rowid in rowids.values()}
                for from_key, to_key in links:
                    if from_key in rowids and to_key in rowids:
                        wanted[rowids[from_key]].add(rowids[to_key])
                for from_rowid, targets in wanted.items():
                    marks = ",".join("?" * len(targets))
                    conn.execute(
                        "DELETE FROM story_links WHERE from_story = ?"
                        + (f" AND to_story NOT IN ({marks})" if targets else ""),
                        (from_rowid, *targets),
                    )
            for position, (from_key, to_key) in enumerate(links):
                if from_key in rowids and to_key in rowids and from_key != to_key:
                    conn.execute(
                        "INSERT INTO story_links (from_story, to_story, position) VALUES (?, ?, ?)"
                        " ON CONFLICT (from_story, to_story) DO UPDATE SET position = ?",
                        (rowids[from_key], rowids[to_key], position, position),
                    )
        return LoadReport(new=new, updated=updated, unchanged=unchanged)

    def index_pending(self) -> int:
        """Add the stories ``save_stories(index_later=True)`` listed to the full-text index.

        One transaction, which reads the list once it holds the write lock, so two processes
        finishing the same list never index a story twice. It counts as a change of content:
        a related-stories list worked out meanwhile could not see these stories yet. Returns
        how many were indexed.
        """
        if self.conn.execute("SELECT 1 FROM search_pending LIMIT 1").fetchone() is None:
            return 0  # the usual case: no write lock needed
        with self.transaction() as conn:
            count = int(conn.execute("SELECT count(*) FROM search_pending").fetchone()[0])
            if count:
                conn.execute(
                    "INSERT INTO stories_fts (rowid, title, standfirst, body)"
                    " SELECT s.rowid, s.title, s.standfirst, s.body"
                    " FROM search_pending p JOIN stories s ON s.rowid = p.story ORDER BY p.story"
                )
                conn.execute("DELETE FROM search_pending")
                conn.execute("UPDATE content_generation SET n = n + 1 WHERE id = 1")
        return count

    def set_read(self, story_id: str, read: bool) -> None:
        with self.transaction():
            self.conn.execute(
                "UPDATE story_state SET read = ?, read_at = ?"
                " WHERE story = (SELECT rowid FROM stories WHERE id = ?)",
                (int(read), time.time() if read else None, story_id),
            )

    def set_starred(self, story_id: str, starred: bool) -> None:
        with self.transaction():
            self.conn.execute(
                "UPDATE story_state SET starred = ?, starred_at = ?"
                " WHERE story = (SELECT rowid FROM stories WHERE id = ?)",
                (int(starred), time.time() if starred else None, story_id),
            )

    # -- reading stories ---------------------------------------------------------------------

    @staticmethod
    def _story_from_row(r: Sequence[Any]) -> Story:
        return Story(
            rowid=r[0], id=r[1], source=r[2], title=r[3], standfirst=r[4], body=r[5], url=r[6],
            author=r[7], published=r[8], updated=r[9], teaser=bool(r[10]), read=bool(r[11]),
            starred=bool(r[12]), tags=tuple(json.loads(r[13])),
            enclosures=tuple(json.loads(r[14])), source_id=r[15],
        )

    def get_story(self, ref: str) -> Story:
        """The story with id ``ref``, or with a unique id prefix of at least 4 characters."""
        ref = ref.strip().lower()
        row = self.conn.execute(
            f"SELECT {_STORY_COLUMNS}{_FROM} WHERE s.id = ?", (ref,)
        ).fetchone()
        if row is None and len(ref) >= 4 and re.fullmatch(r"[0-9a-f]+", ref):
            rows = self.conn.execute(
                f"SELECT {_STORY_COLUMNS}{_FROM} WHERE s.id >= ? AND s.id < ? LIMIT 2",
                (ref, ref + "g"),
            ).fetchall()
            if len(rows) > 1:
                raise StoryNotFound(f"story id {ref!r} is ambiguous: give more of it")
            row = rows[0] if rows else None
        if row is None:
            raise StoryNotFound(f"no story with id {ref!r}")
        return self._story_from_row(row)

    def stories_by_rowid(self, rowids: Sequence[int]) -> dict[int, Story]:
        if not rowids:
            return {}
        marks = ",".join("?" * len(rowids))
        rows = self.conn.execute(
            f"SELECT {_STORY_COLUMNS}{_FROM} WHERE s.rowid IN ({marks})", tuple(rowids)
        ).fetchall()
        return {r[0]: self._story_from_row(r) for r in rows}

    def explicit_related(self, story: Story) -> list[RelatedStory]:
        """Stories this one recommends, then stories that recommend it (both directions)."""
        out = [
            RelatedStory(id=r[0], title=r[1], kind="explicit", source=r[2], teaser=bool(r[3]))
            for r in self.conn.execute(
                "SELECT s.id, s.title, src.name, s.teaser FROM story_links l"
                " JOIN stories s ON s.rowid = l.to_story JOIN sources src ON src.id = s.source_id"
                " WHERE l.from_story = ? ORDER BY l.position",
                (story.rowid,),
            )
        ]
        out += [
            RelatedStory(id=r[0], title=r[1], kind="recommended-by", source=r[2],
                         teaser=bool(r[3]))
            for r in self.conn.execute(
                "SELECT s.id, s.title, src.name, s.teaser FROM story_links l"
                " JOIN stories s ON s.rowid = l.from_story JOIN sources src ON src.id = s.source_id"
                " WHERE l.to_story = ? ORDER BY s.sort_ts DESC, s.rowid",
                (story.rowid,),
            )
        ]
        return out

    def content_generation(self) -> int:
        """A number that moves whenever stories, their links or source names change (not on
        read/starred marks), kept by triggers: results derived from the cache's content (related
        lists, search plans) are cached against it and recomputed when it moves."""
        return int(self.conn.execute("SELECT n FROM content_generation").fetchone()[0])

    # -- views (what the story list shows) ---------------------------------------------------

    def _view_filter(self, view: View) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if view.unread_only:
            clauses.append("+st.read = 0")  # "+": stay on the time index (no sort)
        if view.starred_only:
            clauses.append("+st.starred = 1")
        if view.source_id is not None:
            clauses.append("s.source_id = ?")
            params.append(view.source_id)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def count(self, view: View = ALL_STORIES) -> int:
        """How many stories the view holds (cheap: an index count, no rows loaded)."""
        if view.query:
            # Imported here because reader.store.search is built on this module.
            from reader.store import search

            return search.count(self, view)
        where, params = self._view_filter(view)
        return self.count_where(where, params)

    def page(self, view: View, offset: int, limit: int, total: int | None = None) -> list[StoryRow]:
        """Rows ``offset`` .. ``offset + limit`` of the view: newest first, or best match first
        when the view has a search ``query`` (see ``reader.store.search``)."""
        if view.query:
            from reader.store import search

            return search.page(self, view, offset, limit, total)
        where, params = self._view_filter(view)
        return self.page_where(where, params, offset, limit, total)

    def page_next_to(self, view: View, row: StoryRow, limit: int, *,
                     before: bool = False) -> list[StoryRow]:
        """The ``limit`` rows right after ``row`` in the view (or right before it): an index
        seek from a known row, so paging on costs the same at row 90,000 as at row 100.
        Not for searches, whose order is their rank."""
        where, params = self._view_filter(view)
        joiner = " AND" if where else " WHERE"
        if before:
            condition = " (s.sort_ts > ? OR (s.sort_ts = ? AND s.rowid < ?))"
            order = " ORDER BY s.sort_ts ASC, s.rowid DESC"
        else:
            condition = " (s.sort_ts < ? OR (s.sort_ts = ? AND s.rowid > ?))"
            order = " ORDER BY s.sort_ts DESC, s.rowid ASC"
        rows = self.conn.execute(
            f"SELECT {_ROW_COLUMNS}{_FROM}{where}{joiner}{condition}{order} LIMIT ?",
            (*params, row.sort_ts, row.sort_ts, row.rowid, limit),
        ).fetchall()
        if before:
            rows.reverse()
        return [story_row(r) for r in rows]

    def index_of(self, view: View, story_id: str) -> int | None:
        """The position of a story in the view, or None if the view does not hold it."""
        if view.query:
            from reader.store import search

            return search.index_of(self, view, story_id)
        where, params = self._view_filter(view)
        return self.index_of_where(where, params, story_id)

    # Newest-first listing of any WHERE clause over ``_FROM`` (aliases s, st, src): the plain
    # views above, and searches whose order is by time (filters only, or very common words).

    def count_where(self, where: str, params: Sequence[Any]) -> int:
        if not where:
            return int(self.conn.execute("SELECT count(*) FROM stories").fetchone()[0])
        return int(self.conn.execute(f"SELECT count(*){_FROM}{where}", params).fetchone()[0])

    def page_where(
        self, where: str, params: Sequence[Any], offset: int, limit: int,
        total: int | None = None,
    ) -> list[StoryRow]:
        """Past the middle of the view the index is walked from the other end, so the last page
        costs what the first one does."""
        offset, limit = max(0, offset), max(0, limit)
        if total is None:
            total = self.count_where(where, params)
        limit = min(limit, max(0, total - offset))
        if limit == 0:
            return []
        if offset > total // 2:
            rev_offset = total - offset - limit
            rows = self.conn.execute(
                f"SELECT {_ROW_COLUMNS}{_FROM}{where}"
                " ORDER BY s.sort_ts ASC, s.rowid DESC LIMIT ? OFFSET ?",
                (*params, limit, rev_offset),
            ).fetchall()
            rows.reverse()
        else:
            rows = self.conn.execute(
                f"SELECT {_ROW_COLUMNS}{_FROM}{where}"
                " ORDER BY s.sort_ts DESC, s.rowid ASC LIMIT ? OFFSET ?",
                (*params, limit, offset),
            ).fetchall()
        return [story_row(r) for r in rows]

    def index_of_where(self, where: str, params: Sequence[Any], story_id: str) -> int | None:
        row = self.conn.execute(
            f"SELECT s.sort_ts, s.rowid{_FROM}{where}{' AND' if where else ' WHERE'} s.id = ?",
            (*params, story_id),
        ).fetchone()
        if row is None:
            return None
        sort_ts, rowid = row
        before = (" AND" if where else " WHERE") + (
            " (s.sort_ts > ? OR (s.sort_ts = ? AND s.rowid < ?))"
        )
        return int(
            self.conn.execute(
                f"SELECT count(*){_FROM}{where}{before}", (*params, sort_ts, sort_ts, rowid)
            ).fetchone()[0]
        )

    def find_titles(self, words: Sequence[str], limit: int = 30) -> list[tuple[str, str, str]]:
        """(id, title, source) of recent stories whose titles hold every word (any case).

        Backs the command palette's "open story…": a LIKE scan, bounded by ``limit``.
        """
        clauses, params = [], []
        for word in words:
            escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            clauses.append("s.title LIKE ? ESCAPE '\\'")
            params.append(f"%{escaped}%")
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self.conn.execute(
            "SELECT s.id, s.title, src.name FROM stories s JOIN sources src ON src.id = s.source_id"
            f"{where} ORDER BY s.sort_ts DESC, s.rowid LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def iter_view(self, view: View, batch: int = 500) -> Iterator[Story]:
        """Every story of the view as whole ``Story`` objects, a batch at a time."""
        total = self.count(view)
        for offset in range(0, total, batch):
            rows = self.page(view, offset, batch, total)
            by_rowid = self.stories_by_rowid([r.rowid for r in rows])
            for r in rows:
                if r.rowid in by_rowid:
                    yield by_rowid[r.rowid]

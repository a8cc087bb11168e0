"""The store side of search: views with a query, snippets, and saved searches.

``Store.count``/``page``/``index_of`` hand any view with a ``query`` here. Each call picks one
of three plans, all paged with LIMIT/OFFSET so memory never grows with the number of hits:

* **ranked** (the query has words): FTS5 finds the hits; the view's filters are checked against
  narrow indexes (``story_state``, ``story_tags``, ``stories_search_meta``), never the wide story
  rows; bm25 orders them (ties: most recently added first) and SQLite's sorter keeps only the
  best ``offset + limit``. Whole rows are read for the page alone.
* **common words, newest first**: a word in more than half the cache says next to nothing about
  relevance (FTS5's bm25 floors its idf to almost zero), yet scoring 100,000 hits one by one
  costs ~90 ms. So a query whose hits are more than half the cache, and at least
  ``NEWEST_FIRST_MIN_HITS``, lists them newest first: near the top by walking the time index and
  checking each row against the FTS index (cost: the rows shown), deeper by sorting the hits'
  times (cost bounded by the hits, memory by the offset).
* **filters only, newest first** (no words: only filters and/or ``-word``): a plain view with
  extra conditions.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from reader.models import StoryRow, View
from reader.search import (
    BM25_WEIGHTS,
    MATCH_END,
    MATCH_START,
    Piece,
    SavedSearch,
    SearchQuery,
    fold,
    parse_query,
    split_marked,
)
from reader.store.connection import _ROW_COLUMNS, Store, StoreError, story_row
from reader.store.content_cache import ContentCache
from reader.text import clean_line

NEWEST_FIRST_MIN_HITS = 20_000
"""A query matching more than half the cache and at least this many stories is listed newest
first (see the module docstring). Below it, bm25 over every hit stays well under 50 ms."""

WALK_ROWS = 500
"""Pages of a common-words search within this many rows of the top walk the time index and
check each row; deeper pages sort all hits by time instead (bounded, whatever the offset)."""

SNIPPET_TOKENS = 14

_RANK = "bm25(stories_fts, {}, {}, {})".format(*BM25_WEIGHTS)
_FTS_MATCH = "stories_fts MATCH ?"


@dataclass(frozen=True, slots=True)
class _Filters:
    """The non-text conditions of a view and its query, combined."""

    unread: bool = False
    starred: bool = False
    source_ids: tuple[int, ...] | None = None  # None: any source; (): no source matched
    tags: tuple[str, ...] = ()

    @property
    def needs_state(self) -> bool:
        return self.unread or self.starred

    def clauses(self, rowid: str, source_id: str, walk: bool) -> tuple[list[str], list[Any]]:
        """SQL conditions, given how the row's rowid and source id are spelled (read state is
        always ``st``). With ``walk`` the query walks the time index, so the conditions are
        written (with ``+``) so SQLite checks them row by row instead of scanning for them
        and sorting every row they match."""
        plus = "+" if walk else ""
        clauses: list[str] = []
        params: list[Any] = []
        if self.unread:
            clauses.append(f"{plus}st.read = 0")
        if self.starred:
            clauses.append(f"{plus}st.starred = 1")
        if self.source_ids is not None:
            if len(self.source_ids) == 1:
                clauses.append(f"{source_id} = ?")  # stories_by_source_time keeps time order
            elif self.source_ids:
                marks = ",".join("?" * len(self.source_ids))
                clauses.append(f"{plus}{source_id} IN ({marks})")
            else:
                clauses.append("0")
            params.extend(self.source_ids)
        for tag in self.tags:
            clauses.append(
                f"EXISTS (SELECT 1 FROM story_tags t WHERE t.story = {rowid} AND t.tag = ?)"
            )
            params.append(tag)
        return clauses, params


@dataclass(frozen=True, slots=True)
class SearchPlan:
    """How one view with a query is answered: see the module docstring for ``kind``."""

    query: SearchQuery
    kind: str  # "ranked", "common" or "filters"
    filters: _Filters
    match: str | None


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One ranked result with its highlighted snippet."""

    row: StoryRow
    snippet: tuple[Piece, ...]


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: SearchQuery
    total: int
    hits: tuple[SearchHit, ...]


def resolve_sources(store: Store, names: Sequence[str]) -> tuple[tuple[int, ...], list[str]]:
    """Source ids for ``source:`` names: an exact (case-blind) name, else any name containing it.

    Returns the ids and an error line for each name that matched no source.
    """
    if not names:
        return (), []
    sources = store.conn.execute("SELECT id, name FROM sources").fetchall()
    ids: list[int] = []
    errors: list[str] = []
    for name in names:
        wanted = fold(name)
        found = [i for i, n in sources if fold(n) == wanted]
        found = found or [i for i, n in sources if wanted in fold(n)]
        if not found:
            errors.append(f"no source matches {clean_line(name)!r}")
        ids.extend(i for i in found if i not in ids)
    return tuple(ids), errors


def checked_query(store: Store, text: str) -> SearchQuery:
    """``parse_query``, plus the errors only the cache can tell (a ``source:`` naming none)."""
    query = parse_query(text)
    _, errors = resolve_sources(store, query.sources)
    return replace(query, errors=(*query.errors, *errors)) if errors else query


def plan(store: Store, view: View) -> SearchPlan:
    """Parse the view's query and decide how to answer it."""
    query = parse_query(view.query)
    source_ids: tuple[int, ...] | None = None
    if view.source_id is not None:
        source_ids = (view.source_id,)
    if query.sources:
        resolved, _ = resolve_sources(store, query.sources)
        source_ids = resolved if source_ids is None else tuple(
            i for i in source_ids if i in resolved
        )
    filters = _Filters(
        unread=view.unread_only or query.unread, starred=view.starred_only or query.starred,
        source_ids=source_ids, tags=query.tags,
    )
    match = query.match_expression
    if match is None:
        return SearchPlan(query, "filters", filters, None)
    common = _COMMON.get(store, match, lambda: _is_common(store, match))
    return SearchPlan(query, "common" if common else "ranked", filters, match)


_COMMON: ContentCache[bool] = ContentCache(64)


def _is_common(store: Store, match: str) -> bool:
    """Whether ``match`` hits more than half the cache and at least NEWEST_FIRST_MIN_HITS
    stories; counting stops at that bound, so this costs at most a bounded index walk."""
    total = int(store.conn.execute("SELECT count(*) FROM stories").fetchone()[0])
    bound = max(total // 2 + 1, NEWEST_FIRST_MIN_HITS)
    if bound > total:
        return False
    hits = store.conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM stories_fts WHERE {_FTS_MATCH} LIMIT ?)",
        (match, bound),
    ).fetchone()[0]
    return int(hits) >= bound


def _fts_sql(p: SearchPlan, with_meta: bool) -> tuple[str, list[Any]]:
    """FROM and WHERE of a query driven by the FTS5 index (aliases f, m, st): every hit is
    checked against narrow indexes, never the wide story rows."""
    with_meta = with_meta or p.filters.source_ids is not None
    sql = " FROM stories_fts f"
    if with_meta:
        sql += " CROSS JOIN stories m INDEXED BY stories_search_meta ON m.rowid = f.rowid"
    if p.filters.needs_state:
        sql += " CROSS JOIN story_state st ON st.story = f.rowid"
    clauses, params = p.filters.clauses("f.rowid", "m.source_id", walk=False)
    sql += " WHERE " + " AND ".join([_FTS_MATCH, *clauses])
    return sql, [p.match, *params]


def _narrow_sql(p: SearchPlan) -> tuple[str, list[Any]]:
    """FROM and WHERE over narrow indexes only (aliases m, st), for counting a filters-only
    plan: driven by the first tag when there is one, else a scan of the narrow index."""
    filters = p.filters
    sql = " FROM "
    params: list[Any] = []
    if filters.tags:
        sql += "story_tags t0 CROSS JOIN stories m INDEXED BY stories_search_meta"
        sql += " ON m.rowid = t0.story"
        filters = replace(filters, tags=filters.tags[1:])
    else:
        sql += "stories m INDEXED BY stories_search_meta"
    if filters.needs_state:
        sql += " CROSS JOIN story_state st ON st.story = m.rowid"
    clauses, more = filters.clauses("m.rowid", "m.source_id", walk=False)
    if p.filters.tags:
        clauses.insert(0, "t0.tag = ?")
        params.append(p.filters.tags[0])
    params.extend(more)
    if p.query.exclude_expression is not None:
        clauses.append(f"m.rowid NOT IN (SELECT rowid FROM stories_fts WHERE {_FTS_MATCH})")
        params.append(p.query.exclude_expression)
    return sql + ((" WHERE " + " AND ".join(clauses)) if clauses else ""), params


def _walk_where(p: SearchPlan) -> tuple[str, list[Any]]:
    """WHERE over ``_FROM`` (aliases s, st, src) for walking the time index newest first."""
    clauses, params = p.filters.clauses("s.rowid", "s.source_id", walk=True)
    if p.kind == "common":
        clauses.append(
            f"EXISTS (SELECT 1 FROM stories_fts WHERE {_FTS_MATCH} AND rowid = s.rowid)"
        )
        params.append(p.match)
    elif p.query.exclude_expression is not None:
        clauses.append(f"s.rowid NOT IN (SELECT rowid FROM stories_fts WHERE {_FTS_MATCH})")
        params.append(p.query.exclude_expression)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _count(store: Store, p: SearchPlan) -> int:
    if p.kind == "filters":
        sql, params = _narrow_sql(p)
    else:
        sql, params = _fts_sql(p, with_meta=False)
    return int(store.conn.execute(f"SELECT count(*){sql}", params).fetchone()[0])


def count(store: Store, view: View) -> int:
    return _count(store, plan(store, view))


def page(
    store: Store, view: View, offset: int, limit: int, total: int | None = None
) -> list[StoryRow]:
    p = plan(store, view)
    offset, limit = max(0, offset), max(0, limit)
    if p.kind == "filters" or (p.kind == "common" and offset + limit <= WALK_ROWS):
        if total is None:
            total = _count(store, p)
        return store.page_where(*_walk_where(p), offset, limit, total)
    if limit == 0:
        return []
    if p.kind == "common":
        sql, params = _fts_sql(p, with_meta=True)
        inner, order = f"m.sort_ts AS key{sql}", "key DESC, rid"
    else:
        sql, params = _fts_sql(p, with_meta=False)
        inner, order = f"{_RANK} AS key{sql}", "key, rid DESC"
    rows = store.conn.execute(
        f"SELECT {_ROW_COLUMNS} FROM ("
        f"SELECT f.rowid AS rid, {inner} ORDER BY {order} LIMIT ? OFFSET ?"
        ") h CROSS JOIN stories s ON s.rowid = h.rid"
        " CROSS JOIN story_state st ON st.story = s.rowid"
        " CROSS JOIN sources src ON src.id = s.source_id"
        f" ORDER BY h.{order.replace(', ', ', h.')}",
        (*params, limit, offset),
    ).fetchall()
    return [story_row(r) for r in rows]


def index_of(store: Store, view: View, story_id: str) -> int | None:
    p = plan(store, view)
    newer = "(m.sort_ts > ? OR (m.sort_ts = ? AND m.rowid < ?))"
    if p.kind == "filters":
        sql, params = _narrow_sql(p)
        sql += " AND" if " WHERE " in sql else " WHERE"
        target = store.conn.execute(
            f"SELECT m.sort_ts, m.rowid{sql} m.rowid = (SELECT rowid FROM stories WHERE id = ?)",
            (*params, story_id),
        ).fetchone()
        if target is None:
            return None
        ts, rowid = target
        return int(store.conn.execute(
            f"SELECT count(*){sql} {newer}", (*params, ts, ts, rowid)
        ).fetchone()[0])
    common = p.kind == "common"
    sql, params = _fts_sql(p, with_meta=common)
    target = store.conn.execute(
        f"SELECT f.rowid, {'m.sort_ts' if common else _RANK}{sql}"
        " AND f.rowid = (SELECT rowid FROM stories WHERE id = ?)",
        (*params, story_id),
    ).fetchone()
    if target is None:
        return None
    rowid, key = target
    if common:
        before, extra = newer.replace("m.rowid", "f.rowid"), [key, key, rowid]
    else:
        before, extra = f"({_RANK} < ? OR ({_RANK} = ? AND f.rowid > ?))", [key, key, rowid]
    return int(store.conn.execute(
        f"SELECT count(*){sql} AND {before}", (*params, *extra)
    ).fetchone()[0])


def snippets(store: Store, text: str, story_ids: Sequence[str]) -> dict[str, tuple[Piece, ...]]:
    """Highlighted snippets of the query's matches in each story, for the rows on screen.

    Stories the query has no words for, or that do not match, get no entry.
    """
    match = parse_query(text).match_expression
    out: dict[str, tuple[Piece, ...]] = {}
    if match is None:
        return out
    for story_id in story_ids:
        row = store.conn.execute(
            f"SELECT snippet(stories_fts, -1, ?, ?, '…', ?) FROM stories_fts WHERE {_FTS_MATCH}"
            " AND rowid = (SELECT rowid FROM stories WHERE id = ?)",
            (MATCH_START, MATCH_END, SNIPPET_TOKENS, match, story_id),
        ).fetchone()
        if row is not None and row[0]:
            out[story_id] = split_marked(row[0])
    return out


def search_stories(
    store: Store, text: str, offset: int = 0, limit: int = 20, view: View | None = None
) -> SearchResults:
    """One page of a search, best match first, each hit with its snippet (the CLI's shape)."""
    query = checked_query(store, text)
    searched = replace(view or View(), query=text)
    total = store.count(searched)
    rows = store.page(searched, offset, limit, total)
    found = snippets(store, text, [r.id for r in rows])
    hits = tuple(SearchHit(row=r, snippet=found.get(r.id, ())) for r in rows)
    return SearchResults(query=query, total=total, hits=hits)


# -- saved searches ------------------------------------------------------------------------------


def save_search(store: Store, name: str, query: str) -> SavedSearch:
    """Keep ``query`` as a view called ``name`` (replacing the query of a search of that name)."""
    name = clean_line(name)
    query = " ".join(query.split())
    if not name:
        raise StoreError("a saved search needs a name")
    if parse_query(query).is_empty:
        raise StoreError(f"nothing to search for in {query!r}")
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO saved_searches (name, query, added) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET query = excluded.query",
            (name, query, time.time()),
        )
    return SavedSearch(name=name, query=query)


def saved_searches(store: Store, counts: bool = True) -> list[SavedSearch]:
    """Saved searches by name; with ``counts``, how many stories (and unread) each holds now."""
    rows = store.conn.execute(
        "SELECT name, query FROM saved_searches ORDER BY name COLLATE NOCASE"
    ).fetchall()
    out = []
    for name, query in rows:
        if counts:
            view = View(query=query)
            out.append(SavedSearch(name, query, store.count(view),
                                   store.count(replace(view, unread_only=True))))
        else:
            out.append(SavedSearch(name, query))
    return out


def remove_saved_search(store: Store, name: str) -> bool:
    """Forget a saved search; False when there was none of that name."""
    with store.transaction() as conn:
        cur = conn.execute("DELETE FROM saved_searches WHERE name = ?", (clean_line(name),))
    return cur.rowcount > 0

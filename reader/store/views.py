"""Views: which stories a list shows, and in what order. One planner for plain lists and searches.

``plan`` turns a ``View`` (filters, and a search query parsed once on the view) into a
``ViewPlan``, cached per cache file and content generation; ``count``, ``page``, ``index_of``
and ``page_next_to`` answer from the plan. There are four kinds:

* **plain** (no query): in the view's sort order (``View.sort``), one index walk paged by
  keyset (``reader.store.orders``), filters checked row by row.
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

Every plan pages with LIMIT/OFFSET, so memory never grows with the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any, Literal

from reader.models import Story, StoryRow, View
from reader.records import record
from reader.search import BM25_WEIGHTS, SearchQuery
from reader.store import orders, rows
from reader.store.connection import Database
from reader.store.content_cache import ContentCache
from reader.store.filters import Hidden, hidden_clause, hidden_filter
from reader.store.sources import resolve_source_names
from reader.store.stories import stories_by_rowid

NEWEST_FIRST_MIN_HITS = 20_000
"""A query matching more than half the cache and at least this many stories is listed newest
first (see the module docstring). Below it, bm25 over every hit stays well under 50 ms."""

WALK_ROWS = 500
"""Pages of a common-words search within this many rows of the top walk the time index and
check each row; deeper pages sort all hits by time instead (bounded, whatever the offset)."""

RANK = "bm25(stories_fts, {}, {}, {})".format(*BM25_WEIGHTS)
"""The one bm25 expression: search ranking and related stories both order by it."""
FTS_MATCH = "stories_fts MATCH ?"

PlanKind = Literal["plain", "ranked", "common", "filters"]


def group_source_ids(db: Database, group: str) -> tuple[int, ...]:
    """The feeds of a folder."""
    return tuple(int(r[0]) for r in db.conn.execute(
        "SELECT id FROM sources WHERE group_name = ? ORDER BY id", (group,)))


@record
class Filters:
    """The non-text conditions of a view and its query, combined."""

    unread: bool = False
    starred: bool = False
    source_ids: tuple[int, ...] | None = None  # None: any source; (): no source matched
    tags: tuple[str, ...] = ()
    hidden: Hidden = "shown"

    @property
    def needs_state(self) -> bool:
        """Whether a condition reads ``story_state`` (read or starred)."""
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
        if self.hidden != "any":
            clauses.append(hidden_clause(rowid, self.hidden))
        return clauses, params


@record
class ViewPlan:
    """How one view is answered: see the module docstring for ``kind``."""

    query: SearchQuery
    kind: PlanKind
    filters: Filters
    match: str | None


SearchPlan = ViewPlan
"""The name the plan had when only searches had one."""

_PLANS: ContentCache[ViewPlan] = ContentCache(64)


def plan(db: Database, view: View) -> ViewPlan:
    """Decide how to answer ``view`` (a search's plan is cached until the cache's content
    changes; a plain view needs no lookup at all)."""
    if not view.query:
        return _make_plan(db, view)
    return _PLANS.get(db, view, lambda: _make_plan(db, view))


def _make_plan(db: Database, view: View) -> ViewPlan:
    query = view.search
    source_ids: tuple[int, ...] | None = None
    if view.source_id is not None:
        source_ids = (view.source_id,)
    if view.group is not None:
        in_group = group_source_ids(db, view.group)
        source_ids = in_group if source_ids is None else tuple(
            i for i in source_ids if i in in_group)
    if query.sources:
        resolved, _ = resolve_source_names(db, query.sources)
        source_ids = resolved if source_ids is None else tuple(
            i for i in source_ids if i in resolved
        )
    filters = Filters(
        unread=view.unread_only or query.unread, starred=view.starred_only or query.starred,
        source_ids=source_ids, tags=query.tags, hidden=hidden_filter(db, view),
    )
    if not view.query:
        return ViewPlan(query, "plain", filters, None)
    match = query.match_expression
    if match is None:
        return ViewPlan(query, "filters", filters, None)
    return ViewPlan(query, "common" if _is_common(db, match) else "ranked", filters, match)


def _is_common(db: Database, match: str) -> bool:
    """Whether ``match`` hits more than half the cache and at least NEWEST_FIRST_MIN_HITS
    stories; counting stops at that bound, so this costs at most a bounded index walk."""
    total = db.story_count()
    bound = max(total // 2 + 1, NEWEST_FIRST_MIN_HITS)
    if bound > total:
        return False
    hits = db.conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM stories_fts WHERE {FTS_MATCH} LIMIT ?)",
        (match, bound),
    ).fetchone()[0]
    return int(hits) >= bound


# -- SQL of each plan ----------------------------------------------------------------------------


def _fts_sql(p: ViewPlan, with_meta: bool) -> tuple[str, list[Any]]:
    """FROM and WHERE of a query driven by the FTS5 index (aliases f, m, st): every hit is
    checked against narrow indexes, never the wide story rows."""
    with_meta = with_meta or p.filters.source_ids is not None
    sql = " FROM stories_fts f"
    if with_meta:
        sql += " CROSS JOIN stories m INDEXED BY stories_search_meta ON m.rowid = f.rowid"
    if p.filters.needs_state:
        sql += " CROSS JOIN story_state st ON st.story = f.rowid"
    clauses, params = p.filters.clauses("f.rowid", "m.source_id", walk=False)
    sql += " WHERE " + " AND ".join([FTS_MATCH, *clauses])
    return sql, [p.match, *params]


def _narrow_sql(p: ViewPlan) -> tuple[str, list[Any]]:
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
        clauses.append(f"m.rowid NOT IN (SELECT rowid FROM stories_fts WHERE {FTS_MATCH})")
        params.append(p.query.exclude_expression)
    return sql + ((" WHERE " + " AND ".join(clauses)) if clauses else ""), params


def _walk_where(p: ViewPlan) -> tuple[str, list[Any]]:
    """WHERE over ``rows.STORY_FROM`` (aliases s, st, src) for walking the time index newest
    first."""
    clauses, params = p.filters.clauses("s.rowid", "s.source_id", walk=True)
    if p.kind == "common":
        clauses.append(
            f"EXISTS (SELECT 1 FROM stories_fts WHERE {FTS_MATCH} AND rowid = s.rowid)"
        )
        params.append(p.match)
    elif p.query.exclude_expression is not None:
        clauses.append(f"s.rowid NOT IN (SELECT rowid FROM stories_fts WHERE {FTS_MATCH})")
        params.append(p.query.exclude_expression)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


# -- newest-first listing of any WHERE clause over rows.STORY_FROM ------------------------------


def _count_where(db: Database, where: str, params: Sequence[Any]) -> int:
    if not where:
        return db.story_count()
    return int(db.conn.execute(f"SELECT count(*){rows.STORY_FROM}{where}",
                               params).fetchone()[0])


def _page_where(
    db: Database, where: str, params: Sequence[Any], offset: int, limit: int,
    total: int | None = None,
) -> list[StoryRow]:
    """Past the middle of the view the index is walked from the other end, so the last page
    costs what the first one does."""
    offset, limit = max(0, offset), max(0, limit)
    if total is None:
        total = _count_where(db, where, params)
    limit = min(limit, max(0, total - offset))
    if limit == 0:
        return []
    if offset > total // 2:
        rev_offset = total - offset - limit
        found = db.conn.execute(
            f"SELECT {rows.ROW_COLUMNS}{rows.STORY_FROM}{where}"
            " ORDER BY s.sort_ts ASC, s.rowid DESC LIMIT ? OFFSET ?",
            (*params, limit, rev_offset),
        ).fetchall()
        found.reverse()
    else:
        found = db.conn.execute(
            f"SELECT {rows.ROW_COLUMNS}{rows.STORY_FROM}{where}"
            " ORDER BY s.sort_ts DESC, s.rowid ASC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        ).fetchall()
    return [rows.story_row(r) for r in found]


# -- the view API -------------------------------------------------------------------------------


def count(db: Database, view: View) -> int:
    """How many stories the view holds (cheap: an index count, no rows loaded)."""
    p = plan(db, view)
    if p.kind == "plain":
        return orders.count(db, view)
    if p.kind == "filters":
        sql, params = _narrow_sql(p)
    else:
        sql, params = _fts_sql(p, with_meta=False)
    return int(db.conn.execute(f"SELECT count(*){sql}", params).fetchone()[0])


def page(
    db: Database, view: View, offset: int, limit: int, total: int | None = None
) -> list[StoryRow]:
    """Rows ``offset`` .. ``offset + limit`` of the view: newest first, or best match first
    when the view's query has words (see the module docstring)."""
    p = plan(db, view)
    if p.kind == "plain":
        return orders.page(db, view, offset, limit, total)
    offset, limit = max(0, offset), max(0, limit)
    if p.kind == "filters" or (p.kind == "common" and offset + limit <= WALK_ROWS):
        if total is None:
            total = count(db, view)
        return _page_where(db, *_walk_where(p), offset, limit, total)
    if limit == 0:
        return []
    if p.kind == "common":
        sql, params = _fts_sql(p, with_meta=True)
        inner, order = f"m.sort_ts AS key{sql}", "key DESC, rid"
    else:
        sql, params = _fts_sql(p, with_meta=False)
        inner, order = f"{RANK} AS key{sql}", "key, rid DESC"
    found = db.conn.execute(
        f"SELECT {rows.ROW_COLUMNS} FROM ("
        f"SELECT f.rowid AS rid, {inner} ORDER BY {order} LIMIT ? OFFSET ?"
        ") h CROSS JOIN stories s ON s.rowid = h.rid"
        " CROSS JOIN story_state st ON st.story = s.rowid"
        " CROSS JOIN sources src ON src.id = s.source_id"
        f" ORDER BY h.{order.replace(', ', ', h.')}",
        (*params, limit, offset),
    ).fetchall()
    return [rows.story_row(r) for r in found]


def page_next_to(db: Database, view: View, row: StoryRow, limit: int, *,
                 before: bool = False) -> list[StoryRow]:
    """The ``limit`` rows right after ``row`` in the view (or right before it): an index
    seek from a known row, so paging on costs the same at row 90,000 as at row 100.
    Not for searches, whose order is their rank (see ``orders.page_next_to``)."""
    return orders.page_next_to(db, view, row, limit, before=before)


def index_of(db: Database, view: View, story_id: str) -> int | None:
    """The position of a story in the view, or None if the view does not hold it."""
    p = plan(db, view)
    if p.kind == "plain":
        return orders.index_of(db, view, story_id)
    newer = "(m.sort_ts > ? OR (m.sort_ts = ? AND m.rowid < ?))"
    if p.kind == "filters":
        sql, params = _narrow_sql(p)
        sql += " AND" if " WHERE " in sql else " WHERE"
        target = db.conn.execute(
            f"SELECT m.sort_ts, m.rowid{sql} m.rowid = (SELECT rowid FROM stories WHERE id = ?)",
            (*params, story_id),
        ).fetchone()
        if target is None:
            return None
        ts, rowid = target
        return int(db.conn.execute(
            f"SELECT count(*){sql} {newer}", (*params, ts, ts, rowid)
        ).fetchone()[0])
    common = p.kind == "common"
    sql, params = _fts_sql(p, with_meta=common)
    target = db.conn.execute(
        f"SELECT f.rowid, {'m.sort_ts' if common else RANK}{sql}"
        " AND f.rowid = (SELECT rowid FROM stories WHERE id = ?)",
        (*params, story_id),
    ).fetchone()
    if target is None:
        return None
    rowid, key = target
    if common:
        before, extra = newer.replace("m.rowid", "f.rowid"), [key, key, rowid]
    else:
        before, extra = f"({RANK} < ? OR ({RANK} = ? AND f.rowid > ?))", [key, key, rowid]
    return int(db.conn.execute(
        f"SELECT count(*){sql} AND {before}", (*params, *extra)
    ).fetchone()[0])


def iter_rows(db: Database, view: View, batch: int = 500) -> Iterator[list[StoryRow]]:
    """Every row of the view in its order, ``batch`` rows at a time, memory flat.

    A view without a query is one statement read as it goes (no OFFSET, which would walk
    the index again for every page: 100,000 rows cost the same per row as 1,000); a search
    is read a page at a time in its rank order.
    """
    if not view.query:
        yield from orders.iter_rows(db, view, batch)
        return
    total = count(db, view)
    for offset in range(0, total, batch):
        yield page(db, view, offset, batch, total)


def iter_stories(db: Database, view: View, batch: int = 500) -> Iterator[list[Story]]:
    """Every whole story of the view in its order, ``batch`` at a time, memory flat (as
    ``iter_rows``): ``list --json`` reads 100,000 stories in one pass, not one by one."""
    if not view.query:
        yield from orders.iter_stories(db, view, batch)
        return
    for page_rows in iter_rows(db, view, batch):
        by_rowid = stories_by_rowid(db, [r.rowid for r in page_rows])
        yield [by_rowid[r.rowid] for r in page_rows if r.rowid in by_rowid]


def next_to(db: Database, view: View, row: StoryRow, *, before: bool = False) -> StoryRow | None:
    """The row right after ``row`` in the view's order (right before it, ``before``), or None
    at the end; ``row`` need not be in the view itself. A search pages by position, but one
    step from a row is a seek too: newest first from its time, or from its rank (bm25 is
    worked out for every hit, as for a page)."""
    p = plan(db, view)
    if p.kind == "plain":
        found = orders.page_next_to(db, view, row, 1, before=before)
        return found[0] if found else None
    if p.kind in ("filters", "common"):
        where, params = _walk_where(p)
        later = "(s.sort_ts > ? OR (s.sort_ts = ? AND s.rowid < ?))" if before else \
            "(s.sort_ts < ? OR (s.sort_ts = ? AND s.rowid > ?))"
        order = "s.sort_ts ASC, s.rowid DESC" if before else "s.sort_ts DESC, s.rowid ASC"
        hit = db.conn.execute(
            f"SELECT s.rowid{rows.STORY_FROM}{where}{' AND' if where else ' WHERE'} {later}"
            f" ORDER BY {order} LIMIT 1", (*params, row.sort_ts, row.sort_ts, row.rowid),
        ).fetchone()
    else:
        key = db.conn.execute(f"SELECT {RANK} FROM stories_fts WHERE {FTS_MATCH} AND rowid = ?",
                              (p.match, row.rowid)).fetchone()
        if key is None:
            return None
        sql, params = _fts_sql(p, with_meta=False)
        later = f"({RANK} < ? OR ({RANK} = ? AND f.rowid > ?))" if before else \
            f"({RANK} > ? OR ({RANK} = ? AND f.rowid < ?))"
        order = "key DESC, f.rowid" if before else "key, f.rowid DESC"
        hit = db.conn.execute(
            f"SELECT f.rowid, {RANK} AS key{sql} AND {later} ORDER BY {order} LIMIT 1",
            (*params, key[0], key[0], row.rowid),
        ).fetchone()
    if hit is None:
        return None
    found = db.conn.execute(f"SELECT {rows.ROW_COLUMNS}{rows.STORY_FROM} WHERE s.rowid = ?",
                            (hit[0],)).fetchone()
    return rows.story_row(found) if found else None


def selected(db: Database, view: View) -> tuple[str | None, list[Any]]:
    """A SELECT of the row number of every story the view holds, in no order (to mark them
    all in one statement): the view's own plan, so a search, a source, a folder or the
    unread-only view is exactly what the list shows. None: every story of the cache."""
    p = plan(db, view)
    if p.kind == "plain":
        sql, params = orders.selected(db, view)
        return sql, list(params)
    if p.kind == "filters":
        sql, more = _narrow_sql(p)
        return f"SELECT m.rowid{sql}", more
    sql, more = _fts_sql(p, with_meta=False)
    return f"SELECT f.rowid{sql}", more

"""How a view without a search is listed in each sort order: one index walk, paged by keyset.

The story list's orders (``View.sort``) are newest first, oldest first, unread first (then
newest) and by source (then newest). Each is a walk of an index in the order itself, so the
first page reads 64 rows whatever the cache's size, and paging on from a row is a seek:

* **newest / oldest**: ``stories_by_time`` (sort time, row) forwards or backwards; the
  unread-only view walks ``story_state_by_read_time`` (read, sort time, row) from ``read = 0``
  instead, so a cache with 40 unread stories among 100,000 lists them without looking at the
  others.
* **unread first**: ``story_state_by_read_time`` as it stands: unread stories newest first,
  then the read ones. ``story_state.sort_ts`` is a copy of the story's sort time (the sort
  orders' schema migration) because an index cannot span two tables.
* **by source**: ``sources_by_name`` (name, id) and, for each source, ``stories_by_source_time``.

An order is a **group** (nothing; the read state; the source) and, within a group, the time
and row. A row read from a page carries its group as it was read (``StoryRow.order_key``), so
the page after it is found from where it *was*, even if it has been marked read since. Paging
on from a row is then two seeks: the rest of its group, then the groups after it.

A view of one source (``source_id``) walks that source's own index; in the orders by group its
rows are sorted (a source holds a few thousand stories: a couple of milliseconds).

Every walk reads indexes and narrow tables only; the 64 rows of a page are then read whole. At
100,000 stories (2,000 feeds, 40,000 unread; loaded machine, best of 5), every order: first
page 0.3 ms, a page from the middle (a jump: ``G``, the scrollbar) 0.7-1.7 ms, the next page
from a row 0.3-0.4 ms, a story's position 1.2-2.8 ms, the unread count 1.1 ms. Before, with
the whole rows joined while walking: the middle page 167 ms, a position 214 ms; and unread
first, without its index, 460 ms for the first page.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from reader.models import SortOrder, Story, StoryRow, View
from reader.records import record
from reader.store import rows
from reader.store.connection import Database
from reader.store.filters import Hidden, hidden_clause, hidden_filter

_STATE = " CROSS JOIN story_state st ON st.story = {row}"
_SOURCE = " CROSS JOIN sources src ON src.id = s.source_id"
_STORY = " CROSS JOIN stories s ON s.rowid = st.story"


@record
class Key:
    """One column of an order: its SQL (over ``s``, ``st``, ``src``) and its direction."""

    column: str
    descending: bool

    def sql(self, reverse: bool) -> str:
        return f"{self.column} {'ASC' if self.descending == reverse else 'DESC'}"

    def after(self, reverse: bool) -> str:
        """The comparison that holds for a value coming later in the order than ``?``."""
        return "<" if self.descending != reverse else ">"


@record
class Walk:
    """How one view is listed in one order.

    ``narrow`` is the FROM of the walk itself: only indexes and narrow tables (never the wide
    ``stories`` rows, whose body text makes each visit costly: skipping 50,000 rows of the
    joined list took 130 ms, of the index 0.4 ms); the page's rows are joined afterwards.
    ``full`` walks the same way with every table joined, for reading rows as it goes.
    """

    narrow: str
    full: str
    where: tuple[str, ...]
    params: tuple[Any, ...]
    group: tuple[Key, ...]
    time: Key
    row: Key

    @property
    def keys(self) -> tuple[Key, ...]:
        return (*self.group, self.time, self.row)

    def where_sql(self, *more: str) -> str:
        clauses = [*self.where, *more]
        return (" WHERE " + " AND ".join(clauses)) if clauses else ""

    def order_by(self, reverse: bool = False) -> str:
        return " ORDER BY " + ", ".join(key.sql(reverse) for key in self.keys)

    def group_columns(self, prefix: str = ", ") -> str:
        """The group's columns (for ``StoryRow.order_key``), each after ``prefix``."""
        return "".join(f"{prefix}{key.column.removesuffix(' COLLATE NOCASE')}"
                       for key in self.group)

    def within_after(self, reverse: bool) -> str:
        """Rows after (time ``?``, row ``?``) within a group; 3 parameters (time, time, row).
        The first, redundant bound lets SQLite seek the index instead of testing each row."""
        t, r = self.time, self.row
        bound = "<=" if t.after(reverse) == "<" else ">="
        return (f"{t.column} {bound} ? AND ({t.column} {t.after(reverse)} ?"
                f" OR {r.column} {r.after(reverse)} ?)")

    def groups_after(self, reverse: bool) -> str:
        """Rows of the groups after a group (``groups_after_params`` gives its parameters)."""
        *first, last = self.group
        condition = f"{last.column} {last.after(reverse)} ?"
        for key in reversed(first):
            condition = (f"({key.column} {key.after(reverse)} ?"
                         f" OR ({key.column} = ? AND {condition}))")
        return condition

    def groups_after_params(self, group: Sequence[Any]) -> list[Any]:
        params: list[Any] = []
        for value in group[:-1]:
            params += [value, value]
        return [*params, group[-1]]

    def same_group(self) -> list[str]:
        return [f"{key.column} = ?" for key in self.group]

    def rows_of(self, walked: str, reverse: bool) -> str:
        """A page: ``walked`` (a SELECT over ``narrow`` ending in its LIMIT) picks the rows,
        then their list columns are read, in the walk's order."""
        picked = ", ".join(f"{key.column.removesuffix(' COLLATE NOCASE')} AS k{n}"
                           for n, key in enumerate(self.keys))
        order = ", ".join(key.sql(reverse).replace(key.column.split()[0], f"h.k{n}", 1)
                          for n, key in enumerate(self.keys))
        group = "".join(f", h.k{n}" for n in range(len(self.group)))
        return (f"SELECT {rows.ROW_COLUMNS}{group} FROM (SELECT {picked}{walked}) h"
                f" CROSS JOIN stories s ON s.rowid = h.k{len(self.keys) - 1}"
                " CROSS JOIN story_state st ON st.story = s.rowid"
                f"{_SOURCE} ORDER BY {order}")


def walk(db: Database, view: View, hidden: Hidden | None = None) -> Walk:
    """How ``view`` (no query) is listed in ``view.sort``. Stories a filter hid are left out
    (``hidden``: instead of what the view itself lists of them)."""
    order: SortOrder = view.sort
    where: list[str] = []
    params: list[Any] = []
    needs_state = view.unread_only or view.starred_only or order == "unread"
    narrowed = view.source_id is not None or view.group is not None
    if not narrowed and (order == "unread" or (view.unread_only and order != "source")):
        # The read-state index itself: stories are not visited at all.
        narrow = " FROM story_state st"
        full = narrow + _STORY + _SOURCE
        if view.unread_only:
            where.append("st.read = 0")
        time, row = Key("st.sort_ts", order != "oldest"), Key("st.story", order == "oldest")
    else:
        if view.source_id is not None:
            where.append("s.source_id = ?")  # stories_by_source_time keeps time order
            params.append(view.source_id)
        if view.group is not None:  # a folder: its feeds' stories, sorted (a few thousand)
            where.append("s.source_id IN (SELECT id FROM sources WHERE group_name = ?)")
            params.append(view.group)
        state = _STATE.format(row="s.rowid")
        if order == "source" and not narrowed:
            narrow = " FROM sources src CROSS JOIN stories s ON s.source_id = src.id"
            narrow += state if needs_state else ""
            full = narrow + ("" if needs_state else state)
        else:
            narrow = " FROM stories s" + (state if needs_state else "")
            if order == "source":
                narrow += _SOURCE  # one source: its name and id are the same on every row
            full = narrow + ("" if needs_state else state) + ("" if order == "source"
                                                               else _SOURCE)
        if view.unread_only:
            where.append("+st.read = 0")  # "+": tested row by row on the walk
        time, row = Key("s.sort_ts", order != "oldest"), Key("s.rowid", order == "oldest")
    if view.starred_only:
        where.append("+st.starred = 1")
    which = hidden_filter(db, view) if hidden is None else hidden
    if which != "any":
        where.append(hidden_clause(row.column, which))
    group: tuple[Key, ...] = ()
    if order == "unread":
        group = (Key("st.read", descending=False),)
    elif order == "source":
        group = (Key("src.name COLLATE NOCASE", descending=False),
                 Key("src.id", descending=False))
    return Walk(narrow, full, tuple(where), tuple(params), group, time, row)


def _row(w: Walk, r: Sequence[Any]) -> StoryRow:
    return rows.story_row(r, order_key=tuple(r[rows.ROW_WIDTH:]) if w.group else ())


def _key_of(w: Walk, row: StoryRow) -> tuple[tuple[Any, ...], float, int]:
    """A row's place in the walk's order: its group as read, its time, its row."""
    if len(row.order_key) != len(w.group):
        raise ValueError("the row was not read in this order: page from a position instead")
    return tuple(row.order_key), row.sort_ts, row.rowid


# -- a view without a query, in its order --------------------------------------------------------


def count(db: Database, view: View) -> int:
    """How many stories the view holds, from narrow indexes only: the unread stories of the
    whole cache are an index range of ``story_state`` (1 ms at 100,000 stories). Stories a
    filter hid are few: the view's count as if none were, less its hidden ones (found from
    the hidden set), costs far less than testing every row."""
    if view.source_id is None and view.group is None:
        where = [c for c, on in (("st.read = 0", view.unread_only),
                                 ("st.starred = 1", view.starred_only)) if on]
        total = int(db.conn.execute(
            "SELECT count(*) FROM story_state st"
            + (" WHERE " + " AND ".join(where) if where else "")).fetchone()[0]) \
            if where else db.story_count()
    else:
        w = walk(db, replace(view, sort="newest"), hidden="any")
        total = int(db.conn.execute(f"SELECT count(*){w.narrow}{w.where_sql()}",
                                    w.params).fetchone()[0])
    if hidden_filter(db, view) != "shown":
        return total
    w = walk(db, replace(view, sort="newest"), hidden="any")
    hidden = db.conn.execute(
        "SELECT count(*) FROM hidden h CROSS JOIN stories s ON s.rowid = h.story"
        f" CROSS JOIN story_state st ON st.story = h.story{w.where_sql()}",
        w.params).fetchone()[0]
    return total - int(hidden)


def page(db: Database, view: View, offset: int, limit: int,
         total: int | None = None) -> list[StoryRow]:
    """Rows ``offset`` .. ``offset + limit`` of the view in its order. Past the middle the
    index is walked from the other end, so the last page costs what the first one does."""
    offset, limit = max(0, offset), max(0, limit)
    if total is None:
        total = count(db, view)
    limit = min(limit, max(0, total - offset))
    if limit == 0:
        return []
    w = walk(db, view)
    reverse = offset > total // 2
    found = db.conn.execute(
        w.rows_of(f"{w.narrow}{w.where_sql()}{w.order_by(reverse)} LIMIT ? OFFSET ?",
                  reverse),
        (*w.params, limit, total - offset - limit if reverse else offset),
    ).fetchall()
    if reverse:
        found.reverse()
    return [_row(w, r) for r in found]


def page_next_to(db: Database, view: View, row: StoryRow, limit: int, *,
                 before: bool = False) -> list[StoryRow]:
    """The ``limit`` rows right after (or before) ``row`` in the view: the rest of the row's
    group, then the groups after it, each an index seek, so paging on costs the same at row
    90,000 as at row 100."""
    w = walk(db, view)
    group, time, rowid = _key_of(w, row)
    order = w.order_by(before)
    found = db.conn.execute(
        w.rows_of(f"{w.narrow}{w.where_sql(*w.same_group(), w.within_after(before))}{order}"
                  " LIMIT ?", before),
        (*w.params, *group, time, time, rowid, limit),
    ).fetchall()
    if w.group and len(found) < limit:
        found += db.conn.execute(
            w.rows_of(f"{w.narrow}{w.where_sql(w.groups_after(before))}{order} LIMIT ?",
                      before),
            (*w.params, *w.groups_after_params(group), limit - len(found)),
        ).fetchall()
    if before:
        found.reverse()
    return [_row(w, r) for r in found]


def index_of(db: Database, view: View, story_id: str) -> int | None:
    """The position of a story in the view, or None if the view does not hold it: the rows
    of the groups before its own, and those before it in its group (index counts)."""
    w = walk(db, view)
    # Found by its id (the id index), whatever the walk's join order.
    target = db.conn.execute(
        f"SELECT s.sort_ts, s.rowid{w.group_columns()}{rows.STORY_FROM}"
        f"{w.where_sql('s.id = ?')}", (*w.params, story_id),
    ).fetchone()
    if target is None:
        return None
    time, rowid, *group = target
    earlier = int(db.conn.execute(
        f"SELECT count(*){w.narrow}{w.where_sql(*w.same_group(), w.within_after(True))}",
        (*w.params, *group, time, time, rowid),
    ).fetchone()[0])
    if w.group:
        earlier += int(db.conn.execute(
            f"SELECT count(*){w.narrow}{w.where_sql(w.groups_after(True))}",
            (*w.params, *w.groups_after_params(group)),
        ).fetchone()[0])
    return earlier


def iter_rows(db: Database, view: View, batch: int = 500) -> Iterator[list[StoryRow]]:
    """Every row of the view in its order, read as one statement, ``batch`` rows at a time."""
    w = walk(db, view)
    cursor = db.conn.execute(
        f"SELECT {rows.ROW_COLUMNS}{w.group_columns()}{w.full}{w.where_sql()}{w.order_by()}",
        w.params)
    while found := cursor.fetchmany(batch):
        yield [_row(w, r) for r in found]


def iter_stories(db: Database, view: View, batch: int = 500) -> Iterator[list[Story]]:
    """Every whole story of the view in its order, read as one statement."""
    for found in iter_columns(db, view, rows.STORY_COLUMNS, batch):
        yield [rows.story(r) for r in found]


def iter_columns(db: Database, view: View, columns: str,
                 batch: int = 500) -> Iterator[list[Any]]:
    """``columns`` (SQL over ``s``, ``st``, ``src``) of every row of the view in its order,
    read as one statement, ``batch`` rows at a time."""
    w = walk(db, view)
    cursor = db.conn.execute(f"SELECT {columns}{w.full}{w.where_sql()}{w.order_by()}",
                             w.params)
    while found := cursor.fetchmany(batch):
        yield found


def selected(db: Database, view: View) -> tuple[str | None, tuple[Any, ...]]:
    """A SELECT of the row number of every story in the view (to mark them all at once);
    None for the whole cache, which needs no list of rows at all."""
    w = walk(db, replace(view, sort="newest"))
    if not w.where:
        return None, ()
    return f"SELECT {w.row.column}{w.narrow}{w.where_sql()}", w.params

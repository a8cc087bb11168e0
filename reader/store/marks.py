"""Marks in bulk and triage: every story of a view (or of ``reader mark``'s selection) marked in
one statement, and the next unread story of a view.

``Store.mark`` marks stories named by id; here the stories are named by a view (the app's ``A``:
"mark everything I am looking at read") or by the command line's selectors, which combine with
AND. Both end in ``stories.mark_rows``: one UPDATE of ``story_state`` that returns the rows it
changed (a ``BulkMark``), so undo (``stories.unmark``) can put back exactly those (a story
that was read already stays read), and the sync outbox triggers see every change.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from reader.models import BulkMark, MarkField, StoryRow, View
from reader.records import record
from reader.store import views
from reader.store.connection import Database
from reader.store.filters import has_hidden, hidden_clause
from reader.store.stories import mark_rows


def _column(field: MarkField) -> str:
    return {"read": "read", "starred": "starred"}[field]


def count_to_mark(db: Database, view: View, field: MarkField, value: bool) -> int:
    """How many stories of the view marking them all would change (the confirm prompt's
    number): the view's unread stories for "read", an index count."""
    if field == "read" and value:
        return views.count(db, replace(view, unread_only=True))
    selected, params = views.selected(db, view)
    within = f" AND story IN ({selected})" if selected is not None else ""
    return int(db.conn.execute(
        f"SELECT count(*) FROM story_state WHERE {_column(field)} != ?{within}",
        (int(value), *params)).fetchone()[0])


def mark_view(db: Database, view: View, field: MarkField, value: bool) -> BulkMark:
    """Mark every story of the view in one statement; returns the rows it changed."""
    selected, params = views.selected(db, view)
    return mark_rows(db, selected, params, field, value)


def story_ids(db: Database, rows: tuple[int, ...]) -> list[str]:
    """The ids of stories given by row number (those since deleted left out), in order."""
    found = dict(db.conn.execute(
        "SELECT rowid, id FROM stories WHERE rowid IN (SELECT value FROM json_each(?))",
        (json.dumps(rows),)).fetchall())
    return [found[row] for row in rows if row in found]


@record
class Selection:
    """Which stories ``reader mark`` marks. Every condition given must hold; none given is
    every story (the command asks for ``--all`` to say so)."""

    ids: tuple[str, ...] = ()
    """Whole story ids (prefixes are resolved before). Named stories are marked even when a
    filter hid them; every other selection leaves those out, as every view does, unless its
    query says ``is:hidden``."""
    source_ids: tuple[int, ...] | None = None
    """--source and --group, resolved; None: any source."""
    query: str | None = None
    older_than: float | None = None
    """A Unix time: only stories whose date (published, else first seen) is earlier."""


def _selection_sql(db: Database, selection: Selection) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if selection.ids:
        clauses.append("s.id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(list(selection.ids)))
    if selection.source_ids is not None:
        clauses.append("s.source_id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(list(selection.source_ids)))
    if selection.older_than is not None:
        clauses.append("s.sort_ts < ?")
        params.append(selection.older_than)
    planned = False  # the search's plan says which hidden stories it takes
    if selection.query:
        # Hidden stories left out, unless the search says is:hidden.
        matching, more = views.selected(db, View(query=selection.query))
        if matching is not None:
            clauses.append(f"s.rowid IN ({matching})")
            params.extend(more)
            planned = True
    if not planned and not selection.ids and has_hidden(db):
        # A source, a folder, an age, --all: views of the cache, which never show what a
        # filter hid (the app's A on the same view leaves them out too).
        clauses.append(hidden_clause("s.rowid", "shown"))
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return f"SELECT s.rowid FROM stories s{where}", params


def selection_to_mark(db: Database, selection: Selection, field: MarkField, value: bool,
                      limit: int) -> tuple[int, list[str]]:
    """How many stories marking the selection would change, and the ids of the first
    ``limit`` of them (``--dry-run``), newest first."""
    selected, params = _selection_sql(db, selection)
    changing = (f" FROM story_state st JOIN stories s ON s.rowid = st.story"
                f" WHERE st.{_column(field)} != ? AND st.story IN ({selected})")
    total = int(db.conn.execute(f"SELECT count(*){changing}",
                                (int(value), *params)).fetchone()[0])
    ids = [r[0] for r in db.conn.execute(
        f"SELECT s.id{changing} ORDER BY s.sort_ts DESC, s.rowid LIMIT ?",
        (int(value), *params, limit))]
    return total, ids


def mark_selection(db: Database, selection: Selection, field: MarkField,
                   value: bool) -> BulkMark:
    """Mark every story of the selection in one statement; returns the rows it changed."""
    selected, params = _selection_sql(db, selection)
    return mark_rows(db, selected, params, field, value)


# -- triage ---------------------------------------------------------------------------------------


@record
class NextUnread:
    """The unread story ``n``/``p`` goes to: its row, its position in the view, and whether
    the search for it went past the end of the view (or its start) and on from the other."""

    row: StoryRow
    index: int
    wrapped: bool
    unread: int
    """How many unread stories the view holds (this one included)."""


def next_unread(db: Database, view: View, after: StoryRow | None, *,
                backwards: bool = False, from_here: bool = False) -> NextUnread | None:
    """The first unread story after ``after`` in the view's order (before it, ``backwards``),
    wrapping around; from the top (the bottom) without ``after``; ``after`` itself first
    with ``from_here`` (the cursor rests on an unread story nobody opened yet). None when
    the view holds no unread story other than ``after``.

    A seek from ``after`` in the view's unread stories: in the orders by time it walks the
    read-state index, so the next unread story 90,000 read ones away costs no more than the
    adjacent one.
    """
    unread = replace(view, unread_only=True)
    total = views.count(db, unread)
    if total == 0:
        return None
    found = None
    if after is not None and from_here and views.index_of(db, unread, after.id) is not None:
        found = after  # unread, and in the view
    elif after is not None:
        found = views.next_to(db, unread, after, before=backwards)
    wrapped = False
    if found is None:
        found = views.page(db, unread, total - 1 if backwards else 0, 1, total)[0]
        wrapped = after is not None
        if after is not None and found.id == after.id:
            return None
    index = views.index_of(db, view, found.id)
    if index is None:
        return None
    return NextUnread(found, index, wrapped, total)

"""Searching from the outside: a page of results with snippets, and saved searches.

The ordering and paging of a search are the view planner's (``views``); this module adds what
only a search shows: the errors only the cache can tell (a ``source:`` naming none), the
highlighted snippet of each hit, and searches kept by name as views beside the sources.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from reader.models import StoryRow, View
from reader.records import record
from reader.search import (
    MATCH_END,
    MATCH_START,
    Piece,
    SavedSearch,
    SearchQuery,
    parse_query,
    split_marked,
)
from reader.store import views
from reader.store.connection import Database
from reader.store.errors import StoreError
from reader.store.sources import resolve_source_names
from reader.text import clean_line

SNIPPET_TOKENS = 14
"""Words of context ``snippet()`` shows around a match: about one line of a terminal."""


@record
class SearchHit:
    """One ranked result with its highlighted snippet."""

    row: StoryRow
    snippet: tuple[Piece, ...]


@record
class SearchResults:
    """One page of a search: the parsed query (with its notes and errors), how many stories
    match in all, and the page's hits."""

    query: SearchQuery
    total: int
    hits: tuple[SearchHit, ...]


def checked_query(db: Database, text: str | SearchQuery) -> SearchQuery:
    """``parse_query`` (unless given parsed), plus the errors only the cache can tell (a
    ``source:`` naming none)."""
    query = text if isinstance(text, SearchQuery) else parse_query(text)
    _, errors = resolve_source_names(db, query.sources)
    return replace(query, errors=(*query.errors, *errors)) if errors else query


def snippets(db: Database, text: str | SearchQuery,
             story_ids: Sequence[str]) -> dict[str, tuple[Piece, ...]]:
    """Highlighted snippets of the query's matches in each story, for the rows on screen.

    Stories the query has no words for, or that do not match, get no entry. ``text`` may be
    the query already parsed (a view's ``search``), so it is not parsed again.
    """
    query = text if isinstance(text, SearchQuery) else parse_query(text)
    match = query.match_expression
    out: dict[str, tuple[Piece, ...]] = {}
    if match is None:
        return out
    for story_id in story_ids:
        row = db.conn.execute(
            f"SELECT snippet(stories_fts, -1, ?, ?, '…', ?), snippet(stories_fts, 0, ?, ?, '…', ?)"
            f" FROM stories_fts"
            f" WHERE {views.FTS_MATCH} AND rowid = (SELECT rowid FROM stories WHERE id = ?)",
            (MATCH_START, MATCH_END, SNIPPET_TOKENS) * 2 + (match, story_id),
        ).fetchone()
        if row is not None and row[0]:
            # FTS5 picks the column that matches best but does not say which: it is the title
            # (plain text, not Markdown) when the title's own snippet is the same.
            out[story_id] = split_marked(row[0], markdown=row[0] != row[1])
    return out


def search_stories(
    db: Database, text: str, offset: int = 0, limit: int = 20, view: View | None = None
) -> SearchResults:
    """One page of a search, best match first, each hit with its snippet (the CLI's shape).
    The text is parsed once, by the view."""
    searched = replace(view or View(), query=text)
    query = checked_query(db, searched.search)
    total = views.count(db, searched)
    found = views.page(db, searched, offset, limit, total)
    pieces = snippets(db, searched.search, [r.id for r in found])
    hits = tuple(SearchHit(row=r, snippet=pieces.get(r.id, ())) for r in found)
    return SearchResults(query=query, total=total, hits=hits)


# -- saved searches ------------------------------------------------------------------------------


def save_search(db: Database, name: str, query: str) -> SavedSearch:
    """Keep ``query`` as a view called ``name`` (replacing the query of a search of that name)."""
    name = clean_line(name)
    query = " ".join(query.split())
    if not name:
        raise StoreError("a saved search needs a name")
    if parse_query(query).is_empty:
        raise StoreError(f"nothing to search for in {query!r}")
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO saved_searches (name, query, added) VALUES (?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET query = excluded.query",
            (name, query, time.time()),
        )
    return SavedSearch(name=name, query=query)


def saved_searches(db: Database, counts: bool = True) -> list[SavedSearch]:
    """Saved searches by name; with ``counts``, how many stories (and unread) each holds now."""
    found = db.conn.execute(
        "SELECT name, query FROM saved_searches ORDER BY name COLLATE NOCASE"
    ).fetchall()
    out = []
    for name, query in found:
        if counts:
            view = View(query=query)
            out.append(SavedSearch(name, query, views.count(db, view),
                                   views.count(db, replace(view, unread_only=True))))
        else:
            out.append(SavedSearch(name, query))
    return out


def remove_saved_search(db: Database, name: str) -> bool:
    """Forget a saved search; False when there was none of that name."""
    with db.transaction() as conn:
        cur = conn.execute("DELETE FROM saved_searches WHERE name = ?", (clean_line(name),))
    return cur.rowcount > 0

"""The SQL behind related stories: how common a term is, which stories share terms, copies.

The choices (which terms are distinctive, which candidates are listed and why) are pure
functions in ``reader.related``; this module only asks the cache. Document frequencies are
counted with FTS5 queries that stop at a cap rather than read from the ``stories_vocab``
table: the vocab table walks a term's whole posting list, which for the common words of a
story adds up to ~100 ms at 100,000 stories.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from reader.identity import normalise_title
from reader.models import Story
from reader.records import record
from reader.search import fts_string
from reader.store.connection import Database
from reader.store.views import RANK


@record
class Candidate:
    """A story that shares terms with the one asked about, in rank order, with what grouping
    copies of one story needs (its link and normalised title) and its source."""

    rowid: int
    id: str
    url: str | None
    norm_title: str
    source_id: int


def document_frequency(db: Database, term: str, cap: int) -> int:
    """How many stories contain ``term``, counting no further than ``cap``."""
    return int(db.conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM stories_fts WHERE stories_fts MATCH ? LIMIT ?)",
        (fts_string(term), cap),
    ).fetchone()[0])


def source_frequency(db: Database, term: str, source_id: int, cap: int) -> int:
    """How many stories of one source contain ``term``, counting no further than ``cap``."""
    return int(db.conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM stories_fts f"
        " CROSS JOIN stories m INDEXED BY stories_search_meta ON m.rowid = f.rowid"
        " WHERE stories_fts MATCH ? AND m.source_id = ? LIMIT ?)",
        (fts_string(term), source_id, cap),
    ).fetchone()[0])


def source_spread(db: Database, term: str, cap: int, enough: int) -> int:
    """In how many sources' stories ``term`` appears (among its first ``cap`` stories),
    counting no further than ``enough``: a generic word reaches it within a few rows."""
    return int(db.conn.execute(
        "SELECT count(*) FROM (SELECT DISTINCT m.source_id FROM"
        " (SELECT rowid FROM stories_fts WHERE stories_fts MATCH ? LIMIT ?) f"
        " CROSS JOIN stories m INDEXED BY stories_search_meta ON m.rowid = f.rowid LIMIT ?)",
        (fts_string(term), cap, enough),
    ).fetchone()[0])


def source_count(db: Database) -> int:
    """How many sources the cache holds."""
    return int(db.conn.execute("SELECT count(*) FROM sources").fetchone()[0])


def source_size(db: Database, source_id: int, cap: int) -> int:
    """How many stories a source holds, counting no further than ``cap``."""
    return int(db.conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM stories WHERE source_id = ? LIMIT ?)",
        (source_id, cap),
    ).fetchone()[0])


def holding(db: Database, term: str, rowids: Sequence[int]) -> set[int]:
    """Which of the stories ``rowids`` contain ``term``."""
    if not rowids:
        return set()
    return {r[0] for r in db.conn.execute(
        "SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?"
        " AND rowid IN (SELECT value FROM json_each(?))",
        (fts_string(term), json.dumps(list(rowids))),
    )}


def _copy_clauses(story: Story) -> tuple[list[str], list[str]]:
    clauses: list[str] = []
    params: list[str] = []
    if story.url:
        clauses.append("s.url = ?")
        params.append(story.url)
    norm = normalise_title(story.title)
    if norm:
        clauses.append("s.norm_title = ?")
        params.append(norm)
    return clauses, params


def also_in(db: Database, story: Story) -> list[str]:
    """Names of the other sources carrying the same story (same link or normalised title)."""
    clauses, params = _copy_clauses(story)
    if not clauses:
        return []
    found = db.conn.execute(
        "SELECT DISTINCT src.name FROM stories s JOIN sources src ON src.id = s.source_id"
        f" WHERE ({' OR '.join(clauses)}) AND s.rowid != ? AND s.source_id != ?"
        " ORDER BY src.name COLLATE NOCASE",
        (*params, story.rowid, story.source_id),
    ).fetchall()
    return [r[0] for r in found]


def copy_count(db: Database, story: Story) -> int:
    """How many other stories are copies of ``story`` (same link or normalised title)."""
    clauses, params = _copy_clauses(story)
    if not clauses:
        return 0
    return int(db.conn.execute(
        f"SELECT count(*) FROM stories s WHERE ({' OR '.join(clauses)}) AND s.rowid != ?",
        (*params, story.rowid),
    ).fetchone()[0])


def similar_candidates(db: Database, terms: Sequence[str], story: Story,
                       limit: int) -> list[Candidate]:
    """Up to ``limit`` stories holding any of ``terms``, best bm25 first (the title weighted
    above the body), ties going to the more recent story."""
    if not terms:
        return []
    match = " OR ".join(fts_string(t) for t in terms)
    order = [r[0] for r in db.conn.execute(
        "SELECT f.rowid FROM stories_fts f"
        " CROSS JOIN stories m INDEXED BY stories_search_meta ON m.rowid = f.rowid"
        " WHERE stories_fts MATCH ? AND f.rowid != ?"
        f" ORDER BY {RANK}, m.sort_ts DESC, f.rowid LIMIT ?",
        (match, story.rowid, limit),
    )]
    if not order:
        return []
    found = {
        r[0]: Candidate(r[0], r[1], r[2], r[3], r[4]) for r in db.conn.execute(
            "SELECT s.rowid, s.id, s.url, s.norm_title, s.source_id FROM stories s"
            f" WHERE s.rowid IN ({','.join('?' * len(order))})",
            order,
        )
    }
    return [found[rowid] for rowid in order if rowid in found]  # deleted meanwhile: gone

"""Sources: the seed folders and feeds stories come from, by id, key and name.

A source's name is what the user sees and filters by, so names are kept unique
(``unique_name``); its key (a folder path, a feed's first URL) is what identifies it across
renames and moves.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from reader.models import Source, SourceKind
from reader.search import fold
from reader.store import rows
from reader.store.connection import Database
from reader.store.errors import StoreError
from reader.text import clean_line


def unique_name(db: Database, wanted: str, exclude_id: int | None = None) -> str:
    """``wanted``, or ``wanted (2)``, ``(3)``…: the first name no other source has."""
    name, n = wanted or "untitled", 1
    while True:
        row = db.conn.execute("SELECT id FROM sources WHERE name = ?", (name,)).fetchone()
        if row is None or row[0] == exclude_id:
            return name
        n += 1
        name = f"{wanted} ({n})"


def ensure_source(
    db: Database, kind: SourceKind, key: str, name: str, *, url: str | None = None,
    path: str | None = None, group: str | None = None, user_title: bool = False,
) -> int:
    """Return the id of the source with ``key``, creating it if new."""
    row = db.conn.execute("SELECT id FROM sources WHERE key = ?", (key,)).fetchone()
    if row is not None:
        return int(row[0])
    with db.transaction():
        # Again under the write lock: another process may have added it meanwhile.
        row = db.conn.execute("SELECT id FROM sources WHERE key = ?", (key,)).fetchone()
        if row is not None:
            return int(row[0])
        cur = db.conn.execute(
            "INSERT INTO sources (kind, key, name, url, path, group_name, user_title, added)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (kind, key, unique_name(db, name), url, path, group, int(user_title), time.time()),
        )
    return int(cur.lastrowid or 0)


def source_key(db: Database, source_id: int) -> str:
    """The key a source was created with (story ids are derived from it)."""
    row = db.conn.execute("SELECT key FROM sources WHERE id = ?", (source_id,)).fetchone()
    if row is None:
        raise StoreError(f"no source with id {source_id}")
    return str(row[0])


def source_meta(db: Database, source_id: int) -> dict[str, Any]:
    """The source's free-form JSON notes (a seed folder's file signatures, ...)."""
    row = db.conn.execute("SELECT meta FROM sources WHERE id = ?", (source_id,)).fetchone()
    return dict(json.loads(row[0])) if row else {}


def set_source_meta(db: Database, source_id: int, meta: dict[str, Any]) -> None:
    """Replace the source's JSON notes."""
    with db.transaction():
        db.conn.execute(
            "UPDATE sources SET meta = ? WHERE id = ?", (json.dumps(meta), source_id)
        )


def list_sources(db: Database) -> list[Source]:
    """Every source with its story and unread counts, seeds first, then by name."""
    return [rows.source(r) for r in db.conn.execute(
        f"SELECT {rows.SOURCE_COLUMNS} FROM sources src"
        " ORDER BY src.kind DESC, src.name COLLATE NOCASE"
    )]


def has_feeds(db: Database) -> bool:
    """Whether any feed is subscribed (cheap, unlike ``list_sources``, which counts stories)."""
    row = db.conn.execute("SELECT 1 FROM sources WHERE kind = 'feed' LIMIT 1").fetchone()
    return row is not None


def source_by_name(db: Database, name: str) -> Source | None:
    """The source called ``name``: exactly, else the one whose name differs only in case."""
    sources = list_sources(db)
    for source in sources:
        if source.name == name:
            return source
    folded = name.casefold()
    matches = [s for s in sources if s.name.casefold() == folded]
    return matches[0] if len(matches) == 1 else None


def resolve_source_names(
    db: Database, names: Sequence[str]
) -> tuple[tuple[int, ...], list[str]]:
    """Source ids for a search's ``source:`` names: an exact (case-blind) name, else any name
    containing it. Returns the ids and an error line for each name that matched no source."""
    if not names:
        return (), []
    sources = db.conn.execute("SELECT id, name FROM sources").fetchall()
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

"""A story's JSON line as ``list --json`` prints it, put together by SQLite while it reads.

``list --json`` prints every story whole: 100,000 generated stories are 470 MB of JSON. Built
in Python (row → ``Story`` → dict → ``json`` → str → UTF-8 on the way out) that cost 4.4 s
on a quiet machine, most of it encoding strings twice: SQLite's UTF-8 decoded into ``str``,
escaped by ``json`` into a new ``str``, encoded to UTF-8 again by stdout. Here SQLite escapes
each text column with ``json_quote`` as it reads it and hands the bytes over undecoded
(``CAST … AS BLOB``); Python only fills them into a byte template (``line``), with the
story's explicit related stories and enclosures, which the caller encodes (most stories have
neither). Measured on the 100,004-story benchmark cache, loaded machine, same run: 4.3 s of
CPU before, about 1.7 s after.

The line is byte for byte the one ``reader.cli.output`` builds from ``story_to_json`` on a
UTF-8 stdout (``tests/test_list_json.py`` holds the two together, hostile text included).
That rests on SQLite's ``json_quote`` escaping exactly what Python's ``json`` escapes with
``ensure_ascii=False`` (``"``, ``\\``, the controls below U+0020; lower-case ``\\u00XX``);
``quotes_like_python`` checks it on this SQLite once per process, and callers fall back to
the Python path where it does not.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from reader.models import View
from reader.store import orders
from reader.store.connection import Database


def _flag(condition: str) -> str:
    return f"CAST(CASE WHEN {condition} THEN 'true' ELSE 'false' END AS BLOB)"


def _quoted(column: str) -> str:
    return f"CAST(json_quote({column}) AS BLOB)"


FIELDS: tuple[tuple[str, str], ...] = (
    ("id", _quoted("s.id")),
    ("source", _quoted("src.name")),
    ("title", _quoted("s.title")),
    ("standfirst", _quoted("s.standfirst")),
    ("body", _quoted("s.body")),
    ("url", _quoted("s.url")),
    ("author", _quoted("s.author")),
    ("published", _quoted("s.published")),
    ("updated", _quoted("s.updated")),
    ("teaser", _flag("s.teaser")),
    ("read", _flag("st.read")),
    ("starred", _flag("st.starred")),
    ("full_text", _flag("s.full_text_at IS NOT NULL")),
    ("full_text_saved", _quoted("s.full_text_at")),
    ("full_text_error", _quoted("s.full_text_error")),
)
"""The fields SQLite writes, in ``story_to_json``'s order, each with the SQL of its JSON text;
``related`` and ``enclosures`` follow, given to ``line``."""

COLUMNS = ("s.rowid, CASE WHEN s.enclosures = '[]' THEN NULL ELSE s.enclosures END, "
           + ", ".join(sql for _, sql in FIELDS))
"""A row: its rowid (for its related stories), its enclosures column (None: none), then
``FIELDS``' JSON texts as bytes."""

TEMPLATE = ("{" + ", ".join(f'"{name}": %b' for name, _ in FIELDS)
            + ', "related": %b, "enclosures": %b}\n').encode()
"""One line, separators as ``json`` writes them (", " and ": ")."""

_LEAD = 2
"""Columns before the JSON texts in a row."""


def iter_rows(db: Database, view: View, batch: int = 500) -> Iterator[list[Any]]:
    """Every story of ``view`` (no search) in its order as ``COLUMNS`` rows, ``batch`` at a
    time, read as one statement: memory flat."""
    if view.query:
        raise ValueError("a search's stories are not listed as JSON rows")
    return orders.iter_columns(db, view, COLUMNS, batch)


def rowid(row: Any) -> int:
    """The story's rowid, for its explicit related stories."""
    return int(row[0])


def enclosures_column(row: Any) -> str | None:
    """The story's ``enclosures`` column as stored (None when it holds none)."""
    return row[1]  # type: ignore[no-any-return]


def line(row: Any, related: bytes, enclosures: bytes) -> bytes:
    """The whole JSON line of a row, given its related list and enclosures as JSON."""
    return TEMPLATE % (*row[_LEAD:], related, enclosures)


_PROBE = "".join(map(chr, range(0x80))) + "\x85\x9b\xa0é’\u2028\u2029\ufeff東京😀"
_agrees: bool | None = None


def quotes_like_python(db: Database) -> bool:
    """Whether this SQLite's ``json_quote`` gives the bytes Python's ``json`` gives, for every
    ASCII character, C1 controls, the line separators, a BOM and non-BMP text, and for NULL
    (asked once per process: one query)."""
    global _agrees
    if _agrees is None:
        quoted, null = db.conn.execute("SELECT CAST(json_quote(?) AS BLOB),"
                                       " CAST(json_quote(NULL) AS BLOB)", (_PROBE,)).fetchone()
        _agrees = quoted == json.dumps(_PROBE, ensure_ascii=False).encode() and null == b"null"
    return _agrees

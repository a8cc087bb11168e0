"""Column lists and row factories: the one place an sqlite row becomes a model.

Every query that hands rows to ``story``, ``story_row`` or ``source`` selects the matching
column list over ``STORY_FROM`` (aliases ``s`` stories, ``st`` story_state, ``src`` sources),
so a column added to a model is added here once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from reader.models import Enclosure, Source, Story, StoryRow

STORY_FROM = (
    " FROM stories s JOIN story_state st ON st.story = s.rowid"
    " JOIN sources src ON src.id = s.source_id"
)
"""The join every story query reads from."""

STORY_COLUMNS = (
    "s.rowid, s.id, src.name, s.title, s.standfirst, s.body, s.url, s.author, s.published,"
    " s.updated, s.teaser, st.read, st.starred, s.tags, s.enclosures, s.source_id,"
    " s.full_text_at, s.full_text_error"
)
"""A whole story, for ``story``."""

TEXT_START = "CASE WHEN s.title = '' THEN substr(s.standfirst || ' ' || s.body, 1, 400) ELSE ''" \
    " END"
"""The start of an untitled story's text (``reader.titles`` makes it a stand-in title): a row
of a titled story reads nothing more than before."""

ROW_COLUMNS = (
    "s.rowid, s.id, src.name, s.title, s.published, st.read, st.starred, s.teaser, s.sort_ts,"
    f" s.updated, {TEXT_START}"
)
"""The few fields of a list row, for ``story_row``."""

SOURCE_COLUMNS = (
    "src.id, src.kind, src.name, src.url, src.path, src.group_name,"
    " src.last_checked, src.last_status, src.last_error, src.disabled, src.full_text,"
    " (SELECT count(*) FROM stories s WHERE s.source_id = src.id"
    "   AND s.rowid NOT IN (SELECT story FROM hidden)),"
    " (SELECT count(*) FROM stories s JOIN story_state st ON st.story = s.rowid"
    "   WHERE s.source_id = src.id AND st.read = 0 AND s.rowid NOT IN (SELECT story FROM hidden)),"
    " src.interval, src.next_due"
)
"""A source with its story and unread counts (filters' hidden stories left out: they are in
no view), over ``sources src``, for ``source``."""


def story(r: Sequence[Any]) -> Story:
    """A ``Story`` from a row selected with ``STORY_COLUMNS``."""
    return Story(
        rowid=r[0], id=r[1], source=r[2], title=r[3], standfirst=r[4], body=r[5], url=r[6],
        author=r[7], published=r[8], updated=r[9], teaser=bool(r[10]), read=bool(r[11]),
        starred=bool(r[12]), tags=tuple(json.loads(r[13])),
        enclosures=enclosures(r[14]), source_id=r[15], full_text_at=r[16],
        full_text_error=r[17],
    )


def enclosures_json(items: Sequence[Enclosure]) -> str:
    """The ``enclosures`` column: a JSON list of ``{"url", "type", "length", "duration"}``."""
    return json.dumps([{"url": e.url, "type": e.type, "length": e.length,
                        "duration": e.duration} for e in items])


def enclosures(text: str | None) -> tuple[Enclosure, ...]:
    """The ``enclosures`` column read back. Rows stored before enclosures had details hold
    plain URL strings, and read as enclosures with only a URL; anything else is skipped.
    Most stories have none (``[]``), read without parsing: a warm refresh reads the column of
    every stored story its feeds still carry."""
    if not text or text == "[]":
        return ()
    try:
        items = json.loads(text)
    except ValueError:
        return ()
    found: list[Enclosure] = []
    for item in items if isinstance(items, list) else ():
        if isinstance(item, str):
            found.append(Enclosure(item))
        elif isinstance(item, dict) and isinstance(item.get("url"), str):
            found.append(Enclosure(
                item["url"],
                type=item.get("type") if isinstance(item.get("type"), str) else None,
                length=_count(item.get("length")), duration=_count(item.get("duration")),
            ))
    return tuple(found)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 \
        else None


ROW_WIDTH = 11
"""How many columns ``ROW_COLUMNS`` selects (an ordered page selects its group after them)."""


def story_row(r: Sequence[Any], order_key: tuple[object, ...] = ()) -> StoryRow:
    """A ``StoryRow`` from a row selected with ``ROW_COLUMNS``."""
    return StoryRow(rowid=r[0], id=r[1], source=r[2], title=r[3], published=r[4],
                    read=bool(r[5]), starred=bool(r[6]), teaser=bool(r[7]), sort_ts=r[8],
                    updated=r[9], text_start=r[10], order_key=order_key)


def source(r: Sequence[Any]) -> Source:
    """A ``Source`` from a row selected with ``SOURCE_COLUMNS``."""
    return Source(
        id=r[0], kind=r[1], name=r[2], url=r[3], path=r[4], group=r[5],
        last_checked=r[6], last_status=r[7], last_error=r[8], disabled=bool(r[9]),
        full_text=r[10], story_count=r[11], unread_count=r[12], interval=r[13],
        next_due=r[14],
    )

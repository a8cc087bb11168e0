"""Full text in the cache: each feed's mode, and a story's page text with when it was saved.

A story whose page text was saved has ``full_text_at`` (ISO 8601); its body is the page's
main text and its standfirst the feed's summary. One whose page could not be used keeps the
feed's text and has ``full_text_error`` saying why. A story with either was tried: a refresh
never fetches its page again unless asked (``reader fulltext``, ``F`` in the app). The
full-text schema migration adds the columns; the story's search index follows its body
through the update trigger (or, for a story still waiting to be indexed, ``index_pending``
reads the new body).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import cast

from reader.models import FULL_TEXT_MODES, FullTextMode
from reader.records import record
from reader.store.connection import Database
from reader.store.errors import StoreError


@record
class StoryLink:
    """A story whose page may be fetched: its id, link, the feed's text and the feed's mode."""

    id: str
    url: str
    body: str
    standfirst: str
    feed_id: int


def full_text_modes(db: Database) -> dict[int, FullTextMode]:
    """Every feed's full-text mode, by feed id."""
    return {int(r[0]): cast(FullTextMode, r[1]) for r in db.conn.execute(
        "SELECT id, full_text FROM sources WHERE kind = 'feed'")}


def set_full_text_mode(db: Database, feed_id: int, mode: FullTextMode) -> None:
    """Set one feed's mode (``reader edit ID --full-text MODE``)."""
    if mode not in FULL_TEXT_MODES:
        raise StoreError(f"full text must be one of {', '.join(FULL_TEXT_MODES)}, not {mode!r}")
    with db.transaction() as conn:
        conn.execute("UPDATE sources SET full_text = ? WHERE id = ? AND kind = 'feed'",
                     (mode, feed_id))


def new_since_last_look(db: Database, feed_id: int, story_ids: Sequence[str],
                        now: float) -> list[str]:
    """Of these stories of a feed, those stored since a refresh last looked (its
    ``full_text_since``: by the refresh running now, or when subscribing); the feed is then
    marked as looked at ``now``."""
    since = db.conn.execute("SELECT coalesce(full_text_since, 0) FROM sources WHERE id = ?",
                            (feed_id,)).fetchone()
    found = [str(r[0]) for r in db.conn.execute(
        "SELECT id FROM stories WHERE id IN (SELECT value FROM json_each(?)) AND added >= ?",
        (json.dumps(list(story_ids)), since[0] if since else now))]
    with db.transaction() as conn:
        conn.execute("UPDATE sources SET full_text_since = ? WHERE id = ?", (now, feed_id))
    return found


def untried(db: Database, story_ids: Sequence[str]) -> list[StoryLink]:
    """Of these stories, those with a link whose page was never tried, newest first."""
    if not story_ids:
        return []
    rows = db.conn.execute(
        "SELECT id, url, body, standfirst, source_id FROM stories"
        " WHERE id IN (SELECT value FROM json_each(?))"
        " AND full_text_at IS NULL AND full_text_error IS NULL AND url IS NOT NULL"
        " ORDER BY sort_ts DESC, rowid",
        (json.dumps(list(story_ids)),),
    )
    return [StoryLink(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def story_links(db: Database, story_ids: Sequence[str]) -> list[StoryLink]:
    """These stories (any state), for fetching their pages on demand."""
    rows = db.conn.execute(
        "SELECT id, url, body, standfirst, source_id FROM stories"
        " WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(story_ids)),),
    )
    by_id = {r[0]: StoryLink(r[0], r[1] or "", r[2], r[3], r[4]) for r in rows}
    return [by_id[s] for s in story_ids if s in by_id]


def stories_of(db: Database, source_id: int | None) -> list[StoryLink]:
    """Feed stories with a link (of one source, or all), newest first."""
    where = " AND s.source_id = ?" if source_id is not None else ""
    rows = db.conn.execute(
        "SELECT s.id, s.url, s.body, s.standfirst, s.source_id FROM stories s"
        " JOIN sources src ON src.id = s.source_id"
        f" WHERE src.kind = 'feed' AND s.url IS NOT NULL{where} ORDER BY s.sort_ts DESC, s.rowid",
        (source_id,) if source_id is not None else (),
    )
    return [StoryLink(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def missing(db: Database, source_id: int | None = None) -> list[StoryLink]:
    """Feed stories with a link and no saved page text (of one source, or all), newest first."""
    where = " AND s.source_id = ?" if source_id is not None else ""
    rows = db.conn.execute(
        "SELECT s.id, s.url, s.body, s.standfirst, s.source_id FROM stories s"
        " JOIN sources src ON src.id = s.source_id"
        " WHERE src.kind = 'feed' AND s.full_text_at IS NULL AND s.url IS NOT NULL"
        f"{where} ORDER BY s.sort_ts DESC, s.rowid",
        (source_id,) if source_id is not None else (),
    )
    return [StoryLink(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def save_full_text(db: Database, story_id: str, body: str, standfirst: str,
                   saved_at: str) -> None:
    """The page's main text becomes the story's body, the feed's summary its standfirst."""
    with db.transaction() as conn:
        conn.execute(
            "UPDATE stories SET body = ?, standfirst = ?, full_text_at = ?,"
            " full_text_error = NULL, teaser = 0 WHERE id = ?",
            (body, standfirst, saved_at, story_id),
        )


def record_failure(db: Database, story_id: str, reason: str) -> None:
    """The page could not be used: the story keeps the feed's text and says why. A story
    whose text was saved before keeps that text (only its reason is not recorded)."""
    with db.transaction() as conn:
        conn.execute("UPDATE stories SET full_text_error = ? WHERE id = ?"
                     " AND full_text_at IS NULL", (reason, story_id))

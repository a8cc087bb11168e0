"""Numbered schema migrations, tracked in ``PRAGMA user_version``.

Each migration runs once, in order, inside one transaction with the version bump, so a cache
file is always at a whole version. Add new migrations at the end; never edit a shipped one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

_V1 = """
CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('seed', 'feed')),
    key           TEXT NOT NULL UNIQUE,        -- folder path for seeds, first URL for feeds
    name          TEXT NOT NULL,               -- what the user sees and filters by
    url           TEXT,                        -- a feed's current URL (updated on 301)
    site_url      TEXT,
    path          TEXT,
    group_name    TEXT,                        -- OPML folder
    user_title    INTEGER NOT NULL DEFAULT 0,  -- name chosen by the user: refresh keeps it
    etag          TEXT,
    last_modified TEXT,
    last_checked  TEXT,
    last_status   TEXT,                        -- ok | not_modified | error
    last_error    TEXT,
    disabled      INTEGER NOT NULL DEFAULT 0,  -- e.g. after 410 Gone
    retry_after   REAL,                        -- unix time before which refresh skips the feed
    meta          TEXT NOT NULL DEFAULT '{}',  -- JSON: seed file signatures, site furniture, ...
    added         REAL NOT NULL
);

CREATE TABLE stories (
    rowid        INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,         -- stable public id, 12 hex digits
    source_id    INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,                -- identity within the source (guid, link, ...)
    title        TEXT NOT NULL DEFAULT '',
    standfirst   TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',     -- Markdown
    url          TEXT,
    author       TEXT,
    published    TEXT,                         -- ISO 8601, only when the source says
    updated      TEXT,
    teaser       INTEGER NOT NULL DEFAULT 0,
    tags         TEXT NOT NULL DEFAULT '[]',
    enclosures   TEXT NOT NULL DEFAULT '[]',
    norm_title   TEXT NOT NULL DEFAULT '',     -- for grouping one story carried by many sources
    content_hash TEXT NOT NULL DEFAULT '',
    added        REAL NOT NULL,                -- when the cache first saw it
    sort_ts      REAL NOT NULL,                -- published time if known, else added
    UNIQUE (source_id, key)
);
CREATE INDEX stories_by_time ON stories (sort_ts DESC, rowid);
CREATE INDEX stories_by_source_time ON stories (source_id, sort_ts DESC, rowid);
CREATE INDEX stories_by_norm_title ON stories (norm_title);
CREATE INDEX stories_by_url ON stories (url);

CREATE TABLE story_state (
    story      INTEGER PRIMARY KEY REFERENCES stories(rowid) ON DELETE CASCADE,
    read       INTEGER NOT NULL DEFAULT 0,
    starred    INTEGER NOT NULL DEFAULT 0,
    read_at    REAL,
    starred_at REAL
);
CREATE INDEX story_state_unread ON story_state (read) WHERE read = 0;
CREATE INDEX story_state_starred ON story_state (starred) WHERE starred = 1;

CREATE TABLE story_links (
    from_story INTEGER NOT NULL REFERENCES stories(rowid) ON DELETE CASCADE,
    to_story   INTEGER NOT NULL REFERENCES stories(rowid) ON DELETE CASCADE,
    position   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (from_story, to_story)
) WITHOUT ROWID;
CREATE INDEX story_links_to ON story_links (to_story);

CREATE VIRTUAL TABLE stories_fts USING fts5 (
    title, standfirst, body,
    content = 'stories', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
CREATE TRIGGER stories_fts_insert AFTER INSERT ON stories BEGIN
    INSERT INTO stories_fts (rowid, title, standfirst, body)
    VALUES (new.rowid, new.title, new.standfirst, new.body);
END;
CREATE TRIGGER stories_fts_delete AFTER DELETE ON stories BEGIN
    INSERT INTO stories_fts (stories_fts, rowid, title, standfirst, body)
    VALUES ('delete', old.rowid, old.title, old.standfirst, old.body);
END;
CREATE TRIGGER stories_fts_update AFTER UPDATE OF title, standfirst, body ON stories BEGIN
    INSERT INTO stories_fts (stories_fts, rowid, title, standfirst, body)
    VALUES ('delete', old.rowid, old.title, old.standfirst, old.body);
    INSERT INTO stories_fts (rowid, title, standfirst, body)
    VALUES (new.rowid, new.title, new.standfirst, new.body);
END;
CREATE VIRTUAL TABLE stories_vocab USING fts5vocab (stories_fts, 'row');
"""

# Search and related stories: saved searches, an indexed copy of each story's tags for
# ``tag:``, a narrow index that answers "which source, what time" for a row without reading the
# whole story (the FTS5 side of a search visits every hit), and a counter that moves whenever
# anything a related-stories list shows changes, so cached lists know when they are stale (it
# starts at a random number, so a cache file deleted and made again never matches old entries).
_V2 = """
CREATE TABLE saved_searches (
    id       INTEGER PRIMARY KEY,
    name     TEXT NOT NULL UNIQUE COLLATE NOCASE,
    query    TEXT NOT NULL,
    added    REAL NOT NULL
);

CREATE TABLE story_tags (
    story INTEGER NOT NULL REFERENCES stories(rowid) ON DELETE CASCADE,
    tag   TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (story, tag)
) WITHOUT ROWID;
CREATE INDEX story_tags_by_tag ON story_tags (tag, story);
INSERT OR IGNORE INTO story_tags (story, tag)
    SELECT s.rowid, j.value FROM stories s, json_each(s.tags) j
    WHERE json_valid(s.tags) AND j.type = 'text' AND j.value != '';
CREATE TRIGGER story_tags_insert AFTER INSERT ON stories BEGIN
    INSERT OR IGNORE INTO story_tags (story, tag)
    SELECT new.rowid, value FROM json_each(CASE WHEN json_valid(new.tags) THEN new.tags END)
    WHERE type = 'text' AND value != '';
END;
CREATE TRIGGER story_tags_update AFTER UPDATE OF tags ON stories BEGIN
    DELETE FROM story_tags WHERE story = new.rowid;
    INSERT OR IGNORE INTO story_tags (story, tag)
    SELECT new.rowid, value FROM json_each(CASE WHEN json_valid(new.tags) THEN new.tags END)
    WHERE type = 'text' AND value != '';
END;

CREATE INDEX stories_search_meta ON stories (rowid, source_id, sort_ts);

CREATE TABLE content_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO content_generation (id, n) VALUES (1, abs(random() % 1000000000000));
CREATE TRIGGER generation_story_insert AFTER INSERT ON stories BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER generation_story_delete AFTER DELETE ON stories BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER generation_story_update
AFTER UPDATE OF title, standfirst, body, url, norm_title, teaser, source_id, sort_ts ON stories
BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER generation_link_insert AFTER INSERT ON story_links BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER generation_link_update AFTER UPDATE ON story_links BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER generation_link_delete AFTER DELETE ON story_links BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER generation_source_update AFTER UPDATE OF name ON sources BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER generation_source_delete AFTER DELETE ON sources BEGIN
    UPDATE content_generation SET n = n + 1 WHERE id = 1;
END;
"""

# New stories reach the full-text index in one statement per write (``Store.save_stories``),
# not from a trigger row by row, which measured twice the indexing cost (0.35 against 0.17 ms
# for a 4 KB story; where inside FTS5 the difference arises was not pinned down).
_V3 = """
DROP TRIGGER stories_fts_insert;
"""

# FTS5 merges index segments once 4 of a size exist (its default): a refresh writes one
# segment per feed, and merging at 16 instead cut indexing from 0.26 to 0.20 ms a story, with
# searches at 25,000 and 100,000 stories as fast as before.
_V4 = """
INSERT INTO stories_fts (stories_fts, rank) VALUES ('automerge', 16);
"""

# The full-text index again, with a prefix index for 3 letters only. Every token also went
# into a 2-letter and a 3-letter prefix index; the 2-letter one cost a fifth of all indexing
# (0.19 against 0.16 ms a story, most of a refresh's cost) and served only queries like
# ``th*``, which match nearly every story. ``word*`` now needs 3 letters
# (``reader.search.MIN_PREFIX``); 3-letter prefixes stay fast (``pro*`` 5 ms at 100,000
# stories). Rebuilding re-reads every story once, on the first open after the upgrade.
_V5 = """
DROP TABLE stories_vocab;
DROP TABLE stories_fts;
CREATE VIRTUAL TABLE stories_fts USING fts5 (
    title, standfirst, body,
    content = 'stories', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3'
);
INSERT INTO stories_fts (stories_fts, rank) VALUES ('automerge', 16);
INSERT INTO stories_fts (stories_fts) VALUES ('rebuild');
CREATE VIRTUAL TABLE stories_vocab USING fts5vocab (stories_fts, 'row');
"""

# A refresh indexes new stories for search in batches (``Store.index_pending``), not in each
# feed's own transaction: every commit that touches the full-text index writes a new segment
# and merges older ones, and a cold refresh of 500 feeds spent 0.4 s of its 6.2 s on that.
# ``search_pending`` names the stories stored but not yet indexed, in the same transaction
# as the stories, so a refresh that is killed leaves a list the next one finishes. The index
# triggers skip a pending story (it is not in the index yet; deleting it there would corrupt
# the index), and a deleted story leaves the list, so a row number used again is never
# indexed twice.
#
# FTS5 also merges a level's index segments all at once, in the commit that brings it to
# ``crisismerge`` segments (16 by default), which is the very count at which automerge 16
# (migration 4) starts to merge them a little at a time: so every merge was a sudden one, and
# one commit of a refresh could take a whole second. At 64 the gradual merge does the work.
_V6 = """
INSERT INTO stories_fts (stories_fts, rank) VALUES ('crisismerge', 64);
CREATE TABLE search_pending (
    story INTEGER PRIMARY KEY
);
DROP TRIGGER stories_fts_delete;
CREATE TRIGGER stories_fts_delete AFTER DELETE ON stories BEGIN
    INSERT INTO stories_fts (stories_fts, rowid, title, standfirst, body)
    SELECT 'delete', old.rowid, old.title, old.standfirst, old.body
    WHERE NOT EXISTS (SELECT 1 FROM search_pending WHERE story = old.rowid);
    DELETE FROM search_pending WHERE story = old.rowid;
END;
DROP TRIGGER stories_fts_update;
CREATE TRIGGER stories_fts_update AFTER UPDATE OF title, standfirst, body ON stories
WHEN NOT EXISTS (SELECT 1 FROM search_pending WHERE story = old.rowid) BEGIN
    INSERT INTO stories_fts (stories_fts, rowid, title, standfirst, body)
    VALUES ('delete', old.rowid, old.title, old.standfirst, old.body);
    INSERT INTO stories_fts (rowid, title, standfirst, body)
    VALUES (new.rowid, new.title, new.standfirst, new.body);
END;
"""

# Sync with a feed server (``reader.sync``). ``sync_sources`` and ``sync_items`` tie sources and
# stories to the server's feeds and items (``adopted``: the feed was subscribed here before the
# server listed it, so it stays when the server drops it); ``sync_state`` holds the account and
# the item cursor. The outbox gets every read/starred change of a story the server knows, from
# a trigger, so the entry is written in the same transaction as the mark whatever code path
# made it (one mark, a bulk mark, an undo). It names the server's item id, not the story, so
# a story removed meanwhile still has its mark sent. While a sync applies the server's own
# marks it holds a row in ``sync_quiet`` (inside its transaction, so no other connection ever
# sees it) and the triggers stay silent.
_V7 = """
CREATE TABLE sync_sources (
    source_id INTEGER PRIMARY KEY REFERENCES sources(id) ON DELETE CASCADE,
    remote_id TEXT NOT NULL UNIQUE,
    adopted   INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE sync_items (
    remote_id TEXT PRIMARY KEY,
    story     INTEGER NOT NULL UNIQUE REFERENCES stories(rowid) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE sync_quiet (
    applying INTEGER NOT NULL
);
CREATE TABLE outbox (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    remote_id TEXT NOT NULL,
    flag      TEXT NOT NULL CHECK (flag IN ('read', 'starred')),
    value     INTEGER NOT NULL,
    at        REAL NOT NULL
);
CREATE TRIGGER outbox_read AFTER UPDATE OF read ON story_state
WHEN old.read IS NOT new.read AND NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO outbox (remote_id, flag, value, at)
    SELECT remote_id, 'read', new.read, (julianday('now') - 2440587.5) * 86400.0
    FROM sync_items WHERE story = new.story;
END;
CREATE TRIGGER outbox_starred AFTER UPDATE OF starred ON story_state
WHEN old.starred IS NOT new.starred AND NOT EXISTS (SELECT 1 FROM sync_quiet) BEGIN
    INSERT INTO outbox (remote_id, flag, value, at)
    SELECT remote_id, 'starred', new.starred, (julianday('now') - 2440587.5) * 86400.0
    FROM sync_items WHERE story = new.story;
END;
"""

# Polite automatic refresh and filters (issue 15). A feed's ``next_due`` (unix time) is when an
# automatic refresh (the app's, ``reader refresh --due``) may fetch it again; ``refresh``
# sets it from what is stored beside it: the person's ``interval`` (seconds, ``reader edit
# --interval``), what the document asks (``feed_every``: its ttl or sy:, seconds) and what the
# server's last answer allowed (``fresh_until``: max-age or Expires, a time), with
# ``retry_after`` and the check time (``reader.schedule.next_due``). Kept apart so an edit of
# the interval can work the due time out again. A few hundred feeds need no index on it.
# ``hidden`` holds the stories a ``hide`` filter took out of every view (a set: one index probe
# per row, and only when the cache hides anything); ``filter_hits`` which rule acted on which
# story, for ``reader filters``' counts and to show a story again when its rule is removed.
_V8 = """
ALTER TABLE sources ADD COLUMN interval REAL;
ALTER TABLE sources ADD COLUMN feed_every REAL;
ALTER TABLE sources ADD COLUMN fresh_until REAL;
ALTER TABLE sources ADD COLUMN next_due REAL;
CREATE TABLE hidden (
    story INTEGER PRIMARY KEY REFERENCES stories(rowid) ON DELETE CASCADE
);
CREATE TABLE filter_hits (
    rule  TEXT NOT NULL,
    story INTEGER NOT NULL REFERENCES stories(rowid) ON DELETE CASCADE,
    PRIMARY KEY (rule, story)
) WITHOUT ROWID;
CREATE INDEX filter_hits_by_story ON filter_hits (story);
"""

# Sort orders (``reader.store.orders``). "Unread first, then newest" orders by a column of
# ``story_state`` and then one of ``stories``, and an index cannot span two tables: without one,
# the first page of that order at 100,000 stories read every row (460 ms). So ``story_state``
# keeps a copy of its story's sort time, set when the row is made (``save_stories``; a trigger
# fills it for any other insert) and when the story's time changes, and
# ``story_state_by_read_time`` walks unread stories newest first, then read ones: 0.1 ms for the
# first page; the unread-only view and "next unread" walk it too. It adds 0.1-0.3 s to
# marking 100,000 stories read (of ~0.5 s). "By source" walks sources by name, then each
# source's stories.
# Only ``sort_ts`` is written here: the outbox triggers (7) watch ``read`` and ``starred``.
_V9 = """
ALTER TABLE story_state ADD COLUMN sort_ts REAL;
UPDATE story_state SET sort_ts = coalesce(
    (SELECT s.sort_ts FROM stories s WHERE s.rowid = story_state.story), 0);
CREATE INDEX story_state_by_read_time ON story_state (read, sort_ts DESC, story);
CREATE TRIGGER story_state_time_insert AFTER INSERT ON story_state
WHEN new.sort_ts IS NULL BEGIN
    UPDATE story_state SET sort_ts = coalesce(
        (SELECT sort_ts FROM stories WHERE rowid = new.story), 0) WHERE story = new.story;
END;
CREATE TRIGGER story_state_time_update AFTER UPDATE OF sort_ts ON stories
WHEN old.sort_ts IS NOT new.sort_ts BEGIN
    UPDATE story_state SET sort_ts = new.sort_ts WHERE story = new.rowid;
END;
CREATE INDEX sources_by_name ON sources (name COLLATE NOCASE, id);
"""

# Full text and images (issue 17). A feed's ``full_text`` mode says when its new stories' pages
# are fetched. A story whose page text was saved has ``full_text_at`` (its body is the
# page's main text, its standfirst the feed's summary); one whose page could not be used has
# ``full_text_error`` and keeps the feed's text; either means the page was tried, and a
# refresh does not fetch it again. ``images`` indexes the saved image files (named by the
# hash of their URL, in the cache folder) per story, or why one was refused; a story's rows
# go with it, and its files at the next sweep (``reader.images.cache``). A feed's
# ``full_text_since`` is when a refresh last looked for new stories to fetch pages of: its
# stories stored since then (by that refresh, or by subscribing) are new. Feeds subscribed
# before this migration start from now, so an upgrade does not fetch old stories' pages.
_V10 = """
ALTER TABLE sources ADD COLUMN full_text TEXT NOT NULL DEFAULT 'auto'
    CHECK (full_text IN ('auto', 'always', 'never'));
ALTER TABLE sources ADD COLUMN full_text_since REAL;
UPDATE sources SET full_text_since = CAST(strftime('%s', 'now') AS REAL);
ALTER TABLE stories ADD COLUMN full_text_at TEXT;
ALTER TABLE stories ADD COLUMN full_text_error TEXT;
CREATE TABLE images (
    story     TEXT NOT NULL,               -- stories.id
    url       TEXT NOT NULL,
    file      TEXT,                        -- file name in the image folder; NULL: refused
    bytes     INTEGER NOT NULL DEFAULT 0,
    width     INTEGER,
    height    INTEGER,
    error     TEXT,                        -- why it was refused
    last_used REAL NOT NULL,               -- unix time it was saved or last shown
    PRIMARY KEY (story, url)
);
CREATE INDEX images_by_file ON images (file) WHERE file IS NOT NULL;
CREATE TRIGGER images_story_delete AFTER DELETE ON stories BEGIN
    DELETE FROM images WHERE story = old.id;
END;
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8, _V9,
                                _V10)
"""Migration N (1-based) brings a cache from ``user_version`` N-1 to N."""

LATEST_VERSION = len(MIGRATIONS)

SLOW_MIGRATIONS = {5: "rebuilding the search index"}
"""Migrations (by the version they bring a cache to) that re-read every story."""
SLOW_NOTICE_STORIES = 10_000
"""From this many stories (about a second of rebuilding) a slow migration is announced."""


class SchemaTooNewError(Exception):
    """The cache was written by a newer reader; we refuse rather than corrupt it."""


def _version(conn: sqlite3.Connection) -> int:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > LATEST_VERSION:
        raise SchemaTooNewError(
            f"the cache is at schema version {version}, newer than this reader's {LATEST_VERSION}"
        )
    return version


def migrate(conn: sqlite3.Connection, notice: Callable[[str], None] | None = None, *,
            begin: Callable[[], None] | None = None) -> int:
    """Apply every migration the file lacks; return the version it ends at.

    Two processes may open a new cache at once (the app and a command in another terminal):
    the version is read again once the write lock is held, so only one of them migrates.
    ``notice`` hears, before it starts, of a migration that re-reads a big cache (13 s at
    100,000 stories), so a person is not left looking at a terminal that seems stuck.
    ``begin`` takes the write lock (``Database.begin_write``, which waits for another process
    that is migrating); by default a plain ``BEGIN IMMEDIATE``.
    """
    while _version(conn) < LATEST_VERSION:
        # executescript would COMMIT on its own; run the statements in one explicit transaction.
        if begin is not None:
            begin()
        else:
            conn.execute("BEGIN IMMEDIATE")
        try:
            version = _version(conn)
            if version < LATEST_VERSION:
                slow = SLOW_MIGRATIONS.get(version + 1)
                if slow and notice is not None:
                    stories = int(conn.execute("SELECT count(*) FROM stories").fetchone()[0])
                    if stories >= SLOW_NOTICE_STORIES:
                        notice(f"{slow} of {stories:,} stories, once after an upgrade (about"
                               f" {max(1, round(stories / 8_000))} s)")
                for statement in _split_statements(MIGRATIONS[version]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return LATEST_VERSION


def _split_statements(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    current: list[str] = []
    for line in script.splitlines():
        stripped = line.split("--", 1)[0].rstrip() if "--" in line else line.rstrip()
        if not stripped.strip():
            continue
        current.append(stripped)
        candidate = "\n".join(current)
        if candidate.endswith(";") and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            current = []
    if current:
        statements.append("\n".join(current))
    return statements

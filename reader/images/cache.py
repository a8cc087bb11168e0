"""Saved images: files in the cache folder, their index in the cache's SQLite file.

A file is named by the SHA-256 of its URL (so a URL maps to one file, whatever the story, and
no name from a site reaches the file system). The ``images`` table (the full-text migration)
has a row per story and image: the file and its size, or the reason it was refused, and when
it was last shown. The folder is kept under a total cap (200 MB by default): the images shown
least recently go first, except those of starred stories, which stay whatever the cap. A
story's rows go with the story (a trigger); its files go at the next sweep once no story uses
them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from reader.images.process import Processed
from reader.records import record

DEFAULT_CAP_BYTES = 200 * 1024 * 1024


def file_name(url: str, suffix: str) -> str:
    """The file an image URL is saved as: its hash, never anything the site chose."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest() + suffix


@record
class SavedImage:
    """One saved image of a story: where its file is, its alt text's URL and pixel size."""

    url: str
    path: Path
    width: int
    height: int


@record
class CacheStats:
    """What ``reader images`` reports."""

    images: int
    bytes: int
    cap: int
    refused: int
    folder: Path


class ImageCache:
    """The image folder and its index, on one cache connection (the caller's thread)."""

    def __init__(self, folder: Path, conn: sqlite3.Connection,
                 cap: int = DEFAULT_CAP_BYTES) -> None:
        self.folder = folder
        self.conn = conn
        self.cap = cap

    # -- writing ---------------------------------------------------------------------------

    def known(self, story_id: str) -> set[str]:
        """URLs already saved or refused for a story: never downloaded twice unless asked."""
        rows = self.conn.execute("SELECT url FROM images WHERE story = ?", (story_id,))
        return {str(r[0]) for r in rows}

    def save(self, story_id: str, url: str, image: Processed, now: float | None = None) -> Path:
        """Write one image's file (atomically) and index it for the story."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = file_name(url, image.suffix)
        path = self.folder / name
        tmp = path.with_name(f".{name}.{os.getpid()}.tmp")
        tmp.write_bytes(image.data)
        os.replace(tmp, path)
        self.conn.execute(
            "INSERT INTO images (story, url, file, bytes, width, height, error, last_used)"
            " VALUES (?, ?, ?, ?, ?, ?, NULL, ?)"
            " ON CONFLICT (story, url) DO UPDATE SET file = excluded.file,"
            " bytes = excluded.bytes, width = excluded.width, height = excluded.height,"
            " error = NULL, last_used = excluded.last_used",
            (story_id, url, name, len(image.data), image.width, image.height,
             time.time() if now is None else now),
        )
        return path

    def refuse(self, story_id: str, url: str, reason: str, now: float | None = None) -> None:
        """Remember that an image was not kept, and why (so it is not downloaded again)."""
        self.conn.execute(
            "INSERT INTO images (story, url, file, bytes, error, last_used)"
            " VALUES (?, ?, NULL, 0, ?, ?)"
            " ON CONFLICT (story, url) DO UPDATE SET error = excluded.error",
            (story_id, url, reason, time.time() if now is None else now),
        )

    def forget(self, story_ids: Iterable[str]) -> None:
        """Drop stories' rows, so that a fresh download is allowed (``F``)."""
        self.conn.executemany("DELETE FROM images WHERE story = ?",
                              [(s,) for s in story_ids])

    def enforce_cap(self) -> int:
        """Delete least-recently-shown files until the folder is under the cap, keeping those
        of starred stories; then sweep files no story uses. Returns how many were evicted."""
        rows = self.conn.execute(
            "SELECT i.file, max(i.bytes), max(i.last_used) AS used,"
            " max(coalesce(st.starred, 0)) AS pinned"
            " FROM images i LEFT JOIN stories s ON s.id = i.story"
            " LEFT JOIN story_state st ON st.story = s.rowid"
            " WHERE i.file IS NOT NULL GROUP BY i.file ORDER BY used, i.file"
        ).fetchall()
        total = sum(int(r[1]) for r in rows)
        evicted = 0
        for file, size, _used, pinned in rows:
            if total <= self.cap:
                break
            if pinned:
                continue
            self.conn.execute("DELETE FROM images WHERE file = ?", (file,))
            with contextlib.suppress(FileNotFoundError):
                (self.folder / str(file)).unlink()
            total -= int(size)
            evicted += 1
        self.sweep()
        return evicted

    def sweep(self) -> int:
        """Remove files that no index row names (their stories went)."""
        if not self.folder.is_dir():
            return 0
        used = {str(r[0]) for r in self.conn.execute(
            "SELECT DISTINCT file FROM images WHERE file IS NOT NULL")}
        removed = 0
        for entry in self.folder.iterdir():
            if entry.name not in used and entry.is_file():
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()
                    removed += 1
        return removed

    def purge(self) -> int:
        """Empty the cache: every file and every index row. Returns the files removed."""
        count = int(self.conn.execute(
            "SELECT count(DISTINCT file) FROM images WHERE file IS NOT NULL").fetchone()[0])
        self.conn.execute("DELETE FROM images")
        self.sweep()
        return count

    # -- reading ---------------------------------------------------------------------------

    def for_story(self, story_id: str) -> dict[str, SavedImage]:
        """The story's saved images whose files exist, by URL. Reads only: nothing fetched."""
        found: dict[str, SavedImage] = {}
        for url, file, width, height in self.conn.execute(
            "SELECT url, file, width, height FROM images WHERE story = ? AND file IS NOT NULL",
            (story_id,),
        ):
            path = self.folder / str(file)
            if path.is_file():
                found[str(url)] = SavedImage(str(url), path, int(width or 0), int(height or 0))
        return found

    def refused_for_story(self, story_id: str) -> dict[str, str]:
        """Why each refused image of a story was not kept, by URL."""
        return {str(u): str(e) for u, e in self.conn.execute(
            "SELECT url, error FROM images WHERE story = ? AND file IS NULL", (story_id,))}

    def touch(self, story_id: str, now: float | None = None) -> None:
        """The story's images were shown: they are the last to be evicted."""
        self.conn.execute("UPDATE images SET last_used = ? WHERE story = ? AND file IS NOT NULL",
                          (time.time() if now is None else now, story_id))

    def stats(self) -> CacheStats:
        images, size = self.conn.execute(
            "SELECT count(*), coalesce(sum(bytes), 0) FROM"
            " (SELECT file, max(bytes) AS bytes FROM images WHERE file IS NOT NULL GROUP BY file)"
        ).fetchone()
        refused = self.conn.execute(
            "SELECT count(*) FROM images WHERE file IS NULL").fetchone()[0]
        return CacheStats(int(images), int(size), self.cap, int(refused), self.folder)

"""The store's errors: the one exception type that leaves ``reader.store``.

Callers (the command line, the app, a refresh) catch ``StoreError`` and show its message as one
line; they never see ``sqlite3`` exceptions. The subclasses let a caller tell apart the cases it
handles differently (a story id nobody has, a feed already subscribed).
"""

from __future__ import annotations


class StoreError(Exception):
    """A cache problem worth one clear line to the user (not a bug)."""


class StoryNotFound(StoreError):
    """No story has the id (or id prefix) asked for, or the prefix is ambiguous."""


class FeedNotFound(StoreError):
    """No feed matches the id, URL or name given (or it was removed meanwhile)."""


class AlreadySubscribed(StoreError):
    """The URL is already a subscribed feed; subscribing again would duplicate its stories."""


class CacheBusy(StoreError):
    """Another process held the cache's write lock for longer than a write waits."""


class DiskFull(StoreError):
    """The disk (or the cache's size limit) is full; the write was rolled back whole."""


class CacheDamaged(StoreError):
    """The cache file is not a database, or is corrupt."""


BUSY_MESSAGE = "the cache is busy: another reader is writing; try again"
DISK_FULL_MESSAGE = "the disk is full: nothing was changed"

# SQLite's primary result codes (the low byte of an extended code).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26
_PERM, _NOMEM, _CONSTRAINT = 3, 7, 19


def store_error(exc: Exception) -> StoreError:
    """The ``StoreError`` a person should see for an ``sqlite3.Error``: what happened in words,
    and what to do. SQLite's own text is kept in brackets where it adds something."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc)
    if primary in (_BUSY, _LOCKED) or "database is locked" in text:
        return CacheBusy(BUSY_MESSAGE)
    if primary == _FULL or "database or disk is full" in text:
        return DiskFull(DISK_FULL_MESSAGE)
    if primary == _READONLY:
        return StoreError(f"the cache cannot be written (read-only file or folder): {text}")
    if primary in (_CORRUPT, _NOTADB):
        return CacheDamaged(f"the cache file is damaged ({text}); move it aside and the reader"
                            " starts a new one")
    if primary == _IOERR:
        return StoreError(f"the cache could not be read or written (a disk error: {text})")
    if primary in (_CANTOPEN, _PERM):
        return StoreError(f"the cache cannot be opened ({text})")
    if primary == _NOMEM:
        return StoreError("out of memory while using the cache")
    if primary == _CONSTRAINT:
        return StoreError(f"the cache refused a change that would break its rules ({text})")
    return StoreError(f"cache error: {text}")

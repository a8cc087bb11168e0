"""``ContentCache``: results derived from the cache's content, kept until that content changes.

Related-story lists and search plans are costly to derive and depend only on the stories, not
on read/starred marks. Each entry is keyed by the cache file and its content generation (a
counter the schema's triggers move on every change), so an entry is never served stale, also
when another process (a refresh from the command line) changed the file.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from reader.store.connection import Database

V = TypeVar("V")


class ContentCache(Generic[V]):
    """A small thread-safe LRU keyed by (cache file, content generation, key)."""

    def __init__(self, size: int = 256) -> None:
        """Keep at most ``size`` entries, the least recently used going first."""
        self.size = size
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, db: Database, key: Hashable, compute: Callable[[], V]) -> V:
        """The cached value for ``key``, computing and keeping it when absent or stale."""
        where = str(db.path) if db.path is not None else id(db.conn)
        full_key = (where, db.content_generation(), key)
        with self._lock:
            if full_key in self._entries:
                self._entries.move_to_end(full_key)
                return self._entries[full_key]
        value = compute()
        with self._lock:
            self._entries[full_key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        """Forget every entry (tests start from a known state)."""
        with self._lock:
            self._entries.clear()

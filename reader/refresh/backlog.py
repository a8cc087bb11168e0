"""Fetched documents waiting for their parse, bounded by their size: ``Backlog``.

A refresh's lanes hand each fetched document on to be parsed and go on to their host's next
feed (``pipeline``), so the network runs ahead of parsing, the slower stage, and the parse
workers can take the largest waiting document first (``parse_workers``). What bounds memory
is then the bytes waiting, not the number of feeds: a lane whose document would take the
backlog past its limit waits, holding that one document, until parses make room. A document
larger than the limit alone goes in when the backlog is empty, so nothing waits forever.
"""

from __future__ import annotations

import asyncio
from collections import deque

BACKLOG_BYTES = 32 * 1024 * 1024
"""Fetched documents a refresh holds for parsing at most, in bytes (the real corpus of 198
feeds is 12 MB in all)."""


class Backlog:
    """Bytes of fetched documents waiting for (or in) their parse; ``reserve`` waits for
    room, first come first served, and ``release`` gives it back."""

    def __init__(self, limit: int = BACKLOG_BYTES) -> None:
        self.limit = limit
        self.used = 0
        self._waiting: deque[tuple[int, asyncio.Future[None]]] = deque()

    def _fits(self, size: int) -> bool:
        return self.used == 0 or self.used + size <= self.limit

    async def reserve(self, size: int) -> None:
        """Return once ``size`` bytes are held for a document (at once if they fit and no
        earlier document waits)."""
        if not self._waiting and self._fits(size):
            self.used += size
            return
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((size, future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # room was given: hand it back
                self.release(size)
            else:
                self._waiting.remove((size, future))
                self._wake()
            raise

    def release(self, size: int) -> None:
        """Give back what ``reserve(size)`` held, letting waiting documents in."""
        self.used -= size
        self._wake()

    def _wake(self) -> None:
        while self._waiting and self._fits(self._waiting[0][0]):
            size, future = self._waiting.popleft()
            self.used += size
            future.set_result(None)

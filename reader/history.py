"""Back/forward through the stories a person opened, like a browser.

A plain class that knows nothing of Textual, so it is tested on its own and the screen only
asks it where to go. Opening a new story after going back drops the forward entries, exactly
as a browser does.
"""

from __future__ import annotations


class History:
    """A bounded list of opened story ids with a current position."""

    def __init__(self, limit: int = 500) -> None:
        self._items: list[str] = []
        self._index = -1
        self._limit = limit

    @property
    def current(self) -> str | None:
        return self._items[self._index] if self._index >= 0 else None

    @property
    def can_go_back(self) -> bool:
        return self._index > 0

    @property
    def can_go_forward(self) -> bool:
        return 0 <= self._index < len(self._items) - 1

    def visit(self, story_id: str) -> None:
        """Record that ``story_id`` was opened; reopening the current story changes nothing."""
        if story_id == self.current:
            return
        del self._items[self._index + 1:]
        self._items.append(story_id)
        if len(self._items) > self._limit:
            del self._items[: len(self._items) - self._limit]
        self._index = len(self._items) - 1

    def back(self) -> bool:
        """Step back; False (and no change) when already at the oldest story."""
        if not self.can_go_back:
            return False
        self._index -= 1
        return True

    def forward(self) -> bool:
        """Step forward; False (and no change) when already at the newest story."""
        if not self.can_go_forward:
            return False
        self._index += 1
        return True

    def __len__(self) -> int:
        return len(self._items)

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

"""How a story is recognised: its public id, its normalised title and its content hash.

Pure functions in one place because three layers must agree on them: the store keys and
compares stories with them, the seed loader links related items to whole articles by
normalised title, and related stories group copies of one story carried by several sources.
A change here changes story ids or makes every story look updated, so each is pinned by tests.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

from reader.models import Enclosure, StoryDraft

PUBLIC_ID_LENGTH = 12
"""Hex digits of a story's public id: 48 bits, so a cache of a million stories has a chance of
about 1 in 500 of holding any two with the same id (the insert then fails loudly)."""


def story_public_id(source_key: str, story_key: str) -> str:
    """A short id that is the same on every run for the same story of the same source, so
    ``reader show ID`` and scripts keep working across refreshes and rebuilt caches."""
    digest = hashlib.sha256(f"{source_key}\0{story_key}".encode()).hexdigest()
    return digest[:PUBLIC_ID_LENGTH]


_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_title(title: str) -> str:
    """Lower-case words only: how one story carried by two sources is recognised, whatever
    punctuation or case each gives its headline."""
    return " ".join(_NON_WORD.sub(" ", title.casefold()).split())


def content_hash(draft: StoryDraft) -> str:
    """A digest of everything a story shows: a refresh compares it with the stored one to
    tell an updated story from an unchanged one without reading the stored text."""
    parts = [
        draft.title, draft.standfirst, draft.body, draft.url or "", draft.author or "",
        draft.published or "", draft.updated or "", "1" if draft.teaser else "0",
        "\x1f".join(draft.tags), "\x1f".join(_enclosure(e) for e in draft.enclosures),
    ]
    return hashlib.sha256("\x1e".join(parts).encode()).hexdigest()[:16]


def _enclosure(enclosure: Enclosure) -> str:
    """An enclosure in the content hash: its URL, as before enclosures had details, and its
    type, size and duration only when the feed gives any (a story stored with bare URLs is
    updated once, gaining them; one whose feed gives none keeps its hash)."""
    if enclosure.type is None and enclosure.length is None and enclosure.duration is None:
        return enclosure.url
    return f"{enclosure.url}\x1d{enclosure.type}\x1d{enclosure.length}\x1d{enclosure.duration}"


def iso_to_epoch(value: str | None) -> float | None:
    """Seconds since the epoch for an ISO 8601 string, or None when absent or unparseable
    (a date the feed did not give is never made up)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()

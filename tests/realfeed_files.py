"""The real captured feeds (``../shared/realfeeds/``, or where ``READER_REALFEEDS`` or
``READER_SHARED`` say: ``shared_data.shared_path``).

Tests of defects found in a real feed read that feed. Missing data fails the test: it never
skips, so a checkout without the shared data cannot pass by testing nothing.
"""

from __future__ import annotations

from pathlib import Path

from shared_data import shared_path

from reader.feeds.parse import parse_feed
from reader.models import StoryDraft


def realfeeds_dir() -> Path:
    """Found as the other shared folders are, so one ``READER_SHARED`` serves every test."""
    return shared_path("realfeeds")


def realfeed(name: str) -> bytes:
    """The bytes of one captured feed; an assertion error says where it was looked for."""
    path = realfeeds_dir() / name
    assert path.is_file(), \
        f"real feed {name} not found in {path.parent} (set READER_REALFEEDS or READER_SHARED)"
    return path.read_bytes()


def real_story(name: str, title: str, url: str | None = None) -> StoryDraft:
    """The story titled ``title`` in captured feed ``name``, parsed as a refresh parses it."""
    feed = parse_feed(realfeed(name), {}, url or f"https://feeds.example/{name}")
    found = [draft for draft in feed.drafts if draft.title == title]
    assert found, f"no story titled {title!r} in {name}: {[d.title for d in feed.drafts][:40]}"
    return found[0]

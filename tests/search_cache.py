"""Building small hand-made caches for the search and related-stories tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from reader.models import StoryDraft
from reader.store import Store
from reader.store.connection import story_public_id


@dataclass
class Doc:
    """One story to put in a test cache; ``key`` names it in the test."""

    key: str
    title: str
    body: str = ""
    standfirst: str = ""
    published: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    links: tuple[str, ...] = field(default_factory=tuple)  # keys this story recommends


def add_source(store: Store, name: str, docs: list[Doc]) -> dict[str, str]:
    """Put ``docs`` in a feed source called ``name``; returns key -> public story id."""
    source_key = f"test:{name}"
    source_id = store.ensure_source("feed", source_key, name)
    drafts = [
        StoryDraft(key=d.key, title=d.title, standfirst=d.standfirst, body=d.body,
                   url=d.url, published=d.published, tags=d.tags)
        for d in docs
    ]
    links = [(d.key, to) for d in docs for to in d.links]
    store.save_stories(source_id, drafts, links)
    return {d.key: story_public_id(source_key, d.key) for d in docs}

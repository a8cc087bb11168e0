"""Building small hand-made caches for the search and related-stories tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from reader.identity import story_public_id
from reader.models import StoryDraft
from reader.store import Store


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


# A cache where the related stories of "s" are known: x1 shares three of its key terms (in title
# and body), x2 two, x4 and x5 one (with equal scores; x5 is newer); e1 is its explicit link, b
# links to it; g (same normalised title) and t (same link) are copies of it in other sources.
FILLER = [
    Doc(f"f{i}", title, body, published=f"2008-01-0{i}T00:00:00+00:00")
    for i, (title, body) in enumerate([
        ("Rocket launch delayed", "Engineers found a fault in the engine."),
        ("Cooking pasta", "Boil water, add salt, then the pasta."),
        ("Football results", "The home side won on penalties."),
        ("Stock markets fall", "Shares dropped sharply in early trading."),
        ("New phone announced", "The handset has a bigger screen."),
        ("Election called", "Voters go to the polls in spring."),
        ("Bridge reopens", "Traffic flows again after repairs."),
        ("Museum exhibition", "Paintings from the last century go on show."),
    ], start=1)
]

REGISTER = [
    Doc("s", "Zorblat quintax memo", "The zorblat quintax memo fell. Zorblat again.",
        published="2009-11-01T00:00:00+00:00", url="https://example.com/zorblat",
        links=("e1",)),
    Doc("e1", "Balls responds", "He said little.", published="2009-11-02T00:00:00+00:00"),
    Doc("b", "Weekly roundup", "Plenty happened.", published="2009-11-03T00:00:00+00:00",
        links=("s",)),
    Doc("x1", "Zorblat quintax memo returns", "Zorblat quintax memo.",
        published="2009-12-01T00:00:00+00:00"),
    Doc("x2", "Quintax memo", "Quintax memo.", published="2009-12-02T00:00:00+00:00"),
    Doc("x4", "Weather today", "A memo about rain.", published="2010-01-01T00:00:00+00:00"),
    Doc("x5", "Sunshine later", "A memo about rain.", published="2011-01-01T00:00:00+00:00"),
    *FILLER,
]
GUARDIAN = [Doc("g", "Zorblat Quintax memo!", "Copy of the zorblat story.",
                url="https://guardian.example/z")]
TIMES = [Doc("t", "Officials apologise for memo", "Short note.",
              url="https://example.com/zorblat")]

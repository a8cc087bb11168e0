"""Related stories: the explicit links first, then stories like this one from the whole cache.

A story's "distinctive" terms are the ones it uses often that few other stories use (weighted
term frequency in the story against document frequency in the cache). Those terms, OR-ed, are
one FTS5 query ranked by bm25 with the title weighted above the body, so the stories that
share the most (and rarest) of them come first, ties going to the more recent story.

The same story carried by several sources (same link, or same normalised title) is one story:
its copies are never listed as related, and ``also_in`` names the other sources instead.

Document frequencies are counted with FTS5 queries that stop at a cap rather than read from the
``stories_vocab`` table: the vocab table walks a term's whole posting list, which for the
common words of a story adds up to ~100 ms at 100,000 stories; a term seen in more than
``df_cap`` stories is "common" whatever its exact count, and the cap keeps every lookup cheap.
Lists are cached per story until the cache's content changes (``ContentCache``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from reader.identity import normalise_title
from reader.models import RelatedStory, Story
from reader.search import iter_tokens, tokenize
from reader.store import Store
from reader.store import related as sql
from reader.store.content_cache import ContentCache

TITLE_TF, STANDFIRST_TF, BODY_TF = 3, 2, 1
"""How much one occurrence counts towards a term's weight in the story, by where it is."""
CANDIDATES = 48
"""The story's most frequent terms (after stopwords) whose document frequency is looked up."""
QUERY_TERMS = 10
"""How many of the most distinctive terms make up the similarity query."""
REASON_TERMS = 3

_STOPWORDS = """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each even ever few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself just like made make many may me might more most much must my myself no nor not now of off
on once one only or other our ours ourselves out over own said same say says she should since so
some still such than that the their theirs them themselves then there these they this those
though through to too two under until up upon us very was way we well were what when where
which while who whom why will with within without would yet you your yours yourself yourselves
"""
STOPWORDS = frozenset(_STOPWORDS.split())
"""Words too common to say what a story is about (English; other languages rely on df)."""

_LINK_TARGET = re.compile(r"\]\([^)]*\)|https?://\S+")

_CACHE: ContentCache[tuple[RelatedStory, ...]] = ContentCache(256)


@dataclass(frozen=True, slots=True)
class KeyTerm:
    """A distinctive term of a story: ``term`` as indexed, ``shown`` as the story spells it."""

    term: str
    shown: str
    weight: int
    df: int
    score: float


def story_term_weights(story: Story) -> tuple[Counter[str], dict[str, str]]:
    """Weighted term frequencies of a story, and each term's first spelling in it."""
    weights: Counter[str] = Counter()
    shown: dict[str, str] = {}
    body = _LINK_TARGET.sub(" ", story.body)
    for text, weight in ((story.title, TITLE_TF), (story.standfirst, STANDFIRST_TF),
                         (body, BODY_TF)):
        for term, match in iter_tokens(text):
            if len(term) < 2 or term.isdigit() or term in STOPWORDS:
                continue
            weights[term] += weight
            shown.setdefault(term, match.group())
    return weights, shown


def df_cap(total: int) -> int:
    """The document frequency from which a term counts as common, for a cache of ``total``."""
    return max(100, total // 200)


def key_terms(store: Store, story: Story) -> list[KeyTerm]:
    """The story's distinctive terms, most distinctive first (the first ``QUERY_TERMS`` are
    queried).

    Left out: terms no other story has, which find nothing; and common terms (in ``df_cap``
    stories or more, 1 in 200 of a large cache, or more than half of a small one), which say
    little about what the story is about and would make the similarity query score thousands
    of stories.
    """
    weights, shown = story_term_weights(story)
    if not weights:
        return []
    total = store.story_count()
    cap = df_cap(total)
    candidates = sorted(weights.items(), key=lambda kv: -kv[1])[:CANDIDATES]
    terms: list[KeyTerm] = []
    for term, weight in candidates:
        df = sql.document_frequency(store, term, cap)
        if df < 2 or df >= cap or df > total / 2:
            continue
        idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
        terms.append(KeyTerm(term, shown[term], weight, df, (1 + math.log(weight)) * idf))
    terms.sort(key=lambda t: (-t.score, t.term))
    return terms


def also_in(store: Store, story: Story) -> list[str]:
    """Names of the other sources carrying the same story (same link or normalised title)."""
    return sql.also_in(store, story)


def related_stories(store: Store, story: Story, limit: int = 9) -> list[RelatedStory]:
    """Up to ``limit`` related stories: explicit links (both directions), then similar ones.

    Cached per story until the cache's content changes; safe to call from a worker thread with
    that thread's own ``Store``.
    """
    return list(_CACHE.get(store, (story.id, limit),
                           lambda: tuple(_compute(store, story, limit))))


def _compute(store: Store, story: Story, limit: int) -> list[RelatedStory]:
    explicit = store.explicit_related(story)[:limit]
    out = list(explicit)
    if len(out) >= limit:
        return out
    copies = 1 + sql.copy_count(store, story)
    terms = key_terms(store, story)[:QUERY_TERMS]
    if not terms:
        return out
    wanted = limit - len(out)
    candidates = sql.similar_candidates(store, [t.term for t in terms], story,
                                        4 * wanted + len(explicit) + copies + 8)
    # Copies of the story, of its explicit links and of each other are left out.
    seen_ids = {story.id, *(r.id for r in explicit)}
    seen_urls = {story.url} if story.url else set()
    seen_titles = {normalise_title(t) for t in (story.title, *(r.title for r in explicit))}
    seen_titles.discard("")
    chosen: list[int] = []
    for candidate in candidates:
        url, norm = candidate.url, candidate.norm_title
        if candidate.id in seen_ids or (url and url in seen_urls) or \
                (norm and norm in seen_titles):
            continue
        chosen.append(candidate.rowid)
        seen_ids.add(candidate.id)
        if url:
            seen_urls.add(url)
        if norm:
            seen_titles.add(norm)
        if len(chosen) == wanted:
            break
    by_rowid = store.stories_by_rowid(chosen)
    for rowid in chosen:
        other = by_rowid.get(rowid)
        if other is None:
            continue
        shared = set(tokenize(f"{other.title} {other.standfirst} {other.body}"))
        reason = tuple(t.shown for t in terms if t.term in shared)[:REASON_TERMS]
        text = "" if other.title else f"{other.standfirst} {other.body[:400]}"
        out.append(RelatedStory(id=other.id, title=other.title, kind="similar",
                                source=other.source, terms=reason, teaser=other.teaser,
                                text=text))
    return out

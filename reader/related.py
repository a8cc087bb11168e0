"""Related stories: the explicit links first, then stories like this one from the whole cache.

A story's "distinctive" terms are the ones it uses often that few other stories use (weighted
term frequency in the story against document frequency in the cache). Those terms, OR-ed, are
one FTS5 query ranked by bm25 with the title weighted above the body; a candidate is listed
only if it shares at least ``MIN_SHARED_TERMS`` of them (``MIN_SHARED_TERMS_ELSEWHERE`` from
another source), and at most ``MAX_PER_OTHER_SOURCE``
come from any one source other than the story's own, so one prolific feed (a podcast of 730
episodes) cannot fill every list. The reasons shown are the shared distinctive terms.

Never distinctive: function words of any language (``reader.function_words``: "the", "met",
"aus", "کر"), terms in ``df_cap`` stories or more, a source's furniture, the words in most
of its own stories (a podcast's hosts, "Flattr", a blog's name): a document-frequency floor
measured within the story's source, which works in a small cache and in any language; and
generic vocabulary, the words spread over many sources ("approach", "community", "initial").

The same story carried by several sources (same link, or same normalised title) is one story:
its copies are never listed as related, and ``also_in`` names the other sources instead.

The choices are pure functions here (``distinctive_terms``, ``is_furniture``, ``pick``); the
SQL, document frequencies counted by FTS5 queries that stop at a cap, is in
``reader.store.related``. Lists are cached per story until the cache's content changes
(``ContentCache``).
"""

from __future__ import annotations

import math
import re
from collections import Counter

from reader.function_words import FUNCTION_WORDS
from reader.identity import normalise_title
from reader.models import RelatedStory, Story
from reader.records import record
from reader.search import iter_tokens
from reader.store import Store
from reader.store import related as sql
from reader.store.content_cache import ContentCache

TITLE_TF, STANDFIRST_TF, BODY_TF = 3, 2, 1
"""How much one occurrence counts towards a term's weight in the story, by where it is."""
CANDIDATES = 48
"""The story's most frequent terms (less function words) whose document frequency is read."""
FURNITURE_CHECKED = 16
"""The most distinctive of those checked against the story's own source (one query each)."""
QUERY_TERMS = 10
"""How many of the most distinctive terms make up the similarity query."""
REASON_TERMS = 3
MIN_SHARED_TERMS = 2
"""A story is listed only if it shares this many of the query's distinctive terms: one shared
word ("tax", "valve", "genetic") said little, and half the lists were made of such picks."""
MIN_SHARED_TERMS_ELSEWHERE = 3
"""A story from another source needs this many. Within a source two distinctive words mostly
mean one subject (a podcast's guests, a series' topic); across sources two were mostly a
coincidence. Judged by hand on 40 random stories of the real-feeds cache (3,682 stories): of
the picks from other sources sharing exactly two terms, 5 made sense ("Telekom, DSL",
"Plex, ffmpeg") and 21 did not ("Investigation, Federal", "Hollywood, guys", "century, 17th",
"lohnt, wissen"); those sharing three made sense ("Equifax, Investigation, breach")."""
MAX_PER_OTHER_SOURCE = 3
"""At most this many picks from any one source other than the story's own."""
FURNITURE_SHARE = 0.6
FURNITURE_MIN_STORIES = 8
"""A term in at least ``FURNITURE_SHARE`` of the stories of a source of at least
``FURNITURE_MIN_STORIES`` is that source's furniture (its hosts, its name, its sign-off)."""
WIDESPREAD_SHARE = 0.075
WIDESPREAD_MIN_SOURCES = 10
"""A term found in the stories of at least this share of the sources (and at least
``WIDESPREAD_MIN_SOURCES``) is generic vocabulary, whatever its document frequency: in the
real-feeds corpus (184 sources) "approach" is in 25 sources, "community" 36, "initial" 25, while
topics concentrate ("vgo" 1, "golf" 4, "merchant" 4, "Trump" 12, "git" 13)."""
POOL = 64
"""Candidates read from the similarity query, before the rules above choose among them."""
DF_CAP_FLOOR = 100
"""The smallest document frequency that counts as common (tried: 30 dropped as many good picks,
"Trump" and "golf" among them, as bad ones in the real-feeds corpus of 3,303 stories)."""

_LINK_TARGET = re.compile(r"\]\([^)]*\)|https?://\S+")

_CACHE: ContentCache[tuple[RelatedStory, ...]] = ContentCache(256)


@record
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
            if len(term) < 2 or term.isdigit() or term in FUNCTION_WORDS:
                continue
            weights[term] += weight
            shown.setdefault(term, match.group())
    return weights, shown


def df_cap(total: int) -> int:
    """The document frequency from which a term counts as common, for a cache of ``total``."""
    return max(DF_CAP_FLOOR, total // 200)


def distinctive_terms(weights: Counter[str], shown: dict[str, str], dfs: dict[str, int],
                      total: int) -> list[KeyTerm]:
    """The terms of ``weights`` that are distinctive in a cache of ``total`` stories, most
    distinctive first: in at least one other story, in fewer than ``df_cap`` and in no more
    than half. Scored by weighted term frequency times inverse document frequency."""
    cap = df_cap(total)
    terms: list[KeyTerm] = []
    for term, df in dfs.items():
        if df < 2 or df >= cap or df > total / 2:
            continue
        weight = weights[term]
        idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
        terms.append(KeyTerm(term, shown[term], weight, df, (1 + math.log(weight)) * idf))
    terms.sort(key=lambda t: (-t.score, t.term))
    return terms


_SUFFIXES = ("ions", "ies", "ied", "ing", "ion", "ers", "er", "es", "ed", "ly", "s")
"""Longest first, so "ions" goes before "s" is tried."""
_STEM_MIN = 4


def word_family(term: str) -> str:
    """A crude stem: two forms of one word ("accepted", "Accepting"; "Community",
    "Communities"; "render", "Rendering") count as one shared term, not two.

    Suffixes are taken off while at least four letters stay ("rendering" → "render" →
    "rend"), so a form with two suffixes meets the form with one."""
    if len(term) <= _STEM_MIN:
        return term
    stem = term.lower()
    for _ in range(2):
        cut = next((s for s in _SUFFIXES if stem.endswith(s) and
                    len(stem) - len(s) >= _STEM_MIN), None)
        if cut is None:
            break
        stem = stem[:-len(cut)]
    return stem[:6]


def one_per_family(terms: tuple[KeyTerm, ...]) -> tuple[KeyTerm, ...]:
    """``terms`` with each word family once (its first, most distinctive form), so a list
    says "shares: render, compute", never "render, Rendering"."""
    seen: set[str] = set()
    kept: list[KeyTerm] = []
    for term in terms:
        family = word_family(term.term)
        if family not in seen:
            seen.add(family)
            kept.append(term)
    return tuple(kept)


def is_furniture(in_source: int, source_stories: int) -> bool:
    """Whether a term found in ``in_source`` of a source's ``source_stories`` stories is that
    source's furniture rather than a topic."""
    return (source_stories >= FURNITURE_MIN_STORIES
            and in_source >= FURNITURE_SHARE * source_stories)


def is_widespread(spread: int, sources: int) -> bool:
    """Whether a term found in ``spread`` of the cache's ``sources`` sources is generic."""
    return spread >= max(WIDESPREAD_MIN_SOURCES, WIDESPREAD_SHARE * sources)


def key_terms(store: Store, story: Story) -> list[KeyTerm]:
    """The story's distinctive terms, most distinctive first (the first ``QUERY_TERMS`` are
    queried): ``distinctive_terms`` less its source's furniture and generic vocabulary."""
    weights, shown = story_term_weights(story)
    if not weights:
        return []
    total = store.story_count()
    cap = df_cap(total)
    candidates = sorted(weights.items(), key=lambda kv: -kv[1])[:CANDIDATES]
    dfs = {term: sql.document_frequency(store, term, cap) for term, _ in candidates}
    terms = distinctive_terms(weights, shown, dfs, total)
    if not terms:
        return []
    # A term is furniture only if it is in FURNITURE_SHARE of the source, so the source's size
    # is counted no further than a term below the cap could reach.
    size = sql.source_size(store, story.source_id, math.ceil(cap / FURNITURE_SHARE) + 1)
    if size >= FURNITURE_MIN_STORIES:
        bound = math.ceil(FURNITURE_SHARE * size)
        furniture = {t.term for t in terms[:FURNITURE_CHECKED] if t.df >= bound and is_furniture(
            sql.source_frequency(store, t.term, story.source_id, bound), size)}
        terms = [t for t in terms if t.term not in furniture]
    sources = sql.source_count(store)
    least = max(WIDESPREAD_MIN_SOURCES, math.ceil(WIDESPREAD_SHARE * sources))
    generic = {t.term for t in terms[:FURNITURE_CHECKED] if t.df >= least and is_widespread(
        sql.source_spread(store, t.term, cap, least), sources)}
    return [t for t in terms if t.term not in generic]


@record
class Pick:
    """A candidate chosen for the list, with the distinctive terms it shares."""

    candidate: sql.Candidate
    shared: tuple[KeyTerm, ...]


def pick(story: Story, explicit: list[RelatedStory], candidates: list[sql.Candidate],
         shared: dict[int, tuple[KeyTerm, ...]], wanted: int) -> list[Pick]:
    """Choose up to ``wanted`` of ``candidates`` (in rank order) for ``story``'s list.

    Left out: copies of the story, of its explicit links and of stories already chosen (same
    link or normalised title); a candidate sharing fewer than ``MIN_SHARED_TERMS`` of the
    distinctive terms, ``MIN_SHARED_TERMS_ELSEWHERE`` from another source (``shared``, by
    rowid; forms of one word count once); and past ``MAX_PER_OTHER_SOURCE`` from one source
    other than the story's own.
    """
    seen_ids = {story.id, *(r.id for r in explicit)}
    seen_urls = {story.url} if story.url else set()
    seen_titles = {normalise_title(t) for t in (story.title, *(r.title for r in explicit))}
    seen_titles.discard("")
    per_source: Counter[int] = Counter()
    chosen: list[Pick] = []
    for candidate in candidates:
        url, norm = candidate.url, candidate.norm_title
        if candidate.id in seen_ids or (url and url in seen_urls) or \
                (norm and norm in seen_titles):
            continue
        terms = one_per_family(shared.get(candidate.rowid, ()))
        if len(terms) < (MIN_SHARED_TERMS if candidate.source_id == story.source_id
                         else MIN_SHARED_TERMS_ELSEWHERE):
            continue
        if candidate.source_id != story.source_id and \
                per_source[candidate.source_id] >= MAX_PER_OTHER_SOURCE:
            continue
        chosen.append(Pick(candidate, terms))
        per_source[candidate.source_id] += 1
        seen_ids.add(candidate.id)
        if url:
            seen_urls.add(url)
        if norm:
            seen_titles.add(norm)
        if len(chosen) == wanted:
            break
    return chosen


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
    terms = key_terms(store, story)[:QUERY_TERMS]
    if len(terms) < MIN_SHARED_TERMS:
        return out
    candidates = sql.similar_candidates(store, [t.term for t in terms], story,
                                        POOL + len(explicit) + sql.copy_count(store, story))
    rowids = [c.rowid for c in candidates]
    holders = {t.term: sql.holding(store, t.term, rowids) for t in terms}
    shared = {rowid: tuple(t for t in terms if rowid in holders[t.term]) for rowid in rowids}
    chosen = pick(story, explicit, candidates, shared, limit - len(out))
    by_rowid = store.stories_by_rowid([c.candidate.rowid for c in chosen])
    for choice in chosen:
        other = by_rowid.get(choice.candidate.rowid)
        if other is None:
            continue
        reason = tuple(t.shown for t in choice.shared)[:REASON_TERMS]
        text = "" if other.title else f"{other.standfirst} {other.body[:400]}"
        out.append(RelatedStory(id=other.id, title=other.title, kind="similar",
                                source=other.source, terms=reason, teaser=other.teaser,
                                text=text))
    return out

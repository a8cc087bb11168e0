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

from reader.models import RelatedStory, Story
from reader.search import BM25_WEIGHTS, fts_string, iter_tokens, tokenize
from reader.store import Store
from reader.store.connection import normalise_title
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


def _document_frequency(store: Store, term: str, cap: int) -> int:
    """How many stories contain ``term``, counting no further than ``cap``."""
    return int(store.conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM stories_fts WHERE stories_fts MATCH ? LIMIT ?)",
        (fts_string(term), cap),
    ).fetchone()[0])


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
    total = int(store.conn.execute("SELECT count(*) FROM stories").fetchone()[0])
    cap = df_cap(total)
    candidates = sorted(weights.items(), key=lambda kv: -kv[1])[:CANDIDATES]
    terms: list[KeyTerm] = []
    for term, weight in candidates:
        df = _document_frequency(store, term, cap)
        if df < 2 or df >= cap or df > total / 2:
            continue
        idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
        terms.append(KeyTerm(term, shown[term], weight, df, (1 + math.log(weight)) * idf))
    terms.sort(key=lambda t: (-t.score, t.term))
    return terms


def also_in(store: Store, story: Story) -> list[str]:
    """Names of the other sources carrying the same story (same link or normalised title)."""
    clauses, params = _copy_clauses(story)
    if not clauses:
        return []
    rows = store.conn.execute(
        "SELECT DISTINCT src.name FROM stories s JOIN sources src ON src.id = s.source_id"
        f" WHERE ({' OR '.join(clauses)}) AND s.rowid != ? AND s.source_id != ?"
        " ORDER BY src.name COLLATE NOCASE",
        (*params, story.rowid, story.source_id),
    ).fetchall()
    return [r[0] for r in rows]


def _copy_clauses(story: Story) -> tuple[list[str], list[str]]:
    clauses: list[str] = []
    params: list[str] = []
    if story.url:
        clauses.append("s.url = ?")
        params.append(story.url)
    norm = normalise_title(story.title)
    if norm:
        clauses.append("s.norm_title = ?")
        params.append(norm)
    return clauses, params


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
    clauses, params = _copy_clauses(story)
    copies = 1
    if clauses:
        copies += int(store.conn.execute(
            f"SELECT count(*) FROM stories s WHERE ({' OR '.join(clauses)}) AND s.rowid != ?",
            (*params, story.rowid),
        ).fetchone()[0])
    terms = key_terms(store, story)[:QUERY_TERMS]
    if not terms:
        return out
    wanted = limit - len(out)
    match = " OR ".join(fts_string(t.term) for t in terms)
    rank = "bm25(stories_fts, {}, {}, {})".format(*BM25_WEIGHTS)
    candidates = store.conn.execute(
        f"SELECT f.rowid FROM stories_fts f"
        " CROSS JOIN stories m INDEXED BY stories_search_meta ON m.rowid = f.rowid"
        f" WHERE stories_fts MATCH ? AND f.rowid != ?"
        f" ORDER BY {rank}, m.sort_ts DESC, f.rowid LIMIT ?",
        (match, story.rowid, 4 * wanted + len(explicit) + copies + 8),
    ).fetchall()
    order = [r[0] for r in candidates]
    rows = {
        r[0]: r for r in store.conn.execute(
            "SELECT s.rowid, s.id, s.url, s.norm_title FROM stories s"
            f" WHERE s.rowid IN ({','.join('?' * len(order))})",
            order,
        )
    } if order else {}
    # Copies of the story, of its explicit links and of each other are left out.
    seen_ids = {story.id, *(r.id for r in explicit)}
    seen_urls = {story.url} if story.url else set()
    seen_titles = {normalise_title(t) for t in (story.title, *(r.title for r in explicit))}
    seen_titles.discard("")
    chosen: list[int] = []
    for rowid in order:
        if rowid not in rows:  # deleted meanwhile by another process
            continue
        _, story_id, url, norm = rows[rowid]
        if story_id in seen_ids or (url and url in seen_urls) or (norm and norm in seen_titles):
            continue
        chosen.append(rowid)
        seen_ids.add(story_id)
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
        out.append(RelatedStory(id=other.id, title=other.title, kind="similar",
                                source=other.source, terms=reason, teaser=other.teaser))
    return out

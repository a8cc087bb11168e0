"""Filters matched where a refresh parses each document (``filters.screen_drafts`` in the parse
workers) decide exactly what matching in the writer decided, and what a plain word-by-word
reading of the search language says, on ordinary and hostile text alike."""

from __future__ import annotations

import functools
import random
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from feed_server import FeedServer, static

from reader.config import FetchSettings
from reader.feeds.parse import parse_feed
from reader.filters import FilterRule, Rules, Screen, read_rules, screen_drafts
from reader.models import StoryDraft
from reader.refresh.parse_workers import parse_for_writer
from reader.refresh.pipeline import refresh_feeds
from reader.search import SearchQuery, fold, parse_query, tokenize
from reader.store import Store
from reader.store.decide import draft_columns
from reader.store.feeds import add_feed

# -- a reference: the search language read word by word ------------------------------------


def _in_row(tokens: Sequence[str], words: Sequence[str], prefix: bool) -> bool:
    n = len(tokens)
    for start in range(len(words) - n + 1):
        if list(words[start:start + n - 1]) == list(tokens[:-1]):
            word = words[start + n - 1]
            if word == tokens[-1] or (prefix and word.startswith(tokens[-1])):
                return True
    return False


@functools.cache
def _parsed(query: str) -> SearchQuery:
    return parse_query(query)


@functools.cache
def _columns(draft: StoryDraft) -> tuple[list[str], ...]:
    return tokenize(draft.title), tokenize(draft.standfirst), tokenize(draft.body)


def reference(query: str, draft: StoryDraft, source: str, names: Sequence[str]) -> bool:
    """Whether a new story of ``source`` matches ``query``: each column split into words, a
    phrase's words in a row in one column, ``source:`` an exact name when one is, else a part
    of one (several: any of them), ``tag:`` an exact tag in any case (several: all of them),
    as the README's search section says."""
    parsed = _parsed(query)
    folded_names = {fold(n) for n in names}
    name = fold(source)
    if parsed.sources and not any(name == wanted if wanted in folded_names else wanted in name
                                  for wanted in (fold(s) for s in parsed.sources)):
        return False
    tags = {fold(t) for t in draft.tags}
    if not all(fold(t) in tags for t in parsed.tags):
        return False
    columns = _columns(draft)

    def found(text: str, prefix: bool) -> bool | None:
        tokens = tokenize(text)
        if not tokens:
            return None  # no word: the term is left out
        return any(_in_row(tokens, words, prefix) for words in columns)

    for term in parsed.terms:
        hit = found(term.text, term.prefix)
        if hit is None:
            continue
        if hit == term.exclude:
            return False
    return True


# -- stories and rules, ordinary and hostile -----------------------------------------------

WORDS = [
    "supply", "chain", "supplychain", "chains", "sponsored", "post", "Post-Office", "office",
    "café", "Cafe\u0301", "CAFÉ", "ΟΔΟΣ", "οδος", "Straße", "strasse", "snake_case", "snake",
    "case", "2026", "v2.0", "東京", "🦀", "rust", "Rust's", "naïve", "İstanbul", "ﬁnance",
    "finance", "giveaway", "contest", "quillwort", "ads", "Ad", "x", "a",
]
SEPARATORS = [" ", " ", " ", ", ", ". ", "\n", "\n\n", "\t", "_", "-", "—", " **", "** ", "\u200b",
              "\u00ad", "\x00", "\x1b[31m", "\u202e", "'", "&amp;", " [", "](http://x/a_b) ",
              "\u0301", "…"]
TAGS = ["ads", "Ads", "ADS", "news", "Sponsored", "café", "cafe", "rust", "ΟΔΟΣ", ""]


def text(rng: random.Random, low: int, high: int) -> str:
    parts = []
    for _ in range(rng.randint(low, high)):
        parts.append(rng.choice(WORDS))
        parts.append(rng.choice(SEPARATORS))
    return "".join(parts)


HANDMADE = [
    StoryDraft("h0", "Supply chain news", body="The supply\nchain is fine."),
    StoryDraft("h1", "Supply", body="chain reactions"),  # a phrase never spans two columns
    StoryDraft("h2", "A **sponsored** post", standfirst="Post-Office story", tags=("Ads",)),
    StoryDraft("h3", "Cafe\u0301 culture", body="ΟΔΟΣ and Straße, naïve ﬁnance"),
    StoryDraft("h4", "snake_case_names", body="supplychain supply_chain supply-chain"),
    StoryDraft("h5", "\x1b[31mred\x1b[0m giveaway", body="contest\x00giveaway\u202eevil"),
    StoryDraft("h6", "", body=""),
    StoryDraft("h7", "Rust's 2026 plans", tags=("rust", "news"), body="東京 🦀 rusting"),
    StoryDraft("h8", "x " * 2000, body="supply " * 500 + "chain"),
    StoryDraft("h9", "quillwort", body="QUILLWORTS and quill wort"),
]


def stories(seed: int, count: int) -> list[StoryDraft]:
    rng = random.Random(seed)
    made = list(HANDMADE)
    for number in range(count):
        made.append(StoryDraft(
            f"r{number}", text(rng, 0, 8), standfirst=text(rng, 0, 6), body=text(rng, 0, 60),
            tags=tuple(rng.sample(TAGS, rng.randint(0, 3)))))
    return made


FIXED_QUERIES = [
    '"supply chain"', "supply chain", "supply*", '"supply ch*"', "quillwort", "-quillwort",
    "giveaway -contest", "tag:ads", "tag:ads sponsored", "tag:ΟΔΟΣ", "cafe", "café*", "οδος",
    "strasse", "straße", "snake_case", '"case names"', "2026", "v2.0", "東京", "🦀", "rust*",
    "rust -rusting", "finance", "ﬁnance", "naive", "istanbul", '"post office story"',
    "source:tech", "source:tech supply", "source:reddit -rust", "source:Reddit tag:news",
    '"x x x x"', "sponsored post -tag:ads", "is:unread supply", "a*", "-a -x",
]


def queries(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    made = list(FIXED_QUERIES)
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 3)):
            kind = rng.random()
            word = rng.choice(WORDS)
            if kind < 0.3:
                parts.append(f'"{word} {rng.choice(WORDS)}"')
            elif kind < 0.45:
                parts.append(f"-{word}")
            elif kind < 0.55:
                parts.append(f"{word[:3]}*")
            elif kind < 0.65:
                parts.append(f"tag:{rng.choice(TAGS) or 'ads'}")
            elif kind < 0.72:
                parts.append(rng.choice(["source:tech", "source:reddit", "source:feed"]))
            else:
                parts.append(word)
        made.append(" ".join(parts))
    return made


NAMES = ("Tech", "Tech news", "Reddit", "reddit: rust", "Some feed")


def usable(query_list: Sequence[str]) -> tuple[FilterRule, ...]:
    raw = [{"query": q, "action": "hide" if n % 2 else "read"} for n, q in enumerate(query_list)]
    return read_rules(raw).rules


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_worker_matching_decides_as_the_writer_did_and_as_the_search_reads(seed: int) -> None:
    drafts = stories(seed, 100)
    rules = usable(queries(seed, 40))
    assert len(rules) > 60  # the random queries are mostly usable
    screen = Screen(rules, NAMES)
    found = screen_drafts(rules, drafts)
    assert found
    acted = 0
    for name in ("Tech", "Tech news", "reddit: rust"):
        in_writer = screen.for_source(name)
        from_worker = screen.screened(drafts, found).for_source(name)
        for draft in drafts:
            expected = tuple(r for r in rules if reference(r.query, draft, name, NAMES))
            assert (in_writer(draft) if in_writer else ()) == expected, (draft, name)
            assert (from_worker(draft) if from_worker else ()) == expected, (draft, name)
            acted += bool(expected)
    assert acted > 100  # stories matched by one rule or more, of 330


def test_hand_picked_cases() -> None:
    def hits(query: str, source: str = "Some feed") -> list[str]:
        rules = usable([query])
        verdict = Screen(rules, NAMES).screened(
            HANDMADE, screen_drafts(rules, HANDMADE)).for_source(source)
        return [d.key for d in HANDMADE if verdict is not None and verdict(d)]

    assert hits('"supply chain"') == ["h0", "h4", "h8"]  # across a newline, _ and -; not h1
    assert hits("supply chain") == ["h0", "h1", "h4", "h8"]  # two words: any columns
    assert hits("cafe") == ["h3"] and hits("οδος") == ["h3"] and hits("finance") == []
    assert hits("giveaway -contest") == []  # h5 has both, NUL and escapes being separators
    assert hits('"contest giveaway evil"') == ["h5"]  # NUL and U+202E separate words
    assert hits("red") == [] and hits("31mred") == ["h5"]  # as the search splits it
    assert hits("quillwort") == ["h9"] and hits("quillwort*") == ["h9"]
    assert hits("tag:ads") == ["h2"] and hits("tag:rust source:tech") == []
    assert hits("tag:rust source:tech", "Tech news") == []  # "tech" is a name: Tech only
    assert hits("tag:rust source:tech", "Tech") == ["h7"]
    assert hits("rust -rusting") == [] and hits("rust*") == ["h7"]


def test_a_rule_of_sources_only_is_left_to_the_writer() -> None:
    rules = usable(["source:reddit", "tag:ads"])
    assert screen_drafts(rules[:1], HANDMADE) == ()  # nothing for the worker to look at
    screened = Screen(rules, NAMES).screened(HANDMADE, screen_drafts(rules, HANDMADE))
    assert screened.for_source("Tech") is not None  # tag:ads applies anywhere
    verdict = screened.for_source("Reddit")
    assert verdict is not None
    assert [r.number for r in verdict(HANDMADE[2])] == [1, 2]
    assert [r.number for r in verdict(HANDMADE[0])] == [1]
    assert Screen(rules[:1], NAMES).screened(HANDMADE, ()).for_source("Tech") is None


def test_parse_for_writer_returns_the_parsed_feed_what_matched_and_the_columns() -> None:
    document = rss("Tech", [("a", "Supply chain woes", "<p>plain</p>", ["ads"]),
                            ("b", "Other", "<p>nothing</p>", [])])
    rules = usable(['"supply chain"', "tag:ads"])
    parsed, found, columns = parse_for_writer(document, {}, "http://127.0.0.1/feed.xml", rules)
    assert parsed == parse_feed(document, {}, "http://127.0.0.1/feed.xml")
    assert found == ((0, (1, 2)),)
    assert columns == tuple(draft_columns(d) for d in parsed.drafts)
    assert parse_for_writer(document, {}, "http://127.0.0.1/feed.xml", ())[1:] == (None, columns)


# -- through a real refresh, parsed in worker processes ------------------------------------


def rss(title: str, entries: list[tuple[str, str, str, list[str]]]) -> bytes:
    """RSS 2.0 of (guid, title, HTML description, categories)."""
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
             f"<title>{escape(title)}</title><link>http://127.0.0.1:9/</link>"]
    for number, (guid, entry_title, html, tags) in enumerate(entries):
        parts.append(
            f"<item><guid isPermaLink='false'>{escape(guid)}</guid>"
            f"<title>{escape(entry_title)}</title>"
            f"<pubDate>Tue, 14 Nov 2023 {number % 24:02d}:00:00 GMT</pubDate>"
            f"<description>{escape(html)}</description>"
            + "".join(f"<category>{escape(t)}</category>" for t in tags) + "</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def xml_safe(value: str) -> str:
    return "".join(c for c in value if c in "\t\n" or (c >= " " and c != "\x7f"))


@pytest.fixture()
def server() -> Iterator[FeedServer]:
    running = FeedServer()
    yield running
    running.stop()


def test_a_refresh_parsed_in_processes_acts_as_matching_in_the_writer(
    tmp_path: Path, server: FeedServer
) -> None:
    rng = random.Random(7)
    names = ["Tech", "Reddit", "reddit: rust", "Plain"]
    documents = {}
    for name in names:
        entries = [(f"{name}-{n}", xml_safe(text(rng, 1, 6)),
                    "<p>" + escape(xml_safe(text(rng, 0, 40))) + "</p>",
                    [t for t in rng.sample(TAGS, 2) if t]) for n in range(40)]
        documents[name] = rss(name, entries)
        server.routes[f"/{len(documents)}.xml"] = static(documents[name])
    rules = usable(queries(7, 30))
    database = tmp_path / "cache.sqlite3"
    with Store.open(database) as store:
        for number, name in enumerate(names, 1):
            add_feed(store, server.url(f"/{number}.xml"), name)
        # The writer's way, story by story, for what the cache must hold after the refresh.
        screen = Screen(rules, [s.name for s in store.sources()])
    expected: set[tuple[str, str]] = set()
    for name in names:
        verdict = screen.for_source(name)
        for draft in parse_feed(documents[name], {}, "http://x/").drafts:
            expected |= {(draft.key, r.label) for r in (verdict(draft) if verdict else ())}
    assert len(expected) > 20

    summary = refresh_feeds(database, FetchSettings(), filters=Rules(rules), parse_workers=2)
    assert [o.status for o in summary.outcomes] == ["ok"] * 4
    with sqlite3.connect(database) as conn:
        stored = set(conn.execute(
            "SELECT s.key, h.rule FROM filter_hits h JOIN stories s ON s.rowid = h.story"))
        hidden = conn.execute("SELECT count(*) FROM hidden").fetchone()[0]
    assert stored == expected
    hide_labels = {label for label in {r.label for r in rules} if label.startswith("hide:")}
    assert hidden == len({key for key, label in expected if label in hide_labels})
    assert sum(o.hidden for o in summary.outcomes) == hidden

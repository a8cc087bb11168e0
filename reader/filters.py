"""Filters: ``[[filters]]`` rules that mark new stories read or hide them, as a refresh stores
them.

A rule is a query in the search language (``source:reddit -rust``, ``"sponsored post"``,
``tag:ads``) and an action: ``read`` (the story arrives already read) or ``hide`` (it stays out
of every view and count unless a search says ``is:hidden``). Pure: a refresh's parse worker
matches each parsed story's tags and words (``screen_drafts``), and the store applies what it
found, with each rule's source, to each *new* story inside the transaction that inserts it
(``Screen``).

Why not ask SQLite: a refresh fills the full-text index in batches after the stories are
stored (schema migration 6), so new stories are not in it yet, and indexing them first would
cost the refresh its batching. So a rule is matched here, against the story's draft, the way
the search would match it: words and phrases as ``reader.search.tokenize`` splits and folds
them (FTS5's ``unicode61 remove_diacritics 2``), a phrase within one of title, standfirst or
body, ``word*`` as a prefix, ``source:`` as the search resolves a source name (an exact name,
else any name containing it), ``tag:`` as an exact tag in any case. Most stories match no rule,
and are turned away cheaply: a rule whose source or tags do not fit costs nothing more, and a
phrase's longest word is first looked for as a plain substring of the story's folded text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, Protocol

from reader.models import StoryDraft
from reader.records import record
from reader.search import SearchQuery, Term, fold, parse_query, tokenize
from reader.text import clean_line

FilterAction = Literal["read", "hide"]
ACTIONS: tuple[FilterAction, ...] = ("read", "hide")
RULE_KEYS = frozenset({"query", "action", "name"})


@record
class FilterRule:
    """One ``[[filters]]`` table: its place in the file (1-based), query, action and name."""

    number: int
    query: str
    action: FilterAction
    name: str | None = None

    @property
    def label(self) -> str:
        """The rule's key in the cache (``filter_hits``): its action and query."""
        return f"{self.action}: {self.query}"

    def describe(self) -> str:
        """How a message names the rule: ``filter 2 "ads" (tag:ads)``."""
        return describe_rule(self.number, self.name, self.query)


def describe_rule(number: int, name: str | None, query: str | None) -> str:
    """``filter N`` with its name and query, cleaned for one line."""
    text = f"filter {number}"
    if name:
        text += f" {clean_line(name)[:40]!r}"
    if query is not None:
        text += f" ({clean_line(query)[:60]})"
    return text


@record
class BadRule:
    """A ``[[filters]]`` table that cannot be used, and why (one line)."""

    number: int
    name: str | None
    query: str | None
    reason: str

    def __str__(self) -> str:
        return f"{describe_rule(self.number, self.name, self.query)}: {self.reason}"


@record
class Rules:
    """The usable rules of a config, and the tables that could not be used."""

    rules: tuple[FilterRule, ...] = ()
    bad: tuple[BadRule, ...] = ()

    @property
    def problems(self) -> tuple[str, ...]:
        """One line per rule left out, naming it."""
        return tuple(str(b) for b in self.bad)

    @property
    def hide_labels(self) -> tuple[str, ...]:
        """The labels of the rules that hide stories (a hidden story whose rule is gone is
        shown again)."""
        return tuple(r.label for r in self.rules if r.action == "hide")


def read_rules(raw: Any) -> Rules:
    """The ``filters`` array of the config (a list of tables); a table that cannot be used is
    left out with a line naming it, the others apply."""
    if raw is None:
        return Rules()
    if not isinstance(raw, list):
        return Rules(bad=(BadRule(1, None, None, "must be written as [[filters]] tables"),))
    rules: list[FilterRule] = []
    bad: list[BadRule] = []
    for number, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            bad.append(BadRule(number, None, None, "must be a [[filters]] table"))
            continue
        query = item.get("query")
        name = item.get("name") if isinstance(item.get("name"), str) else None
        problem = _rule_problem(item, query)
        if problem is not None:
            bad.append(BadRule(number, name, query if isinstance(query, str) else None, problem))
            continue
        rules.append(FilterRule(number, str(query), item["action"], name))
    return Rules(tuple(rules), tuple(bad))


def _rule_problem(item: dict[str, Any], query: Any) -> str | None:
    unknown = sorted(set(item) - RULE_KEYS)
    if unknown:
        return f"has no setting {unknown[0]!r} (a rule has query, action and name)"
    if not isinstance(query, str) or not query.strip():
        return "needs a query in quotes (e.g. query = \"tag:ads\")"
    action = item.get("action")
    if action not in ACTIONS:
        return 'needs action = "read" or "hide"'
    if "name" in item and not isinstance(item["name"], str):
        return "name must be in quotes"
    parsed = parse_query(query)
    if parsed.errors:
        return "; ".join(parsed.errors)
    if parsed.starred or parsed.hidden:
        return "is:starred and is:hidden never hold for a new story"
    if not parsed.terms and not parsed.sources and not parsed.tags:
        return "matches every new story: give it words, source: or tag:"
    return None


# -- matching a new story -------------------------------------------------------------------

_START = r"(?<![^\W_])"
"""Where a token starts: not right after a token character (``search._TOKEN``'s class)."""
_END = r"(?![^\W_])"
"""Where a token ends: not right before a token character."""
_BETWEEN = r"[\W_]+"
"""What separates two tokens: one or more characters that are not token characters."""


@record
class _Phrase:
    """A term as FTS5 reads a quoted string: its tokens in a row within one column, the last
    one a prefix when the term was ``word*``.

    Matched as a regular expression over the column's folded text, which is exact: tokens are
    the maximal runs of ``search._TOKEN``'s characters in that text, so the tokens in a row
    are the first token starting where no token character precedes it, each next one after a
    run of other characters, the last ending where no token character follows (or not, for a
    prefix). It spares splitting the story into words: 100 µs a story for the benchmark's
    stories, against a few µs for the search. ``needle`` (the longest token) is looked for
    first, as a plain substring: nearly every story lacks it, and ``in`` is far quicker than
    a pattern that starts with a look-behind."""

    needle: str
    pattern: re.Pattern[str]

    @classmethod
    def of(cls, term: Term) -> _Phrase | None:
        """The term's phrase; None when it has no token (punctuation only: it matches
        nothing and is left out, as the search leaves it out)."""
        tokens = tokenize(term.text)
        if not tokens:
            return None
        pattern = _START + _BETWEEN.join(re.escape(t) for t in tokens)
        return cls(max(tokens, key=len), re.compile(pattern if term.prefix else pattern + _END))

    def in_story(self, columns: tuple[str, str, str]) -> bool:
        """Whether the phrase is in one of the story's folded title, standfirst and body."""
        search = self.pattern.search
        return any(search(column) is not None for column in columns)


@record
class _Compiled:
    """A rule ready to match: its sources and tags folded, its phrases compiled."""

    rule: FilterRule
    sources: tuple[str, ...]
    tags: frozenset[str]
    included: tuple[_Phrase, ...]
    excluded: tuple[_Phrase, ...]
    needles: frozenset[str]
    """The included phrases' needles: a story this rule matches holds all of them."""
    excluded_needles: frozenset[str]

    @property
    def reads_story(self) -> bool:
        """Whether the rule looks at a story at all (else its sources alone decide)."""
        return bool(self.tags or self.included or self.excluded)


def _compile(rule: FilterRule) -> _Compiled:
    query: SearchQuery = parse_query(rule.query)
    included = tuple(p for p in map(_Phrase.of, query.included) if p is not None)
    excluded = tuple(p for p in map(_Phrase.of, query.excluded) if p is not None)
    return _Compiled(
        rule, tuple(fold(s) for s in query.sources), frozenset(fold(t) for t in query.tags),
        included, excluded, frozenset(p.needle for p in included),
        frozenset(p.needle for p in excluded),
    )


def _needles(rules: Iterable[_Compiled]) -> tuple[str, ...]:
    """Every needle of ``rules``, each once."""
    return tuple(dict.fromkeys(n for r in rules for n in (*r.needles, *r.excluded_needles)))


def _matches(rules: Sequence[_Compiled], needles: tuple[str, ...],
             draft: StoryDraft) -> tuple[FilterRule, ...]:
    """The rules whose tags and words ``draft`` matches (their sources are the caller's to
    check); ``needles`` are theirs (``_needles``). The hot path of filtering: the story's tags
    and folded text are made once, when a rule first needs them, and each needle is looked
    for in the whole folded text once for all rules (a ``str.__contains__`` scan each, with no
    Python loop); only a story holding a rule's needles is folded column by column for the
    exact check. 13 µs a story for the benchmark's five rules, nearly all of it the fold (5 µs)
    and the scans of its 4 KB (8 µs); it was 18 µs splitting each candidate story into words
    (same run, loaded machine), 88 µs with an object per story."""
    present: frozenset[str] | None = None
    columns: tuple[str, str, str] | None = None
    tags: frozenset[str] | None = None
    matched: list[FilterRule] = []
    for rule in rules:
        if rule.tags:
            if tags is None:
                tags = frozenset(fold(t) for t in draft.tags)
            if not rule.tags <= tags:
                continue
        if rule.included or rule.excluded:
            if present is None:
                # One fold: a newline between columns folds each as it would alone.
                text = fold(f"{draft.title}\n{draft.standfirst}\n{draft.body}")
                present = frozenset(filter(text.__contains__, needles))
            if not rule.needles <= present:
                continue
            maybe_excluded = not rule.excluded_needles.isdisjoint(present)
            if rule.included or maybe_excluded:
                if columns is None:
                    columns = (fold(draft.title), fold(draft.standfirst), fold(draft.body))
                if not all(p.in_story(columns) for p in rule.included):
                    continue
                if maybe_excluded and any(p.in_story(columns) for p in rule.excluded):
                    continue
        matched.append(rule.rule)
    return tuple(matched)


# -- in the parse workers ------------------------------------------------------------------

Found = tuple[tuple[int, tuple[int, ...]], ...]
"""What a parse worker found in one feed's drafts: ``(index, rule numbers)`` for each draft
whose tags and words match one rule or more, sources left aside (most drafts: none)."""


@functools.lru_cache(maxsize=8)
def _story_rules(rules: tuple[FilterRule, ...]) -> tuple[tuple[_Compiled, ...], tuple[str, ...]]:
    """The rules that look at a story, and their needles, compiled once per worker (a refresh
    sends the same rules with every document)."""
    compiled = tuple(c for c in map(_compile, rules) if c.reads_story)
    return compiled, _needles(compiled)


def screen_drafts(rules: Sequence[FilterRule], drafts: Sequence[StoryDraft]) -> Found:
    """Match one feed's parsed drafts against ``rules``' tags and words, where the feed was
    parsed (a parse worker, ``refresh.parse_workers``).

    Why there: a refresh stores every feed through one writer thread, its bottleneck, and
    matching there cost the cold refresh benchmark 8 % (25,000 stories, 5 rules). A rule's
    source is left to the writer (``Screen.screened``): which source ``source:NAME`` names
    depends on every name in the cache and on the feed's name after this refresh, which only
    the writer knows. Everything else a rule asks is the story's own text and tags."""
    story_rules, needles = _story_rules(tuple(rules))
    if not story_rules:
        return ()
    found: list[tuple[int, tuple[int, ...]]] = []
    for index, draft in enumerate(drafts):
        matched = _matches(story_rules, needles, draft)
        if matched:
            found.append((index, tuple(rule.number for rule in matched)))
    return tuple(found)


# -- in the writer -------------------------------------------------------------------------

Verdict = Callable[[StoryDraft], tuple[FilterRule, ...]]
"""The rules a new story of one source matches (most often none)."""


class SourceScreen(Protocol):
    """What storing a feed asks of the filters (``store.feeds.record_refresh``)."""

    def for_source(self, name: str) -> Verdict | None:
        """The verdict for new stories of the source called ``name``; None when no rule
        matches any of them (then nothing is looked at)."""
        ...


class Screen:
    """The rules of one refresh, ready to match the new stories of any source.

    ``source_names`` are the names of every source in the cache: ``source:reddit`` means
    the source named exactly "reddit" when there is one, else every source whose name
    contains it (as in a search)."""

    def __init__(self, rules: Iterable[FilterRule], source_names: Iterable[str]) -> None:
        self.rules = tuple(_compile(r) for r in rules)
        self.names = frozenset(fold(n) for n in source_names)

    def _source_fits(self, wanted: str, name: str) -> bool:
        return name == wanted if wanted in self.names else wanted in name

    def fitting(self, name: str) -> list[_Compiled]:
        """The rules whose sources take in the source called ``name``."""
        folded = fold(name)
        return [r for r in self.rules
                if not r.sources or any(self._source_fits(s, folded) for s in r.sources)]

    def for_source(self, name: str) -> Verdict | None:
        """The verdict for new stories of the source called ``name``, matching each story
        here; None when no rule can match any of them (then nothing is looked at)."""
        rules = self.fitting(name)
        if not rules:
            return None
        needles = _needles(rules)

        def verdict(draft: StoryDraft) -> tuple[FilterRule, ...]:
            return _matches(rules, needles, draft)

        return verdict

    def screened(self, drafts: Sequence[StoryDraft], found: Found) -> SourceScreen:
        """This screen for one feed whose ``drafts`` a parse worker matched already
        (``screen_drafts``: ``found``): only the sources are left to check."""
        return _Screened(self, drafts, found)


class _Screened:
    """One feed's verdicts from what its parse worker found: a new story's rules are those
    it found whose sources take in the feed, and the rules that look only at sources."""

    def __init__(self, screen: Screen, drafts: Sequence[StoryDraft], found: Found) -> None:
        self.screen = screen
        # The drafts the writer stores are these very objects (``FeedFetched.drafts``).
        self.found = {id(drafts[index]): frozenset(numbers) for index, numbers in found}

    def for_source(self, name: str) -> Verdict | None:
        rules = self.screen.fitting(name)
        every = tuple(r.rule for r in rules if not r.reads_story)
        if not every and not self.found:
            return None  # no rule matched any story: the writer looks at none
        chosen = [(r.rule, r.reads_story) for r in rules]
        found = self.found

        def verdict(draft: StoryDraft) -> tuple[FilterRule, ...]:
            numbers = found.get(id(draft))
            if numbers is None:
                return every
            return tuple(rule for rule, reads in chosen if not reads or rule.number in numbers)

        return verdict

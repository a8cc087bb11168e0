"""The search query language: parsing what a person types into a safe FTS5 expression.

Pure (no database, no Textual), so the command line, the store and the UI share one parser and
it can be tested by throwing arbitrary text at it. Nothing a person types reaches FTS5 as syntax:
every word and phrase is sent as a quoted FTS5 string, and anything the parser had to change or
drop is reported in ``SearchQuery.notes`` / ``errors`` for the status line, never raised.

Highlighting is here too: FTS5 ``snippet()`` is asked for control-character markers that stored
text cannot contain (ingest strips control characters), and they are turned into plain
``(text, is_match)`` pieces, so feed text is never interpreted as markup by whoever styles them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from reader.records import record
from reader.text import CELL_EDGE, TABLE_DELIMITER, clean_text, unescape_markdown

BM25_WEIGHTS = (8.0, 3.0, 1.0)
"""bm25 weights of the ``stories_fts`` columns: a match in the title counts most, then the
standfirst, then the body."""

MATCH_START = "\x02"
MATCH_END = "\x03"
"""Markers ``snippet()`` puts around matches: control characters, so never in stored text."""

MAX_TERMS = 32
"""More words than this are dropped (with a note): keeps the FTS5 expression small."""

MIN_PREFIX = 3
"""``th*`` would merge the posting lists of every term starting with "th" (seconds at 100,000
stories); the index keeps 3-character prefixes (schema migration 5), so shorter prefixes are
searched as whole words instead, with a note saying so."""

FILTERS = ("source", "is", "tag")
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}
# Characters the parser never passes on: NUL ends an SQL string early; lone surrogates cannot
# be encoded; other controls would be stripped at ingest anyway.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_TOKEN = re.compile(r"[^\W_]+")

Piece = tuple[str, bool]
"""A run of snippet text and whether it is a match (to be shown highlighted)."""


def fold(text: str) -> str:
    """Lower-case and strip accents, as FTS5's ``unicode61 remove_diacritics 2`` does."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def tokenize(text: str) -> list[str]:
    """Split text into folded index terms the way the ``stories_fts`` tokenizer does.

    An approximation (Python's Unicode tables, not SQLite's 6.1 ones); callers that send a term
    to FTS5 always send it quoted, so a difference can only change results, never raise.
    """
    return _TOKEN.findall(fold(text))


def iter_tokens(text: str) -> Iterator[tuple[str, re.Match[str]]]:
    """Each token of ``text``, folded, with its match in ``text`` (for offsets and spelling)."""
    for match in _TOKEN.finditer(text):
        yield fold(match.group()), match


def fts_string(text: str) -> str:
    """``text`` as an FTS5 string literal: inside quotes every character is literal."""
    return '"' + text.replace('"', '""') + '"'


@record
class Term:
    """One word or phrase of a query. ``prefix`` matches words starting with the last token."""

    text: str
    phrase: bool = False
    prefix: bool = False
    exclude: bool = False

    def fts(self) -> str:
        """The term as a quoted FTS5 string (a prefix keeps its ``*``)."""
        return fts_string(self.text) + ("*" if self.prefix else "")

    def display(self) -> str:
        """The term as the user would type it."""
        shown = f'"{self.text}"' if self.phrase else self.text
        return ("-" if self.exclude else "") + shown + ("*" if self.prefix else "")


@record
class SearchQuery:
    """A parsed query: text terms, filters, and what the parser had to say about the input.

    ``errors`` are parts that could not be used as typed (an unknown filter): the rest of the
    query still runs. ``notes`` are small repairs (a closing quote added, a lone ``*`` dropped).
    """

    text: str
    terms: tuple[Term, ...] = ()
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    unread: bool = False
    starred: bool = False
    notes: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    hidden: bool = False
    """``is:hidden``: the stories a filter hid (``reader.filters``), which no other view shows."""

    @property
    def included(self) -> tuple[Term, ...]:
        """The terms a story must match."""
        return tuple(t for t in self.terms if not t.exclude)

    @property
    def excluded(self) -> tuple[Term, ...]:
        """The terms a story must not match."""
        return tuple(t for t in self.terms if t.exclude)

    @property
    def match_expression(self) -> str | None:
        """The FTS5 MATCH expression, or None when no word must match (then rows are filtered
        by ``exclude_expression`` and the filters alone)."""
        included = self.included
        if not included:
            return None
        expression = " AND ".join(t.fts() for t in included)
        if self.excluded:
            expression = f"({expression}) NOT ({self.exclude_expression})"
        return expression

    @property
    def exclude_expression(self) -> str | None:
        """FTS5 expression matching any excluded term (``a OR b`` keeps the tree shallow)."""
        excluded = self.excluded
        return " OR ".join(t.fts() for t in excluded) if excluded else None

    @property
    def has_filters(self) -> bool:
        """Whether the query filters by source, tag or state."""
        return bool(self.sources or self.tags or self.unread or self.starred or self.hidden)

    @property
    def is_empty(self) -> bool:
        """Nothing to search for or filter by: the view is shown as if there were no query."""
        return not self.terms and not self.has_filters

    @property
    def message(self) -> str | None:
        """One line for the status line: errors first, then notes; None when all is well."""
        parts = [*self.errors, *self.notes]
        return "; ".join(parts) if parts else None

    def highlight(self, text: str) -> tuple[Piece, ...]:
        """Mark the words of ``text`` that the query's included terms match.

        For titles and other text FTS5 did not snippet; done in Python, word by word, so a
        phrase's words are marked wherever they occur.
        """
        words: set[str] = set()
        prefixes: list[str] = []
        for term in self.included:
            tokens = tokenize(term.text)
            if term.prefix and tokens:
                prefixes.append(tokens[-1])
                tokens = tokens[:-1]
            words.update(tokens)
        if not words and not prefixes:
            return ((text, False),) if text else ()
        pieces: list[Piece] = []
        last = 0
        for token, m in iter_tokens(text):
            if token in words or any(token.startswith(p) for p in prefixes):
                if m.start() > last:
                    pieces.append((text[last:m.start()], False))
                pieces.append((m.group(), True))
                last = m.end()
        if last < len(text):
            pieces.append((text[last:], False))
        return _merge(pieces)


@record
class SavedSearch:
    """A search kept as a view beside the sources; counts are taken when listed."""

    name: str
    query: str
    story_count: int = 0
    unread_count: int = 0


class _Parser:
    """One pass over the text; collects terms, filters and notes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.terms: list[Term] = []
        self.sources: list[str] = []
        self.tags: list[str] = []
        self.unread = False
        self.starred = False
        self.hidden = False
        self.notes: list[str] = []
        self.errors: list[str] = []

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def error(self, message: str) -> None:
        if message not in self.errors:
            self.errors.append(message)

    def read_quoted(self) -> str:
        """Read a quoted string from just after its opening quote; a missing close is noted."""
        end = self.text.find('"', self.pos)
        if end < 0:
            value = self.text[self.pos:]
            self.pos = len(self.text)
            self.note("closing quote added")
            return value
        value = self.text[self.pos:end]
        self.pos = end + 1
        return value

    def read_bare(self) -> str:
        """Read up to whitespace or a quote."""
        start = self.pos
        while self.pos < len(self.text) and not self.text[self.pos].isspace() \
                and self.text[self.pos] != '"':
            self.pos += 1
        return self.text[start:self.pos]

    def read_stars(self) -> bool:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] == "*":
            self.pos += 1
        return self.pos > start

    def run(self) -> None:
        text = self.text
        while self.pos < len(text):
            if text[self.pos].isspace():
                self.pos += 1
                continue
            exclude = False
            if text[self.pos] == "-":
                self.pos += 1
                if self.pos >= len(text) or text[self.pos].isspace():
                    self.note("a lone - was ignored")
                    continue
                exclude = True
            if text[self.pos] == '"':
                self.pos += 1
                value = self.read_quoted()
                self.add_term(value, phrase=True, prefix=self.read_stars(), exclude=exclude)
                continue
            word = self.read_bare()
            name, colon, value = word.partition(":")
            if colon and name.casefold() in FILTERS:
                if not value and self.pos < len(text) and text[self.pos] == '"':
                    self.pos += 1
                    value = self.read_quoted()
                self.add_filter(name.casefold(), value.strip(), exclude)
                continue
            if colon and name.isalpha() and tokenize(value):
                # title:memo, FTS5's column filter: the intent is the word, so search that.
                self.note(f"{name}: is not a filter (use source:, tag: or is:); "
                          f"searched for {value}")
                word = value
            prefix = word.endswith("*")
            self.add_term(word.rstrip("*"), phrase=False, prefix=prefix, exclude=exclude)

    def add_filter(self, name: str, value: str, exclude: bool) -> None:
        if exclude:
            self.error(f"-{name}: cannot exclude a filter; ignored")
            return
        if not value:
            self.error(f"{name}: needs a value"
                       + (" (unread, starred or hidden)" if name == "is" else ""))
            return
        if name == "source":
            if value.casefold() not in (s.casefold() for s in self.sources):
                self.sources.append(value)
        elif name == "tag":
            if value.casefold() not in (t.casefold() for t in self.tags):
                self.tags.append(value)
        elif value.casefold() == "unread":
            self.unread = True
        elif value.casefold() == "starred":
            self.starred = True
        elif value.casefold() == "hidden":
            self.hidden = True
        else:
            self.error(f"is:{value} is not a filter (use is:unread, is:starred or is:hidden)")

    def add_term(self, value: str, *, phrase: bool, prefix: bool, exclude: bool) -> None:
        tokens = tokenize(value)
        if not tokens:
            if value.strip() or prefix:
                shown = (f'"{value}"' if phrase else value) + ("*" if prefix else "")
                self.note(f"{shown.strip() or '*'} has no letters or digits; ignored")
            elif phrase:
                self.note('empty quotes "" ignored')
            return
        head = re.split(r"\W", value, maxsplit=1)[0]
        if head in _OPERATORS:
            self.note(f"{head} is searched as a word (all words must match)")
        if prefix and len(tokens[-1]) < MIN_PREFIX:
            self.note(f"{value}* needs {MIN_PREFIX} letters before *; searched as a word")
            prefix = False
        if len(self.terms) >= MAX_TERMS:
            self.note(f"only the first {MAX_TERMS} words are searched")
            return
        term = Term(" ".join(value.split()), phrase=phrase, prefix=prefix, exclude=exclude)
        if term not in self.terms:
            self.terms.append(term)


def parse_query(text: str | None) -> SearchQuery:
    """Parse what a person typed. Never raises; problems come back as ``errors``/``notes``."""
    raw = text or ""
    cleaned = _UNSAFE.sub(" ", raw)
    parser = _Parser(cleaned)
    parser.run()
    return SearchQuery(
        text=raw, terms=tuple(parser.terms), sources=tuple(parser.sources),
        tags=tuple(parser.tags), unread=parser.unread, starred=parser.starred,
        notes=tuple(parser.notes), errors=tuple(parser.errors), hidden=parser.hidden,
    )


_WHITESPACE = re.compile(r"\s+")

# Markdown syntax a snippet shows as its text. Stored text escapes literal brackets, stars and
# backticks (``reader.text.escape_inline``), so unescaped ones are syntax. A link is read as its
# text; its address is kept (in brackets) only when a match is inside it, so the highlight a
# search found stays visible. A snippet is a window of the body, so a link may be cut at either
# edge: "…Disney+](https://…) said" and "[Prompt](https://www.re…".
_URL = r"(<[^<>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
_LINK_TEXT = r"((?:\\.|[^\\\[\]])*)"
_LINK_TITLE = r'(?:\s+"(?:\\.|[^"\\])*")?'
_SNIPPET_LINK = re.compile(r"!?(?<!\\)\[" + _LINK_TEXT + r"\]\(" + _URL + _LINK_TITLE + r"\)")
_SNIPPET_LINK_CUT_BEFORE = re.compile(r"^(…?)" + _LINK_TEXT + r"\]\(" + _URL + _LINK_TITLE + r"\)")
_SNIPPET_LINK_CUT_AFTER = re.compile(r"!?(?<!\\)\[" + _LINK_TEXT + r"\]\((\S*)$")
_SNIPPET_LINE_MARKS = re.compile(r"(?m)^[ \t]*(?:>[ \t]?)*(?:(?:[-+*]|\d+[.)]|#{1,6})[ \t]+)?")
_SNIPPET_SYNTAX = re.compile(r"(?<!\\)(?:[\[\]`]|\*+)")
# A table row reads as its cells between " · "; a delimiter row and empty cells read as nothing
# (a "-" among other cells is a value and stays). A window may cut a row, so a line is a row when
# it starts with an edge, or (the window's first line) ends with one.


def _table_rows_as_text(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    cells: list[str] = []
    for number, line in enumerate(lines):
        stripped = line.strip()
        row = stripped.startswith("|") or (number == 0 and stripped.endswith("|")
                                           and not stripped.endswith("\\|"))
        if row:
            if not TABLE_DELIMITER.match(stripped):
                cells += [cell for cell in map(str.strip, CELL_EDGE.split(stripped)) if cell]
            continue
        if cells:
            out.append(" · ".join(cells))
            cells = []
        out.append(line)
    if cells:
        out.append(" · ".join(cells))
    return "\n".join(out)


def _link_text(text: str, url: str) -> str:
    if MATCH_START in url or MATCH_END in url:
        url = url.strip("<>")
        return f"{text} ({url})" if text else url
    return text


def _cut_link(match: re.Match[str]) -> str:
    """A link the snippet's end cut short: its text, and the snippet's "…" if it had one."""
    text, url = match.group(1), match.group(2)
    shown = _link_text(text, url)
    return shown if shown != text or not url.endswith("…") else text + "…"


def snippet_text(text: str) -> str:
    """A snippet of Markdown as the words a reader sees: links as their text, no list marks,
    heading or quote signs, emphasis stars, code ticks or table rules; a table's cells between
    " · " (escapes stay for ``split_marked``)."""
    if "[" in text or "](" in text:
        text = _SNIPPET_LINK_CUT_BEFORE.sub(
            lambda m: m.group(1) + _link_text(m.group(2), m.group(3)), text, count=1)
        text = _SNIPPET_LINK.sub(lambda m: _link_text(m.group(1), m.group(2)), text)
        text = _SNIPPET_LINK_CUT_AFTER.sub(_cut_link, text, count=1)
    if "|" in text:
        text = _table_rows_as_text(text)
    text = _SNIPPET_LINE_MARKS.sub("", text)
    return _SNIPPET_SYNTAX.sub("", text)


def split_marked(text: str, markdown: bool = True) -> tuple[Piece, ...]:
    """Turn ``snippet()`` output (matches between ``MATCH_START``/``MATCH_END``) into pieces.

    A stored body or standfirst is Markdown (``markdown``), so its syntax is read as text
    (``snippet_text``) and backslash escapes are undone; a title is plain text and stays as it
    is. Whitespace runs (paragraph breaks) become one space, and each piece is cleaned of
    control characters again.
    """
    if markdown:
        text = snippet_text(text)
    # A backslash just before a match escaped the match's first character ("\1." at a line
    # start); an escaped backslash ("\\") keeps its second one.
    if markdown:
        text = text.replace("\\" + MATCH_START, MATCH_START)
    pieces: list[Piece] = []
    match = False
    for part in re.split(f"([{MATCH_START}{MATCH_END}])", text):
        if part == MATCH_START:
            match = True
        elif part == MATCH_END:
            match = False
        elif part:
            if markdown:
                part = unescape_markdown(part)
            cleaned = _WHITESPACE.sub(" ", clean_text(part))
            if cleaned:
                pieces.append((cleaned, match))
    if pieces:
        first_text, first_match = pieces[0]
        pieces[0] = (first_text.lstrip(), first_match)
        last_text, last_match = pieces[-1]
        pieces[-1] = (last_text.rstrip(), last_match)
    return _merge([p for p in pieces if p[0]])


def _merge(pieces: list[Piece]) -> tuple[Piece, ...]:
    merged: list[Piece] = []
    for text, match in pieces:
        if merged and merged[-1][1] == match:
            merged[-1] = (merged[-1][0] + text, match)
        else:
            merged.append((text, match))
    return tuple(merged)


def plain_text(pieces: tuple[Piece, ...], start: str = "«", end: str = "»") -> str:
    """Pieces as one line of plain text with matches between ``start`` and ``end``."""
    return "".join(f"{start}{text}{end}" if match else text for text, match in pieces)


def match_spans(pieces: tuple[Piece, ...]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Pieces as plain text plus the (start, end) offsets of each match in it."""
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    at = 0
    for text, match in pieces:
        if match:
            spans.append((at, at + len(text)))
        out.append(text)
        at += len(text)
    return "".join(out), tuple(spans)

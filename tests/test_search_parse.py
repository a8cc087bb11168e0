"""The query language parser and snippet pieces: pure functions, no database."""

from __future__ import annotations

import subprocess
import sys

import pytest

from reader.search import (
    MAX_TERMS,
    Term,
    match_spans,
    parse_query,
    plain_text,
    snippet_text,
    split_marked,
    tokenize,
)


def terms(text: str) -> list[str]:
    return [t.display() for t in parse_query(text).terms]


def test_words_all_must_match() -> None:
    query = parse_query("contact point")
    assert terms("contact point") == ["contact", "point"]
    assert query.match_expression == '"contact" AND "point"'
    assert query.message is None


def test_quoted_phrase() -> None:
    query = parse_query('"child database" memo')
    assert query.terms[0] == Term("child database", phrase=True)
    assert query.match_expression == '"child database" AND "memo"'


def test_prefix_word_and_phrase() -> None:
    assert parse_query("contact*").terms == (Term("contact", prefix=True),)
    assert parse_query("contact*").match_expression == '"contact"*'
    assert parse_query('"civil serv"*').match_expression == '"civil serv"*'


def test_short_prefix_is_searched_as_a_word() -> None:
    query = parse_query("co* memo")
    assert query.terms[0] == Term("co")
    assert "needs 3 letters" in (query.message or "")
    assert parse_query("con*").terms[0] == Term("con", prefix=True)


def test_exclusion() -> None:
    query = parse_query('memo -tory -"civil service"')
    assert query.match_expression == '("memo") NOT ("tory" OR "civil service")'
    only = parse_query("-tory")
    assert only.match_expression is None
    assert only.exclude_expression == '"tory"'


def test_filters() -> None:
    query = parse_query('is:unread is:starred source:"The Register" tag:UK tag:uk budget')
    assert query.unread and query.starred
    assert query.sources == ("The Register",)
    assert query.tags == ("UK",)
    assert terms('is:unread source:reg budget') == ["budget"]
    assert query.has_filters and not query.is_empty


def test_filter_names_are_case_blind_and_values_kept() -> None:
    query = parse_query("Source:Reg IS:Unread")
    assert query.sources == ("Reg",)
    assert query.unread


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("is:bogus memo", "is:bogus is not a filter"),
        ("source: memo", "source: needs a value"),
        ("-tag:uk memo", "cannot exclude a filter"),
    ],
)
def test_filter_errors_are_reported_not_raised(text: str, message: str) -> None:
    query = parse_query(text)
    assert any(message in e for e in query.errors)
    assert terms(text) == ["memo"]


@pytest.mark.parametrize(
    ("text", "expected_terms", "note"),
    [
        ('"unbalanced phrase', ['"unbalanced phrase"'], "closing quote added"),
        ("*", [], "no letters or digits"),
        ("-", [], "a lone - was ignored"),
        ("memo -", ["memo"], "a lone - was ignored"),
        ('""', [], "empty quotes"),
        ("!!! memo", ["memo"], "no letters or digits"),
        ("memo OR tory", ["memo", "OR", "tory"], "OR is searched as a word"),
        ("NEAR(memo tory)", ["NEAR(memo", "tory)"], "NEAR is searched as a word"),
        ("title:memo", ["memo"], "title: is not a filter (use source:, tag: or is:); "
                                 "searched for memo"),
        ("10:30 a:", ["10:30", "a:"], ""),
    ],
)
def test_awkward_input_is_quoted_or_noted(text: str, expected_terms: list[str], note: str) -> None:
    query = parse_query(text)
    assert terms(text) == expected_terms
    assert note in (query.message or "")


def test_fts_syntax_is_always_quoted() -> None:
    query = parse_query('^start col:x NEAR(x y, 2) a"b c" {title}:d')
    assert query.match_expression == (
        '"^start" AND "x" AND "NEAR(x" AND "y," AND "2)" AND "a" AND "b c" AND "{title}:d"'
    )
    assert Term('say "hi"', phrase=True).fts() == '"say ""hi"""'


def test_control_characters_and_surrogates_are_dropped() -> None:
    query = parse_query("memo\x00tory \ud800x")
    assert terms("memo\x00tory \ud800x") == ["memo", "tory", "x"]
    assert query.text == "memo\x00tory \ud800x"


def test_empty_and_whitespace() -> None:
    for text in ("", "   ", None):
        query = parse_query(text)
        assert query.is_empty
        assert query.match_expression is None
        assert query.message is None


def test_many_terms_are_capped() -> None:
    query = parse_query(" ".join(f"w{i}" for i in range(MAX_TERMS + 5)))
    assert len(query.terms) == MAX_TERMS
    assert f"only the first {MAX_TERMS}" in (query.message or "")


def test_tokenize_folds_case_and_accents_like_unicode61() -> None:
    assert tokenize("Café CRÈME, naïve_user's") == ["cafe", "creme", "naive", "user", "s"]


def test_highlight_marks_words_prefixes_and_phrase_words() -> None:
    query = parse_query('contact* "civil service" -tory')
    pieces = query.highlight("ContactPoint: Civil servants, civil service, Tory")
    assert [text for text, match in pieces if match] == ["ContactPoint", "Civil", "civil",
                                                         "service"]
    assert "".join(text for text, _ in pieces) == (
        "ContactPoint: Civil servants, civil service, Tory"
    )


def test_split_marked_gives_pieces_not_markup() -> None:
    marked = "…the \x02\\[b\\]memo\\[/b\\]\x03 was\n\nsent \\*today\\* \x02memo\x03"
    pieces = split_marked(marked)
    assert pieces == (
        ("…the ", False), ("[b]memo[/b]", True), (" was sent *today* ", False), ("memo", True),
    )
    assert plain_text(pieces) == "…the «[b]memo[/b]» was sent *today* «memo»"
    text, spans = match_spans(pieces)
    assert [text[a:b] for a, b in spans] == ["[b]memo[/b]", "memo"]


@pytest.mark.parametrize(("markdown", "text"), [
    ("see [the \x02memo\x03](https://r/1) now", "see the \x02memo\x03 now"),
    ("see [the memo](https://\x02r\x03/1 \"t\") now", "see the memo (https://\x02r\x03/1) now"),
    ("a ![\x02cat\x03](https://c/x.png) b", "a \x02cat\x03 b"),
    ("a [x](<https://c/a b>) b", "a x b"),
    ("a [x](https://w/A_(b)) b", "a x b"),
    ("…\x02Disney\x03+](https://d/) said", "…\x02Disney\x03+ said"),
    ("at [\x02Prompt\x03](https://www.re…", "at \x02Prompt\x03…"),
    ("at [\x02Prompt\x03](https://www.re", "at \x02Prompt\x03"),
    ("at [Prompt](https://\x02www\x03.re…", "at Prompt (https://\x02www\x03.re…)"),
    ("- one\n  * two\n1. three\n## four\n> five", "one\ntwo\nthree\nfour\nfive"),
    ("**bold** and `code` stay words", "bold and code stay words"),
    ("escaped \\[x\\] \\*y\\* \\` stay", "escaped \\[x\\] \\*y\\* \\` stay"),
    ("1\\. not a list", "1\\. not a list"),
    # tables (the real kernel.org feed's release table has an empty header row)
    ("| | |\n| --- | --- |\n| Version: | 5.7-rc4 (\x02mainline\x03) |\n| Released: | 2020 |",
     "Version: · 5.7-rc4 (\x02mainline\x03) · Released: · 2020"),
    ("mainline) | | Released: | 2020 |\n| Source: | linux",
     "mainline) · Released: · 2020 · Source: · linux"),
    ("before\n\n| a | b |\n|---|:-:|\n| c | - |\n\nafter", "before\n\na · b · c · -\n\nafter"),
    ("a \\| b and `x \\| y` | not a row", "a \\| b and x \\| y | not a row"),
])
def test_snippet_text_reads_markdown_as_the_words_shown(markdown: str, text: str) -> None:
    assert snippet_text(markdown) == text


def test_split_marked_leaves_a_title_as_written() -> None:
    assert split_marked("[\x02Sponsor\x03] *MNML* \\o/", markdown=False) == (
        ("[", False), ("Sponsor", True), ("] *MNML* \\o/", False),
    )


def test_split_marked_keeps_escaped_backslashes_and_drops_escapes_before_matches() -> None:
    assert split_marked("\\\x021\x03. first") == (("1", True), (". first", False))
    assert split_marked("a \\\\\x02b\x03") == (("a \\", False), ("b", True))


def test_search_and_related_do_not_load_textual() -> None:
    code = (
        "import sys, reader.search, reader.related, reader.store.searches, reader.cli.search\n"
        "sys.exit('textual' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0

"""Search against a real cache file: operators, filters, ranking, paging, snippets, saved views."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import TypedDict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from search_cache import Doc, add_source

from reader.models import View
from reader.store import Store, StoreError, views
from reader.store import searches as store_search
from reader.store.schema import migrate

REGISTER = [
    Doc("r1", "Child database memo apology", "ContactPoint officials wrote a partisan memo.",
        published="2009-11-01T10:00:00+00:00", tags=("uk", "politics"), url="https://r/1"),
    Doc("r2", "Civil service code", "The civil servants kept a database of every child.",
        standfirst="Officials must not let political views show",
        published="2009-11-02T10:00:00+00:00", tags=("uk",)),
    Doc("r3", "Phone sales", "Handsets sold well. Contacting the vendor failed.",
        published="2009-11-03T10:00:00+00:00"),
]
ARS = [
    Doc("a1", "Rocket launch delayed", "Engineers found a fault in the rocket engine.",
        published="2009-10-01T10:00:00+00:00", tags=("science",)),
    Doc("a2", "Database engines compared", "SQLite and PostgreSQL are database engines.",
        published="2009-10-02T10:00:00+00:00", tags=("tech", "UK")),
    Doc("a3", "Cooking with [b]markup[/b]",
        "A *recipe* with \\[red\\]tags\\[/red\\] and \\[brackets\\].",
        published="2009-10-03T10:00:00+00:00", tags=("food",)),
    Doc("a4", "Officials", "Something about officials and nothing else.",
        standfirst="", published="2009-10-04T10:00:00+00:00"),
    Doc("a5", "Standfirst only", "Plain body text here.", standfirst="Officials again",
        published="2009-10-05T10:00:00+00:00"),
]


@pytest.fixture
def ids(store: Store) -> dict[str, str]:
    return {**add_source(store, "The Register", REGISTER), **add_source(store, "Ars Technica", ARS)}


def found(store: Store, query: str, **view: object) -> list[str]:
    """Ids of every story of the view with ``query``, in order."""
    v = View(query=query, **view)  # type: ignore[arg-type]
    return [r.id for r in store.page(v, 0, 1000)]


def keys(ids: dict[str, str], found_ids: list[str]) -> list[str]:
    by_id = {v: k for k, v in ids.items()}
    return [by_id[i] for i in found_ids]


def test_words_must_all_match(store: Store, ids: dict[str, str]) -> None:
    assert keys(ids, found(store, "database child")) == ["r1", "r2"]
    assert keys(ids, found(store, "database rocket")) == []


def test_ranking_weights_title_above_standfirst_above_body(store: Store,
                                                          ids: dict[str, str]) -> None:
    # a2: title and body; r1: title; r2: body only.
    assert keys(ids, found(store, "database")) == ["a2", "r1", "r2"]
    # a4 has it in the title, a5 in the standfirst, r1 in the body.
    assert keys(ids, found(store, "officials"))[:3] == ["a4", "a5", "r2"]
    assert keys(ids, found(store, "officials"))[-1] == "r1"


def test_phrase_matches_words_in_order_only(store: Store, ids: dict[str, str]) -> None:
    assert keys(ids, found(store, '"database memo"')) == ["r1"]
    assert keys(ids, found(store, '"memo database"')) == []


def test_prefix(store: Store, ids: dict[str, str]) -> None:
    assert sorted(keys(ids, found(store, "contact*"))) == ["r1", "r3"]  # ContactPoint, Contacting
    assert keys(ids, found(store, "contact")) == []


def test_exclusion(store: Store, ids: dict[str, str]) -> None:
    assert keys(ids, found(store, "database -child")) == ["a2"]
    assert keys(ids, found(store, 'database -"child database"')) == ["a2", "r2"]
    # Only exclusions: everything else, newest first.
    assert keys(ids, found(store, "-database -officials")) == ["r3", "a3", "a1"]


def test_source_filter(store: Store, ids: dict[str, str]) -> None:
    assert keys(ids, found(store, "database source:register")) == ["r1", "r2"]
    assert keys(ids, found(store, 'database source:"ars technica"')) == ["a2"]
    assert keys(ids, found(store, "source:ars")) == ["a5", "a4", "a3", "a2", "a1"]
    assert found(store, "database source:nowhere") == []
    assert "no source matches 'nowhere'" in (
        store_search.checked_query(store, "source:nowhere").message or ""
    )


def test_state_filters(store: Store, ids: dict[str, str]) -> None:
    store.set_read(ids["r1"], True)
    store.set_starred(ids["r2"], True)
    assert keys(ids, found(store, "database is:unread")) == ["a2", "r2"]
    assert keys(ids, found(store, "database is:starred")) == ["r2"]
    assert keys(ids, found(store, "is:starred")) == ["r2"]
    # The view's own filters combine with the query's.
    assert keys(ids, found(store, "database", unread_only=True)) == ["a2", "r2"]
    assert keys(ids, found(store, "database", starred_only=True)) == ["r2"]


def test_tag_filter_is_case_blind_and_all_tags_must_match(store: Store,
                                                          ids: dict[str, str]) -> None:
    assert keys(ids, found(store, "tag:uk")) == ["r2", "r1", "a2"]
    assert keys(ids, found(store, "tag:UK tag:politics")) == ["r1"]
    assert keys(ids, found(store, "database tag:tech")) == ["a2"]
    assert found(store, "tag:nothing") == []


def test_view_source_and_query_source_intersect(store: Store, ids: dict[str, str]) -> None:
    ars = store.source_by_name("Ars Technica")
    assert ars is not None
    assert keys(ids, found(store, "database", source_id=ars.id)) == ["a2"]
    assert found(store, "database source:register", source_id=ars.id) == []


def test_empty_or_unusable_query_shows_the_view(store: Store, ids: dict[str, str]) -> None:
    everything = [r.id for r in store.page(View(), 0, 100)]
    for text in ("", "   ", "*", '"', "-", "is:bogus"):
        assert found(store, text) == everything, text
        assert store.count(View(query=text)) == len(everything)


class ViewArgs(TypedDict, total=False):
    """The filters a search is combined with below (``View``'s own names)."""

    unread_only: bool
    starred_only: bool


VIEWS: list[ViewArgs] = [
    {},
    {"unread_only": True},
    {"starred_only": True},
]
QUERIES = ["database", "officials", "officials -database", "tag:uk", "-memo", "contact* is:unread",
           "the", "source:ars the"]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("view_args", VIEWS)
def test_count_page_and_index_of_agree(store: Store, ids: dict[str, str], query: str,
                                       view_args: ViewArgs) -> None:
    store.set_read(ids["a2"], True)
    store.set_starred(ids["r2"], True)
    store.set_starred(ids["a4"], True)
    view = View(query=query, **view_args)
    check_view_agrees(store, view)


def check_view_agrees(store: Store, view: View) -> None:
    total = store.count(view)
    everything = [r.id for r in store.page(view, 0, 10_000)]
    assert len(everything) == total
    for size in (1, 2, 3):
        pages = [r.id for offset in range(0, total, size)
                 for r in store.page(view, offset, size, total)]
        assert pages == everything
    for position, story_id in enumerate(everything):
        assert store.index_of(view, story_id) == position
    outside = {i for i in _all_ids(store)} - set(everything)
    for story_id in outside:
        assert store.index_of(view, story_id) is None


def _all_ids(store: Store) -> list[str]:
    return [r.id for r in store.page(View(), 0, 10_000)]


@pytest.mark.parametrize("query", ["the", "the is:unread", "the source:register", "the tag:uk",
                                   "the -civil"])
def test_common_words_are_listed_newest_first(store: Store, ids: dict[str, str], query: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "NEWEST_FIRST_MIN_HITS", 1)
    add_source(store, "Extra", [
        Doc(f"x{i}", f"Extra story {i}", "All of the words.", published=f"2009-09-0{i}T00:00:00")
        for i in range(1, 7)
    ])
    store.set_read(ids["r3"], True)
    view = View(query=query)
    assert views.plan(store, view).kind == "common"
    plain = replace(view, query=None)
    expected = [i for i in (r.id for r in store.page(plain, 0, 100))
                if i in set(found(store, query))]
    assert found(store, query) == expected
    check_view_agrees(store, view)
    # Deeper pages sort the hits by time instead of walking: the same order.
    monkeypatch.setattr(views, "WALK_ROWS", 0)
    assert found(store, query) == expected
    check_view_agrees(store, view)


def test_rare_words_are_ranked_even_in_a_small_cache(store: Store, ids: dict[str, str]) -> None:
    assert views.plan(store, View(query="the")).kind == "ranked"


def test_snippets_mark_matches_as_pieces(store: Store, ids: dict[str, str]) -> None:
    found_snippets = store_search.snippets(store, "contactpoint memo", [ids["r1"], ids["a1"]])
    assert found_snippets == {ids["r1"]: (
        ("ContactPoint", True), (" officials wrote a partisan ", False), ("memo", True),
        (".", False),
    )}
    # The column with the best match is the one snippeted: here the title.
    assert store_search.snippets(store, "memo", [ids["r1"]])[ids["r1"]] == (
        ("Child database ", False), ("memo", True), (" apology", False),
    )
    assert store_search.snippets(store, "-memo is:unread", [ids["r1"]]) == {}


def test_snippets_keep_markup_as_text(store: Store, ids: dict[str, str]) -> None:
    pieces = store_search.snippets(store, "tags", [ids["a3"]])[ids["a3"]]
    text = "".join(t for t, _ in pieces)
    assert "[red]" in text and "[/red]" in text
    assert ("tags", True) in pieces


def test_snippets_read_markdown_as_text_and_keep_titles_as_written(store: Store) -> None:
    ids = add_source(store, "Links", [
        Doc("l1", "[Sponsor] Timing *for* Mac", "Nothing to see."),
        Doc("l2", "Show notes", "- Follow up:\n- [NoMAD](https://nomad.menu/) is **new**\n"
            "- ![a cat](https://img.example/cat.png \"Cat\") sleeps on the mat by the door"
            " in the sun all day and all of the night\n"),
    ])
    # A title is plain text: its brackets and stars are the title's own.
    assert store_search.snippets(store, "sponsor", [ids["l1"]])[ids["l1"]] == (
        ("[", False), ("Sponsor", True), ("] Timing *for* Mac", False),
    )
    # A body is Markdown: links read as their text, list marks and emphasis go.
    assert store_search.snippets(store, "new", [ids["l2"]])[ids["l2"]] == (
        ("Follow up: NoMAD is ", False), ("new", True), (" a cat…", False),
    )
    # A match inside a link's address keeps the address, so the highlight shows.
    pieces = store_search.snippets(store, "menu", [ids["l2"]])[ids["l2"]]
    assert "".join(t for t, _ in pieces).startswith("Follow up: NoMAD (https://nomad.menu/) is new")
    assert ("menu", True) in pieces


def test_search_stories_pages_and_snippets(store: Store, ids: dict[str, str]) -> None:
    results = store_search.search_stories(store, "officials", limit=2)
    assert results.total == 4
    assert [h.row.id for h in results.hits] == [ids["a4"], ids["a5"]]
    assert all(any(m for _, m in h.snippet) for h in results.hits)
    more = store_search.search_stories(store, "officials", offset=2, limit=10)
    assert [h.row.id for h in more.hits] == [ids["r2"], ids["r1"]]


def test_saved_searches(store: Store, ids: dict[str, str]) -> None:
    store_search.save_search(store, "Databases", "database -child")
    store_search.save_search(store, "uk news", "tag:uk")
    listed = store_search.saved_searches(store)
    assert [(s.name, s.query, s.story_count, s.unread_count) for s in listed] == [
        ("Databases", "database -child", 1, 1),
        ("uk news", "tag:uk", 3, 3),
    ]
    # Saved searches update with the cache.
    store.set_read(ids["a2"], True)
    add_source(store, "Another", [Doc("x1", "Graph database news", "Nodes and edges.")])
    first = store_search.saved_searches(store)[0]
    assert (first.story_count, first.unread_count) == (2, 1)
    # Same name (any case): the query is replaced.
    store_search.save_search(store, "DATABASES", "database")
    assert [s.query for s in store_search.saved_searches(store, counts=False)] == [
        "database", "tag:uk"]
    assert store_search.remove_saved_search(store, "databases")
    assert not store_search.remove_saved_search(store, "databases")
    assert [s.name for s in store_search.saved_searches(store)] == ["uk news"]


@pytest.mark.parametrize(("name", "query"), [("", "memo"), ("x", "  "), ("x", "*")])
def test_saved_search_needs_a_name_and_something_to_search(store: Store, name: str,
                                                           query: str) -> None:
    with pytest.raises(StoreError):
        store_search.save_search(store, name, query)


def test_tags_follow_story_updates(store: Store, ids: dict[str, str]) -> None:
    add_source(store, "Ars Technica", [Doc("a1", "Rocket launch delayed", "Engineers found a "
                                       "fault in the rocket engine.", tags=("space",))])
    assert keys(ids, found(store, "tag:space")) == ["a1"]
    assert found(store, "tag:science") == []


def cache_at_version(path: Path, version: int) -> sqlite3.Connection:
    """A new cache file migrated only up to ``version``, as an older reader left it."""
    from reader.store import schema

    conn = sqlite3.connect(path, isolation_level=None)
    old = schema.MIGRATIONS
    try:
        schema.MIGRATIONS = old[:version]
        schema.LATEST_VERSION = version
        migrate(conn)
    finally:
        schema.MIGRATIONS = old
        schema.LATEST_VERSION = len(old)
    return conn


def add_old_stories(conn: sqlite3.Connection, *stories: tuple[str, str]) -> None:
    """Stories (title, body) of one feed, written straight into a cache at an older version."""
    conn.execute("INSERT INTO sources (id, kind, key, name, added) VALUES (1, 'feed', 'k', 'F', 0)")
    conn.executemany(
        "INSERT INTO stories (id, source_id, key, title, body, added, sort_ts)"
        " VALUES (?, 1, ?, ?, ?, 0, 0)",
        [(format(0xABCDEFABCDEF + n, "012x"), f"k{n + 1}", title, body)
         for n, (title, body) in enumerate(stories)],
    )
    conn.execute("INSERT INTO story_state (story) SELECT rowid FROM stories")


def test_migration_indexes_tags_of_existing_stories(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = cache_at_version(path, 1)
    conn.execute("INSERT INTO sources (id, kind, key, name, added) VALUES (1, 'feed', 'k', 'F', 0)")
    conn.execute(
        "INSERT INTO stories (id, source_id, key, title, tags, added, sort_ts)"
        " VALUES ('abcdefabcdef', 1, 'k1', 'Tagged story', '[\"Space\", 3, \"\"]', 0, 0)"
    )
    conn.execute("INSERT INTO story_state (story) VALUES (1)")
    conn.close()
    with Store.open(path) as store:
        assert found(store, "tag:space") == ["abcdefabcdef"]


def test_a_cache_from_before_batched_indexing_stays_searchable(tmp_path: Path) -> None:
    """Migration 3 drops the row-by-row index trigger; stories saved before and after it are
    all found, and FTS5's own check agrees the index matches the stories."""
    path = tmp_path / "v2.sqlite3"
    conn = cache_at_version(path, 2)
    add_old_stories(conn, ("Quillwort before", ""))
    conn.close()
    with Store.open(path) as store:
        add_source(store, "After", [Doc("n1", "Quillwort after", "A new story."),
                                    Doc("n2", "Unrelated", "Quillwort in the body.")])
        assert len(found(store, "quillwort")) == 3
        add_source(store, "After", [Doc("n1", "Renamed", "A new story.")])  # an update
        assert len(found(store, "quillwort")) == 2
        store.conn.execute(
            "INSERT INTO stories_fts (stories_fts, rank) VALUES ('integrity-check', 1)"
        )


def test_migration_5_rebuilds_the_index_cheaper_to_keep_and_as_complete(tmp_path: Path) -> None:
    """A 3-letter prefix index only, segments merged 16 at a time, and every story (saved
    before the migration) still found, by word, phrase and 3-letter prefix."""
    path = tmp_path / "v4.sqlite3"
    conn = cache_at_version(path, 4)
    add_old_stories(conn, ("Quillwort", "supply chain news"))
    conn.execute("INSERT INTO stories_fts (rowid, title, standfirst, body)"
                 " SELECT rowid, title, standfirst, body FROM stories")
    conn.close()
    with Store.open(path) as store:
        conn = store.conn
        row = conn.execute("SELECT v FROM stories_fts_config WHERE k = 'automerge'")
        assert row.fetchone()[0] == 16
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'stories_fts'").fetchone()
        assert "prefix = '3'" in sql[0]
        for query in ("quillwort", '"supply chain"', "qui*", "sup*"):
            assert found(store, query) == ["abcdefabcdef"], query
        assert conn.execute("SELECT count(*) FROM stories_vocab").fetchone()[0] > 0
        conn.execute("INSERT INTO stories_fts (stories_fts, rank) VALUES ('integrity-check', 1)")


def test_a_slow_migration_is_announced_before_it_runs(tmp_path: Path, monkeypatch) -> None:
    """Rebuilding the index of a big cache takes seconds: whoever opens it hears why first;
    a small cache is rebuilt without a word."""
    from reader.store import schema

    monkeypatch.setattr(schema, "SLOW_NOTICE_STORIES", 3)
    heard: dict[int, list[str]] = {}
    for stories in (3, 2):
        path = tmp_path / f"v4-{stories}.sqlite3"
        conn = cache_at_version(path, 4)
        add_old_stories(conn, *[("Quillwort", "")] * stories)
        conn.close()
        heard[stories] = []
        with Store.open(path, notice=heard[stories].append) as store:
            assert len(found(store, "quillwort")) == stories
    assert heard == {
        3: ["rebuilding the search index of 3 stories, once after an upgrade (about 1 s)"],
        2: [],
    }


def test_new_stories_whose_rowids_are_not_one_run_are_all_indexed(tmp_path: Path) -> None:
    """With the largest rowid taken, SQLite picks new rowids at random: the index still gets
    every new story (the list path, not the one-range path)."""
    with Store.open(tmp_path / "c.sqlite3") as store:
        add_source(store, "First", [Doc("a", "Quillwort one", "x")])
        source = store.conn.execute("SELECT source_id FROM stories").fetchone()[0]
        store.conn.execute(
            "INSERT INTO stories (rowid, id, source_id, key, title, added, sort_ts)"
            " VALUES (9223372036854775807, 'ffffffffffff', ?, 'last', 'Quillwort last', 0, 0)",
            (source,),
        )
        store.conn.execute("INSERT INTO story_state (story) VALUES (9223372036854775807)")
        store.conn.execute("INSERT INTO stories_fts (stories_fts) VALUES ('rebuild')")
        add_source(store, "Second", [Doc(f"k{n}", f"Quillwort {n}", "y") for n in range(5)])
        assert len(found(store, "quillwort")) == 7
        store.conn.execute(
            "INSERT INTO stories_fts (stories_fts, rank) VALUES ('integrity-check', 1)"
        )


# -- any text a person types is safe ------------------------------------------------------------

_PIECES = ['"', "*", "-", "NEAR(", "NEAR", "AND", "OR", "NOT", ":", "^", "(", ")", "{", "}",
           "source:", "is:", "tag:", "is:unread", "is:starred", "title:", "memo", "database",
           "contact", "é", "漢字", "\u0301", "\x00", "\\", "'", "+", ",", " ", "  "]
_QUERIES = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(_PIECES), max_size=12).map("".join),
    st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4)), max_size=8).map(" ".join),
)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_QUERIES)
def test_any_text_is_safe_against_the_real_index(store: Store, text: str) -> None:
    if store.count(View()) == 0:
        add_source(store, "The Register", REGISTER)
        add_source(store, "Ars Technica", ARS)
    query = store_search.checked_query(store, text)
    assert isinstance(query.errors, tuple) and isinstance(query.notes, tuple)
    for view in (View(query=text), View(query=text, unread_only=True)):
        total = store.count(view)
        rows = store.page(view, 0, 5, total)
        assert len(rows) == min(5, total)
        if rows:
            assert store.index_of(view, rows[-1].id) == len(rows) - 1
    store_search.snippets(store, text, [r.id for r in rows])
    store_search.search_stories(store, text, limit=3)

"""The SQLite cache on real temporary files: schema, round trips, views, paging and search rows."""

from __future__ import annotations

import itertools
import random
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.models import Enclosure, StoryDraft, View
from reader.store import Store, StoreError
from reader.store.errors import StoryNotFound
from reader.store.schema import LATEST_VERSION

BIG = 1000
START = datetime(2020, 1, 1, tzinfo=UTC)


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def fts_ids(store: Store, query: str) -> list[str]:
    return [
        row[0] for row in store.conn.execute(
            "SELECT s.id FROM stories_fts JOIN stories s ON s.rowid = stories_fts.rowid"
            " WHERE stories_fts MATCH ? ORDER BY s.rowid", (query,)
        )
    ]


# -- schema ----------------------------------------------------------------------------------


@pytest.mark.parametrize("existing", [False, True], ids=["no-file", "empty-file"])
def test_migrations_bring_an_empty_file_to_the_latest_version(
    tmp_path: Path, existing: bool
) -> None:
    path = tmp_path / "cache.sqlite3"
    if existing:
        path.write_bytes(b"")
    with Store.open(path) as store:
        tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")}
    assert {"sources", "stories", "story_state", "story_links", "stories_fts"} <= tables
    assert user_version(path) == LATEST_VERSION >= 1
    with Store.open(path):  # opening again migrates nothing and fails nothing
        pass
    assert user_version(path) == LATEST_VERSION


def test_a_cache_from_a_newer_reader_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Store.open(path) as store:
        store.ensure_source("seed", "k", "name")
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store.open(path)
    assert user_version(path) == LATEST_VERSION + 1


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    path.write_bytes(b"this is not sqlite, just some words " * 100)
    with pytest.raises(StoreError, match="cannot open the cache"):
        Store.open(path)


def test_wal_and_foreign_keys_are_on(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    Store.open(path).close()
    with Store.open(path) as store:  # every connection, not only the one that created it
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        with pytest.raises(StoreError, match="break its rules") as caught:
            store.conn.execute("INSERT INTO story_state (story) VALUES (12345)")
        assert isinstance(caught.value.__cause__, sqlite3.IntegrityError)


# -- writing and reading ---------------------------------------------------------------------


FULL_DRAFT = StoryDraft(
    key="guid-1", title="Title ü", standfirst="Stand", body="Body *md*\n\nSecond.",
    url="https://example.com/a", author="A. Writer", published="2022-05-23T10:00:00+00:00",
    updated="2022-05-24T08:30:00+00:00", teaser=True, tags=("uk", "data"),
    enclosures=(Enclosure("https://example.com/a.mp3", "audio/mpeg", 5_000_000, 3600),),
)


def test_every_field_round_trips(store: Store) -> None:
    source_id = store.ensure_source("feed", "https://example.com/feed", "Example",
                                    url="https://example.com/feed")
    report = store.save_stories(source_id, [FULL_DRAFT, StoryDraft(key="bare", title="Bare")])
    assert (report.new, report.updated, report.unchanged) == (2, 0, 0)
    rows = store.page(View(), 0, 10)
    full = store.get_story(rows[1].id)  # the dated 2022 story is older than the undated one
    assert (full.title, full.standfirst, full.body) == ("Title ü", "Stand", "Body *md*\n\nSecond.")
    assert (full.url, full.author) == ("https://example.com/a", "A. Writer")
    assert (full.published, full.updated) == (FULL_DRAFT.published, FULL_DRAFT.updated)
    assert (full.teaser, full.tags, full.enclosures) == (True, ("uk", "data"),
                                                         FULL_DRAFT.enclosures)
    assert (full.read, full.starred, full.source, full.source_id) == (
        False, False, "Example", source_id)
    bare = store.get_story(rows[0].id)
    assert (bare.url, bare.author, bare.published, bare.updated, bare.teaser) == (
        None, None, None, None, False)
    assert (bare.tags, bare.enclosures, bare.standfirst, bare.body) == ((), (), "", "")
    assert [r.id for r in rows] == [bare.id, full.id]


def test_saving_the_same_drafts_again_changes_nothing(store: Store) -> None:
    source_id = store.ensure_source("feed", "key", "Example")
    store.save_stories(source_id, [FULL_DRAFT])
    story_id = store.page(View(), 0, 1)[0].id
    assert store.ensure_source("feed", "key", "Other name") == source_id
    report = store.save_stories(source_id, [FULL_DRAFT])
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)
    assert store.count() == 1 and store.page(View(), 0, 1)[0].id == story_id


def test_a_draft_takes_over_the_row_stored_under_its_alias(store: Store) -> None:
    """Aliases are looked up only for drafts whose own key is not stored: the row stored
    under an alias is taken over (its id and state kept), a stored key keeps its own row."""
    source_id = store.ensure_source("feed", "key", "Example")
    store.save_stories(source_id, [StoryDraft(key="old", title="Entry"),
                                   StoryDraft(key="same", title="Same")])
    by_title = {row.title: row.id for row in store.page(View(), 0, 10)}
    store.set_read(by_title["Entry"], True)
    report = store.save_stories(source_id, [
        StoryDraft(key="new", title="Entry", aliases=("old",)),
        StoryDraft(key="same", title="Same", aliases=("missing",)),
        StoryDraft(key="fresh", title="Fresh", aliases=("absent",)),
    ])
    assert (report.new, report.updated, report.unchanged) == (1, 1, 1)
    entry = store.get_story(by_title["Entry"])
    assert entry.read and store.count() == 3
    keys = store.conn.execute("SELECT key FROM stories ORDER BY rowid").fetchall()
    assert keys == [("new",), ("same",), ("fresh",)]


def test_read_and_starred_persist_across_connections(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Store.open(path) as store:
        source_id = store.ensure_source("seed", "k", "seeds")
        store.save_stories(source_id, [StoryDraft(key="a", title="A"),
                                       StoryDraft(key="b", title="B")])
        a, b = (row.id for row in store.page(View(), 0, 2))
        store.set_read(a, True)
        store.set_starred(b, True)
    with Store.open(path) as store:
        assert (store.get_story(a).read, store.get_story(a).starred) == (True, False)
        assert (store.get_story(b).read, store.get_story(b).starred) == (False, True)
        store.set_read(a, False)
        store.set_starred(b, False)
    with Store.open(path) as store:
        assert not store.get_story(a).read and not store.get_story(b).starred


def test_fts_rows_follow_inserts_and_updates(store: Store) -> None:
    source_id = store.ensure_source("seed", "k", "seeds")
    store.save_stories(source_id, [StoryDraft(key="a", title="Aardvark news",
                                              body="About burrows.")])
    story_id = store.page(View(), 0, 1)[0].id
    assert fts_ids(store, "aardvark") == [story_id]
    assert fts_ids(store, "burrows") == [story_id]

    report = store.save_stories(source_id, [StoryDraft(key="a", title="Zebra news",
                                                       standfirst="Stripes", body="Savannah.")])
    assert report.updated == 1
    assert fts_ids(store, "aardvark") == []
    assert fts_ids(store, "burrows") == []
    assert fts_ids(store, "zebra") == [story_id]
    assert fts_ids(store, "stripes") == [story_id]
    assert fts_ids(store, "savannah") == [story_id]
    store.conn.execute("INSERT INTO stories_fts (stories_fts) VALUES ('integrity-check')")


def test_unknown_and_short_ids(store: Store) -> None:
    source_id = store.ensure_source("seed", "k", "seeds")
    store.save_stories(source_id, [StoryDraft(key="a", title="A")])
    story_id = store.page(View(), 0, 1)[0].id
    assert store.get_story(story_id.upper()).id == story_id
    assert store.get_story(story_id[:4]).id == story_id
    with pytest.raises(StoryNotFound):
        store.get_story(story_id[:3])
    with pytest.raises(StoryNotFound):
        store.get_story("nonsense")


# -- paging over a thousand stories ----------------------------------------------------------


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """1,000 dated stories in two sources, saved in shuffled order; some read, some starred."""
    path = tmp_path_factory.mktemp("big") / "cache.sqlite3"
    with Store.open(path) as store:
        sources = [store.ensure_source("feed", f"feed-{n}", f"Feed {n}") for n in (0, 1)]
        numbers = list(range(BIG))
        random.Random(2).shuffle(numbers)
        for source_index, source_id in enumerate(sources):
            store.save_stories(source_id, [
                StoryDraft(key=f"s{n}", title=f"Story {n}",
                           published=(START + timedelta(hours=n)).isoformat())
                for n in numbers if n % 2 == source_index
            ])
        for row in store.page(View(), 0, BIG):
            n = int(row.title.split()[1])
            if n % 3 == 0:
                store.set_read(row.id, True)
            if n % 7 == 0:
                store.set_starred(row.id, True)
        yield store


def expected_ids(store: Store, where: str = "") -> list[str]:
    """The view the plain way: every row, one full ORDER BY, no paging tricks."""
    return [r[0] for r in store.conn.execute(
        "SELECT s.id FROM stories s JOIN story_state st ON st.story = s.rowid"
        f" JOIN sources src ON src.id = s.source_id {where}"
        " ORDER BY s.sort_ts DESC, s.rowid ASC"
    )]


def test_full_order_is_newest_first(big_store: Store) -> None:
    titles = [r.title for r in big_store.page(View(), 0, BIG)]
    assert titles == [f"Story {n}" for n in reversed(range(BIG))]


def views(store: Store) -> list[tuple[View, str]]:
    feed_1 = store.source_by_name("Feed 1")
    assert feed_1 is not None
    return [
        (View(), ""),
        (View(unread_only=True), "WHERE st.read = 0"),
        (View(starred_only=True), "WHERE st.starred = 1"),
        (View(source_id=feed_1.id), f"WHERE s.source_id = {feed_1.id}"),
        (View(unread_only=True, source_id=feed_1.id),
         f"WHERE st.read = 0 AND s.source_id = {feed_1.id}"),
    ]


def test_pages_match_a_plain_order_by_at_start_middle_and_end(big_store: Store) -> None:
    for view, where in views(big_store):
        expected = expected_ids(big_store, where)
        total = len(expected)
        assert big_store.count(view) == total
        half = total // 2
        cases = [(0, 25), (10, 40), (half - 5, 10), (half, 25), (half + 1, 25),
                 (total - 60, 50), (total - 25, 25), (total - 7, 25), (total, 25),
                 (0, total + 10), (-5, 3)]
        for offset, limit in cases:
            got = [r.id for r in big_store.page(view, offset, limit)]
            assert got == expected[max(0, offset):max(0, offset) + limit], (view, offset)
            assert got == [r.id for r in big_store.page(view, offset, limit, total)]


def test_index_of_matches_the_position_in_the_view(big_store: Store) -> None:
    for view, where in views(big_store):
        expected = expected_ids(big_store, where)
        for position in (0, 1, len(expected) // 2, len(expected) - 2, len(expected) - 1):
            assert big_store.index_of(view, expected[position]) == position
    unread = View(unread_only=True)
    read_one = next(r for r in big_store.page(View(), 0, 10) if r.read)
    assert big_store.index_of(unread, read_one.id) is None
    assert big_store.index_of(View(), "000000000000") is None


def test_views_hold_the_right_stories(big_store: Store) -> None:
    def numbers(view: View) -> set[int]:
        return {int(r.title.split()[1]) for r in big_store.page(view, 0, BIG)}

    assert numbers(View(unread_only=True)) == {n for n in range(BIG) if n % 3}
    assert numbers(View(starred_only=True)) == {n for n in range(0, BIG, 7)}
    feed_0 = big_store.source_by_name("feed 0")  # names match regardless of case
    assert feed_0 is not None and (feed_0.story_count, feed_0.unread_count) == (500, 333)
    assert numbers(View(source_id=feed_0.id)) == set(range(0, BIG, 2))
    assert numbers(View(starred_only=True, unread_only=True, source_id=feed_0.id)) == {
        n for n in range(0, BIG, 14) if n % 3
    }
    assert big_store.source_by_name("no such feed") is None


def test_ties_keep_insertion_order_through_both_walks(store: Store) -> None:
    source_id = store.ensure_source("seed", "k", "seeds")
    store.save_stories(source_id, [StoryDraft(key=f"k{n}", title=f"T{n}",
                                              published="2022-01-01T00:00:00Z")
                                   for n in range(9)])
    assert [r.title for r in store.page(View(), 0, 9)] == [f"T{n}" for n in range(9)]
    assert [r.title for r in store.page(View(), 6, 3)] == ["T6", "T7", "T8"]
    assert [store.index_of(View(), r.id) for r in store.page(View(), 0, 9)] == list(range(9))


def test_an_ambiguous_prefix_is_refused(big_store: Store) -> None:
    ids = sorted(r.id for r in big_store.page(View(), 0, BIG))
    shared = next(a[:4] for a, b in itertools.pairwise(ids) if a[:4] == b[:4])
    with pytest.raises(StoryNotFound, match="ambiguous"):
        big_store.get_story(shared)


# -- several openers at once -----------------------------------------------------------------


def test_many_first_opens_at_once_all_succeed(tmp_path: Path) -> None:
    """The app and a command in another terminal may create the cache at the same moment."""
    from reader.seed.loader import bundled_seed_dir, load_seed_articles

    def open_and_load(path: Path, barrier: threading.Barrier, errors: list[str]) -> None:
        barrier.wait()
        try:
            with Store.open(path) as store:
                load_seed_articles(store, [bundled_seed_dir()])
        except Exception as exc:
            errors.append(repr(exc))

    for attempt in range(10):
        path = tmp_path / f"cache-{attempt}.sqlite3"
        barrier, errors = threading.Barrier(8), list[str]()
        threads = [threading.Thread(target=open_and_load, args=(path, barrier, errors))
                   for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with Store.open(path) as store:
            assert (store.count(), len(store.sources())) == (4, 1)
        assert user_version(path) == LATEST_VERSION


def test_paging_on_from_a_row_matches_paging_by_position(store: Store) -> None:
    """Keyset paging (from a known row) agrees with OFFSET paging, ties in time included."""
    from reader.models import StoryDraft, View

    source = store.ensure_source("feed", "http://127.0.0.1/ties.xml", "Ties")
    store.save_stories(source, [
        StoryDraft(key=f"t{i}", title=f"Tie {i}",
                   published=f"2024-01-{1 + i % 3:02d}T00:00:00+00:00" if i % 4 else None)
        for i in range(300)
    ])
    for view in (View(), View(unread_only=True), View(source_id=source)):
        total = store.count(view)
        for offset in (0, 64, 128, total - 64):
            page = store.page(view, offset, 64, total)
            after = store.page_next_to(view, page[-1], 64)
            assert after == store.page(view, offset + 64, 64, total)
            if offset >= 64:
                before = store.page_next_to(view, page[0], 64, before=True)
                assert before == store.page(view, offset - 64, 64, total)


# -- stories indexed for search later (a refresh's batches) ----------------------------------


def check_search_index(store: Store) -> None:
    """FTS5's own check of its index; once nothing is pending, also that the index holds
    exactly what the stories table does."""
    whole = 0 if pending(store) else 1
    store.conn.execute("INSERT INTO stories_fts (stories_fts, rank) VALUES ('integrity-check', ?)",
                       (whole,))


def pending(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM search_pending").fetchone()[0])


def test_stories_saved_to_index_later_are_found_once_indexed(store: Store) -> None:
    source_id = store.ensure_source("feed", "f", "Feed")
    generation = store.conn.execute("SELECT n FROM content_generation").fetchone()[0]
    report = store.save_stories(source_id, [StoryDraft(key=f"k{n}", title=f"Quokka {n}")
                                            for n in range(3)], index_later=True)
    assert report.new == 3 and pending(store) == 3
    assert fts_ids(store, "quokka") == []
    assert store.count(View()) == 3  # listed at once; only search waits
    check_search_index(store)
    assert store.index_pending() == 3
    assert len(fts_ids(store, "quokka")) == 3 and pending(store) == 0
    assert store.conn.execute("SELECT n FROM content_generation").fetchone()[0] > generation
    assert store.index_pending() == 0
    check_search_index(store)


def test_a_pending_story_changed_or_deleted_before_indexing_keeps_the_index_whole(
    store: Store
) -> None:
    source_id = store.ensure_source("feed", "f", "Feed")
    drafts = [StoryDraft(key=f"k{n}", title=f"Wombat {n}", body="burrow") for n in range(4)]
    store.save_stories(source_id, drafts, index_later=True)
    # Changed before it was indexed: the index gets the new text only.
    store.save_stories(source_id, [StoryDraft(key="k0", title="Numbat 0", body="termites")])
    # Deleted before it was indexed: nothing to remove from the index, and it leaves the list.
    last = store.conn.execute("SELECT max(rowid) FROM stories").fetchone()[0]
    store.conn.execute("DELETE FROM stories WHERE rowid = ?", (last,))
    assert pending(store) == 3
    # Its row number is given again at once, to a story indexed straight away.
    store.save_stories(source_id, [StoryDraft(key="new", title="Wombat again")])
    assert store.conn.execute("SELECT max(rowid) FROM stories").fetchone()[0] == last
    check_search_index(store)
    assert store.index_pending() == 3
    check_search_index(store)
    titles = {s.title for s in store.iter_view(View(query="wombat"))}
    assert titles == {"Wombat 1", "Wombat 2", "Wombat again"}
    assert [s.title for s in store.iter_view(View(query="termites"))] == ["Numbat 0"]
    assert list(store.iter_view(View(query="burrow numbat"))) == []

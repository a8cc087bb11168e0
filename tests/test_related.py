"""Related stories on a small hand-made cache where the right answer is known."""

from __future__ import annotations

import pytest
from search_cache import GUARDIAN, REGISTER, TIMES, Doc, add_source

from reader import related
from reader.store import Store


@pytest.fixture
def ids(store: Store) -> dict[str, str]:
    related._CACHE.clear()
    return {**add_source(store, "Register", REGISTER), **add_source(store, "Guardian", GUARDIAN),
            **add_source(store, "Times", TIMES)}


def related_keys(store: Store, ids: dict[str, str], key: str, limit: int = 9) -> list[str]:
    by_id = {v: k for k, v in ids.items()}
    return [by_id[r.id] for r in related.related_stories(store, store.get_story(ids[key]), limit)]


def test_explicit_first_then_similar_in_rank_order(store: Store, ids: dict[str, str]) -> None:
    # x1 shares three key terms in title and body, x2 two, x4/x5 one; x5 and x4 score the
    # same and the more recent comes first. The copies g and t are never listed.
    assert related_keys(store, ids, "s") == ["e1", "b", "x1", "x2", "x5", "x4"]


def test_each_entry_says_why(store: Store, ids: dict[str, str]) -> None:
    entries = related.related_stories(store, store.get_story(ids["s"]))
    assert [(e.kind, e.reason) for e in entries] == [
        ("explicit", "from “Other stories you might like”"),
        ("recommended-by", "recommended this story"),
        ("similar", "shares: Zorblat, quintax, memo"),
        ("similar", "shares: quintax, memo"),
        ("similar", "shares: memo"),
        ("similar", "shares: memo"),
    ]
    assert entries[2].source == "Register"
    assert entries[2].terms == ("Zorblat", "quintax", "memo")


def test_explicit_links_in_both_directions(store: Store, ids: dict[str, str]) -> None:
    e1 = related.related_stories(store, store.get_story(ids["e1"]))
    assert (e1[0].id, e1[0].kind) == (ids["s"], "recommended-by")
    b = related.related_stories(store, store.get_story(ids["b"]))
    assert (b[0].id, b[0].kind) == (ids["s"], "explicit")


def test_limit_counts_explicit_entries_first(store: Store, ids: dict[str, str]) -> None:
    assert related_keys(store, ids, "s", limit=3) == ["e1", "b", "x1"]
    assert related_keys(store, ids, "s", limit=1) == ["e1"]


def test_copies_are_grouped_as_also_in(store: Store, ids: dict[str, str]) -> None:
    story = store.get_story(ids["s"])
    assert related.also_in(store, story) == ["Guardian", "Times"]
    # Same normalised title: the Guardian's copy; same link: the Times's.
    assert related.also_in(store, store.get_story(ids["g"])) == ["Register"]
    assert related.also_in(store, store.get_story(ids["t"])) == ["Register"]
    assert related.also_in(store, store.get_story(ids["x1"])) == []
    # The copy does not list the original as related either.
    assert "s" not in related_keys(store, ids, "g")


def test_similar_results_are_grouped_too(store: Store, ids: dict[str, str]) -> None:
    # x1 carried by a second source: listed once (whichever copy ranks higher).
    ids.update(add_source(store, "Mirror", [Doc("m", "Zorblat quintax memo returns",
                                                "Zorblat quintax.")]))
    keys = related_keys(store, ids, "s")
    assert len({"x1", "m"} & set(keys)) == 1
    assert keys[:3] == ["e1", "b", "m"] and "x2" in keys


def test_key_terms_weigh_rarity_and_skip_stopwords_and_unique_words(store: Store,
                                                                   ids: dict[str, str]) -> None:
    terms = related.key_terms(store, store.get_story(ids["s"]))
    assert [t.term for t in terms] == ["zorblat", "quintax", "memo"]
    assert [t.shown for t in terms] == ["Zorblat", "quintax", "memo"]
    # "fell" is only in this story; "the" and "again" are stopwords.
    assert terms[0].weight == 3 + 1 + 1  # title, then twice in the body
    assert terms[0].df < terms[1].df < terms[2].df


def test_term_weights_count_title_above_standfirst_above_body(store: Store) -> None:
    added = add_source(store, "X", [Doc("w", "Alpha", "Gamma gamma [link](https://alpha.example)",
                                        standfirst="Beta")])
    weights, shown = related.story_term_weights(store.get_story(added["w"]))
    assert weights == {"alpha": 3, "beta": 2, "gamma": 2, "link": 1}
    assert shown["gamma"] == "Gamma"


def test_results_are_cached_until_the_content_changes(store: Store, ids: dict[str, str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    compute = related._compute
    monkeypatch.setattr(related, "_compute", lambda *a: calls.append(1) or compute(*a))
    story = store.get_story(ids["s"])
    first = related.related_stories(store, story)
    assert related.related_stories(store, story) == first
    store.set_read(ids["x1"], True)  # read marks do not change what is related
    assert related.related_stories(store, story) == first
    assert len(calls) == 1
    add_source(store, "Register", [Doc("x0", "Zorblat quintax memo zorblat", "Zorblat memo.",
                                       published="2012-01-01T00:00:00+00:00")])
    again = related.related_stories(store, story)
    assert len(calls) == 2
    assert ids["x1"] in {r.id for r in again}
    assert len(again) == len(first) + 1


def test_a_story_with_nothing_distinctive_has_only_its_links(store: Store,
                                                            ids: dict[str, str]) -> None:
    assert related_keys(store, ids, "e1") == ["s"]
    assert related.key_terms(store, store.get_story(ids["f1"])) == []


def test_copies_of_explicit_links_are_not_listed_again(store: Store, ids: dict[str, str]) -> None:
    # A full copy of the story e1 in another source shares its title (and terms with s).
    ids.update(add_source(store, "Mirror", [Doc("e1copy", "Balls Responds!",
                                                "Zorblat quintax memo: he said little.")]))
    keys = related_keys(store, ids, "s")
    assert keys[0] == "e1"
    assert "e1copy" not in keys

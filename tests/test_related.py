"""Related stories on a small hand-made cache where the right answer is known."""

from __future__ import annotations

from collections import Counter

import pytest
from search_cache import GUARDIAN, REGISTER, TIMES, Doc, add_source

from reader import related
from reader.models import RelatedStory, Story
from reader.related import KeyTerm
from reader.search import fold
from reader.store import Store
from reader.store.related import Candidate


@pytest.fixture
def ids(store: Store) -> dict[str, str]:
    related._CACHE.clear()
    return {**add_source(store, "Register", REGISTER), **add_source(store, "Guardian", GUARDIAN),
            **add_source(store, "Times", TIMES)}


def related_keys(store: Store, ids: dict[str, str], key: str, limit: int = 9) -> list[str]:
    by_id = {v: k for k, v in ids.items()}
    return [by_id[r.id] for r in related.related_stories(store, store.get_story(ids[key]), limit)]


def test_explicit_first_then_similar_in_rank_order(store: Store, ids: dict[str, str]) -> None:
    # x1 shares three key terms in title and body, x2 two; x4 and x5 share only "memo", and
    # one shared word is not enough. The copies g and t are never listed.
    assert related_keys(store, ids, "s") == ["e1", "b", "x1", "x2"]


def test_each_entry_says_why(store: Store, ids: dict[str, str]) -> None:
    entries = related.related_stories(store, store.get_story(ids["s"]))
    assert [(e.kind, e.reason) for e in entries] == [
        ("explicit", "from “Other stories you might like”"),
        ("recommended-by", "recommended this story"),
        ("similar", "shares: Zorblat, quintax, memo"),
        ("similar", "shares: quintax, memo"),
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

    def counted(store: Store, story: Story, limit: int) -> list[RelatedStory]:
        calls.append(1)
        return compute(store, story, limit)

    monkeypatch.setattr(related, "_compute", counted)
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


# -- what a person would pick: the rules, as plain data and on small caches --------------------


def test_function_words_of_any_language_are_never_distinctive() -> None:
    from reader.function_words import FUNCTION_WORDS

    for word in ("the", "met", "aus", "vier", "und", "dass", "les", "которые", "کر", "ve",
                 "sollten", "spätestens", "uh", "yeah", "mehrere", "macht", "stellt", "nutzen",
                 "lässt", "nächsten"):
        assert fold(word) in FUNCTION_WORDS, word
    for word in ("zorblat", "merchant", "golf", "vgo"):
        assert word not in FUNCTION_WORDS


def test_word_families_count_once() -> None:
    assert related.word_family("accepted") == related.word_family("accepting")
    assert related.word_family("communities") == related.word_family("community")
    assert related.word_family("cards") == related.word_family("card")
    assert related.word_family("golf") != related.word_family("git")
    assert related.word_family("render") == related.word_family("rendering")
    assert related.word_family("members") == related.word_family("member")
    assert related.word_family("compute") != related.word_family("render")


def test_a_word_family_is_shown_once() -> None:
    def term(word: str) -> related.KeyTerm:
        return related.KeyTerm(word, word, 1, 1, 1.0)

    kept = related.one_per_family((term("render"), term("compute"), term("rendering")))
    assert [t.term for t in kept] == ["render", "compute"]


def test_furniture_is_most_of_a_big_enough_source() -> None:
    assert related.is_furniture(30, 30)
    assert related.is_furniture(5, 8)
    assert not related.is_furniture(4, 8)  # a topic of half the source stays a topic
    assert not related.is_furniture(5, 5)  # too small a source to tell


def test_distinctive_terms_leave_out_unique_and_common_terms() -> None:
    weights = Counter({"rare": 3, "unique": 5, "common": 9, "half": 2})
    shown = {t: t.title() for t in weights}
    terms = related.distinctive_terms(weights, shown, {"rare": 2, "unique": 1, "common": 150,
                                                       "half": 2}, total=1_000)
    assert [t.term for t in terms] == ["rare", "half"]  # more weight, more distinctive
    assert terms[0].shown == "Rare"
    assert related.distinctive_terms(weights, shown, {"rare": 3}, total=4) == []


def _candidate(rowid: int, source: int, url: str | None = None,
               title: str = "") -> Candidate:
    return Candidate(rowid, f"id{rowid}", url, title or f"title {rowid}", source)


def _terms(*names: str) -> tuple[KeyTerm, ...]:
    return tuple(KeyTerm(n, n, 1, 2, 1.0) for n in names)


def test_pick_needs_two_shared_words_three_from_elsewhere_and_caps_each_other_source() -> None:
    story = Story(id="me", source="Mine", title="Zorblat quintax", standfirst="", body="",
                  url="https://example.com/me", author=None, published=None, updated=None,
                  teaser=False, read=False, starred=False, source_id=1, rowid=100)
    candidates = [
        _candidate(1, 2, title="one word"),                       # shares one word only
        _candidate(2, 2), _candidate(3, 2), _candidate(4, 2), _candidate(5, 2),  # prolific
        _candidate(6, 1), _candidate(7, 1), _candidate(8, 1), _candidate(9, 1),  # own source
        _candidate(10, 3, url="https://example.com/me"),          # a copy (same link)
        _candidate(11, 3, title="zorblat quintax"),                # a copy (same title)
        _candidate(12, 3, title="accepted twice"),                 # two forms of one word
        _candidate(13, 3, title="two words elsewhere"),            # two words, other source
        _candidate(14, 1, title="two words here"),                 # two words, own source
    ]
    shared = {c.rowid: _terms("zorblat", "quintax", "frobnitz") for c in candidates}
    shared[1] = _terms("zorblat")
    shared[12] = _terms("accepted", "accepting", "zorblat")
    shared[13] = _terms("zorblat", "quintax")
    shared[14] = _terms("zorblat", "quintax")
    chosen = [p.candidate.rowid for p in related.pick(story, [], candidates, shared, 20)]
    assert chosen == [2, 3, 4, 6, 7, 8, 9, 14]
    assert [p.candidate.rowid for p in related.pick(story, [], candidates, shared, 2)] == [2, 3]


def test_a_podcasts_furniture_relates_nothing_and_one_feed_fills_no_list(store: Store) -> None:
    # Every episode names the hosts and the tip jar; each is about something else.
    topics = ["Raketen", "Gärten", "Kaffee", "Wahlen", "Brücken", "Museen", "Fußball",
              "Börsen", "Pasta", "Handys"]
    podcast = [Doc(f"p{n}", f"Folge {n}: {topic}",
                   f"Mit Pritlove und Gregor über {topic}. Flattr uns. Diesmal {topic}.")
               for n, topic in enumerate(topics)]
    ids = add_source(store, "Podcast", podcast)
    prolific = add_source(store, "Prolific", [
        Doc(f"q{n}", f"Zorblat quintax frobnitz part {n}", "Zorblat quintax frobnitz again.")
        for n in range(6)])
    ids.update(prolific)
    ids.update(add_source(store, "News", [Doc("n", "Zorblat quintax frobnitz news",
                                               "Zorblat quintax frobnitz.")]))
    related._CACHE.clear()
    for key in ("p0", "p3", "p7"):
        listed = related.related_stories(store, store.get_story(ids[key]))
        assert listed == [], (key, [(r.title, r.reason) for r in listed])
    news = related.related_stories(store, store.get_story(ids["n"]))
    assert len(news) == 3 and {r.source for r in news} == {"Prolific"}
    for entry in news:
        assert not set(entry.terms) & {"the", "und", "mit", "über"}


def test_generic_vocabulary_is_spread_over_many_sources() -> None:
    assert related.is_widespread(25, 184)  # "approach" in the real-feeds corpus
    assert not related.is_widespread(12, 184)  # "Trump": a topic, if a broad one
    assert not related.is_widespread(9, 20)  # a small cache: at least 10 sources
    assert related.is_widespread(10, 20)

"""Filters: rules read from the config, matched against new stories as the search would match
them, and what the cache then shows (hidden stories in no view or count but ``is:hidden``)."""

from __future__ import annotations

from reader.filters import FilterRule, Screen, read_rules
from reader.models import FeedFetched, StoryDraft, View
from reader.store import Store
from reader.store.feeds import add_feed, feed_sources, record_refresh, set_group
from reader.store.filters import match_counts, show_unruled


def rule(query: str, action: str = "hide", number: int = 1) -> FilterRule:
    return FilterRule(number, query, action)  # type: ignore[arg-type]


def draft(key: str, title: str, body: str = "", standfirst: str = "",
          tags: tuple[str, ...] = ()) -> StoryDraft:
    return StoryDraft(key=key, title=title, body=body, standfirst=standfirst, tags=tags,
                      published=f"2026-01-{int(key[-1]) + 1:02d}T00:00:00+00:00")


def matches(query: str, story: StoryDraft, source: str = "Some feed",
            names: tuple[str, ...] = ("Some feed", "reddit: rust", "Reddit")) -> bool:
    verdict = Screen([rule(query)], names).for_source(source)
    return verdict is not None and bool(verdict(story))


def test_words_phrases_and_prefixes_match_as_the_search_does() -> None:
    story = draft("k1", "Café culture", body="A **sponsored** post: the Post-Office story.")
    assert matches("cafe", story)  # accents folded, as FTS5's remove_diacritics
    assert matches('"sponsored post"', story)  # Markdown emphasis is not a word
    assert matches("post office", story) and matches('"post office story"', story)
    assert matches("offi*", story) and not matches("offi", story)
    assert not matches('"story post"', story)  # in a row, in order
    assert not matches('"culture a"', story)  # a phrase stays within one of title, body…
    assert matches("culture -rust", story) and not matches("culture -story", story)
    assert not matches("sponsor", story)  # whole words: "sponsor" is not "sponsored"


def test_sources_and_tags_narrow_a_rule_before_any_text_is_read() -> None:
    story = draft("k1", "Rust 2.0 is out", tags=("Ads", "news"))
    assert matches("tag:ads", story) and not matches("tag:ad", story)
    # "reddit" names a source exactly: only that one; "rust" names none: any containing it.
    assert matches("source:reddit", story, source="Reddit")
    assert not matches("source:reddit", story, source="reddit: rust")
    assert matches("source:rust", story, source="reddit: rust")
    assert Screen([rule("source:reddit rust")], ["Reddit", "Other"]).for_source("Other") is None


def test_rules_that_cannot_be_used_are_named_and_the_others_kept() -> None:
    rules = read_rules([
        {"query": "tag:ads", "action": "hide", "name": "ads"},
        {"query": "is:starred", "action": "read"},
        {"query": "", "action": "read"},
        {"query": "is:unread", "action": "read"},
        {"query": "x", "action": "delete"},
        {"query": "x", "action": "read", "actoin": "hide"},
        "tag:ads",
        {"query": "-rust", "action": "read"},
    ])
    assert [r.number for r in rules.rules] == [1, 8]
    assert rules.problems == (
        "filter 2 (is:starred): is:starred and is:hidden never hold for a new story",
        'filter 3 (): needs a query in quotes (e.g. query = "tag:ads")',
        "filter 4 (is:unread): matches every new story: give it words, source: or tag:",
        'filter 5 (x): needs action = "read" or "hide"',
        "filter 6 (x): has no setting 'actoin' (a rule has query, action and name)",
        "filter 7: must be a [[filters]] table",
    )
    assert read_rules({"query": "x"}).problems == (
        "filter 1: must be written as [[filters]] tables",)


def test_new_stories_are_hidden_or_read_in_the_same_write(store: Store) -> None:
    feed = add_feed(store, "http://127.0.0.1:9/a.xml", "Tech")
    other = add_feed(store, "http://127.0.0.1:9/b.xml", "Other")
    set_group(store, feed, "Work")
    rules = [rule('"sponsored post"', "hide", 1), rule("giveaway", "read", 2)]
    screen = Screen(rules, [s.name for s in store.sources()])
    report, _ = record_refresh(store, feed, FeedFetched(drafts=(
        draft("a1", "A sponsored post"), draft("a2", "Giveaway!"), draft("a3", "News"),
    )), screen=screen)
    assert (report.new, report.hidden, report.auto_read) == (3, 1, 1)
    record_refresh(store, other, FeedFetched(drafts=(draft("b1", "Other news"),)),
                   screen=screen)
    store.index_pending()
    titles = [r.title for r in store.page(View(), 0, 50)]
    assert "A sponsored post" not in titles and "Giveaway!" in titles
    assert store.count(View()) == len(titles)
    assert store.count(View(unread_only=True)) == len(titles) - 1  # the giveaway is read
    assert [r.title for r in store.page(View(group="Work"), 0, 50)] == ["News", "Giveaway!"]
    assert store.count(View(group="Work")) == 2
    assert [r.title for r in store.page(View(query="is:hidden"), 0, 50)] == ["A sponsored post"]
    assert store.count(View(query="sponsored")) == 0  # a search skips them too
    assert store.count(View(query="sponsored is:hidden")) == 1
    tech = next(s for s in feed_sources(store) if s.name == "Tech")
    assert (tech.story_count, tech.unread_count) == (2, 1)
    assert match_counts(store) == {'hide: "sponsored post"': 1, "read: giveaway": 1}
    # An update of a hidden story keeps it hidden; a story a filter did not take stays.
    record_refresh(store, feed, FeedFetched(drafts=(draft("a1", "A sponsored post, again"),)),
                   screen=Screen([], []))
    assert store.count(View(query="is:hidden")) == 1
    # The rule is gone from the config: its stories are shown again.
    assert show_unruled(store, ['hide: "sponsored post"']) == 0
    assert show_unruled(store, []) == 1
    assert store.count(View(group="Work")) == 3

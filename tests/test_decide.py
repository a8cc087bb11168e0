"""The store's decisions as plain data: what a batch of drafts and a refresh outcome change.

No database here: ``reader.store.decide`` is pure, which is the point of it.
"""

from __future__ import annotations

import dataclasses

import pytest

from reader.identity import content_hash, story_public_id
from reader.models import Enclosure, FeedFailed, FeedFetched, FeedNotModified, StoryDraft
from reader.store.decide import (
    FeedIntent,
    NewStory,
    StoredFeed,
    StoredStory,
    UnchangedStory,
    UpdatedStory,
    _new_story,
    _unchanged_story,
    decide_feed,
    decide_links,
    decide_stories,
    draft_columns,
    sort_time,
)

NOW = 1_700_000_000.0


def draft(key: str, title: str = "t", **more: object) -> StoryDraft:
    return StoryDraft(key=key, title=title, **more)  # type: ignore[arg-type]


def stored(d: StoryDraft, rowid: int, added: float = 1.0) -> StoredStory:
    return StoredStory(rowid, content_hash(d), added)


def test_new_updated_and_unchanged() -> None:
    same, changed, fresh = draft("a"), draft("b", "new title"), draft("c")
    intents = decide_stories("src", {"a": stored(same, 1), "b": stored(draft("b"), 2)},
                             [same, changed, fresh], NOW)
    assert [type(i) for i in intents] == [UnchangedStory, UpdatedStory, NewStory]
    assert intents[0] == UnchangedStory(1, same)
    assert isinstance(intents[1], UpdatedStory) and intents[1].rowid == 2
    assert intents[1].norm_title == "new title"
    new = intents[2]
    assert isinstance(new, NewStory) and new.public_id == story_public_id("src", "c")


def test_any_shown_field_makes_a_story_updated() -> None:
    base = draft("a", body="x", tags=("one",))
    for changed in (draft("a", body="y", tags=("one",)), draft("a", body="x", tags=("two",)),
                    draft("a", body="x", tags=("one",), teaser=True),
                    draft("a", body="x", tags=("one",), enclosures=(Enclosure("http://e/1.mp3"),))):
        [intent] = decide_stories("s", {"a": stored(base, 7)}, [changed], NOW)
        assert isinstance(intent, UpdatedStory), changed


def test_sort_time_is_published_else_updated_else_first_seen() -> None:
    assert sort_time(draft_columns(draft("a", published="2024-01-02T00:00:00+00:00")),
                     NOW) == 1704153600.0
    assert sort_time(draft_columns(draft("a", updated="2024-01-02T00:00:00Z")),
                     NOW) == 1704153600.0
    assert sort_time(draft_columns(draft("a", published="not a date")), NOW) == NOW
    # An update without a date keeps the time the story was first seen, not now.
    [intent] = decide_stories("s", {"a": stored(draft("a"), 3, added=5.0)},
                              [draft("a", "changed")], NOW)
    assert isinstance(intent, UpdatedStory) and intent.sort_ts == 5.0


def test_a_key_twice_in_one_batch_is_one_story_with_the_later_content() -> None:
    intents = decide_stories("s", {}, [draft("a", "first"), draft("a", "second")], NOW)
    assert len(intents) == 1
    assert isinstance(intents[0], NewStory) and intents[0].draft.title == "second"
    old = draft("b", "old")
    intents = decide_stories("s", {"b": stored(old, 4)}, [draft("b", "new"), old], NOW)
    assert intents == [UnchangedStory(4, old)]


def test_links_between_stories_of_the_batch() -> None:
    rowids = {"a": 1, "b": 2, "c": 3}
    changes = decide_links(rowids, [("a", "b"), ("a", "x"), ("c", "c"), ("a", "c")],
                           replace=False)
    assert changes.upsert == [(1, 2, 0), (1, 3, 3)]
    assert changes.delete == {}
    replaced = decide_links(rowids, [("a", "b")], replace=True)
    assert replaced.delete == {1: {2}, 2: set(), 3: set()}


def test_a_fetched_feed_is_renamed_unless_the_user_named_it() -> None:
    feed = StoredFeed("Old", user_title=False, disabled=True)
    intent = decide_feed(feed, FeedFetched(title="New", etag='"e"', url="http://moved/"))
    assert intent == FeedIntent("ok", None, None, disabled=False, rename_to="New",
                                url="http://moved/", validators=('"e"', None))
    mine = decide_feed(StoredFeed("Mine", user_title=True, disabled=False),
                       FeedFetched(title="New"))
    assert mine.rename_to is None
    assert decide_feed(feed, FeedFetched(title="Old")).rename_to is None


def test_a_304_keeps_the_validators_it_does_not_repeat() -> None:
    intent = decide_feed(StoredFeed("F", False, True), FeedNotModified(etag=None))
    assert intent.status == "not_modified" and intent.disabled is False
    assert intent.validators is None and intent.keep_validators == (None, None)


def test_a_failure_keeps_the_feed_as_it_was_unless_it_is_gone() -> None:
    assert decide_feed(StoredFeed("F", False, False), FeedFailed("timed out")) == FeedIntent(
        "error", "timed out", None, disabled=False)
    assert decide_feed(StoredFeed("F", False, True), FeedFailed("boom")).disabled is True
    gone = decide_feed(StoredFeed("F", False, False), FeedFailed("410", gone=True))
    assert gone.disabled is True and gone.url is None
    wait = decide_feed(StoredFeed("F", False, False), FeedFailed("429", retry_after=NOW))
    assert wait.retry_after == NOW


def test_a_draft_takes_over_the_row_stored_under_its_alias() -> None:
    """An old cache kept one story under the bare link for a whole group of episodes: the
    episode it holds (same enclosure and date) takes that row over, and keeps its id."""
    old = draft("http://show/", "Episode 1", enclosures=(Enclosure("http://show/1.mp3"),),
                published="2024-01-01T00:00:00+00:00")
    one = draft("http://show/\x1fhttp://show/1.mp3\x1f2024-01-01T00:00:00+00:00", "Episode 1",
                enclosures=(Enclosure("http://show/1.mp3"),), published="2024-01-01T00:00:00+00:00",
                aliases=("http://show/",))
    two = draft("http://show/\x1fhttp://show/2.mp3\x1f2024-01-08T00:00:00+00:00", "Episode 2",
                enclosures=(Enclosure("http://show/2.mp3"),), published="2024-01-08T00:00:00+00:00",
                aliases=("http://show/",))
    row = StoredStory(7, content_hash(old), 5.0, ("http://show/1.mp3",), old.published)
    intents = decide_stories("src", {"http://show/": row}, [two, one], NOW)
    assert isinstance(intents[0], NewStory) and intents[0].draft is two
    assert isinstance(intents[1], UpdatedStory)
    assert (intents[1].rowid, intents[1].draft, intents[1].rekey) == (7, one, True)


def test_an_alias_is_taken_once_and_never_from_a_draft_that_owns_it() -> None:
    shared = dict(enclosures=(Enclosure("http://show/1.mp3"),), published=None)
    row = StoredStory(3, "x", 1.0, ("http://show/1.mp3",), None)
    first = draft("k\x1fa", "A", aliases=("k",), **shared)
    second = draft("k\x1fb", "B", aliases=("k",), **shared)
    intents = decide_stories("src", {"k": row}, [first, second], NOW)
    assert [type(i) for i in intents] == [UpdatedStory, NewStory]
    owner = draft("k", "K", **shared)
    intents = decide_stories("src", {"k": row}, [first, owner], NOW)
    assert [type(i) for i in intents] == [NewStory, UpdatedStory]
    assert isinstance(intents[1], UpdatedStory) and not intents[1].rekey


def test_an_alias_row_of_another_entry_is_left_alone() -> None:
    """The row under the alias holds another episode (another enclosure): not this one's."""
    row = StoredStory(3, "x", 1.0, ("http://show/2.mp3",), "2024-01-08T00:00:00+00:00")
    mine = draft("k\x1f1", "A", aliases=("k",), enclosures=(Enclosure("http://show/1.mp3"),),
                 published="2024-01-01T00:00:00+00:00")
    assert [type(i) for i in decide_stories("src", {"k": row}, [mine], NOW)] == [NewStory]


def test_columns_worked_out_already_are_used_and_the_same_as_worked_out_here() -> None:
    drafts = [draft("a", title="A, title!", tags=("x",), published="2024-01-02T00:00:00Z"),
              draft("b", updated="2024-01-03T00:00:00Z"), draft("c")]
    here = decide_stories("src", {"b": stored(drafts[1], 2)}, drafts, NOW)
    given = decide_stories("src", {"b": stored(drafts[1], 2)}, drafts, NOW,
                           [draft_columns(d) for d in drafts])
    assert here == given
    assert isinstance(here[0], NewStory) and here[0].norm_title == "a title"
    assert here[0].content_hash == content_hash(drafts[0])
    assert here[0].columns[2:] == ('["x"]', "[]", 1704153600.0)
    marked = [("h0", "n0", "[]", "[]", 5.0), *[draft_columns(d) for d in drafts[1:]]]
    first = decide_stories("src", {}, drafts, NOW, marked)[0]
    assert isinstance(first, NewStory) and (first.content_hash, first.sort_ts) == ("h0", 5.0)


def test_intents_built_by_their_fast_builders_are_the_records_themselves() -> None:
    """``_new_story`` and ``_unchanged_story`` (a plain object of the same slots that becomes
    the record) give what the records' own constructors give: equal, same repr and hash,
    the same class, still frozen."""
    one = draft("a", title="A")
    columns = draft_columns(one)
    pairs: list[tuple[NewStory | UnchangedStory, NewStory | UnchangedStory]] = [
        (_new_story(one, "id1", columns, 5.0), NewStory(one, "id1", columns, 5.0)),
        (_unchanged_story(7, one), UnchangedStory(7, one))]
    for fast, plain in pairs:
        assert type(fast) is type(plain)
        assert fast == plain and repr(fast) == repr(plain) and hash(fast) == hash(plain)
        with pytest.raises(dataclasses.FrozenInstanceError):
            fast.draft = one  # type: ignore[misc]
    new = pairs[0][0]
    assert isinstance(new, NewStory)
    assert new.content_hash == columns[0] and new.norm_title == columns[1]

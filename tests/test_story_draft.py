"""``models.story_draft`` builds exactly the ``StoryDraft`` that ``StoryDraft(*values)`` builds.

It sets the fields on a plain object with the same slots and then changes its class, to skip
the frozen dataclass's ``__init__`` (a refresh builds every draft three times); the parse,
``entry_identity`` and the unpickling of a parse worker's result use it.
"""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest

from reader.models import (
    STORY_DRAFT_FIELDS,
    STORY_DRAFT_VALUES,
    Enclosure,
    StoryDraft,
    story_draft,
)

DRAFTS = [
    StoryDraft(key="k", title="t"),
    StoryDraft(key="guid-1", title="Title", standfirst="s", body="b **x**", url="https://e.x/1",
               author="A", published="2024-01-02T03:04:05+00:00", updated=None, teaser=True,
               tags=("a", "b"), enclosures=(Enclosure("https://e.x/a.mp3", "audio/mpeg", 5, 60),),
               aliases=("old",), from_summary=True),
]


def test_it_takes_every_field_in_order() -> None:
    assert tuple(inspect.signature(story_draft).parameters) == STORY_DRAFT_FIELDS
    # record makes the class slotted; its dataclass_transform cannot say so (there is no slots
    # default to declare), so mypy does not know __slots__ is there.
    assert StoryDraft.__slots__ == STORY_DRAFT_FIELDS  # type: ignore[attr-defined]


@pytest.mark.parametrize("draft", DRAFTS)
def test_the_same_draft(draft: StoryDraft) -> None:
    values = STORY_DRAFT_VALUES(draft)
    built = story_draft(*values)
    assert type(built) is StoryDraft
    assert built == draft and hash(built) == hash(draft) and repr(built) == repr(draft)
    assert STORY_DRAFT_VALUES(built) == values
    assert dataclasses.asdict(built) == dataclasses.asdict(draft)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.title = "changed"  # type: ignore[misc]
    assert not hasattr(built, "__dict__")


@pytest.mark.parametrize("draft", DRAFTS)
def test_pickled_drafts_come_back_the_same(draft: StoryDraft) -> None:
    back = pickle.loads(pickle.dumps(draft))
    assert type(back) is StoryDraft and back == draft
    assert dataclasses.replace(back, title="x") == dataclasses.replace(draft, title="x")

"""Saved stories' file names from hostile titles, and never overwriting (``reader.saving``)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from reader.models import Story
from reader.saving import file_name, save_story


def story(title: str, **fields: object) -> Story:
    values: dict[str, object] = dict(
        id="abc123", source="Feed", title=title, standfirst="", body="Body.", url=None,
        author=None, published="2024-05-01T10:00:00+00:00", updated=None, teaser=False,
        read=False, starred=False)
    values.update(fields)
    return Story(**values)  # type: ignore[arg-type]


HOSTILE = ["../../etc/passwd", "..", ".", "/", "a/b\\c", ".hidden", "\x1b]0;pwned\x07title",
           "tab\tnew\nline\rcr", "\u202eexe.txt", "con", "NUL", "x" * 1000, "é" * 400,
           "日本語のタイトル" * 40, "   ", "", "a\x00b", "***???", "Wait... what?"]


@pytest.mark.parametrize("title", HOSTILE)
def test_a_hostile_title_makes_one_plain_safe_name(title: str) -> None:
    name = file_name(title, "2024-05-01T10:00:00+00:00", "abc123")
    assert "/" not in name and "\\" not in name and ".." not in name
    assert not name.startswith((".", " ", "-")) and name.endswith(".md")
    assert all(unicodedata.category(ch)[0] != "C" for ch in name)
    assert len(name.encode()) <= 200
    assert name.startswith("2024-05-01 ")


def test_names_read_like_the_title() -> None:
    assert file_name("Review: the new phone", "2024-05-01T10:00:00Z", "x") == (
        "2024-05-01 Review - the new phone.md")
    assert file_name("AC/DC live", None, "x") == "AC-DC live.md"
    assert file_name("", None, "abc123") == "story abc123.md"
    assert file_name("Wait... what?", None, "x") == "Wait… what.md"


def test_saving_twice_keeps_both_and_never_writes_through_a_link(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    first = save_story(story("Same"), folder)
    second = save_story(story("Same", body="Other."), folder)
    assert (first.name, second.name) == ("2024-05-01 Same.md", "2024-05-01 Same (2).md")
    assert "Body." in first.read_text() and "Other." in second.read_text()
    target = tmp_path / "precious"
    target.write_text("keep me")
    (folder / "2024-05-01 Linked.md").symlink_to(target)
    third = save_story(story("Linked"), folder)
    assert third.name == "2024-05-01 Linked (2).md"
    assert target.read_text() == "keep me"

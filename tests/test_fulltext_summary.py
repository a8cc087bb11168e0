"""Which feed entries are summaries worth a page fetch: measured on the real feeds."""

from __future__ import annotations

import os
from pathlib import Path

import feedparser
import pytest

from reader.feeds.parse import entry_to_draft
from reader.fulltext.summary import (
    ends_in_read_more,
    is_summary,
    standfirst_from_summary,
    wants_full_text,
)

REPO = Path(__file__).resolve().parent.parent
REALFEEDS = Path(os.environ.get("READER_REALFEEDS_DIR") or REPO.parent / "shared" / "realfeeds")


def _decisions(name: str) -> list[bool]:
    parsed = feedparser.parse((REALFEEDS / name).read_bytes())
    decisions = []
    for entry in parsed.entries:
        had_content = any(c.get("value") for c in entry.get("content") or [])
        decisions.append(is_summary(entry_to_draft(entry, None).body, had_content=had_content))
    return decisions


@pytest.mark.parametrize(("name", "summaries", "entries"), [
    ("feed-rs__atom_example_2.xml", 2, 2),     # The Register: a standfirst ending in "…"
    ("rss-parser__guardian.rss", 55, 55),      # "Continue reading..." up to 332 words
    ("nnw__EMarley.rss", 10, 10),              # Medium: "Continue reading on Medium »"
    ("nnw__donthitsave.xml", 10, 10),          # "[read more]"
    ("v2__large_rss.xml", 5, 25),              # whole posts in <description>: only 5 short
    ("feedjira__FeedBurnerXHTML.xml", 0, 10),   # full content, 900+ words
])
def test_summaries_are_told_from_whole_articles(name: str, summaries: int,
                                                entries: int) -> None:
    decisions = _decisions(name)
    assert (sum(decisions), len(decisions)) == (summaries, entries)


@pytest.mark.parametrize("markdown", [
    "A standfirst. [Continue reading...](https://e.com/a)",
    "Text … [read more](https://e.com/a)",
    "Text [Read the full story »](https://e.com/a)",
    "Text ends here…",
    "Text ends here \\[...\\]",
    "Text ends here...",
])
def test_read_more_endings(markdown: str) -> None:
    assert ends_in_read_more(markdown)


@pytest.mark.parametrize("markdown", [
    "A finished sentence.", "See [the report](https://e.com/r).", "Read [this](https://e/x) too.",
])
def test_ordinary_endings(markdown: str) -> None:
    assert not ends_in_read_more(markdown)


def test_per_feed_mode_and_url_decide_first() -> None:
    long_text = " ".join(["word"] * 400) + "."
    assert wants_full_text("always", "https://e.com/a", long_text, had_content=True)
    assert not wants_full_text("never", "https://e.com/a", "Short…", had_content=False)
    assert not wants_full_text("auto", None, "Short…", had_content=False)
    assert not wants_full_text("always", "ftp://e.com/a", "", had_content=False)
    assert wants_full_text("auto", "https://e.com/a", "Short.", had_content=False)
    assert not wants_full_text("auto", "https://e.com/a", long_text, had_content=False)


def test_the_summary_becomes_a_one_line_standfirst_without_its_read_more_link() -> None:
    assert standfirst_from_summary(
        "The **memo** said\n\nthings. [Continue reading...](https://e.com/a)"
    ) == "The memo said things."
    assert standfirst_from_summary("Just a \\[PDF\\] summary…") == "Just a [PDF] summary…"

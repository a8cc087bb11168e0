"""A page's text that starts with the story's own title as a heading drops that heading (the
pane shows the title once); any other first heading, or a title later on, stays."""

from __future__ import annotations

import pytest

from reader.fulltext.title import title_key, without_title_heading

TITLE = "Disney+ launches in Europe: what it costs"
REST = "The first paragraph of the article.\n\n## A later heading\n\nMore text."


@pytest.mark.parametrize("heading", [
    f"# {TITLE}",
    f"## {TITLE} ##",
    "# disney+   LAUNCHES in europe — what it costs!",
    "# Disney&#43; launches in Europe: what it&nbsp;costs",
    f"# **{TITLE}**",
    f"# [{TITLE}](https://example.com/story)",
    f"{TITLE}\n=====",
    f"{TITLE}\n-----",
    f"\n\n  # {TITLE}",
])
def test_a_leading_heading_equal_to_the_title_is_dropped(heading: str) -> None:
    assert without_title_heading(f"{heading}\n\n{REST}", TITLE) == REST


@pytest.mark.parametrize("markdown", [
    f"# Another headline\n\n{REST}",                      # a different first heading
    f"# {TITLE} and more\n\n{REST}",                      # the title is only part of it
    f"{TITLE}\n\n{REST}",                                 # a paragraph, not a heading
    f"The intro.\n\n# {TITLE}\n\n{REST}",                  # the title heading is not first
    f"> # {TITLE}\n\n{REST}",                              # a quoted heading
    f"```\n# {TITLE}\n```\n\n{REST}",                      # a code block
    "",
])
def test_anything_else_stays(markdown: str) -> None:
    assert without_title_heading(markdown, TITLE) == markdown


def test_only_the_first_heading_goes_even_when_the_title_repeats() -> None:
    text = f"# {TITLE}\n\n# {TITLE}\n\nBody."
    assert without_title_heading(text, TITLE) == f"# {TITLE}\n\nBody."


def test_an_empty_or_punctuation_only_title_drops_nothing() -> None:
    assert without_title_heading("# —\n\nBody.", "—") == "# —\n\nBody."
    assert without_title_heading("#\n\nBody.", "") == "#\n\nBody."


def test_the_comparison_key() -> None:
    assert title_key("  Hello,\tWORLD &amp; co.  ") == "hello world co"
    assert title_key("Ｆｕｌｌ－width") == title_key("full width")

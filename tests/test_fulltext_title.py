"""A page's text that starts with the story's own title as a heading drops that heading (the
pane shows the title once); any other first heading, or a title later on, stays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_reader
from ui_support import title_repeating_pages

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


def test_reader_show_prints_a_saved_pages_title_once(tmp_path: Path) -> None:
    """``reader show`` (plain text) prints the title as its first line and the page's text
    without the same title again; JSON keeps the body exactly as saved."""
    home = tmp_path / "home"
    ids = title_repeating_pages(home)

    shown = run_reader("show", str(ids["Rockets"]), home=home, check=True).stdout
    assert shown.splitlines()[0] == "Rockets & how they land"
    assert "ROCKETS" not in shown and "The page's text." in shown
    as_json = json.loads(run_reader("show", "--json", str(ids["Rockets"]), home=home,
                                    check=True).stdout)
    assert as_json["body"].startswith("# ROCKETS &amp; how they land!")

    other = run_reader("show", str(ids["Another"]), home=home, check=True).stdout
    assert "A different heading" in other

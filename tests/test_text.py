"""Untrusted text made inert (``clean_text``) and plain text carried as Markdown."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from reader.text import clean_line, clean_text, escape_markdown, markdown_to_plain


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\x1b[1;31mred\x1b[0m", "red"),
        ("\x1b]8;;http://evil.example\x07click\x1b]8;;\x07", "click"),
        ("\x1b]0;title\x1b\\text", "text"),
        ("\x9b2Jcsi8\x9d0;t\x9cosc8", "csi8osc8"),
        ("lone \x1b escape", "lone  escape"),
        ("bell\x07 back\x08 del\x7f c1\x85", "bell back del c1"),
        ("abc\u202edcba\u2066x\u2069\u200f\u200e", "abcdcbax"),
        ("a\u2028b\u2029c\ufeff", "abc"),
        ("crlf\r\nand cr\rand lf\n", "crlf\nand cr\nand lf\n"),
        ("tab\tkept", "tab\tkept"),
        ("", ""),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_clean_line_joins_whitespace() -> None:
    assert clean_line("  a\n\tb \x1b[2K c  ") == "a b c"
    assert clean_line(None) == ""


MD = MarkdownIt("gfm-like")  # the parser Textual's Markdown widget uses
MARKDOWN_SIGNS = list("\\`*_{}[]()<>#+-.!|=~&;:/'\"0123456789 ")
LINE = st.text(
    alphabet=st.one_of(st.sampled_from(MARKDOWN_SIGNS), st.sampled_from(list("ab é中")),
                       st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))),
    max_size=30,
).map(str.strip).filter(bool)


def shown_text(markdown: str) -> str:
    """The text a reader sees: one plain paragraph, no emphasis, code, HTML or entities."""
    tokens = MD.parse(markdown)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    out = []
    for child in tokens[1].children or []:
        if child.type == "text":
            out.append(child.content)
        elif child.type == "softbreak":
            out.append("\n")
        elif child.type in ("link_open", "link_close") and child.markup == "linkify":
            continue  # a bare URL becomes a link; its text stays the same
        else:
            raise AssertionError(f"{child.type} in {markdown!r}")
    return "".join(out)


@pytest.mark.parametrize("text", [
    "1. First point", "2022) that year", "~~~", "```", "x ~~struck~~", "AT&amp;T &copy;",
    "# not a heading", "+ not a list", "- nor this", "* nor this", "> not a quote",
    "=====", "---", "| a | b |\n--|--", "<b>not html</b>", "[PDF] [bold]x[/bold]", "a\\(b\\",
    "snake_case_name *stars* `ticks`", "![img](http://x)", "see http://example.com/a_b_c?utm_source=x&y=2",
    "1998. A year", "3) numbered", "__init__ and _private and a__b", "x_ y _z",
])
def test_escaped_text_renders_as_itself(text: str) -> None:
    assert shown_text(escape_markdown(text)) == text
    assert markdown_to_plain(escape_markdown(text)) == text


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE, min_size=1, max_size=4))
def test_any_paragraph_renders_as_itself(lines: list[str]) -> None:
    """A paragraph as the seed parser makes it (stripped, non-blank lines) shows verbatim."""
    text = "\n".join(lines)
    assert shown_text(escape_markdown(text)) == text
    assert markdown_to_plain(escape_markdown(text)) == text


def test_one_line_keeps_the_spaces_between_pieces() -> None:
    from reader.text import one_line

    pieces = ["Story number ", "42", "\nabout\x1b[31m topic "]
    assert "".join(one_line(p) for p in pieces) == "Story number 42 about topic "

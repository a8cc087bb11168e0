"""Untrusted text made inert (``clean_text``) and plain text carried as Markdown."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from conftest import run_reader
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from realfeed_files import real_story

from reader.feeds.html_markdown import html_to_markdown
from reader.models import FeedFetched
from reader.store import Store
from reader.store.feeds import add_feed, record_refresh
from reader.text import (
    clean_line,
    clean_text,
    escape_markdown,
    markdown_to_plain,
    needs_cleaning,
    repair_mojibake,
    unescape_markdown,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\x1b[1;31mred\x1b[0m", "red"),
        ("\x1b]8;;http://evil.example\x07click\x1b]8;;\x07", "click"),
        ("\x1b]0;title\x1b\\text", "text"),
        ("\x9b2Jcsi8\x9d0;t\x9cosc8", "csi8osc8"),
        ("lone \x1b escape", "lone  escape"),
        # A lone C1 control goes by itself; the text after it stays.
        ("quote\x9d and the rest", "quote and the rest"),
        ("a\x9b b \x85c\x90d", "a b cd"),  # 8-bit CSI needs a final byte: " " is not one
        # An escape sequence goes whole only when it is complete: up to its terminator.
        ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("\x1bP1$r0m\x1b\\dcs", "dcs"),
        ("\x1b_apc\x07 \x9ehidden\x9c pm", "  pm"),
        ("\x1b]0;never ends, text kept", "0;never ends, text kept"),
        ("\x9d0;not ended\x85 kept", "0;not ended kept"),
        ("\x1b(Bcharset \x1b7saved", "charset saved"),
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


def test_clean_text_repairs_mojibake() -> None:
    """UTF-8 read as Windows-1252: "”" is "â€" + U+009D, which once swallowed what followed."""
    mangled = "company name including â€œRSS Podcastingâ€\x9d and â€œRSS.comâ€\x9d into one"
    assert clean_text(mangled) == "company name including “RSS Podcasting” and “RSS.com” into one"
    assert clean_text("itâ€™s BrÃ¸ndby") == "it’s Brøndby"
    for fine in ("café », déjà vu", "¿Qué? «Sí»", "Ärger über Öl", "não é ação", "Ã alone"):
        assert repair_mojibake(fine) == fine
    assert not needs_cleaning("plain text, “quotes” and é")


def test_real_mojibake_keeps_the_rest_of_the_story() -> None:
    story = real_story("simplepie__feed_rss-2.0_for_file_mock.xml", "RSS.com Completes Rebrand")
    assert ("variants of our company name including “RSS Podcasting” and “RSS.com Podcasting” "
            "into a single DBA name: RSS.com Updating") in story.body
    assert "The post [RSS.com Completes Rebrand]" in story.body


def test_clean_line_joins_whitespace() -> None:
    assert clean_line("  a\n\tb \x1b[2K c  ") == "a b c"
    assert clean_line(None) == ""


def test_clean_line_is_clean_text_with_whitespace_joined() -> None:
    """Printable ASCII skips the cleaning test (and the splitting where no space needs it):
    the same as cleaning it, for every character alone and in context."""
    for code in range(0x3000):
        char = chr(code)
        for text in (char, f"a{char}b", f" {char}", f"{char}  x", f"{char}{char} ", "x" + char):
            assert clean_line(text) == " ".join(clean_text(text).split()), repr(text)
    for text in ("", "a", " a", "a ", "a  b", "a b", "a\tb", "\x7f", "a\rb", "é  x"):
        assert clean_line(text) == " ".join(clean_text(text).split()), repr(text)


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
    "see https://www.instagram.com/walerija_/ and _it_", "(https://x.example/_a_) _b_",
    "www.x.example/_a_ and http://_x_ y",
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
    assert unescape_markdown(escape_markdown(text)) == text  # search snippets undo it so


def test_one_line_keeps_the_spaces_between_pieces() -> None:
    from reader.text import one_line

    pieces = ["Story number ", "42", "\nabout\x1b[31m topic "]
    assert "".join(one_line(p) for p in pieces) == "Story number 42 about topic "


HTML_TEXT = st.text(alphabet=st.sampled_from(MARKDOWN_SIGNS + list("ab é中\n\t")), max_size=40)


@settings(max_examples=300, deadline=None)
@given(HTML_TEXT.filter(lambda t: t.strip()))
def test_html_text_renders_as_itself(text: str) -> None:
    """HTML text goes through the same escaper: what a browser shows is what the pane shows."""
    markdown = html_to_markdown(f"<p>{html.escape(text)}</p>")
    assert shown_text(markdown) == " ".join(text.split())
    assert markdown_to_plain(markdown) == " ".join(text.split())


def test_plain_text_keeps_code_as_written() -> None:
    markdown = (
        "Escaped \\*not emphasis\\* and `a\\*b [x]\\` `` ` `` code.\n\n"
        "```\nvar re = /[|\\\\{}()[\\]^$+*?.]/g;  // \\* kept\n```\n\n"
        "- item with ~~~\n  ~~~\n  \\_x\\_ in\n  ~~~"
    )
    assert markdown_to_plain(markdown) == (
        "Escaped *not emphasis* and `a\\*b [x]\\` `` ` `` code.\n\n"
        "```\nvar re = /[|\\\\{}()[\\]^$+*?.]/g;  // \\* kept\n```\n\n"
        "- item with ~~~\n  ~~~\n  \\_x\\_ in\n  ~~~"
    )


def test_plain_text_tables_and_wrapping() -> None:
    table = "| Name | Size |\n| --- | --- |\n| a\\|b | `x\\|y` |\n| longer | 1 |"
    assert markdown_to_plain(table) == (
        "Name   | Size\n-------+------\na|b    | `x|y`\nlonger | 1"
    )
    assert markdown_to_plain("|  |  |\n| --- | --- |\n| k | v |") == "k | v"
    assert markdown_to_plain(table, width=12) == "Name: a|b\nSize: `x|y`\n\nName: longer\nSize: 1"
    item = "- " + "word " * 12
    assert markdown_to_plain(item.strip(), width=30).split("\n") == [
        "- word word word word word", "  word word word word word", "  word word"]
    code = "```\n" + "x" * 50 + "\n```"
    assert markdown_to_plain(code, width=30) == code


def test_show_prints_real_code_exactly_as_written(isolated_home: Path) -> None:
    """``reader show`` of a real story: its regular expression keeps every backslash."""
    story = real_story("nnw__russcox.atom", "Our Software Dependency Problem")
    with Store.open(isolated_home / "data" / "cache.sqlite3") as store:
        feed_id = add_feed(store, "https://research.swtch.com/feed.atom", "research!rsc")
        record_refresh(store, feed_id, FeedFetched(drafts=(story,)))
    listed = run_reader("list", "--json", home=isolated_home, check=True).stdout.splitlines()
    [story_id] = [s["id"] for s in map(json.loads, listed) if s["title"] == story.title]
    shown = run_reader("show", story_id, home=isolated_home, check=True).stdout.splitlines()
    assert r"var matchOperatorsRe = /[|\\{}()[\]^$+*?.]/g;" in shown
    assert "\treturn str.replace(matchOperatorsRe, '\\\\$&');" in shown  # tabs kept, not wrapped

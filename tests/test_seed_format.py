"""The plain-text article format: golden tests on the bundled seed, and articles written here."""

from __future__ import annotations

import pytest
from conftest import SEED_FILE

from reader.seed.format import SeedArticle, SeedFormatError, parse_article

FOOTER = "Biting the hand that feeds IT © 1998–2022"
RELATED = [
    (
        "Zuckerberg sued for alleged role in Cambridge Analytica data-slurp scandal",
        "I can prove CEO was 'personally involved in Facebook’s failure to protect privacy',"
        " DC AG insists",
    ),
    (
        "Florida's content-moderation law kept on ice, likely unconstitutional, court says",
        "So cool you're into free speech because that includes taking down misinformation",
    ),
    (
        "US-APAC trade deal leaves out Taiwan, military defense not ruled out",
        "All fun and games until the chip factories are in the crosshairs",
    ),
]


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def seed(seed_text: str) -> SeedArticle:
    return parse_article(seed_text)


def all_story_text(article: SeedArticle) -> list[str]:
    texts = [article.headline, article.standfirst, *article.paragraphs]
    for item in article.related:
        texts += [item.title, item.standfirst, *item.paragraphs]
    return texts


# -- the bundled seed ------------------------------------------------------------------------


def test_seed_headline_and_standfirst(seed: SeedArticle) -> None:
    assert seed.headline == "UK.gov apologises for Tory-bashing child database memo"
    assert seed.standfirst == (
        "Civil servants went rogue on partisan missive, DCSF Sir Humphrey says"
    )


def test_seed_body_has_fourteen_verbatim_paragraphs(seed: SeedArticle) -> None:
    assert len(seed.paragraphs) == 14
    assert seed.paragraphs[0] == (
        "A top government official has apologised after civil servants working on the"
        " ContactPoint project wrote a memo to local authorities that was sharply critical of"
        " Tory policy on child data sharing."
    )
    assert seed.paragraphs[-1] == "There's a copy of Bell's letter here (pdf). ®"
    assert all("\n" not in p and p == p.strip() for p in seed.paragraphs)
    assert any("Victoria Climbié" in p for p in seed.paragraphs)


def test_seed_related_stories(seed: SeedArticle) -> None:
    assert [(r.title, r.standfirst) for r in seed.related] == RELATED
    assert [len(r.paragraphs) for r in seed.related] == [3, 3, 3]
    assert all(r.teaser for r in seed.related)
    assert seed.related[0].paragraphs[1].startswith("DC AG Karl Racine filed [PDF] the civil suit")
    assert seed.related[2].paragraphs[-1].endswith("40 percent of the global economy.")


def test_seed_footer_is_furniture_not_story_text(seed: SeedArticle) -> None:
    assert seed.furniture == (FOOTER,)
    assert not any("Biting the hand" in text for text in all_story_text(seed))
    assert not any("Continue reading" in text for text in all_story_text(seed))
    assert not any("Other stories you might like" in text for text in all_story_text(seed))


# -- the same article written differently parses the same ------------------------------------


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def tabs(text: str) -> str:
    """Indentation written with tabs instead of spaces."""
    out = []
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        out.append("\t" * ((len(line) - len(stripped) + 1) // 2) + stripped)
    return "\n".join(out)


def trailing_spaces(text: str) -> str:
    return "\n".join(line + " \t " for line in text.split("\n"))


def other_final_newline(text: str) -> str:
    """Without the final newline if the text has one, with one if it has none."""
    return text.rstrip("\n") if text.endswith("\n") else text + "\n"


@pytest.mark.parametrize("variant", [crlf, tabs, trailing_spaces, other_final_newline],
                         ids=lambda f: f.__name__)
def test_seed_variants_parse_the_same(seed_text: str, seed: SeedArticle, variant) -> None:
    changed = variant(seed_text)
    assert changed != seed_text
    assert parse_article(changed) == seed


NON_ASCII = """\
Zürich café «naïve» ça coûte 5 € — 東京 ünïcödé

Ελληνικά: a standfirst with ß and emoji 📰

Body paragraph with “curly quotes”, an en dash – and 日本語.

Другой абзац.

Other stories you might like

  • Ärger in Köln
    Größer als gedacht

    Teaser über Straßen.

    Continue reading
"""


def test_non_ascii_article_in_every_variant() -> None:
    expected = parse_article(NON_ASCII)
    assert expected.headline == "Zürich café «naïve» ça coûte 5 € — 東京 ünïcödé"
    assert expected.standfirst == "Ελληνικά: a standfirst with ß and emoji 📰"
    assert expected.paragraphs == (
        "Body paragraph with “curly quotes”, an en dash – and 日本語.",
        "Другой абзац.",
    )
    assert [(r.title, r.standfirst, r.paragraphs) for r in expected.related] == [
        ("Ärger in Köln", "Größer als gedacht", ("Teaser über Straßen.",))
    ]
    for variant in (crlf, tabs, trailing_spaces, other_final_newline):
        assert parse_article(variant(NON_ASCII)) == expected, variant.__name__
    assert parse_article("\ufeff" + NON_ASCII) == expected


# -- articles of our own ---------------------------------------------------------------------


def test_article_without_related_section() -> None:
    article = parse_article("Just a headline\n\nA standfirst\n\nOne paragraph.\n\nAnother.\n")
    assert article.headline == "Just a headline"
    assert article.standfirst == "A standfirst"
    assert article.paragraphs == ("One paragraph.", "Another.")
    assert article.related == ()
    assert article.furniture == ()


def test_headline_only() -> None:
    article = parse_article("\n\n   Lonely headline   \n\n")
    assert article == SeedArticle("Lonely headline", "", (), (), ())


def test_five_related_items() -> None:
    items = "".join(
        f"  {bullet} Title {n}\n    Standfirst {n}\n\n    Teaser {n} a.\n\n    Teaser {n} b.\n\n"
        "    Continue reading\n"
        for n, bullet in enumerate("•-*•-", 1)
    )
    article = parse_article(
        f"Head\n\nStand\n\nBody.\n\nOther stories you might like\n\n{items}\nFooter line\n"
    )
    assert [r.title for r in article.related] == [f"Title {n}" for n in range(1, 6)]
    assert [r.standfirst for r in article.related] == [f"Standfirst {n}" for n in range(1, 6)]
    assert [r.paragraphs for r in article.related] == [
        (f"Teaser {n} a.", f"Teaser {n} b.") for n in range(1, 6)
    ]
    assert all(r.teaser for r in article.related)
    assert article.paragraphs == ("Body.",)
    assert article.furniture == ("Footer line",)


def test_item_without_standfirst_and_item_without_continue_reading() -> None:
    article = parse_article(
        "Head\n\nStand\n\nBody.\n\n"
        "Other stories you might like\n\n"
        "  • No standfirst here\n\n    Its teaser paragraph.\n\n    Continue reading\n"
        "  • Whole little story\n    With a standfirst\n\n    All of it.\n\n    The end.\n"
        "  • Bare title\n"
    )
    first, second, third = article.related
    assert (first.title, first.standfirst, first.paragraphs, first.teaser) == (
        "No standfirst here", "", ("Its teaser paragraph.",), True
    )
    assert (second.title, second.standfirst, second.paragraphs, second.teaser) == (
        "Whole little story", "With a standfirst", ("All of it.", "The end."), False
    )
    assert (third.title, third.standfirst, third.paragraphs, third.teaser) == (
        "Bare title", "", (), False
    )
    assert article.furniture == ()


def test_teaser_lines_starting_with_a_bullet_sign_stay_teaser_text() -> None:
    article = parse_article(
        "Head\n\nStand\n\nBody.\n\nOther stories you might like\n\n"
        "  • Title one\n    Standfirst one\n\n"
        "    - a teaser line that starts with a dash\n    * and one with a star\n\n"
        "    • even a bullet\n\n    Continue reading\n"
        "  - Title two\n    Standfirst two\n"
        "* Title three, less indented\n"
    )
    assert [(r.title, r.standfirst) for r in article.related] == [
        ("Title one", "Standfirst one"), ("Title two", "Standfirst two"),
        ("Title three, less indented", ""),
    ]
    assert article.related[0].paragraphs == (
        "- a teaser line that starts with a dash\n* and one with a star", "• even a bullet"
    )
    assert article.related[0].teaser


def test_markup_like_text_is_kept_as_text() -> None:
    article = parse_article(
        "A [bold]x[/bold] headline\n\nStand [i]y[/i]\n\n"
        "See the [PDF] and [bold]x[/bold] and [link=http://e.x]z[/link].\n\n"
        "Other stories you might like\n\n  • [red]Title[/red]\n    [b]sub[/b]\n"
    )
    assert article.headline == "A [bold]x[/bold] headline"
    assert article.standfirst == "Stand [i]y[/i]"
    assert article.paragraphs == (
        "See the [PDF] and [bold]x[/bold] and [link=http://e.x]z[/link].",
    )
    assert (article.related[0].title, article.related[0].standfirst) == ("[red]Title[/red]",
                                                                          "[b]sub[/b]")


@pytest.mark.parametrize("text", ["", "\n\n  \n", "\r\n\t\r\n", "\ufeff", "\x1b[31m\x1b[0m\n"],
                         ids=["empty", "blank-lines", "crlf-blank", "bom", "only-escapes"])
def test_empty_article_is_an_error(text: str) -> None:
    with pytest.raises(SeedFormatError):
        parse_article(text)


def test_escapes_and_bidi_characters_are_stripped() -> None:
    article = parse_article(
        "\x1b[31mRed\x1b[0m headline\u202e\n\n"
        "Stand\u2066first\u2069\x07\n\n"
        "A \x1b]8;;http://evil.example\x07link\x1b]8;;\x07 and \u200fmarks\u202d here\x9b2J.\n\n"
        "Other stories you might like\n\n"
        "  • Title\x1b[2J with clear\n    Sub\x08title\n"
    )
    assert article.headline == "Red headline"
    assert article.standfirst == "Standfirst"
    assert article.paragraphs == ("A link and marks here.",)
    assert (article.related[0].title, article.related[0].standfirst) == ("Title with clear",
                                                                         "Subtitle")
    for text in all_story_text(article):
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in text), repr(text)

"""Extraction of a page's main text: real pages from ``../shared/extraction/``, hostile HTML."""

from __future__ import annotations

import gzip
import json
import os
import sys
from pathlib import Path

import pytest

from reader.fulltext.extract import (
    ExtractionError,
    count_words,
    decode_html,
    extract_article,
    looks_like_html,
    plain_text,
)

REPO = Path(__file__).resolve().parent.parent
EXTRACTION = Path(os.environ.get("READER_EXTRACTION_DIR") or REPO.parent / "shared" / "extraction")
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def _pages(count: int) -> list[tuple[str, str, str]]:
    truth = json.loads((EXTRACTION / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(truth)[:count]
    return [(truth[k]["url"], decode_html(gzip.decompress(
        (EXTRACTION / "html" / f"{k}.html.gz").read_bytes())), truth[k]["articleBody"])
        for k in keys]


def test_real_pages_give_their_main_text_through_our_converter() -> None:
    from benchmarks.extraction import score

    for url, page, truth in _pages(6):
        article = extract_article(page, url)
        _, recall, f1 = score(plain_text(article.markdown), truth)
        assert recall >= 0.85 and f1 >= 0.7, url
        assert article.words == count_words(plain_text(article.markdown))


def test_extracted_markdown_is_sanitised() -> None:
    words = " ".join(f"word{n}" for n in range(80))
    page = (
        "<html><head><title>t</title><script>alert(1)</script></head><body>"
        "<nav><a href='/'>Home</a></nav><article>"
        f"<p>{words} <a href='javascript:alert(1)'>click</a> \x1b[31mred\x1b[0m</p>"
        "<p><img src='/pic.png' alt='A picture'> <img src='/t.gif' width='1' height='1'></p>"
        f"<p>{words}</p></article></body></html>"
    )
    markdown = extract_article(page, "https://example.com/a/story.html").markdown
    assert "javascript" not in markdown and "\x1b" not in markdown and "alert" not in markdown
    assert "![A picture](https://example.com/pic.png)" in markdown
    assert "t.gif" not in markdown
    assert "click" in markdown  # the link's text stays, as plain text


@pytest.mark.parametrize("page", ["", "   ", "<html><body><p>Access denied</p></body></html>",
                                  "\x00\x01\x02 binary"])
def test_pages_without_an_article_say_why(page: str) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract_article(page, "https://example.com/")
    assert str(caught.value)


def test_decoding_follows_the_declared_charset_then_utf8_then_cp1252() -> None:
    assert decode_html("café".encode("latin-1"), "text/html; charset=ISO-8859-1") == "café"
    assert decode_html(b'<meta charset="windows-1252"><p>caf\xe9') .endswith("café")
    assert decode_html("café".encode()) == "café"
    assert decode_html(b"caf\xe9") == "café"
    assert decode_html(b"x", "text/html; charset=bogus-8") == "x"


def test_html_is_told_by_its_type_or_its_start() -> None:
    assert looks_like_html(b"{}", "text/html; charset=utf-8")
    assert not looks_like_html(b"<html>", "application/pdf")
    assert looks_like_html(b"  <!DOCTYPE html><html>", None)
    assert not looks_like_html(b"%PDF-1.4", None)


def test_the_extraction_benchmark_scores_both_libraries_on_a_few_pages(
        capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import extraction

    assert extraction.main(["--pages", "2", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert set(results) == {"readability-lxml", "trafilatura"}
    for figures in results.values():
        assert figures["pages"] == 2 and 0 < figures["f1"] <= 1 and figures["ms_median"] > 0

"""The full-text benchmark runs end to end at tiny sizes, so it cannot rot between full runs.

No timed assertions (figures from a busy CI machine mean nothing): it checks that the feeds
were served and refreshed with and without full text, and that the pages were saved.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pty and 127.0.0.x: Linux")
def test_quick_full_text_benchmark(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import fulltext

    assert fulltext.main(["--feeds", "2", "--items", "3", "--runs", "1", "--hosts", "2",
                          "--latency-ms", "0",
                          "--open", "0", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert set(results["cold_refresh_s"]) == {"no full text", "6 pages"}
    assert results["pages_saved"] == {"6 pages": "6 of 6"}
    assert results["app_peak_rss_mb"] is None  # not measured here: --open 0


def test_the_memory_runs_pages_carry_one_picture_inside_the_article() -> None:
    from benchmarks import fulltext
    from reader.fulltext.extract import decode_html, extract_article

    pages = fulltext.load_pages(fulltext.EXTRACTION)[:5]
    articles = fulltext.load_articles(fulltext.EXTRACTION)[:5]
    for number, (page, article) in enumerate(zip(pages, articles, strict=True)):
        served = fulltext.with_picture(page, f"http://127.0.0.1:9/img/{number}.jpg", "P", article)
        markdown = extract_article(decode_html(served, "text/html; charset=utf-8")).markdown
        assert f"![P](http://127.0.0.1:9/img/{number}.jpg)" in markdown
        assert markdown.count("![") == 1  # the page's own images (real hosts) are gone

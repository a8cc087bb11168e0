"""The benchmark runs end to end at tiny sizes, so it cannot rot between full runs.

No timed assertions: the figures of a smoke run on a busy CI machine mean nothing. It checks
that every step ran (feeds generated and served, a cache built through the real refresh, a
second refresh got 304s, the real corpus served and refreshed, the profiles) and that the
report renders. The phases that drive the app in a pty are in
``tests/test_benchmark_smoke_app.py``, so the two halves can run on two workers.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from shared_data import shared_folder  # noqa: E402

from benchmarks import feedgen  # noqa: E402
from benchmarks.report import write_report  # noqa: E402

APP_PHASES = frozenset({"first_paint", "key_latency", "search_keys", "memory"})
"""Measured by ``tests/test_benchmark_smoke_app.py``."""


def quick_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
              phases: frozenset[str]) -> dict[str, Any]:
    """``python -m benchmarks --quick --only PHASES`` into a temporary folder."""
    from dataclasses import replace

    from benchmarks import common, run

    monkeypatch.setenv("READER_REALFEEDS", str(shared_folder("realfeeds")))
    monkeypatch.setattr(common, "OUT", tmp_path)
    monkeypatch.chdir(REPO)
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    return run.run(replace(run.QUICK, only=phases))


def test_generated_feeds_are_deterministic_and_sized_like_real_ones() -> None:
    from reader.feeds.parse import parse_feed

    rss, atom = feedgen.generate_feed(1, 0, 4), feedgen.generate_feed(1, 1, 4)
    assert rss == feedgen.generate_feed(1, 0, 4)
    assert rss.startswith(b"<?xml") and b"<rss" in rss and b"<feed" in atom
    for document in (rss, atom):
        parsed = parse_feed(document, {}, "http://127.0.0.1/feed.xml")
        assert len(parsed.drafts) == 4
        assert parsed.title == parsed.title.strip() and parsed.title.startswith("Bench Feed")
    sizes = [len(feedgen.item(1, 0, n).html) for n in range(20)]
    assert min(sizes) >= 2000 and max(sizes) <= 9000


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="127.0.0.x addresses: Linux")
def test_quick_benchmark_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.run import PHASES

    results = quick_run(tmp_path, monkeypatch, frozenset(PHASES) - APP_PHASES)
    assert results["stories"]["15"] >= 15
    refresh = results["refresh"]["3 feeds, 0 ms"]["reader"]["outcomes"]
    assert refresh["cold"].get("ok") == 3 and refresh["cold"]["new"] == 15
    assert refresh["warm"].get("not_modified") == 3 and refresh["warm"]["new"] == 0
    filtered = results["filters"]
    assert filtered["five"]["wall"]["runs"] == filtered["none"]["wall"]["runs"] == 1
    assert filtered["stories"] == 15
    assert "skipped" in results["search"] or "common word" in results["search"]
    listed = results["list_json"]["15"]
    assert listed["stories"] == results["stories"]["15"] and listed["wall"]["runs"] == 1
    real = results["real_feeds"]["reader"]
    assert results["real_feeds"]["documents"] == 6
    assert real["outcomes"]["cold"]["new"] > 0 and real["stories"] > 0
    # The server's own count: the warm refresh was answered 304 (the failed ones excepted).
    failed = len(real["errors"])
    assert real["answers"]["warm"].get("304") == 6 - failed
    assert real["cold"]["cpu"]["median"] > 0 and real["cold"]["tree_peak_mib"]["median"] > 0
    assert "newsboat_8" not in results["real_feeds"] and results["newsboat_skipped"]
    assert results["real_profile"]["documents"] == 6 and results["real_profile"]["entries"] > 0
    marks = results["marks"]
    assert 0 < marks["store"]["mark_all_read"]["stories"] <= results["stories"]["15"]
    assert set(marks["store"]["first_page"]) == {"newest", "oldest", "unread", "source"}
    assert marks["command"]["runs"] == 1 and marks["key_latency"]["runs"] >= 1
    report = write_report(results)
    assert results["machine_speed"]["start"] > 0 and results["machine_speed"]["end"] > 0
    assert "Machine speed: a pure-Python loop" in report
    assert "refresh 3 feeds" in report
    assert "| mark every story read" in report and "first page, sort unread" in report
    assert "reader list --json" in report and "| real feeds |" in report
    assert "| cold refresh, 3 feeds, 5 filters" in report

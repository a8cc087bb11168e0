"""The benchmark's phases that drive the app in a real pty, at tiny sizes (see
``tests/test_benchmark_smoke.py`` for the rest): first paint, key latency idle and during the
app's own refresh, memory after scrolling. No timed assertions."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from test_benchmark_smoke import APP_PHASES, quick_run

from benchmarks.report import write_report


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pty and 127.0.0.x: Linux")
def test_quick_benchmark_run_of_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    results = quick_run(tmp_path, monkeypatch, APP_PHASES)
    assert results["first_paint"]["15"]["runs"] == 1
    assert results["key_latency_idle"]["list"]["runs"] >= 1
    assert results["key_latency_idle"]["pane"]["runs"] >= 1
    assert results["key_latency_busy"]["list"]["refresh_s"]["runs"] == 1
    assert results["key_latency_search"]["runs"] >= 1
    assert results["memory_mib"]["median"] > 0
    report = write_report(results)
    assert "first paint" in report and "key latency j, list, during refresh" in report

"""What every phase of the benchmark uses: where results go, running the reader, statistics.

The reader is always measured as a separate process (``python -m reader``), as a user runs
it, with its own ``--home``; nothing of the user's is read or written.
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.processes import Measured

ROOT = Path(__file__).resolve().parent
OUT = Path(os.environ.get("READER_BENCH_OUT") or ROOT / "out")
"""Caches, scratch folders and results; the smoke test points it at a temporary folder (read it
as ``common.OUT`` so that it can)."""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def stats(values: Sequence[float]) -> dict[str, Any]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "runs": len(values)}


def summary(runs: Sequence[Measured]) -> dict[str, Any]:
    """Median (min–max) of each figure of several measured runs of one command."""
    return {
        "wall": stats([m.wall for m in runs]),
        "cpu": stats([m.cpu for m in runs]),
        "user": stats([m.user for m in runs]),
        "sys": stats([m.sys for m in runs]),
        "tree_peak_mib": stats([m.tree_peak_mib for m in runs]),
        "max_rss_mib": stats([m.max_rss_mib for m in runs]),
        "descendants_cpu": stats([m.descendants_cpu for m in runs]),
    }


def reader_argv(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "reader", "--home", str(home), *args]


APP_CONFIG = "refresh_on_start = false\n"
"""What every benchmarked app reads: the benchmark starts each refresh itself (``R`` in
``key_latency_busy``), so none may start on its own as the app opens (by default it
refreshes the due feeds after the first frame; newsboat's ``refresh-on-startup`` is off by
default). Without it the "idle" key latency would be taken during a refresh of every feed."""


def app_argv(home: Path) -> list[str]:
    """The app on ``home``, its config saying ``APP_CONFIG`` (``write_config`` when it has
    none)."""
    if not (home / "config" / "config.toml").exists():
        write_config(home)
    return reader_argv(home)


def quiet_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "READER_HOME")}


def run_checked(argv: Sequence[str], timeout: float = 1800, env: dict[str, str] | None = None,
                cwd: Path | None = None) -> tuple[float, str]:
    """Run a command to its end; its wall time and standard output."""
    start = time.perf_counter()
    done = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout,
                          env=env or quiet_env(), cwd=cwd)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{argv[:4]}… failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, done.stdout


def write_opml(path: Path, urls: Sequence[str]) -> None:
    from reader.feeds.opml import OpmlFeed
    from reader.feeds.opml import write_opml as opml_bytes

    path.write_bytes(opml_bytes([OpmlFeed(url) for url in urls]))


FEEDS_ONLY_CONFIG = "[full_text]\npages_per_refresh = 0\nimages_per_story = 0\n"
"""Generated stories are whole, and their links and images point at hosts that do not exist:
the phases measure feeds alone, as newsboat does (``benchmarks.fulltext`` measures pages)."""


def write_config(home: Path, tables: str = "") -> None:
    """``home``'s config: ``APP_CONFIG`` and ``FEEDS_ONLY_CONFIG``, which every benchmark home
    needs, then ``tables`` (a phase's own, e.g. its ``[[filters]]``). One writer, so a home
    whose config a phase writes still gets both (a cache built by ``subscribe`` used to get
    only the second, and its apps refreshed every feed as they opened)."""
    config = home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(APP_CONFIG + FEEDS_ONLY_CONFIG + tables, encoding="utf-8")


def subscribe(home: Path, urls: Sequence[str]) -> None:
    """Subscribe ``home``'s cache to ``urls`` the way a user would: ``reader import``. A home
    without a config gets ``write_config``'s."""
    if not (home / "config" / "config.toml").exists():
        write_config(home)
    with tempfile.TemporaryDirectory() as folder:
        opml = Path(folder) / "feeds.opml"
        write_opml(opml, urls)
        run_checked(reader_argv(home, "import", str(opml)))


def outcomes(stdout: str) -> list[dict[str, Any]]:
    """The feeds' outcomes printed by ``reader refresh --json``."""
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def refresh_counts(stdout: str) -> dict[str, int]:
    """Feeds by outcome (``ok``, ``not_modified``, ``error``…) and ``new`` stories in all."""
    found = outcomes(stdout)
    counts: dict[str, int] = {}
    for outcome in found:
        counts[outcome["status"]] = counts.get(outcome["status"], 0) + 1
    counts["new"] = sum(o["new"] for o in found)
    return counts


def database(home: Path) -> Path:
    return home / "data" / "cache.sqlite3"


def feed_stories(home: Path) -> int:
    """Stories of subscribed feeds in a reader cache (the bundled seed articles left out)."""
    with sqlite3.connect(database(home)) as conn:
        return int(conn.execute(
            "SELECT count(*) FROM stories JOIN sources ON sources.id = stories.source_id "
            "WHERE sources.kind = 'feed'").fetchone()[0])

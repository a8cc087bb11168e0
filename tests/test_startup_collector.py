"""The cycle collector while a command-line process starts (``reader.collector``'s start-up
pause): paused from the entry point, resumed with start-up's objects frozen when the command's
work begins; ``reader refresh`` resumes it once its parse workers are forked, and they collect
from their start."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

from reader import collector
from reader.cli.main import main

FORKED_DURING_START_UP = """
import gc, json
from reader import collector
collector.pause_start_up()
paused = not gc.isenabled()
from reader.refresh.parse_workers import ParseWorkers
workers = ParseWorkers(0, 2, fork=True)
in_worker = workers.pool.submit(gc.isenabled).result()
collector.end_start_up()
print(json.dumps({"paused": paused, "worker_collects": in_worker,
                  "parent_collects": gc.isenabled(), "frozen": gc.get_freeze_count()}))
workers.close()
"""


def test_forked_workers_collect_and_the_parent_resumes_frozen() -> None:
    result = subprocess.run([sys.executable, "-c", FORKED_DURING_START_UP],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["paused"] and found["worker_collects"] and found["parent_collects"]
    assert found["frozen"] > 10_000  # the modules, classes and functions loading made


def test_a_refresh_from_the_entry_point_ends_with_the_collector_running(tmp_path: Path) -> None:
    """``python -m reader refresh`` (no feeds: it still forks its workers) exits cleanly; the
    refresh ended the pause itself."""
    code = ("import gc, runpy, sys\n"
            "sys.argv = ['reader', '--home', sys.argv[1], 'refresh']\n"
            "try:\n    runpy.run_module('reader', run_name='__main__')\n"
            "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
            "print(gc.isenabled(), gc.get_freeze_count() > 0)\n")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "home")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "True True"


def test_main_called_with_arguments_leaves_the_collector_alone(tmp_path: Path) -> None:
    frozen = gc.get_freeze_count()
    assert main(["--home", str(tmp_path / "home"), "list"]) == 0
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_end_of_start_up_without_a_pause_changes_nothing() -> None:
    frozen = gc.get_freeze_count()
    collector.end_start_up()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen

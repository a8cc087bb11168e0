"""Shared fixtures. Every test runs with its own READER_HOME so the user's data is never touched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import textual._wait

from reader.store import Store

REPO = Path(__file__).resolve().parent.parent
SEED_FILE = REPO / "seeds" / "register-contactpoint-memo-apology.txt"


LONGEST_FIRST = (
    "test_app_keys.py", "test_app_links.py", "test_faults.py", "test_sync_ttrss.py",
    "test_realfeeds_corpus.py", "test_faults_processes.py", "test_sync_fever.py",
    "test_app_hostile.py", "test_app_search.py", "test_cli.py", "test_app_triage.py",
    "test_store_boundary.py", "test_feeds_cli.py", "test_feed_parse_lxml.py", "test_cli_output.py",
    "test_benchmark_smoke_app.py", "test_cli_mark.py", "test_benchmark_smoke.py",
    "test_fulltext_app.py", "test_fulltext_refresh.py", "test_sync_faults.py",
    "test_app_snapshots.py", "test_refresh.py", "test_faults_files.py", "test_schedule_cli.py",
    "test_app_refresh.py", "test_app_schedule.py", "test_app_cancelled_show.py",
    "test_search_store.py", "test_app_sources.py", "test_fulltext_pages.py",
    "test_filters_workers.py", "test_realfeeds_parse.py", "test_cli_search.py",
    "test_feed_corpus.py", "test_app_scale.py",
)
"""The files that take longest, longest first: the sum of their tests' wall times in a whole
run of ``.ci/dev test`` (2026-12-01 05:32, -n 3, per-test record: the 23 files of 7 s or
more), then the rest of the files of 7 s or more in an earlier record (02:42, -n 2).

``.ci/dev test`` hands each file whole to one of the xdist workers (``--dist loadfile``) in
the order collected (``--no-loadscope-reorder``), so these go out first and the short files
fill the gaps at the end. xdist's own order, most tests first, sent the one-test files last,
the 12 s app benchmark among them, so one worker ran on alone at the end. A file missing
from this list, or a stale order, costs only that balance, never a result."""


IDLE_LOOK = 0.005
"""Seconds of one look of Textual's idle wait in the tests (Textual's own: 0.02).

Pilot waits for "idle" (CPU time hardly advancing over one look) twice after every key it
presses, and ``settle`` (``reader.ui.pilot``) waits for it on each of its looks: at 20 ms a
look, two thirds of test_app_keys' wall time was spent in these waits on an app with
nothing to do. The tests do not depend on them: every test waits for the condition it
asserts (``settle`` waits for workers, queued messages and refresh callbacks; a key that
moves the focus or asks a question is followed by a wait for that, not by the next key).
That was checked by running every Pilot test with the idle wait taken out altogether
(``wait_for_idle`` only yielding to the event loop), which is what found the tests that
pressed on before the app had moved the focus or pushed its question. So a shorter look
only makes the tests faster: 5 ms, with the same "idle" threshold (CPU under 5 % of the
look), and a minimum wait of one look."""


def _shorter_idle_looks() -> None:
    textual._wait.SLEEP_GRANULARITY = IDLE_LOOK
    textual._wait.SLEEP_IDLE = IDLE_LOOK / 20
    textual._wait.wait_for_idle.__defaults__ = (IDLE_LOOK, 1)  # (min_sleep, max_sleep)


_shorter_idle_looks()


def _test_folders_in_memory() -> None:
    """Every test's folders (``tmp_path``, the ``READER_HOME`` of ``isolated_home``) on tmpfs
    where the machine has one, unless ``PYTEST_DEBUG_TEMPROOT`` says where.

    Most tests make a cache (a Pilot test one or more, a CLI test one per command that
    writes), and a new cache in WAL mode syncs to disk as it is made: 110-170 ms each on
    this machine's ext4 /tmp, 11-40 ms on /dev/shm (ten caches in a row, three rounds). The
    tests test what SQLite and the reader do, not the disk; a process killed mid-write
    leaves the same file on either (the page cache is the same), and the full-disk tests
    mount their own small tmpfs. pytest reads the variable when it first makes a folder,
    after this file is imported (xdist's workers get their folders from the controller)."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK):
        os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", str(shm))


_test_folders_in_memory()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest files first (``LONGEST_FIRST``), then the rest, most tests first."""
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    counts: dict[str, int] = {}
    for item in items:
        counts[item.path.name] = counts.get(item.path.name, 0) + 1
    items.sort(key=lambda item: (rank.get(item.path.name, len(rank)),
                                 -counts[item.path.name], item.path.name))


@pytest.fixture(scope="session")
def session_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One XDG cache folder for the session's commands (``reader.start_cache`` keeps what a
    command's start-up compiled there: the first command writes it, the others read it)."""
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
    session_cache_home: Path,
) -> Path:
    """Point READER_HOME and the XDG folders at a fresh temporary folder for every test (the
    cache folder: one for the session, never the user's)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("READER_HOME", str(home / "reader"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(session_cache_home))
    monkeypatch.setenv("NO_COLOR", "1")
    return home / "reader"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A real cache file in a temporary folder."""
    with Store.open(tmp_path / "cache.sqlite3") as opened:
        yield opened


def file_of(store: Store) -> Path:
    """The file of a store opened on one, as the ``store`` fixture's is (``Store.path`` is None
    only for a store in memory): what a refresh, which opens its own connections, is given."""
    assert store.path is not None
    return store.path


def run_reader(*args: str, home: Path, check: bool = False, input: str | None = None,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real ``reader`` command (as ``python -m reader``) in a subprocess."""
    full_env = {**os.environ, "READER_HOME": str(home), "COLUMNS": "100", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "reader", *args], capture_output=True, text=True,
        env=full_env, check=check, input=input, timeout=120,
    )


@pytest.fixture(scope="session")
def first_run_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ``READER_HOME`` as a user's first ``reader list`` leaves it (the cache made, the bundled
    seeds loaded), made by the real command once per test process (``first_run`` copies it)."""
    home = tmp_path_factory.mktemp("first-run") / "reader"
    run_reader("list", home=home, check=True)
    return home


@pytest.fixture
def first_run(first_run_template: Path) -> Callable[[Path], Path]:
    """``first_run(home)``: ``home`` as a first ``reader list`` leaves it, for a test whose
    subject is a later command, not the first run: a copy of ``first_run_template``, since
    every first run makes the same cache but for the times in it (a copy: under 1 ms on tmpfs;
    the run: ~0.12 s of CPU). The process that made it has ended, so the cache is one closed
    file, no WAL beside it."""

    def make(home: Path) -> Path:
        shutil.copytree(first_run_template, home, dirs_exist_ok=True)
        return home

    return make


def _permissions_are_enforced() -> bool:
    """Whether chmod 000 stops this process reading (not as root, which reads anything)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "probe"
        probe.write_text("x")
        probe.chmod(0)
        try:
            probe.read_text()
        except PermissionError:
            return True
        finally:
            probe.chmod(0o600)
    return False


needs_permissions = pytest.mark.skipif(
    not _permissions_are_enforced(),
    reason="running as root: chmod 000 does not stop reading, so 'unreadable' cannot be made",
)

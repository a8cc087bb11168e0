"""Killed processes, for real: nothing is left running, and nothing stored is lost to search.

A refresh runs parse workers, full-text extraction workers and multiprocessing's resource
tracker as child processes. When only the refresh process is killed (a crash, the OOM killer: not
its whole group), they used to run on, the extraction workers for good. Each test here starts
the refresh (or the app) as the leader of a process group of its own, kills that one process with
SIGKILL, and waits (by polling ``/proc``) for every process of the group to be gone: whatever it
started, whenever, even a worker started after any snapshot of its children could see it, or
one already handed to init.

A refresh killed while new stories wait for the search index leaves them in ``search_pending``;
the next command that opens the cache indexes them, so ``reader search`` finds them at once.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from config_support import with_fetch_settings
from conftest import run_reader
from feed_server import FeedServer, rss2, static, trickle

from reader.models import StoryDraft
from reader.store import Store
from reader.store.feeds import add_feed

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="reads the process tree from /proc (Linux)")


@pytest.fixture
def server() -> Iterator[FeedServer]:
    running = FeedServer()
    yield running
    running.stop()


# -- the process tree, from /proc ---------------------------------------------------------------


def _fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/PID/stat`` after the command's name (state first), or None when
    the process is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return raw[raw.rindex(")") + 2:].split()


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None when it is gone."""
    fields = _fields(pid)
    return None if fields is None else (fields[0], int(fields[1]))


def alive(pid: int) -> bool:
    found = _stat(pid)
    return found is not None and found[0] not in ("Z", "X")  # a zombie has ended


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            info = _stat(int(entry.name))
            if info is not None and info[1] == pid:
                found.append(int(entry.name))
    return found


def descendants(pid: int) -> set[int]:
    found: set[int] = set()
    pending = [pid]
    while pending:
        for child in children(pending.pop()):
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def in_group(leader: int) -> set[int]:
    """The running processes of the process group that ``leader`` leads (started with
    ``start_new_session``): every process it started, and theirs, whatever their parent now
    (none of ours leaves its group). A zombie has ended and is left out."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _fields(int(entry.name))
            if fields is not None and int(fields[2]) == leader and fields[0] not in ("Z", "X"):
                found.add(int(entry.name))
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_for(condition: Callable[[], bool], timeout: float, what: str,
             every: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def _is_parse_worker(pid: int) -> bool:
    """Spawned workers say so on their command line; forked ones (``refresh.parse_workers``)
    carry their parent's."""
    line, info = command_line(pid), _stat(pid)
    if "resource_tracker" in line or info is None:
        return False
    return "spawn_main" in line or line == command_line(info[1])


def parse_workers(pids: set[int]) -> set[int]:
    return {p for p in pids if _is_parse_worker(p)}


def assert_all_gone(pids: set[int], within: float = 5.0) -> None:
    def gone() -> bool:
        return not any(alive(p) for p in pids)
    try:
        wait_for(gone, within, "the killed refresh's processes to end")
    except AssertionError:
        left = {p: command_line(p) for p in pids if alive(p)}
        for pid in left:  # do not leave them to the rest of the suite
            os.kill(pid, signal.SIGKILL)
        raise AssertionError(f"still running {within} s after the kill: {left}") from None


def assert_group_gone(leader: int, within: float = 10.0) -> None:
    """Every process of ``leader``'s group ends within ``within`` s. A spawned worker the kill
    caught while it started has its interpreter to load before it sees its parent is gone
    (``lifeline``): hence more room than for the workers already running."""
    try:
        wait_for(lambda: not in_group(leader), within, "the killed process's group to end")
    except AssertionError:
        left = {p: command_line(p) for p in in_group(leader)}
        _end_group(leader)
        raise AssertionError(f"still running {within} s after the kill: {left}") from None


def _end_group(leader: int) -> None:
    """Kill what is left of ``leader``'s group without leaking its named semaphores: the
    workers first, so that multiprocessing's resource tracker, whose pipe they held, ends by
    itself and unlinks the killed pools' semaphores (a tracker killed with them left five in
    /dev/shm for each pool); then anything still there."""
    for pid in in_group(leader):
        if "resource_tracker" not in command_line(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(AssertionError):
        wait_for(lambda: not in_group(leader), 10, "the resource tracker to end")
    with contextlib.suppress(ProcessLookupError):
        os.killpg(leader, signal.SIGKILL)


@contextlib.contextmanager
def ended_after(process: subprocess.Popen[Any]) -> Iterator[subprocess.Popen[Any]]:
    """``process``, killed (and waited for) on the way out if it still runs."""
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def cli_refresh(home: Path) -> subprocess.Popen[bytes]:
    """``reader refresh`` in a subprocess leading a process group of its own (``in_group``),
    its output thrown away."""
    return subprocess.Popen(
        [sys.executable, "-m", "reader", "refresh"], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, env={**os.environ, "READER_HOME": str(home)},
        start_new_session=True,
    )


def read_only(database: Path) -> contextlib.closing[sqlite3.Connection]:
    """A read-only connection that watches the cache while a refresh writes it; closed on
    leaving the ``with``."""
    return contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True))


def kill_alone(process: subprocess.Popen[Any]) -> None:
    """SIGKILL ``process`` alone (not its group), then wait for every process it had started
    to end too: the whole group it leads (``in_group``), not a snapshot of its descendants
    taken before the kill, which missed workers started after it (and so let full-text
    extraction workers that outlived their refresh pass)."""
    assert os.getpgid(process.pid) == process.pid, "start it with start_new_session=True"
    process.kill()
    process.wait()
    assert_group_gone(process.pid)


def slow_cache(folder: Path, server: FeedServer, fast: int = 10, slow: int = 2) -> Path:
    """Feeds that parse at once (so parse workers start) and feeds that trickle for a minute
    (so the refresh is still running when it is killed)."""
    database = folder / "data" / "cache.sqlite3"
    database.parent.mkdir(parents=True)
    with Store.open(database) as store:
        for n in range(fast):
            server.routes[f"/fast{n}"] = static(rss2(f"Fast {n}", [(f"f{n}", f"Fast {n}")]))
            add_feed(store, server.url(f"/fast{n}"), f"Fast {n}")
        for n in range(slow):
            server.routes[f"/slow{n}"] = trickle(every=0.2, limit=60)
            add_feed(store, server.url(f"/slow{n}"), f"Slow {n}")
    with_fetch_settings(folder, deadline=120, host_deadline=120, refresh_deadline=120,
                        per_host=16)
    return database


# -- orphans ------------------------------------------------------------------------------------


def test_killing_the_cli_refresh_leaves_no_process(server: FeedServer, tmp_path: Path) -> None:
    slow_cache(tmp_path, server)
    with ended_after(cli_refresh(tmp_path)) as refresh:
        wait_for(lambda: bool(parse_workers(descendants(refresh.pid))), 60,
                 "the refresh to start parse workers")
        kill_alone(refresh)


APP_STAND_IN = textwrap.dedent("""
    import sys
    from pathlib import Path
    from reader.config import FetchSettings
    from reader.refresh.child import refresh_in_child

    settings = FetchSettings(deadline=120, host_deadline=120, refresh_deadline=120,
                             per_host=16)
    try:
        refresh_in_child(Path(sys.argv[1]), settings)
    except Exception as exc:
        print("refresh failed:", exc, flush=True)
        sys.exit(3)
""")


def _start_app_stand_in(database: Path) -> tuple[subprocess.Popen[str], int, set[int]]:
    """A process that refreshes as the app does (in a child process); returns it, the child
    refresh process and that child's parse workers once they run."""
    app = subprocess.Popen([sys.executable, "-c", APP_STAND_IN, str(database)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           start_new_session=True)

    def refresh_child() -> int | None:
        for pid in children(app.pid):
            if parse_workers(descendants(pid)):
                return pid
        return None

    wait_for(lambda: refresh_child() is not None, 60, "the child refresh's parse workers")
    child = refresh_child()
    assert child is not None
    return app, child, parse_workers(descendants(child))


def test_killing_the_app_ends_its_refresh_process_and_workers(
    server: FeedServer, tmp_path: Path
) -> None:
    database = slow_cache(tmp_path, server)
    app, _, _ = _start_app_stand_in(database)
    with ended_after(app):
        kill_alone(app)


def test_killing_the_refresh_process_ends_its_workers_and_the_app_says_so(
    server: FeedServer, tmp_path: Path
) -> None:
    database = slow_cache(tmp_path, server)
    app, child, workers = _start_app_stand_in(database)
    with ended_after(app):
        os.kill(child, signal.SIGKILL)
        assert_all_gone(workers)
        stdout, _ = app.communicate(timeout=30)
        assert app.returncode == 3
        assert stdout.startswith("refresh failed: the refresh process ended unexpectedly")
    assert_group_gone(app.pid)  # and nothing the killed refresh started outlives the app


def test_killing_the_cli_refresh_while_it_extracts_pages_leaves_no_process(
    server: FeedServer, tmp_path: Path
) -> None:
    """Killed while it saves full text: the extraction workers (spawned when the first page
    comes back) end with it. The first pages answer at once; the rest trickle, so the refresh
    is still waiting for them when it is killed."""
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: pages are extracted in a thread")
    pages = 20  # from PROCESS_POOL_MIN_PAGES (16), extraction runs in worker processes
    answered = itertools.count()
    quick, slow = static(b"<html><body><p>A page.</p></body></html>", "text/html"), \
        trickle(every=0.2, limit=60)

    def page(handler: BaseHTTPRequestHandler) -> None:
        (quick if next(answered) < 3 else slow)(handler)

    server.routes["/page"] = page
    server.routes["/feed"] = static(rss2("Pages", [(f"p{n}", f"Page {n}") for n in range(pages)],
                                         link=server.url("/page?")))
    database = tmp_path / "data" / "cache.sqlite3"
    database.parent.mkdir(parents=True)
    with Store.open(database) as store:
        add_feed(store, server.url("/feed"), "Pages")
    with_fetch_settings(tmp_path, deadline=120, host_deadline=120, refresh_deadline=120,
                        per_host=16)
    with ended_after(cli_refresh(tmp_path)) as refresh:
        def extracting() -> bool:
            if refresh.poll() is not None:
                raise AssertionError("the refresh ended before it extracted a page")
            return any("spawn_main" in command_line(p) for p in in_group(refresh.pid))

        wait_for(extracting, 60, "the refresh to start extraction workers")
        kill_alone(refresh)


# -- search after a killed refresh --------------------------------------------------------------


def test_search_finds_what_a_killed_refresh_left_unindexed(
    server: FeedServer, tmp_path: Path
) -> None:
    """Stories wait for the index between a feed's commit and the next index batch (when no
    other feed waits to be stored, or 500 stories at a time): a few percent of a refresh. The
    cache is watched without pause; the moment stories wait, the refresh is frozen (SIGSTOP),
    the wait is checked again while nothing can change, and the refresh is killed."""
    database = tmp_path / "data" / "cache.sqlite3"
    database.parent.mkdir(parents=True)
    with Store.open(database) as store:
        for n in range(60):
            items = [(f"n{n}-{k}", f"Quokka{n}x{k} arrives " + "word " * 50)
                     for k in range(20)]
            server.routes[f"/many{n}"] = static(rss2(f"Many {n}", items))
            add_feed(store, server.url(f"/many{n}"), f"Many {n}")
    titles: list[str] = []
    with ended_after(cli_refresh(tmp_path)) as refresh, read_only(database) as watcher:

        def pending() -> list[str]:
            try:
                return [row[0] for row in watcher.execute(
                    "SELECT s.title FROM search_pending p JOIN stories s ON s.rowid = p.story")]
            except sqlite3.OperationalError:  # busy for a moment: look again
                return []

        def caught() -> bool:
            nonlocal titles
            if refresh.poll() is not None:
                raise AssertionError("the refresh ended before stories waited for the index")
            if not pending():
                return False
            refresh.send_signal(signal.SIGSTOP)  # frozen: what is pending stays pending
            titles = pending()
            if titles:
                return True
            refresh.send_signal(signal.SIGCONT)
            return False

        wait_for(caught, 60, "stories waiting for the search index", every=0)
        kill_alone(refresh)
    word = titles[-1].split()[0]
    result = run_reader("search", word, "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["title"] for line in result.stdout.splitlines()] == [titles[-1]]
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM search_pending").fetchone() == (0,)


# -- keep the good: kill -9 at any point, two refreshes at once -----------------------------------


def integrity(database: Path) -> str:
    with sqlite3.connect(database) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def story_count(database: Path) -> int:
    """The feeds' stories (the bundled seed article joins on the first command)."""
    with sqlite3.connect(database) as conn:
        return int(conn.execute(
            "SELECT count(*) FROM stories WHERE title LIKE 'Kestrel%'").fetchone()[0])


def many_feeds(folder: Path, server: FeedServer, feeds: int = 40, items: int = 10) -> Path:
    database = folder / "data" / "cache.sqlite3"
    database.parent.mkdir(parents=True, exist_ok=True)
    with Store.open(database) as store:
        for n in range(feeds):
            server.routes[f"/k{n}"] = static(rss2(f"K{n}", [(f"k{n}-{i}", f"Kestrel{n}x{i}")
                                                            for i in range(items)]))
            add_feed(store, server.url(f"/k{n}"), f"K{n}")
    return database


@pytest.mark.parametrize("stored_before_kill", [1, 150, 300])
def test_a_refresh_killed_at_any_point_leaves_a_sound_cache(
    server: FeedServer, tmp_path: Path, stored_before_kill: int
) -> None:
    """Killed once some stories are stored (1, half, most): the cache passes integrity_check,
    the next refresh completes, and nothing is stored twice."""
    database = many_feeds(tmp_path, server)
    before = story_count(database)
    with ended_after(cli_refresh(tmp_path)) as refresh, read_only(database) as watcher:

        def stored() -> bool:
            if refresh.poll() is not None:
                return True  # it finished first: a complete refresh is sound too
            try:
                count = watcher.execute(
                    "SELECT count(*) FROM stories WHERE title LIKE 'Kestrel%'").fetchone()[0]
            except sqlite3.OperationalError:
                return False
            return int(count) - before >= stored_before_kill

        wait_for(stored, 60, f"{stored_before_kill} stories stored", every=0)
        kill_alone(refresh)
    assert integrity(database) == "ok"
    again = run_reader("refresh", "--json", home=tmp_path)
    assert again.returncode == 0, again.stderr
    assert {json.loads(line)["status"] for line in again.stdout.splitlines()} <= {
        "ok", "not_modified"}
    assert story_count(database) - before == 400
    assert integrity(database) == "ok"
    found = run_reader("search", "Kestrel39x9", "--json", home=tmp_path)
    assert len(found.stdout.splitlines()) == 1


def test_two_refreshes_at_once_store_everything_once(server: FeedServer,
                                                     tmp_path: Path) -> None:
    database = many_feeds(tmp_path, server)
    before = story_count(database)
    env = {**os.environ, "READER_HOME": str(tmp_path)}
    runs = [subprocess.Popen([sys.executable, "-m", "reader", "refresh", "--json"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            for _ in range(2)]
    for run in runs:
        stdout, stderr = run.communicate(timeout=120)
        assert (run.returncode, stderr) == (0, "")
        statuses = {json.loads(line)["status"] for line in stdout.splitlines()}
        assert statuses <= {"ok", "not_modified"}
    assert story_count(database) - before == 400
    assert integrity(database) == "ok"


def test_the_app_indexes_what_its_killed_refresh_left(server: FeedServer, tmp_path: Path) -> None:
    """The app's refresh process is killed with stories waiting for the index: the app's
    refresh worker indexes them (on its own thread) before it reports the failure."""
    import threading

    from reader.config import FetchSettings
    from reader.ui.messages import RefreshFailed
    from reader.ui.refresh_worker import refresh_in_background

    database = tmp_path / "data" / "cache.sqlite3"
    with Store.open(database) as store:
        server.routes["/app-slow"] = trickle(every=0.2, limit=60)
        add_feed(store, server.url("/app-slow"), "Slow")
        waiting = store.ensure_source("feed", "http://stored.example/", "Stored",
                                      url="http://stored.example/")

    class Target:
        def __init__(self) -> None:
            self.messages: list[object] = []
            self.ended = threading.Event()

        def post_message(self, message: object) -> bool:
            self.messages.append(message)
            self.ended.set()
            return True

    target = Target()
    worker = threading.Thread(target=refresh_in_background, args=(
        target, database, FetchSettings(deadline=60, host_deadline=60), threading.Event()))
    worker.start()
    try:
        wait_for(lambda: bool(server.requests_for("/app-slow")), 60, "the refresh to fetch")
        with Store.open(database) as store:  # as a refresh leaves them: stored, not indexed
            store.save_stories(waiting, [StoryDraft(key="w1", title="Wombat waits")],
                               index_later=True)
        [child] = [p for p in children(os.getpid()) if "spawn_main" in command_line(p)
                   and "resource_tracker" not in command_line(p)]
        os.kill(child, signal.SIGKILL)
        assert target.ended.wait(30)
    finally:
        worker.join(30)
    assert isinstance(target.messages[-1], RefreshFailed)
    with Store.open(database) as store:
        assert store.conn.execute("SELECT count(*) FROM search_pending").fetchone() == (0,)
    found = run_reader("search", "Wombat", "--json", home=tmp_path)
    assert [json.loads(line)["title"] for line in found.stdout.splitlines()] == ["Wombat waits"]

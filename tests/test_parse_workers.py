"""Parse workers are forked at the start of a refresh when that is safe, and spawned otherwise.

Each case runs in a fresh interpreter: whether a process may fork depends on the threads it
runs, and the test process runs several (servers, pytest's own).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from feed_server import FeedServer, rss2, static

from reader.refresh.parse_workers import MAX_PARSE_WORKERS
from reader.store import Store
from reader.store.feeds import add_feed

SCRIPT = """
import asyncio, os, sys, threading
from benchmarks.feedgen import generate_feed
from reader.feeds.parse import parse_feed
from reader.refresh.parse_workers import ParseWorkers, can_fork
sys.path.insert(0, "tests")
from process_tree import children

document = generate_feed(1, 0, 3)
print("alone", can_fork())
parsers = ParseWorkers(0, 2, fork=True)
# The zygote at once, the second worker from the zygote once it has imported the parser.
print("forked before parsing", len(children(os.getpid())), parsers.start_method)
try:
    parsed = asyncio.run(parsers.parse(document, {}, "http://127.0.0.1/feed.xml"))
    (zygote,) = children(os.getpid())
    print("workers", 1 + len(children(zygote)))
finally:
    parsers.close()
print("same", parsed == parse_feed(document, {}, "http://127.0.0.1/feed.xml"))
print("none left", not children(os.getpid()))
for background in (False, True):  # the app's refresh parses on idle time; reader refresh not
    parsers = ParseWorkers(0, 2, fork=True, background=background)
    try:
        policy = parsers.pool.submit(os.sched_getscheduler, 0).result()
        own = os.getpriority(os.PRIO_PROCESS, 0)
        lower = parsers.pool.submit(os.getpriority, os.PRIO_PROCESS, 0).result() - own
    finally:
        parsers.close()
    # (a niceness stops at 19: a test run at +15 sees its workers 4 lower, not 5)
    print("background" if background else "foreground", policy == os.SCHED_IDLE,
          lower == min(10 if background else 5, 19 - own))
stop = threading.Event()
threading.Thread(target=stop.wait).start()
print("with a thread", can_fork())
stop.set()
"""


def test_workers_are_forked_at_once_and_parse_as_in_process() -> None:
    repo = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          cwd=repo, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "alone True", "forked before parsing 1 fork", "workers 2", "same True", "none left True",
        "foreground False True",
        "background True True", "with a thread False",
    ]


AT_FORK = """
import json, multiprocessing, os, sys, threading

seen = []


def descriptors():
    targets = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            targets.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            pass
    return targets


def before_fork():
    # What the workers' zygote forked now inherits: threads, and every open descriptor.
    seen.append({"threads": threading.active_count(), "fds": descriptors()})


os.register_at_fork(before=before_fork)
mode, home, report = sys.argv[1], sys.argv[2], sys.argv[3]

from reader.refresh import parse_jobs

parse = parse_jobs.parse_for_writer


def parse_for_writer(*args):
    # In a worker (the calls name this function; a worker takes it from its module): what
    # the worker itself holds while it parses.
    with open(report, "a") as file:
        file.write(json.dumps({"pid": os.getpid(), "threads": threading.active_count(),
                               "fds": descriptors()}) + chr(10))
    return parse(*args)


parse_for_writer.__module__, parse_for_writer.__qualname__ = parse.__module__, parse.__qualname__
parse_jobs.parse_for_writer = parse_for_writer
if mode == "cli":
    from reader.cli.main import main

    status = main(["--home", home, "refresh"])
else:  # what the app's refresh process (spawned by refresh.child) runs
    from reader.config import FetchSettings
    from reader.refresh.child import _child

    spawn = multiprocessing.get_context("spawn")
    messages, cancel = spawn.Queue(), spawn.Event()
    database = os.path.join(home, "data", "cache.sqlite3")
    _child(database, FetchSettings(), messages, cancel, os.getppid())
    while (kind := messages.get(timeout=60)[0]) == "progress":
        pass
    status = 0 if kind == "done" else 1
print(json.dumps({"status": status, "forks": seen}))
"""


@pytest.mark.parametrize("mode", ["cli", "app-refresh-process"])
def test_forked_workers_inherit_no_thread_connection_or_socket(
    mode: str, tmp_path: Path,
) -> None:
    """A refresh forks its workers before it opens the cache, a socket or an event loop, and
    while it runs one thread: a forked worker holds nothing it could misuse or keep open."""
    server = FeedServer()
    home = tmp_path / "home"
    try:
        with Store.open(home / "data" / "cache.sqlite3") as store:
            for n in range(3):
                server.routes[f"/f{n}"] = static(rss2(f"Feed {n}", [(f"g{n}", f"Story {n}")]))
                add_feed(store, server.url(f"/f{n}"), f"Feed {n}")
        repo = Path(__file__).resolve().parent.parent
        report = tmp_path / "workers.jsonl"
        done = subprocess.run([sys.executable, "-c", AT_FORK, mode, str(home), str(report)],
                              capture_output=True, text=True, cwd=repo, timeout=120)
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["status"] == 0
    assert len(server.requests) == 3  # it did refresh, over sockets opened after the fork
    cpus = os.cpu_count() or 1
    workers = min(cpus, MAX_PARSE_WORKERS) if cpus > 1 else 0
    # One fork here: the zygote's, which forks the other workers itself.
    assert len(result["forks"]) == (1 if workers else 0)
    for fork in result["forks"]:
        assert fork["threads"] == 1
        assert not [t for t in fork["fds"] if t.startswith(str(home))]
        # No socket but the workers' own pairs (a connection is opened after the fork).
        assert len([t for t in fork["fds"] if t.startswith("socket:")]) == 2 * workers
    if workers:
        parses = [json.loads(line) for line in report.read_text().splitlines()]
        assert len(parses) == 3 and 1 <= len({p["pid"] for p in parses}) <= workers
        for parse in parses:
            assert parse["threads"] == 1
            assert not [t for t in parse["fds"] if t.startswith(str(home))]
            # Its own socket only: another worker's would keep that one's end from coming.
            assert len([t for t in parse["fds"] if t.startswith("socket:")]) == 1

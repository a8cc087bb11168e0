"""Parse workers forked from a zygote (``reader.refresh.zygote``): the refreshing process never
imports the parser, and the pool keeps every promise of a process pool: a dead worker breaks
it (and the refresh parses in a thread), closing it ends every worker with no zombie left,
exceptions come back as raised, and Ctrl-C ends ``reader refresh`` and its workers.

Each case runs in a fresh interpreter: forking is only safe from a process running one thread,
and the test process runs several (servers, pytest's own).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from feed_server import FeedServer, rss2, static, trickle
from process_tree import descendants, running

from benchmarks.common import FEEDS_ONLY_CONFIG
from reader.__main__ import refreshes
from reader.store import Store
from reader.store.feeds import add_feed

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2,
                                reason="forked workers: Linux, two cores or more")

REPO = Path(__file__).resolve().parent.parent

FIRST_REQUEST = r"""
import importlib.abc, importlib.util, json, sys

seen = {}
PARSER = ("lxml", "feedparser", "ftfy", "html.parser", "reader.feeds.parse")


class AtFirstConnect(importlib.abc.MetaPathFinder):
    # Wraps net_backend._connect as the module is loaded: what is imported at the first one.
    def find_spec(self, name, path, target=None):
        if name != "reader.feeds.net_backend":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            connect = module._connect

            async def first(host, port):
                seen.setdefault("loaded", [m for m in PARSER if m in sys.modules])
                return await connect(host, port)

            module._connect = first

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, AtFirstConnect())
sys.argv = ["reader", "--home", sys.argv[1], "refresh", "--json"]
from reader.__main__ import run

status = run()
print(json.dumps({"status": status, "loaded": seen.get("loaded"),
                  "after": [m for m in PARSER if m in sys.modules]}))
"""


def _home_with_feeds(tmp_path: Path, server: FeedServer, routes: dict[str, bytes]) -> Path:
    home = tmp_path / "home"
    with Store.open(home / "data" / "cache.sqlite3") as store:
        for path, body in routes.items():
            server.routes[path] = static(body)
            add_feed(store, server.url(path), path)
    return home


def _refresh_watching_imports(tmp_path: Path, config: str | None) -> tuple[dict[str, Any],
                                                                          list[str]]:
    """``reader refresh --json`` of three feeds (``FIRST_REQUEST``): which parser modules it
    had loaded at its first request and at its end, and its output lines."""
    server = FeedServer()
    try:
        home = _home_with_feeds(tmp_path, server, {
            f"/f{n}": rss2(f"Feed {n}", [(f"g{n}", f"Story {n} – it’s “quoted”")])
            for n in range(3)})
        if config is not None:
            (home / "config").mkdir()
            (home / "config" / "config.toml").write_text(config, encoding="utf-8")
        done = subprocess.run([sys.executable, "-c", FIRST_REQUEST, str(home)],
                              capture_output=True, text=True, cwd=REPO, timeout=120)
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    found: dict[str, Any] = json.loads(lines[-1])
    assert found["status"] == 0
    return found, lines[:-1]


def test_reader_refresh_has_not_imported_the_parser_at_its_first_request(tmp_path: Path) -> None:
    """Nor after its last: every parse was its workers'. (Pages off: saving the pages of new
    stories extracts their text in this process, with lxml.)"""
    found, lines = _refresh_watching_imports(tmp_path, FEEDS_ONLY_CONFIG)
    assert found["loaded"] == []  # the zygote imported them; this process never needed them
    assert found["after"] == []
    outcomes = [json.loads(line) for line in lines]
    assert [o["status"] for o in outcomes] == ["ok"] * 3
    assert all(o["new"] == 1 for o in outcomes)


def test_a_refresh_that_saves_pages_has_not_imported_the_parser_at_its_first_request(
        tmp_path: Path) -> None:
    """The default config saves the pages of new summary-only stories: deciding which want
    theirs loads the text extraction (lxml, the HTML converter) with the first feed stored,
    in the writer thread, not on the serial start before the first request."""
    found, _ = _refresh_watching_imports(tmp_path, None)
    assert found["loaded"] == []


def test_the_entry_point_knows_a_refresh_from_its_arguments() -> None:
    assert refreshes(["refresh"])
    assert refreshes(["--home", "h", "--seeds", "s", "refresh", "--json", "3"])
    assert refreshes(["--home=h", "refresh"])
    assert not refreshes([])
    assert not refreshes(["list", "refresh"])
    assert not refreshes(["--home", "refresh"])  # (its home is named refresh)
    assert not refreshes(["refresh", "--help"])


POOL = r"""
import asyncio, json, os, sys, time
from benchmarks.feedgen import generate_feed
from reader.feeds.parsed import FeedParseError, NotAFeedError
from reader.refresh.parse_workers import ParseWorkers
sys.path.insert(0, "tests")
from process_tree import children

def gone(pid):
    return not os.path.exists(f"/proc/{pid}")

result = {}
url = "http://127.0.0.1/feed.xml"
document = generate_feed(1, 0, 3)
page = (b'<!doctype html><html><head><link rel="alternate" type="application/rss+xml" '
        b'title="Main" href="/feed.xml"></head><body>hi</body></html>')
case = sys.argv[1]
if case == "no_parser":  # as in an install whose lxml is broken: the zygote cannot import it
    import reader.refresh.parse_jobs as jobs
    def broken():
        raise ImportError("No module named 'lxml.etree'")
    jobs.load_parse_stack = broken
parsers = ParseWorkers(0, 2, fork=True)
pool = parsers.pool
if case == "exceptions":
    async def both():
        out = []
        for body in (page, b"\x00\x01 not a feed at all"):
            try:
                await parsers.parse(body, {}, url)
            except FeedParseError as exc:
                out.append([type(exc).__name__, str(exc),
                            [link.describe() for link in getattr(exc, "links", ())]])
        return out
    result["workers"] = asyncio.run(both())
    parsers.close()
    from reader.feeds.parse import parse_feed
    here = []
    for body in (page, b"\x00\x01 not a feed at all"):
        try:
            parse_feed(body, {}, url)
        except FeedParseError as exc:
            here.append([type(exc).__name__, str(exc),
                         [link.describe() for link in getattr(exc, "links", ())]])
    result["here"] = here
elif case == "close":
    pool.submit(int).result()  # the zygote answers once it has forked the other worker
    (zygote,) = children(os.getpid())
    family = {zygote, *children(zygote)}
    result["workers"] = len(family)
    parsers.close()
    result["gone"] = all(gone(pid) for pid in family)
    result["children"] = len(children(os.getpid()))
elif case == "death":
    (zygote,) = children(os.getpid())
    future = pool.submit(os._exit, 3)
    try:
        future.result(timeout=60)
    except Exception as exc:
        result["call"] = type(exc).__name__
    try:
        pool.submit(int)
    except Exception as exc:
        result["next"] = type(exc).__name__
    result["parser_before"] = "reader.feeds.parse" in sys.modules
    parsed = asyncio.run(parsers.parse(document, {}, url))  # in a thread now
    result["parser_after"] = "reader.feeds.parse" in sys.modules
    from reader.feeds.parse import parse_feed
    result["same"] = parsed == parse_feed(document, {}, url)
    parsers.close()
    deadline = time.monotonic() + 10
    while children(os.getpid()) and time.monotonic() < deadline:
        time.sleep(0.05)
    result["children"] = len(children(os.getpid()))
elif case == "no_parser":
    result["same"] = asyncio.run(parsers.parse(document, {}, url)) == __import__(
        "reader.feeds.parse", fromlist=["parse_feed"]).parse_feed(document, {}, url)
    parsers.close()
print(json.dumps(result))
"""


def _pool_case(case: str) -> dict[str, Any]:
    return _pool_run(case)[0]


def _pool_run(case: str) -> tuple[dict[str, Any], str]:
    done = subprocess.run([sys.executable, "-c", POOL, case], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    found: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return found, done.stderr


def test_a_zygote_that_cannot_import_the_parser_says_so_in_one_line() -> None:
    """A broken install: one line (no traceback), and the refresh parses in its own process."""
    found, stderr = _pool_run("no_parser")
    assert found == {"same": True}
    assert stderr.splitlines() == [
        "reader: the parse workers could not start (No module named 'lxml.etree');"
        " parsing in the refresh's own process"]


def test_exceptions_come_back_from_the_workers_as_raised() -> None:
    found = _pool_case("exceptions")
    assert found["workers"] == found["here"]
    assert [kind for kind, _, _ in found["workers"]] == ["NotAFeedError", "FeedParseError"]
    assert found["workers"][0][2] == ["'Main' (RSS) at http://127.0.0.1/feed.xml"]


def test_close_ends_every_worker_and_leaves_no_zombie() -> None:
    assert _pool_case("close") == {"workers": 2, "gone": True, "children": 0}


def test_a_dead_worker_breaks_the_pool_and_parsing_goes_on_in_a_thread() -> None:
    assert _pool_case("death") == {
        "call": "BrokenProcessPool", "next": "BrokenProcessPool", "parser_before": False,
        "parser_after": True, "same": True, "children": 0}


INTERACTIVE = r"""
import runpy, signal, sys
# As from a terminal: a process started in the background by a shell without job control
# (as the suite may be) inherits SIGINT ignored, and Python then leaves it ignored.
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.argv = ["reader", "--home", sys.argv[1], "refresh"]
runpy.run_module("reader", run_name="__main__")
"""


def test_ctrl_c_ends_reader_refresh_and_its_workers(tmp_path: Path) -> None:
    server = FeedServer()
    try:
        home = _home_with_feeds(tmp_path, server, {"/fast": rss2("Fast", [("g", "Story")])})
        server.routes["/slow"] = trickle(every=0.2, limit=60)
        with Store.open(home / "data" / "cache.sqlite3") as store:
            add_feed(store, server.url("/slow"), "Slow")
        refresh = subprocess.Popen([sys.executable, "-c", INTERACTIVE, str(home)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   cwd=REPO, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while not (server.requests_for("/slow") and len(descendants(refresh.pid)) >= 2):
                assert time.monotonic() < deadline, "the refresh never got going"
                assert refresh.poll() is None, refresh.communicate()
                time.sleep(0.05)
            family = descendants(refresh.pid)
            os.killpg(refresh.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole group
            _, stderr = refresh.communicate(timeout=60)
        finally:
            if refresh.poll() is None:
                os.killpg(refresh.pid, signal.SIGKILL)
                refresh.wait()
    finally:
        server.stop()
    assert refresh.returncode == 130
    # The fast feed is stored, and said so, unless the Ctrl-C came before its commit.
    assert stderr.strip().splitlines()[-1] in (
        "reader: interrupted: no feed was refreshed",
        "reader: interrupted: at least 1 of 2 feeds were refreshed and are kept (a feed is"
        " reported once stored); 'reader refresh' fetches the others")
    deadline = time.monotonic() + 10
    while any(running(pid) for pid in family) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(running(pid) for pid in family)

"""The benchmark runner: builds caches, runs the phases, writes the results.

    .venv/bin/python -m benchmarks                    # every phase (benchmarks/README.md)
    .venv/bin/python -m benchmarks --only real_feeds  # some; the others keep their figures
    .venv/bin/python -m benchmarks --quick            # tiny, 1 run, no newsboat: a smoke run

Every measurement is the median of ``--runs`` runs with min and max. The reader is always
measured as a separate process (``python -m reader``), as a user runs it; the feed server is
another process, so neither shares a GIL with the runner. Results go to
``benchmarks/out/results.json`` and ``results.md``; caches stay in ``benchmarks/out/`` so a
rerun skips building them.

**Adding a phase**: write a function taking the ``Run`` that stores its figures in
``run.results[...]``, register it with ``@phase("name")`` (``caches=True`` when it needs the
built caches and the generated-feed server, which ``run.homes`` / ``run.server`` then hold),
and add its rows to ``benchmarks/report.py``. Phases run in the order they are registered;
``--only name`` measures just that one.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks import common, newsboat
from benchmarks.common import (
    app_argv,
    database,
    log,
    quiet_env,
    reader_argv,
    refresh_counts,
    run_checked,
    stats,
    subscribe,
    summary,
)
from benchmarks.feedgen import generate_feed, is_atom
from benchmarks.processes import Measured, measure
from benchmarks.server import ServerProcess, difference, feed_url, server_process
from benchmarks.terminal import PtyProgram, Timeout

ROOT = common.ROOT
PORT = 18_431
"""Fixed, so the feed URLs stored in a cache built by an earlier run still reach the server."""
SEED = 1
BUILD_VERSION = 4
"""Bump when the generator or the way caches are built changes: stale caches are rebuilt."""
KEY_DOWN = b"j"
PAGE_DOWN = b"\x1b[6~"


@dataclass(frozen=True)
class Plan:
    """Sizes and repetitions of one benchmark run."""

    runs: int
    items: int
    cache_feeds: dict[str, int]
    refresh_feeds: tuple[int, ...]
    latencies_ms: tuple[int, ...]
    latency_cache: str
    busy_feeds: int
    key_samples: int
    hosts: int
    newsboat: bool
    page_downs: int
    port: int = PORT
    real_documents: int | None = None
    """How many of the real corpus's documents the real-feeds phase serves (None: all)."""
    real_latency_ms: float = 50
    real_hosts: int = 32
    settle: float = 1.0
    """Scales the waits for the app's output to go quiet between keys (a smoke run: less)."""
    busy_places: tuple[str, ...] = ("list", "pane")
    """Where j is timed during the app's own refresh."""
    only: frozenset[str] | None = None
    """Measure just these phases (see PHASES); the others keep their saved figures."""
    sync_items: int = 5000
    sync_servers: tuple[str, ...] = ("fever", "ttrss")
    """The ``sync`` phase's servers (``benchmarks/sync.py``); none in the smoke run, as the
    sync tests already run both servers."""

    def wants(self, phase: str) -> bool:
        return self.only is None or phase in self.only


FULL = Plan(runs=5, items=50, cache_feeds={"1k": 20, "10k": 200, "100k": 2000},
            refresh_feeds=(100, 500), latencies_ms=(0, 50), latency_cache="100k",
            busy_feeds=200, key_samples=30, hosts=32, newsboat=True, page_downs=400)
QUICK = Plan(runs=1, items=5, cache_feeds={"15": 3}, refresh_feeds=(3,), latencies_ms=(0,),
             latency_cache="15", busy_feeds=3, key_samples=2, hosts=3, newsboat=False,
             page_downs=3, port=0, real_documents=6, real_latency_ms=0, real_hosts=3,
             settle=0.3, busy_places=("list",), sync_servers=())
"""A smoke run (the test suite runs it): any free port, as the caches are throw-away."""


# -- phases ------------------------------------------------------------------------------------


@dataclass
class Run:
    """One run of the benchmark: its plan, its results so far, what the phases share."""

    plan: Plan
    results: dict[str, Any]
    newsboat: bool
    """newsboat is measured in this run (else its saved figures, if any, are kept)."""
    server: ServerProcess | None = None
    """The generated-feed server, while the phases that need the caches run."""
    homes: dict[str, Path] = field(default_factory=dict)
    boats: dict[str, Path] = field(default_factory=dict)

    def save(self) -> None:  # after every phase: a long run that dies still leaves its figures
        (common.OUT / "results.json").write_text(json.dumps(self.results, indent=2))


@dataclass(frozen=True)
class Phase:
    name: str
    measure: Callable[[Run], None]
    caches: bool


PHASE_LIST: list[Phase] = []


def phase(name: str, caches: bool = False) -> Callable[[Callable[[Run], None]],
                                                        Callable[[Run], None]]:
    """Register a phase (see the module's docstring)."""
    def register(function: Callable[[Run], None]) -> Callable[[Run], None]:
        PHASE_LIST.append(Phase(name, function, caches))
        return function
    return register


@contextlib.contextmanager
def feed_server(plan: Plan, latency_ms: float = 0, pregenerate: int = 0,
                lifetime: float = 1800) -> Iterator[ServerProcess]:
    """The loopback server of generated feeds, in its own process."""
    with server_process("--seed", str(SEED), "--items", str(plan.items), "--hosts",
                        str(plan.hosts), "--latency-ms", str(latency_ms), "--lifetime",
                        str(lifetime), "--max-requests", "200000", "--port", str(plan.port),
                        "--pregenerate", str(pregenerate)) as server:
        yield server


# -- caches ------------------------------------------------------------------------------------


def build_cache(plan: Plan, label: str, ports: dict[str, int]) -> Path:
    """A reader home holding ``label`` stories, made through import + ``reader refresh``."""
    home = common.OUT / "caches" / f"reader-{label}"
    feeds = plan.cache_feeds[label]
    # The config is in the stamp: a cache built before a change to what every benchmarked
    # home's config says (17a795c added ``refresh_on_start = false``) would otherwise be kept,
    # and its apps would refresh every feed while the "idle" rows are measured.
    stamp = {"version": BUILD_VERSION, "feeds": feeds, "items": plan.items,
             "port": ports["127.0.0.1"], "hosts": plan.hosts, "seed": SEED,
             "config": common.APP_CONFIG + common.FEEDS_ONLY_CONFIG}
    stamp_file = home / "built.json"
    if stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp:
        return home
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    subscribe(home, [feed_url(ports, n) for n in range(feeds)])
    log(f"building the {label} reader cache: {feeds} feeds × {plan.items} items")
    elapsed, out = run_checked(reader_argv(home, "refresh", "--json"))
    counts = refresh_counts(out)
    if counts.get("ok") != feeds:
        raise RuntimeError(f"building {label}: not every feed refreshed: {counts}")
    with sqlite3.connect(database(home)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        stories = conn.execute("SELECT count(*) FROM stories").fetchone()[0]
    log(f"  {stories} stories in {elapsed:.1f} s")
    stamp_file.write_text(json.dumps({**stamp}))
    (home / "stories.txt").write_text(str(stories))
    return home


def build_newsboat_cache(plan: Plan, label: str, ports: dict[str, int]) -> Path:
    folder = common.OUT / "caches" / f"newsboat-{label}"
    feeds = plan.cache_feeds[label]
    stamp = {"version": BUILD_VERSION, "feeds": feeds, "items": plan.items,
             "port": ports["127.0.0.1"]}
    stamp_file = folder / "built.json"
    if stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    newsboat.files(folder, [feed_url(ports, n) for n in range(feeds)], threads=8)
    log(f"building the {label} newsboat cache")
    elapsed, _ = run_checked(newsboat.argv(folder, "-x", "reload"),
                             env=newsboat.env(folder, quiet_env()))
    log(f"  in {elapsed:.1f} s")
    stamp_file.write_text(json.dumps(stamp))
    return folder


# -- measurements ------------------------------------------------------------------------------


def top_title(home: Path) -> str:
    """The title the story list shows first: the newest story in the cache."""
    from reader.store import Store

    with Store.open(database(home)) as store:
        return store.page(store_view(), 0, 1)[0].title


def store_view() -> Any:
    from reader.models import View

    return View()


def needle(title: str, length: int = 24) -> bytes:
    return title[:length].encode()


def first_paint(plan: Plan, home: Path) -> dict[str, Any]:
    """Process start until the newest story's title is on the pty."""
    marker = needle(top_title(home))
    times: list[float] = []
    for _ in range(plan.runs):
        with PtyProgram(app_argv(home), quiet_env(), settle=plan.settle) as app:
            seen = app.wait_for(marker, timeout=60)
            times.append(seen - app.started)
            app.quiet(0.2, 3)
    return stats(times)


def newsboat_first_paint(plan: Plan, folder: Path) -> dict[str, Any]:
    times: list[float] = []
    for _ in range(plan.runs):
        with PtyProgram(newsboat.argv(folder), newsboat.env(folder, quiet_env()),
                        settle=plan.settle) as app:
            seen = app.wait_for(b"Bench Feed 0000", timeout=600)
            times.append(seen - app.started)
            app.quiet(0.2, 3)
    return stats(times)


def rows_after_top(home: Path, count: int) -> list[str]:
    from reader.store import Store

    with Store.open(database(home)) as store:
        return [r.title for r in store.page(store_view(), 0, count + 1)]


def list_latencies(app: PtyProgram, titles: Sequence[str], start: int, samples: int,
                   until: Callable[[], bool] = lambda: False) -> list[float]:
    """Press j ``samples`` times; each time, until the new cursor row's title is repainted."""
    out: list[float] = []
    for i in range(start, start + samples):
        if until():
            break
        mark = len(app.output)
        sent = app.send(KEY_DOWN)
        seen = app.wait_for(needle(titles[i + 1]), timeout=10, since=mark)
        out.append(seen - sent)
        app.quiet(0.12, 1.0)  # let the preview that follows a resting cursor go by
    return out


def pane_latencies(app: PtyProgram, marker: bytes, samples: int,
                   until: Callable[[], bool] = lambda: False) -> list[float]:
    """Press j in the reading pane; each time, until the scrolled story text is repainted."""
    out: list[float] = []
    for _ in range(samples):
        if until():
            break
        mark = len(app.output)
        sent = app.send(KEY_DOWN)
        seen = app.wait_for(marker, timeout=10, since=mark)
        out.append(seen - sent)
        app.quiet(0.08, 1.0)
    return out


def generated_story(home: Path) -> tuple[int, bytes]:
    """The list position of the first generated story, and a word on many of its lines.

    The bundled seed articles have no date, so they sort first; the reading-pane measurements
    open the first generated story instead, whose every paragraph ends with the generator's
    unique reference (``f0001x002``): a scrolled repaint of the pane always shows one.
    """
    from reader.store import Store

    with Store.open(database(home)) as store:
        for index, row in enumerate(store.page(store_view(), 0, 50)):
            body = store.get_story(row.id).body
            words = [w for w in body.split() if w.startswith("f") and "x" in w[1:]]
            if words:
                return index, words[0].rstrip(".").encode()
    raise RuntimeError("no generated story among the first 50 rows")


PANE_FOOTER = re.compile(rb"\x1b\[\d+;1H(?:\x1b\[[0-9;]*m)* \[ ")
"""The footer redrawn with ``[ Back`` as its first key: the reading pane has the focus (with the
list's, the first is ``⏎ Open``)."""


def open_generated(app: PtyProgram, index: int, marker: bytes) -> None:
    """Move the list cursor to row ``index`` and open that story in the reading pane.

    The keys that follow must reach the pane, so this returns once the pane has the focus, not
    merely once the screen has gone quiet or the story's ``marker`` was drawn: the preview of
    the story the cursor rests on draws the same marker, and on a loaded machine it can still
    be drawing after any quiet gap, so the marker alone let a j go before the focus moved (it
    then moved the list's cursor, and the pane phase timed out: seen twice at load ~9). The
    footer says where the focus is: its first key is the list's ``⏎ Open``, or ``[ Back``
    once the pane has it (``PANE_FOOTER``).
    """
    app.send(b"g")
    app.quiet(0.2, 3)
    if index:
        app.send(KEY_DOWN * index)
        app.quiet(0.3, 3)
    mark = len(app.output)
    app.send(b"\r")
    app.wait_for(PANE_FOOTER, timeout=30, since=mark)
    app.wait_for(marker, timeout=30, since=mark)
    app.quiet(0.3, 3)


def key_latency_idle(plan: Plan, home: Path) -> dict[str, Any]:
    titles = rows_after_top(home, plan.key_samples + 2)
    index, marker = generated_story(home)
    list_ms: list[float] = []
    pane_ms: list[float] = []
    for _ in range(plan.runs):
        with PtyProgram(app_argv(home), quiet_env(), settle=plan.settle) as app:
            app.wait_for(needle(titles[0]), timeout=60)
            app.quiet(0.3, 5)
            list_ms += list_latencies(app, titles, 0, plan.key_samples)
            open_generated(app, index, marker)
            pane_ms += pane_latencies(app, marker, plan.key_samples)
    return {"list": stats(list_ms), "pane": stats(pane_ms)}


SEARCH_WORD = "the"
"""In every story: at 100k a search for it lists 100,004 hits newest first, and its deepest
pages take 80–130 ms each to read (the hits' times are sorted), the slowest pages a search has."""


def key_latency_search(plan: Plan, home: Path) -> dict[str, Any]:
    """A key pressed while a search's deepest pages are being read: in the results of a search
    for ``SEARCH_WORD`` (focus on the list), ``G`` (the last pages start loading) and at once
    ``g``; the sample is ``g``, until the first result's title is repainted. The title is
    matched by its longest stretch the search does not highlight: a highlighted word is
    written in its own style, which splits the title in the terminal's output."""
    from reader.models import View
    from reader.search import parse_query
    from reader.store import Store
    from reader.ui.widgets.search_bar import PLACEHOLDER

    with Store.open(database(home)) as store:
        first = store.page(View(query=SEARCH_WORD), 0, 1)[0].title
        top = store.page(store_view(), 0, 1)[0].title
    plain = max((text for text, hit in parse_query(SEARCH_WORD).highlight(first) if not hit),
                key=len)
    marker = plain.strip()[:24].encode()
    samples: list[float] = []
    for _ in range(plan.runs):
        with PtyProgram(app_argv(home), quiet_env()) as app:  # its waits as they are
            app.wait_for(needle(top), timeout=60)
            app.quiet(0.3, 5)
            for _ in range(max(plan.key_samples // 3, 1)):
                mark = len(app.output)
                app.send(b"/")
                # The field must have opened (its placeholder drawn) before the word is typed:
                # under load, keys sent sooner went to the list and no search ever ran.
                app.wait_for(PLACEHOLDER[:13].encode(), timeout=30, since=mark)
                app.quiet(0.1, 3)
                mark = len(app.output)
                app.send(SEARCH_WORD.encode())
                app.wait_for(b"matches", timeout=30, since=mark)
                app.quiet(0.2, 5)
                app.send(b"\t")  # from the search field to the list
                app.quiet(0.3, 3)
                mark = len(app.output)
                app.send(b"G")
                sent = app.send(b"g")
                samples.append(app.wait_for(marker, timeout=30, since=mark) - sent)
                app.quiet(0.3, 10)
                app.send(b"\x1b")  # the search ends: the list shows all stories again
                app.quiet(0.3, 10)
    return stats(samples)


def busy_copy(plan: Plan, home: Path, ports: dict[str, int]) -> Path:
    """A scratch copy of ``home`` whose refresh fetches ``busy_feeds`` new feeds, cold.

    The cache's own feeds are marked disabled, so a refresh of all feeds (the R key) skips
    them and does exactly the new feeds' work.
    """
    scratch = common.OUT / "scratch" / "busy"
    shutil.rmtree(scratch, ignore_errors=True)
    (scratch / "data").mkdir(parents=True)
    shutil.copy2(database(home), database(scratch))
    with sqlite3.connect(database(scratch)) as conn:
        conn.execute("UPDATE sources SET disabled = 1 WHERE kind = 'feed'")
    first = plan.cache_feeds[plan.latency_cache]
    subscribe(scratch, [feed_url(ports, n) for n in range(first, first + plan.busy_feeds)])
    return scratch


def key_latency_busy(plan: Plan, home: Path, ports: dict[str, int]) -> dict[str, Any]:
    """j in the list and in the pane while the app's own refresh (R) of new feeds runs."""
    titles = rows_after_top(home, plan.key_samples * 40 + 2)
    index, marker = generated_story(home)
    result: dict[str, Any] = {}
    for where in plan.busy_places:
        samples: list[float] = []
        refresh_times: list[float] = []
        for _ in range(max(1, plan.runs // 2)):
            scratch = busy_copy(plan, home, ports)
            with PtyProgram(app_argv(scratch), quiet_env(), settle=plan.settle) as app:
                app.wait_for(needle(titles[0]), timeout=60)
                app.quiet(0.3, 5)
                if where == "pane":
                    open_generated(app, index, marker)
                started = app.send(b"R")
                app.wait_for(b"Refreshing", timeout=30)
                mark = len(app.output)

                give_up = time.perf_counter() + 600

                def refreshed(mark: int = mark, app: PtyProgram = app,
                              give_up: float = give_up) -> bool:
                    if app.output.find(b"Refresh failed", mark) >= 0:
                        raise RuntimeError("the app's refresh failed; see the status line")
                    return (app.output.find(b"Refreshed", mark) >= 0
                            or time.perf_counter() > give_up)

                if where == "list":
                    samples += list_latencies(app, titles, 0, len(titles) - 2, until=refreshed)
                else:
                    samples += pane_latencies(app, marker, 10_000, until=refreshed)
                done = app.wait_for(b"Refreshed", timeout=600, since=mark)
                refresh_times.append(done - started)
            shutil.rmtree(scratch, ignore_errors=True)
        result[where] = {**stats(samples), "refresh_s": stats(refresh_times)}
    return result


def key_latency_marking(plan: Plan, home: Path) -> dict[str, Any]:
    """j in the list while the app marks every story read (A, then y), the marking being
    taken back afterwards with U, so the cache is left as it was."""
    titles = rows_after_top(home, plan.key_samples * 40 + 2)
    samples: list[float] = []
    for _ in range(plan.runs):
        with PtyProgram(reader_argv(home), quiet_env()) as app:
            app.wait_for(needle(titles[0]), timeout=60)
            app.quiet(0.3, 5)
            app.send(b"A")
            app.wait_for(b"read? y/n", timeout=30)
            app.quiet(0.2, 3)
            mark = len(app.output)
            app.send(b"y")

            def marked(mark: int = mark, app: PtyProgram = app) -> bool:
                return app.output.find(b"U undoes it", mark) >= 0

            # At least one sample, even when a tiny cache is marked before the first key.
            samples += list_latencies(app, titles, 0, 1)
            samples += list_latencies(app, titles, 1, len(titles) - 3, until=marked)
            app.wait_for(b"U undoes it", timeout=120, since=mark)
            app.quiet(0.3, 5)
            undo = len(app.output)
            app.send(b"U")
            app.wait_for(b"Undone", timeout=120, since=undo)
            app.quiet(0.3, 5)
    return stats(samples)


def memory_after_scrolling(plan: Plan, home: Path) -> dict[str, Any]:
    """Peak RSS (VmHWM) after G, g and many PageDowns through the list."""
    title = top_title(home)
    peaks: list[float] = []
    for _ in range(plan.runs):
        with PtyProgram(app_argv(home), quiet_env(), settle=plan.settle) as app:
            app.wait_for(needle(title), timeout=60)
            app.quiet(0.3, 5)
            for keys in (b"G", b"g"):
                app.send(keys)
                app.quiet(0.3, 5)
            for _ in range(plan.page_downs // 20):
                app.send(PAGE_DOWN * 20)
                app.quiet(0.1, 5)
            app.send(b"G")
            app.quiet(0.5, 5)
            peak = app.peak_rss_kib()
            if peak is not None:
                peaks.append(peak / 1024)
    return stats(peaks)


def refresh_reader(plan: Plan, feeds: int, server: ServerProcess) -> dict[str, Any]:
    """``reader refresh`` of a fresh cache (cold: all new), then again (warm: all 304)."""
    timed: dict[str, list[Measured]] = {"cold": [], "warm": []}
    checks: dict[str, Any] = {}
    answers: dict[str, dict[str, int]] = {}
    for _ in range(plan.runs):
        home = common.OUT / "scratch" / "refresh"
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        subscribe(home, [feed_url(server.ports, n) for n in range(feeds)])
        command = reader_argv(home, "refresh", "--json")
        for kind in ("cold", "warm"):
            before = server.counts()
            done = measure(command, env=quiet_env()).check(command)
            answers[kind] = difference(server.counts(), before)
            timed[kind].append(done)
            checks[kind] = refresh_counts(done.stdout)
        shutil.rmtree(home, ignore_errors=True)
    return {"cold": stats([m.wall for m in timed["cold"]]),
            "warm": stats([m.wall for m in timed["warm"]]),
            "cpu": {kind: summary(runs)["cpu"] for kind, runs in timed.items()},
            "outcomes": checks, "answers": answers}


def refresh_newsboat(plan: Plan, feeds: int, server: ServerProcess,
                     threads: int) -> dict[str, Any]:
    """newsboat's cold, second, third (warm: all 304) and ANALYZEd reloads of fresh caches."""
    folder = common.OUT / "scratch" / "newsboat-refresh"
    urls = [feed_url(server.ports, n) for n in range(feeds)]
    runs = [newsboat.reloads(folder, urls, threads, quiet_env(), server.counts)
            for _ in range(plan.runs)]
    result: dict[str, Any] = {kind: stats([getattr(r, kind).wall for r in runs])
                              for kind in ("cold", "second", "warm", "analyzed")}
    result.update(answers=runs[-1].answers, stories=runs[-1].stories)
    return result


def probe(what: str, home: Path, runs: int) -> dict[str, Any]:
    _, out = run_checked([sys.executable, "-m", "benchmarks.probe", what,
                          str(database(home)), str(max(runs, 5))], cwd=ROOT.parent)
    return dict(json.loads(out))


def profile_refresh_work(plan: Plan, feeds: int = 20) -> dict[str, Any]:
    """Where a cold refresh's CPU goes: parse (lxml or feedparser, HTML → Markdown), store."""
    from reader.feeds.parse import parse_feed
    from reader.models import FeedFetched
    from reader.store import Store
    from reader.store.feeds import add_feed, record_refresh

    docs = [generate_feed(SEED, n, plan.items) for n in range(feeds)]
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    parsed = [parse_feed(d, {"content-type": "application/atom+xml" if is_atom(n) else
                             "application/rss+xml; charset=utf-8"}, f"http://127.0.0.1/{n}.xml")
              for n, d in enumerate(docs)]
    profiler.disable()
    parse_s = time.perf_counter() - start
    text = io.StringIO()
    stats_ = pstats.Stats(profiler, stream=text)
    stats_.sort_stats("cumulative").print_stats(25)
    raw = stats_.stats  # type: ignore[attr-defined]
    own = {f"{Path(k[0]).name}:{k[2]}": v[3] for k, v in raw.items()}

    def cumulative(name: str) -> float:
        return sum(t for k, t in own.items() if k.endswith(name))

    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "c.db") as store:
        ids = [add_feed(store, f"http://127.0.0.1/{n}.xml", f"f{n}") for n in range(feeds)]
        start = time.perf_counter()
        for feed_id, p in zip(ids, parsed, strict=True):
            record_refresh(store, feed_id, FeedFetched(drafts=p.drafts))
        store_s = time.perf_counter() - start
    items = feeds * plan.items
    (common.OUT / "profile.txt").write_text(text.getvalue())
    return {
        "items": items,
        "parse_ms_per_item": 1000 * parse_s / items,
        "plain_feed_ms_per_item": 1000 * cumulative("parse_lxml.py:read_plain_feed") / items,
        "feedparser_ms_per_item": 1000 * cumulative("api.py:parse") / items,
        "html_to_markdown_ms_per_item": 1000 * cumulative("html_markdown.py:html_to_markdown")
        / items,
        "store_ms_per_item": 1000 * store_s / items,
    }


GNU_TIME = shutil.which("time", path="/usr/bin:/bin")


def own_peak(command: Sequence[str]) -> Measured:
    """``measure``, with ``max_rss_mib`` the program's own peak. A program started from this
    process inherits its resident size in ``ru_maxrss`` (Linux keeps the high-water mark of
    the memory a process had before ``exec``: ``python -c pass`` reports 310 MB when started
    from a Python holding 300 MB), and the benchmark's RSS grows as it reads 470 MB of JSON,
    so ``list --json`` at 100k read 38-88 MB where the reader itself peaks at 33 MB. GNU
    time starts it from a small process and reports its peak; without GNU time, as before."""
    if GNU_TIME is None:
        return measure(command, env=quiet_env(), keep_output=False).check(command)
    with tempfile.NamedTemporaryFile("r") as peak:
        timed = [GNU_TIME, "-f", "%M", "-o", peak.name, *command]
        done = measure(timed, env=quiet_env(), keep_output=False).check(command)
        return replace(done, max_rss_mib=int(peak.read().split()[-1]) / 1024)


def list_json(plan: Plan, home: Path) -> dict[str, Any]:
    """``reader list --json`` of a whole cache, read through a pipe as ``| jq`` would."""
    stories = int((home / "stories.txt").read_text())
    command = reader_argv(home, "list", "--json")
    runs = [own_peak(command) for _ in range(plan.runs)]
    if runs[-1].stdout_lines != stories:
        raise RuntimeError(f"reader list --json printed {runs[-1].stdout_lines} lines for "
                           f"{stories} stories")
    return {"stories": stories, "bytes": runs[-1].stdout_bytes, **summary(runs)}


@phase("first_paint", caches=True)
def measure_first_paint(run: Run) -> None:
    log("first paint")
    run.results["first_paint"] = {label: first_paint(run.plan, h)
                                  for label, h in run.homes.items()}


@phase("key_latency", caches=True)
def measure_key_latency(run: Run) -> None:
    big = run.homes[run.plan.latency_cache]
    log("key latency, idle")
    run.results["key_latency_idle"] = key_latency_idle(run.plan, big)
    run.save()
    log("key latency during a refresh")
    assert run.server is not None
    run.results["key_latency_busy"] = key_latency_busy(run.plan, big, run.server.ports)


@phase("search_keys", caches=True)
def measure_search_keys(run: Run) -> None:
    log("key latency while a search page loads")
    run.results["key_latency_search"] = key_latency_search(
        run.plan, run.homes[run.plan.latency_cache])


@phase("memory", caches=True)
def measure_memory(run: Run) -> None:
    log("memory")
    run.results["memory_mib"] = memory_after_scrolling(run.plan, run.homes[run.plan.latency_cache])


@phase("search", caches=True)
def measure_search(run: Run) -> None:
    log("search and related")
    big = run.homes[run.plan.latency_cache]
    run.results["search"] = probe("search", big, run.plan.runs)
    run.results["related"] = probe("related", big, run.plan.runs)


@phase("list_json", caches=True)
def measure_list_json(run: Run) -> None:
    run.results["list_json"] = {}
    for label, home in run.homes.items():
        log(f"reader list --json, {label}")
        run.results["list_json"][label] = list_json(run.plan, home)
        run.save()


@phase("marks", caches=True)
def measure_marks(run: Run) -> None:
    """Issue 15: every story marked read (one statement, then undone), the same as the
    ``reader mark`` command, j while the app's A runs, and each sort order's first page."""
    big = run.homes[run.plan.latency_cache]
    runs = str(run.plan.runs)
    log("marks: the store's bulk mark and the sort orders")
    _, out = run_checked([sys.executable, "-m", "benchmarks.marks", str(database(big)), runs],
                         cwd=ROOT.parent)
    result: dict[str, Any] = {"store": json.loads(out)}
    log("marks: reader mark read --all")
    _, out = run_checked([sys.executable, "-m", "benchmarks.marks", "--command", str(big),
                          runs], cwd=ROOT.parent)
    result["command"] = json.loads(out)
    run.results["marks"] = result
    run.save()
    log("marks: key latency while A marks every story read")
    result["key_latency"] = key_latency_marking(run.plan, big)


@phase("refresh")
def measure_refresh(run: Run) -> None:
    plan = run.plan
    keep_newsboat = not run.newsboat
    saved = run.results.setdefault("refresh", {})
    for latency in plan.latencies_ms:
        with feed_server(plan, latency, pregenerate=max(plan.refresh_feeds)) as server:
            for feeds in plan.refresh_feeds:
                key = f"{feeds} feeds, {latency} ms"
                log(f"refresh: {key}")
                entry: dict[str, Any] = {
                    **(saved.get(key, {}) if keep_newsboat else {}),
                    "reader": refresh_reader(plan, feeds, server),
                }
                if run.newsboat:
                    for threads in (1, 8):
                        log(f"refresh: {key}, newsboat-{threads}")
                        entry[f"newsboat_{threads}"] = refresh_newsboat(plan, feeds, server,
                                                                        threads)
                saved[key] = entry
                run.save()


@phase("filters")
def measure_filters(run: Run) -> None:
    """Cold refresh of the most generated feeds (no latency: CPU decides), 5 filters or none."""
    from benchmarks.filters import refresh_with_filters

    feeds = max(run.plan.refresh_feeds)
    log(f"filters: cold refresh of {feeds} feeds, 5 filters against none")
    with feed_server(run.plan, 0, pregenerate=feeds) as server:
        run.results["filters"] = refresh_with_filters(run.plan.runs, feeds, server)


@phase("real_feeds")
def measure_real_feeds(run: Run) -> None:
    from benchmarks.refresh_real import measure_real_feeds as real_feeds

    plan = run.plan
    previous = run.results.get("real_feeds", {})
    result = real_feeds(plan.runs, plan.real_documents, plan.real_latency_ms, plan.real_hosts,
                        run.newsboat)
    if not run.newsboat and "newsboat_8" in previous:
        result["newsboat_8"] = previous["newsboat_8"]  # saved figures of the same corpus
        result["newsboat_from"] = previous.get("newsboat_from") or run.results.get("date")
    run.results["real_feeds"] = result


@phase("profile")
def measure_profile(run: Run) -> None:
    log("profile")
    run.results["profile"] = profile_refresh_work(run.plan)


@phase("real_profile")
def measure_real_profile(run: Run) -> None:
    log("profile of the real corpus")
    some = [] if run.plan.real_documents is None else ["--documents",
                                                       str(run.plan.real_documents)]
    _, out = run_checked([sys.executable, "-m", "benchmarks.profile_real", "--json", "--runs",
                          str(max(1, min(run.plan.runs, 3))), *some], cwd=ROOT.parent)
    run.results["real_profile"] = json.loads(out)


@phase("sync")
def measure_sync(run: Run) -> None:
    """``reader sync`` of 5,000 items, first and unchanged, on coldsweat and Tiny Tiny RSS."""
    from benchmarks.sync import measure_sync as sync

    if run.plan.sync_servers:
        run.results["sync"] = sync(min(run.plan.runs, 3), run.plan.sync_items,
                                   run.plan.sync_servers)


@phase("newsboat")
def measure_newsboat_first_paint(run: Run) -> None:
    """Last: newsboat takes minutes to open a 100k cache, run after run."""
    if run.boats:
        log("newsboat first paint")
        run.results["newsboat_first_paint"] = {label: newsboat_first_paint(run.plan, f)
                                               for label, f in run.boats.items()}


PHASES = tuple(p.name for p in PHASE_LIST)


# -- the whole run -----------------------------------------------------------------------------


def machine_speed(tries: int) -> float:
    """CPU seconds of a fixed pure-Python loop (3 million additions; the fastest of ``tries``).

    This machine's CPU changes speed from minute to minute (0.27 s to 0.52 s for this loop on
    1 December, and newsboat's own cold refresh 1.99 s against 2.41 s of CPU two hours apart),
    so a run records it as it begins and as it ends: two runs compare only where these agree.
    """
    best = float("inf")
    for _ in range(tries):
        began = time.process_time()
        total = 0
        for i in range(3_000_000):
            total += i
        best = min(best, time.process_time() - began)
    return round(best, 3)


def start(plan: Plan) -> Run:
    """The results so far (a partial run updates the saved ones) and whether newsboat runs."""
    common.OUT.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    saved = common.OUT / "results.json"
    if plan.only is not None and saved.exists():
        results = json.loads(saved.read_text())
        notes = results.get("remeasured")
        notes = notes if isinstance(notes, dict) else ({"earlier": notes} if notes else {})
        for name in sorted(plan.only):
            notes[name] = time.strftime("%Y-%m-%d %H:%M")
            if name in ("refresh", "real_feeds") and not plan.newsboat:
                notes[name] += " (the reader only; newsboat's columns are from before)"
        results["remeasured"] = notes
    results.update({"date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(),
                    "runs": plan.runs, "python": sys.version.split()[0],
                    "load_at_start": os.getloadavg()[0],
                    "machine_speed": {"start": machine_speed(min(3, plan.runs))}})
    if plan.newsboat:
        results["newsboat_version"] = newsboat.require(log)
        results.pop("newsboat_skipped", None)
    elif plan.only is None or "newsboat_version" not in results:
        results["newsboat_skipped"] = "not measured in this run (--quick or --no-newsboat)"
    return Run(plan, results, newsboat=plan.newsboat)


def run(plan: Plan) -> dict[str, Any]:
    state = start(plan)
    wanted = [p for p in PHASE_LIST if plan.wants(p.name)]
    with_caches = [p for p in wanted if p.caches]
    if with_caches or (plan.wants("newsboat") and state.newsboat):
        biggest = max(plan.cache_feeds.values())
        with feed_server(plan, pregenerate=max(biggest, max(plan.refresh_feeds)),
                         lifetime=3600) as server:
            state.server = server
            state.homes = {label: build_cache(plan, label, server.ports)
                           for label in plan.cache_feeds}
            if plan.wants("newsboat") and state.newsboat:
                state.boats = {label: build_newsboat_cache(plan, label, server.ports)
                               for label in plan.cache_feeds}
            state.results["stories"] = {label: int((h / "stories.txt").read_text())
                                        for label, h in state.homes.items()}
            for each in with_caches:
                each.measure(state)
                state.save()
            state.server = None
    for each in wanted:
        if not each.caches:
            each.measure(state)
            state.save()
    shutil.rmtree(common.OUT / "scratch", ignore_errors=True)
    state.results["machine_speed"]["end"] = machine_speed(min(3, plan.runs))
    return state.results


def main(argv: Sequence[str] | None = None) -> None:
    from benchmarks.report import write_report

    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description="Measure the reader (and newsboat).")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, 1 run, no newsboat (a smoke run)")
    parser.add_argument("--runs", type=int, help="runs per measurement (default 5)")
    parser.add_argument("--no-newsboat", action="store_true", help="measure the reader only")
    parser.add_argument("--only", metavar="PHASES",
                        help="comma-separated phases to measure again, keeping the saved "
                             f"figures of the others: {', '.join(PHASES)}")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.runs:
        plan = replace(plan, runs=args.runs)
    if args.no_newsboat:
        plan = replace(plan, newsboat=False)
    if args.only:
        phases = frozenset(p.strip() for p in args.only.split(",") if p.strip())
        unknown = sorted(phases - set(PHASES))
        if unknown:
            parser.error(f"unknown phase(s) {', '.join(unknown)}; choose from {', '.join(PHASES)}")
        plan = replace(plan, only=phases)
    try:
        results = run(plan)
    except Timeout as exc:
        raise SystemExit(f"benchmark: a program did not answer in time: {exc}") from None
    (common.OUT / "results.json").write_text(json.dumps(results, indent=2))
    (common.OUT / "results.md").write_text(write_report(results))
    print(write_report(results))


if __name__ == "__main__":
    main()

"""The benchmark runner: builds caches, measures the reader and newsboat, writes the results.

    .venv/bin/python -m benchmarks            # everything (about half an hour on 2 cores)
    .venv/bin/python -m benchmarks --quick    # tiny sizes, 1 run, no newsboat: a smoke run

Every measurement is the median of ``--runs`` runs with min and max. The reader is always
measured as a separate process (``python -m reader``), as a user runs it; the feed server is
another process, so neither shares a GIL with the runner. Results go to
``benchmarks/out/results.json`` and ``results.md``; caches stay in ``benchmarks/out/`` so a
rerun skips building them.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.feedgen import generate_feed, is_atom
from benchmarks.server import feed_url
from benchmarks.terminal import PtyProgram, Timeout

ROOT = Path(__file__).resolve().parent
OUT = Path(os.environ.get("READER_BENCH_OUT") or ROOT / "out")
"""Caches, scratch folders and results; the smoke test points it at a temporary folder."""
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
    only: frozenset[str] | None = None
    """Measure just these phases (see PHASES); the others keep their saved figures."""

    def wants(self, phase: str) -> bool:
        return self.only is None or phase in self.only


PHASES = ("first_paint", "key_latency", "memory", "search", "refresh", "profile", "newsboat")


FULL = Plan(runs=5, items=50, cache_feeds={"1k": 20, "10k": 200, "100k": 2000},
            refresh_feeds=(100, 500), latencies_ms=(0, 50), latency_cache="100k",
            busy_feeds=200, key_samples=30, hosts=32, newsboat=True, page_downs=400)
QUICK = Plan(runs=1, items=5, cache_feeds={"15": 3}, refresh_feeds=(3,), latencies_ms=(0,),
             latency_cache="15", busy_feeds=3, key_samples=2, hosts=3, newsboat=False,
             page_downs=3, port=0)
"""A smoke run (the test suite runs it): any free port, as the caches are throw-away."""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def stats(values: Sequence[float]) -> dict[str, Any]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "runs": len(values)}


# -- processes ---------------------------------------------------------------------------------


@contextlib.contextmanager
def feed_server(plan: Plan, latency_ms: float = 0, pregenerate: int = 0,
                lifetime: float = 1800) -> Iterator[dict[str, int]]:
    """The loopback feed server in its own process; stopped (and reaped) on leaving."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server", "--seed", str(SEED), "--items",
         str(plan.items), "--hosts", str(plan.hosts), "--latency-ms", str(latency_ms),
         "--lifetime", str(lifetime), "--max-requests", "200000", "--port", str(plan.port),
         "--pregenerate", str(pregenerate)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT.parent,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the feed server did not start (port {plan.port} taken?)")
        yield {k: int(v) for k, v in json.loads(line)["ports"].items()}
    finally:
        if process.stdin is not None:
            process.stdin.close()  # the server stops when its stdin closes
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def reader_argv(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "reader", "--home", str(home), *args]


def quiet_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "READER_HOME")}
    return env


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


def subscribe(home: Path, urls: Sequence[str]) -> None:
    """Subscribe ``home``'s cache to ``urls`` the way a user would: ``reader import``."""
    with tempfile.TemporaryDirectory() as folder:
        opml = Path(folder) / "feeds.opml"
        write_opml(opml, urls)
        run_checked(reader_argv(home, "import", str(opml)))


def refresh_counts(stdout: str) -> dict[str, int]:
    outcomes = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome["status"]] = counts.get(outcome["status"], 0) + 1
    counts["new"] = sum(o["new"] for o in outcomes)
    return counts


# -- caches ------------------------------------------------------------------------------------


def database(home: Path) -> Path:
    return home / "data" / "cache.sqlite3"


def build_cache(plan: Plan, label: str, ports: dict[str, int]) -> Path:
    """A reader home holding ``label`` stories, made through import + ``reader refresh``."""
    home = OUT / "caches" / f"reader-{label}"
    feeds = plan.cache_feeds[label]
    stamp = {"version": BUILD_VERSION, "feeds": feeds, "items": plan.items,
             "port": ports["127.0.0.1"], "hosts": plan.hosts, "seed": SEED}
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
    folder = OUT / "caches" / f"newsboat-{label}"
    feeds = plan.cache_feeds[label]
    stamp = {"version": BUILD_VERSION, "feeds": feeds, "items": plan.items,
             "port": ports["127.0.0.1"]}
    stamp_file = folder / "built.json"
    if stamp_file.exists() and json.loads(stamp_file.read_text()) == stamp:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    newsboat_files(folder, [feed_url(ports, n) for n in range(feeds)], threads=8)
    log(f"building the {label} newsboat cache")
    elapsed, _ = run_checked(newsboat_argv(folder, "-x", "reload"), env=newsboat_env(folder))
    log(f"  in {elapsed:.1f} s")
    stamp_file.write_text(json.dumps(stamp))
    return folder


# -- newsboat ----------------------------------------------------------------------------------


def newsboat_files(folder: Path, urls: Sequence[str], threads: int) -> None:
    (folder / "urls").write_text("".join(u + "\n" for u in urls))
    (folder / "config").write_text(
        f"reload-threads {threads}\nconfirm-exit no\nshow-read-feeds yes\n"
    )
    (folder / "home").mkdir(exist_ok=True)


def newsboat_argv(folder: Path, *args: str) -> list[str]:
    return ["newsboat", "-u", str(folder / "urls"), "-c", str(folder / "cache.db"),
            "-C", str(folder / "config"), *args]


def newsboat_env(folder: Path) -> dict[str, str]:
    home = str(folder / "home")
    return {**quiet_env(), "HOME": home, "XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home}


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
        with PtyProgram(reader_argv(home), quiet_env()) as app:
            seen = app.wait_for(marker, timeout=60)
            times.append(seen - app.started)
            app.quiet(0.2, 3)
    return stats(times)


def newsboat_first_paint(plan: Plan, folder: Path) -> dict[str, Any]:
    times: list[float] = []
    for _ in range(plan.runs):
        with PtyProgram(newsboat_argv(folder), newsboat_env(folder)) as app:
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


def open_generated(app: PtyProgram, index: int) -> None:
    """Move the list cursor to row ``index`` and open that story in the reading pane."""
    app.send(b"g")
    app.quiet(0.2, 3)
    if index:
        app.send(KEY_DOWN * index)
        app.quiet(0.3, 3)
    app.send(b"\r")
    app.quiet(0.3, 3)


def key_latency_idle(plan: Plan, home: Path) -> dict[str, Any]:
    titles = rows_after_top(home, plan.key_samples + 2)
    index, marker = generated_story(home)
    list_ms: list[float] = []
    pane_ms: list[float] = []
    for _ in range(plan.runs):
        with PtyProgram(reader_argv(home), quiet_env()) as app:
            app.wait_for(needle(titles[0]), timeout=60)
            app.quiet(0.3, 5)
            list_ms += list_latencies(app, titles, 0, plan.key_samples)
            open_generated(app, index)
            pane_ms += pane_latencies(app, marker, plan.key_samples)
    return {"list": stats(list_ms), "pane": stats(pane_ms)}


def busy_copy(plan: Plan, home: Path, ports: dict[str, int]) -> Path:
    """A scratch copy of ``home`` whose refresh fetches ``busy_feeds`` new feeds, cold.

    The cache's own feeds are marked disabled, so a refresh of all feeds (the R key) skips
    them and does exactly the new feeds' work.
    """
    scratch = OUT / "scratch" / "busy"
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
    for where in ("list", "pane"):
        samples: list[float] = []
        refresh_times: list[float] = []
        for _ in range(max(1, plan.runs // 2)):
            scratch = busy_copy(plan, home, ports)
            with PtyProgram(reader_argv(scratch), quiet_env()) as app:
                app.wait_for(needle(titles[0]), timeout=60)
                app.quiet(0.3, 5)
                if where == "pane":
                    open_generated(app, index)
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


def memory_after_scrolling(plan: Plan, home: Path) -> dict[str, Any]:
    """Peak RSS (VmHWM) after G, g and many PageDowns through the list."""
    title = top_title(home)
    peaks: list[float] = []
    for _ in range(plan.runs):
        with PtyProgram(reader_argv(home), quiet_env()) as app:
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


def refresh_reader(plan: Plan, feeds: int, ports: dict[str, int]) -> dict[str, Any]:
    """``reader refresh`` of a fresh cache (cold: all new), then again (warm: all 304)."""
    cold: list[float] = []
    warm: list[float] = []
    checks: dict[str, Any] = {}
    for _ in range(plan.runs):
        home = OUT / "scratch" / "refresh"
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        subscribe(home, [feed_url(ports, n) for n in range(feeds)])
        elapsed, out = run_checked(reader_argv(home, "refresh", "--json"))
        cold.append(elapsed)
        checks["cold"] = refresh_counts(out)
        elapsed, out = run_checked(reader_argv(home, "refresh", "--json"))
        warm.append(elapsed)
        checks["warm"] = refresh_counts(out)
        shutil.rmtree(home, ignore_errors=True)
    return {"cold": stats(cold), "warm": stats(warm), "outcomes": checks}


def refresh_newsboat(plan: Plan, feeds: int, ports: dict[str, int],
                     threads: int) -> dict[str, Any]:
    cold: list[float] = []
    warm: list[float] = []
    for _ in range(plan.runs):
        folder = OUT / "scratch" / "newsboat-refresh"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        newsboat_files(folder, [feed_url(ports, n) for n in range(feeds)], threads)
        env = newsboat_env(folder)
        cold.append(run_checked(newsboat_argv(folder, "-x", "reload"), env=env)[0])
        warm.append(run_checked(newsboat_argv(folder, "-x", "reload"), env=env)[0])
        shutil.rmtree(folder, ignore_errors=True)
    return {"cold": stats(cold), "warm": stats(warm)}


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
    (OUT / "profile.txt").write_text(text.getvalue())
    return {
        "items": items,
        "parse_ms_per_item": 1000 * parse_s / items,
        "plain_feed_ms_per_item": 1000 * cumulative("parse_lxml.py:read_plain_feed") / items,
        "feedparser_ms_per_item": 1000 * cumulative("api.py:parse") / items,
        "html_to_markdown_ms_per_item": 1000 * cumulative("html_markdown.py:html_to_markdown")
        / items,
        "store_ms_per_item": 1000 * store_s / items,
    }


# -- the whole run -----------------------------------------------------------------------------


def newsboat_available() -> str | None:
    """None when newsboat can be measured, else why not."""
    if shutil.which("newsboat") is None:
        return "newsboat is not installed (Debian: apt-get install newsboat); skipped"
    return None


def run(plan: Plan) -> dict[str, Any]:
    OUT.mkdir(exist_ok=True)
    results: dict[str, Any] = {}
    saved = OUT / "results.json"
    if plan.only is not None and saved.exists():
        results = json.loads(saved.read_text())  # a partial run updates the saved figures
        notes = results.get("remeasured")
        notes = notes if isinstance(notes, dict) else ({"earlier": notes} if notes else {})
        for phase in sorted(plan.only):
            notes[phase] = time.strftime("%Y-%m-%d %H:%M")
            if phase == "refresh" and not plan.newsboat:
                notes[phase] += " (the reader only; newsboat's columns are from before)"
        results["remeasured"] = notes
    # A partial run without newsboat re-measures the reader and keeps newsboat's saved figures.
    keep_newsboat = plan.only is not None and not plan.newsboat
    results.update({"date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(),
                    "runs": plan.runs, "python": sys.version.split()[0]})
    skip = None if plan.newsboat else "not in this plan"
    skip = skip or newsboat_available()
    if skip:
        log(f"newsboat: {skip}")
    else:
        version = subprocess.run(["newsboat", "--version"], capture_output=True, text=True)
        results["newsboat_version"] = version.stdout.split("\n", 1)[0]
    if (plan.wants("newsboat") or plan.wants("refresh")) and not keep_newsboat:
        results["newsboat_skipped"] = skip  # a partial run keeps what was said before
    biggest = max(plan.cache_feeds.values())

    def save() -> None:  # after every phase: a long run that dies still leaves its figures
        (OUT / "results.json").write_text(json.dumps(results, indent=2))

    with feed_server(plan, pregenerate=max(biggest, max(plan.refresh_feeds)),
                     lifetime=3600) as ports:
        homes = {label: build_cache(plan, label, ports) for label in plan.cache_feeds}
        boats = {} if skip or not (plan.wants("newsboat") or plan.wants("refresh")) else {
            label: build_newsboat_cache(plan, label, ports) for label in plan.cache_feeds}
        results["stories"] = {label: int((h / "stories.txt").read_text())
                              for label, h in homes.items()}
        if plan.wants("first_paint"):
            log("first paint")
            results["first_paint"] = {label: first_paint(plan, h) for label, h in homes.items()}
            save()
        big = homes[plan.latency_cache]
        if plan.wants("key_latency"):
            log("key latency, idle")
            results["key_latency_idle"] = key_latency_idle(plan, big)
            save()
            log("key latency during a refresh")
            results["key_latency_busy"] = key_latency_busy(plan, big, ports)
            save()
        if plan.wants("memory"):
            log("memory")
            results["memory_mib"] = memory_after_scrolling(plan, big)
        if plan.wants("search"):
            log("search and related")
            results["search"] = probe("search", big, plan.runs)
            results["related"] = probe("related", big, plan.runs)
            save()
    results.setdefault("refresh", {})
    for latency in plan.latencies_ms if plan.wants("refresh") else ():
        with feed_server(plan, latency, pregenerate=max(plan.refresh_feeds)) as ports:
            for feeds in plan.refresh_feeds:
                key = f"{feeds} feeds, {latency} ms"
                log(f"refresh: {key}")
                entry: dict[str, Any] = {
                    **(results["refresh"].get(key, {}) if keep_newsboat else {}),
                    "reader": refresh_reader(plan, feeds, ports),
                }
                if not skip:
                    for threads in (1, 8):
                        entry[f"newsboat_{threads}"] = refresh_newsboat(plan, feeds, ports,
                                                                        threads)
                results["refresh"][key] = entry
                save()
    if plan.wants("profile"):
        log("profile")
        results["profile"] = profile_refresh_work(plan)
        save()
    # Last: newsboat takes minutes to open a 100k cache, run after run.
    if boats and plan.wants("newsboat"):
        log("newsboat first paint")
        results["newsboat_first_paint"] = {label: newsboat_first_paint(plan, f)
                                           for label, f in boats.items()}
    shutil.rmtree(OUT / "scratch", ignore_errors=True)
    return results


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
        plan = Plan(**{**plan.__dict__, "runs": args.runs})
    if args.no_newsboat:
        plan = Plan(**{**plan.__dict__, "newsboat": False})
    if args.only:
        phases = frozenset(p.strip() for p in args.only.split(",") if p.strip())
        unknown = sorted(phases - set(PHASES))
        if unknown:
            parser.error(f"unknown phase(s) {', '.join(unknown)}; choose from {', '.join(PHASES)}")
        plan = Plan(**{**plan.__dict__, "only": phases})
    try:
        results = run(plan)
    except Timeout as exc:
        raise SystemExit(f"benchmark: a program did not answer in time: {exc}") from None
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    (OUT / "results.md").write_text(write_report(results))
    print(write_report(results))


if __name__ == "__main__":
    main()

"""The real-feeds phase: the reader and newsboat-8 refresh the real corpus, in the same run.

The 198 captured feeds of ``../shared/realfeeds/`` are served by ``benchmarks.server`` in its
own process (``benchmarks.realfeeds``: each with the content type of its kind, ETag and
Last-Modified, 304 on a conditional request), with a latency per request (50 ms) and spread
over several loopback addresses (32), so the reader's per-host limit acts as with real sites.

Each run, in alternating order (reader first, then newsboat first, so that neither always
gets the cooler machine):

- **reader**: a fresh home, ``reader import`` of an OPML naming every document, then ``reader
  refresh`` (cold: every story new) and ``reader refresh`` again (warm: all 304 except the one
  document that failed, which has no validators to send);
- **newsboat** with ``reload-threads 8``: a fresh cache, then reloads: cold, second (newsboat
  downloads and parses everything again; it keeps validators only from then on), third (warm:
  all 304), and after one ``ANALYZE`` of its cache, a fourth (see ``benchmarks.newsboat``).

For each: wall, CPU (user + system of the whole process tree), peak memory (PSS of the tree,
sampled) and the stories stored; the server's own count of its answers during every refresh
proves what "warm" was.
"""

from __future__ import annotations

import shutil
from typing import Any

from benchmarks import common, newsboat, realfeeds
from benchmarks.common import log, quiet_env, reader_argv, summary
from benchmarks.processes import Measured, measure
from benchmarks.server import ServerProcess, difference, server_process


def urls(server: ServerProcess, names: list[str]) -> list[str]:
    return [server.served.url(i, realfeeds.path_of(name)) for i, name in enumerate(names)]


def reader_pass(server: ServerProcess, names: list[str]) -> dict[str, Any]:
    """Cold and warm ``reader refresh`` of a fresh home subscribed to every document."""
    home = common.OUT / "scratch" / "real-reader"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    common.subscribe(home, urls(server, names))
    command = reader_argv(home, "refresh", "--json")
    timed: dict[str, Measured] = {}
    answers: dict[str, dict[str, int]] = {}
    for name in ("cold", "warm"):
        before = server.counts()
        timed[name] = measure(command, env=quiet_env()).check(command)
        answers[name] = difference(server.counts(), before)
    stories = common.feed_stories(home)
    shutil.rmtree(home, ignore_errors=True)
    errors = {o["url"].rsplit("/", 1)[1]: o["error"]
              for o in common.outcomes(timed["cold"].stdout) if o["status"] == "error"}
    return {"cold": timed["cold"], "warm": timed["warm"], "stories": stories,
            "outcomes": {k: common.refresh_counts(timed[k].stdout) for k in timed},
            "errors": errors, "answers": answers}


def newsboat_pass(server: ServerProcess, names: list[str], threads: int) -> newsboat.Reloads:
    folder = common.OUT / "scratch" / "real-newsboat"
    return newsboat.reloads(folder, urls(server, names), threads, quiet_env(), server.counts)


def measure_real_feeds(runs: int, documents: int | None, latency_ms: float, hosts: int,
                       with_newsboat: bool) -> dict[str, Any]:
    """The phase's results (``documents``: the first N files by name; None: all of them)."""
    folder = realfeeds.folder()
    if not folder.is_dir():
        raise SystemExit(f"benchmark: the real corpus is missing at {folder} (set "
                         "READER_REALFEEDS or READER_SHARED)")
    names = [p.name for p in realfeeds.files(folder)][:documents]
    reader_runs: list[dict[str, Any]] = []
    boat_runs: list[newsboat.Reloads] = []
    with server_process("--files", str(folder), "--hosts", str(hosts), "--latency-ms",
                        str(latency_ms), "--lifetime", "7200",
                        "--max-requests", "1000000") as server:
        for run in range(runs):
            order = ["reader", "newsboat"] if run % 2 == 0 else ["newsboat", "reader"]
            for who in order:
                if who == "reader":
                    log(f"real feeds: reader, run {run + 1} of {runs}")
                    reader_runs.append(reader_pass(server, names))
                elif with_newsboat:
                    log(f"real feeds: newsboat-8, run {run + 1} of {runs}")
                    boat_runs.append(newsboat_pass(server, names, 8))
    last = reader_runs[-1]
    result: dict[str, Any] = {
        "documents": len(names), "latency_ms": latency_ms, "hosts": hosts, "runs": runs,
        "reader": {
            "cold": summary([r["cold"] for r in reader_runs]),
            "warm": summary([r["warm"] for r in reader_runs]),
            "stories": last["stories"], "outcomes": last["outcomes"], "errors": last["errors"],
            "answers": last["answers"],
        },
    }
    if boat_runs:
        result["newsboat_8"] = {
            kind: summary([getattr(b, kind) for b in boat_runs])
            for kind in ("cold", "second", "warm", "analyzed")
        }
        result["newsboat_8"].update(stories=boat_runs[-1].stories,
                                    answers=boat_runs[-1].answers)
    return result

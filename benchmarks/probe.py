"""Search and related-stories timings, run in a child process against a built cache.

A child of its own so its peak resident size says what the search itself costs, and so the
benchmark runner never imports modules that may not exist yet: when ``reader.search`` or
``reader.related`` is missing it prints a clear skip instead of a traceback.

    python -m benchmarks.probe search|related CACHE RUNS  → one JSON object on stdout
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.feedgen import COMMON_WORD, PHRASE, RARE_WORD

QUERIES = {"common word": COMMON_WORD, "rare word": RARE_WORD, "phrase": f'"{PHRASE}"'}


def peak_rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def summary(times: list[float]) -> dict[str, float]:
    return {"median": statistics.median(times), "min": min(times), "max": max(times),
            "runs": len(times)}


def search(database: Path, runs: int) -> dict[str, Any]:
    if importlib.util.find_spec("reader.search") is None:
        return {"skipped": "reader.search is not in this tree yet (search lands on its own "
                           "branch); rerun after it is merged"}
    from reader.models import View
    from reader.store import Store

    out: dict[str, Any] = {}
    with Store.open(database) as store:
        for label, query in QUERIES.items():
            view = View(query=query)
            start = time.perf_counter()  # the first run also decides how to plan the query
            hits = store.count(view)
            store.page(view, 0, 50, hits)
            first = time.perf_counter() - start
            times: list[float] = []
            for _ in range(runs):
                start = time.perf_counter()
                total = store.count(view)
                store.page(view, 0, 50, total)
                times.append(time.perf_counter() - start)
            out[label] = {"query": query, "hits": hits, "first": first, **summary(times)}
    out["peak_rss_mib"] = peak_rss_kib() / 1024
    return out


def related(database: Path, runs: int) -> dict[str, Any]:
    if importlib.util.find_spec("reader.related") is None:
        return {"skipped": "reader.related is not in this tree yet (related lands on its own "
                           "branch); rerun after it is merged"}
    from reader.related import related_stories  # type: ignore[import-not-found,unused-ignore]
    from reader.store import Store

    with Store.open(database) as store:
        total = store.count()
        rowids = [r[0] for r in store.conn.execute(
            "SELECT rowid FROM stories ORDER BY rowid LIMIT ? OFFSET ?", (1, total // 3))]
        # Lists are cached per story, so each story is timed once, on its first (computed)
        # call; stories spread over the whole cache, several per run.
        count = runs * 4
        picks = [store.page(store_view(), (total * k) // (count + 1), 1, total)[0]
                 for k in range(1, count + 1)]
        del rowids
        related_stories(store, store.get_story(picks[0].id), limit=9)  # warm SQLite's pages
        times: list[float] = []
        found: list[int] = []
        for row in picks[1:]:
            story = store.get_story(row.id)
            start = time.perf_counter()
            result = related_stories(store, story, limit=9)
            times.append(time.perf_counter() - start)
            found.append(len(result))
    return {**summary(times), "found": found, "peak_rss_mib": peak_rss_kib() / 1024}


def store_view() -> Any:
    from reader.models import View

    return View()


def main() -> None:
    what, database, runs = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    result = search(database, runs) if what == "search" else related(database, runs)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

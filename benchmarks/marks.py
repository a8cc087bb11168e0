"""The ``marks`` phase's store side: every story of the big cache marked read in one statement
(and put back, as ``U`` does), and the first page of each sort order, in a child process.

A child of its own, as ``benchmarks.probe`` is, so the runner imports nothing of the reader.
The cache is left as it was found: each run marks every unread story read, then marks
exactly those unread again (the undo), so no copy of a 900 MB file is needed. The app's side
(key latency while ``A`` runs) is in ``benchmarks.run``, beside the other pty measurements.

    python -m benchmarks.marks CACHE RUNS          → one JSON object on stdout
    python -m benchmarks.marks --command HOME RUNS  → ``reader mark read --all``, timed
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import stats

PAGE = 64
"""Rows the story list reads for its first page (``reader.ui.story_rows.PAGE_SIZE``)."""


def probe(database: Path, runs: int) -> dict[str, Any]:
    from reader.models import SORT_ORDERS, View
    from reader.store import Store

    out: dict[str, Any] = {}
    with Store.open(database) as store:  # a cache from before the sort orders migrates here
        total = store.count()
        sorts: dict[str, Any] = {}
        for order in SORT_ORDERS:
            view = View(sort=order)
            times: list[float] = []
            for _ in range(runs):
                start = time.perf_counter()
                count = store.count(view)
                rows = store.page(view, 0, PAGE, count)
                times.append(time.perf_counter() - start)
            if len(rows) != min(PAGE, total):
                raise RuntimeError(f"{order}: the first page has {len(rows)} rows")
            sorts[order] = stats(times)
        out["first_page"] = sorts
        marked: list[float] = []
        undone: list[float] = []
        changed = 0
        for _ in range(runs):
            start = time.perf_counter()
            bulk = store.mark_view(View(), "read", True)
            marked.append(time.perf_counter() - start)
            changed = bulk.count
            start = time.perf_counter()
            store.unmark(bulk)
            undone.append(time.perf_counter() - start)
        out["mark_all_read"] = {**stats(marked), "stories": changed}
        out["undo"] = stats(undone)
    out["stories"] = total
    return out


def command(home: Path, runs: int) -> dict[str, Any]:
    """``reader mark read --all`` as a person runs it (process start included), each run
    followed by the stories it marked being put back unread."""
    from benchmarks.common import database, quiet_env, reader_argv
    from benchmarks.processes import measure
    from reader.store import Store

    argv = reader_argv(home, "mark", "read", "--all")
    walls: list[float] = []
    for _ in range(runs):
        with Store.open(database(home)) as store:
            unread = [r[0] for r in store.conn.execute(
                "SELECT s.id FROM stories s JOIN story_state st ON st.story = s.rowid"
                " WHERE st.read = 0")]
        walls.append(measure(argv, env=quiet_env()).check(argv).wall)
        with Store.open(database(home)) as store:
            store.mark(unread, read=False)
    return stats(walls)


def marks_rows(r: dict[str, Any] | None) -> list[str]:
    """The report's rows: marking the whole cache read, its undo, each order's first page."""
    if not r:
        return []

    def ms(e: dict[str, Any]) -> str:
        return f"{e['median'] * 1000:.1f} ms ({e['min'] * 1000:.1f}–{e['max'] * 1000:.1f})"

    def met(ok: bool) -> str:
        return "met" if ok else "**missed**"

    rows = []
    store = r.get("store", {})
    mark = store.get("mark_all_read")
    if mark:
        rows.append(f"| mark every story read, {mark['stories']} stories (one statement) | "
                    f"{ms(mark)} | | | ≤ 1 s: {met(mark['median'] <= 1.0)} |")
        rows.append(f"| undo it (the same stories unread again) | {ms(store['undo'])} | | | |")
    command = r.get("command")
    if command:
        rows.append(f"| `reader mark read --all`, the whole command | {ms(command)} | | | |")
    latency = r.get("key_latency")
    if latency:
        rows.append(f"| key latency j, list, while A marks every story read | {ms(latency)}; "
                    f"n = {latency['runs']} | | | ≤ 16 ms: {met(latency['median'] <= 0.016)} |")
    for order, e in store.get("first_page", {}).items():
        rows.append(f"| first page, sort {order}, {store.get('stories')} stories | {ms(e)} | | | "
                    f"≤ 50 ms: {met(e['median'] <= 0.05)} |")
    return rows


def main() -> None:
    if sys.argv[1] == "--command":
        print(json.dumps(command(Path(sys.argv[2]), int(sys.argv[3]))))
        return
    print(json.dumps(probe(Path(sys.argv[1]), int(sys.argv[2]))))


if __name__ == "__main__":
    main()

"""Cold refresh with 5 filters against none (issue 15: at most 5 % slower).

Each run makes two fresh homes subscribed to the same generated feeds, one with ``FILTERS`` in
its config, and times ``reader refresh --json`` of each (cold: every story new), in turns, the
order alternating from run to run, so a machine whose load drifts meets both alike. The rules
are the kinds a person writes: a phrase and a rare word the generator plants (so they match,
and their stories take the exact check), one limited to one source, a tag no feed has, and a
word with an exclusion. The report gives both walls and CPU times, their ratio, and how many
stories the filters acted on (taken from the refresh's own JSON).
"""

from __future__ import annotations

import shutil
from typing import Any

from benchmarks import common
from benchmarks.common import quiet_env, reader_argv, stats, subscribe, summary, write_config
from benchmarks.feedgen import PHRASE, RARE_WORD
from benchmarks.processes import Measured, measure
from benchmarks.server import ServerProcess, feed_url

FILTERS = f"""
[[filters]]
query = '"{PHRASE}"'
action = "hide"

[[filters]]
query = "{RARE_WORD}"
action = "read"

[[filters]]
query = 'source:"Bench Feed 0003" -{RARE_WORD}'
action = "read"

[[filters]]
query = "tag:sponsored"
action = "hide"

[[filters]]
query = "giveaway -contest"
action = "hide"
"""
"""Five rules of every kind the matcher has: phrase, word, source, tag, exclusion."""


def refresh_with_filters(runs: int, feeds: int, server: ServerProcess) -> dict[str, Any]:
    """Cold ``reader refresh`` of ``feeds`` generated feeds, with no filters and with five."""
    timed: dict[str, list[Measured]] = {"none": [], "five": []}
    acted = 0
    for run in range(runs):
        order = ("none", "five") if run % 2 == 0 else ("five", "none")
        for kind in order:
            home = common.OUT / "scratch" / f"filters-{kind}"
            shutil.rmtree(home, ignore_errors=True)
            write_config(home, FILTERS if kind == "five" else "")
            subscribe(home, [feed_url(server.ports, n) for n in range(feeds)])
            command = reader_argv(home, "refresh", "--json")
            done = measure(command, env=quiet_env()).check(command)
            timed[kind].append(done)
            if kind == "five":
                acted = sum(o.get("hidden", 0) + o.get("auto_read", 0)
                            for o in common.outcomes(done.stdout))
            shutil.rmtree(home, ignore_errors=True)
    none, five = summary(timed["none"]), summary(timed["five"])
    return {"feeds": feeds, "none": none, "five": five, "acted": acted,
            "stories": common.refresh_counts(timed["five"][-1].stdout)["new"],
            "ratio": stats([f.wall / n.wall for f, n in zip(timed["five"], timed["none"],
                                                            strict=True)])}


def filter_rows(result: dict[str, Any] | None) -> list[str]:
    """The report's row (``benchmarks/report.py``)."""
    if not result:
        return []
    none, five = result["none"], result["five"]
    ratio = five["wall"]["median"] / none["wall"]["median"]
    ok = "met" if ratio <= 1.05 else "**not met**"
    return [
        f"| cold refresh, {result['feeds']} feeds, 5 filters (acted on {result['acted']:,} of "
        f"{result['stories']:,} stories) | {five['wall']['median']:.2f} s "
        f"({five['wall']['min']:.2f}–{five['wall']['max']:.2f}), CPU "
        f"{five['cpu']['median']:.2f} s | no filters: {none['wall']['median']:.2f} s "
        f"({none['wall']['min']:.2f}–{none['wall']['max']:.2f}), CPU "
        f"{none['cpu']['median']:.2f} s | {ratio:.3f} × (per-run ratios "
        f"{result['ratio']['min']:.3f}–{result['ratio']['max']:.3f}) | ≤ 1.05 ×: {ok} |"
    ]

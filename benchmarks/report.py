"""The results as a Markdown table: medians with min–max, targets and ratios against newsboat.

Kept apart from the runner so the README's table can be regenerated from ``results.json``
without measuring again (``python -m benchmarks.report``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _ms(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "–"
    return (f"{entry['median'] * 1000:.1f} ms ({entry['min'] * 1000:.1f}–"
            f"{entry['max'] * 1000:.1f})")


def _s(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "–"
    return f"{entry['median']:.2f} s ({entry['min']:.2f}–{entry['max']:.2f})"


def _ratio(ours: dict[str, Any] | None, theirs: dict[str, Any] | None) -> str:
    if not ours or not theirs or not theirs["median"]:
        return "–"
    return f"{ours['median'] / theirs['median']:.3g}"


def _met(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "**missed**")


def write_report(r: dict[str, Any]) -> str:
    lines = [
        f"Machine: {r.get('cores')} cores, Python {r.get('python')}, {r.get('date')}; "
        f"every figure is the median of {r.get('runs')} runs (min–max)"
        + (f"; {r['newsboat_version']}." if r.get("newsboat_version") else "."),
    ]
    notes = r.get("remeasured")
    if isinstance(notes, dict):
        for phase, when in notes.items():
            lines.append(f"Note: {when}." if phase == "earlier"
                         else f"Note: {phase} re-measured {when} with the code of that time.")
    elif notes:
        lines.append(f"Note: {notes}.")
    if r.get("newsboat_skipped"):
        lines.append(f"newsboat: {r['newsboat_skipped']}.")
    lines += ["", "| measurement | reader | newsboat | reader / newsboat | target |",
              "| --- | --- | --- | --- | --- |"]
    paint = r.get("first_paint", {})
    boat_paint = r.get("newsboat_first_paint", {})
    labels = list(paint)
    smallest = paint[labels[0]]["median"] if labels else None
    for label in labels:
        stories = r.get("stories", {}).get(label, "?")
        ok = None
        if label == labels[-1] and smallest:
            ok = paint[label]["median"] <= 0.35 and paint[label]["median"] <= 1.2 * smallest
        lines.append(f"| first paint, {label} ({stories} stories) | {_s(paint[label])} | "
                     f"{_s(boat_paint.get(label))} | {_ratio(paint[label], boat_paint.get(label))}"
                     f" | {'≤ 0.35 s, ≤ 1.2 × 1k: ' + _met(ok) if ok is not None else ''} |")
    for state, key in (("idle", "key_latency_idle"), ("during refresh", "key_latency_busy")):
        entry = r.get(key, {})
        for where in ("list", "pane"):
            e = entry.get(where)
            ok = e["median"] <= 0.016 if e else None
            extra = ""
            if e and "refresh_s" in e:
                extra = f"; n = {e['runs']}, refresh took {_s(e['refresh_s'])}"
            lines.append(f"| key latency j, {where}, {state} | {_ms(e)}{extra} | | | "
                         f"≤ 16 ms: {_met(ok)} |")
    for key, entry in r.get("refresh", {}).items():
        ours = entry["reader"]
        for kind in ("cold", "warm"):
            boat1 = entry.get("newsboat_1", {}).get(kind)
            boat8 = entry.get("newsboat_8", {}).get(kind)
            target = ""
            if key.startswith("500 feeds, 50 ms") and kind == "cold" and boat8:
                ok = ours[kind]["median"] <= 0.8 * boat8["median"]
                target = f"≤ 0.8 × newsboat-8: {_met(ok)}"
            if key.startswith("500 feeds, 0 ms") and kind == "warm":
                target = f"≤ 1 s: {_met(ours[kind]['median'] <= 1.0)}"
            lines.append(
                f"| refresh {key}, {kind} | {_s(ours[kind])} | 1 thread {_s(boat1)}; "
                f"8 threads {_s(boat8)} | {_ratio(ours[kind], boat1)} / "
                f"{_ratio(ours[kind], boat8)} | {target} |"
            )
    search = r.get("search", {})
    if "skipped" in search:
        lines.append(f"| search | skipped: {search['skipped']} | | | ≤ 50 ms |")
    else:
        for label, e in search.items():
            if isinstance(e, dict):
                lines.append(f"| search, {label} ({e['hits']} hits) | {_ms(e)} | | | "
                             f"≤ 50 ms: {_met(e['median'] <= 0.05)} |")
        if "peak_rss_mib" in search:
            lines.append(f"| search, peak RSS of the searching process | "
                         f"{search['peak_rss_mib']:.0f} MB | | | |")
    related = r.get("related", {})
    if "skipped" in related:
        lines.append(f"| related | skipped: {related['skipped']} | | | ≤ 30 ms |")
    elif related:
        found = related.get("found") or [0]
        # How many related stories each list held: a list of none would time nothing useful.
        lines.append(f"| related, up to 9 per story ({sum(found) / len(found):.1f} found on "
                     f"average, {len(found)} stories) | {_ms(related)} | | | "
                     f"≤ 30 ms: {_met(related['median'] <= 0.03)} |")
    memory = r.get("memory_mib")
    if memory:
        lines.append(
            f"| peak RSS after scrolling, {list(paint)[-1] if paint else ''} | "
            f"{memory['median']:.0f} MB ({memory['min']:.0f}–{memory['max']:.0f}) | | | "
            f"≤ 80 MB: {_met(memory['median'] <= 80)} |"
        )
    profile = r.get("profile")
    if profile:
        reading = (f"reading the XML with lxml {profile['plain_feed_ms_per_item']:.2f} ms, "
                   if "plain_feed_ms_per_item" in profile else "")
        lines += ["", f"Cold-refresh CPU per item (under cProfile, which about doubles it; over "
                  f"{profile['items']} items in one process): parse "
                  f"{profile['parse_ms_per_item']:.2f} ms, of which {reading}feedparser "
                  f"{profile['feedparser_ms_per_item']:.2f} ms and HTML → Markdown "
                  f"{profile['html_to_markdown_ms_per_item']:.2f} ms; store (insert + FTS) "
                  f"{profile['store_ms_per_item']:.2f} ms."]
    return "\n".join(lines) + "\n"


def main() -> None:
    default = Path(__file__).parent / "out" / "results.json"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    print(write_report(json.loads(path.read_text())))


if __name__ == "__main__":
    main()

"""The results as a Markdown table: medians with min–max, targets and ratios against newsboat.

Kept apart from the runner so the README's table can be regenerated from ``results.json``
without measuring again (``python -m benchmarks.report``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from benchmarks.filters import filter_rows
from benchmarks.marks import marks_rows
from benchmarks.sync import sync_rows

FIRST_PAINT_TARGET_S = 0.30  # issue 13: at 1k and at 100k, in the pty harness, bytecode compiled


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
    speed = r.get("machine_speed")
    if isinstance(speed, dict) and "start" in speed:
        lines.append(f"Machine speed: a pure-Python loop of 3 million additions took "
                     f"{speed['start']:.3f} s of CPU as the run began and "
                     f"{speed.get('end', float('nan')):.3f} s as it ended (compare runs only "
                     "where these agree).")
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
    for label in paint:  # issue 13: first paint <= 0.30 s at every size (1k and 100k)
        stories = r.get("stories", {}).get(label, "?")
        ok = paint[label]["median"] <= FIRST_PAINT_TARGET_S
        lines.append(f"| first paint, {label} ({stories} stories) | {_s(paint[label])} | "
                     f"{_s(boat_paint.get(label))} | {_ratio(paint[label], boat_paint.get(label))}"
                     f" | ≤ {FIRST_PAINT_TARGET_S:.2f} s: {_met(ok)} |")
    for state, key in (("idle", "key_latency_idle"), ("during refresh", "key_latency_busy")):
        entry = r.get(key, {})
        if not entry:
            continue
        for where in ("list", "pane"):
            e = entry.get(where)
            ok = e["median"] <= 0.016 if e else None
            extra = ""
            if e and "refresh_s" in e:
                extra = f"; n = {e['runs']}, refresh took {_s(e['refresh_s'])}"
            lines.append(f"| key latency j, {where}, {state} | {_ms(e)}{extra} | | | "
                         f"≤ 16 ms: {_met(ok)} |")
    search_keys = r.get("key_latency_search")
    if search_keys:
        ok = search_keys["median"] <= 0.016
        lines.append(f"| key latency g, list, while a search page loads | {_ms(search_keys)} | | | "
                     f"≤ 16 ms: {_met(ok)} |")
    lines += _refresh_rows(r)
    lines += filter_rows(r.get("filters"))
    lines += _list_json_rows(r)
    lines += marks_rows(r.get("marks"))
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
    lines += _real_feeds(r)
    lines += _real_profile(r)
    sync = sync_rows(r.get("sync"))
    if sync:
        lines += ["", *sync]
    lines += _refresh_notes(r)
    return "\n".join(lines) + "\n"


def _refresh_rows(r: dict[str, Any]) -> list[str]:
    """Generated feeds: cold, warm (newsboat's third reload) and against an ANALYZEd cache."""
    lines = []
    for key, entry in r.get("refresh", {}).items():
        ours = entry["reader"]
        for kind, label in (("cold", "cold"), ("warm", "warm"),
                            ("analyzed", "warm, newsboat's cache ANALYZEd")):
            boat1 = entry.get("newsboat_1", {}).get(kind)
            boat8 = entry.get("newsboat_8", {}).get(kind)
            mine = ours["warm" if kind == "analyzed" else kind]
            if kind == "analyzed" and not (boat1 or boat8):
                continue
            target = ""
            if key.startswith("500 feeds, 50 ms") and kind == "cold" and boat8:
                ok = mine["median"] <= 0.8 * boat8["median"]
                target = f"≤ 0.8 × newsboat-8: {_met(ok)}"
            if key.startswith("500 feeds, 0 ms") and kind == "warm":
                target = f"≤ 1 s: {_met(mine['median'] <= 1.0)}"
            lines.append(
                f"| refresh {key}, {label} | {_s(mine)} | 1 thread {_s(boat1)}; "
                f"8 threads {_s(boat8)} | {_ratio(mine, boat1)} / "
                f"{_ratio(mine, boat8)} | {target} |"
            )
    return lines


def _refresh_notes(r: dict[str, Any]) -> list[str]:
    """What "warm" was for newsboat, by the server's count, and its second reload."""
    notes = []
    for key, entry in r.get("refresh", {}).items():
        for threads in (1, 8):
            boat = entry.get(f"newsboat_{threads}")
            if not boat or "second" not in boat:
                continue
            answers = boat.get("answers", {})
            notes.append(
                f"- {key}, newsboat-{threads}: second reload {_s(boat['second'])} (the server "
                f"answered {_answers(answers.get('second'))}); the warm row is its third "
                f"reload ({_answers(answers.get('warm'))}), the ANALYZEd row a fourth "
                f"({_answers(answers.get('analyzed'))}).")
    if not notes:
        return []
    return ["", "newsboat keeps validators only from its second reload on, so its warm rows "
            "time the third reload (all 304), and one more after `ANALYZE` of its cache; "
            "the server's count of its answers during each:", *notes]


def _answers(counts: dict[str, int] | None) -> str:
    if not counts:
        return "nothing"
    return ", ".join(f"{n} × {status}" for status, n in sorted(counts.items()))


def _mib(entry: dict[str, Any] | None) -> str:
    if not entry:
        return "–"
    return f"{entry['median']:.0f} MB ({entry['min']:.0f}–{entry['max']:.0f})"


def _list_json_rows(r: dict[str, Any]) -> list[str]:
    lines = []
    rows = r.get("list_json", {})
    labels = list(rows)
    for label in labels:
        e = rows[label]
        target = ""
        if label == labels[-1] and len(labels) > 1:
            flat = e["max_rss_mib"]["median"] <= 1.5 * rows[labels[0]]["max_rss_mib"]["median"]
            target = (f"≤ 3 s: {_met(e['wall']['median'] <= 3)}; flat memory: {_met(flat)}")
        lines.append(f"| `reader list --json`, {label} ({e['stories']} stories, "
                     f"{e['bytes'] / 2**20:.0f} MB of JSON) | {_s(e['wall'])}; CPU user "
                     f"{e['user']['median']:.2f} s, system {e['sys']['median']:.2f} s; peak RSS "
                     f"{_mib(e['max_rss_mib'])} | | | {target} |")
    return lines


def _real_feeds(r: dict[str, Any]) -> list[str]:
    """The real corpus over loopback: reader and newsboat-8 side by side."""
    real = r.get("real_feeds")
    if not real:
        return []
    ours, boat = real["reader"], real.get("newsboat_8") or {}
    lines = [
        "",
        f"Real feeds: the {real['documents']} documents of the real corpus served over loopback "
        f"({real['latency_ms']:g} ms a request, {real['hosts']} addresses, real content types, "
        f"ETag/304); reader `refresh` against newsboat with 8 reload threads, in the same run, "
        f"alternating; median of {real['runs']} (min–max). CPU is user + system of the whole "
        f"process tree; memory the peak of the tree's PSS, sampled 10 times a second.",
    ]
    if real.get("newsboat_from"):
        lines.append(f"newsboat's column is from the run of {real['newsboat_from']}.")
    lines += ["", "| real feeds | reader | newsboat-8 | reader / newsboat | target |",
              "| --- | --- | --- | --- | --- |"]
    rows = [
        ("cold, wall", "cold", "cold", "wall", _s, 0.7),
        ("cold, CPU", "cold", "cold", "cpu", _s, 2.0),
        ("cold, peak memory", "cold", "cold", "tree_peak_mib", _mib, None),
        ("warm (newsboat: third reload), wall", "warm", "warm", "wall", _s, None),
        ("warm, CPU", "warm", "warm", "cpu", _s, None),
        ("warm, newsboat's cache ANALYZEd, wall", "warm", "analyzed", "wall", _s, None),
        ("warm, newsboat's cache ANALYZEd, CPU", "warm", "analyzed", "cpu", _s, None),
    ]
    for label, mine, theirs, figure, show, limit in rows:
        a = ours[mine][figure]
        b = (boat.get(theirs) or {}).get(figure)
        if theirs == "analyzed" and not b:
            continue
        target = ""
        if limit is not None and b:
            target = f"≤ {limit:g} × newsboat-8: {_met(a['median'] <= limit * b['median'])}"
        mine_text = show(a)
        below = ours[mine].get("descendants_cpu")
        if figure == "cpu" and below and below["median"]:
            mine_text += f"; of it, parse workers {below['median']:.2f} s"
        lines.append(f"| {label} | {mine_text} | {show(b)} | {_ratio(a, b)} | {target} |")
    lines.append(f"| stories stored | {ours['stories']} | {boat.get('stories', '–')} | | |")
    failed = "; ".join(f"{name}: {error}" for name, error in ours.get("errors", {}).items())
    lines += ["", f"Server's answers: reader cold {_answers(ours['answers'].get('cold'))}, warm "
              f"{_answers(ours['answers'].get('warm'))}" + (
                  f"; newsboat cold {_answers(boat['answers'].get('cold'))}, second "
                  f"{_answers(boat['answers'].get('second'))}, third (warm) "
                  f"{_answers(boat['answers'].get('warm'))}, after ANALYZE "
                  f"{_answers(boat['answers'].get('analyzed'))}" if boat else "") + ". "
              + (f"Failed in the reader: {failed}." if failed else "")]
    if boat.get("second"):
        lines.append(f"newsboat's second reload (downloads and parses everything again): "
                     f"{_s(boat['second']['wall'])}, CPU {_s(boat['second']['cpu'])}.")
    return lines


def _real_profile(r: dict[str, Any]) -> list[str]:
    from benchmarks.profile_real import describe

    p = r.get("real_profile")
    if not p:
        return []
    return ["", "Where the reader's CPU goes on the real corpus (one process, each stage alone): "
            + describe(p)]


def main() -> None:
    default = Path(__file__).parent / "out" / "results.json"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    print(write_report(json.loads(path.read_text())))


if __name__ == "__main__":
    main()

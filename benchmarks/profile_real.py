"""Where the reader's CPU goes on the real corpus, per real entry, stage by stage.

    python -m benchmarks.profile_real [--runs N] [--json]

Run in a process of its own (the runner starts it), with the corpus served by
``benchmarks.server`` in another process at 0 ms. Each stage is timed alone, in this one
process, so the figures add up to what one core spends on the whole corpus:

- **fetch**: every document fetched with the reader's own ``Fetcher`` (httpx, the refresh's
  concurrency limits), then again with validators (all 304): CPU of this process;
- **parse**: ``parse_feed`` of every document with the content type it is served with, the way
  a parse worker runs it; inside it, the time of each named step is measured by wrapping that
  function (``perf_counter``; a nested wrapped call is not counted twice). The steps: reading
  the document (lxml's fast path, feedparser, JSON), HTML → Markdown, HTML → text (titles,
  standfirsts), text → Markdown; "the rest of parse" is what is left (building drafts, dates,
  URLs, cleaning);
- **hand-over**: pickling each parsed feed and reading it back, what crossing from a parse
  worker to the refresh costs;
- **store**: ``record_refresh`` of every parsed feed into a fresh cache (rows, indexes and the
  full-text index, as a refresh with ``index_later`` then one indexing pass).

The fast-path share (documents read by lxml, not feedparser) is counted by the same wrappers.
Medians of ``--runs`` passes; CPU is ``process_time``, so other work on the machine counts
less than in wall time, but a loaded machine still slows caches and frequency: compare
figures taken in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import importlib
import json
import pickle
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchmarks import realfeeds
from benchmarks.server import server_process

STEPS = (
    # (label, module, function): each is wrapped wherever the reader's modules hold it.
    ("read: lxml fast path", "reader.feeds.parse_lxml", "read_plain_feed"),
    ("read: feedparser", "feedparser", "parse"),
    ("read: JSON", "reader.feeds.parse_json", "read_json_feed"),
    ("HTML → Markdown", "reader.feeds.html_markdown", "html_to_markdown"),
    ("HTML → text", "reader.feeds.html_markdown", "html_to_text"),
    ("text → Markdown", "reader.feeds.html_markdown", "text_to_markdown"),
)


class Stopwatch:
    """Own time (nested wrapped calls excluded) and calls of each wrapped function."""

    def __init__(self) -> None:
        self.own: dict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self.chars: Counter[str] = Counter()
        """Characters of the text each step was given (its first argument, if a string)."""
        self.found: Counter[str] = Counter()
        """Calls that returned something (the fast path returns None when it declines)."""
        self._inner: list[float] = []
        self.documents: dict[str, tuple[float, bool]] = {}
        """Each document's parse CPU and whether it took the fast path."""

    def wrap(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if args and isinstance(args[0], str | bytes):
                self.chars[label] += len(args[0])
            start = time.process_time()
            self._inner.append(0.0)
            result = None
            try:
                result = function(*args, **kwargs)
                return result
            finally:
                inner = self._inner.pop()
                spent = time.process_time() - start
                self.own[label] += spent - inner
                self.calls[label] += 1
                self.found[label] += result is not None
                if self._inner:
                    self._inner[-1] += spent
        return timed


@contextlib.contextmanager
def wrapped(watch: Stopwatch) -> Iterator[list[str]]:
    """Every step of ``STEPS`` timed by ``watch``; yields the labels that exist in this tree."""
    import reader.feeds.parse  # noqa: F401  (loads the modules whose names are patched)

    patched: list[tuple[Any, str, Any]] = []
    present: list[str] = []
    for label, module_name, name in STEPS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        original = getattr(module, name, None)
        if original is None:
            continue
        present.append(label)
        replacement = watch.wrap(label, original)
        holders = [module, *(m for n, m in list(sys.modules.items())
                             if n.startswith("reader.") and m is not None)]
        for holder in holders:
            for attr, value in list(vars(holder).items()):
                if value is original:
                    patched.append((holder, attr, value))
                    setattr(holder, attr, replacement)
    try:
        yield present
    finally:
        for holder, attr, value in reversed(patched):
            setattr(holder, attr, value)


def documents(count: int | None = None) -> list[tuple[str, bytes, dict[str, str]]]:
    """(name, body, headers) of every document (the first ``count``), as served."""
    out = []
    for path in realfeeds.files()[:count]:
        document = realfeeds.document(path.read_bytes())
        out.append((path.name, document.body, {"content-type": document.content_type}))
    return out


def parse_pass(docs: list[tuple[str, bytes, dict[str, str]]]) -> tuple[float, Stopwatch, list[Any]]:
    from reader.feeds.parse import FeedParseError, parse_feed

    watch = Stopwatch()
    parsed: list[Any] = []
    watch.documents = {}
    with wrapped(watch):
        start = time.process_time()
        for name, body, headers in docs:
            began, fast = time.process_time(), watch.found["read: lxml fast path"]
            try:
                parsed.append(parse_feed(body, headers, f"http://127.0.0.1/real/{name}"))
            except FeedParseError:
                parsed.append(None)
            watch.documents[name] = (time.process_time() - began,
                                     watch.found["read: lxml fast path"] > fast)
        spent = time.process_time() - start
    return spent, watch, parsed


def handover_pass(parsed: list[Any]) -> float:
    start = time.process_time()
    for feed in parsed:
        pickle.loads(pickle.dumps(feed, pickle.HIGHEST_PROTOCOL))
    return time.process_time() - start


def store_pass(parsed: list[Any]) -> float:
    from reader.models import FeedFetched
    from reader.store import Store
    from reader.store.feeds import add_feed, record_refresh

    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "c.db") as store:
        ids = [add_feed(store, f"http://127.0.0.1/real/{n}", f"f{n}") for n in range(len(parsed))]
        start = time.process_time()
        for feed_id, feed in zip(ids, parsed, strict=True):
            if feed is not None:
                record_refresh(store, feed_id, FeedFetched(drafts=feed.drafts), index_later=True)
        store.index_pending()  # as the refresh does: new stories join the index in batches
        return time.process_time() - start


def fetch_pass(urls: list[str]) -> tuple[float, float, int]:
    """CPU of fetching every URL (200), then again with validators (304); bytes fetched."""
    from reader.config import FetchSettings
    from reader.feeds.fetch import Fetcher, FetchRequest

    async def fetch_all(requests: list[Any]) -> list[Any]:
        async with Fetcher(FetchSettings()) as fetcher:
            return list(await asyncio.gather(*(fetcher.fetch(r) for r in requests)))

    start = time.process_time()
    first = asyncio.run(fetch_all([FetchRequest(u) for u in urls]))
    cold = time.process_time() - start
    start = time.process_time()
    again = asyncio.run(fetch_all([FetchRequest(r.url, r.etag, r.last_modified) for r in first]))
    warm = time.process_time() - start
    assert sum(r.status == "not_modified" for r in again) >= len(urls) - 1, \
        [r.status for r in again]
    return cold, warm, sum(len(r.body) for r in first)


def by_path(watch: Stopwatch, parsed: list[Any]) -> dict[str, dict[str, float]]:
    """Whole ``parse_feed`` CPU per entry of the documents lxml read, and of the others."""
    out: dict[str, dict[str, float]] = {}
    for (_, (spent, fast)), feed in zip(watch.documents.items(), parsed, strict=True):
        if feed is None:
            continue
        totals = out.setdefault("lxml" if fast else "other", {"documents": 0, "entries": 0,
                                                              "ms": 0.0})
        totals["documents"] += 1
        totals["entries"] += len(feed.drafts)
        totals["ms"] += 1000 * spent
    for totals in out.values():
        totals["ms_per_entry"] = totals["ms"] / max(1, totals["entries"])
    return out


def profile(runs: int, count: int | None = None) -> dict[str, Any]:
    docs = documents(count)
    parse_s: list[float] = []
    watches: list[Stopwatch] = []
    parsed: list[Any] = []
    for _ in range(runs):
        spent, watch, parsed = parse_pass(docs)
        parse_s.append(spent)
        watches.append(watch)
    entries = sum(len(p.drafts) for p in parsed if p is not None)
    middle = sorted(range(runs), key=lambda i: parse_s[i])[runs // 2]
    watch = watches[middle]
    steps = {label: 1000 * watch.own[label] / entries for label, _, _ in STEPS
             if watch.calls[label]}
    steps["rest of parse"] = 1000 * parse_s[middle] / entries - sum(steps.values())
    per_kb = {label: 1000 * watch.own[label] / (watch.chars[label] / 1000)
              for label, _, _ in STEPS if watch.chars[label]}
    handover = statistics.median(handover_pass(parsed) for _ in range(runs))
    store = statistics.median(store_pass(parsed) for _ in range(runs))
    with server_process("--files", str(realfeeds.folder()), "--hosts", "32",
                        "--lifetime", "600") as server:
        urls = [server.served.url(i, realfeeds.path_of(name))
                for i, (name, _, _) in enumerate(docs)]
        fetches = [fetch_pass(urls) for _ in range(runs)]
    fetch_cold = statistics.median(f[0] for f in fetches)
    fetch_warm = statistics.median(f[1] for f in fetches)
    read_calls = {label: watch.calls[label] for label in ("read: lxml fast path",
                                                         "read: feedparser", "read: JSON")}
    return {
        "documents": len(docs),
        "feeds": sum(p is not None for p in parsed),
        "entries": entries,
        "runs": runs,
        "fast_path_documents": watch.found["read: lxml fast path"],
        "read_calls": read_calls,
        "parse_ms_per_entry": 1000 * parse_s[middle] / entries,
        "parse_steps_ms_per_entry": steps,
        "handover_ms_per_entry": 1000 * handover / entries,
        "store_ms_per_entry": 1000 * store / entries,
        "fetch_ms_per_entry": 1000 * fetch_cold / entries,
        "fetch_ms_per_request": 1000 * fetch_cold / len(docs),
        "fetch_304_ms_per_request": 1000 * fetch_warm / len(docs),
        "bytes": fetches[0][2],
        "by_path": by_path(watch, parsed),
        "ms_per_1000_chars": per_kb,
        "costliest": [
            {"name": name, "ms": 1000 * ms, "entries": len(feed.drafts) if feed else 0,
             "fast_path": fast}
            for (name, (ms, fast)), feed in sorted(
                zip(watch.documents.items(), parsed, strict=True),
                key=lambda pair: -pair[0][1][0])[:15]],
    }


def describe(p: dict[str, Any]) -> str:
    steps = "; ".join(f"{label} {ms:.3f}" for label, ms in p["parse_steps_ms_per_entry"].items())
    total = (p["fetch_ms_per_entry"] + p["parse_ms_per_entry"] + p["handover_ms_per_entry"]
             + p["store_ms_per_entry"])
    return (f"{p['documents']} documents ({p['feeds']} feeds, {p['entries']} entries; "
            f"{p['fast_path_documents']} on the lxml fast path), ms of CPU per entry, median of "
            f"{p['runs']}: fetch (httpx) {p['fetch_ms_per_entry']:.3f} "
            f"({p['fetch_ms_per_request']:.2f} ms a request, 304: "
            f"{p['fetch_304_ms_per_request']:.2f} ms); parse {p['parse_ms_per_entry']:.3f} "
            f"[{steps}]; hand-over (pickle) {p['handover_ms_per_entry']:.3f}; "
            f"store {p['store_ms_per_entry']:.3f}; in all {total:.3f} ms an entry, one core."
            + " Per 1,000 characters given: " + "; ".join(
                f"{label} {ms:.3f} ms" for label, ms in p.get("ms_per_1000_chars", {}).items())
            + "." + "".join(f" Whole parse of the {t['documents']:.0f} documents "
                      f"{'read by lxml' if path == 'lxml' else 'read otherwise'}: "
                      f"{t['ms_per_entry']:.3f} ms an entry ({t['entries']:.0f} entries)."
                      for path, t in sorted(p.get("by_path", {}).items())))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--documents", type=int, help="only the first N documents (smoke runs)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    result = profile(args.runs, args.documents)
    print(json.dumps(result) if args.json else describe(result))


if __name__ == "__main__":
    main()

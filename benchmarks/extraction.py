"""How well readability-lxml and trafilatura find an article's main text, through our converter.

    .venv/bin/python -m benchmarks.extraction            # all 181 pages, a table on stdout
    .venv/bin/python -m benchmarks.extraction --json     # the same figures as JSON
    .venv/bin/python -m benchmarks.extraction --pages 5  # a smoke run

The pages are ``../shared/extraction/`` (or ``$READER_EXTRACTION_DIR``): 181 real article pages
with their human-marked main text (Scrapinghub's article-extraction-benchmark). Each library is
asked for the article as **HTML**, which then goes through the reader's own
``html_to_markdown`` and ``plain_text``, exactly as a saved story does: the score is of what a
reader would read, never of a library's own text or Markdown output (trafilatura's Markdown
keeps ``javascript:`` links).

Scoring, as the set's README says: the extracted text and the ground truth are split into word
tokens (``\\w+``, lower-cased); precision, recall and F1 of the bag of tokens, counts clipped
(a word found 3 times where the truth has it twice counts twice), per page, then averaged over
the pages. "prose F1" leaves the images' alt text out of the extracted text (the pane shows
it under the image, so the main F1 counts it). Time per page is the library's extraction plus
our conversion, wall clock and (in brackets) CPU time, which a loaded machine disturbs less;
the two libraries run page by page in alternating order, so a busy machine slows both alike.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from reader.feeds.html_markdown import html_to_markdown
from reader.fulltext.extract import decode_html, main_html, plain_text

ROOT = Path(__file__).resolve().parent.parent
_TOKEN = re.compile(r"\w+")
_IMAGE = re.compile(r"!\[((?:\\.|[^\]\\])*)\]\([^)\s]*\)")


def extraction_dir() -> Path:
    """The page set: ``$READER_EXTRACTION_DIR``, else ``../shared/extraction`` of the repo."""
    chosen = os.environ.get("READER_EXTRACTION_DIR")
    return Path(chosen) if chosen else ROOT.parent / "shared" / "extraction"


@dataclass(frozen=True, slots=True)
class Page:
    key: str
    url: str
    html: str
    truth: str


def load_pages(folder: Path, limit: int | None = None) -> list[Page]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        raw = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes())
        pages.append(Page(key, truth[key]["url"], decode_html(raw), truth[key]["articleBody"]))
    return pages


def tokens(text: str) -> Counter[str]:
    return Counter(_TOKEN.findall(text.lower()))


def score(extracted: str, truth: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of the bag of tokens, counts clipped."""
    got, want = tokens(extracted), tokens(truth)
    common = sum((got & want).values())
    found, wanted = sum(got.values()), sum(want.values())
    precision = common / found if found else float(not wanted)
    recall = common / wanted if wanted else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def readability_html(page: Page) -> str:
    return main_html(page.html, page.url)


def trafilatura_html(page: Page) -> str:
    import trafilatura

    return trafilatura.extract(page.html, url=page.url, output_format="html",
                               include_links=True, include_images=True) or ""


LIBRARIES: dict[str, tuple[str, Callable[[Page], str]]] = {
    "readability-lxml": ("readability", readability_html),
    "trafilatura": ("trafilatura", trafilatura_html),
}


def available(names: list[str]) -> tuple[list[str], list[str]]:
    usable, missing = [], []
    for name in names:
        module = LIBRARIES[name][0]
        try:
            __import__(module)
        except ImportError:
            missing.append(name)
        else:
            usable.append(name)
    return usable, missing


def run(pages: list[Page], names: list[str]) -> dict[str, Any]:
    per: dict[str, dict[str, list[float]]] = {
        n: {"p": [], "r": [], "f": [], "prose_f": [], "ms": [], "cpu": []} for n in names
    }
    for index, page in enumerate(pages):
        order = names if index % 2 == 0 else list(reversed(names))
        for name in order:
            extract = LIBRARIES[name][1]
            start, cpu = time.perf_counter(), time.process_time()
            markdown = html_to_markdown(extract(page), page.url)
            text = plain_text(markdown)
            per[name]["cpu"].append((time.process_time() - cpu) * 1000)
            per[name]["ms"].append((time.perf_counter() - start) * 1000)
            p, r, f = score(text, page.truth)
            per[name]["p"].append(p)
            per[name]["r"].append(r)
            per[name]["f"].append(f)
            per[name]["prose_f"].append(score(plain_text(_IMAGE.sub("", markdown)),
                                              page.truth)[2])
    results: dict[str, Any] = {}
    for name, values in per.items():
        results[name] = {
            "version": metadata.version(name),
            "pages": len(pages),
            "precision": round(statistics.fmean(values["p"]), 3),
            "recall": round(statistics.fmean(values["r"]), 3),
            "f1": round(statistics.fmean(values["f"]), 3),
            "prose_f1": round(statistics.fmean(values["prose_f"]), 3),
            "ms_median": round(statistics.median(values["ms"]), 1),
            "ms_mean": round(statistics.fmean(values["ms"]), 1),
            "cpu_ms_median": round(statistics.median(values["cpu"]), 1),
            "pages_below_0_5": sum(1 for f in values["f"] if f < 0.5),
        }
    return results


def table(results: dict[str, Any]) -> str:
    lines = [
        "| library | precision | recall | F1 | prose F1 | ms/page: median, mean (CPU median)"
        " | F1 < 0.5 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} {r['version']} | {r['precision']:.3f} | {r['recall']:.3f} | "
            f"**{r['f1']:.3f}** | {r['prose_f1']:.3f} | {r['ms_median']:.1f}, {r['ms_mean']:.1f}"
            f" ({r['cpu_ms_median']:.1f})"
            f" | {r['pages_below_0_5']} of {r['pages']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.extraction",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=None, help="only the first N pages")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--library", action="append", choices=sorted(LIBRARIES),
                        help="measure only this library (repeatable)")
    args = parser.parse_args(argv)
    folder = extraction_dir()
    if not (folder / "ground-truth.json").is_file():
        print(f"extraction: no page set at {folder} (set READER_EXTRACTION_DIR)", file=sys.stderr)
        return 2
    usable, missing = available(args.library or list(LIBRARIES))
    for name in missing:
        print(f"extraction: {name} is not installed (pip install -e '.[test]'), skipped",
              file=sys.stderr)
    if not usable:
        return 2
    results = run(load_pages(folder, args.pages), usable)
    print(json.dumps(results, indent=2) if args.json else table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

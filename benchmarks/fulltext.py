"""What saving full text costs a refresh, and the app's memory reading such stories (issue 17).

    .venv/bin/python -m benchmarks.fulltext              # 100 feeds × 20 items, 50 ms, 3 runs
    .venv/bin/python -m benchmarks.fulltext --quick      # 4 feeds × 5 items, 1 run (a smoke run)

The feeds are summary-only RSS 2.0 (a two-sentence description ending in "Continue
reading...", no content), served on 127.0.0.1 … 127.0.0.32 with a fixed latency per request;
each item links (relatively, so on its feed's host) to one of the 181 real article pages of
``../shared/extraction/``. A cold ``reader refresh`` (a fresh cache, ``reader import`` then
``refresh``, the real commands as processes) is timed three ways, interleaved run by run:
without full text (``pages_per_refresh = 0``), with the default budget (200 pages), and with
every page (``pages_per_refresh`` = all items). Images are off in those runs (the pages' own
images point at hosts that do not exist here).

Then the app's memory: a cache of the first two feeds refreshed with full text *and* images,
where each served page carries one more picture (``/img/N.jpg``, a 1600×1000 JPEG, put after
the page's longest paragraph, so it is inside the article), and the app's peak resident size
(``VmHWM``) is read after opening 30 of those stories in a real pty, one after another (each
drawn with its saved picture), against the same after opening 30 summary-only stories.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from benchmarks.common import quiet_env, reader_argv, run_checked, subscribe
from benchmarks.run import needle
from benchmarks.server import Catalogue, Document, serving
from benchmarks.terminal import PtyProgram

ROOT = Path(__file__).resolve().parent
EXTRACTION = Path(os.environ.get("READER_EXTRACTION_DIR")
                  or ROOT.parent.parent / "shared" / "extraction")
_FEED = re.compile(r"^/sfeed/(\d+)\.xml$")
_PAGE = re.compile(r"^/page/(\d+)/(\d+)$")
_SAVED = re.compile(r"full text saved for (\d+) of (\d+)")
_IMAGES = re.compile(r"(\d+) images? saved")
_PICTURE = re.compile(r"^/img/(\d+)\.jpg$")


@dataclass
class SummaryFeeds(Catalogue):
    """``/sfeed/N.xml`` (summary-only RSS) and ``/page/N/M`` (real article pages)."""

    items: int = 20
    pages: list[bytes] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    picture: bytes = b""
    """When set, every page carries one more picture, ``/img/N.jpg`` (these bytes)."""

    def lookup(self, path: str) -> Document | None:
        found = _FEED.match(path)
        if found:
            return self._feed(int(found.group(1)))
        found = _PAGE.match(path)
        if found and self.pages:
            number = int(found.group(1)) * self.items + int(found.group(2))
            body = self.pages[number % len(self.pages)]
            if self.picture:
                body = with_picture(body, f"/img/{number}.jpg", f"Picture {number}",
                                    self.articles[number % len(self.pages)])
            return Document(body, "text/html; charset=utf-8", f'"p{number}"')
        found = _PICTURE.match(path)
        if found and self.picture:
            return Document(self.picture, "image/jpeg", f'"i{found.group(1)}"')
        return None

    def _feed(self, feed: int) -> Document:
        parts = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
                 f"<title>Summaries {feed}</title><link>/</link>"]
        for item in range(self.items):
            link = f"/page/{feed}/{item}"
            summary = (f"<p>Story {item} of feed {feed}: what happened, in a sentence. Why it "
                       f"matters, in another. <a href='{link}'>Continue reading...</a></p>")
            parts.append(
                f"<item><guid isPermaLink='false'>{feed}-{item}</guid>"
                f"<title>Story {item} of feed {feed}</title><link>{link}</link>"
                f"<pubDate>{formatdate(1_790_000_000 - item * 600 - feed, usegmt=True)}</pubDate>"
                f"<description>{escape(summary)}</description></item>")
        parts.append("</channel></rss>")
        return Document("".join(parts).encode(), "application/rss+xml", f'"f{feed}"')


def with_picture(page: bytes, src: str, alt: str, article: str) -> bytes:
    """``page`` with ``<img src alt>`` at the end of the longest of its paragraphs that the
    human-marked ``article`` text holds (so inside the article), without the page's own
    images and ``<base>`` (their hosts are real ones: nothing may leave the machine)."""
    import lxml.html

    from reader.fulltext.extract import decode_html

    try:
        root = lxml.html.document_fromstring(decode_html(page, "text/html; charset=utf-8"))
    except (ValueError, lxml.etree.ParserError):
        return page
    for own in root.xpath("//img | //picture | //source | //base | //noscript"):
        own.drop_tree()
    words = " ".join(article.split())
    inside = [p for p in root.iter("p") if len(text := " ".join(p.text_content().split())) > 40
              and text[:60] in words]
    if inside:
        longest = max(inside, key=lambda p: len(p.text_content()))
        longest.append(lxml.html.fragment_fromstring(f'<img src="{src}" alt="{alt}">'))
    return lxml.html.tostring(root, encoding="unicode").encode("utf-8")


def make_picture() -> bytes:
    """A 1600×1000 JPEG of bands and circles (~100 KB), like a news photo in size."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 1000), (18, 52, 86))
    draw = ImageDraw.Draw(image)
    for x in range(0, 1600, 40):
        draw.line([(x, 1000), (800, 250)], fill=(40 + x // 16, 120, 200 - x // 16), width=3)
    draw.ellipse([620, 80, 980, 440], fill=(250, 200, 60))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def load_pages(folder: Path) -> list[bytes]:
    return [gzip.decompress(p.read_bytes()) for p in sorted((folder / "html").glob("*.html.gz"))]


def load_articles(folder: Path) -> list[str]:
    """The human-marked main text of each page, in ``load_pages``'s order."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    return [truth.get(p.name.removesuffix(".html.gz"), {}).get("articleBody", "")
            for p in sorted((folder / "html").glob("*.html.gz"))]


def cold_refresh(urls: list[str], pages: int, scratch: Path, images: int = 0,
                 name: str | None = None) -> tuple[float, str]:
    home = scratch / (name or f"home-{pages}")
    shutil.rmtree(home, ignore_errors=True)
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text(
        f"[full_text]\npages_per_refresh = {pages}\nimages_per_story = {images}\n"
        "[fetch]\nrefresh_deadline = 3600.0\nhost_deadline = 3600.0\n")
    subscribe(home, urls)
    return run_checked(reader_argv(home, "refresh"))


def app_memory(home: Path, stories: int) -> float | None:
    """Peak RSS (MB) of the app after opening ``stories`` stories one after another."""
    with PtyProgram(reader_argv(home), quiet_env()) as app:
        app.wait_for(needle("Story 0 of feed"), timeout=60)
        app.quiet(0.3, 5)
        for _ in range(stories):
            app.send(b"\r")  # open the story under the cursor (its whole text)
            app.quiet(0.3, 5)
            app.send(b"\x1b")  # back to the list
            app.quiet(0.2, 5)
            app.send(b"j")
            app.quiet(0.2, 5)
        peak = app.peak_rss_kib()
    return peak / 1024 if peak is not None else None


def summary(values: list[float]) -> dict[str, Any]:
    return {"median": round(statistics.median(values), 2), "min": round(min(values), 2),
            "max": round(max(values), 2), "runs": len(values)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fulltext")
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hosts", type=int, default=32, help="127.0.0.1 .. 127.0.0.N")
    parser.add_argument("--quick", action="store_true", help="4 feeds × 5 items, 1 run")
    parser.add_argument("--open", type=int, default=30,
                        help="stories opened in the app before its memory is read (0: skip)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.feeds, args.items, args.runs, args.hosts = 4, 5, 1, 2
    if not (EXTRACTION / "ground-truth.json").is_file():
        print(f"fulltext: no page set at {EXTRACTION}", file=sys.stderr)
        return 2
    catalogue = SummaryFeeds(items=args.items, pages=load_pages(EXTRACTION),
                             articles=load_articles(EXTRACTION))
    catalogue.latency = args.latency_ms / 1000
    everything = args.feeds * args.items
    budgets = sorted({0, min(200, everything), everything})
    times: dict[int, list[float]] = {b: [] for b in budgets}
    saved: dict[int, str] = {}
    with serving(catalogue, hosts=args.hosts) as served, \
            tempfile.TemporaryDirectory(prefix="reader-fulltext-bench-") as folder:
        scratch = Path(folder)
        urls = [served.url(n, f"/sfeed/{n}.xml") for n in range(args.feeds)]
        for run in range(args.runs):
            order = budgets if run % 2 == 0 else list(reversed(budgets))
            for pages in order:
                elapsed, out = cold_refresh(urls, pages, scratch)
                times[pages].append(elapsed)
                found = _SAVED.search(out)
                saved[pages] = f"{found.group(1)} of {found.group(2)}" if found else "none"
        opened = min(args.open, 2 * args.items)
        memory: float | None = None
        bare: float | None = None
        pictures = "none"
        if opened > 0:
            catalogue.picture = make_picture()
            _, out = cold_refresh(urls[:2], 2 * args.items, scratch, images=1,
                                  name="home-pictures")
            found = _IMAGES.search(out)
            pictures = found.group(1) if found else "0"
            memory = app_memory(scratch / "home-pictures", opened)
            bare = app_memory(scratch / "home-0", opened)
    results = {
        "feeds": args.feeds, "items": args.items, "latency_ms": args.latency_ms,
        "cold_refresh_s": {("no full text" if b == 0 else f"{b} pages"): summary(times[b])
                           for b in budgets},
        "pages_saved": {f"{b} pages": saved[b] for b in budgets if b},
        "app_stories_opened": opened,
        "app_pictures_saved": pictures,
        "app_peak_rss_mb": round(memory, 1) if memory is not None else None,
        "app_peak_rss_mb_summaries": round(bare, 1) if bare is not None else None,
    }
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{args.feeds} summary-only feeds × {args.items} items, {args.latency_ms:g} ms a "
              f"request, cold refresh (median of {args.runs}, min–max):")
        for label, figures in results["cold_refresh_s"].items():
            extra = results["pages_saved"].get(label, "")
            print(f"  {label:>14}: {figures['median']:.2f} s ({figures['min']:.2f}–"
                  f"{figures['max']:.2f})" + (f"; full text saved for {extra}" if extra else ""))
        print(f"app peak RSS after opening {opened} stories one after another: "
              f"{results['app_peak_rss_mb']} MB with full text and a picture each "
              f"({pictures} pictures saved), {results['app_peak_rss_mb_summaries']} MB "
              "with summaries only")
    return 0


if __name__ == "__main__":
    sys.exit(main())

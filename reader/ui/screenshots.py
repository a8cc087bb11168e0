"""Write SVG screenshots of the main screens, produced by the real app on the bundled seeds.

    python -m reader.ui.screenshots [OUTPUT_DIR]     (default: ./screenshots)

Runs headless in a throwaway READER_HOME, so your own cache is never touched. The README shows
the files this writes; rerun it after changing anything visible. Real stories from the shared
corpus of real feeds (``$READER_REALFEEDS``, else ``../shared/realfeeds``) are shot too when it
is there: they show what the seeds cannot (a table, for one). With the ``images`` extra, a
story saved with its full text and picture is shot too, as a refresh saves them and as it reads
with the network gone (half-cell blocks, as in tmux).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

from textual.pilot import Pilot

from reader.cli.context import Context
from reader.models import View
from reader.store import Store
from reader.ui.app import ReaderApp, create_app
from reader.ui.pilot import settle

Steps = Callable[[Pilot[None]], Awaitable[None]]


async def _list_and_story(pilot: Pilot[None]) -> None:
    await pilot.press("enter")
    await settle(pilot)


async def _related(pilot: Pilot[None]) -> None:
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    await pilot.press("tab")
    await settle(pilot)


async def _help(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("question_mark")
    await settle(pilot)


async def _narrow(pilot: Pilot[None]) -> None:
    await pilot.press("enter")
    await settle(pilot)


FOLDERS = {
    "News": [("BBC News", 14, 9), ("The Register", 11, 4), ("Reuters: World", 8, 8)],
    "Tech": [("Ars Technica", 12, 3), ("LWN.net", 9, 9), ("Hacker News", 30, 21)],
    "Podcasts": [("The Talk Show", 5, 1)],
    None: [("Julia Evans", 6, 2), ("Planet Python", 0, 0)],
}
"""The folder tree's picture: folder → (feed, stories, unread); Planet Python failed."""
SHOT_TIME = 1_793_000_000.0
"""Every time in a picture is this one, so the pictures only change when the app does."""


async def _folders(pilot: Pilot[None]) -> None:
    """A cache of feeds in folders (one failing), then S, the cursor on a feed."""
    from reader.models import FeedFailed, FeedFetched, StoryDraft
    from reader.store.feeds import add_feed, record_refresh, set_group

    app = pilot.app
    assert isinstance(app, ReaderApp)
    with Store.open(app.paths.database) as store:
        for group, feeds in FOLDERS.items():
            for name, count, unread in feeds:
                feed = add_feed(store, f"https://{name.lower().replace(' ', '')}.example/feed",
                                name)
                set_group(store, feed, group)
                update: FeedFetched | FeedFailed = FeedFetched(drafts=tuple(
                    StoryDraft(key=f"{name}-{n}", title=f"{name} story {n}",
                               published=f"2026-11-{1 + n % 28:02d}T08:00:00+00:00")
                    for n in range(count)))
                if not count:
                    update = FeedFailed("HTTP 503 Service Unavailable")
                record_refresh(store, feed, update, now=SHOT_TIME)
                stories = [s.id for s in store.iter_view(View(source_id=feed))]
                store.mark(stories[unread:], read=True)
    await pilot.press("S")
    await settle(pilot)
    for _ in range(20):  # down onto "LWN.net"
        entry = getattr(app.screen, "highlighted", None)
        if entry is None or entry.name == "LWN.net":
            break
        await pilot.press("j")
    await settle(pilot)


SHOTS: list[tuple[str, tuple[int, int], Steps]] = [
    ("list-and-story", (140, 40), _list_and_story),
    ("related-navigation", (140, 40), _related),
    ("help", (140, 40), _help),
    ("narrow", (80, 32), _narrow),
    ("folder-tree", (140, 40), _folders),
]


def _open_titled(title: str, pages_down: int) -> Steps:
    """Open the story called ``title`` and page down ``pages_down`` times."""
    async def steps(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, ReaderApp) and app.main_screen is not None
        with Store.open(app.paths.database) as store:
            story_id = store.find_titles(title.split())[0][0]
        await app.main_screen.open_story(story_id)
        await settle(pilot)
        for _ in range(pages_down):
            await pilot.press("space")
        await settle(pilot)

    return steps


REAL_SHOTS: list[tuple[str, tuple[int, int], Steps, str]] = [
    # A real story's table: two header rows joined, row headings in bold, wrapped cells.
    ("story-with-table", (140, 40), _open_titled("Ruby and other gems", 3),
     "feedjira__HREFConsideredHarmful.xml"),
    # A podcast episode: its enclosure under the byline, links numbered, the Links section.
    ("story-links-and-enclosure", (140, 48), _open_titled("224: Yearning for Reflection", 0),
     "nnw__atp.rss"),
]
"""Shots of real stories: (name, size, steps, the corpus file the story comes from)."""


def realfeeds_dir() -> Path | None:
    """The shared corpus of real feeds, if it is where the tests look for it."""
    folder = Path(os.environ.get("READER_REALFEEDS") or "../shared/realfeeds")
    return folder if folder.is_dir() else None


def _store_feed(home: Path, document: Path) -> None:
    """Store a real feed document's stories the way a refresh would (no server needed)."""
    from reader.feeds.parse import parse_feed
    from reader.models import FeedFetched
    from reader.store.feeds import add_feed, record_refresh

    url = f"https://example.org/{document.name}"
    parsed = parse_feed(document.read_bytes(), {}, url)
    with Store.open(Context.create(str(home), []).paths.database) as store:
        feed_id = add_feed(store, url, document.stem)
        # Stored at a fixed time, and the shot's clock is fixed too: the status row says when
        # the cache was updated, and a wall-clock time would change the shot on every run.
        record_refresh(store, feed_id, FeedFetched(drafts=parsed.drafts, title=parsed.title,
                                                   site_url=parsed.site_url), now=SAVED_AT)


FULL_TEXT_URL = "https://harbour.example/news/lighthouse"
PICTURE_URL = "https://harbour.example/img/pier.jpg"
FULL_TEXT_FEED = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour News</title>
<link>https://harbour.example/</link><item><guid>lighthouse</guid>
<title>The north pier lighthouse will be restored</title><link>{FULL_TEXT_URL}</link>
<pubDate>Mon, 30 Nov 2026 09:00:00 GMT</pubDate><description>&lt;p&gt;The harbour authority
has decided to restore the 1871 lighthouse rather than demolish it. &lt;a
href="{FULL_TEXT_URL}"&gt;Continue reading...&lt;/a&gt;&lt;/p&gt;</description></item>
</channel></rss>"""
"""A summary-only feed (a demo: the shot needs a page and a picture we may show)."""
SAVED_AT = 1_796_029_200.0
"""When the demo story was refreshed (its feed's date: 2026-11-30 09:00 UTC)."""
FULL_TEXT_PAGE = f"""<html><head><title>Lighthouse saved</title><script>track()</script>
</head><body><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<div class="ad">Advertisement: boats for sale</div>
<header><h1>The north pier lighthouse will be restored</h1></header><article>
<p>The harbour authority confirmed on Tuesday that the old lighthouse at the end of the north
pier will be restored rather than demolished, after a two-year campaign by residents who argued
that the structure was part of the town's identity.</p>
<figure><img src="{PICTURE_URL}" alt="The lighthouse at dusk, seen from the beach">
<figcaption>The lighthouse at dusk</figcaption></figure>
<p>Engineers found that the iron frame, built in 1871, was in better condition than feared. Most
of the corrosion is confined to the lantern room, which will be dismantled, shot-blasted and
reassembled on site over the winter.</p>
<p>The restoration will cost about 1.4 million, of which the heritage fund will pay two thirds.
The rest comes from a local appeal that raised more than 300,000 in small donations, many of
them from former fishermen and their families.</p>
<p>Work is due to start in February. The pier will stay open to walkers, though the last fifty
metres will be fenced off while cranes are on site. The light itself, decommissioned in 1987,
will not return to service, but the lantern will be lit on winter evenings.</p>
</article><footer>Copyright. Cookies. Contact us.</footer></body></html>"""


def _picture() -> bytes:
    """A 1600×900 JPEG (a pier at dusk, in shapes), as a site would serve it."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1600, 900), (18, 52, 86))
    draw = ImageDraw.Draw(image)
    for x in range(0, 1600, 40):
        draw.line([(x, 900), (800, 250)], fill=(40 + x // 16, 120, 200 - x // 16), width=3)
    draw.ellipse([620, 80, 980, 440], fill=(250, 200, 60))
    draw.rectangle([0, 700, 1600, 900], fill=(30, 110, 60))
    draw.rectangle([1180, 260, 1260, 700], fill=(235, 235, 225))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def _store_full_text_story(home: Path) -> None:
    """Store the summary-only story, then its page's text and picture, with the functions a
    refresh runs on a fetched page and image (``page_text``, ``apply_page_text``,
    ``process_image``, the image cache): the same result, with no network at all."""
    from reader.feeds.fetch import FetchResult
    from reader.feeds.parse import parse_feed
    from reader.fulltext.at_refresh import apply_page_text
    from reader.fulltext.pages import PageJob, page_text
    from reader.images.cache import ImageCache
    from reader.images.process import process_image
    from reader.models import FeedFetched
    from reader.store.feeds import add_feed, record_refresh

    paths = Context.create(str(home), []).paths
    feed_url = "https://harbour.example/feed.xml"
    parsed = parse_feed(FULL_TEXT_FEED.encode(), {}, feed_url)
    with Store.open(paths.database) as store:
        feed_id = add_feed(store, feed_url, "Harbour News")
        record_refresh(store, feed_id, FeedFetched(drafts=parsed.drafts, title=parsed.title,
                                                   site_url=parsed.site_url), now=SAVED_AT)
        story = next(iter(store.iter_view(View(source_id=feed_id))))
        fetched = FetchResult("ok", FULL_TEXT_URL, FULL_TEXT_PAGE.encode(),
                              {"content-type": "text/html; charset=utf-8"}, 200)
        with store.transaction():
            apply_page_text(store, page_text(PageJob(story.id, FULL_TEXT_URL, story.body),
                                             fetched), story.body)
            ImageCache(paths.images_dir, store.conn).save(
                story.id, PICTURE_URL, process_image(_picture()), now=SAVED_AT)


async def _full_text(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, ReaderApp) and app.main_screen is not None
    with Store.open(app.paths.database) as store:
        story_id = store.find_titles(["lighthouse"])[0][0]
    await app.main_screen.open_story(story_id)
    await settle(pilot)


def _app(home: Path, clock: Callable[[], float] = time.time) -> ReaderApp:
    """The app on ``home``; it does not refresh as it opens (its feeds' URLs are made up, so
    a refresh on start would put "1 failed" on the status line of the shot), nor later (the
    status line would say when, a wall-clock time). ``clock``: the app's "now"."""
    context = Context.create(str(home), [])
    context.store()
    context.close()
    config = replace(context.config, refresh=replace(
        context.config.refresh, refresh_on_start=False, refresh_interval=0))
    return create_app(context.paths, config, url_opener=lambda url: None, clock=clock)


async def take(name: str, size: tuple[int, int], steps: Steps, out: Path,
               feed: Path | None = None, prepare: Callable[[Path], None] | None = None,
               clock: Callable[[], float] = time.time) -> Path:
    with tempfile.TemporaryDirectory(prefix="reader-shot-") as home:
        if feed is not None:
            _store_feed(Path(home), feed)
        if prepare is not None:
            prepare(Path(home))
        app = _app(Path(home), clock)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await steps(pilot)
            target = out / f"{name}.svg"
            target.write_text(app.export_screenshot(title=f"reader: {name}"), encoding="utf-8")
    return target


def main(argv: list[str]) -> int:
    import textual.constants

    # The shots are in full colour whatever terminal runs this: TERM=xterm (16 colours) would
    # draw the list's cursor in reverse video (reader.ui.app, -few-colours).
    setattr(textual.constants, "COLOR_SYSTEM", "truecolor")  # noqa: B010 (a Final name)
    out = Path(argv[0]) if argv else Path("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    for name, size, steps in SHOTS:
        print(asyncio.run(take(name, size, steps, out)))
    from reader.ui.picture_support import prepare

    if prepare("halfcell"):
        print(asyncio.run(take("full-text-offline", (140, 46), _full_text, out,
                               prepare=_store_full_text_story, clock=lambda: SAVED_AT + 600)))
    else:
        print("no images extra (pip install reader-tui[images]): the full-text shot is left "
              "as it is", file=sys.stderr)
    corpus = realfeeds_dir()
    if corpus is None:
        print("no corpus of real feeds (READER_REALFEEDS): the real stories' shots are left as "
              "they are", file=sys.stderr)
        return 0
    for name, size, steps, document in REAL_SHOTS:
        print(asyncio.run(take(name, size, steps, out, corpus / document,
                               clock=lambda: SAVED_AT + 600)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

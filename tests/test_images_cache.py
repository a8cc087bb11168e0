"""Images saved at refresh from a loopback server; the cache's cap, pins and cleaning."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

pytest.importorskip("PIL", reason="the images extra is not installed")

from conftest import run_reader
from feed_server import FeedServer, static
from image_samples import SVG, big_jpeg_bytes, bomb_png, jpeg, pixel_gif, png
from PIL import Image

from reader.images.cache import ImageCache, file_name
from reader.images.process import process_image
from reader.models import StoryDraft
from reader.store import Store

CONFIG = "[full_text]\nimages_per_story = 7\n"


def content_feed(server: FeedServer) -> bytes:
    """One story with its whole text in ``content:encoded`` and seven pictures."""
    names = ["big.png", "photo.jpg", "drawing.svg", "pixel.gif", "huge.jpg", "bomb.png",
             "gone.png"]
    html = "<p>" + " ".join(["word"] * 300) + "</p>" + "".join(
        f'<p><img src="{server.url("/img/" + n)}" alt="Picture {n}"></p>' for n in names)
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<title>Pictures</title><link>http://127.0.0.1:9/</link>"
        "<item><guid>p1</guid><title>A story with pictures</title>"
        "<link>http://127.0.0.1:9/p1</link>"
        f"<pubDate>{formatdate(1_700_000_000, usegmt=True)}</pubDate>"
        f"<description>{escape('<p>A summary.</p>')}</description>"
        f"<content:encoded>{escape(html)}</content:encoded></item></channel></rss>"
    ).encode()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    running = FeedServer()
    running.routes.update({
        "/img/big.png": static(png(3000, 1500), "image/png"),
        "/img/photo.jpg": static(jpeg(800, 600), "image/jpeg"),
        "/img/drawing.svg": static(SVG, "image/svg+xml"),
        "/img/pixel.gif": static(pixel_gif(), "image/gif"),
        "/img/huge.jpg": static(big_jpeg_bytes(), "image/jpeg"),
        "/img/bomb.png": static(bomb_png(), "image/png"),
    })
    running.routes["/feed.xml"] = static(content_feed(running))
    yield running
    running.stop()


def test_a_refresh_saves_and_downscales_images_and_refuses_the_rest(
        server: FeedServer, isolated_home: Path) -> None:
    home = isolated_home
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "config.toml").write_text(CONFIG)
    run_reader("import", "/dev/null", home=home)  # creates the cache; no feeds
    opml = home / "f.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><body><outline type="rss" '
                    f'text="Pictures" xmlUrl="{server.url("/feed.xml")}"/></body></opml>')
    assert run_reader("import", str(opml), home=home).returncode == 0
    done = run_reader("refresh", home=home, check=True)
    assert "2 images saved" in done.stdout

    folder = home / "cache" / "images"
    saved = {p.name for p in folder.iterdir()}
    big = file_name(server.url("/img/big.png"), ".jpg")
    photo = file_name(server.url("/img/photo.jpg"), ".jpg")
    assert saved == {big, photo}
    with Image.open(folder / big) as image:
        assert image.size == (1024, 512)
    with Image.open(folder / photo) as image:
        assert image.size == (800, 600)

    with Store.open(home / "data" / "cache.sqlite3") as store:
        refused = dict(store.conn.execute("SELECT url, error FROM images WHERE file IS NULL"))
    reasons = {url.rsplit("/", 1)[1]: reason for url, reason in refused.items()}
    assert reasons["drawing.svg"] == "not an image type that is kept (image/svg+xml)"
    assert reasons["pixel.gif"] == "a tracking pixel (1×1)"
    assert reasons["huge.jpg"] == "larger than 5 MB"
    assert "decompression bomb" in reasons["bomb.png"]
    assert reasons["gone.png"] == "404 from the site"

    report = json.loads(run_reader("images", "--json", home=home, check=True).stdout)
    assert report["images"] == 2 and report["refused"] == 5
    assert report["bytes"] == sum((folder / n).stat().st_size for n in saved)
    assert report["cap"] == 200 * 1024 * 1024
    requests = len(server.requests)
    run_reader("refresh", home=home, check=True)  # nothing is downloaded twice
    assert len(server.requests) == requests + 1  # the feed only
    purged = run_reader("images", "--purge", home=home, check=True)
    assert purged.stdout.strip() == "removed 2 images"
    assert not list(folder.iterdir())


def _story(store: Store, key: str) -> str:
    source = store.ensure_source("feed", "http://127.0.0.1:9/f", "F", url="http://127.0.0.1:9/f")
    store.save_stories(source, [StoryDraft(key=key, title=f"Story {key}")])
    row = store.conn.execute("SELECT id FROM stories WHERE key = ?", (key,)).fetchone()
    return str(row[0])


def test_the_cap_evicts_the_least_recently_shown_first_and_keeps_starred_stories(
        tmp_path: Path) -> None:
    with Store.open(tmp_path / "cache.sqlite3") as store:
        one, two, three = (_story(store, k) for k in ("1", "2", "3"))
        image = process_image(png(600, 400))
        cache = ImageCache(tmp_path / "images", store.conn, cap=2 * len(image.data) + 10)
        with store.transaction():
            for when, story in enumerate((one, two, three)):
                cache.save(story, f"http://127.0.0.1:9/{story}.png", image, now=when)
        store.set_starred(one, True)  # the oldest, but pinned
        with store.transaction():
            assert cache.enforce_cap() == 1
        assert set(cache.for_story(one)) == {f"http://127.0.0.1:9/{one}.png"}
        assert cache.for_story(two) == {}
        assert set(cache.for_story(three)) == {f"http://127.0.0.1:9/{three}.png"}
        cache.touch(one, now=100)
        assert cache.stats().images == 2

        # A story's images go with the story.
        with store.transaction():
            store.conn.execute("DELETE FROM stories WHERE id = ?", (three,))
            cache.sweep()
        assert cache.for_story(three) == {}
        assert len(list((tmp_path / "images").iterdir())) == 1


def test_saved_files_are_named_by_the_hash_of_their_url(tmp_path: Path) -> None:
    with Store.open(tmp_path / "cache.sqlite3") as store:
        story = _story(store, "x")
        data = io.BytesIO()
        Image.new("RGB", (50, 40), (1, 2, 3)).save(data, "PNG")
        cache = ImageCache(tmp_path / "images", store.conn)
        path = cache.save(story, "http://127.0.0.1:9/../../etc/passwd", process_image(
            data.getvalue()))
        assert path.parent == tmp_path / "images" and len(path.stem) == 64


def test_a_refresh_reports_each_image_as_it_ends(server: FeedServer, tmp_path: Path) -> None:
    """After "saving full text: n/m" the images are the refresh's last part, which could sit
    silent for seconds (hosts slow to answer or to be looked up): each image that ends, kept
    or refused, is a progress step of its own ("saving images: 3/7")."""
    from reader.config import FetchSettings
    from reader.fulltext.options import FullTextOptions
    from reader.fulltext.progress import FullTextProgress
    from reader.refresh.pipeline import refresh_feeds
    from reader.store.feeds import add_feed

    database = tmp_path / "cache.sqlite3"
    with Store.open(database) as store:
        add_feed(store, server.url("/feed.xml"), "Pictures")
    steps: list[FullTextProgress] = []
    options = FullTextOptions(images_per_story=7, images_dir=tmp_path / "images")
    summary = refresh_feeds(database, FetchSettings(), parse_workers=0, full_text=options,
                            full_text_progress=steps.append)
    assert summary.full_text is not None and summary.full_text.images == 2
    images = [step for step in steps if step.images]
    assert [(s.done, s.total) for s in images] == [(n, 7) for n in range(1, 8)]
    assert images[-1].describe() == "saving images: 7/7"
    assert all(not step.images for step in steps[: len(steps) - len(images)])  # pages first

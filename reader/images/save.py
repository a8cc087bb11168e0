"""Saving the images of some stories: read their text, download what is new, store, cap.

Used by a refresh for its new stories and by ``F`` / ``reader fulltext`` for the stories
asked for. The story texts are read, and the results written, through ``call`` (the
caller's one database thread); downloads and Pillow run meanwhile on the event loop and a
worker thread. Nothing here runs when a story is shown: offline means offline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import Protocol, TypeVar

from reader.config import FetchSettings
from reader.images import images_available
from reader.images.cache import ImageCache
from reader.images.download import ImageResult, download_images, image_fetcher
from reader.images.refs import ImageRef, image_refs
from reader.records import record
from reader.store import Store

T = TypeVar("T")


class StoreCall(Protocol):
    """Runs ``fn(store)`` on the caller's database thread and gives its result."""

    def __call__(self, fn: Callable[[Store], T]) -> Awaitable[T]: ...


@record
class ImagesSaved:
    """How many images were saved and refused."""

    saved: int = 0
    refused: int = 0


def _wanted(store: Store, cache: ImageCache, story_ids: Sequence[str],
            per_story: int) -> list[tuple[str, ImageRef]]:
    wanted: list[tuple[str, ImageRef]] = []
    for story_id in story_ids:
        row = store.conn.execute("SELECT body FROM stories WHERE id = ?", (story_id,)).fetchone()
        if row is None:
            continue
        known = cache.known(story_id)
        wanted += [(story_id, ref) for ref in image_refs(str(row[0]), per_story)
                   if ref.url not in known]
    return wanted


def _store(store: Store, cache: ImageCache, results: Sequence[ImageResult]) -> ImagesSaved:
    saved = refused = 0
    with store.transaction():
        for result in results:
            if result.image is not None:
                cache.save(result.story_id, result.ref.url, result.image)
                saved += 1
            else:
                cache.refuse(result.story_id, result.ref.url, result.error or "refused")
                refused += 1
        cache.enforce_cap()
    return ImagesSaved(saved, refused)


async def save_images(
    story_ids: Sequence[str], settings: FetchSettings, folder: Path, cap: int,
    per_story: int, call: StoreCall, progress: Callable[[int, int], None] | None = None,
) -> ImagesSaved:
    """Download and keep up to ``per_story`` images of each story; results stored via ``call``.
    ``progress(done, total)`` hears of each image as it ends (on the loop's thread)."""
    if not story_ids or per_story <= 0 or not images_available():
        return ImagesSaved()

    def cache_of(store: Store) -> ImageCache:
        return ImageCache(folder, store.conn, cap)

    wanted = await call(lambda store: _wanted(store, cache_of(store), story_ids, per_story))
    if not wanted:
        return ImagesSaved()
    pool = ThreadPoolExecutor(1, thread_name_prefix="reader-images")
    try:
        async with image_fetcher(settings) as fetcher:
            results = await download_images(wanted, fetcher, pool, progress)
    finally:
        pool.shutdown(wait=True)
    return await call(lambda store: _store(store, cache_of(store), results))


def run_in(pool: Executor, store_for: Callable[[], Store]) -> StoreCall:
    """A ``call`` that runs each function on ``pool`` with the store ``store_for`` gives."""
    async def call(fn: Callable[[Store], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, lambda: fn(store_for()))
    return call

"""Downloading a story's images: bounded, polite, and refused early when they cannot be kept.

The same client rules as pages (per-host limit, timeouts, limited redirects, http/https only,
no cookies), and for each image: the declared type must be JPEG, PNG, GIF or WebP (an SVG can
carry script, and is text, not a picture to draw), the body is cut off past 5 MB while it
streams (never read whole first), then ``process_image`` checks the pixels and re-encodes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import replace

from reader.config import FetchSettings
from reader.feeds.fetch import Fetcher, FetchRequest
from reader.files import format_size
from reader.fulltext.pages import describe_failure
from reader.images.process import ImageRefused, Processed, process_image
from reader.images.refs import ImageRef
from reader.records import record

MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_ACCEPT = "image/jpeg, image/png, image/gif, image/webp;q=0.9"
IMAGE_TYPES = frozenset({"image/jpeg", "image/jpg", "image/pjpeg", "image/png", "image/gif",
                         "image/webp"})


@record
class ImageResult:
    """One image of a story: ``image`` when kept, else ``error`` says why not."""

    story_id: str
    ref: ImageRef
    image: Processed | None = None
    error: str | None = None


def image_settings(settings: FetchSettings) -> FetchSettings:
    """The fetch settings with the image size cap (5 MB) instead of the feed body cap."""
    return replace(settings, max_bytes=min(settings.max_bytes, MAX_IMAGE_BYTES))


def _declared_type(headers: dict[str, str] | object) -> str:
    value = headers.get("content-type", "") if isinstance(headers, dict) else ""
    return value.partition(";")[0].strip().lower()


async def download_images(
    wanted: Sequence[tuple[str, ImageRef]], fetcher: Fetcher, pool: Executor,
    progress: Callable[[int, int], None] | None = None,
) -> list[ImageResult]:
    """Download and process ``(story_id, ref)`` pairs with a fetcher made by
    ``image_fetcher``; results in the order asked. ``progress(done, total)`` hears of each
    image as it ends, kept or not (on the loop's thread)."""
    loop = asyncio.get_running_loop()
    ended = 0

    async def counted(story_id: str, ref: ImageRef) -> ImageResult:
        nonlocal ended
        result = await one(story_id, ref)
        ended += 1
        if progress is not None:
            progress(ended, len(wanted))
        return result

    async def one(story_id: str, ref: ImageRef) -> ImageResult:
        result = await fetcher.fetch(FetchRequest(ref.url))
        if result.status != "ok":
            error = describe_failure(result)
            if "larger than the limit" in error:
                error = f"larger than {format_size(MAX_IMAGE_BYTES)}"
            return ImageResult(story_id, ref, error=error)
        declared = _declared_type(dict(result.headers))
        if declared and declared not in IMAGE_TYPES:
            return ImageResult(story_id, ref, error=f"not an image type that is kept ({declared})")
        try:
            image = await loop.run_in_executor(pool, process_image, result.body)
        except ImageRefused as exc:
            return ImageResult(story_id, ref, error=str(exc))
        return ImageResult(story_id, ref, image=image)

    return list(await asyncio.gather(*(counted(story, ref) for story, ref in wanted)))


def image_fetcher(settings: FetchSettings) -> Fetcher:
    """A fetcher for images: 5 MB cap while streaming, no cookies, images asked for."""
    return Fetcher(image_settings(settings), accept=IMAGE_ACCEPT, keep_cookies=False)

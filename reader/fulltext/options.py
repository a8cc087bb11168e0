"""The full-text and image options of a run: plain data, light to import (the app names them).

``FullTextOptions`` says what a refresh (or ``F``) saves beyond the feeds; ``full_text_options``
builds it from the ``[full_text]`` table of the config and the run's folders.
"""

from __future__ import annotations

from pathlib import Path

from reader.config import Config
from reader.images import images_available
from reader.paths import Paths
from reader.records import record

DEFAULT_PAGES = 200
"""Pages fetched in one refresh at most, unless the config says otherwise."""
IMAGE_STORIES_PER_REFRESH = 200
"""New stories whose images one refresh saves at most (5 each by default): a cold refresh of
hundreds of feeds must not turn into thousands of downloads."""


@record
class FullTextOptions:
    """What a refresh saves beyond the feeds: page texts (at most ``pages`` a refresh) and
    up to ``images_per_story`` images of each new story into ``images_dir`` (None: none),
    the folder kept under ``image_cache_bytes``."""

    pages: int = DEFAULT_PAGES
    images_per_story: int = 5
    image_cache_bytes: int = 200 * 1024 * 1024
    images_dir: Path | None = None

    @property
    def saves_images(self) -> bool:
        return self.images_dir is not None and self.images_per_story > 0

    @property
    def saves_anything(self) -> bool:
        """False when both pages and images are off: a refresh then does no full-text work."""
        return self.pages > 0 or self.saves_images


def full_text_options(config: Config, paths: Paths) -> FullTextOptions:
    """``[full_text]`` of the config, with the image folder under the cache folder (images
    only when the ``images`` extra is installed and ``images_per_story`` is not 0)."""
    settings = config.full_text
    return FullTextOptions(
        pages=settings.pages_per_refresh,
        images_per_story=settings.images_per_story,
        image_cache_bytes=settings.image_cache_mb * 1024 * 1024,
        images_dir=paths.images_dir if images_available() else None,
    )

"""The images a story's stored Markdown references, in reading order. Pure.

Our converter writes every kept image as ``![alt](url)`` with an absolute http(s) URL (and
drops tracking pixels it can recognise by their size), so the Markdown is all there is to read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_PER_STORY = 5

_IMAGE = re.compile(r"!\[((?:\\.|[^\]\\])*)\]\((https?://[^)\s]+)\)")
_ESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True, slots=True)
class ImageRef:
    """One image of a story: where it is and its alt text (unescaped plain text)."""

    url: str
    alt: str


def image_refs(markdown: str, limit: int = MAX_PER_STORY) -> list[ImageRef]:
    """The first ``limit`` distinct images of a story's Markdown."""
    found: list[ImageRef] = []
    seen: set[str] = set()
    for match in _IMAGE.finditer(markdown):
        url = match.group(2)
        if url in seen:
            continue
        seen.add(url)
        found.append(ImageRef(url, _ESCAPE.sub(r"\1", match.group(1))))
        if len(found) >= limit:
            break
    return found

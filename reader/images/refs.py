"""The images a story's stored Markdown references, in reading order. Pure.

Our converter writes every kept image as ``![alt](url)`` with an absolute http(s) URL (and
drops tracking pixels it can recognise by their size), so the Markdown is all there is to read.
"""

from __future__ import annotations

import re

from reader.records import record

MAX_PER_STORY = 5

_IMAGE = re.compile(r"!\[((?:\\.|[^\]\\])*)\]\((https?://[^)\s]+)\)")
_ESCAPE = re.compile(r"\\(.)")


@record
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


_ALONE = re.compile(r"^\[?(!\[(?:\\.|[^\]\\])*\]\((https?://[^)\s]+)\))(?:\]\([^)\s]*\))?$")


def split_at_images(markdown: str, saved: set[str]) -> list[str | ImageRef]:
    """The body as Markdown runs and the saved images between them, in reading order.

    A paragraph that is only an image (or a linked image) becomes that image; a paragraph
    with images inside its text stays text and its saved images follow it, taken out of the
    text (the alt text is shown under each picture: it would be there twice), except a
    linked one, whose link stays. Images not in ``saved`` stay in the text, as the
    Markdown's alt text and link.
    """
    if not saved:
        return [markdown] if markdown else []
    pieces: list[str | ImageRef] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            pieces.append("\n\n".join(run))
            run.clear()

    for block in markdown.split("\n\n"):
        alone = _ALONE.match(block.strip())
        if alone is not None and alone.group(2) in saved:
            flush()
            pieces.extend(image_refs(alone.group(1), 1))
            continue
        inside = [ref for ref in image_refs(block, 20) if ref.url in saved]
        if inside:
            text = _without_images(block, saved)
            if text.strip():
                run.append(text)
            flush()
            pieces.extend(inside)
        else:
            run.append(block)
    flush()
    return pieces


def _without_images(block: str, saved: set[str]) -> str:
    """``block`` without its saved images (those inside a link's text stay: the link does)."""
    def drop(match: re.Match[str]) -> str:
        inside_link = match.start() > 0 and block[match.start() - 1] == "["
        return match.group(0) if inside_link or match.group(2) not in saved else ""

    return _IMAGE.sub(drop, block).rstrip()

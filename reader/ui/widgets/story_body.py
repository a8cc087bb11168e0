"""``StoryBody``: a story's Markdown, with the images saved for it drawn where the text has them.

The body is split at its images (``reader.images.refs.split_at_images``): text runs go to
``StoryMarkdown`` widgets (links numbered as in the whole story), and each image whose file was
saved is drawn by textual-image, with its alt text always shown under it. Only files already in
the cache folder are read: nothing is fetched when a story is shown. Without the ``images``
extra, with images turned off (``i``), or for an image that was not saved, the text stays as it
was: the Markdown shows the alt text and link.

textual-image learns what the terminal can draw (Sixel, Kitty graphics, else half-cell
blocks) by asking it, which works only before Textual starts reading the keyboard; so the
terminal is asked at launch (only when the cache holds an image), and textual-image, given
the answers, is imported after the first frame (or by the first picture shown, if sooner:
``reader.ui.picture_support``).
Inside tmux, half-cell blocks are used: they need nothing from the terminal.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from reader.images.refs import split_at_images
from reader.ui import picture_support
from reader.ui.widgets.story_markdown import StoryMarkdown


def _image_widget(path: Path) -> Widget:
    """Half-cell blocks (forced, or all the terminal can do) decode the file once
    (``HalfcellPicture``); Sixel and Kitty graphics go through textual-image as they are."""
    from textual_image.renderable import HalfcellImage as HalfcellRenderable
    from textual_image.renderable import Image as best

    if picture_support.renderer() == "halfcell" or best is HalfcellRenderable:
        from reader.ui.widgets.halfcell_picture import HalfcellPicture

        return HalfcellPicture(path, classes="story-image")
    from textual_image.widget import Image

    return Image(str(path), classes="story-image")


class StoryBody(Vertical):
    """The body of the story being read: Markdown runs and saved images."""

    DEFAULT_CSS: ClassVar[str] = """
    StoryBody { height: auto; }
    StoryBody > .story-image { width: 100%; max-width: 72; height: auto; }
    StoryBody > .image-alt { margin: 0 2 1 2; color: $text-muted; text-style: italic; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.images_shown = 0

    async def show(self, markdown: str, images: Mapping[str, Path], *,
                   with_images: bool = True, numbers: Mapping[str, int] | None = None) -> None:
        """Replace the body. ``images`` maps image URLs to their saved files; ``numbers``
        (link URL to number) numbers the links as the whole story's list does."""
        drawn = (with_images and bool(images) and picture_support.images_ready()
                 and picture_support.load())
        usable = dict(images) if drawn else {}
        widgets: list[Widget] = []
        shown = 0
        for piece in split_at_images(markdown, set(usable)):
            if isinstance(piece, str):
                text = StoryMarkdown(piece)
                text.numbers = numbers
                widgets.append(text)
                continue
            path = usable[piece.url]
            widget: Any = _image_widget(path)
            widgets.append(widget)
            widgets.append(Static(Content(piece.alt or "(picture)"), classes="image-alt",
                                  markup=False))
            shown += 1
        async with self.batch():
            await self.remove_children()
            await self.mount_all(widgets)
        self.images_shown = shown

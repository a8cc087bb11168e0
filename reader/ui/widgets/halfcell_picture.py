"""``HalfcellPicture``: a saved picture in half-cell blocks, decoded once per size it is drawn at.

textual-image's half-cell widget makes a new renderable on every ``render()``, and each one
opens the saved file, decodes all of it (about 1024 × 640 pixels, 2.6 MB as Pillow holds RGB)
and copies it twice (``PixelData``: ``copy()``, then ``convert("RGB")``) before scaling it
down to the few thousand pixels that the blocks show; the renderable keeps the full copy for
as long as the widget lives: a full decode and two full copies (about 8 MB at once) on each
render, and 2.6 MB held per picture shown. Here the file is decoded once for the size asked
and kept only at that size (about 72 × 45 pixels, 3 bytes each, for the pane's widest
picture: 10 KB); the next ``render()`` at the same size reuses it. The pixels are
textual-image's (the same ``convert("RGB")`` then ``resize((w, h))``), so the drawing does not
change.

Only used where the blocks are drawn (``_renderer == "halfcell"``, or textual-image found no
Sixel or Kitty graphics): those protocols send the picture at the terminal's pixel size.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image as PILImage
from rich.color import Color
from rich.color_triplet import ColorTriplet
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from textual.app import RenderResult as WidgetRenderResult
from textual_image._geometry import ImageSize
from textual_image._terminal import get_cell_size
from textual_image.renderable.halfcell import Image as HalfcellRenderable
from textual_image.widget import HalfcellImage


class ScaledPicture:
    """A saved image file, decoded only when drawn and kept at the last size drawn."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        with PILImage.open(self.path) as image:  # reads the header only
            self.width, self.height = image.size
        self._size: tuple[int, int] | None = None
        self._pixels = b""

    @property
    def kept(self) -> tuple[int, int] | None:
        """The size whose pixels are kept (the last drawn), if any."""
        return self._size

    def pixels(self, width: int, height: int) -> bytes:
        """The picture's pixels at ``width`` × ``height``, row by row, 3 bytes (R, G, B) each."""
        if self._size != (width, height):
            with PILImage.open(self.path) as image:
                image.draft("RGB", (width, height))  # a JPEG: decoded at 1/2 … 1/8 scale
                scaled = image.convert("RGB").resize((width, height))
            self._pixels = scaled.tobytes()
            self._size = (width, height)
        return self._pixels


class ScaledHalfcell(HalfcellRenderable):
    """textual-image's half-cell renderable drawing a ``ScaledPicture``."""

    def __init__(self, picture: ScaledPicture, width: int | str | None = None,
                 height: int | str | None = None) -> None:
        self._picture = picture
        self._render_size = ImageSize(picture.width, picture.height, width, height)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width, height = self._render_size.get_cell_size(options.max_width, options.max_height,
                                                        get_cell_size())
        if width <= 0 or height <= 0:
            return
        pixels = self._picture.pixels(width, height * 2)
        for row in range(height):
            upper = 6 * row * width  # two rows of pixels per row of cells, 3 bytes a pixel
            lower = upper + 3 * width
            for x in range(0, 3 * width, 3):
                yield Segment("▀", Style(color=_colour(pixels, upper + x),
                                         bgcolor=_colour(pixels, lower + x)))
            yield Segment("\n")


def _colour(pixels: bytes, at: int) -> Color:
    return Color.from_triplet(ColorTriplet(pixels[at], pixels[at + 1], pixels[at + 2]))


class HalfcellPicture(HalfcellImage, Renderable=ScaledHalfcell):
    """A saved picture in half-cell blocks (see the module doc)."""

    def __init__(self, path: Path | str, **kwargs: Any) -> None:
        self._picture = ScaledPicture(path)
        super().__init__(str(path), **kwargs)

    def render(self) -> WidgetRenderResult:
        if not self.image:
            return ""
        return ScaledHalfcell(self._picture, *self._get_styled_size())

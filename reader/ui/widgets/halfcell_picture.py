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

Each pair of colours is one ``Style`` shared by its cells, and in a terminal with a palette
(256 colours: tmux by default, the benchmark's pty) each pixel is drawn as the first pixel of its
palette colour (``_Palette``): the terminal is sent the same colours, from a few dozen styles
where there were hundreds (each held by Textual's and Rich's caches keyed by style).

Only used where the blocks are drawn (``picture_support.renderer() == "halfcell"``, or
textual-image found no Sixel or Kitty graphics): those protocols send the picture at the
terminal's pixel size.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image as PILImage
from rich.color import Color, ColorSystem
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
                 height: int | str | None = None, palette: bool = True) -> None:
        self._picture = picture
        self._render_size = ImageSize(picture.width, picture.height, width, height)
        self._palette = palette

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width, height = self._render_size.get_cell_size(options.max_width, options.max_height,
                                                        get_cell_size())
        if width <= 0 or height <= 0:
            return
        pixels = self._picture.pixels(width, height * 2)
        system = _SYSTEMS.get(console.color_system or "") if self._palette else None
        colour = _Palette(system)
        styles: dict[tuple[Color, Color], Style] = {}  # one per pair, shared by its cells
        for row in range(height):
            upper = 6 * row * width  # two rows of pixels per row of cells, 3 bytes a pixel
            lower = upper + 3 * width
            for x in range(0, 3 * width, 3):
                pair = (colour(pixels[upper + x:upper + x + 3]),
                        colour(pixels[lower + x:lower + x + 3]))
                style = styles.get(pair)
                if style is None:
                    style = styles[pair] = Style(color=pair[0], bgcolor=pair[1])
                yield Segment("▀", style)
            yield Segment("\n")


_SYSTEMS = {"256": ColorSystem.EIGHT_BIT, "standard": ColorSystem.STANDARD,
            "windows": ColorSystem.WINDOWS}
"""The terminals with a palette (``Console.color_system``), and its colours."""


class _Palette:
    """Each pixel's colour, made once per render. A terminal with a palette (256 colours:
    tmux, the benchmark's pty) shows each pixel as its palette colour, so every pixel shown as
    one palette colour is drawn as the first pixel seen in it: the terminal gets the same colour
    numbers, and the styles and Textual's and Rich's caches keyed by them (``Strip.render_ansi``
    keeps up to 16,384) hold at most a palette's worth per picture instead of thousands (the
    full-text benchmark's saved picture at 72 columns: 35 pairs of colours instead of 664)."""

    def __init__(self, system: ColorSystem | None) -> None:
        self._system = system
        self._colours: dict[bytes, Color] = {}
        self._shown: dict[int | None, Color] = {}

    def __call__(self, rgb: bytes) -> Color:
        colour = self._colours.get(rgb)
        if colour is None:
            colour = Color.from_triplet(ColorTriplet(rgb[0], rgb[1], rgb[2]))
            if self._system is not None:
                # Rich's own choice of palette colour, without filling its cache with ours.
                number = _downgrade(colour, self._system).number
                colour = self._shown.setdefault(number, colour)
            self._colours[rgb] = colour
        return colour


_downgrade = Color.downgrade.__wrapped__  # type: ignore[attr-defined]


class HalfcellPicture(HalfcellImage, Renderable=ScaledHalfcell):
    """A saved picture in half-cell blocks (see the module doc)."""

    def __init__(self, path: Path | str, **kwargs: Any) -> None:
        self._picture = ScaledPicture(path)
        super().__init__(str(path), **kwargs)

    def render(self) -> WidgetRenderResult:
        if not self.image:
            return ""
        # Headless (tests, screenshots) there is no terminal: the SVG shows each pixel's colour.
        return ScaledHalfcell(self._picture, *self._get_styled_size(),
                              palette=not self.app.is_headless)

"""The pane's half-cell picture (``HalfcellPicture``) draws exactly what textual-image's
half-cell widget draws, but decodes the saved file once per size instead of on every render
(the peak memory of issue 17's benchmark), and keeps only the pixels it draws. A JPEG is
decoded at a smaller scale (``draft``), no smaller than drawn: the blocks are textual-image's
for that decoding, and within a few levels of the full decoding's. Cells of one pair of colours
share one style; in a terminal with a palette (256 or 16 colours) the terminal gets the same
colours from far fewer styles, and headless (no terminal) each pixel keeps its own colour."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

pytest.importorskip("textual_image", reason="the images extra is not installed")

from image_samples import jpeg, png
from PIL import Image
from rich.console import Console, RenderableType
from rich.segment import Segment
from rich.style import Style
from textual_image.renderable.halfcell import Image as TextualImageHalfcell

from reader.ui.widgets.halfcell_picture import ScaledHalfcell, ScaledPicture


def drawn(renderable: RenderableType, width: int) -> list[Segment]:
    console = Console(width=width, height=200, color_system="truecolor", force_terminal=True)
    return list(console.render(renderable, console.options.update(height=200)))


@pytest.mark.parametrize("make,name", [(lambda: png(400, 200), "p.png"),
                                       (lambda: jpeg(333, 517), "p.jpg"),
                                       (lambda: png(64, 40, alpha=True), "a.png")])
@pytest.mark.parametrize("width", [72, 31])
def test_the_same_blocks_as_textual_image(tmp_path: Path, make, name: str,  # type: ignore[no-untyped-def]
                                          width: int) -> None:
    path = tmp_path / name
    path.write_bytes(make())
    picture = ScaledPicture(path)
    ours = drawn(ScaledHalfcell(picture, "auto", "auto"), width)
    assert picture.kept is not None
    with Image.open(path) as image:
        full = drawn(TextualImageHalfcell(image.copy(), "auto", "auto"), width)
        image.draft("RGB", picture.kept)  # the JPEG's smaller decoding, as ours
        theirs = drawn(TextualImageHalfcell(image.copy(), "auto", "auto"), width)
    assert ours == theirs
    assert any(s.text == "▀" for s in ours)
    assert [s.text for s in ours] == [s.text for s in full]
    if name.endswith(".png"):
        assert ours == full  # no draft for a PNG
    else:  # the full decoding's colours, give or take a few levels
        levels = [abs(a - b) for o, f in zip(ours, full, strict=True) if o.style and f.style
                  for a, b in zip(_rgb(o.style), _rgb(f.style), strict=True)]
        assert levels and max(levels) <= 8


@pytest.mark.parametrize("system", ["256", "standard"])
def test_a_terminal_with_a_palette_gets_the_same_colour_numbers(tmp_path: Path,
                                                                system: str) -> None:
    """In 256 (or 16) colours, each pixel is drawn as the first pixel of its palette colour:
    the terminal receives exactly textual-image's bytes, from far fewer styles."""
    path = tmp_path / "p.jpg"
    path.write_bytes(_gradient_jpeg())
    picture = ScaledPicture(path)

    def ansi(renderable: object) -> str:
        console = Console(width=72, height=200, color_system=system,  # type: ignore[arg-type]
                          force_terminal=True)
        with console.capture() as captured:
            console.print(renderable)
        return captured.get()

    ours = ansi(ScaledHalfcell(picture, "auto", "auto"))
    assert picture.kept is not None
    with Image.open(path) as image:
        image.draft("RGB", picture.kept)
        theirs = ansi(TextualImageHalfcell(image.copy(), "auto", "auto"))
    assert ours == theirs and "▀" in ours
    console = Console(width=72, color_system=system, force_terminal=True)  # type: ignore[arg-type]
    styles = {s.style for s in console.render(ScaledHalfcell(picture, "auto", "auto")) if s.style}
    truecolor = {s.style for s in drawn(ScaledHalfcell(picture, "auto", "auto"), 72) if s.style}
    assert len(styles) < len(truecolor) / 4


def _gradient_jpeg() -> bytes:
    """A photo's worth of colours: red across, green down, blue the other way."""
    across = Image.linear_gradient("L").rotate(90).resize((600, 400))
    down = Image.linear_gradient("L").resize((600, 400))
    image = Image.merge("RGB", (across, down, across.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def test_cells_of_one_colour_pair_share_one_style(tmp_path: Path) -> None:
    path = tmp_path / "p.jpg"
    path.write_bytes(_gradient_jpeg())
    segments = [s for s in drawn(ScaledHalfcell(ScaledPicture(path), "auto", "auto"), 72)
                if s.style]
    assert len({id(s.style) for s in segments}) == len({s.style for s in segments})


def _rgb(style: Style) -> tuple[int, ...]:
    assert style.color is not None and style.bgcolor is not None
    return (*style.color.get_truecolor(), *style.bgcolor.get_truecolor())


def test_the_file_is_decoded_once_per_size_and_only_those_pixels_kept(tmp_path: Path) -> None:
    path = tmp_path / "p.png"
    path.write_bytes(png(1024, 640))
    picture = ScaledPicture(path)
    assert (picture.width, picture.height) == (1024, 640)  # from the header
    first = drawn(ScaledHalfcell(picture, "auto", "auto"), 72)
    assert picture.kept is not None and picture.kept[0] == 72  # not the file's 1024 × 640
    assert len(picture.pixels(*picture.kept)) == 3 * picture.kept[0] * picture.kept[1]
    path.unlink()  # drawn again at that size: from the kept pixels, the file is not read
    assert drawn(ScaledHalfcell(picture, "auto", "auto"), 72) == first
    with pytest.raises(FileNotFoundError):  # another size decodes the file again
        drawn(ScaledHalfcell(picture, "auto", "auto"), 40)

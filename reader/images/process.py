"""Checking, downscaling and re-encoding one downloaded image with Pillow.

Nothing a site sends is kept as it came: the bytes must be a JPEG, PNG, GIF or WebP by their
own signature (not just their Content-Type); the header's size is read before any pixel is
decoded, so an image of more than about 40 megapixels (a decompression bomb: a few KB of PNG
that would need gigabytes of memory) is refused without decoding it; a 1×1 or 2×2 image is a
tracking pixel. What is kept is downscaled to at most 1024 pixels on its long side and
re-encoded (JPEG, or PNG when it has transparency), which also drops any metadata and
anything hidden after the image data. An animated GIF keeps its first frame.
"""

from __future__ import annotations

import io
import warnings

from reader.records import record

FORMATS = frozenset({"JPEG", "PNG", "GIF", "WEBP"})
MAX_PIXELS = 40_000_000
MAX_SIDE = 1024
TRACKING_SIDE = 2
JPEG_QUALITY = 85


class ImageRefused(Exception):
    """The image is not kept; the message says why (for ``reader images`` and the tests)."""


@record
class Processed:
    """An image ready to save: re-encoded bytes, their format and size in pixels."""

    data: bytes
    format: str  # "jpeg" or "png"
    width: int
    height: int
    original_width: int
    original_height: int

    @property
    def suffix(self) -> str:
        return ".jpg" if self.format == "jpeg" else ".png"


def sniff_format(head: bytes) -> str | None:
    """The image format from the first bytes, or None: the signature decides, not the header."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def process_image(data: bytes, *, max_side: int = MAX_SIDE,
                  max_pixels: int = MAX_PIXELS) -> Processed:
    """Check and re-encode one image; ``ImageRefused`` says why it is not kept."""
    from PIL import Image, UnidentifiedImageError

    kind = sniff_format(data[:16])
    if kind is None:
        raise ImageRefused("not a JPEG, PNG, GIF or WebP image")
    try:
        with warnings.catch_warnings():  # Pillow warns from 89 MP on; we refuse from 40 MP
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data), formats=[kind])
        with opened as image:
            width, height = image.size  # from the header: no pixel decoded yet
            if width * height > max_pixels:
                raise ImageRefused(
                    f"{width}×{height} pixels is more than {max_pixels // 1_000_000} megapixels"
                    " (a decompression bomb?)"
                )
            if width <= TRACKING_SIDE and height <= TRACKING_SIDE:
                raise ImageRefused(f"a tracking pixel ({width}×{height})")
            image.seek(0)
            frame = image.convert("RGBA") if _has_alpha(image) else image.convert("RGB")
    except ImageRefused:
        raise
    except Image.DecompressionBombError:  # Pillow's own limit, far above ours
        raise ImageRefused(f"more than {max_pixels // 1_000_000} megapixels"
                           " (a decompression bomb?)") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageRefused(f"the image data is broken ({type(exc).__name__})") from None
    frame.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if frame.mode == "RGBA":
        frame.save(out, "PNG", optimize=True)
        fmt = "png"
    else:
        frame.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        fmt = "jpeg"
    return Processed(out.getvalue(), fmt, frame.width, frame.height, width, height)


def _has_alpha(image: object) -> bool:
    mode = getattr(image, "mode", "")
    info = getattr(image, "info", {})
    return mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in info)

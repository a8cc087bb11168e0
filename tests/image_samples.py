"""Images for the image tests, made on the spot: real PNG/JPEG bytes, a pixel, an SVG, a bomb."""

from __future__ import annotations

import io
import os
import struct
import zlib


def png(width: int, height: int, alpha: bool = False) -> bytes:
    from PIL import Image

    image = Image.new("RGBA" if alpha else "RGB", (width, height), (200, 40, 40, 128))
    for x in range(0, width, max(1, width // 8)):  # some detail, so it is not one flat colour
        for y in range(height):
            image.putpixel((x, y), (20, 20, 200, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def jpeg(width: int, height: int) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (width, height), (30, 160, 60))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def pixel_gif() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("P", (1, 1), 0).save(out, "GIF")
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def bomb_png(side: int = 30_000) -> bytes:
    """A valid PNG header declaring side×side pixels (900 megapixels), with one tiny IDAT: a
    few hundred bytes that would need gigabytes to decode."""
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\0" * (1 + side // 8) * 64, 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", rows) + _chunk(
        b"IEND", b"")


SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
       b'<script>alert(1)</script><rect width="100" height="100"/></svg>')


def big_jpeg_bytes(size: int = 6 * 1024 * 1024) -> bytes:
    """More than 5 MB that start like a JPEG (the size is what is refused, while streaming)."""
    return b"\xff\xd8\xff\xe0" + os.urandom(size)

"""Checking and downscaling images, and finding a story's images; no network, no database."""

from __future__ import annotations

import io

import pytest

pytest.importorskip("PIL", reason="the images extra is not installed")

from image_samples import SVG, bomb_png, jpeg, pixel_gif, png
from PIL import Image

from reader.images.process import ImageRefused, process_image, sniff_format
from reader.images.refs import ImageRef, image_refs, split_at_images


def test_a_big_png_is_downscaled_to_1024_on_its_long_side_and_re_encoded() -> None:
    done = process_image(png(2400, 1200))
    assert (done.width, done.height) == (1024, 512)
    assert (done.original_width, done.original_height) == (2400, 1200)
    assert done.format == "jpeg" and done.suffix == ".jpg"
    with Image.open(io.BytesIO(done.data)) as again:
        assert again.format == "JPEG" and again.size == (1024, 512)


def test_transparency_is_kept_as_png_and_small_images_are_not_enlarged() -> None:
    done = process_image(png(300, 200, alpha=True))
    assert done.format == "png" and (done.width, done.height) == (300, 200)
    assert process_image(jpeg(640, 480)).width == 640


@pytest.mark.parametrize(("data", "reason"), [
    (SVG, "not a JPEG, PNG, GIF or WebP"),
    (pixel_gif(), "tracking pixel"),
    (bomb_png(), "decompression bomb"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "broken"),
    (b"", "not a JPEG"),
])
def test_what_is_not_kept_says_why(data: bytes, reason: str) -> None:
    with pytest.raises(ImageRefused, match=reason):
        process_image(data)


@pytest.mark.parametrize(("side", "reason"), [
    (7_000, "7000×7000 pixels is more than 40 megapixels"),
    (12_000, "12000×12000 pixels is more than 40 megapixels"),
    (30_000, "more than 40 megapixels"),  # past Pillow's own limit: refused as it opens
])
def test_a_bomb_is_refused_from_its_header_without_decoding(side: int, reason: str) -> None:
    data = bomb_png(side)
    assert len(data) < 20_000
    with pytest.raises(ImageRefused, match=reason):
        process_image(data)


def test_formats_are_told_by_their_signature() -> None:
    assert sniff_format(png(4, 4)[:16]) == "PNG"
    assert sniff_format(jpeg(4, 4)[:16]) == "JPEG"
    assert sniff_format(b"RIFF\0\0\0\0WEBPVP8 ") == "WEBP"
    assert sniff_format(b"GIF89a") == "GIF"
    assert sniff_format(b"<svg") is None


def test_a_storys_images_are_its_first_five_distinct_http_images() -> None:
    markdown = "\n\n".join([
        "Intro ![A \\[bracketed\\] cat](https://e.com/cat.png) text",
        "![](https://e.com/cat.png)",  # the same image again
        "[a link](https://e.com/page) and ![local](file:///etc/passwd)",
        *(f"![n{n}](http://e.com/{n}.jpg)" for n in range(6)),
    ])
    refs = image_refs(markdown)
    assert refs[0] == ImageRef("https://e.com/cat.png", "A [bracketed] cat")
    assert [r.url for r in refs[1:]] == [f"http://e.com/{n}.jpg" for n in range(4)]
    assert len(refs) == 5


def test_the_pane_draws_saved_images_once_where_the_text_has_them() -> None:
    cat, dog, lost = "https://e.com/cat.png", "https://e.com/dog.png", "https://e.com/lost.png"
    markdown = "\n\n".join([
        "First paragraph.",
        f"![A cat]({cat})",  # alone: the picture in its place
        f"Text with a dog inline.![A dog]({dog}) And more text.",
        f"A linked one: [![A cat]({cat})](https://e.com/page) and ![lost]({lost}).",
        "Last paragraph.",
    ])
    pieces = split_at_images(markdown, {cat, dog})
    assert pieces == [
        "First paragraph.",
        ImageRef(cat, "A cat"),
        "Text with a dog inline. And more text.",  # the picture follows, its alt under it
        ImageRef(dog, "A dog"),
        # a linked image keeps its link (the text would lose it); one not saved stays text
        f"A linked one: [![A cat]({cat})](https://e.com/page) and ![lost]({lost}).",
        ImageRef(cat, "A cat"),
        "Last paragraph.",
    ]
    assert split_at_images(markdown, set()) == [markdown]

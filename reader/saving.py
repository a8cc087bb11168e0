"""A story saved as a Markdown file (``w`` in the app, ``reader save``): its name and its text.

The file name comes from the story's title and date, and the title is feed text: it may hold
``/``, ``..``, control characters, a thousand characters or nothing at all. ``file_name``
makes a name that is always one plain file inside the chosen folder: no path separators,
no leading dot, no control or bidi characters, at most ``MAX_NAME_BYTES`` bytes of UTF-8
(filesystems allow 255). ``save_story`` never overwrites: it creates the file exclusively
(``O_EXCL``), adding `` (2)``, `` (3)``… to the name while one exists, so saving the same
story twice keeps both and a file of that name already there (or a link planted under it)
is never written through.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from reader.links import Link, story_links
from reader.models import Story
from reader.text import clean_line, clean_text, escape_inline

MAX_NAME_BYTES = 160
"""Bytes of UTF-8 for the name before its suffix and extension: room for `` (999).md``."""
MAX_COPIES = 999
_UNSAFE = re.compile(r'[/\\:*?"<>|]+')
_COLON = re.compile(r"\s*:\s+")
_DOTS = re.compile(r"\.{2,}")
_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                       *(f"LPT{n}" for n in range(1, 10))})


def file_name(title: str, date: str | None, fallback: str) -> str:
    """``2024-05-01 The title.md``: the date (when the story has one) and the title, made safe
    for any filesystem; ``fallback`` (the story's id) stands in for a title with nothing left."""
    text = unicodedata.normalize("NFC", clean_line(title))
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = _COLON.sub(" - ", text)  # "Review: the title" reads as "Review - the title"
    text = _DOTS.sub("…", text)  # no ".." anywhere, even where it could do no harm
    text = " ".join(_UNSAFE.sub("-", text).split()).strip(" .-")
    text = _cut(text, MAX_NAME_BYTES).rstrip(" .-")
    if not text or text.upper() in _RESERVED:
        text = f"story {fallback}" if not text else f"{text} story"
    day = (date or "")[:10]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
        text = f"{day} {text}"
    return text + ".md"


def _cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8, at a character boundary."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", "ignore")


def story_markdown(story: Story, links: Sequence[Link] | None = None) -> str:
    """The story as a Markdown document: title, source and date, URL, standfirst, body, its
    enclosures and its numbered links (the list the reading pane shows)."""
    body = clean_text(story.body)
    if links is None:
        links = story_links(body).links
    out = [f"# {escape_inline(clean_line(story.title) or '(untitled)')}", ""]
    date = (story.published or story.updated or "")[:16].replace("T", " ")
    line = " · ".join(escape_inline(part) for part in
                      (clean_line(story.source), clean_line(story.author), date) if part)
    out.append(line)
    if story.url:
        out.extend(["", f"<{clean_line(story.url)}>"])
    if story.standfirst:
        out.extend(["", "> " + escape_inline(clean_line(story.standfirst))])
    for enclosure in story.enclosures:  # a paragraph each: a list would join the body's
        out.extend(["", f"▶ {escape_inline(enclosure.describe())} — <{clean_line(enclosure.url)}>"])
    if body:
        out.extend(["", body.strip("\n")])
    if links:
        out.extend(["", "## Links", ""])
        out.extend(f"{link.n}. {escape_inline(link.text) + ' — ' if link.text else ''}"
                   f"<{link.url}>" for link in links)
    return "\n".join(out) + "\n"


def save_story(story: Story, folder: Path) -> Path:
    """Write the story into ``folder`` (made if missing) under a new name; returns the path.
    ``OSError`` when the folder cannot be made or written."""
    folder.mkdir(parents=True, exist_ok=True)
    text = story_markdown(story).encode("utf-8")
    name = file_name(story.title, story.published or story.updated, story.id)
    stem = name.removesuffix(".md")
    for copy in range(1, MAX_COPIES + 1):
        path = folder / (name if copy == 1 else f"{stem} ({copy}).md")
        try:
            _write_new(path, text)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{MAX_COPIES} stories named {name!r} are already there")


def save_story_as(story: Story, path: Path) -> Path:
    """Write the story into the file ``path`` named by the user (``reader save ID x.md``),
    its folder made if missing; ``FileExistsError`` if a file (or link) is there already:
    never overwritten, never written through."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_new(path, story_markdown(story).encode("utf-8"))
    return path


def _write_new(path: Path, text: bytes) -> None:
    """Create ``path`` exclusively (``O_EXCL``, no link followed) and write ``text``; a file
    half-written (a full disk) is removed."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                         | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(text)
    except OSError:
        path.unlink(missing_ok=True)
        raise

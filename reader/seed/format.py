"""Parsing the plain-text article format of the seed files: text in, a ``SeedArticle`` out.

The format, as written by the article dumps the reader ships with::

    Headline
    <blank>
    Short standfirst
    <blank>
    Body paragraph ... (blank-line separated, kept verbatim)
    Other stories you might like
      • Related title
        Related standfirst           (optional: directly under the bullet)
        <blank>
        Teaser paragraph ...
        Continue reading             (marks the related story as cut short)
    Site furniture                   (unindented text after the last item)

Pure: no files, no database. Line endings, tabs, trailing spaces and a missing final newline
all parse the same; nothing is invented for fields the text does not hold.
"""

from __future__ import annotations

import re

from reader.records import record
from reader.text import clean_text

RELATED_HEADING = "other stories you might like"
CONTINUE_READING = "continue reading"
STANDFIRST_MAX_CHARS = 240
_BULLET = re.compile(r"^(?P<indent>\s*)[•\-*‣◦▪]\s+(?P<title>\S.*)$")


class SeedFormatError(ValueError):
    """The text is not an article in the seed format (e.g. it is empty)."""


@record
class SeedTeaser:
    """One item of "Other stories you might like"."""

    title: str
    standfirst: str
    paragraphs: tuple[str, ...]
    teaser: bool


@record
class SeedArticle:
    headline: str
    standfirst: str
    paragraphs: tuple[str, ...]
    related: tuple[SeedTeaser, ...]
    furniture: tuple[str, ...]


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated paragraphs, each line stripped of its indentation."""
    out: list[str] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            out.append("\n".join(current))
            current = []
    if current:
        out.append("\n".join(current))
    return out


def _is_heading(line: str) -> bool:
    return line.strip().rstrip(":").strip().casefold() == RELATED_HEADING


def parse_article(text: str) -> SeedArticle:
    """Parse one article file's text. Raises ``SeedFormatError`` when there is no headline."""
    text = clean_text(text.removeprefix("\ufeff"))
    lines = [line.expandtabs(4).rstrip() for line in text.split("\n")]
    heading_at = next((i for i, line in enumerate(lines) if _is_heading(line)), None)
    main_lines = lines if heading_at is None else lines[:heading_at]
    paragraphs = _paragraphs(main_lines)
    if not paragraphs:
        raise SeedFormatError("no headline: the file holds no text")

    first, *rest_of_first = paragraphs[0].split("\n")
    headline = " ".join(first.split())
    paragraphs = (["\n".join(rest_of_first)] if rest_of_first else []) + paragraphs[1:]
    standfirst = ""
    if paragraphs and "\n" not in paragraphs[0] and len(paragraphs[0]) <= STANDFIRST_MAX_CHARS:
        standfirst = " ".join(paragraphs.pop(0).split())

    related: tuple[SeedTeaser, ...] = ()
    furniture: tuple[str, ...] = ()
    if heading_at is not None:
        related, furniture = _parse_related(lines[heading_at + 1:])
    return SeedArticle(headline, standfirst, tuple(paragraphs), related, furniture)


def _parse_related(lines: list[str]) -> tuple[tuple[SeedTeaser, ...], tuple[str, ...]]:
    """Split the related section into items and the site furniture that trails them."""
    items: list[SeedTeaser] = []
    furniture: list[str] = []
    title: str | None = None
    body: list[str] = []
    teaser = False
    item_indent: int | None = None  # how far the bullets sit; deeper "- text" is teaser text

    def close() -> None:
        nonlocal title, body, teaser
        if title is None:
            return
        standfirst_lines: list[str] = []
        while body and body[0].strip():  # lines directly under the bullet
            standfirst_lines.append(body.pop(0).strip())
        items.append(
            SeedTeaser(
                title=title,
                standfirst=" ".join(" ".join(standfirst_lines).split()),
                paragraphs=tuple(_paragraphs(body)),
                teaser=teaser,
            )
        )
        title, body, teaser = None, [], False

    for line in lines:
        bullet = _BULLET.match(line)
        if bullet and title is not None and len(bullet.group("indent")) > (item_indent or 0):
            bullet = None  # a line of the teaser that happens to start with "-" or "*"
        if bullet:
            indent = len(bullet.group("indent"))
            item_indent = indent if item_indent is None else min(item_indent, indent)
            close()
            title = " ".join(bullet.group("title").split())
            continue
        stripped = line.strip()
        if title is not None and stripped.casefold() == CONTINUE_READING:
            teaser = True
            close()
            continue
        indented = line[:1].isspace()
        if title is not None and (indented or not stripped):
            body.append(line)
        elif stripped:
            close()
            furniture.append(stripped)
    close()
    return tuple(items), tuple(furniture)

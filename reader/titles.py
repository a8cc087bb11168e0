"""The title to show for a story: its own, or, for an untitled one, the first words of its text.

Feeds do not always title their entries: a microblog post, a paragraph of scripting.com, an
RSS 0.92 item (135 of the real corpus's 3,657 stories have none). The stored title stays empty,
since nothing is invented (``title`` is ``""`` in JSON); wherever a title is *shown* (the story
list, the reading pane, related lists, the palette, ``reader list``/``search``/``show``),
``shown_title`` gives the first words of the story's text instead, marked as a stand-in so
it is drawn dimmed and never mistaken for a headline.

Stories reach this with their text already cleaned at ingest; the stand-in is made from
Markdown, so links keep their words, images and markup signs are dropped.
"""

from __future__ import annotations

import os
import re
import sys

from reader.records import record
from reader.text import clean_line, markdown_to_plain

STAND_IN_WORDS = 12
"""At most this many words of the text stand in for a missing title."""
STAND_IN_CHARS = 80
"""…and at most this many characters (a title column is about that wide)."""
NO_TEXT = "(untitled)"
"""What an untitled story with no text either shows, dimmed."""

_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_LINE_MARK = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)|^[\s|:=-]*$",
                        re.MULTILINE)
_EMPHASIS = re.compile(r"(?<![\w\\])[*_]{1,3}|[*_]{1,3}(?!\w)|`+|(?<!\\)\|")


@record
class ShownTitle:
    """``text`` to show; ``stand_in`` when it is not the story's title (show it dimmed)."""

    text: str
    stand_in: bool = False


def text_start(markdown: str, words: int = STAND_IN_WORDS, chars: int = STAND_IN_CHARS) -> str:
    """The first words of a story's Markdown as one plain line, cut at a word, with ``…``
    when there is more."""
    text = _IMAGE.sub(" ", markdown[: chars * 8])
    text = _LINK.sub(r"\1", text)
    text = _LINE_MARK.sub(" ", text)
    text = _EMPHASIS.sub(" ", text)
    found = clean_line(markdown_to_plain(text)).split()
    cut = found[:words]
    line = " ".join(cut)
    while len(line) > chars and len(cut) > 1:
        cut.pop()
        line = " ".join(cut)
    if len(line) > chars:
        line = line[: chars - 1]
    more = len(cut) < len(found) or len(markdown) > chars * 8
    return line + "…" if line and more else line


def terminal_line(shown: ShownTitle, dim: bool) -> str:
    """The title for a line of command output: a stand-in is dimmed (SGR 2) when ``dim``
    (stdout is a terminal and ``NO_COLOR`` is not set), else plain."""
    if dim and shown.stand_in:
        return f"\x1b[2m{shown.text}\x1b[22m"
    return shown.text


def dims_stand_ins() -> bool:
    """Whether command output may dim stand-in titles: a terminal, and no ``NO_COLOR``."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def shown_title(title: str, text: str = "") -> ShownTitle:
    """The story's title, else a stand-in made of the start of ``text`` (its standfirst and
    body, or their start as list rows carry it: ``StoryRow.text_start``)."""
    own = clean_line(title)
    if own:
        return ShownTitle(own)
    start = text_start(text)
    return ShownTitle(start or NO_TEXT, stand_in=True)

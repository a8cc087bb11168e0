"""A saved page's text without the story's own title as its first heading.

Many article pages repeat their headline as the first heading of the main text, so the
extracted Markdown starts with it and the reading pane showed the title twice: once as the
pane's headline, once as the body's first heading (4 of the 40 pages of
``benchmarks/fulltext.py``). Only a *leading* heading whose words are the title's is dropped
(compared after entities, case, whitespace, punctuation and Markdown emphasis or link syntax
are set aside); any other first heading, and everything after it, stays as saved.
"""

from __future__ import annotations

import html
import re
import unicodedata

_START = r"\A[ \t]*\n*[ \t]{0,3}"  # blank lines, then at most 3 spaces (4 make code)
_ATX = re.compile(_START + r"#{1,6}(?:[ \t]+(?P<text>[^\n]*?))?[ \t]*(?:[ \t]#+[ \t]*)?(?:\n|\Z)")
_SETEXT = re.compile(_START + r"(?P<text>[^\n]*\S[^\n]*)\n[ \t]{0,3}(?:=+|-+)[ \t]*(?:\n|\Z)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_NOT_WORD = re.compile(r"[\W_]+")


def title_key(text: str) -> str:
    """``text`` compared as words: entities decoded, Markdown links reduced to their text,
    case folded, punctuation and runs of whitespace made one space."""
    text = unicodedata.normalize("NFKC", html.unescape(_LINK.sub(r"\1", text)))
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


def without_title_heading(markdown: str, title: str) -> str:
    """``markdown`` without its first block when that block is a heading equal to ``title``."""
    key = title_key(title)
    if not key:
        return markdown
    for pattern in (_ATX, _SETEXT):
        found = pattern.match(markdown)
        if found and title_key(found.group("text") or "") == key:
            return markdown[found.end():].lstrip("\n")
    return markdown

"""Making untrusted text safe to store and show.

Feed and seed text may carry terminal escape sequences, C0/C1 control characters and Unicode
bidi overrides that could rewrite the screen or disguise a link. They are removed once, at
ingest, so every later consumer (CLI, JSON, TUI) can treat stored text as inert.
"""

from __future__ import annotations

import re

# ESC-introduced sequences (CSI, OSC, DCS, ...) are removed whole, not just their ESC byte,
# so "\x1b]8;;http://evil\x07" does not leave "]8;;http://evil" behind.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC / DCS / SOS / PM / APC
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x9c)?"  # 8-bit OSC
    r"|\x1b[@-Z\\-_]?"  # other two-byte escapes, or a lone ESC
)
# C0 controls except tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates,
# and the Unicode line/paragraph separators some terminals treat as newlines.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]"
)


def clean_text(value: str | None) -> str:
    """Strip escape sequences and control/bidi characters; normalise line endings."""
    if not value:
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _ESCAPE_SEQUENCE.sub("", value)
    return _CONTROL.sub("", value)


def clean_line(value: str | None) -> str:
    """``clean_text`` for one-line fields (titles, authors): whitespace runs become one space."""
    return " ".join(clean_text(value).split())


_WHITESPACE = re.compile(r"\s+")


def one_line(value: str | None) -> str:
    """Like ``clean_line`` but keeps a leading or trailing space: for pieces of a line that
    are shown side by side (snippet runs around a highlighted match)."""
    return _WHITESPACE.sub(" ", clean_text(value))


_MD_SPECIAL = re.compile(
    r"[\\`*\[\]<>]"  # emphasis, code, links, HTML: always
    r"|~(?=~)|(?<=~)~"  # ~~strikethrough~~ and ~~~ fences: any ~ next to another
    r"|&(?=#?\w+;)"  # an entity like &amp; or &#169;, not a plain "&" in a URL's query
    r"|_+"  # underscores, except inside a word (see _escape_special)
)
_MD_LINE_START = re.compile(r"^(\s*)(?:([#>+\-=|])|(\d+)([.)]))", re.MULTILINE)


def _escape_special(match: re.Match[str]) -> str:
    found = match.group()
    if found[0] == "_":
        # "snake_case" and "a_b" in URLs cannot start or end emphasis: leave them readable.
        text, start, end = match.string, match.start(), match.end()
        if start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum():
            return found
        return "\\_" * len(found)
    return "\\" + found


def _escape_line_start(match: re.Match[str]) -> str:
    indent, sign, number, dot = match.groups()
    if sign is not None:  # "# ", "> ", "+ ", "- ", "=== ", "| "
        return indent + "\\" + sign
    return indent + number + "\\" + dot  # "1. " / "2022) ": "1\." is the escape, "\1." is not


def escape_markdown(text: str) -> str:
    """Turn plain text into Markdown that renders as the same text (``[PDF]`` stays ``[PDF]``)."""
    text = _MD_SPECIAL.sub(_escape_special, text)
    return _MD_LINE_START.sub(_escape_line_start, text)


_MD_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()<>#+\-.!|=~&])")


def markdown_to_plain(markdown: str) -> str:
    """A readable plain-text form of our stored Markdown, for ``reader show`` on a terminal.

    Only undoes backslash escapes; links stay as ``[text](url)``, which reads well as text.
    """
    return _MD_ESCAPED.sub(r"\1", markdown)

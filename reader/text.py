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


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-=|]|\d+[.)])", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """Turn plain text into Markdown that renders as the same text (``[PDF]`` stays ``[PDF]``)."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


_MD_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()<>#+\-.!|=~])")


def markdown_to_plain(markdown: str) -> str:
    """A readable plain-text form of our stored Markdown, for ``reader show`` on a terminal.

    Only undoes backslash escapes; links stay as ``[text](url)``, which reads well as text.
    """
    return _MD_ESCAPED.sub(r"\1", markdown)

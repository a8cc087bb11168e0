"""Making untrusted text safe to store and show, and carrying plain text through Markdown.

Feed and seed text may carry terminal escape sequences, C0/C1 control characters and Unicode
bidi overrides that could rewrite the screen or disguise a link. ``clean_text`` removes them at
ingest, so every later consumer (CLI, JSON, TUI) can treat stored text as inert, and again on
the way out. It removes only what is unsafe: a complete escape sequence (CSI, OSC, DCS, ... up to
its terminator) goes whole, any other control character goes by itself, and the text after it
always stays. On the real corpus the common mojibake of ``”`` (``â€`` + U+009D) once made an
8-bit OSC that swallowed the rest of a story; U+009D without a terminator is now one lone
character.

Mojibake (UTF-8 read as Windows-1252 or Latin-1: ``itâ€™s``) is repaired with ftfy, but only
where a cheap search finds the two-character pattern every such repair starts from. Measured
on the 198 real feeds (2,835 HTML bodies): the search costs 0.008 ms a body, ftfy on the 54
bodies it lets through 0.005 ms more per body on average (ftfy on every body would cost
0.33 ms, twice the whole HTML conversion); 58 bodies in 2 feeds are repaired and nothing else
in the corpus changes.

This module is also the one Markdown escaper: ``escape_inline`` for a run of text inside a
line, ``escape_line_start`` for the start of a line, ``escape_markdown`` for whole paragraphs;
``markdown_to_plain`` is the way back to plain text for a terminal.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from functools import lru_cache
from typing import Any

# C0 controls except tab and newline (and CR, which clean_text turns into newlines), DEL, C1
# controls, bidi embeddings/overrides/isolates/marks, the Unicode line/paragraph separators
# some terminals treat as newlines, and the byte-order mark. The one definition: html_markdown
# and every other module ask ``needs_cleaning`` or call ``clean_text``.
CONTROL_CHARACTERS = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff"
)
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")

# The body of an OSC/DCS/SOS/PM/APC string: any text but a control character, so a string
# that never ends (or meets another control first) matches nothing and every search stops at
# the next control: linear on any input.
_STRING_BODY = "[^\x00-\x1f\x7f-\x9f]*"
_ESCAPE_SEQUENCE = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]"  # CSI: ESC [ parameters intermediates final
    "|\x9b[0-?]*[!-/]*[@-~]"  # 8-bit CSI (no space: "\x9b b" is mojibake before a word)
    f"|(?:\x1b[\\]PX^_]|[\x90\x98\x9d\x9e\x9f]){_STRING_BODY}(?:\x07|\x1b\\\\|\x9c)"  # OSC, DCS..
    "|\x1b[!-/]*[0-~]"  # other escapes (nF, Fp, Fs) and 7-bit C1 (ESC ], ESC P, ... unended)
)
# UTF-8 read as Windows-1252/Latin-1 turns every non-ASCII character into a lead character
# (Â..ô) followed by one or more of what the continuation bytes became (U+0080..U+00BF or
# their Windows-1252 letters). A non-breaking space becomes "Â" before a space or U+00A0.
_MOJIBAKE_NEXT = (
    "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
    "\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_MOJIBAKE = f"[\u00c2-\u00f4]{_MOJIBAKE_NEXT}|\u00c2 "
_MOJIBAKE_CANDIDATE = re.compile(_MOJIBAKE)
# One character class is searched four times faster than the two-character pattern (0.005 ms
# against 0.02 ms a body on the real corpus); the pattern is tried only from where it finds one.
_FIRST_SUSPECT = re.compile(f"[\r{CONTROL_CHARACTERS}\u00c2-\u00f4]")
# ``[\r controls] | _MOJIBAKE`` written as one character class followed by look-arounds, so
# that the regex engine scans for the class in C and tries the rest only where it finds one
# (an alternation is tried in full at every position). The same matches; on the 2,910 HTML
# bodies of the real corpus 0.008 ms a body against 0.014 for the class search followed by
# the alternation from the first suspect (accented letters, Â..ô, are suspects too).
_NEEDS_CLEANING = re.compile(
    f"[\r{CONTROL_CHARACTERS}\u00c2-\u00f4](?:(?<=[\r{CONTROL_CHARACTERS}])"
    f"|(?<=[\u00c2-\u00f4])(?={_MOJIBAKE_NEXT})|(?<=\u00c2)(?= ))"
)



def byte_class(characters: str) -> bytes:
    """A ``bytes.translate`` table that marks the bytes of some ASCII ``characters`` with 1
    and every other byte with 0.

    ``holds_any(text, table)`` (``1 in text.encode().translate(table)``) says whether ``text``
    holds one of them, exactly (every byte of a non-ASCII character in UTF-8 is 0x80 or
    above): two loops over the bytes in C, where the regex engine tests a character class
    one character at a time, at some 50 machine instructions each. Counted by callgrind on
    the real corpus, against ``re.search`` with the same class: 180 -> 112 M instructions
    for the 50,845 runs of text the HTML converter tests, 102 -> 44 M for its 23,112 URLs."""
    if not characters.isascii():
        raise ValueError("byte_class takes ASCII characters only")
    return bytes(chr(byte) in characters for byte in range(256))


def holds_any(text: str, table: bytes) -> bool:
    """Whether ``text`` holds one of the characters of ``table`` (made by ``byte_class``)."""
    return 1 in text.encode("utf-8", "surrogatepass").translate(table)


# In ASCII text (nine in ten of the texts asked about; a str knows whether it is ASCII without
# reading it) only C0 controls, DEL and CR can need cleaning: no mojibake, C1 or bidi. For
# the 52,138 ASCII texts of a parse of the real corpus: 292 -> 69 M instructions.
_ASCII_CONTROLS = "".join(filter(_CONTROL.fullmatch, map(chr, range(128))))
_ASCII_NEEDS_CLEANING = byte_class("\r" + _ASCII_CONTROLS)
_ASCII_CONTROL = byte_class(_ASCII_CONTROLS)


def needs_cleaning(value: str) -> bool:
    """Whether ``clean_text`` would change ``value`` (a search: cheaper than cleaning)."""
    if value.isascii():
        return holds_any(value, _ASCII_NEEDS_CLEANING)
    return _NEEDS_CLEANING.search(value) is not None


# The same test on the text's UTF-8, each part a search for one lead byte (the regex engine
# finds a literal first byte with a fast scan, where a character class is tested at every
# character): C1 controls (U+0080..U+009F), the bidi marks and separators (U+200E, U+200F,
# U+2028..U+202E, U+2066..U+2069), and a mojibake pair, a lead character (U+00C2..U+00F4)
# before one of ``_MOJIBAKE_NEXT`` (U+0080..U+00BF, Œœ Šš Ÿ Žž ƒ ˆ ˜ – — ‘’‚“”„ †‡• … ‰ ‹ › € ™)
# or "Â" before a space. The byte-order mark is a plain search. UTF-8 is self-synchronising:
# a lead byte never appears inside another character, so each match is a whole character.
C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")
"""A C1 control (U+0080..U+009F) in UTF-8: 0xC2 and one byte of 0x80..0x9F. Searched for from
the literal byte (after a ``0xC2 in data`` test, a memchr, or from ``data.find(b"\xc2")``), it
costs a third of the regex engine's test of a character class at every character."""
_BIDI_UTF8 = re.compile(b"\xe2(?:\x80[\x8e\x8f\xa8-\xae]|\x81[\xa6-\xa9])")
_MOJIBAKE_UTF8 = re.compile(
    b"\xc3(?:\x82 |[\x82-\xb4](?:\xc2[\x80-\xbf]|\xc5[\x92\x93\xa0\xa1\xb8\xbd\xbe]|\xc6\x92"
    b"|\xcb[\x86\x9c]|\xe2(?:\x80[\x93\x94\x98-\x9e\xa0-\xa2\xa6\xb0\xb9\xba]|\x82\xac|\x84\xa2)))"
)

_UTF8_SEARCHES = ((b"\xc2", C1_UTF8), (b"\xe2", _BIDI_UTF8), (b"\xc3", _MOJIBAKE_UTF8))


def needs_cleaning_utf8(value: str, data: bytes) -> bool:
    """``needs_cleaning(value)``, given ``data``, ``value.encode("utf-8", "surrogatepass")``
    (for a caller that encodes it anyway: the HTML parser reads bytes).

    For text that is not ASCII the searches over bytes cost 40 % of the one over characters:
    on the 2,102 non-ASCII HTML bodies and titles of the real corpus (5.8 M characters),
    343 -> 135 M machine instructions, counted by callgrind (the encoding not counted, as
    the parser needs it). Checked against
    ``needs_cleaning`` for every character alone and between letters, and for every pair of
    a character U+00C0..U+00FF and one of the Basic Multilingual Plane."""
    if 1 in data.translate(_ASCII_NEEDS_CLEANING):
        return True
    if value.isascii():
        return False
    for lead, pattern in _UTF8_SEARCHES:
        start = data.find(lead)  # memchr: most texts lack two of the three lead bytes
        if start >= 0 and pattern.search(data, start) is not None:
            return True
    return b"\xef\xbb\xbf" in data


def has_control_characters(value: str) -> bool:
    """Whether ``value`` holds a control, bidi or separator character (no mojibake check)."""
    if value.isascii():
        return holds_any(value, _ASCII_CONTROL)
    return _CONTROL.search(value) is not None


@lru_cache(maxsize=1)
def _ftfy_config() -> Any:
    # Imported on first need: most processes never meet mojibake, and ftfy takes ~40 ms to load.
    from reader.stand_ins import import_sparing

    # Without wcwidth, which ftfy loads only for display widths (``reader.stand_ins``).
    ftfy = import_sparing("ftfy", "wcwidth", ("wcwidth", "wcswidth"))

    # Only the encoding repairs: escapes and controls are ours to remove, and quotes, widths,
    # ligatures, line breaks and normalisation are the author's.
    return ftfy, ftfy.TextFixerConfig(
        unescape_html=False, remove_terminal_escapes=False, fix_c1_controls=False,
        fix_latin_ligatures=False, fix_character_width=False, uncurl_quotes=False,
        fix_line_breaks=False, remove_control_chars=False, normalization=None, explain=False,
    )


def load_mojibake_repair() -> None:
    """Load ftfy now (a process about to fork its parse workers: each then inherits it
    instead of loading it again on its first suspect text, ~30 ms of CPU a worker)."""
    _ftfy_config()


def repair_mojibake(value: str) -> str:
    """``value`` with UTF-8-read-as-Windows-1252 repaired (``itâ€™s`` → ``it’s``), by ftfy."""
    first = _FIRST_SUSPECT.search(value)
    if first is None or _MOJIBAKE_CANDIDATE.search(value, first.start()) is None:
        return value
    ftfy, config = _ftfy_config()
    fixed: str = ftfy.fix_text(value, config)
    return fixed


def clean_text(value: str | None) -> str:
    """Repair mojibake, strip escape sequences and control/bidi characters, normalise newlines."""
    if not value:
        return ""
    if not needs_cleaning(value):
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = repair_mojibake(value)
    value = _ESCAPE_SEQUENCE.sub("", value)
    return _CONTROL.sub("", value)


def clean_line(value: str | None) -> str:
    """``clean_text`` for one-line fields (titles, authors): whitespace runs become one space.

    Printable ASCII (no control character, no CR, tab or newline: 22,241 of the 25,700 fields
    ``parse`` cleans on the real corpus) is what ``clean_text`` gives back unchanged, so it
    skips the cleaning test, and the splitting too where no space needs joining: those
    25,700 calls 126 -> 72 M machine instructions (callgrind)."""
    if not value:
        return ""
    if value.isascii() and value.isprintable():
        if value[0] != " " != value[-1] and "  " not in value:
            return value  # nothing to join either
        return " ".join(value.split())
    return " ".join(clean_text(value).split())


_WHITESPACE = re.compile(r"\s+")


def one_line(value: str | None) -> str:
    """Like ``clean_line`` but keeps a leading or trailing space: for pieces of a line that
    are shown side by side (snippet runs around a highlighted match)."""
    return _WHITESPACE.sub(" ", clean_text(value))


# -- plain text into Markdown ------------------------------------------------------------------

# What makes text into Markdown syntax mid-line. Some signs are always escaped; "_", "~" and
# "&" only where they could act. A run of text may be joined to another one (the converter
# builds lines from many), so the start and the end of a run count as "next to anything".
_INLINE_SPECIAL = re.compile(r"[\\`*\[\]<>|]|_+|~|&")
_ENTITY_AFTER = re.compile(r"#?\w+;")


def _escape_special(match: re.Match[str]) -> str:
    found = match.group()
    first = found[0]
    text, start, end = match.string, match.start(), match.end()
    if first == "_":
        # "snake_case" and "a_b" in URLs cannot start or end emphasis: leave them readable.
        if start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum():
            return found
        if _in_bare_url(text, start):
            return found
        return "\\_" * len(found)
    if first == "~":  # ~~strikethrough~~ and ~~~ fences need two in a row
        if start > 0 and end < len(text) and text[start - 1] != "~" and text[end] != "~":
            return found
        return "\\~"
    if first == "&":  # an entity like &amp; or &#169;, not a plain "&" in "AT&T" or a query
        if end < len(text) and _ENTITY_AFTER.match(text, end) is None:
            return found
        return "\\&"
    return "\\" + first


_BARE_URL = re.compile(r"[^\w\s]*https?://(?:[^\W_]|-)+(?:\.(?:[^\W_]|-)+)+(?::\d+)?[/?#]",
                       re.IGNORECASE)


def _in_bare_url(text: str, at: int) -> bool:
    """Whether ``text[at]`` is in the path of a bare ``http(s)://`` address. The Markdown
    parser the pane and ``show`` read with links such an address (linkify) before it reads
    escapes, so an escape in it became part of the link: a podcast's
    ``https://www.instagram.com/walerija_/`` opened ``…/walerija%5C_/`` and read
    ``walerija\\_/`` in ``show``. An ``_`` there cannot start or end emphasis (the address is
    one link), so it is left as written. (A ``www.`` address without a scheme is linked after
    emphasis is read: its ``_`` stays escaped.)"""
    word = max(text.rfind(" ", 0, at), text.rfind("\n", 0, at)) + 1
    return _BARE_URL.match(text, word, at) is not None


# Any character ``_INLINE_SPECIAL`` can match: most runs of text have none, and a test for
# one of a few characters is cheaper than the substitution (the alternation above is tried
# at every position).
_MAY_NEED_ESCAPE = byte_class("\\`*[]<>|_~&")


def escape_inline(text: str) -> str:
    """Plain text as Markdown that shows the same text mid-line (``[PDF]`` stays ``[PDF]``).

    ``|`` is always escaped, so the text is safe inside a table cell too. Measured on the
    11,268 runs of text the converter escapes on the real corpus (1,468 with a sign to
    escape): 20.4 ms with the substitution alone, 9.6 ms with the search first."""
    if not holds_any(text, _MAY_NEED_ESCAPE):
        return text
    return _INLINE_SPECIAL.sub(_escape_special, text)


_LINE_START = re.compile(r"(\s*)(?:([#>+\-=])|(\d+)([.)]))")
LINE_START_CHARACTERS = frozenset("#>+=-0123456789 \t")
"""What a line that ``escape_line_start`` may change starts with (a test its callers may make)."""


def escape_line_start(line: str) -> str:
    """Stop a line of escaped text from reading as a heading, quote, list item or underline."""
    if line[:1] not in LINE_START_CHARACTERS:
        return line  # most lines start with a letter: no pattern to try
    match = _LINE_START.match(line)
    if match is None:
        return line
    indent, sign, number, _ = match.groups()
    if sign is not None:  # "# ", "> ", "+ ", "- ", "=== "
        return indent + "\\" + line[len(indent):]
    # "1. " / "2022) ": "1\." is the escape, "\1." is not
    return indent + number + "\\" + line[match.end(3):]


def escape_markdown(text: str) -> str:
    """Turn plain text (one paragraph, any lines) into Markdown that shows the same text."""
    return "\n".join(escape_line_start(line) for line in escape_inline(text).split("\n"))


# -- Markdown back to plain text ---------------------------------------------------------------

_MD_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: any ASCII punctuation
_FENCE = re.compile(r"^((?:[ \t]*>)*[ \t]*)(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(?<![`\\])(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
TABLE_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
CELL_EDGE = re.compile(r"(?<!\\)\|")
"""An unescaped "|" in stored Markdown: a table cell's edge (every literal one is escaped)."""
_LIST_MARK = re.compile(r"^(\s*(?:>\s?)*)((?:[-+*]|\d+[.)])\s+)?")


def unescape_markdown(text: str) -> str:
    """Undo the backslash escapes ``escape_markdown`` adds (a piece of text, not whole code)."""
    return _MD_ESCAPED.sub(r"\1", text) if "\\" in text else text


def _unescape(text: str) -> str:
    """Undo backslash escapes outside code spans; code spans keep every character."""
    if "\\" not in text:
        return text
    if "`" not in text:
        return _MD_ESCAPED.sub(r"\1", text)
    out, position = [], 0
    for span in _CODE_SPAN.finditer(text):
        out.append(_MD_ESCAPED.sub(r"\1", text[position:span.start()]))
        out.append(span.group())
        position = span.end()
    out.append(_MD_ESCAPED.sub(r"\1", text[position:]))
    return "".join(out)


def _cells(row: str) -> list[str]:
    row = row.strip()
    row = row.removeprefix("|")
    if row.endswith("|") and not row.endswith("\\|"):
        row = row[:-1]
    # GFM reads "\|" as "|" anywhere in a cell, code spans too, before anything else.
    return [_unescape(cell.strip().replace("\\|", "|")) for cell in CELL_EDGE.split(row)]


def cell_width(char: str) -> int:
    """The cells a character takes in a terminal: 2 for a wide East Asian one, 0 for a
    combining mark, else 1 (what ``list``'s source column and ``show``'s tables measure; the
    app measures with Rich, whose import the command line does not pay for)."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def _display_width(text: str) -> int:
    return sum(cell_width(c) for c in text)


def _plain_table(rows: list[str], width: int | None) -> list[str]:
    """A Markdown table as aligned columns, or as one "header: value" line per cell when the
    columns would not fit the width (a wide table read on a narrow terminal)."""
    header, body = _cells(rows[0]), [_cells(row) for row in rows[2:]]
    columns = len(header)
    body = [(row + [""] * columns)[:columns] for row in body]
    shown = [header, *body] if any(header) else body
    widths = [max((_display_width(row[i]) for row in shown), default=0) for i in range(columns)]
    if width is None or sum(widths) + 3 * (columns - 1) <= width:
        lines = [
            " | ".join(c + " " * (w - _display_width(c)) for c, w in zip(row, widths, strict=True))
            .rstrip()
            for row in shown
        ]
        if any(header):
            lines.insert(1, "-+-".join("-" * w for w in widths))
        return lines
    records: list[str] = []
    for row in body:
        if records:
            records.append("")
        for name, cell in zip(header, row, strict=True):
            if cell:
                record = f"{name}: {cell}" if name else cell
                records.extend(_wrap(record, width, "  "))
    return records


def _wrap(line: str, width: int, indent: str | None = None) -> list[str]:
    """One line of prose wrapped to ``width``, list items and quotes with a hanging indent."""
    if len(line) <= width:
        return [line]
    if indent is None:
        match = _LIST_MARK.match(line)
        lead = match.group(0) if match else ""
        indent = re.sub(r"[^\s>]", " ", lead) if lead else ""
    wrapper = textwrap.TextWrapper(width=max(width, 20), subsequent_indent=indent,
                                   break_long_words=False, break_on_hyphens=False)
    return wrapper.wrap(line) or [line]


def fence_after(line: str, fence: str | None) -> str | None:
    """The code fence open after ``line`` of stored Markdown, given the one open before it
    (None: outside a fenced block). A fence may sit in a quote (``> ```"``); it closes on a
    line of the same character, at least as long, with nothing after it."""
    opening = _FENCE.match(line)
    if fence is not None:
        closes = opening and opening.group(2).startswith(fence) and \
            not line[opening.end():].strip()
        return None if closes else fence
    return opening.group(2) if opening else None


def markdown_to_plain(markdown: str, width: int | None = None) -> str:
    """A readable plain-text form of our stored Markdown, for ``reader show`` on a terminal.

    Backslash escapes are undone outside code; code spans and fenced blocks keep every
    character as written (and fences are never wrapped). Links stay as ``[text](url)``, which
    reads well as text. Tables become aligned columns. With ``width``, prose lines are wrapped.
    """
    out: list[str] = []
    lines = markdown.split("\n")
    fence: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        before, fence = fence, fence_after(line, fence)
        if before is not None or fence is not None:  # a fence line, or code: kept as written
            out.append(line)
            continue
        if "|" in line and index < len(lines) and TABLE_DELIMITER.match(lines[index]):
            table = [line, lines[index]]
            index += 1
            while index < len(lines) and "|" in lines[index] and lines[index].strip():
                table.append(lines[index])
                index += 1
            out.extend(_plain_table(table, width))
            continue
        plain = _unescape(line)
        out.extend(_wrap(plain, width) if width else [plain])
    return "\n".join(out)

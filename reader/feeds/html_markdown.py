"""Feed HTML to sanitised Markdown (``html_to_markdown``) and to one plain line (``html_to_text``).

Feed HTML is untrusted. Instead of cleaning HTML and converting it afterwards, the converter
emits only what it knows: text, emphasis, code, headings, lists, quotes, rules, line breaks,
tables, super- and subscripts, http/https/mailto links, http/https images, and one link line
per embedded video, audio or other embed (``▶ video: [title](https://…)``). Script, style,
forms, tracking pixels and ``javascript:`` links are dropped or kept as plain text; relative
links and fragments are resolved against the entry's base; control characters and terminal
escapes are removed from every piece of text.

The markup is read by lxml's HTML parser (libxml2 2.14 and later tokenizes as HTML5 does), so a
stray quote or an unclosed tag is recovered the way a browser recovers it and never turns
markup into visible text; the tree it builds is walked once. Measured on the 2,835 HTML bodies
of the 198 real feeds, interleaved in one quiet run: 0.175 ms a body with the regex tokenizer
this replaced, 0.184 ms now (lxml's parse is 0.03 ms of it; bodies without tables, embeds or
MathML cost the same as before, those with them pay for what used to be dropped). It never
raises: markup that defeats the parser (nesting deeper than libxml2's limit of 2,048)
degrades to plain text, with every word kept.

What costs, counted by callgrind over the 4,302 conversions of a parse of the real corpus
(bodies and titles): 4,241 M machine instructions at 09c4063, 3,700 M with the shortcuts that
give the same output: plain text (no ``<``, no ``&``) skips the parser; the test for what
to clean reads the UTF-8 given to the parser; most links are absolute and plain
(``resolve_url``); runs of text are searched for controls only when a character reference
can make one. 3,389 M now (counted alone, without the rest of the parse), with the commonest
work done in the walk itself instead of a handler call (a block's start and end, text that needs
nothing done), a table's cells converted without a new converter each, and one-line paragraphs,
list items and code spans built without the general case's splits and joins. Of that, cleaning
the input is about 510 M (ftfy's repair of 77 texts 280 M of it), lxml's parse about 780 M,
and the walk of the trees and what it builds about 1,900 M: the bare ``iterwalk`` with each
element's tag, text and tail about 480 M, tables 475 M (183 tables, 6,732 cells each converted
on its own), links, images and MathML together about 350 M.

3,272 M now (3,394 M for 41c7752 in the same harness): a body without a table is converted
from the parser's events while lxml parses it (``_EventConverter``, a parser target), so no
tree is built, walked or freed, and no element proxy is made: 2,214 of the 2,356 bodies that
reach the parser, 61 % of their elements; titles too (``_TextEvents``). Over the bodies that
reach the parser, a parser target with empty methods costs 977 M against 1,278 M for the
tree and a bare walk, but each event is a Python call (and lxml takes the GIL back for it)
where the walk's loop is not, which takes much of that back: the bodies without a table
2,127 -> 2,001 M. Tables, MathML and media with sources of their own are converted from the
tree (``_TREE_ONLY``): the 139 bodies with a table cost about 1,050 M, the tables in them
457 M. The tree's parser no longer collects ids or adds a doctype.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import lru_cache
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from reader.feeds.html_media import (
    AD_HOST,
    media_candidates,
    media_host,
    media_kind,
    media_title,
    watch_url,
)
from reader.feeds.html_tables import (
    LINK_TARGET,
    MAX_CELL,
    MAX_SPAN,
    TableCell,
    has_structure,
    lay_out,
    one_line,
    span,
)
from reader.text import (
    LINE_START_CHARACTERS,
    byte_class,
    clean_text,
    escape_inline,
    escape_line_start,
    has_control_characters,
    holds_any,
    needs_cleaning,
    needs_cleaning_utf8,
)

# Elements dropped with everything inside them: active content, page furniture, form controls.
_DROP = frozenset({
    "script", "style", "noscript", "template", "svg", "head", "title", "form", "select",
    "textarea", "button", "canvas", "applet", "frame", "frameset", "noembed", "noframes", "map",
    "dialog", "param", "datalist", "option", "optgroup", "input",
})
_BLOCKS = frozenset({
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "figure",
    "figcaption", "address", "details", "summary", "center", "dl", "dt", "dd", "fieldset",
    "legend", "hgroup", "body", "html",
})
# Inside a table nested too deep to be laid out as one, its parts are plain blocks.
_TABLE_PARTS = frozenset({"table", "caption", "thead", "tbody", "tfoot", "tr", "td", "th"})
_MAX_TABLE_DEPTH = 3
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_LISTS = frozenset({"ul", "ol", "menu", "dir"})
_EMPHASIS = {"strong": "**", "b": "**", "em": "*", "i": "*", "cite": "*", "dfn": "*"}
_CODE = frozenset({"code", "kbd", "samp", "tt"})
_SCRIPTS = {"sup": "^", "sub": "_"}
_WRAPPERS = frozenset({*_EMPHASIS, *_CODE, *_SCRIPTS, "a"})
_CONTAINERS = frozenset({*_HEADINGS, *_LISTS, "blockquote", "li"})
_MEDIA = frozenset({"iframe", "video", "audio", "object", "embed"})
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})

_BREAK = "\x00"  # a hard line break inside a paragraph; clean_text removes NUL from input text


def _single_spaces(text: str) -> str:
    """Each run of spaces as one space: two spaces become one until none are left, a few
    passes of a fast search, where ``re.sub(" {2,}", " ", text)`` tries a match at every
    space (on the real corpus, 73 -> 17 M machine instructions)."""
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def _collapse_spaces(text: str) -> str:
    """Each run of ASCII whitespace as one space. Every other whitespace character becomes a
    space first (each found by ``in``, a scan in C), then runs of spaces are made one: on
    the 7,194 runs of text of the real corpus that need it, a third of the machine
    instructions of one regex for the runs, which tests every character against the class
    of whitespace."""
    for space in "\t\n\r\f\v":
        if space in text:
            text = text.replace(space, " ")
    return _single_spaces(text)


# A run of text needs work (whitespace collapsed, Markdown escaped) only if it has one of these
# or two spaces in a row; most runs of prose have neither, and a test is cheaper than both.
_TEXT_WORK = byte_class("\t\n\r\f\v\\`*_[]<>|~&")
# Kept out of link and image URLs: what would end the URL, open code or split a table cell.
_URL_UNSAFE_CHARACTERS = " ()<>\\|`"
_URL_UNSAFE = re.compile(f"[{re.escape(_URL_UNSAFE_CHARACTERS)}]")
_URL_UNSAFE_BYTES = byte_class(_URL_UNSAFE_CHARACTERS)
# An ASCII URL without these is its own resolution (``resolve_url``): the unsafe characters, and
# the controls and whitespace that ``clean_text`` and ``strip`` would remove.
_URL_NOT_PLAIN = byte_class(_URL_UNSAFE_CHARACTERS + "\x7f" + "".join(map(chr, range(32))))
_TAB_AND_NEWLINE = str.maketrans("", "", "\t\n\r")
_SIZE = re.compile(r"\s*(\d+)")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_BACKTICKS = re.compile(r"`+")
_FENCE_RUN = re.compile(r"`{3,}")


def text_to_markdown(text: str) -> str:
    """Plain text (a ``text/plain`` feed field) as Markdown showing the same words."""
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(clean_text(text)):
        lines = [escape_line_start(escape_inline(" ".join(line.split())))
                 for line in block.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            paragraphs.append("  \n".join(lines))
    return "\n\n".join(paragraphs)


@lru_cache(maxsize=64)
def _origin(base: str) -> str:
    """``scheme://host[:port]`` of an absolute http(s) base URL, else ""."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return ""
    if parts.scheme.lower() not in IMAGE_SCHEMES or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def resolve_url(href: str | None, base: str | None, schemes: frozenset[str]) -> str | None:
    """``href`` made absolute against ``base``, or None unless its scheme is allowed.

    A fragment (``#note1``) resolves against ``base`` too: pass the entry's own link (or its
    ``xml:base``) so that footnote links lead to the story's page, not the feed's."""
    if not href:
        return None
    if href.startswith(("https://", "http://")) and href.isascii() and "/." not in href \
            and 1 not in href.encode().translate(_URL_NOT_PLAIN):  # (``holds_any`` written out)
        # Nine links in ten: nothing to clean, strip, resolve or escape. What the general
        # route below would check is left: the scheme and that a host follows "//".
        scheme, start = ("https", 8) if href[4] == "s" else ("http", 7)  # (literals: hashed)
        if href[start:start + 1] not in ("", "/") and scheme in schemes:
            return href
    href = (clean_text(href) if needs_cleaning(href) else href).strip()
    if "\n" in href or "\t" in href or "\r" in href:
        # As a browser's URL parser does: a feed that wraps long lines wraps its attributes
        # too (rome__issue137-rss.xml: "…/2009\n/09/…php"), and a link with a line break in
        # it was no Markdown link at all, shown as text.
        href = href.translate(_TAB_AND_NEWLINE)
    if not href:
        return None
    if href.startswith(("https://", "http://")) and "/." not in href:
        url = href  # already absolute and plain: urljoin would return it unchanged
    elif href[:1] == "/" and href[1:2] != "/" and "/." not in href and base:
        origin = _origin(base)  # the common "/path" link, without urljoin's general work
        url = origin + href if origin else href
    else:
        try:
            url = urljoin(base or "", href)
        except ValueError:
            return None
    scheme, sep, rest = url.partition(":")
    scheme = scheme.lower()
    if not sep or scheme not in schemes:
        return None
    if scheme != "mailto" and not rest.startswith("//"):
        return None
    if scheme != "mailto" and not rest[2:].split("/", 1)[0]:
        return None
    if not holds_any(url, _URL_UNSAFE_BYTES):
        return url
    return _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url)


_ATTR = re.compile(r"""([^\s=/<>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s<>"']+)))?""")


def parse_attrs(text: str) -> list[tuple[str, str | None]]:
    """``name="value"`` pairs of the inside of one start tag, names lower-cased, values
    unescaped (for callers that look at a tag found by a search, not a parsed tree)."""
    attrs: list[tuple[str, str | None]] = []
    for match in _ATTR.finditer(text):
        name, double, single, bare = match.groups()
        value = double if double is not None else single if single is not None else bare
        if value is not None and "&" in value:
            value = unescape(value)
        attrs.append((name.lower(), value))
    return attrs


_NOT_CONTENT_IMAGE = re.compile(
    r"https?://(?:[^/?#]*@)?(?:"
    r"(?:[^/?#:@]*\.)?(?:doubleclick\.net|da\.feedsportal\.com)(?:[:/?#]|$)"  # ad servers
    r"|(?:[^/?#:@]*\.)?(?:ads?|adserver|adservice)\.[^/?#]*[/?#]"
    r"|(?:feeds?|rss|feedproxy)\.[^/?#]*/~(?:ff|f|a|c)/"  # FeedBurner's buttons and ads
    r"|[^?#]*/(?:piwik|matomo|p)\.php\?(?:[^#]*&)?idsite="  # Matomo's pixel, sized by CSS
    r")",
    re.IGNORECASE,
)
"""An image that is a feed service's or an ad server's, not the story's: FeedBurner's share
buttons (``feeds.feedburner.com/~ff/…``, ``/~f/``), its ads (``/~a/``, ``/~c/``, DoubleClick's
``feedads.g.doubleclick.net/~at/``), Feedsportal's and Pheedo's ads and a Matomo counter. Each
was one ``[image]`` with no alt text, most of them a numbered link too: 439 in 159 stories of 11
real feeds (TechCrunch's stories ended in 8 of them, "image" eight times in the link list).
Dropped as a tracking pixel is; the link around one goes with it (a link with no text is)."""


def _is_tracking_pixel(attrs: etree._Attrib) -> bool:
    for name in ("width", "height"):
        value = attrs.get(name)
        match = _SIZE.match(value) if value else None
        if match and int(match.group(1)) <= 1:
            return True
    style = attrs.get("style")
    if not style:
        return False
    style = style.replace(" ", "").lower()
    return "display:none" in style or "width:1px" in style or "height:1px" in style


def _code_span(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return ""
    if "`" not in text:  # (nearly every span)
        return f"`{text}`"
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0) if "`" in text else 0
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# -- super- and subscripts ---------------------------------------------------------------------

_SUPERSCRIPT = str.maketrans("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ")
_SUBSCRIPT = str.maketrans("0123456789+-−=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎")
_SUPERSCRIPT_CHARS = frozenset("0123456789+-−=()ni")
_SUBSCRIPT_CHARS = frozenset("0123456789+-−=()")
_LINK_ONLY = re.compile(r"\[([^\[\]]*)\](\([^()\s]*\))")
_ORDINAL = re.compile(r"(?:st|nd|rd|th|e|er|re|ème|o|a)", re.IGNORECASE)


def script_text(text: str, kind: str, before: str = "", markdown: bool = True) -> str:
    """``text`` (already Markdown) written as a super- (``^``) or subscript (``_``).

    Digits and signs become Unicode super/subscripts (``2¹⁶``, ``H₂O``, a footnote ``¹``);
    anything else is marked ``^(…)`` / ``_(…)`` so that ``2^16`` never reads ``216``. A
    bracketed marker (``[1]``) and an ordinal suffix after a digit (``1st``) read right as
    they are. ``before`` is the text the script follows; ``markdown=False`` for plain text."""
    stripped = text.strip()
    if not stripped:
        return ""
    link = _LINK_ONLY.fullmatch(stripped)
    inner = link.group(1) if link else stripped
    chars = _SUPERSCRIPT_CHARS if kind == "^" else _SUBSCRIPT_CHARS
    if inner and set(inner) <= chars:
        mapped = inner.translate(_SUPERSCRIPT if kind == "^" else _SUBSCRIPT)
        return f"[{mapped}]{link.group(2)}" if link else mapped
    plain = inner.replace("\\", "")
    if plain[:1] + plain[-1:] in ("[]", "()"):
        return stripped
    if kind == "^" and before[-1:].isdigit() and _ORDINAL.fullmatch(plain):
        return stripped
    if kind == "^" and plain == "TM":
        return "™"
    if kind == "^":
        return f"^({stripped})"
    return f"\\_({stripped})" if markdown else f"_({stripped})"


# -- MathML ------------------------------------------------------------------------------------

_MATH_SKIP = frozenset({"annotation", "annotation-xml", "none", "mprescripts"})
# The elements that are more than their text and their children's, one after another.
_MATH_SHAPED = frozenset({"semantics", "msup", "msub", "msubsup", "munderover", "mover", "munder",
                          "mfrac", "msqrt", "mroot", "mspace"})


def _math_text(node: etree._Element, depth: int = 0) -> str:
    """The text a MathML formula shows, with powers and indices as ``script_text`` writes them."""
    return _math_of(node, node.tag, depth)


def _math_of(node: etree._Element, tag: Any, depth: int) -> str:
    """``_math_text`` of ``node``, its ``tag`` read already (each read decodes it anew)."""
    if tag.__class__ is not str:
        tag = ""
    elif "}" in tag or ":" in tag:
        tag = tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
    if tag in _MATH_SKIP:
        return ""
    if depth > 40:  # deeper than any real formula: its words, in order
        return " ".join("".join(str(text) for text in node.itertext()).split())
    parts = []
    if len(node):  # (a slice of the children, one C call, costs a quarter of their iterator)
        for child in node[:]:  # the elements among the children (none is anything else)
            name = child.tag
            if name.__class__ is str:
                parts.append(_math_of(child, name, depth + 1))
    if tag not in _MATH_SHAPED:  # (most: mn, mi, mo, mrow)
        return (node.text or "").strip() + "".join(parts)
    if tag == "semantics":
        return parts[0] if parts else ""
    if tag in ("msup", "msub", "msubsup", "munderover", "mover", "munder") and len(parts) >= 2:
        if tag in ("msubsup", "munderover"):
            sup = parts[2] if len(parts) > 2 else ""
            return (parts[0] + script_text(parts[1], "_", markdown=False)
                    + script_text(sup, "^", markdown=False))
        mark = "^" if tag in ("msup", "mover") else "_"
        return parts[0] + script_text(parts[1], mark, markdown=False)
    if tag == "mfrac" and len(parts) == 2:
        return f"{parts[0]}/{parts[1]}"
    if tag == "msqrt":
        return "√(" + "".join(parts) + ")"
    if tag == "mroot" and len(parts) == 2:
        return f"{parts[1]}√({parts[0]})"
    if tag == "mspace":
        return " "
    return (node.text or "").strip() + "".join(parts)


# -- the converter -----------------------------------------------------------------------------


class _Container:
    """A block that holds other blocks: the document, a quote, a list, a list item, ..."""

    __slots__ = ("blocks", "inline", "kind", "number", "ordered", "tag", "wraps")

    def __init__(self, kind: str, tag: str, ordered: bool = False, number: int = 1) -> None:
        self.kind = kind
        self.tag = tag
        self.blocks: list[str] = []
        self.inline: list[str] = []
        # open inline wrappers: [tag, marker or href, position in ``inline``]
        self.wraps: list[list[str | int | None]] = []
        self.ordered = ordered
        self.number = number


class _Converter:
    """An lxml tree in, Markdown blocks out; ``walk`` visits it once, start and end."""

    def __init__(self, base: str | None, check_text: bool, media: set[str] | None = None,
                 table_depth: int = 0) -> None:
        self.base = base
        self.stack = [_Container("root", "")]
        self.code_depth = 0
        self.check_text = check_text  # text from character references may hold controls
        self.media = media if media is not None else set()
        self.table_depth = table_depth
        self.sub: _Converter | None = None  # converts the cells of its tables (``_blocks_of``)

    # -- walking -------------------------------------------------------------------------------

    def walk(self, root: etree._Element, tail: bool = True) -> None:
        """Convert ``root``, what it holds and (with ``tail``) the text after it.

        Each tag's handler is found with one dict lookup (``_STARTS``, ``_ENDS``): most
        elements are ones with no handler (``span``, ``font``…) or a block, and the chain
        of set tests this replaced tried a dozen sets before it gave up on a ``span``. The
        commonest work is done here, not in a handler: a block's start and end (a paragraph
        ended when text is pending) and a run of text that needs no work, whitespace between
        tags (a third of all runs) or prose without a sign to escape."""
        walker = etree.iterwalk(root, events=("start", "end"))
        stack = self.stack
        handle_data = self.handle_data
        flush = self._flush
        check = self.check_text
        work = _TEXT_WORK
        block = _Converter._start_block
        starts, ends = (_STARTS_DEEP, _ENDS_DEEP) if self.table_depth >= _MAX_TABLE_DEPTH \
            else (_STARTS, _ENDS)
        for event, element in walker:
            if event == "start":
                tag = element.tag
                handler = starts.get(tag)
                if handler is block:
                    top = stack[-1]
                    if top.inline:  # (most blocks start and end with nothing pending)
                        flush(top)
                elif handler is not None:
                    if handler(self, tag, element):
                        walker.skip_subtree()
                        continue
                elif tag.__class__ is not str:  # a comment or processing instruction
                    walker.skip_subtree()
                    continue
                text = element.text  # each read of .text or .tail decodes it anew
                if not text:
                    continue
            else:
                tag = element.tag
                end = ends.get(tag)
                if end is not None:
                    top = stack[-1]
                    if end is _END_BLOCK:
                        if top.inline:
                            flush(top)
                    elif end is _END_WRAP:
                        self._close_wrap(top, tag)
                    else:
                        end(self, tag)
                text = element.tail
                if not text or (not tail and element is root):
                    continue
            # ``handle_data`` written out
            if check:
                handle_data(text)
            elif text.isspace():  # the newlines between tags: a third of all runs of text
                stack[-1].inline.append(" ")
            elif "  " in text or 1 in text.encode("utf-8", "surrogatepass").translate(work):
                text = _collapse_spaces(text)
                stack[-1].inline.append(text if self.code_depth else escape_inline(text))
            else:
                stack[-1].inline.append(text)

    # -- markup events -------------------------------------------------------------------------

    # Each start handler returns whether the element's subtree is done with (None: walk on).

    def _start_block(self, tag: str, element: etree._Element) -> None:
        top = self.stack[-1]
        if top.inline:  # (most blocks start and end with nothing pending)
            self._flush(top)

    def _start_emphasis(self, tag: str, element: etree._Element) -> None:
        top = self.stack[-1]
        top.wraps.append([tag, _EMPHASIS[tag], len(top.inline)])

    def _start_link(self, tag: str, element: etree._Element) -> None:
        top = self.stack[-1]
        href = resolve_url(element.get("href"), self.base, LINK_SCHEMES)
        top.wraps.append(["a", href, len(top.inline)])

    def _start_code(self, tag: str, element: etree._Element) -> None:
        top = self.stack[-1]
        self.code_depth += 1
        top.wraps.append([tag, "`", len(top.inline)])

    def _start_script(self, tag: str, element: etree._Element) -> None:
        top = self.stack[-1]
        top.wraps.append([tag, _SCRIPTS[tag], len(top.inline)])

    def _start_image(self, tag: str, element: etree._Element) -> None:
        self._image(element.attrib)

    def _start_break(self, tag: str, element: etree._Element) -> None:
        self.stack[-1].inline.append(_BREAK)

    def _start_rule(self, tag: str, element: etree._Element) -> None:
        top = self.stack[-1]
        self._flush(top)
        top.blocks.append("* * *")

    def _start_heading(self, tag: str, element: etree._Element) -> None:
        self._open("heading", tag)

    def _start_quote(self, tag: str, element: etree._Element) -> None:
        self._open("quote", tag)

    def _start_list(self, tag: str, element: etree._Element) -> None:
        start = _SIZE.match(element.get("start") or "")
        self._open("list", tag, ordered=tag == "ol", number=int(start.group(1)) if start else 1)

    def _start_item(self, tag: str, element: etree._Element) -> None:
        if self.stack[-1].kind == "item":
            self._close_container()
        self._open("item", tag)

    def _end_block(self, tag: str) -> None:
        top = self.stack[-1]
        if top.inline:
            self._flush(top)

    def _end_wrap(self, tag: str) -> None:
        self._close_wrap(self.stack[-1], tag)

    def _end_container(self, tag: str) -> None:
        stack = self.stack
        if stack[-1].tag == tag and len(stack) > 1:  # the innermost (nearly always)
            self._close_container()
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                while len(self.stack) > depth:
                    self._close_container()
                break
            if tag == "li" and self.stack[depth].kind == "list":
                break

    def handle_data(self, data: str) -> None:
        self.stack[-1].inline.append(
            _inline_text(data, self.check_text, code=bool(self.code_depth)))

    # -- elements converted whole --------------------------------------------------------------

    # Each returns whether the element's subtree is done with. libxml2 keeps HTML5's void
    # <embed> open (what follows it becomes its children), so that one is walked on.

    def _drop(self, tag: str, element: etree._Element) -> bool:
        """Active content, furniture and form controls: nothing of them is shown."""
        return True

    def _pre(self, tag: str, element: etree._Element) -> bool:
        parts: list[str] = []
        walker = etree.iterwalk(element, events=("start", "end"))
        for event, node in walker:
            if event == "start":
                if not isinstance(node.tag, str) or node.tag in _DROP:
                    walker.skip_subtree()
                    continue
                if node.tag == "br":
                    parts.append("\n")
                text = node.text
                if text:
                    parts.append(text)
            else:
                text = node.tail
                if text and node is not element:
                    parts.append(text)
        self._pre_block("".join(parts))
        return True

    def _pre_block(self, raw: str) -> None:
        """The code block of a ``<pre>``'s text (``raw``: its runs of text, a newline for each
        ``<br>``, nothing of a dropped element but its tail)."""
        if self.check_text and has_control_characters(raw):
            raw = clean_text(raw)
        raw = raw.replace("\r\n", "\n").strip("\n").rstrip()
        if not raw.strip():
            return
        top = self.stack[-1]
        self._flush(top)
        longest = max((len(run) for run in _FENCE_RUN.findall(raw)), default=2) \
            if "```" in raw else 2  # (the regex is tried at every character)
        fence = "`" * (longest + 1)
        top.blocks.append(f"{fence}\n{raw}\n{fence}")

    def _media(self, tag: str, element: etree._Element) -> bool:
        """An iframe, video, audio, object or embed as one line: ``▶ video: [title](url)``."""
        declared = ""
        for candidate, declared in media_candidates(element):  # noqa: B007 (used below)
            url = resolve_url(candidate, self.base, IMAGE_SCHEMES)
            if url:
                break
        else:
            return element.tag != "embed"
        if _is_tracking_pixel(element.attrib) or AD_HOST.search(media_host(url)):
            return element.tag != "embed"
        url = watch_url(url)
        if url in self.media:
            return element.tag != "embed"
        self.media.add(url)
        kind = media_kind(element.tag, url, declared.lower())
        title = media_title(element, url)
        line = f"▶ {kind}: [{escape_inline(title or url)}]({url})"
        top = self.stack[-1]
        self._flush(top)
        top.blocks.append(line)
        return element.tag != "embed"

    def _math(self, tag: str, element: etree._Element) -> bool:
        text = " ".join(clean_text(element.get("alttext") or _math_text(element)).split())
        if not text:
            return True
        if element.get("display") == "block":
            top = self.stack[-1]
            self._flush(top)
            top.blocks.append(escape_line_start(escape_inline(text)))
        else:
            self.stack[-1].inline.append(escape_inline(text))
        return True

    def _table(self, tag: str, element: etree._Element) -> bool:
        top = self.stack[-1]
        self._flush(top)
        # What is not a row or a cell (stray text, a caption, a paragraph between rows) is shown
        # before the table, as a browser does; libxml2 leaves it where the markup put it.
        before: list[str] = []
        rows: list[tuple[list[TableCell], bool]] = []  # cells, whether in <thead>
        footer: list[tuple[list[TableCell], bool]] = []

        def stray(text: str | None) -> None:
            if text and text.strip():
                before.append(escape_line_start(escape_inline(" ".join(text.split()))))

        def read(part: etree._Element, target: list[tuple[list[TableCell], bool]],
                 head: bool) -> None:
            stray(part.text)
            loose: list[TableCell] = []  # cells outside any <tr> make a row of their own
            for child in part[:]:
                tag = child.tag  # (read once: each read decodes it anew)
                if tag.__class__ is not str:
                    tag = ""
                if tag in ("td", "th"):
                    loose.append(self._cell(child, tag == "th"))
                else:
                    if loose:
                        target.append((loose, head))
                        loose = []
                    if tag == "tr":
                        target.append((self._row(child, stray), head))
                    elif tag in ("thead", "tbody", "tfoot") and part is element:
                        read(child, footer if tag == "tfoot" else rows, tag == "thead")
                    elif tag and tag not in ("colgroup", "col"):
                        before.extend(self._blocks_of(child))
                text = child.tail
                if text and not text.isspace():  # (most are the newline before the next row)
                    stray(text)
            if loose:
                target.append((loose, head))

        read(element, rows, False)
        top.blocks.extend(before)
        top.blocks.extend(lay_out(rows + footer))
        return True

    def _row(self, row: etree._Element, stray: Callable[[str | None], None]) -> list[TableCell]:
        cells = []
        stray(row.text)
        for child in row[:]:
            tag = child.tag
            if tag == "td" or tag == "th":
                cells.append(self._cell(child, tag == "th"))
            elif isinstance(tag, str) and tag not in _DROP:
                stray(" ".join(str(text) for text in child.itertext()))
            text = child.tail
            if text and not text.isspace():  # (most are the newline before the next cell)
                stray(text)
        return cells

    def _cell(self, cell: etree._Element, header: bool) -> TableCell:
        if len(cell):
            blocks = self._blocks_of(cell)
        else:  # text only (two cells in five): what converting it alone gives, done directly
            blocks = []
            text = cell.text
            if text:
                block = _paragraph(_inline_text(text, self.check_text, code=False))
                if block:
                    blocks.append(block)
        if blocks:
            line = one_line(blocks)
            structured = any(map(has_structure, blocks)) or len(
                LINK_TARGET.sub("]", line) if "](" in line else line) > MAX_CELL
        else:  # an empty cell
            line, structured = "", False
        # (the names first, one C call: half the cells have no attribute, few have a span)
        names = cell.keys()
        return TableCell(blocks, line, header,
                         span(cell.get("colspan"), MAX_SPAN) if "colspan" in names else 1,
                         span(cell.get("rowspan"), 10_000) if "rowspan" in names else 1,
                         structured)

    def _blocks_of(self, element: etree._Element) -> list[str]:
        """The Markdown blocks of a table cell or of stray content in a table (without the
        text after it), converted on their own.

        By one converter, made once: ``blocks`` leaves it as it began, its stack only the
        root, with no text pending, no wrapper open and every code span closed; the root
        gets a new list of blocks, as the last one was handed out."""
        sub = self.sub
        if sub is None:
            sub = self.sub = _Converter(self.base, self.check_text, self.media,
                                        self.table_depth + 1)
        else:
            sub.stack[0].blocks = []
            sub.code_depth = 0
        sub.walk(element, tail=False)
        return sub.blocks()

    # -- building ------------------------------------------------------------------------------

    def _image(self, attrs: etree._Attrib) -> None:
        if _is_tracking_pixel(attrs):
            return
        src = resolve_url(attrs.get("src"), self.base, IMAGE_SCHEMES)
        if src:
            rest = src.partition("//")[2]
            host = rest.partition("/")[0]  # (a few tests of the host spare most the regex)
            if ("ad" in host or "da.feedsportal" in host or "doubleclick" in host
                    or "/~" in rest or "idsite=" in rest) and _NOT_CONTENT_IMAGE.match(src):
                return
        alt = attrs.get("alt")  # (absent from half the images)
        alt = escape_inline(" ".join(clean_text(alt).split())) if alt else ""
        top = self.stack[-1]
        if src:
            top.inline.append(f"![{alt}]({src})")
        elif alt:
            top.inline.append(alt)

    def _open(self, kind: str, tag: str, ordered: bool = False, number: int = 1) -> None:
        top = self.stack[-1]
        if top.inline:
            self._flush(top)
        self.stack.append(_Container(kind, tag, ordered, number))

    def _close_wrap(self, top: _Container, tag: str) -> None:
        wraps = top.wraps
        if not wraps:
            return
        wrap = wraps[-1]
        if wrap[0] == tag:  # the innermost (nearly always)
            wraps.pop()
        else:
            for index in range(len(wraps) - 2, -1, -1):
                if wraps[index][0] == tag:
                    break
            else:
                return
            for inner in wraps[index + 1:]:
                if inner[0] in _CODE:
                    self.code_depth -= 1
            wrap = wraps[index]
            del wraps[index:]
        marker, position = wrap[1], wrap[2]
        position = position if isinstance(position, int) else 0
        inline = top.inline
        if position == len(inline) - 1:  # one run inside (most links and emphasis): no join
            content = inline.pop()
        else:
            content = "".join(inline[position:])
            del inline[position:]
        if tag in _CODE:
            self.code_depth -= 1
            inline.append(_code_span(content))
            return
        if tag in _SCRIPTS:
            before = inline[-1] if inline else ""
            inline.append(script_text(content.replace(_BREAK, " "), str(marker), before,
                                      markdown=not self.code_depth))
            return
        text = content.strip(" ")
        # (whether ``text`` is only whitespace and line breaks: it is not, when its first
        # character is neither, and the test of that spares two new strings)
        if not text or ((text[0] == _BREAK or text[0].isspace())
                        and not text.replace(_BREAK, "").strip()):
            if tag != "a":
                inline.append(content)
            return
        if text is content:  # nothing stripped: no space to keep outside the markers
            lead = trail = ""
        else:
            lead = " " if content[0] == " " else ""
            trail = " " if content[-1] == " " else ""
        if tag == "a":
            inline.append(f"{lead}[{text}]({marker}){trail}" if marker else content)
        else:
            inline.append(f"{lead}{marker}{text}{marker}{trail}")

    def _close_open_wraps(self, box: _Container) -> None:
        """Close what the markup left open (``<b>bold`` at the end of a paragraph)."""
        while box.wraps:
            tag = box.wraps[-1][0]
            self._close_wrap(box, tag if isinstance(tag, str) else "")

    def _flush(self, top: _Container) -> None:
        """End the current paragraph of ``top``; open inline wrappers carry on in the next."""
        inline = top.inline
        if not inline:
            return
        text = "".join(inline)
        inline.clear()
        for wrap in top.wraps:
            wrap[2] = 0
        if _BREAK not in text:  # one line, the common case (``_paragraph`` written out)
            line = (_single_spaces(text) if "  " in text else text).strip()
            if line:  # (most lines start with a letter: no escape to look for)
                top.blocks.append(escape_line_start(line) if line[0] in LINE_START_CHARACTERS
                                  else line)
            return
        block = _paragraph(text)
        if block:
            top.blocks.append(block)

    def _close_container(self) -> None:
        box = self.stack.pop()
        if box.wraps:
            self._close_open_wraps(box)
        if box.inline:
            self._flush(box)
        parent = self.stack[-1]
        if box.kind == "heading":
            text = " ".join(" ".join(box.blocks).replace("  \n", " ").split())
            if text:
                parent.blocks.append("#" * _HEADINGS[box.tag] + " " + text)
        elif box.kind == "quote":
            body = "\n\n".join(box.blocks)
            if body:
                parent.blocks.append(
                    "\n".join("> " + line if line else ">" for line in body.split("\n"))
                )
        elif box.kind == "list":
            if box.blocks:
                parent.blocks.append("\n".join(box.blocks))
        elif box.kind == "item":
            body = "\n\n".join(box.blocks)
            if not body:
                return
            if parent.kind == "list" and parent.ordered:
                marker = f"{parent.number}. "
                parent.number += 1
            else:
                marker = "- "
            if "\n" not in body:  # one line (most items)
                parent.blocks.append(marker + body)
                return
            pad = " " * len(marker)
            lines = body.split("\n")
            parent.blocks.append(
                "\n".join([marker + lines[0], *(pad + line if line else "" for line in lines[1:])])
            )

    def blocks(self) -> list[str]:
        while len(self.stack) > 1:
            self._close_container()
        root = self.stack[0]
        if root.wraps:
            self._close_open_wraps(root)
        if root.inline:
            self._flush(root)
        return root.blocks


def _inline_text(data: str, check: bool, code: bool) -> str:
    """A run of text as inline Markdown: cleaned if ``check``, its whitespace collapsed, and
    escaped unless it is ``code``; whitespace alone is one space. (``walk`` writes this out
    for runs that need no cleaning, its hottest path.)"""
    if check and has_control_characters(data):
        data = clean_text(data)
    if data.isspace():  # the newlines between tags: a third of all runs of text
        return " "
    # (``holds_any`` written out: this is the converter's hottest test, 45,049 runs of text on
    # the real corpus; the call would add 23 M instructions, 0.3 % of the parse)
    if "  " in data or 1 in data.encode("utf-8", "surrogatepass").translate(_TEXT_WORK):
        data = _collapse_spaces(data)
        if not code:
            data = escape_inline(data)
    return data


def _paragraph(text: str) -> str:
    """The block a paragraph's inline text (``_Container.inline`` joined) makes, or ""."""
    if _BREAK not in text:  # one line, the common case
        line = (_single_spaces(text) if "  " in text else text).strip()
        return escape_line_start(line) if line else ""
    lines = []
    for raw in text.split(_BREAK):
        line = (_single_spaces(raw) if "  " in raw else raw).strip()
        if line:
            lines.append(escape_line_start(line))
    return "  \n".join(lines)


_Start = Callable[[_Converter, str, etree._Element], bool | None]
_SPECIAL: dict[str, _Start] = {
    **dict.fromkeys(_DROP, _Converter._drop),
    **dict.fromkeys(_MEDIA, _Converter._media),
    "pre": _Converter._pre,
    "math": _Converter._math,
    "table": _Converter._table,
}
# What a start tag does, by tag; a tag in none of these is only its text. The groups do not
# overlap; elements converted whole (``_SPECIAL``) take precedence.
_STARTS: dict[Any, _Start] = {
    **dict.fromkeys(_TABLE_PARTS, _Converter._start_block),  # a table nested too deep
    **dict.fromkeys(_LISTS, _Converter._start_list),
    **dict.fromkeys(_HEADINGS, _Converter._start_heading),
    **dict.fromkeys(_SCRIPTS, _Converter._start_script),
    **dict.fromkeys(_CODE, _Converter._start_code),
    **dict.fromkeys(_EMPHASIS, _Converter._start_emphasis),
    **dict.fromkeys(_BLOCKS, _Converter._start_block),
    "li": _Converter._start_item, "blockquote": _Converter._start_quote,
    "hr": _Converter._start_rule, "br": _Converter._start_break, "img": _Converter._start_image,
    "a": _Converter._start_link,
    **_SPECIAL,
}
_END_BLOCK = _Converter._end_block  # (``walk`` does these two itself)
_END_WRAP = _Converter._end_wrap
_ENDS: dict[Any, Callable[[_Converter, str], None]] = {
    **dict.fromkeys(_CONTAINERS, _Converter._end_container),
    **dict.fromkeys(_WRAPPERS, _Converter._end_wrap),
    **dict.fromkeys(_BLOCKS | _TABLE_PARTS, _Converter._end_block),
}
for _tag in _SPECIAL:  # an element converted whole has no end of its own
    _ENDS.pop(_tag, None)
# Tables nested deeper than _MAX_TABLE_DEPTH: their rows and cells are plain blocks.
_STARTS_DEEP = {**_STARTS, "table": _Converter._start_block}
_ENDS_DEEP = {**_ENDS, "table": _Converter._end_block}


# -- converting while parsing ------------------------------------------------------------------

# Elements converted from their subtree: a table's rows and cells, a formula, a media element's
# sources, and an <embed>'s content (walked on or not by what its sources are). A document with
# one of them is converted from its tree; the others are converted as lxml parses them.
_TREE_ONLY = frozenset({"table", "math", "video", "audio", "object", "embed"})
# Tables are the commonest of them by far (139 of the 142 such bodies of the real corpus): a body
# that has one is not tried as events. (Looking for the others too costs more, at two machine
# instructions a byte for each, than starting on the few bodies that have one: an element found
# while parsing stops the parse.)
_TABLE_MARK = b"<table"


# libxml2 builds no tree deeper than 2,048 elements (``_TooDeep``), but it sends the events of
# a deeper document to a parser target all the same. Each element but the few the parser adds
# (html, head, body) starts at a "<", so a document with at most this many cannot nest that
# deep; one with more (1 of the 2,514 bodies without a table of the real corpus) is left to
# the tree, which decides. (The count costs about 30 M instructions on the real corpus, as
# much as following the depth in the targets at each start and end did.)
_MAX_EVENT_TAGS = 1500


def _few_tags(data: bytes) -> bool:
    """Whether ``data`` has too few "<" to nest as deep as a tree stops (``_MAX_EVENT_TAGS``)."""
    return len(data) <= _MAX_EVENT_TAGS or data.count(b"<") <= _MAX_EVENT_TAGS


class _TreeNeeded(Exception):
    """The document has an element of ``_TREE_ONLY`` (or its events do not make one tree)."""


class _ElementStart:
    """An element's start as the parser target gets it, read as the tree's element is
    (``tag``, ``get``, ``attrib``) by the handlers written for the tree."""

    __slots__ = ("attrib", "get", "tag")

    def __init__(self, tag: str, attrib: dict[str, str]) -> None:
        self.tag = tag
        self.attrib = attrib
        self.get = attrib.get


class _EventConverter(_Converter):
    """``_Converter`` as lxml's parser target: the document is converted from the parser's
    events, so neither the tree nor an element proxy is made (``_events``).

    The events are the ones libxml2 builds its tree from, so they convert to what walking
    the tree gives, once three differences are made up for here:
    - a run of text comes in pieces (each character reference is one), so the pieces are
      kept (``pending``) and converted as one run at the next start or end, where the walk
      reads an element's ``text`` or ``tail``; ``data`` is the list's own ``append``, so a
      piece costs no Python call;
    - what follows the root's end (a second ``<html>`` after ``</html>``) is in no tree, so
      it is skipped, and so is text before the root;
    - an element the walk skips (``_DROP``, an ``<iframe>`` converted from its attributes)
      is skipped by counting its depth (``skip``; the text read meanwhile is dropped at its
      end), and a ``<pre>``'s text is gathered as ``_pre`` gathers it from the tree.
    An element of ``_TREE_ONLY`` raises ``_TreeNeeded``: the document is then parsed again
    and converted from its tree. (So is one that might nest deeper than a tree is built:
    ``_few_tags``.)"""

    def __init__(self) -> None:
        super().__init__(None, False)
        self.pending: list[str] = []  # the pieces of the run of text being read
        self.data = self.pending.append  # (lxml reads the target's methods once)
        self.reset(None, False)

    def reset(self, base: str | None, check_text: bool) -> None:
        """Ready for a new document (after a finished one, or one abandoned mid-way)."""
        _Converter.__init__(self, base, check_text)
        self.pending.clear()  # (never another list: ``data`` appends to this one)
        self.inside = False  # in an element skipped whole, or in a <pre>
        self.skip = 0  # depth inside an element skipped whole (with what it holds)
        self.skip_mark = 0  # the length of ``pending`` where it started
        self.pre_depth = 0  # depth inside a <pre>, whose text ``pending`` gathers
        self.html_depth = 0  # open <html> elements: 0 before the root and after its end

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self.inside:
            self._start_inside(tag)
            return
        pending = self.pending
        if pending:  # (``_text`` written out: a run of text ends at most starts and ends)
            text = pending[0] if len(pending) == 1 else "".join(pending)
            pending.clear()
            if not text or not self.html_depth:
                pass
            elif self.check_text:
                self.handle_data(text)
            elif text.isspace():
                self.stack[-1].inline.append(" ")
            elif "  " in text or 1 in text.encode("utf-8", "surrogatepass").translate(_TEXT_WORK):
                text = _collapse_spaces(text)
                self.stack[-1].inline.append(text if self.code_depth else escape_inline(text))
            else:
                self.stack[-1].inline.append(text)
        handler = _EVENT_STARTS.get(tag)
        if handler is _BLOCK:
            top = self.stack[-1]
            if top.inline:
                self._flush(top)
        elif handler is not None and handler(self, tag, attrib):
            self.skip = 1
            self.skip_mark = 0
            self.inside = True

    def end(self, tag: str) -> None:
        if self.inside:
            self._end_inside()
            return
        pending = self.pending
        if pending:  # (``_text`` written out: a run of text ends at most starts and ends)
            text = pending[0] if len(pending) == 1 else "".join(pending)
            pending.clear()
            if not text or not self.html_depth:
                pass
            elif self.check_text:
                self.handle_data(text)
            elif text.isspace():
                self.stack[-1].inline.append(" ")
            elif "  " in text or 1 in text.encode("utf-8", "surrogatepass").translate(_TEXT_WORK):
                text = _collapse_spaces(text)
                self.stack[-1].inline.append(text if self.code_depth else escape_inline(text))
            else:
                self.stack[-1].inline.append(text)
        end = _EVENT_ENDS.get(tag)
        if end is not None:
            top = self.stack[-1]
            if end is _END_BLOCK:
                if top.inline:
                    self._flush(top)
            elif end is _END_WRAP:
                self._close_wrap(top, tag)
            else:
                end(self, tag)

    def _start_inside(self, tag: str) -> None:
        if self.skip:
            self.skip += 1
            return
        self.pre_depth += 1  # what ``_pre`` takes from the tree
        if tag in _DROP:
            self.skip = 1
            self.skip_mark = len(self.pending)
        elif tag == "br":
            self.pending.append("\n")

    def _end_inside(self) -> None:
        if self.skip:
            self.skip -= 1
            if not self.skip:  # the end of the element skipped: what it held is dropped
                del self.pending[self.skip_mark:]
                if self.pre_depth:
                    self.pre_depth -= 1
                else:
                    self.inside = False
            return
        self.pre_depth -= 1
        if not self.pre_depth:
            self.inside = False
            raw = "".join(self.pending)
            self.pending.clear()
            self._pre_block(raw)

    def close(self) -> str:
        if self.inside and self.html_depth:
            raise _TreeNeeded("the events left an element open")
        if self.pending:
            self._text()
        return "\n\n".join(self.blocks())

    def _text(self) -> None:
        """Convert the run of text read since the last start or end (``walk``'s own copy)."""
        pending = self.pending
        text = pending[0] if len(pending) == 1 else "".join(pending)
        pending.clear()
        if not text or not self.html_depth:
            return
        if self.check_text:
            self.handle_data(text)
        elif text.isspace():
            self.stack[-1].inline.append(" ")
        elif "  " in text or 1 in text.encode("utf-8", "surrogatepass").translate(_TEXT_WORK):
            text = _collapse_spaces(text)
            self.stack[-1].inline.append(text if self.code_depth else escape_inline(text))
        else:
            self.stack[-1].inline.append(text)

    def _start_html(self, tag: str, attrib: dict[str, str]) -> None:
        self.html_depth += 1
        top = self.stack[-1]
        if top.inline:
            self._flush(top)

    def _end_html(self, tag: str) -> None:
        top = self.stack[-1]
        if top.inline:
            self._flush(top)
        self.html_depth -= 1
        if not self.html_depth:  # the root's end: what follows is in no tree
            self.skip = 1 << 62
            self.skip_mark = 0
            self.inside = True

    def _start_pre(self, tag: str, attrib: dict[str, str]) -> None:
        self.pre_depth = 1  # (``pending`` is empty: converted before the start)
        self.inside = True

    def _start_image_event(self, tag: str, attrib: dict[str, str]) -> None:
        self._image(attrib)  # type: ignore[arg-type]

    def _start_iframe(self, tag: str, attrib: dict[str, str]) -> bool:
        return self._media(tag, _ElementStart(tag, attrib))  # type: ignore[arg-type]

    def _tree_needed(self, tag: str, attrib: dict[str, str]) -> None:
        raise _TreeNeeded(tag)


_BLOCK = _Converter._start_block
# The walk's handlers, which read an element only by ``get`` (a dict has it too), and the
# parser target's own for the rest.
_EVENT_STARTS: dict[str, Callable[[_EventConverter, str, Any], bool | None]] = {
    **_STARTS,
    **dict.fromkeys(_TREE_ONLY, _EventConverter._tree_needed),
    "html": _EventConverter._start_html,
    "pre": _EventConverter._start_pre,
    "img": _EventConverter._start_image_event,
    "iframe": _EventConverter._start_iframe,
}
_EVENT_ENDS: dict[str, Callable[[Any, str], None]] = {**_ENDS, "html": _EventConverter._end_html}


# Character references that can make a control character (``text.CONTROL_CHARACTERS``): the
# only two named ones that do (&lrm; and &rlm;, from html.entities.html5), and numeric ones,
# decimal or hexadecimal, to U+0000..U+001F, U+007F..U+009F (which HTML maps mostly to
# Windows-1252 letters), the bidi marks and separators (U+200E, U+200F, U+2028..U+202E,
# U+2066..U+2069), U+FEFF, or a number of 7 decimal or 6 hexadecimal digits or more (past
# U+FFFFF, or out of range: none is a control). Leading zeros are read past, and the digits
# must end there. Text from the markup itself was cleaned before parsing, so runs of text
# are searched only when the markup has one of these: no body of the real corpus does, where
# 589 of 2,910 have a numeric reference (``&#8217;``) and had each run of text searched.
# Checked against the parser for every form of reference to U+0000..U+2FFF and U+F000..U+10FFF
# (and samples above), and every named one.
_CONTROL_REFERENCE = re.compile(
    r"&#0*(?:[12]?[0-9]|3[01]|12[7-9]|1[3-5][0-9]|820[67]|823[2-8]|829[4-7]|65279"
    r"|[1-9][0-9]{6,})(?![0-9])"
    r"|&#[xX]0*(?:1?[0-9a-fA-F]|7[fF]|[89][0-9a-fA-F]|200[eEfF]|202[89a-eA-E]|206[6-9]"
    r"|[fF][eE][fF][fF]|[1-9a-fA-F][0-9a-fA-F]{5,})(?![0-9a-fA-F])"
    r"|&(?:lrm|rlm);"
)


class _TooDeep(Exception):
    """The parser stopped at its nesting limit: the tree holds only part of the text."""


_PARSERS = threading.local()


def _parse(data: bytes) -> etree._Element | None:
    """The tree of a fragment's UTF-8 (``_cleaned``)."""
    # One parser per thread, reused: making one costs about as much as parsing a short body
    # (3 of 7 µs), and a parser may not be shared between threads.
    parser = getattr(_PARSERS, "html", None)
    if parser is None:
        parser = _PARSERS.html = etree.HTMLParser(
            no_network=True, huge_tree=True, remove_comments=True, remove_pis=True,
            encoding="utf-8", collect_ids=False, default_doctype=False)
    root = etree.fromstring(data, parser)
    last = parser.error_log.last_error
    if last is not None and last.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
        raise _TooDeep(last.message)
    return root


def _events(data: bytes, base: str | None, check_text: bool) -> str:
    """The Markdown of a fragment's UTF-8, converted while it is parsed (``_EventConverter``);
    ``_TreeNeeded`` if it has an element converted from its tree."""
    state = getattr(_PARSERS, "events", None)
    if state is None:
        converter = _EventConverter()
        state = _PARSERS.events = (etree.HTMLParser(
            no_network=True, huge_tree=True, remove_comments=True, remove_pis=True,
            encoding="utf-8", target=converter), converter)
    parser, converter = state
    converter.reset(base, check_text)
    markdown: str = etree.fromstring(data, parser)
    last = parser.error_log.last_error
    if last is not None and last.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
        raise _TooDeep(last.message)
    return markdown


def _cleaned(html: str) -> tuple[str, bytes]:
    """``html`` with escape sequences and controls removed and mojibake repaired (the parser
    would turn ESC into U+FFFD and leave the rest of the sequence as text), and its UTF-8 for
    the parser: the test for what to clean reads the bytes the parser is given anyway."""
    data = html.encode("utf-8", "surrogatepass")
    if needs_cleaning_utf8(html, data):
        html = clean_text(html)
        data = html.encode("utf-8", "surrogatepass")
    return html, data


# What libxml2 drops from the start of a document (HTML5's whitespace before the first text).
_LEADING_SPACE = " \t\n\f\r"
_SURROGATE_UTF8 = re.compile(b"\xed[\xa0-\xbf]")  # U+D800..U+DFFF, encoded with surrogatepass


def _plain_body(html: str, data: bytes) -> str | None:
    """The text lxml's tree holds for ``html`` (already cleaned; ``data`` its UTF-8) when it
    is plain text, else None (markup to parse).

    With no ``<`` and no ``&`` there is neither a tag nor a character reference: the parser
    builds ``<html><body>`` around the text, dropping its leading whitespace and keeping
    every other character as it is. Checked against the parser for every code point, alone
    and around a letter: only NUL, CR and a leading U+FEFF differ, and ``clean_text``
    leaves none of them (CR is still tested, as it is free). Surrogates (which the parser
    turns into U+FFFD) are left to the parser. A third of the bodies and four in five
    titles of the real corpus are plain text."""
    if "<" in html or "&" in html or "\r" in html:
        return None
    if not html.isascii() and _SURROGATE_UTF8.search(data) is not None:
        return None
    return html.lstrip(_LEADING_SPACE)


def html_to_markdown(html: str, base: str | None = None) -> str:
    """Sanitised Markdown for an HTML fragment; links resolved against ``base``."""
    if not html:
        return ""
    try:
        html, data = _cleaned(html)
        plain = _plain_body(html, data)
        if plain is not None:  # what walking <html><body>text</body></html> gives
            if not plain:
                return ""  # the parser returns no tree
            converter = _Converter(base, check_text=False)
            converter.handle_data(plain)
            return "\n\n".join(converter.blocks())
        check = _CONTROL_REFERENCE.search(html) is not None
        if _TABLE_MARK not in data and _few_tags(data):  # ("<table": as nearly all markup is)
            try:
                return _events(data, base, check)
            except _TreeNeeded:
                pass
        root = _parse(data)
        if root is None:
            return ""
        converter = _Converter(base, check_text=check)
        converter.walk(root)
        return "\n\n".join(converter.blocks())
    except Exception:  # untrusted input must never stop a refresh: keep its words
        return text_to_markdown(html_to_text(html))


# -- one line of text --------------------------------------------------------------------------

_LINE_BREAKING = frozenset({*_BLOCKS, *_HEADINGS, *_LISTS, *_TABLE_PARTS, "br", "li", "pre",
                            "blockquote", "hr"})
_TAG_LIKE = re.compile(r"<[^>]*>")


def html_to_text(html: str) -> str:
    """The words of an HTML fragment on one line (for titles given as HTML)."""
    if not html:
        return ""
    try:
        html, data = _cleaned(html)
        plain = _plain_body(html, data)
        if plain is not None:  # <html> and <body> each add a space before and after it
            return " ".join(clean_text(f"  {plain}  ").split()) if plain else ""
        try:
            if not _few_tags(data):
                raise _TreeNeeded("it might nest deeper than a tree is built")
            text = _text_events(data)
        except _TreeNeeded:  # MathML, or it might nest too deep: from the tree
            root = _parse(data)
            if root is None:
                return ""
            text = _tree_text(root)
    except Exception:  # never let odd markup escape; fall back to dropping tag-like runs
        text = _TAG_LIKE.sub(" ", html)
    return " ".join(clean_text(text).split())


def _tree_text(root: etree._Element) -> str:
    """The text ``html_to_text`` makes one line of, read from the tree."""
    parts: list[str] = []
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag
        if event == "start":
            if not isinstance(tag, str) or tag in _DROP:
                walker.skip_subtree()
                continue
            if tag in _SCRIPTS:
                words = " ".join("".join(element.itertext()).split())
                parts.append(script_text(words, _SCRIPTS[tag], parts[-1] if parts else "",
                                         markdown=False))
                walker.skip_subtree()
                continue
            if tag == "math":
                parts.append(element.get("alttext") or _math_text(element))
                walker.skip_subtree()
                continue
            if tag in _LINE_BREAKING:
                parts.append(" ")
            text = element.text
            if text:
                parts.append(text)
        else:
            if isinstance(tag, str) and tag in _LINE_BREAKING:
                parts.append(" ")
            text = element.tail
            if text and element is not root:
                parts.append(text)
    return "".join(parts)


class _TextEvents:
    """``_tree_text`` as lxml's parser target (as ``_EventConverter`` is the converter's walk).

    The text is all joined in the end, so each piece the parser gives goes straight into
    ``parts`` (``data`` is its ``append``), and a space for each start and end of a tag that
    breaks a line. What an element skipped whole (``_DROP``) held is cut off at its end; a
    super- or subscript's is cut off and made one ``script_text``, as ``itertext`` gives it
    from the tree. Before the root and after its end nothing is in the tree. MathML raises
    ``_TreeNeeded`` (and a document that might nest too deep is read from the tree:
    ``_few_tags``)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.data = self.parts.append  # (lxml reads the target's methods once)
        self.reset()

    def reset(self) -> None:
        self.parts.clear()  # (never another list: ``data`` appends to this one)
        self.skip = 0  # depth inside an element skipped whole (with what it holds)
        self.mark = 0  # the length of ``parts`` where it started
        self.script = ""  # "^" or "_" when it is a super- or subscript
        self.html_depth = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self.skip:
            self.skip += 1
            return
        parts = self.parts
        if tag in _DROP or tag in _SCRIPTS:
            self.skip = 1
            self.mark = len(parts)
            self.script = _SCRIPTS.get(tag, "")
            return
        if tag == "math":
            raise _TreeNeeded(tag)
        if tag == "html":
            if not self.html_depth:
                parts.clear()  # text before the root is in no tree
            self.html_depth += 1
        if tag in _LINE_BREAKING:
            parts.append(" ")

    def end(self, tag: str) -> None:
        parts = self.parts
        if self.skip:
            self.skip -= 1
            if not self.skip:
                inner = parts[self.mark:]
                del parts[self.mark:]
                if self.script:
                    words = " ".join("".join(inner).split())
                    parts.append(script_text(words, self.script, parts[-1] if parts else "",
                                             markdown=False))
            return
        if tag in _LINE_BREAKING:
            parts.append(" ")
        if tag == "html":
            self.html_depth -= 1
            if not self.html_depth:  # the root's end: what follows is in no tree
                self.skip = 1 << 62
                self.mark = len(parts)
                self.script = ""

    def close(self) -> str:
        if self.skip and self.html_depth:
            raise _TreeNeeded("the events left an element open")
        if self.skip:
            del self.parts[self.mark:]
        return "".join(self.parts)


def _text_events(data: bytes) -> str:
    """``_tree_text`` of a fragment's UTF-8, read while it is parsed (``_TextEvents``)."""
    state = getattr(_PARSERS, "text", None)
    if state is None:
        target = _TextEvents()
        state = _PARSERS.text = (etree.HTMLParser(
            no_network=True, huge_tree=True, remove_comments=True, remove_pis=True,
            encoding="utf-8", target=target), target)
    parser, target = state
    target.reset()
    text: str = etree.fromstring(data, parser)
    last = parser.error_log.last_error
    if last is not None and last.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT:
        raise _TooDeep(last.message)
    return text

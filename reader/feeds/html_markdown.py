"""Feed HTML to sanitised Markdown (``html_to_markdown``) and to one plain line (``html_to_text``).

Feed HTML is untrusted. Instead of cleaning HTML and converting it afterwards, the converter
emits only what it knows: text, emphasis, code, headings, lists, quotes, rules, line breaks,
http/https/mailto links and http/https images. Script, style, iframe, forms, tracking pixels
and ``javascript:`` links are dropped or kept as plain text; relative links are resolved against
the entry's base; control characters and terminal escapes are removed from every piece of text.
It is one pass of the stdlib ``html.parser``, which keeps a refresh of thousands of entries
cheap, and it never raises: odd markup degrades to plain text.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from reader.text import clean_text

# Elements dropped with everything inside them: active content, page furniture, form controls.
_DROP = frozenset({
    "script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
    "head", "title", "form", "select", "textarea", "button", "canvas", "audio", "video",
    "applet", "frame", "frameset", "noembed", "noframes", "map", "dialog",
})
_BLOCKS = frozenset({
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "figure",
    "figcaption", "address", "details", "summary", "center", "dl", "dt", "dd", "table",
    "thead", "tbody", "tfoot", "tr", "caption", "fieldset", "legend", "hgroup", "body", "html",
})
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_LISTS = frozenset({"ul", "ol", "menu", "dir"})
_EMPHASIS = {"strong": "**", "b": "**", "em": "*", "i": "*", "cite": "*", "dfn": "*"}
_CODE = frozenset({"code", "kbd", "samp", "tt"})
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
})
_WRAPPERS = frozenset({*_EMPHASIS, *_CODE, "a"})
_CONTAINERS = frozenset({*_HEADINGS, *_LISTS, "blockquote", "li", "pre"})
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})

_BREAK = "\x00"  # a hard line break inside a paragraph; clean_text removes NUL from input text
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_RUNS = re.compile(r" {2,}")
_INLINE_ESCAPES = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~"})
# A run of text needs work (whitespace collapsed, Markdown escaped) only if it has one of these
# or two spaces in a row; most runs of prose have neither, and a search is cheaper than both.
_TEXT_WORK = re.compile(r"[\t\n\r\f\v\\`*_\[\]<>|~]")
_LINE_START = re.compile(r"([#>+=\-])|(\d+)([.)])")
_LINE_START_CHARS = frozenset("#>+=-0123456789")
_URL_UNSAFE = re.compile(r"[ ()<>\\]")
_SIZE = re.compile(r"\s*(\d+)")
# What ``clean_text`` would change: most text has none of it, and a search is cheaper.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]"
)


def escape_inline(text: str) -> str:
    """Backslash the characters that would make plain text into Markdown syntax mid-line."""
    return text.translate(_INLINE_ESCAPES)


def _escape_line_start(line: str) -> str:
    """Stop a line from reading as a heading, quote, list item or setext underline."""
    if line[:1] not in _LINE_START_CHARS:
        return line  # most lines start with a letter: no pattern to try
    match = _LINE_START.match(line)
    if match is None:
        return line
    if match.group(1):
        return "\\" + line
    return match.group(2) + "\\" + line[match.end(2):]


def text_to_markdown(text: str) -> str:
    """Plain text (a ``text/plain`` feed field) as Markdown showing the same words."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", clean_text(text)):
        lines = [_escape_line_start(escape_inline(" ".join(line.split())))
                 for line in block.split("\n")]
        lines = [line for line in lines if line]
        if lines:
            paragraphs.append("  \n".join(lines))
    return "\n\n".join(paragraphs)


def _needs_cleaning(text: str) -> bool:
    return _UNSAFE.search(text) is not None


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
    """``href`` made absolute against ``base``, or None unless its scheme is allowed."""
    if not href:
        return None
    href = (clean_text(href) if _needs_cleaning(href) else href).strip()
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
    if _URL_UNSAFE.search(url) is None:
        return url
    return _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url)


def _is_tracking_pixel(attrs: dict[str, str]) -> bool:
    for name in ("width", "height"):
        match = _SIZE.match(attrs.get(name) or "")
        if match and int(match.group(1)) <= 1:
            return True
    style = (attrs.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "width:1px" in style or "height:1px" in style


def _code_span(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# One pass over the markup. Every alternative stops at the next "<", so no input, however
# hostile, makes a match scan further than that: tokenizing is linear in the input.
_TOKEN = re.compile(
    r"(?P<text>[^<]+)"
    r"|<!--.*?(?:-->|\Z)"
    r"|</(?P<end>[a-zA-Z][^\s/<>]*)[^<>]*>?"
    r"|<(?P<start>[a-zA-Z][^\s/<>]*)(?P<attrs>(?:[^<>\"']|\"[^\"<]*\"|'[^'<]*')*)>"
    r"|<[!?][^<>]*>?"
    r"|(?P<lt><)",
    re.DOTALL,
)
_TEXT, _END, _START, _ATTRS, _LT = 1, 2, 3, 4, 5  # _TOKEN's groups; a start tag ends on _ATTRS
_ATTR = re.compile(r"""([^\s=/<>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s<>"']+)))?""")
# Elements whose content is raw text up to their end tag (all dropped whole).
_RAW_TEXT = frozenset({"script", "style", "iframe", "textarea", "title", "xmp", "noembed",
                       "noframes", "plaintext"})


def parse_attrs(text: str) -> list[tuple[str, str | None]]:
    """``name="value"`` pairs of a start tag, names lower-cased, values unescaped."""
    attrs: list[tuple[str, str | None]] = []
    for match in _ATTR.finditer(text):
        name, double, single, bare = match.groups()
        value = double if double is not None else single if single is not None else bare
        if value is not None and "&" in value:
            value = html.unescape(value)
        attrs.append((name.lower(), value))
    return attrs


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
    """Markup events in, Markdown blocks out; ``feed`` tokenizes with ``_TOKEN``."""

    def __init__(self, base: str | None) -> None:
        self.base = base
        self.stack = [_Container("root", "")]
        self.skip_tag: str | None = None
        self.skip_depth = 0
        self.code_depth = 0
        self.unsafe = True

    def feed(self, markup: str) -> None:
        # Control characters come from the markup itself or from a reference (``&#27;``,
        # ``&rlm;``): runs of text are searched only when the markup has some, or a reference.
        self.unsafe = _UNSAFE.search(markup) is not None
        position, size = 0, len(markup)
        unsafe = self.unsafe
        handle_data = self.handle_data
        while position < size:
            for token in _TOKEN.finditer(markup, position):
                kind = token.lastindex  # which group matched last: see _TOKEN's group numbers
                if kind == _TEXT:
                    text = token[_TEXT]
                    if "&" in text:
                        handle_data(html.unescape(text), True)
                    else:
                        handle_data(text, unsafe)
                elif kind == _ATTRS:
                    tag = token[_START].lower()
                    raw = token[_ATTRS]
                    attrs = parse_attrs(raw) if "=" in raw else []
                    if raw.endswith("/"):
                        self.handle_startendtag(tag, attrs)
                        continue
                    self.handle_starttag(tag, attrs)
                    if tag in _RAW_TEXT:  # skip to its end tag (or the end), then scan on
                        close = re.compile(rf"</{re.escape(tag)}\s*>", re.IGNORECASE)
                        found = close.search(markup, token.end())
                        position = found.end() if found else size
                        self.handle_endtag(tag)
                        break
                elif kind == _END:
                    self.handle_endtag(token[_END].lower())
                elif kind == _LT:
                    handle_data("<")
            else:
                return

    # -- markup events -----------------------------------------------------------------------

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_tag is not None:
            if tag == self.skip_tag:
                self.skip_depth += 1
            return
        if tag in _DROP:
            self.skip_tag, self.skip_depth = tag, 1
            return
        top = self.stack[-1]
        if top.kind == "pre":
            if tag == "br":
                top.inline.append("\n")
            return
        if tag in _BLOCKS:  # the most common tag (p) first; the sets below do not overlap
            self._flush(top)
        elif tag in _EMPHASIS:
            top.wraps.append([tag, _EMPHASIS[tag], len(top.inline)])
        elif tag == "a":
            href = resolve_url(dict(attrs).get("href"), self.base, LINK_SCHEMES)
            top.wraps.append(["a", href, len(top.inline)])
        elif tag in _CODE:
            self.code_depth += 1
            top.wraps.append([tag, "`", len(top.inline)])
        elif tag == "img":
            self._image({k: v or "" for k, v in attrs})
        elif tag == "br":
            top.inline.append(_BREAK)
        elif tag in ("td", "th"):
            if "".join(top.inline[-2:]).strip():
                top.inline.append(" · ")
        elif tag == "hr":
            self._flush(top)
            top.blocks.append("* * *")
        elif tag in _HEADINGS:
            self._open("heading", tag)
        elif tag == "blockquote":
            self._open("quote", tag)
        elif tag in _LISTS:
            start = _SIZE.match(dict(attrs).get("start") or "")
            self._open("list", tag, ordered=tag == "ol",
                       number=int(start.group(1)) if start else 1)
        elif tag == "li":
            if top.kind == "item":
                self._close_container()
            self._open("item", tag)
        elif tag == "pre":
            self._open("pre", tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip_tag is not None:
            if tag == self.skip_tag:
                self.skip_depth -= 1
                if self.skip_depth == 0:
                    self.skip_tag = None
            return
        top = self.stack[-1]
        if top.kind == "pre" and tag != "pre":
            return
        if tag in _BLOCKS:
            self._flush(top)
        elif tag in _WRAPPERS:
            self._close_wrap(top, tag)
        elif tag in _CONTAINERS:
            for depth in range(len(self.stack) - 1, 0, -1):
                if self.stack[depth].tag == tag:
                    while len(self.stack) > depth:
                        self._close_container()
                    break
                if tag == "li" and self.stack[depth].kind == "list":
                    break

    def handle_data(self, data: str, check: bool = True) -> None:
        if self.skip_tag is not None or not data:
            return
        if check and _UNSAFE.search(data):
            data = clean_text(data)
        top = self.stack[-1]
        if top.kind == "pre":
            top.inline.append(data)
            return
        if "  " in data or _TEXT_WORK.search(data):
            data = _SPACES.sub(" ", data)
            if not self.code_depth:
                data = data.translate(_INLINE_ESCAPES)
        top.inline.append(data)

    # -- building ----------------------------------------------------------------------------

    def _image(self, attrs: dict[str, str]) -> None:
        if _is_tracking_pixel(attrs):
            return
        alt = escape_inline(" ".join(clean_text(attrs.get("alt")).split()))
        src = resolve_url(attrs.get("src"), self.base, IMAGE_SCHEMES)
        top = self.stack[-1]
        if src:
            top.inline.append(f"![{alt}]({src})")
        elif alt:
            top.inline.append(alt)

    def _open(self, kind: str, tag: str, ordered: bool = False, number: int = 1) -> None:
        self._flush(self.stack[-1])
        self.stack.append(_Container(kind, tag, ordered, number))

    def _close_wrap(self, top: _Container, tag: str) -> None:
        for index in range(len(top.wraps) - 1, -1, -1):
            if top.wraps[index][0] == tag:
                break
        else:
            return
        for inner in top.wraps[index + 1:]:
            if inner[0] in _CODE:
                self.code_depth -= 1
        _, marker, position = top.wraps[index]
        del top.wraps[index:]
        position = position if isinstance(position, int) else 0
        content = "".join(top.inline[position:])
        del top.inline[position:]
        if tag in _CODE:
            self.code_depth -= 1
            top.inline.append(_code_span(content))
            return
        text = content.strip(" ")
        if not text.replace(_BREAK, "").strip():
            if tag != "a":
                top.inline.append(content)
            return
        lead = " " if content.startswith(" ") else ""
        trail = " " if content.endswith(" ") else ""
        if tag == "a":
            top.inline.append(f"{lead}[{text}]({marker}){trail}" if marker else content)
        else:
            top.inline.append(f"{lead}{marker}{text}{marker}{trail}")

    def _close_open_wraps(self, box: _Container) -> None:
        """Close what the markup left open (``<b>bold`` at the end of a paragraph)."""
        while box.wraps:
            tag = box.wraps[-1][0]
            self._close_wrap(box, tag if isinstance(tag, str) else "")

    def _flush(self, top: _Container) -> None:
        """End the current paragraph of ``top``; open inline wrappers carry on in the next."""
        if not top.inline:
            return
        text = "".join(top.inline)
        top.inline.clear()
        for wrap in top.wraps:
            wrap[2] = 0
        if _BREAK not in text:  # one line, the common case
            line = (_RUNS.sub(" ", text) if "  " in text else text).strip()
            if line:
                top.blocks.append(_escape_line_start(line))
            return
        lines = []
        for raw in text.split(_BREAK):
            line = (_RUNS.sub(" ", raw) if "  " in raw else raw).strip()
            if line:
                lines.append(_escape_line_start(line))
        if lines:
            top.blocks.append("  \n".join(lines))

    def _close_container(self) -> None:
        box = self.stack.pop()
        if box.kind == "pre":
            self.code_depth = 0
            raw = "".join(box.inline).strip("\n").rstrip()
            if raw.strip():
                longest = max((len(run) for run in re.findall(r"`{3,}", raw)), default=2)
                fence = "`" * (longest + 1)
                self.stack[-1].blocks.append(f"{fence}\n{raw}\n{fence}")
            return
        self._close_open_wraps(box)
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
            pad = " " * len(marker)
            lines = body.split("\n")
            parent.blocks.append(
                "\n".join([marker + lines[0], *(pad + line if line else "" for line in lines[1:])])
            )

    def result(self) -> str:
        self.skip_tag = None
        while len(self.stack) > 1:
            self._close_container()
        root = self.stack[0]
        self._close_open_wraps(root)
        self._flush(root)
        return "\n\n".join(root.blocks)


def html_to_markdown(html: str, base: str | None = None) -> str:
    """Sanitised Markdown for an HTML fragment; links resolved against ``base``."""
    if not html:
        return ""
    converter = _Converter(base)
    try:
        converter.feed(html)
        return converter.result()
    except Exception:  # html.parser is lenient, but untrusted input must never stop a refresh
        return text_to_markdown(html_to_text(html))


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_tag: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_tag is None and tag in _DROP:
            self.skip_tag = tag
        elif tag in ("br", "p", "div", "li") or tag in _HEADINGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == self.skip_tag:
            self.skip_tag = None

    def handle_data(self, data: str) -> None:
        if self.skip_tag is None:
            self.parts.append(data)


_TAG_LIKE = re.compile(r"<[^>]*>")


def html_to_text(html: str) -> str:
    """The words of an HTML fragment on one line (for titles given as HTML)."""
    if not html:
        return ""
    collector = _TextCollector()
    try:
        collector.feed(html)
        collector.close()
        text = "".join(collector.parts)
    except Exception:  # never let odd markup escape; fall back to dropping tag-like runs
        text = _TAG_LIKE.sub(" ", html)
    return " ".join(clean_text(text).split())

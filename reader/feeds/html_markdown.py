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

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

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
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
IMAGE_SCHEMES = frozenset({"http", "https"})

_BREAK = "\x00"  # a hard line break inside a paragraph; clean_text removes NUL from input text
_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_RUNS = re.compile(r" {2,}")
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_LINE_START = re.compile(r"([#>+=\-])|(\d+)([.)])")
_URL_UNSAFE = re.compile(r"[ ()<>\\]")
_SIZE = re.compile(r"\s*(\d+)")


def escape_inline(text: str) -> str:
    """Backslash the characters that would make plain text into Markdown syntax mid-line."""
    return _INLINE_SPECIAL.sub(r"\\\1", text)


def _escape_line_start(line: str) -> str:
    """Stop a line from reading as a heading, quote, list item or setext underline."""
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


def resolve_url(href: str | None, base: str | None, schemes: frozenset[str]) -> str | None:
    """``href`` made absolute against ``base``, or None unless its scheme is allowed."""
    if not href:
        return None
    href = clean_text(href).strip()
    if not href:
        return None
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


class _Converter(HTMLParser):
    def __init__(self, base: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.stack = [_Container("root", "")]
        self.skip_tag: str | None = None
        self.skip_depth = 0
        self.code_depth = 0

    # -- parser callbacks --------------------------------------------------------------------

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
        if tag in _EMPHASIS:
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
        elif tag in _BLOCKS:
            self._flush(top)
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
        if tag in _EMPHASIS or tag in _CODE or tag == "a":
            self._close_wrap(top, tag)
        elif tag in _BLOCKS:
            self._flush(top)
        elif tag in _HEADINGS or tag in _LISTS or tag in ("blockquote", "li", "pre"):
            for depth in range(len(self.stack) - 1, 0, -1):
                if self.stack[depth].tag == tag:
                    while len(self.stack) > depth:
                        self._close_container()
                    break
                if tag == "li" and self.stack[depth].kind == "list":
                    break

    def handle_data(self, data: str) -> None:
        if self.skip_tag is not None or not data:
            return
        data = clean_text(data)
        top = self.stack[-1]
        if top.kind == "pre":
            top.inline.append(data)
        elif self.code_depth:
            top.inline.append(_SPACES.sub(" ", data))
        else:
            top.inline.append(escape_inline(_SPACES.sub(" ", data)))

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

    def _flush(self, top: _Container) -> None:
        """End the current paragraph of ``top``; open inline wrappers carry on in the next."""
        if not top.inline:
            return
        text = "".join(top.inline)
        top.inline.clear()
        for wrap in top.wraps:
            wrap[2] = 0
        lines = []
        for raw in text.split(_BREAK):
            line = _RUNS.sub(" ", raw).strip()
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
        self._flush(box)
        for wrap in box.wraps:
            if wrap[0] in _CODE:
                self.code_depth -= 1
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
        self.close()
        self.skip_tag = None
        while len(self.stack) > 1:
            self._close_container()
        root = self.stack[0]
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

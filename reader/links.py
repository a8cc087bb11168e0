"""A story's links, numbered: one reading of its Markdown for the pane, ``show`` and ``save``.

The reading pane marks each link with its number (``[3]`` after the link text) and lists them
at the end; ``reader show`` prints the same list; ``reader save`` writes it into the file; ``f``
opens link *n*. All of them must agree on what a link is and which number it has, so all of
them read the Markdown with the parser Textual's ``Markdown`` widget renders it with
(markdown-it, "gfm-like": CommonMark, tables, strikethrough, linkify) and this module's rule
on top (``number_links``). Hand-written patterns would disagree with the widget exactly on
the tricky cases: an escaped ``\\[x\\]``, a ``[x](y)`` inside a code span, an autolink
``<https://…>``, a link inside a table cell, a bare URL the widget turns into a link.

What is listed, in order of first appearance, each URL once (its first text is kept):

* links and autolinks, and bare URLs the widget links (``https://…``, ``www.…``, e-mail
  addresses, as ``mailto:``) — only http, https and mailto ones: nothing else can be
  followed (markdown-it already refuses ``javascript:``, ``file:`` and ``data:``);
* a link around an image (``[![alt](img)](page)``): listed as ``image: alt``;
* **not** an image's own URL. A picture is shown in place (or, without images, its alt
  text is), it is not a place to go; feeds put dozens of them in a story (tracking pixels,
  share buttons, thumbnails), which would bury the links a person follows. The story's
  images are the full-text feature's business (``i``).

For plain text (``reader show``, ``|``, saved files' readers) ``plain_markdown`` rewrites the
Markdown so it reads well once ``reader.text.markdown_to_plain`` strips it: a link becomes
its text and its number (``the post[3]``), an image ``[image: alt]`` (``[image: alt][3]``
inside a link). The rewrite uses the source positions this module records while
markdown-it parses (the parser itself keeps none for inline text), so code spans, escapes
and tables are left exactly as written; a link it cannot place (a label spanning lines) is
left as Markdown, still numbered in the list.

Measured on the real feeds' 3,563 story bodies (4.7 M characters; ``/tmp/links-measure.py``
in the notes, one core, load ~4, two rounds): 1.3–1.8 ms a body, about 1 ms per 1,000
characters, the same as markdown-it's own parse in the same run (the rule adds no measurable
cost). So it runs for one story when it is shown (the pane reads it on its details thread
with the story) or printed, never over the whole cache (``list --json`` has no links).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from reader.records import record
from reader.text import escape_inline

if TYPE_CHECKING:  # markdown-it loads when a story's links are first read (~30 ms of imports
    # the CLI's other commands and the app's first frame do without)
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline.state_inline import StateInline
    from markdown_it.token import Token

FOLLOWED_SCHEMES = ("http://", "https://", "mailto:")
"""Links that are listed (and can be opened or copied); anything else stays plain text."""

NUMBER_TOKEN = "link_number"
"""The token ``number_links`` puts after each listed link's ``link_close``; ``meta["n"]`` is
its number (the reading pane draws it dimmed)."""

_SPAN = "reader_span"
_SCHEME_BEFORE = re.compile(r"(?:^|[^a-z0-9.+-])([a-z][a-z0-9.+-]*)$", re.IGNORECASE)


@record
class Link:
    """Link number ``n`` of a story (from 1): its text as shown (may be empty) and its URL."""

    n: int
    text: str
    url: str

    @property
    def label(self) -> str:
        """What to call it in a list: its text, else its URL."""
        return self.text or self.url


@record
class StoryLinks:
    """A story's links, and its Markdown rewritten for plain text (see the module's text)."""

    links: tuple[Link, ...]
    plain_markdown: str


# -- the parser ---------------------------------------------------------------------------------


def _spanning(rule: Callable[[StateInline, bool], bool], name: str
              ) -> Callable[[StateInline, bool], bool]:
    """``rule``, recording where in the inline source the link or image it makes starts and
    ends (``meta[_SPAN]`` of its ``link_open`` / ``image`` token)."""

    def spanning(state: StateInline, silent: bool) -> bool:
        start, count, pending = state.pos, len(state.tokens), state.pending
        if not rule(state, silent):
            return False
        if silent:
            return True
        if name == "linkify":  # the rule starts at "://" and takes the scheme back from text
            scheme = _SCHEME_BEFORE.search(pending)
            start -= len(scheme.group(1)) if scheme else 0
        for token in state.tokens[count:]:
            if token.type in ("link_open", "image"):
                token.meta[_SPAN] = (start, state.pos)
                break
        return True

    return spanning


def _record_spans(md: MarkdownIt) -> None:
    ruler: Any = md.inline.ruler
    for name in ("link", "image", "autolink", "linkify"):
        try:
            index = ruler.__find__(name)
            rule = ruler.__rules__[index].fn
        except (AttributeError, IndexError, KeyError):  # a markdown-it that moved its rules
            continue
        if index >= 0:
            ruler.at(name, _spanning(rule, name))


def _label(children: Sequence[Token]) -> str:
    """The plain text of a link's label (its text, code, and ``image: alt`` for images)."""
    out: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline", "html_inline"):
            out.append(child.content if child.type != "html_inline" else "")
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type == "image":
            alt = _alt(child)
            out.append(f"image: {alt}" if alt else "image")
    return " ".join("".join(out).split())


def _alt(image: Token) -> str:
    return " ".join("".join(c.content for c in image.children or ()).split())


def _followed(url: str) -> bool:
    return url.lower().startswith(FOLLOWED_SCHEMES)


def _number_links(state: Any, preset: Mapping[str, int] | None = None) -> None:
    """Core rule: number the listed links of the whole document in order of appearance and
    put a ``NUMBER_TOKEN`` after each one's ``link_close``; the list goes to ``env["links"]``.
    ``preset``: the numbers to use (a part of a story shown on its own keeps the whole
    story's numbers); a link not in it gets none."""
    from markdown_it.token import Token

    numbers: dict[str, int] = dict(preset or {})
    seen: dict[str, int] = {}  # url -> its place in ``links``
    links: list[Link] = []
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        pending: int | None = None
        label_start = 0
        for child in block.children:
            children.append(child)
            if child.type == "link_open":
                url = str(child.attrGet("href") or "")
                label_start = len(children)
                pending = None
                if _followed(url) and (preset is None or url in numbers):
                    if url not in numbers:
                        numbers[url] = len(numbers) + 1
                    if url not in seen:
                        seen[url] = len(links)
                        links.append(Link(numbers[url], "", url))
                    pending = numbers[url]
                    child.meta["n"] = pending
            elif child.type == "link_close" and pending is not None:
                index = seen[str(children[label_start - 1].attrGet("href"))]
                if not links[index].text:
                    text = _label(children[label_start:-1])
                    if text:
                        links[index] = Link(pending, text, links[index].url)
                number = Token(NUMBER_TOKEN, "", 0)
                number.meta["n"] = pending
                number.content = f"[{pending}]"
                children.append(number)
                pending = None
        block.children = children
    state.env["links"] = links


def markdown_parser(numbers: Mapping[str, int] | None = None) -> MarkdownIt:
    """The parser the reading pane renders story Markdown with: Textual's own ("gfm-like")
    plus the link numbers (``NUMBER_TOKEN`` after each listed link). ``numbers`` (URL to
    number, from ``story_links`` of the whole story) keeps a part of a story shown by
    itself numbered as the whole."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("gfm-like")
    _record_spans(md)
    md.core.ruler.push("reader_link_numbers", lambda state: _number_links(state, numbers))
    return md


# -- the links and the plain rewrite ------------------------------------------------------------


def story_links(markdown: str) -> StoryLinks:
    """The story's listed links, numbered, and its Markdown rewritten for plain text."""
    env: dict[str, Any] = {}
    tokens = markdown_parser().parse(markdown, env)
    links: list[Link] = env.get("links", [])
    return StoryLinks(tuple(links), _rewrite(markdown, tokens))


def _replacements(block: Token) -> Iterator[tuple[int, int, str]]:
    """(start, end, Markdown) in the inline source of ``block``: each link as its label's text
    and number, each image as ``[image: alt]``. Links markdown-it made after parsing (bare
    ``www.`` names and e-mail addresses) have no recorded place: they are found by their
    text after the previous replacement."""
    children = block.children or []
    source = block.content
    cursor = 0
    index = 0
    while index < len(children):
        child = children[index]
        if child.type == "image":
            span = child.meta.get(_SPAN)
            if span is not None:
                alt = _alt(child)
                yield span[0], span[1], escape_inline(f"[image: {alt}]" if alt else "[image]")
                cursor = span[1]
        elif child.type == "link_open":
            close = index + 1
            while close < len(children) and children[close].type != "link_close":
                close += 1
            label = _label(children[index + 1:close])
            number = child.meta.get("n")
            span = child.meta.get(_SPAN)
            if span is None and child.markup == "linkify":
                found = source.find(label, cursor) if label else -1
                span = (found, found + len(label)) if found >= 0 else None
            if span is not None:
                text = escape_inline(label)
                if any(c.type == "image" for c in children[index + 1:close]):
                    text = escape_inline(f"[{label}]")
                suffix = escape_inline(f"[{number}]") if number is not None else ""
                yield span[0], span[1], text + suffix
                cursor = span[1]
            index = close
        index += 1


def _rewrite(markdown: str, tokens: Sequence[Token]) -> str:
    """``markdown`` with each inline block's replacements made where its lines are."""
    lines = markdown.split("\n")
    done_to: dict[int, int] = {}  # line -> column up to which it was rewritten (table rows)
    edits: list[tuple[int, int, int, str]] = []  # line, start, end, text
    in_table = 0
    for token in tokens:
        if token.type in ("table_open", "table_close"):
            in_table += 1 if token.type == "table_open" else -1
        if token.type != "inline" or token.map is None or not token.children:
            continue
        changes = list(_replacements(token))
        if not changes:
            continue
        places = _line_places(lines, token.content, token.map, done_to, in_table > 0)
        if places is None:
            continue
        for start, end, text in changes:
            first, last = _place(places, start), _place(places, end)
            if first is None or last is None or first[0] != last[0]:
                continue  # a label across lines: left as Markdown
            edits.append((first[0], first[1], last[1], text))
    for line, start, end, text in sorted(edits, reverse=True):
        lines[line] = lines[line][:start] + text + lines[line][end:]
    return "\n".join(lines)


def _line_places(lines: list[str], content: str, span: Sequence[int],
                 done_to: dict[int, int], table: bool
                 ) -> list[tuple[int, int, int, int]] | None:
    """Where each line of an inline block's source is in the document: (offset in the inline
    source, document line, column, length). A block's source is its lines less what the
    block structure took (``> ``, list markers, indentation, a heading's ``#``), so each
    line of it is the end of a document line (a table cell: the next match on its row)."""
    places: list[tuple[int, int, int, int]] = []
    offset = 0
    line = span[0]
    for part in content.split("\n"):
        while line < span[1]:
            text = lines[line] if line < len(lines) else ""
            column = (text.find(part, done_to.get(line, 0)) if table
                      else text.rfind(part) if part else -1)
            if column >= 0:
                places.append((offset, line, column, len(part)))
                if table:
                    done_to[line] = column + len(part)
                line += 0 if table else 1
                break
            line += 1
        else:
            return None
        offset += len(part) + 1
    return places


def _place(places: list[tuple[int, int, int, int]], offset: int) -> tuple[int, int] | None:
    """The document (line, column) of an offset in an inline block's source."""
    for start, line, column, length in places:
        if start <= offset <= start + length:
            return line, column + offset - start
    return None

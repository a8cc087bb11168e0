"""RSS and Atom read with lxml's C parser, field for field as feedparser reads them.

feedparser drives a pure-Python handler through SAX: for every element it resolves the base
URL again, looks its handler up by name, copies dictionaries, and maps every run of text
through a Windows-1252 table; on the real corpus that cost 0.70 ms an entry, most of a cold
refresh's CPU. ``read_plain_feed`` takes the steps feedparser takes before it parses (its
own encoding detection and DOCTYPE removal, called as they are but for their last steps where
those give the document back unchanged), lets lxml build the tree in C, and walks the tree
with a port of feedparser's handlers (``_Walker``): the same element stack, the same rules
for which title, summary, link or date wins, the same quirks (a permalink guid as the link, a
``<description>`` after a summary read as content, the mis-decoded UTF-8 repair, markup
inside escaped text kept as XHTML), with the expensive steps done only where they can change
something, and what depends only on an element's name looked up once per name.

On the real corpus's 186 documents (it reads 178 of them, 3,312 entries) it costs 3,058 M
instructions (callgrind, a second pass over what ``parse`` hands it; 3,207 M before session
12's changes). Of that, libxml2's parse is 521 M (733 M before CDATA sections were lifted
out of its way: ``_lift_cdata``), chardet (which feedparser asks about the 2 documents that
do not decode as they declare) 337 M, lxml's element access ~300 M (a bare walk of the same
trees), ``feed_dates`` 112 M; most of the rest, ~1,200 M, is the walker's Python for
~48,000 elements (``element`` and ``pop`` run 60 % of its bytecodes).

It ports the handlers of every namespace feedparser knows but GML (RSS 0.9x/1.0/2.0, Atom
0.3/1.0, CDF attributes, Dublin Core, content, iTunes, Media RSS, Creative Commons' RDF
license, GeoRSS, Podlove chapters, admin, XHTML with SVG or MathML inside) and treats
elements feedparser has no handler for as feedparser does. What it does not port (GML, a
DOCTYPE declaring entities, an element whose name would land on a field ``parse`` reads,
a handler that would raise inside feedparser) and any document lxml refuses (which expat
refuses too) makes it answer None, and feedparser reads the document: on the real corpus
that is 8 of 186 documents (7 of them not well-formed), on feedparser's test corpus 282 of
2,107 (mostly deliberately broken ones). ``tests/test_feed_parse_lxml.py`` holds both paths
to the same stories on every document of the two corpora this path takes. The feedparser
helpers used here are private; if they move, this path turns itself off.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import copy
import re
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

from reader.stand_ins import load_feedparser
from reader.text import C1_UTF8

try:
    load_feedparser()  # without chardet until a document needs it (reader.stand_ins)
    from feedparser.encodings import convert_to_utf8
    from feedparser.exceptions import NonXMLContentType, ThingsNobodyCaresAboutButMe
    from feedparser.html import _cp1252
    from feedparser.mixin import _FeedParserMixin
    from feedparser.namespaces.georss import (
        _parse_georss_box,
        _parse_georss_line,
        _parse_georss_point,
        _parse_georss_polygon,
    )
    from feedparser.sanitizer import replace_doctype
    from feedparser.urls import _urljoin, make_safe_absolute_uri

    from reader.feeds.feed_dates import parse_date
except ImportError:  # pragma: no cover - a feedparser release that moved its internals
    _AVAILABLE = False
else:
    _AVAILABLE = True

Fields = dict[str, Any]

_MATCH = {uri.lower(): prefix for uri, prefix in _FeedParserMixin.namespaces.items()} \
    if _AVAILABLE else {}
_XLINK = "http://www.w3.org/1999/xlink"
_MATHML = "http://www.w3.org/1998/Math/MathML"
_SVG = "http://www.w3.org/2000/svg"
_MATH_OR_SVG = {f"{{{_MATHML}}}math": _MATHML, f"{{{_SVG}}}svg": _SVG}
_XHTML_TYPE = "application/xhtml+xml"
_COMMENT, _PI = etree.Comment, etree.PI
_HTML_TYPES = frozenset({_XHTML_TYPE, "text/html"})
# feedparser's XML declaration pattern and the declaration it writes (``convert_to_utf8``); in
# valid UTF-8 a ">" byte is a ">" character, so the pattern matches the same text in the bytes.
_XML_DECLARATION = re.compile(rb"<\?xml[^>]*?>")
_UTF8_DECLARATION = b"<?xml version='1.0' encoding='utf-8'?>"
_EBCDIC = b"\x4c\x6f\xa7\x94"  # '<?xm' in EBCDIC, which feedparser looks for
_FIRST_ELEMENT = re.compile(rb"<\w")  # where replace_doctype's head ends
# What stands for a lifted CDATA section (``_lift_cdata``): a character XML allows in text,
# which no name may hold. Characters XML does not allow, in UTF-8: libxml2 refuses them.
_MARK = "\ufdd0"
_MARK_UTF8 = _MARK.encode("utf-8")
# (A table that changes only those control characters: ``bytes.translate`` gives its very
# argument back where it changes nothing, at ~5 instructions a byte.)
_NOT_XML_CONTROLS = bytes(
    (0x20 if byte < 0x20 and byte not in b"\t\n\r" else byte) for byte in range(256))
_ENTITY_LIKE = re.compile("&([A-Za-z0-9_]+);")
_TAG_NAME = re.compile(rb"[A-Za-z_][\w.:-]*")
# An absolute http(s) URL that feedparser's _urljoin gives back as it is (a host, a path of
# plain characters, a non-empty query and fragment at most): it needs no joining.
# (Possessive: nothing is given back, which spares the engine its backtracking records.)
_PLAIN_URL = re.compile(
    r"https?://[A-Za-z0-9.\-]++(?::[0-9]++)?+(?:/[A-Za-z0-9._~!$&'()*+,=:@%/\-]*+)?+"
    r"(?:\?[A-Za-z0-9._~!$&'()*+,=:@%/?\-]++)?+(?:#[A-Za-z0-9._~!$&'()*+,=:@%/?#\-]++)?+\Z")
# A scheme and a colon not followed by "//" (urlsplit's scheme: what precedes the first colon,
# all of it of these characters, starting with a letter).
_OPAQUE_URI = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):(?!//)")
_JOINED_SCHEMES = frozenset(urllib.parse.uses_relative)
# FeedParserDict stores these keys under other names (its keymap).
_KEYMAP = {
    "channel": "feed", "items": "entries", "guid": "id", "date": "updated",
    "date_parsed": "updated_parsed", "description": "summary",
    "description_detail": "summary_detail", "url": "href", "modified": "updated",
    "modified_parsed": "updated_parsed", "issued": "published",
    "issued_parsed": "published_parsed", "copyright": "rights",
    "copyright_detail": "rights_detail", "tagline": "subtitle",
    "tagline_detail": "subtitle_detail",
}
# Elements feedparser has no handler for keep their text under their own name; these names
# would land on a field ``parse`` reads (or on a list feedparser later appends to).
_UNSAFE_UNKNOWN = frozenset({
    "title_detail", "summary_detail", "author_detail", "published_parsed", "updated_parsed",
    "links", "tags", "content", "authors", "contributors", "enclosures", "date",
    "media_content", "media_thumbnail", "media_credit", "where", "psc_chapters", "image",
    "textinput", "source", "sourcedata",
})


# The records of element names (``_Walker.kind``) by the namespace state they were read in.
_NAMES: dict[tuple[Any, ...], dict[str, tuple[Any, ...]]] = {}


class _Decline(Exception):
    """The document steps outside what this module reads exactly: feedparser reads it."""


class _Dict(dict):  # type: ignore[type-arg]
    """A dict that stores keys as FeedParserDict does (``description`` as ``summary``…): the
    nested ones (details, links, the source, which is deep-copied through it). The entries and
    the feed are plain dicts, each write 2,000 instructions cheaper."""

    __slots__ = ()

    def __setitem__(self, key: str, value: Any) -> None:
        dict.__setitem__(self, _KEYMAP.get(key, key), value)

    def setdefault(self, key: str, default: Any = None) -> Any:
        return dict.setdefault(self, _KEYMAP.get(key, key), default)


def read_plain_feed(data: bytes, headers: Mapping[str, str]) -> Fields | None:
    """``{"feed", "entries", "version", "remark"}`` as feedparser would give them, or None.

    ``headers`` are the response headers, lower-cased, with ``content-location`` (the URL
    relative links resolve against), exactly as ``parse`` hands them to feedparser. None
    means "read this one with feedparser". ``remark`` is the exception feedparser would
    report as its ``bozo_exception`` about the content type or encoding (or None).
    """
    if not _AVAILABLE:
        return None
    result: dict[str, Any] = {}
    try:
        utf8 = _to_utf8(dict(headers), data, result)
    except Exception:
        return None
    remark = result.get("bozo_exception")
    if not result.get("encoding") or (
        remark is not None and not isinstance(remark, ThingsNobodyCaresAboutButMe)
    ):
        return None
    doctype_version, utf8, entities = _replace_doctype(utf8)
    if entities:
        return None  # entities of its own: the DOCTYPE stays, lxml and expat treat it apart
    location = headers.get("content-location", "")
    base = make_safe_absolute_uri("", location) or make_safe_absolute_uri(location) or ""
    marked, sections = _lift_cdata(utf8) if utf8.find(b"<![CDATA[") != -1 else (utf8, [])
    walker = _walked(marked, base, sections)
    if walker is None and sections:  # (a section that was not one, or a document refused)
        walker = _walked(utf8, base, [])
    if walker is None:
        return None
    return {"feed": dict(walker.feeddata), "entries": [_plain(e) for e in walker.entries],
            "version": doctype_version or walker.version, "remark": remark}


def _walked(data: bytes, base: str, sections: list[str]) -> _Walker | None:
    """The document parsed and walked, or None where lxml refuses it, it has a DTD of its
    own, the walk declines, or ``sections`` lifted out of it (``_lift_cdata``) were not all
    found in its text."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, collect_ids=False)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root.getroottree().docinfo.internalDTD is not None:
        return None
    walker = _Walker(base, _declaring(data, root), sections)
    try:
        walker.run(root)
    except Exception:
        return None
    if walker.lifted != len(sections):
        return None
    return walker


def _lift_cdata(data: bytes) -> tuple[bytes, list[str]]:
    """The document with each CDATA section replaced by one mark character (U+FDD0, which it
    must not hold already), and the sections' texts as libxml2 would read them.

    libxml2 reads a CDATA section a character at a time (~74 instructions a byte: 215 M on
    the real corpus, 3,620 sections, 2.9 MB); a mark in text costs it nothing. The walker
    puts each text back where it meets a mark (``_Walker.restore``), in document order, and
    counts them: a section found where it was not one (in a comment, a processing
    instruction or an attribute value, where the mark does not land in text) leaves the
    count short, and ``read_plain_feed`` reads the document as it is. What libxml2 does to
    a section's text is done here: its line ends become "\n"; a section holding a character
    XML does not allow (which libxml2 refuses), or not closed, is left to libxml2 with all
    after it. Texts merge as libxml2 merges a section with the text beside it."""
    if len(data) >= 10_000_000 or data.find(_MARK_UTF8) != -1:  # (libxml2's text limit)
        return data, []
    parts: list[bytes] = []
    sections: list[str] = []
    done = 0
    start = data.find(b"<![CDATA[")
    while start != -1:
        # (its end: "]" is rare in text, and a one-byte find is a memchr, ~30 times as fast
        # as a search for "]]>")
        end = data.find(b"]", start + 9)
        while end != -1 and data[end + 1:end + 3] != b"]>":
            end = data.find(b"]", end + 1)
        if end == -1:
            break
        section = data[start + 9:end]
        if section.translate(_NOT_XML_CONTROLS) is not section:
            break
        try:
            text = section.decode("utf-8")
        except UnicodeDecodeError:
            break
        if "\ufffe" in text or "\uffff" in text:
            break
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        sections.append(text)
        parts += (data[done:start], _MARK_UTF8)
        done = end + 3
        start = data.find(b"<![CDATA[", done)
    if not sections:
        return data, []
    parts.append(data[done:])
    return b"".join(parts), sections


def _to_utf8(headers: dict[str, str], data: bytes, result: dict[str, Any]) -> bytes:
    """feedparser's ``convert_to_utf8``, without its last steps for a UTF-8 document.

    It decodes the whole document, rewrites the XML declaration in the text and encodes it
    all again: for a document it reads as UTF-8, that gives the same bytes with the
    declaration rewritten, and the re-encoding was a third of its work. Which encoding it
    tries first depends only on the headers and the first line (a BOM, the declaration: its
    pattern does not cross a line), so it is asked about the first line; where that says
    UTF-8, tried first, and the whole document decodes as UTF-8, that is what it would have
    read. Anything else (a BOM, a first line in UTF-16, another encoding, a document that
    does not decode) is left to it."""
    line = data.find(b"\n")
    if line == -1 or data[:1] != b"<" or data[1:2] == b"\0" or data.startswith(_EBCDIC):
        return bytes(convert_to_utf8(headers, data, result))
    convert_to_utf8(headers, data[:line + 1], result)
    remark = result.get("bozo_exception")
    if (remark is None or type(remark) is NonXMLContentType) \
            and codecs.lookup(result["encoding"]).name == "utf-8":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            declaration = _XML_DECLARATION.match(data)
            if declaration:
                return _UTF8_DECLARATION + data[declaration.end():]
            return _UTF8_DECLARATION + b"\n" + data
    result.clear()
    return bytes(convert_to_utf8(headers, data, result))


def _replace_doctype(data: bytes) -> tuple[str | None, bytes, dict[str, str]]:
    """feedparser's ``replace_doctype``, which gives the document back as it is (copied twice)
    where what precedes its first element holds no ``<!`` (no DOCTYPE, no ENTITY)."""
    first = _FIRST_ELEMENT.search(data)
    start = (first and first.start()) or -1  # (as feedparser: an element at 0 counts as none)
    if b"<!" not in data[:start + 1]:
        return None, data, {}
    version, data, entities = replace_doctype(data)
    return version, data, entities


def _declaring(data: bytes, root: Any) -> frozenset[str]:
    """The names (``prefix:local``) of the elements below the root that declare a namespace,
    found in the text: asking lxml for every element's namespaces costs more than the rest
    of the walk. (A name found in CDATA or a comment only costs a needless check.)"""
    names = set()
    start, searched, named = -1, 0, -1
    at = data.find(b"xmlns")
    while at != -1:
        # The last "<" before this "xmlns" is one after the previous "xmlns", else the same
        # as that one's: each search back ends where the last began (searching back to the
        # document's start each time read 819 MB of a feed whose escaped XHTML holds 1,926).
        # The name after a "<" is read once, however many "xmlns" follow it.
        before = data.rfind(b"<", searched, at)
        if before > start:
            start = before
        if start > named:
            named = start
            found = _TAG_NAME.match(data, start + 1)
            if found:
                names.add(found.group().decode("utf-8", "replace"))
        searched = at
        at = data.find(b"xmlns", at + 5)
    root_name = (root.prefix + ":" if root.prefix else "") + etree.QName(root).localname
    names.discard(root_name)
    return frozenset(names)


def _plain(entry: dict[str, Any]) -> Fields:
    """An entry as a plain dict, with ``enclosures`` as FeedParserDict computes them."""
    out = dict(entry)
    links = out.get("links")
    if links:
        out["enclosures"] = [{k: v for k, v in link.items() if k != "rel"}
                             for link in links if link["rel"] == "enclosure"]
    return out


def _repair(output: str) -> str:
    """feedparser's last steps for text: undo UTF-8 read as Latin-1, map Windows-1252 points
    (done only when the text has a character either step can change)."""
    if output.isascii():
        return output
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        output = output.encode("iso-8859-1").decode("utf-8")
    encoded = output.encode("utf-8", "surrogatepass")
    # (``in`` finds the byte with memchr; the regex engine steps through every byte)
    if 0xC2 in encoded and C1_UTF8.search(encoded):
        output = output.translate(_cp1252)
    return output


def _join(base: str, value: str) -> str:
    """feedparser's ``_urljoin``, skipped where it gives the value back: a plain absolute
    http(s) URL, or a URI of a scheme ``urljoin`` never joins (``tag:``, ``urn:``: Atom ids)
    that ``urlsplit`` reads without cleaning it or looking for a host."""
    if value.startswith(("http://", "https://")):
        if _PLAIN_URL.match(value):
            return value
    else:
        opaque = _OPAQUE_URI.match(value)
        if opaque and opaque.group(1).lower() not in _JOINED_SCHEMES \
                and "\t" not in value and "\r" not in value and "\n" not in value:
            return value
    return str(_urljoin(base, value))


def _without_wrapping_div(pieces: list[str]) -> list[str]:
    """Atom 1.0 XHTML content without the ``<div>`` that wraps all of it (feedparser's
    rule: only a ``<div>`` that opens first and closes last)."""
    while pieces and len(pieces) > 1 and not pieces[-1].strip():
        del pieces[-1]
    while pieces and len(pieces) > 1 and not pieces[0].strip():
        del pieces[0]
    if pieces and (pieces[0] == "<div>" or pieces[0].startswith("<div ")) \
            and pieces[-1] == "</div>":
        depth = 0
        for piece in pieces[:-1]:
            if piece.startswith("</"):
                depth -= 1
                if depth == 0:
                    break
            elif piece.startswith("<") and not piece.endswith("/>"):
                depth += 1
        else:
            pieces = pieces[1:-1]
    return pieces


def _map_content_type(content_type: str) -> str:
    content_type = content_type.lower()
    if content_type in ("text", "plain"):
        return "text/plain"
    if content_type == "html":
        return "text/html"
    if content_type == "xhtml":
        return _XHTML_TYPE
    return content_type


class _Walker:
    """feedparser's ``_FeedParserMixin`` (with the strict SAX front end), ported to walk an
    lxml tree. Method and attribute names follow feedparser's, so the two read side by side;
    every difference is a shortcut that gives the same result."""

    def __init__(self, base: str, declaring: frozenset[str], sections: list[str]) -> None:
        self.baseuri = base
        self.sections = sections  # lifted CDATA sections, in document order
        self.lifted = 0  # how many of them are back in the text
        self.declaring = declaring
        self.declaring_locals = frozenset(name.rpartition(":")[2] for name in declaring)
        # The entries and the feed are plain dicts: a key that FeedParserDict stores under
        # another name is mapped where it is written (a key that can be one: a handler's).
        self.feeddata: Fields = {}
        self.entries: list[Fields] = []
        self.version = ""
        self.namespaces_in_use: dict[str, str] = {}
        self.namespacemap: dict[str | None, str] = {}
        self.names: dict[str, tuple[Any, ...]] = {}
        self.use_names()
        self.infeed = self.inentry = self.incontent = self.intextinput = self.inimage = 0
        self.inauthor = self.incontributor = self.inpublisher = self.insource = 0
        self.sourcedata = _Dict()
        self.contentparams: dict[str, Any] = {}
        self.summary_key: str | None = None
        self.elementstack: list[list[Any]] = []
        self.basestack: list[str] | None = []
        self.title_depth = -1
        self.depth = 0
        self.has_content = 0
        self.guidislink = False
        self.depths: dict[str, int] = {}  # the depth each field of the last entry was set at
        self.decls: dict[str, str] = {}
        self.safe: dict[tuple[str, str], str] = {}
        self.fixed: dict[str, str] = {}  # the base of an element without xml:base, by its parent's
        self.svg_ok = 0
        self.psc_chapters_flag = False

    # -- the SAX front end -------------------------------------------------------------------

    def run(self, root: Any) -> None:
        for prefix, uri in root.nsmap.items():
            self.start_prefix_mapping(prefix, uri)
        # Every element's base is its parent's made safe (``safe_base``) unless it has an
        # xml:base (or base) attribute. Where that step changes nothing after the root's, the
        # base stays the same until such an attribute: the stack of bases is kept from then.
        base = self.safe_base(self.baseuri, self.baseuri)
        if self.safe_base(base, base) == base:
            self.baseuri, self.basestack = base, None
        self.element(root, root.tag, root.nsmap)

    def start_prefix_mapping(self, prefix: str | None, uri: str) -> None:
        if not uri:
            return
        self.track_namespace(prefix or None, uri)
        if prefix and uri == _XLINK:
            self.decls["xmlns:" + prefix] = uri

    def element(self, el: Any, tag: str, nsmap: Mapping[str | None, str]) -> None:
        """One element: its start, its text and children in document order, its end
        (feedparser's ``unknown_starttag`` and ``unknown_endtag``, with what they look up by
        the element's name looked up once per name: ``kind``)."""
        kind = self.names.get(tag)
        if kind is None:
            kind = self.names[tag] = self.kind(tag)
        if kind[8]:  # its local name is one of those that declare a namespace somewhere
            prefix = el.prefix
            local = tag.rsplit("}", 1)[-1]
            if (f"{prefix}:{local}" if prefix else local) in self.declaring:
                own = el.nsmap
                for prefix, uri in own.items():
                    if nsmap.get(prefix) != uri:
                        self.start_prefix_mapping(prefix, uri)
                nsmap = own
                kind = self.names.get(tag)  # (a new namespace clears the names)
                if kind is None:
                    kind = self.names[tag] = self.kind(tag)
        name, handler, start, end, resets, declines_start, declines_end, xmlns, _ = kind
        items = el.items()
        # -- the start tag
        self.depth += 1
        if items or self.decls or xmlns:
            attrs_d = self.attributes(items, xmlns)
            if self.basestack is not None:
                self.push_base(attrs_d)
            elif attrs_d.get("xml:base", attrs_d.get("base")) not in (None, "", self.baseuri):
                self.basestack = [self.baseuri] * (self.depth - 1)
                self.push_base(attrs_d)
        else:
            attrs_d = {}
            if self.basestack is not None:
                self.push_base(attrs_d)
        if not self.incontent or not self.content_start(name, attrs_d):
            if resets:
                if resets & 1:
                    self.intextinput = 0
                if resets & 2:
                    self.inimage = 0
            if start is not None:
                if self.svg_ok and handler == "title":
                    raise _Decline("title inside SVG")
                start(self, attrs_d)
            elif declines_start:
                raise _Decline(handler)
            elif not attrs_d:
                self.elementstack.append([handler, 1, []])
            else:
                self.get_context()[_KEYMAP.get(handler, handler)] = attrs_d
        # -- the text and children
        stack = self.elementstack
        text = el.text
        if text and stack:
            if self.sections and _MARK in text:
                text = self.restore(text)
            # (content parameters are set only inside a content element: the cheap test first)
            if self.incontent and self.contentparams.get("type") == _XHTML_TYPE:
                text = escape(text)
            stack[-1][2].append(text)
        for child in el[:]:  # (a list: lxml's child iterator costs 3 times as much)
            child_tag = child.tag
            if child_tag.__class__ is str:
                self.element(child, child_tag, nsmap)
            elif child_tag is not _COMMENT and child_tag is not _PI:
                raise _Decline  # an entity reference
            if stack:  # (the tail is read only where it has somewhere to go)
                tail = child.tail
                if tail:
                    if self.sections and _MARK in tail:
                        tail = self.restore(tail)
                    if self.incontent and self.contentparams.get("type") == _XHTML_TYPE:
                        tail = escape(tail)
                    stack[-1][2].append(tail)
        # -- the end tag
        if self.svg_ok:
            if name.split(":", 1)[-1] == "svg":
                self.svg_ok -= 1
            if self.svg_ok:
                end = None
        if end is not None:
            end(self)
        elif declines_end and not self.svg_ok:
            raise _Decline(handler)
        else:
            self.pop(handler)
        if self.incontent and self.content_end(name):
            return  # as feedparser: the base and depth of the <div> stay pushed
        bases = self.basestack
        if bases:
            bases.pop()
            if bases and bases[-1]:
                self.baseuri = bases[-1]
        self.depth -= 1

    def use_names(self) -> None:
        """The record of each element name (``kind``) for the namespaces declared so far:
        shared by the documents that declare the same ones in the same order (a document
        computed ~21 records afresh, ~13 M instructions on the corpus)."""
        key = (tuple(self.namespacemap.items()), tuple(self.namespaces_in_use.items()),
               self.declaring_locals)
        names = _NAMES.get(key)
        if names is None or len(names) > 4096:  # (feed text is untrusted: bounded)
            if len(_NAMES) > 256:
                _NAMES.clear()
            names = _NAMES[key] = {}
        self.names = names

    def restore(self, text: str) -> str:
        """A text with the CDATA sections it held (``_lift_cdata``) back in their places."""
        parts = text.split(_MARK)
        at = self.lifted
        self.lifted = at + len(parts) - 1
        pieces = [parts[0]]
        for section, part in zip(self.sections[at:self.lifted], parts[1:], strict=True):
            pieces += (section, part)
        return "".join(pieces)

    def kind(self, tag: str) -> tuple[Any, ...]:
        """What the handlers need of an element's name: the name feedparser gives it
        (``prefix:local``), its handler name (``prefix_local``, with the prefix feedparser
        uses for the namespace), its start and end handlers, which of the image and text
        input flags its start clears (1, 2: only an element without a prefix clears them),
        whether its start or end declines, the ``xmlns`` feedparser gives its attributes
        (MathML, SVG), and whether an element of that local name declares a namespace
        somewhere in the document."""
        name = self.local_name(tag)
        if ":" in name:
            prefix, suffix = name.split(":", 1)
        else:
            prefix, suffix = "", name
        prefix = self.namespacemap.get(prefix, prefix)
        handler = f"{prefix}_{suffix}" if prefix else suffix
        resets = 0
        if not prefix:
            if name not in ("title", "link", "description", "name"):
                resets |= 1
            if name not in ("title", "link", "description", "url", "href", "width", "height"):
                resets |= 2
        return (name, handler, _STARTS.get(handler), _ENDS.get(handler), resets,
                handler in _NOT_PORTED or handler in _UNSAFE_UNKNOWN, handler in _NOT_PORTED,
                _MATH_OR_SVG.get(tag), tag.rsplit("}", 1)[-1] in self.declaring_locals)

    def local_name(self, tag: str) -> str:
        """The name feedparser gives an element: ``prefix:local`` (lower case), where the
        prefix is feedparser's own for a namespace it knows, else the document's."""
        if tag[0] == "{":
            namespace, local = tag[1:].split("}", 1)
        else:
            namespace, local = "", tag
        lowernamespace = namespace.lower()
        if "backend.userland.com/rss" in lowernamespace:
            namespace = lowernamespace = "http://backend.userland.com/rss"
        prefix = _MATCH.get(lowernamespace)
        local = local.lower()
        if prefix:
            return prefix.lower() + ":" + local
        if namespace:
            for given, value in self.namespaces_in_use.items():
                if given and value == namespace:
                    return (given + ":" + local).lower()
        return local

    def attributes(self, items: list[tuple[str, str]], xmlns: str | None) -> dict[str, str]:
        """Attributes as feedparser's strict parser hands them on: names lower-cased and
        prefixed with feedparser's prefix for a namespace it knows; ``rel`` and ``type``
        values lower-cased."""
        attrs_d, self.decls = self.decls, {}
        if xmlns:
            attrs_d["xmlns"] = xmlns
        for key, value in items:
            if key[0] == "{":
                namespace, local = key[1:].split("}", 1)
                prefix = _MATCH.get(namespace.lower(), "")
                if prefix:
                    local = prefix + ":" + local
                key = local
            key = key.lower()
            attrs_d[key] = value.lower() if key in ("rel", "type") else value
        return attrs_d

    # -- feedparser's mixin ------------------------------------------------------------------

    def track_namespace(self, prefix: str | None, uri: str) -> None:
        loweruri = uri.lower()
        if not self.version:
            if (prefix, loweruri) == (None, "http://my.netscape.com/rdf/simple/0.9/"):
                self.version = "rss090"
            elif loweruri == "http://purl.org/rss/1.0/":
                self.version = "rss10"
            elif loweruri == "http://www.w3.org/2005/atom":
                self.version = "atom10"
        if "backend.userland.com/rss" in loweruri:
            uri = loweruri = "http://backend.userland.com/rss"
        before = (len(self.namespacemap), len(self.namespaces_in_use))
        if loweruri in _MATCH:
            changed = self.namespacemap.get(prefix) != _MATCH[loweruri] \
                or self.namespaces_in_use.get(_MATCH[loweruri]) != uri
            self.namespacemap[prefix] = _MATCH[loweruri]
            self.namespaces_in_use[_MATCH[loweruri]] = uri
        else:
            changed = self.namespaces_in_use.get(prefix or "") != uri
            self.namespaces_in_use[prefix or ""] = uri
        if changed or before != (len(self.namespacemap), len(self.namespaces_in_use)):
            self.use_names()  # the names of elements may read differently now

    @staticmethod
    def safe_base(base: str, given: str) -> str:
        """The base URL of an element: feedparser makes it absolute and of a safe scheme."""
        if base:
            return str(make_safe_absolute_uri(base, given) or base)
        return str(_urljoin(base, given))

    def push_base(self, attrs_d: dict[str, str]) -> None:
        """The element's base URL, from its parent's and its xml:base (or base) attribute."""
        base = self.baseuri
        if attrs_d:
            given = attrs_d.get("xml:base", attrs_d.get("base")) or base
            found = self.safe.get((base, given))
            if found is None:
                found = self.safe[(base, given)] = self.safe_base(base, given)
        else:
            found = self.fixed.get(base)
            if found is None:
                found = self.fixed[base] = self.safe_base(base, base)
        self.baseuri = found
        assert self.basestack is not None
        self.basestack.append(found)

    def markup_in_content(self, tag: str) -> bool | None:
        """How feedparser treats the start or end of an element inside content: None for a
        ``<div>`` in content that said it was escaped (left as it is), True where the tag
        is written out as XHTML markup (escaped content becomes XHTML at its first other
        element), False where the element's handler reads it."""
        params = self.contentparams
        if not params.get("type", "xml").endswith("xml"):
            if tag in ("xhtml:div", "div"):
                return None
            params["type"] = _XHTML_TYPE
        return params.get("type") == _XHTML_TYPE

    def content_start(self, tag: str, attrs_d: dict[str, str]) -> bool:
        """The start of an element inside content: whether it is written out as markup
        (or skipped) instead of going to its handler."""
        markup = self.markup_in_content(tag)
        if not markup:
            return markup is None
        attrs = list(attrs_d.items())
        if ":" in tag:
            prefix, tag = tag.split(":", 1)
            namespace = self.namespaces_in_use.get(prefix, "")
            if ((tag == "math" and namespace == _MATHML)
                    or (tag == "svg" and namespace == _SVG)):
                attrs = [*attrs, ("xmlns", namespace)]
        if tag == "svg":
            self.svg_ok += 1
        self.handle_data(f"<{tag}{self.strattrs(attrs)}>", escape_text=False)
        return True

    def content_end(self, tag: str) -> bool:
        """The end of an element inside content (markup written out); True for a ``<div>``
        in escaped content, which feedparser leaves as it is."""
        markup = self.markup_in_content(tag)
        if markup:
            self.handle_data(f"</{tag.split(':')[-1]}>", escape_text=False)
        return markup is None

    def handle_data(self, text: str, escape_text: bool = True) -> None:
        if not self.elementstack:
            return
        if escape_text and self.contentparams.get("type") == _XHTML_TYPE:
            text = escape(text)
        self.elementstack[-1][2].append(text)

    @staticmethod
    def strattrs(attrs: list[tuple[str, str]]) -> str:
        return "".join(f' {k}="{escape(v, {chr(34): "&quot;"})}"' for k, v in attrs)

    def pop(self, element: str, strip_whitespace: int = 1) -> str | None:
        stack = self.elementstack
        if not stack or stack[-1][0] != element:
            return None
        element, expecting_text, pieces = stack.pop()
        params = self.contentparams
        if params and self.version == "atom10" and params.get("type", "text") == _XHTML_TYPE:
            pieces = _without_wrapping_div(pieces)
        output = pieces[0] if len(pieces) == 1 else "".join(pieces)
        if strip_whitespace:
            output = output.strip()
        if not expecting_text:
            return output
        role = _ROLES.get(element, 0)
        if params and params.get("base64", 0):
            with contextlib.suppress(binascii.Error, binascii.Incomplete, UnicodeDecodeError):
                output = base64.decodebytes(output.encode("utf8")).decode("utf8")
        if output and role & _RELATIVE and (element != "id" or self.guidislink):
            output = _join(self.baseuri or "", output)
        if params:
            # (feedparser's test needs a close tag or an entity: most texts have neither)
            if params.get("type") == "text/plain" and not self.version.startswith("atom") \
                    and ("</" in output or "&" in output) \
                    and _FeedParserMixin.looks_like_html(output):
                params["type"] = "text/html"
            params.pop("mode", None)
            params.pop("base64", None)
        if not output.isascii():
            output = _repair(output)
        if role:
            if role & _OWN_END:
                return output  # category, tags, itunes:keywords: their end handlers store them
            if role & _TITLE and -1 < self.title_depth <= self.depth:
                return output
        if self.inentry and not self.insource:
            entry = self.entries[-1]
            if role & _CONTENT:
                detail = dict(params)
                detail["value"] = output
                entry.setdefault("content", []).append(detail)
            elif role & _LINK:
                if not self.inimage:
                    if "&" in output:
                        output = _ENTITY_LIKE.sub(r"&\g<1>", output.replace("&amp;", "&"))
                    entry["link"] = output
                    if output:
                        entry["links"][-1]["href"] = output
            else:
                if role & _DESCRIPTION:
                    element = "summary"
                depths = self.depths
                old = depths.get(element)
                if old is None or self.depth <= old:
                    depths[element] = self.depth
                    entry[_KEYMAP.get(element, element)] = output
                if self.incontent:
                    detail = dict(params)
                    detail["value"] = output
                    key = element + "_detail"
                    entry[_KEYMAP.get(key, key)] = detail
        elif self.infeed or self.insource:
            context = self.get_context()
            if role & _DESCRIPTION:
                element = "subtitle"
            context[_KEYMAP.get(element, element)] = output
            if role & _LINK:
                if "&" in output:
                    output = _ENTITY_LIKE.sub(r"&\g<1>", output)
                context[element] = output
                context["links"][-1]["href"] = output
            elif self.incontent:
                detail = dict(params)
                detail["value"] = output
                key = element + "_detail"
                context[_KEYMAP.get(key, key)] = detail
        return output

    def push_content(self, tag: str, attrs_d: dict[str, str], default_content_type: str,
                     expecting_text: int) -> None:
        self.incontent += 1
        if attrs_d:
            kind = _map_content_type(attrs_d.get("type", default_content_type))
            encoded = int(attrs_d.get("mode", "") == "base64" or not (
                kind.startswith("text/") or kind.endswith("+xml") or kind.endswith("/xml")))
        else:  # (each default type is its own mapping, and none is base64)
            kind, encoded = default_content_type, 0
        self.contentparams = {"type": kind, "language": None, "base": self.baseuri,
                              "base64": encoded}
        self.elementstack.append([tag, expecting_text, []])

    def pop_content(self, tag: str) -> str | None:
        value = self.pop(tag)
        self.incontent -= 1
        self.contentparams = {}
        return value

    def get_context(self) -> Fields:
        if self.insource:
            return self.sourcedata
        if self.inimage and "image" in self.feeddata:
            image: _Dict = self.feeddata["image"]
            return image
        if self.intextinput:
            textinput: _Dict = self.feeddata["textinput"]
            return textinput
        if self.inentry:
            return self.entries[-1]
        return self.feeddata

    def save(self, key: str, value: Any, overwrite: bool = False) -> None:
        context = self.get_context()
        if overwrite:
            context[key] = value
        else:
            context.setdefault(key, value)

    def save_author(self, key: str, value: Any, prefix: str = "author") -> None:
        context = self.get_context()
        context.setdefault(prefix + "_detail", _Dict())
        context[prefix + "_detail"][key] = value
        self.sync_author_detail()
        context.setdefault("authors", [_Dict()])
        context["authors"][-1][key] = value

    def sync_author_detail(self, key: str = "author") -> None:
        context = self.get_context()
        detail = context.get(f"{key}s", [_Dict()])[-1]
        if detail:
            name = detail.get("name")
            email = detail.get("email")
            if name and email:
                context[key] = f"{name} ({email})"
            elif name:
                context[key] = name
            elif email:
                context[key] = email
        else:
            author, email = context.get(key), None
            if not author:
                return
            found = _EMAIL.search(author) if "@" in author else None
            if found:
                email = found.group(0)
                author = author.replace(email, "")
                author = author.replace("()", "")
                author = author.replace("<>", "")
                author = author.replace("&lt;&gt;", "")
                author = author.strip()
                if author and author[0] == "(":
                    author = author[1:]
                if author and author[-1] == ")":
                    author = author[:-1]
                author = author.strip()
            if author or email:
                context.setdefault(f"{key}_detail", detail)
            if author:
                detail["name"] = author
            if email:
                detail["email"] = email

    def add_tag(self, term: str | None, scheme: str | None, label: str | None) -> None:
        context = self.get_context()
        tags = context.setdefault("tags", [])
        if not term and not scheme and not label:
            return
        value = {"term": term, "scheme": scheme, "label": label}
        if value not in tags:
            tags.append(value)

    def get_attribute(self, attrs_d: Mapping[str, str], name: str) -> str | None:
        if ":" not in name:
            return attrs_d.get(name)
        prefix, suffix = name.split(":", 1)
        return attrs_d.get(f"{self.namespacemap.get(prefix, prefix)}:{suffix}")

    # -- feedparser's _base namespace ---------------------------------------------------------

    def start_rss(self, attrs_d: dict[str, str]) -> None:
        if not self.version or not self.version.startswith("rss"):
            attr_version = attrs_d.get("version", "")
            version = _RSS_VERSIONS.get(attr_version)
            if version:
                self.version = version
            elif attr_version.startswith("2."):
                self.version = "rss20"
            else:
                self.version = "rss"

    def start_channel(self, attrs_d: dict[str, str]) -> None:
        self.infeed = 1
        self.cdf_common(attrs_d)

    def cdf_common(self, attrs_d: dict[str, str]) -> None:
        """CDF's dates and links as attributes: fed through the handlers of the elements."""
        if "lastmod" in attrs_d:
            self.start_updated({})
            self.elementstack[-1][-1] = attrs_d["lastmod"]
            self.end_updated()
        if "href" in attrs_d:
            self.start_link({})
            self.elementstack[-1][-1] = attrs_d["href"]
            self.end_link()

    def start_feed(self, attrs_d: dict[str, str]) -> None:
        self.infeed = 1
        if not self.version:
            self.version = _ATOM_VERSIONS.get(attrs_d.get("version", ""), "atom")

    def end_channel(self) -> None:
        self.infeed = 0

    def start_image(self, attrs_d: dict[str, str]) -> None:
        context = self.get_context()
        if not self.inentry:
            context.setdefault("image", _Dict())
        self.inimage = 1
        self.title_depth = -1
        self.elementstack.append(["image", 0, []])

    def end_image(self) -> None:
        self.pop("image")
        self.inimage = 0

    def start_author(self, attrs_d: dict[str, str]) -> None:
        self.inauthor = 1
        self.elementstack.append(["author", 1, []])
        context = self.get_context()
        context.setdefault("authors", [])
        context["authors"].append(_Dict())

    def end_author(self) -> None:
        self.pop("author")
        self.inauthor = 0
        self.sync_author_detail()

    def start_contributor(self, attrs_d: dict[str, str]) -> None:
        self.incontributor = 1
        context = self.get_context()
        context.setdefault("contributors", [])
        context["contributors"].append(_Dict())
        self.elementstack.append(["contributor", 0, []])

    def end_contributor(self) -> None:
        self.pop("contributor")
        self.incontributor = 0

    def start_name(self, attrs_d: dict[str, str]) -> None:
        self.elementstack.append(["name", 0, []])

    def end_name(self) -> None:
        value = self.pop("name")
        if self.inpublisher:
            self.save_author("name", value, "publisher")
        elif self.inauthor:
            self.save_author("name", value)
        elif self.incontributor:
            self.save_contributor("name", value)
        elif self.intextinput:
            self.get_context()["name"] = value

    def save_contributor(self, key: str, value: Any) -> None:
        context = self.get_context()
        context.setdefault("contributors", [_Dict()])
        context["contributors"][-1][key] = value

    def start_width(self, attrs_d: dict[str, str]) -> None:
        self.elementstack.append(["width", 0, []])

    def end_width(self) -> None:
        self.pop("width")

    def start_height(self, attrs_d: dict[str, str]) -> None:
        self.elementstack.append(["height", 0, []])

    def end_height(self) -> None:
        self.pop("height")

    def start_url(self, attrs_d: dict[str, str]) -> None:
        self.elementstack.append(["href", 1, []])

    def end_url(self) -> None:
        value = self.pop("href")
        if self.inauthor:
            self.save_author("href", value)
        elif self.incontributor:
            self.save_contributor("href", value)

    def start_email(self, attrs_d: dict[str, str]) -> None:
        self.elementstack.append(["email", 0, []])

    def end_email(self) -> None:
        value = self.pop("email")
        if self.inpublisher:
            self.save_author("email", value, "publisher")
        elif self.inauthor:
            self.save_author("email", value)
        elif self.incontributor:
            self.save_contributor("email", value)

    def start_subtitle(self, attrs_d: dict[str, str]) -> None:
        self.push_content("subtitle", attrs_d, "text/plain", 1)

    def end_subtitle(self) -> None:
        self.pop_content("subtitle")

    def start_rights(self, attrs_d: dict[str, str]) -> None:
        self.push_content("rights", attrs_d, "text/plain", 1)

    def end_rights(self) -> None:
        self.pop_content("rights")

    def start_item(self, attrs_d: dict[str, str]) -> None:
        self.entries.append({})
        self.depths = {}
        self.elementstack.append(["item", 0, []])
        self.inentry = 1
        self.guidislink = False
        self.title_depth = -1
        about = self.get_attribute(attrs_d, "rdf:about")
        if about:
            self.get_context()["id"] = about
        self.cdf_common(attrs_d)

    def end_item(self) -> None:
        self.pop("item")
        self.inentry = 0
        self.has_content = 0

    def start_language(self, attrs_d: dict[str, str]) -> None:
        self.elementstack.append(["language", 1, []])

    def end_language(self) -> None:
        self.pop("language")

    def start_webmaster(self, attrs_d: dict[str, str]) -> None:
        self.elementstack.append(["publisher", 1, []])

    def end_webmaster(self) -> None:
        self.pop("publisher")
        self.sync_author_detail("publisher")

    def start_published(self, attrs_d: dict[str, str]) -> None:
        self.elementstack.append(["published", 1, []])

    def end_published(self) -> None:
        value = self.pop("published")
        self.save("published_parsed", parse_date(value), overwrite=True)

    def start_updated(self, attrs_d: dict[str, str]) -> None:
        self.elementstack.append(["updated", 1, []])

    def end_updated(self) -> None:
        value = self.pop("updated")
        self.save("updated_parsed", parse_date(value), overwrite=True)

    def start_category(self, attrs_d: dict[str, str]) -> None:
        term = attrs_d.get("term")
        scheme = attrs_d.get("scheme", attrs_d.get("domain"))
        label = attrs_d.get("label")
        self.add_tag(term, scheme, label)
        self.elementstack.append(["category", 1, []])

    def end_category(self) -> None:
        value = self.pop("category")
        if not value:
            return
        tags = self.get_context()["tags"]
        if value and len(tags) and not tags[-1]["term"]:
            tags[-1]["term"] = value
        else:
            self.add_tag(value, None, None)

    def start_link(self, attrs_d: dict[str, str]) -> None:
        attrs_d.setdefault("rel", "alternate")
        if attrs_d["rel"] == "self":
            attrs_d.setdefault("type", "application/atom+xml")
        else:
            attrs_d.setdefault("type", "text/html")
        context = self.get_context()
        attrs_d = self.enforce_href(attrs_d)
        if "href" in attrs_d:
            attrs_d["href"] = _join(self.baseuri or "", attrs_d["href"])
        expecting_text = self.infeed or self.inentry or self.insource
        context.setdefault("links", [])
        if not (self.inentry and self.inimage):
            context["links"].append(attrs_d)
        if "href" in attrs_d:
            if attrs_d.get("rel") == "alternate" and \
                    _map_content_type(attrs_d.get("type", "")) in _HTML_TYPES:
                context["link"] = attrs_d["href"]
        else:
            self.elementstack.append(["link", expecting_text, []])

    def end_link(self) -> None:
        self.pop("link")

    @staticmethod
    def enforce_href(attrs_d: dict[str, str]) -> dict[str, str]:
        href = attrs_d.get("url", attrs_d.get("uri", attrs_d.get("href")))
        if href:
            attrs_d.pop("url", None)
            attrs_d.pop("uri", None)
            attrs_d["href"] = href
        return attrs_d

    def start_guid(self, attrs_d: dict[str, str]) -> None:
        self.guidislink = attrs_d.get("ispermalink", "true") == "true"
        self.elementstack.append(["id", 1, []])

    def end_guid(self) -> None:
        value = self.pop("id")
        self.save("guidislink", self.guidislink and "link" not in self.get_context())
        if self.guidislink:
            self.save("link", value)

    def start_title(self, attrs_d: dict[str, str]) -> None:
        self.push_content("title", attrs_d, "text/plain",
                          self.infeed or self.inentry or self.insource)

    def end_title(self) -> None:
        value = self.pop_content("title")
        if not value:
            return
        self.title_depth = self.depth

    def start_description(self, attrs_d: dict[str, str]) -> None:
        context = self.get_context()
        if "summary" in context and not self.has_content:
            self.summary_key = "content"
            self.start_content(attrs_d)
        else:
            self.push_content("description", attrs_d, "text/html",
                              self.infeed or self.inentry or self.insource)

    def end_description(self) -> None:
        if self.summary_key == "content":
            self.end_content()
        else:
            self.pop_content("description")
        self.summary_key = None

    def start_generator(self, attrs_d: dict[str, str]) -> None:
        if attrs_d:
            attrs_d = self.enforce_href(attrs_d)
            if "href" in attrs_d:
                attrs_d["href"] = _join(self.baseuri or "", attrs_d["href"])
        self.get_context()["generator_detail"] = _Dict(attrs_d)
        self.elementstack.append(["generator", 1, []])

    def end_generator(self) -> None:
        value = self.pop("generator")
        context = self.get_context()
        if "generator_detail" in context:
            context["generator_detail"]["name"] = value

    def start_summary(self, attrs_d: dict[str, str]) -> None:
        context = self.get_context()
        if "summary" in context and not self.has_content:
            self.summary_key = "content"
            self.start_content(attrs_d)
        else:
            self.summary_key = "summary"
            self.push_content(self.summary_key, attrs_d, "text/plain", 1)

    def end_summary(self) -> None:
        if self.summary_key == "content":
            self.end_content()
        else:
            self.pop_content(self.summary_key or "summary")
        self.summary_key = None

    def start_enclosure(self, attrs_d: dict[str, str]) -> None:
        attrs_d = self.enforce_href(attrs_d)
        context = self.get_context()
        attrs_d["rel"] = "enclosure"
        context.setdefault("links", []).append(_Dict(attrs_d))

    def start_source(self, attrs_d: dict[str, str]) -> None:
        if "url" in attrs_d:
            self.sourcedata["href"] = attrs_d["url"]
        self.elementstack.append(["source", 1, []])
        self.insource = 1
        self.title_depth = -1

    def end_source(self) -> None:
        self.insource = 0
        value = self.pop("source")
        if value:
            self.sourcedata["title"] = value
        self.get_context()["source"] = copy.deepcopy(self.sourcedata)
        self.sourcedata.clear()

    def start_content(self, attrs_d: dict[str, str]) -> None:
        self.has_content = 1
        self.push_content("content", attrs_d, "text/plain", 1)
        src = attrs_d.get("src")
        if src:
            self.contentparams["src"] = src
        self.elementstack.append(["content", 1, []])

    def start_content_encoded(self, attrs_d: dict[str, str]) -> None:
        self.has_content = 1
        self.push_content("content", attrs_d, "text/html", 1)

    def end_content(self) -> None:
        copy_to_summary = _map_content_type(self.contentparams.get("type", "")) in (
            {"text/plain"} | _HTML_TYPES)
        value = self.pop_content("content")
        if copy_to_summary:
            self.save("summary", value)

    def start_cloud(self, attrs_d: dict[str, str]) -> None:
        self.get_context()["cloud"] = _Dict(attrs_d)

    def start_textinput(self, attrs_d: dict[str, str]) -> None:
        self.get_context().setdefault("textinput", _Dict())
        self.intextinput = 1
        self.title_depth = -1
        self.elementstack.append(["textinput", 0, []])

    def end_textinput(self) -> None:
        self.pop("textinput")
        self.intextinput = 0

    def start_info(self, attrs_d: dict[str, str]) -> None:
        self.push_content("info", attrs_d, "text/plain", 1)

    def end_info(self) -> None:
        self.pop_content("info")

    def start_abstract(self, attrs_d: dict[str, str]) -> None:
        self.push_content("description", attrs_d, "text/plain",
                          self.infeed or self.inentry or self.insource)

    def start_created(self, attrs_d: dict[str, str]) -> None:
        self.elementstack.append(["created", 1, []])

    def end_created(self) -> None:
        self.save("created_parsed", parse_date(self.pop("created")), overwrite=True)

    def start_expirationdate(self, attrs_d: dict[str, str]) -> None:
        self.elementstack.append(["expired", 1, []])

    def end_expirationdate(self) -> None:
        self.save("expired_parsed", parse_date(self.pop("expired")), overwrite=True)

    def start_newlocation(self, attrs_d: dict[str, str]) -> None:
        self.elementstack.append(["newlocation", 1, []])

    def end_newlocation(self) -> None:
        url = self.pop("newlocation")
        context = self.get_context()
        if context is not self.feeddata or url is None:
            return  # (feedparser fails on None and its fallback pops nothing)
        context["newlocation"] = make_safe_absolute_uri(self.baseuri, url.strip())

    def start_dc_contributor(self, attrs_d: dict[str, str]) -> None:
        self.incontributor = 1
        context = self.get_context()
        context.setdefault("contributors", [])
        context["contributors"].append(_Dict())
        self.elementstack.append(["name", 0, []])

    def end_dc_contributor(self) -> None:
        self.end_name()
        self.incontributor = 0

    def start_admin(self, attrs_d: dict[str, str], element: str) -> None:
        """admin:generatorAgent and admin:errorReportsTo push and pop at once: no net
        effect on the element stack."""
        self.elementstack.append([element, 1, []])
        value = self.get_attribute(attrs_d, "rdf:resource")
        if value:
            self.elementstack[-1][2].append(value)
        self.pop(element)
        if element == "generator":
            self.get_context()["generator_detail"] = _Dict({"href": value})

    def start_media_dict(self, attrs_d: dict[str, str], key: str, element: str) -> None:
        """media:rating, media:restriction and media:license: their attributes under
        ``key``, their text under ``element``."""
        self.get_context().setdefault(key, attrs_d)
        self.elementstack.append([element, 1, []])

    def end_media_dict(self, element: str, key: str,
                       split: Callable[[str], list[str]] | None) -> None:
        value = self.pop(element)
        if value is not None and value.strip():
            self.get_context()[key]["content"] = (
                [part.strip().lower() for part in value.split(" ")] if split else value)

    def start_media_player(self, attrs_d: dict[str, str]) -> None:
        self.elementstack.append(["media_player", 0, []])
        self.get_context()["media_player"] = _Dict(attrs_d)

    def end_media_player(self) -> None:
        value = self.pop("media_player")
        self.get_context()["media_player"]["content"] = value

    def start_body(self, attrs_d: dict[str, str]) -> None:
        self.push_content("content", attrs_d, _XHTML_TYPE, 1)

    def start_psc_chapters(self, attrs_d: dict[str, str]) -> None:
        context = self.get_context()
        if "psc_chapters" not in context:
            self.psc_chapters_flag = True
            context["psc_chapters"] = _Dict(attrs_d, chapters=[])

    def end_psc_chapters(self) -> None:
        self.psc_chapters_flag = False

    def start_psc_chapter(self, attrs_d: dict[str, str]) -> None:
        if self.psc_chapters_flag:
            start = self.get_attribute(attrs_d, "start")
            if start is None:
                raise _Decline("psc:chapter without a start")  # feedparser fails on it
            self.get_context()["psc_chapters"]["chapters"].append(_Dict(attrs_d))

    # -- Dublin Core, iTunes, Media RSS, Creative Commons, GeoRSS ----------------------------

    def end_itunes_keywords(self) -> None:
        value = self.pop("itunes_keywords")
        if value is None:
            return  # feedparser's handler fails on None and its fallback pops nothing
        for term in value.split(","):
            if term.strip():
                self.add_tag(term.strip(), "http://www.itunes.com/", None)

    def start_itunes_category(self, attrs_d: dict[str, str]) -> None:
        self.add_tag(attrs_d.get("text"), "http://www.itunes.com/", None)
        self.elementstack.append(["category", 1, []])

    def start_itunes_owner(self, attrs_d: dict[str, str]) -> None:
        self.inpublisher = 1
        self.elementstack.append(["publisher", 0, []])

    def end_itunes_owner(self) -> None:
        self.pop("publisher")
        self.inpublisher = 0
        self.sync_author_detail("publisher")

    def start_itunes_image(self, attrs_d: dict[str, str]) -> None:
        self.elementstack.append(["itunes_image", 0, []])
        href = attrs_d.get("href") or attrs_d.get("url")
        if href:
            self.get_context()["image"] = _Dict({"href": href})

    def end_itunes_block(self) -> None:
        self.pop("itunes_block", 0)

    def end_itunes_explicit(self) -> None:
        self.pop("itunes_explicit", 0)

    def start_media_category(self, attrs_d: dict[str, str]) -> None:
        attrs_d.setdefault("scheme", "http://search.yahoo.com/mrss/category_schema")
        self.start_category(attrs_d)

    def end_media_keywords(self) -> None:
        value = self.pop("media_keywords")
        if value is None:
            return  # as for itunes:keywords
        for term in value.split(","):
            if term.strip():
                self.add_tag(term.strip(), None, None)

    def end_media_title(self) -> None:
        title_depth = self.title_depth
        self.end_title()
        self.title_depth = title_depth

    def start_media_group(self, attrs_d: dict[str, str]) -> None:
        pass

    def start_media_credit(self, attrs_d: dict[str, str]) -> None:
        context = self.get_context()
        context.setdefault("media_credit", [])
        context["media_credit"].append(attrs_d)
        self.elementstack.append(["credit", 1, []])

    def end_media_credit(self) -> None:
        credit = self.pop("credit")
        if credit is not None and credit.strip():
            self.get_context()["media_credit"][-1]["content"] = credit

    def start_media_content(self, attrs_d: dict[str, str]) -> None:
        context = self.get_context()
        context.setdefault("media_content", [])
        context["media_content"].append(attrs_d)

    def start_media_thumbnail(self, attrs_d: dict[str, str]) -> None:
        context = self.get_context()
        context.setdefault("media_thumbnail", [])
        self.elementstack.append(["url", 1, []])
        context["media_thumbnail"].append(attrs_d)

    def end_media_thumbnail(self) -> None:
        url = self.pop("url")
        context = self.get_context()
        if url is not None and url.strip() and "url" not in context["media_thumbnail"][-1]:
            context["media_thumbnail"][-1]["url"] = url

    def start_cc_license(self, attrs_d: dict[str, str]) -> None:
        context = self.get_context()
        value = self.get_attribute(attrs_d, "rdf:resource")
        link = _Dict(rel="license")
        if value:
            link["href"] = value
        context.setdefault("links", []).append(link)

    def start_georssgeom(self, attrs_d: dict[str, str]) -> None:
        self.elementstack.append(["geometry", 0, []])
        self.get_context()["where"] = _Dict()

    def end_georss(self, parse: Callable[[str], Any]) -> None:
        value = self.pop("geometry")
        if value is None:
            raise _Decline
        geometry = parse(value)
        if geometry:
            self.get_context()["where"].update(geometry)

    def start_where(self, attrs_d: dict[str, str]) -> None:
        self.elementstack.append(["where", 0, []])
        self.get_context()["where"] = _Dict()

    def end_where(self) -> None:
        self.pop("where")


_EMAIL = re.compile(
    r"""(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"""
    r"""([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?""")
_ATOM_VERSIONS = {"0.1": "atom01", "0.2": "atom02", "0.3": "atom03"}
_RSS_VERSIONS = {"0.91": "rss091u", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094"}
_CAN_BE_RELATIVE = frozenset(_FeedParserMixin.can_be_relative_uri) if _AVAILABLE else frozenset()
# What ``pop`` does apart for some element names, looked up once per call.
_RELATIVE, _OWN_END, _TITLE, _CONTENT, _LINK, _DESCRIPTION = 1, 2, 4, 8, 16, 32
_ROLES: dict[str, int] = {name: _RELATIVE for name in _CAN_BE_RELATIVE}
for _name, _role in (("category", _OWN_END), ("tags", _OWN_END), ("itunes_keywords", _OWN_END),
                     ("title", _TITLE), ("content", _CONTENT), ("link", _LINK),
                     ("description", _DESCRIPTION)):
    _ROLES[_name] = _ROLES.get(_name, 0) | _role

W = _Walker
_STARTS: dict[str, Callable[[_Walker, dict[str, str]], None]] = {
    "rss": W.start_rss, "channel": W.start_channel, "feed": W.start_feed,
    "image": W.start_image, "author": W.start_author, "managingeditor": W.start_author,
    "contributor": W.start_contributor, "name": W.start_name, "width": W.start_width,
    "height": W.start_height, "url": W.start_url, "homepage": W.start_url, "uri": W.start_url,
    "email": W.start_email, "subtitle": W.start_subtitle, "tagline": W.start_subtitle,
    "rights": W.start_rights, "copyright": W.start_rights, "item": W.start_item,
    "entry": W.start_item, "language": W.start_language, "webmaster": W.start_webmaster,
    "published": W.start_published, "issued": W.start_published, "pubdate": W.start_published,
    "updated": W.start_updated, "modified": W.start_updated,
    "lastbuilddate": W.start_updated, "category": W.start_category,
    "keywords": W.start_category, "link": W.start_link, "guid": W.start_guid,
    "id": W.start_guid, "title": W.start_title, "description": W.start_description,
    "generator": W.start_generator, "summary": W.start_summary,
    "enclosure": W.start_enclosure, "source": W.start_source, "content": W.start_content,
    "content_encoded": W.start_content_encoded,
    "dc_author": W.start_author, "dc_creator": W.start_author, "dc_date": W.start_updated,
    "dc_description": W.start_description, "dc_language": W.start_language,
    "dc_publisher": W.start_webmaster, "dc_rights": W.start_rights,
    "dc_subject": W.start_category, "dc_title": W.start_title,
    "dcterms_issued": W.start_published, "dcterms_modified": W.start_updated,
    "itunes_author": W.start_author, "itunes_name": W.start_name,
    "itunes_email": W.start_email, "itunes_subtitle": W.start_subtitle,
    "itunes_summary": W.start_summary, "itunes_owner": W.start_itunes_owner,
    "itunes_category": W.start_itunes_category, "itunes_image": W.start_itunes_image,
    "itunes_link": W.start_itunes_image,
    "media_category": W.start_media_category, "media_title": W.start_title,
    "media_group": W.start_media_group, "media_credit": W.start_media_credit,
    "media_description": W.start_description, "media_content": W.start_media_content,
    "media_thumbnail": W.start_media_thumbnail, "cc_license": W.start_cc_license,
    "georss_point": W.start_georssgeom, "georss_line": W.start_georssgeom,
    "georss_polygon": W.start_georssgeom, "georss_box": W.start_georssgeom,
    "where": W.start_where, "georss_where": W.start_where,
    "cloud": W.start_cloud, "textinput": W.start_textinput, "info": W.start_info,
    "feedburner_browserfriendly": W.start_info, "abstract": W.start_abstract,
    "created": W.start_created, "dcterms_created": W.start_created,
    "expirationdate": W.start_expirationdate, "newlocation": W.start_newlocation,
    "dc_contributor": W.start_dc_contributor, "fullitem": W.start_content_encoded,
    "admin_generatoragent": lambda w, a: w.start_admin(a, "generator"),
    "admin_errorreportsto": lambda w, a: w.start_admin(a, "errorreportsto"),
    "media_rating": lambda w, a: w.start_media_dict(a, "media_rating", "rating"),
    "media_restriction": lambda w, a: w.start_media_dict(a, "media_restriction",
                                                         "restriction"),
    "media_license": lambda w, a: w.start_media_dict(a, "media_license", "license"),
    "media_player": W.start_media_player,
    "body": W.start_body, "xhtml_body": W.start_body,
    "psc_chapters": W.start_psc_chapters, "psc_chapter": W.start_psc_chapter,
}
_ENDS: dict[str, Callable[[_Walker], None]] = {
    "channel": W.end_channel, "feed": W.end_channel, "image": W.end_image,
    "author": W.end_author, "managingeditor": W.end_author, "contributor": W.end_contributor,
    "name": W.end_name, "width": W.end_width, "height": W.end_height, "url": W.end_url,
    "homepage": W.end_url, "uri": W.end_url, "email": W.end_email,
    "subtitle": W.end_subtitle, "tagline": W.end_subtitle, "rights": W.end_rights,
    "copyright": W.end_rights, "item": W.end_item, "entry": W.end_item,
    "language": W.end_language, "webmaster": W.end_webmaster,
    "published": W.end_published, "issued": W.end_published, "pubdate": W.end_published,
    "updated": W.end_updated, "modified": W.end_updated, "lastbuilddate": W.end_updated,
    "category": W.end_category, "keywords": W.end_category, "link": W.end_link,
    "guid": W.end_guid, "id": W.end_guid, "title": W.end_title,
    "description": W.end_description, "generator": W.end_generator,
    "summary": W.end_summary, "source": W.end_source, "content": W.end_content,
    "content_encoded": W.end_content,
    "dc_author": W.end_author, "dc_creator": W.end_author, "dc_date": W.end_updated,
    "dc_description": W.end_description, "dc_language": W.end_language,
    "dc_publisher": W.end_webmaster, "dc_rights": W.end_rights,
    "dc_subject": W.end_category, "dc_title": W.end_title,
    "dcterms_issued": W.end_published, "dcterms_modified": W.end_updated,
    "itunes_author": W.end_author, "itunes_category": W.end_category,
    "itunes_name": W.end_name, "itunes_email": W.end_email,
    "itunes_subtitle": W.end_subtitle, "itunes_summary": W.end_summary,
    "itunes_owner": W.end_itunes_owner, "itunes_keywords": W.end_itunes_keywords,
    "itunes_block": W.end_itunes_block, "itunes_explicit": W.end_itunes_explicit,
    "media_category": W.end_category, "media_keywords": W.end_media_keywords,
    "media_title": W.end_media_title, "media_credit": W.end_media_credit,
    "media_description": W.end_description, "media_thumbnail": W.end_media_thumbnail,
    "georss_point": lambda w: w.end_georss(_parse_georss_point),
    "georss_line": lambda w: w.end_georss(_parse_georss_line),
    "georss_polygon": lambda w: w.end_georss(_parse_georss_polygon),
    "georss_box": lambda w: w.end_georss(_parse_georss_box),
    "where": W.end_where, "georss_where": W.end_where,
    "textinput": W.end_textinput, "info": W.end_info, "feedburner_browserfriendly": W.end_info,
    "abstract": W.end_description, "created": W.end_created, "dcterms_created": W.end_created,
    "expirationdate": W.end_expirationdate, "newlocation": W.end_newlocation,
    "dc_contributor": W.end_dc_contributor, "fullitem": W.end_content,
    "media_rating": lambda w: w.end_media_dict("rating", "media_rating", None),
    "media_restriction": lambda w: w.end_media_dict("restriction", "media_restriction",
                                                    str.split),
    "media_license": lambda w: w.end_media_dict("license", "media_license", None),
    "media_player": W.end_media_player,
    "body": W.end_content, "xhtml_body": W.end_content, "psc_chapters": W.end_psc_chapters,
}


def _handlers(prefix: str) -> frozenset[str]:
    return frozenset(name[len(prefix):] for name in dir(_FeedParserMixin)
                     if name.startswith(prefix)) if _AVAILABLE else frozenset()


# Handlers feedparser has that this module does not port: their elements decline.
_NOT_PORTED = (_handlers("_start_") - _STARTS.keys()) | (_handlers("_end_") - _ENDS.keys())

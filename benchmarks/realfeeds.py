"""The real corpus (``../shared/realfeeds/``) served as the sites served it.

198 captured feeds (news sites, blogs, podcasts, YouTube, GitHub, WordPress, 12 ``.json``
files…), one file each. ``CorpusFiles`` serves every file at ``/real/NAME`` with the content
type of its kind, sniffed from the document (``application/rss+xml``, ``application/atom+xml``,
``application/rdf+xml``, ``application/feed+json`` for a JSON Feed, ``application/json`` for
other JSON), an ETag (a hash of the bytes) and Last-Modified, so a second refresh is all 304.
The one file stored gzip-compressed (``node-feedparser__invalid-characters-gzipped.xml``) is
sent with ``Content-Encoding: gzip`` to clients that accept it, as its site did.

No charset is added to XML types: several documents are ISO-8859-1 or windows-1251 and say so
in their XML declaration, which a ``charset`` parameter would override.

The folder is ``READER_REALFEEDS``, else ``$READER_SHARED/realfeeds``, else ``../shared/realfeeds``
beside the repository.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

from benchmarks.server import Catalogue, Document

REPO = Path(__file__).resolve().parent.parent
PREFIX = "/real/"
TRUNCATED = "feed-rs__rss_2.0_invalid_1.xml"
"""The one capture cut off mid-document (Reuters' "Most Read Articles": the server's error
comment after ``<copyright>``, no item, no closing tags). Every other file is a feed."""

CONTENT_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "rdf": "application/rdf+xml",
    "jsonfeed": "application/feed+json",
    "json": "application/json",
    "xml": "application/xml",
}
_FIRST_ELEMENT = re.compile(
    rb"<(?:\?.*?\?>|!--.*?-->|!DOCTYPE(?:[^\[>]|\[.*?\])*>|([A-Za-z_][\w:.-]*))", re.DOTALL)


def folder() -> Path:
    """Where the real corpus is (it may not exist: callers say so)."""
    named = os.environ.get("READER_REALFEEDS")
    if named:
        return Path(named)
    shared = os.environ.get("READER_SHARED")
    return (Path(shared) if shared else REPO.parent / "shared") / "realfeeds"


def files(where: Path | None = None) -> list[Path]:
    """Every captured feed of the corpus, by name (``MANIFEST.tsv`` is not one)."""
    where = where or folder()
    return sorted(p for p in where.iterdir() if p.is_file() and p.name != "MANIFEST.tsv")


def kind(body: bytes) -> str:
    """What a document is, from its bytes: a key of ``CONTENT_TYPES``."""
    text = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = text.decode("utf-16").encode()
    if text.startswith((b"{", b"[")):
        try:
            data = json.loads(text)
        except ValueError:
            return "xml"
        version = data.get("version") if isinstance(data, dict) else None
        return "jsonfeed" if isinstance(version, str) and "jsonfeed.org" in version else "json"
    for match in _FIRST_ELEMENT.finditer(text[:65536]):
        if match.group(1):
            name = match.group(1).decode().rsplit(":", 1)[-1].lower()
            return {"rss": "rss", "feed": "atom", "entry": "atom", "rdf": "rdf"}.get(name, "xml")
    return "xml"


def document(body: bytes) -> Document:
    """How ``body`` is served: its content type, validators and, if stored gzipped, both forms."""
    gzipped = None
    if body.startswith(b"\x1f\x8b"):
        gzipped, body = body, gzip.decompress(body)
    tag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    return Document(body, CONTENT_TYPES[kind(body)], tag, gzipped=gzipped)


def path_of(name: str) -> str:
    return PREFIX + quote(name)


@dataclass
class CorpusFiles(Catalogue):
    """Every file of a folder at ``/real/NAME``, read once at start."""

    documents: dict[str, Document] = field(default_factory=dict)

    @classmethod
    def load(cls, where: Path, names: list[str] | None = None) -> CorpusFiles:
        chosen = [p for p in files(where) if names is None or p.name in names]
        return cls(documents={p.name: document(p.read_bytes()) for p in chosen})

    def lookup(self, path: str) -> Document | None:
        if not path.startswith(PREFIX):
            return None
        return self.documents.get(unquote(path[len(PREFIX):]))

    def names(self) -> list[str]:
        return sorted(self.documents)

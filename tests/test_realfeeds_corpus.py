"""Every document of the real corpus goes parse → store → ``show --json``, checked against plain
feedparser: no document has fewer stories than feedparser has distinct entries, no title
differs, no body lost text. It also prints the share of documents the lxml path takes.

Most of it runs in-process (``story_to_json``, what ``reader show --json`` prints); a sample
goes through the real command. The corpus must be there (``tests/realfeeds.py``): without it
the test fails.
"""

from __future__ import annotations

import io
import json
import random
import re
import unicodedata
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import feedparser
from conftest import run_reader
from realfeeds import TRUNCATED, distinct_entries, documents
from test_feed_parse_lxml import takes

from reader.cli.output import story_to_json
from reader.feeds.parse import FeedParseError, parse_feed
from reader.models import FeedFetched, View
from reader.store import Store
from reader.store.feeds import add_feed, record_refresh
from reader.text import clean_line, repair_mojibake

_WORD = re.compile(r"[^\W_]+")
# A Markdown link's or image's target (not an escaped "\]" of text written with brackets).
_TARGET = re.compile(r"(?<!\\)\]\([^)\s]*\)")
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)
_ENTITY = re.compile(r"(?<!\\)&#?\w+;")
_HIDDEN = frozenset({"script", "style", "annotation", "annotation-xml"})
_INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i",
    "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup",
    "time", "tt", "u", "var",
})


class _Text(HTMLParser):
    """The words a browser would show of some HTML (scripts and styles left out), read apart
    from the reader's own converter so the check is not circular."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag not in _INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and self.hidden:
            self.hidden -= 1
        elif tag not in _INLINE:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _fold(text: str) -> str:
    """Text compared by its letters: mojibake repaired (feedparser keeps ``Ã¸`` where the
    reader shows ``ø``) and compatibility forms folded (``²`` is ``2``)."""
    return unicodedata.normalize("NFKC", repair_mojibake(text)).casefold()


def words_of_html(html: str) -> set[str]:
    """The words of some HTML as a browser shows them (inline markup joins, blocks part)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return set(_WORD.findall(_fold("".join(parser.parts))))


def letters_of_story(story: dict[str, Any]) -> str:
    """A shown story's letters and digits in one run, link targets left out: a word of
    feedparser's text is kept if it is found in there, however our Markdown marks it up
    (``Mac¹``, ``[1](…)``, ``2^(16)``, ``x_(n)``)."""
    parts = _CODE.split(f"{story['title']} {story['standfirst']} {story['body']}")
    # Outside code, link targets go and entities read as characters (unless escaped: "\&#38;"
    # shows as written); code is shown as it is.
    text = "".join(part if n % 2 else _ENTITY.sub(lambda m: unescape(m.group()),
                                                   _TARGET.sub("]", part))
                   for n, part in enumerate(parts))
    return "".join(_WORD.findall(_fold(text)))


def feedparser_text(entry: Any) -> str:
    """The text feedparser gives an entry's body: its (HTML) content, else its summary."""
    contents = [c for c in entry.get("content") or [] if c.get("value")]
    html = [c for c in contents if "html" in (c.get("type") or "")]
    chosen = (html or contents or [None])[0]
    if chosen is not None:
        return str(chosen["value"])
    return str(entry.get("summary") or "")


def feedparser_title(entry: Any) -> str:
    """feedparser's title of an entry, as text (an HTML title read like a browser would)."""
    title = entry.get("title") or ""
    if "html" in ((entry.get("title_detail") or {}).get("type") or ""):
        parser = _Text()
        parser.feed(title)
        parser.close()
        title = "".join(parser.parts)
    return clean_line(title)


def same_words(title: str) -> str:
    """A title reduced to its letters and digits (``ft²`` and ``ft2`` alike): what must
    match, whatever spacing or superscripts the two renderings of markup choose."""
    return re.sub(r"\W+", "", unicodedata.normalize("NFKC", title)).casefold()


def test_every_real_document_parses_stores_and_shows_as_feedparser_reads_it(
        isolated_home: Path) -> None:
    docs = documents()
    fewer: list[str] = []
    titles: list[str] = []
    lost: list[str] = []
    stored = distinct = fast = xml = 0
    ids: list[str] = []
    with Store.open(isolated_home / "data" / "cache.sqlite3") as store:
        for doc in docs:
            if not doc.is_json:
                xml += 1
                fast += takes(doc.body, doc.content_type, doc.url)
            try:
                feed = parse_feed(doc.body, doc.headers, doc.url)
            except FeedParseError:
                assert doc.name == TRUNCATED, f"{doc.name} refused"
                continue
            feed_id = add_feed(store, doc.url, doc.name)
            report, _ = record_refresh(store, feed_id, FeedFetched(drafts=feed.drafts))
            stored += report.new
            shown = [story_to_json(story, store.explicit_related(story))
                     for story in store.iter_view(View(source_id=feed_id,
                                                       source_name=doc.name))]
            json.dumps(shown, ensure_ascii=False)
            ids += [s["id"] for s in shown]
            if doc.is_json:
                continue  # feedparser does not read JSON Feed: test_realfeeds_parse does
            plain = feedparser.parse(io.BytesIO(doc.body), response_headers={
                "content-type": doc.content_type, "content-location": doc.url},
                sanitize_html=False, resolve_relative_uris=False)
            expected = distinct_entries(plain.entries)
            distinct += expected
            if len(shown) < expected:
                fewer.append(f"{doc.name}: {len(shown)} stories, {expected} distinct entries")
            ours = {same_words(s["title"]) for s in shown} - {""}
            theirs = {same_words(feedparser_title(e)) for e in plain.entries} - {""}
            if ours != theirs:
                titles.append(f"{doc.name}: {sorted(ours ^ theirs)[:3]}")
            letters = [letters_of_story(s) for s in shown]
            by_title: dict[str, list[str]] = {}
            for story, have in zip(shown, letters, strict=True):
                by_title.setdefault(same_words(story["title"]), []).append(have)
            for entry in plain.entries:
                wanted = words_of_html(feedparser_text(entry))
                # The story of the same title first; every story only when that one misses.
                likely = by_title.get(same_words(feedparser_title(entry)), [])
                missing = min(([w for w in wanted if w not in have] for have in likely),
                              key=len, default=list(wanted))
                if missing:
                    missing = min(([w for w in wanted if w not in have] for have in letters),
                                  key=len, default=[])
                if missing:
                    lost.append(f"{doc.name}: {entry.get('title', '')[:40]!r} lost"
                                f" {sorted(missing)[:8]}")
    share = fast / xml
    print(f"\nfast path: {fast} of {xml} RSS/Atom documents ({share:.0%});"
          f" {stored} stories stored, feedparser's distinct entries: {distinct}")
    assert not fewer, "\n".join(fewer)
    assert not titles, "\n".join(titles)
    assert not lost, "\n".join(lost[:20])
    assert share >= 0.8
    for story_id in random.Random(12).sample(ids, 4):  # and a few through the real command
        result = run_reader("show", "--json", story_id, home=isolated_home)
        assert result.returncode == 0 and result.stderr == "", result.stderr
        assert json.loads(result.stdout)["id"] == story_id

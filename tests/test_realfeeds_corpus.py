"""Every document of the real corpus goes parse → store → ``show --json``, checked against plain
feedparser: no document has fewer stories than feedparser has distinct entries, no title
differs, no body lost text. It also prints the share of documents the lxml path takes.

Most of it runs in-process (``story_to_json``, what ``reader show --json`` prints); a sample
goes through the real command. The corpus must be there (``tests/realfeeds.py``): without it
the test fails.

Then the whole path a user runs, over loopback: the 198 documents served as their sites
served them, refreshed twice. ``reader import`` of an OPML naming every document, then ``reader
refresh`` as a process, into a real SQLite cache, from ``benchmarks.realfeeds``' server (a real
content type for each kind, ETag and Last-Modified, 304 on a conditional request, spread over
several 127.0.0.x addresses so the per-host limit acts as with real sites). The first refresh
fails only on the one truncated capture, with a message that says where the document ends, and
loses no entry: each feed holds at least as many stories as plain feedparser finds distinct
entries (or, for the JSON documents, distinct items). The second refresh is all 304: nothing
downloaded again, nothing parsed, nothing new.

The two are one file so that one process runs both: feedparser reads the corpus once
(``realfeeds.feedparser_entries``, ~3 s of CPU), for the first test's comparison and the
loopback test's counts.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import run_reader
from realfeeds import (
    TRUNCATED,
    distinct_entries,
    documents,
    feedparser_distinct_entries,
    feedparser_entries,
)
from shared_data import REPO, shared_folder
from test_feed_parse_lxml import takes

from reader.cli.output import story_to_json
from reader.feeds.parse import FeedParseError, _escaped_html_in_xhtml, parse_feed
from reader.models import FeedFetched, View
from reader.store import Store
from reader.store.feeds import add_feed, record_refresh
from reader.text import clean_line, repair_mojibake

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.realfeeds import CorpusFiles, path_of
from benchmarks.server import serving

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
    """The text feedparser gives an entry's body: its (HTML) content, else its summary. XHTML
    that holds the entry's HTML escaped as text (feedparser's reading of an RSS description
    that mixes an element and CDATA) is read as that HTML, as a browser shows the item."""
    contents = [c for c in entry.get("content") or [] if c.get("value")]
    html = [c for c in contents if "html" in (c.get("type") or "")]
    chosen = (html or contents or [None])[0]
    if chosen is None:
        chosen = entry.get("summary_detail") or {"value": entry.get("summary") or ""}
    value = str(chosen.get("value") or "")
    if "xhtml" in (chosen.get("type") or "") and _escaped_html_in_xhtml(value):
        return unescape(value)
    return value


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
            entries = feedparser_entries(doc)
            expected = distinct_entries(entries)
            distinct += expected
            if len(shown) < expected:
                fewer.append(f"{doc.name}: {len(shown)} stories, {expected} distinct entries")
            ours = {same_words(s["title"]) for s in shown} - {""}
            theirs = {same_words(feedparser_title(e)) for e in entries} - {""}
            if ours != theirs:
                titles.append(f"{doc.name}: {sorted(ours ^ theirs)[:3]}")
            letters = [letters_of_story(s) for s in shown]
            by_title: dict[str, list[str]] = {}
            for story, have in zip(shown, letters, strict=True):
                by_title.setdefault(same_words(story["title"]), []).append(have)
            for entry in entries:
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


# -- the whole corpus over loopback: reader import, then reader refresh twice ------------------


@dataclass
class Refreshed:
    names: list[str]
    cold: dict[str, dict[str, object]]
    warm: dict[str, dict[str, object]]
    warm_answers: dict[str, int]
    """The server's answer to each document during the second refresh."""
    stored: dict[str, int]
    """Stories in the cache for each document, after both refreshes."""


def refresh(home: Path) -> dict[str, dict[str, object]]:
    """``reader refresh --json`` as a process: each feed's outcome by the file it serves."""
    done = subprocess.run([sys.executable, "-m", "reader", "--home", str(home), "refresh",
                           "--json"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    outcomes = [json.loads(line) for line in done.stdout.splitlines()]
    return {str(o["url"]).rsplit("/", 1)[1]: o for o in outcomes}


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Refreshed]:
    from reader.feeds.opml import OpmlFeed, write_opml

    folder = tmp_path_factory.mktemp("realfeeds")
    catalogue = CorpusFiles.load(shared_folder("realfeeds"))
    catalogue.keep_log = True
    names = catalogue.names()
    with serving(catalogue, hosts=8) as served:
        opml = folder / "realfeeds.opml"
        opml.write_bytes(write_opml([OpmlFeed(served.url(i, path_of(name)))
                                     for i, name in enumerate(names)]))
        home = folder / "home"
        # The real entries link to real sites: no page or image of theirs is fetched here.
        (home / "config").mkdir(parents=True)
        (home / "config" / "config.toml").write_text(
            "[full_text]\npages_per_refresh = 0\nimages_per_story = 0\n")
        imported = subprocess.run([sys.executable, "-m", "reader", "--home", str(home),
                                   "import", str(opml)], capture_output=True, text=True,
                                  timeout=120)
        assert imported.returncode == 0, imported.stderr
        cold = refresh(home)
        mark = len(catalogue.log)
        warm = refresh(home)
        answers = {path.rsplit("/", 1)[1]: status for path, status in catalogue.log[mark:]}
    with sqlite3.connect(home / "data" / "cache.sqlite3") as conn:
        stored = dict(conn.execute(
            "SELECT sources.url, count(stories.rowid) FROM sources LEFT JOIN stories "
            "ON stories.source_id = sources.id WHERE sources.kind = 'feed' GROUP BY sources.id"))
    yield Refreshed(names, cold, warm, answers,
                    {url.rsplit("/", 1)[1]: n for url, n in stored.items()})


def test_the_whole_corpus_is_served(refreshed: Refreshed) -> None:
    assert len(refreshed.names) == 198
    assert set(refreshed.cold) == set(refreshed.names)


def test_only_the_truncated_capture_fails_with_a_clear_message(refreshed: Refreshed) -> None:
    failed = {name: o["error"] for name, o in refreshed.cold.items() if o["status"] != "ok"}
    assert set(failed) == {TRUNCATED}, failed
    message = str(failed[TRUNCATED])
    assert "\n" not in message and "Traceback" not in message
    assert "ends before it is complete" in message and "line 19" in message, message


def test_the_second_refresh_is_all_304(refreshed: Refreshed) -> None:
    fetched = {n: o["status"] for n, o in refreshed.warm.items() if n != TRUNCATED}
    assert set(fetched.values()) == {"not_modified"}, fetched
    assert sum(int(str(o["new"])) for o in refreshed.warm.values()) == 0
    # And the server agrees: it sent nothing but 304 (the failed document is fetched again).
    sent = {n: s for n, s in refreshed.warm_answers.items() if n != TRUNCATED}
    assert set(sent) == set(fetched) and set(sent.values()) == {304}, sent


def test_every_feed_stored_stories(refreshed: Refreshed) -> None:
    empty = [n for n, o in refreshed.cold.items() if o["status"] == "ok" and not o["new"]]
    assert not empty
    assert sum(int(str(o["new"])) for o in refreshed.cold.values()) > 3000


def json_items(body: bytes) -> int:
    """Distinct items of a JSON Feed, or of RSS written as JSON (``{"rss": {"channel": …}}``)."""
    data = json.loads(body)
    items = data.get("items") or (data.get("rss") or {}).get("channel", {}).get("item") or []
    return len({json.dumps(item, sort_keys=True) for item in items})


def test_no_entry_is_lost(refreshed: Refreshed) -> None:
    lost = {}
    for doc in documents():
        if doc.name == TRUNCATED:
            continue
        expected = (json_items(doc.body) if doc.is_json
                    else feedparser_distinct_entries(doc))
        if refreshed.stored[doc.name] < expected:
            lost[doc.name] = (refreshed.stored[doc.name], expected)
    assert not lost, f"stories stored < distinct entries: {lost}"

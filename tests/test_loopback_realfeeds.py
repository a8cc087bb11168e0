"""The 198 real captured feeds, served over loopback as their sites served them, refreshed twice.

The whole path a user runs: ``reader import`` of an OPML naming every document, then ``reader
refresh`` as a process, into a real SQLite cache, from ``benchmarks.realfeeds``' server
(a real content type for each kind, ETag and Last-Modified, 304 on a conditional request,
spread over several 127.0.0.x addresses so the per-host limit acts as with real sites).

The first refresh fails only on the one truncated capture, with a message that says where the
document ends, and loses no entry: each feed holds at least as many stories as plain feedparser
finds distinct entries (or, for the JSON documents, distinct items). The second refresh is all
304: nothing downloaded again, nothing parsed, nothing new.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from realfeeds import documents, feedparser_distinct_entries
from shared_data import REPO, shared_folder

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.realfeeds import TRUNCATED, CorpusFiles, path_of
from benchmarks.server import serving


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
                    else feedparser_distinct_entries(doc.body, doc.headers, doc.url))
        if refreshed.stored[doc.name] < expected:
            lost[doc.name] = (refreshed.stored[doc.name], expected)
    assert not lost, f"stories stored < distinct entries: {lost}"

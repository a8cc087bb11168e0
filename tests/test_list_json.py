"""``reader list --json`` writes, through SQLite's ``json_quote`` (``reader.store.story_json``),
exactly the bytes the Python path (``story_to_json`` + ``json_line``) writes: every field set,
enclosures in every stored shape, full text saved and failed, explicit related stories both
ways, hostile and non-ASCII text."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run_reader

from reader.cli import output
from reader.cli.main import main
from reader.cli.output import json_line, story_to_json
from reader.models import Enclosure, StoryDraft, View
from reader.store import Store, story_json
from reader.store.fulltext import record_failure, save_full_text

HOSTILE = ("".join(map(chr, range(0x20))) + ' "quoted" \\back\\slash\\ \x7f \x85 \x9b \u2028'
           " \u2029 \ufeff Zoë’s Café — 東京 😀 \x1b[31mred\x1b[0m \x1b]8;;http://x\x07link"
           "\x1b]8;;\x07 </script> \\u0041 ")


def _cache(home: Path, first_run: Callable[[Path], Path]) -> dict[str, str]:
    """A small cache with every field of a story set somewhere; the ids by key."""
    first_run(home)  # the bundled seeds, as a user has them
    with Store.open(home / "data" / "cache.sqlite3") as store:
        source = store.ensure_source("feed", "hostile", f"Feed {HOSTILE}")
        store.save_stories(source, [
            StoryDraft(key="all", title=f"Title {HOSTILE}", standfirst=f"Stand {HOSTILE}",
                       body=f"Body\n\n{HOSTILE}\n\n```\ncode \\* kept\n```\n",
                       url="https://example.com/a?b=1&c=%22", author=f"Au {HOSTILE}",
                       published="2026-11-30T10:00:00+00:00",
                       updated="2026-11-30T11:00:00+00:00", teaser=True,
                       tags=("t1", HOSTILE),
                       enclosures=(Enclosure("https://example.com/e.mp3", "audio/mpeg",
                                             55_000_000, 4323),
                                   Enclosure("https://example.com/v.mp4"))),
            StoryDraft(key="untitled", title="", body="Only text, no title " * 30),
            StoryDraft(key="bare", title="Bare"),
            StoryDraft(key="saved", title="Saved", body="feed text",
                       published="2026-11-29T10:00:00+00:00"),
            StoryDraft(key="failed", title="Failed", updated="2026-11-28T10:00:00Z"),
            StoryDraft(key="legacy", title="Legacy enclosures"),
            StoryDraft(key="broken", title="Broken enclosures"),
            StoryDraft(key="spaced", title="Spaced empty enclosures"),
        ], links=[("all", "bare"), ("all", "untitled"), ("saved", "all")])
        ids = {key: str(store.conn.execute(
            "SELECT id FROM stories WHERE key = ?", (key,)).fetchone()[0])
            for key in ("all", "untitled", "bare", "saved", "failed", "legacy", "broken",
                        "spaced")}
        save_full_text(store, ids["saved"], f"Page text {HOSTILE}", "the feed's summary",
                       "2026-11-30T12:00:00+00:00")
        record_failure(store, ids["failed"], f"403 from the site {HOSTILE}")
        store.mark([ids["all"], ids["saved"]], read=True)
        store.mark([ids["all"], ids["bare"]], starred=True)
    with sqlite3.connect(home / "data" / "cache.sqlite3") as conn:
        # Shapes older caches hold: plain URLs, odd values (normalised on the way out),
        # text that is not JSON, an empty list written another way.
        for key, stored in (("legacy", json.dumps(["https://example.com/old.mp3",
                                                   {"url": "https://x/y.ogg", "type": 7,
                                                    "length": -3, "duration": True},
                                                   {"url": 5}, 3])),
                            ("broken", "not json ["), ("spaced", "[ ]")):
            conn.execute("UPDATE stories SET enclosures = ? WHERE key = ?", (stored, key))
    return ids


def _python_path(home: Path, view: View) -> bytes:
    """What ``list --json`` printed before the SQLite path: one ``json_line`` a story."""
    with Store.open(home / "data" / "cache.sqlite3") as store:
        lines = []
        for batch in store.iter_batches(view):
            links = store.explicit_related_many(batch)
            lines += [json_line(story_to_json(s, links[s.id])) for s in batch]
    return "".join(lines).encode()


def _listed(home: Path, *args: str, encoding: str = "utf-8") -> bytes:
    done = run_reader("list", "--json", *args, home=home,
                      env={"PYTHONIOENCODING": encoding})
    assert (done.returncode, done.stderr) == (0, "")
    return done.stdout.encode(encoding)


def test_list_json_is_the_bytes_of_the_python_path(isolated_home: Path,
                                                    first_run: Callable[[Path], Path]) -> None:
    ids = _cache(isolated_home, first_run)
    with Store.open(isolated_home / "data" / "cache.sqlite3") as store:
        assert story_json.quotes_like_python(store)  # else this test checks nothing new
    listed = _listed(isolated_home)
    assert listed == _python_path(isolated_home, View())
    by_id = {s["id"]: s for s in map(json.loads, listed.splitlines())}
    assert len(by_id) > len(ids)  # the seeds too
    every = by_id[ids["all"]]
    assert list(every) == ["id", "source", "title", "standfirst", "body", "url", "author",
                           "published", "updated", "teaser", "read", "starred", "full_text",
                           "full_text_saved", "full_text_error", "related", "enclosures"]
    assert (every["title"], every["source"], every["author"]) == (
        f"Title {HOSTILE}", f"Feed {HOSTILE}", f"Au {HOSTILE}")
    assert (every["teaser"], every["read"], every["starred"]) == (True, True, True)
    assert [(r["id"], r["kind"]) for r in every["related"]] == [
        (ids["bare"], "explicit"), (ids["untitled"], "explicit"),
        (ids["saved"], "recommended-by")]
    assert every["enclosures"] == [
        {"url": "https://example.com/e.mp3", "type": "audio/mpeg", "length": 55_000_000,
         "duration": 4323},
        {"url": "https://example.com/v.mp4", "type": None, "length": None, "duration": None}]
    assert by_id[ids["legacy"]]["enclosures"] == [
        {"url": "https://example.com/old.mp3", "type": None, "length": None, "duration": None},
        {"url": "https://x/y.ogg", "type": None, "length": None, "duration": None}]
    assert by_id[ids["broken"]]["enclosures"] == by_id[ids["spaced"]]["enclosures"] == []
    saved, failed = by_id[ids["saved"]], by_id[ids["failed"]]
    assert (saved["full_text"], saved["full_text_saved"], saved["full_text_error"]) == (
        True, "2026-11-30T12:00:00+00:00", None)
    assert (failed["full_text"], failed["full_text_saved"], failed["full_text_error"]) == (
        False, None, f"403 from the site {HOSTILE}")
    bare = by_id[ids["bare"]]
    assert (bare["url"], bare["author"], bare["published"], bare["updated"]) == (
        None, None, None, None)
    # One line written out in full, so the Python path itself cannot drift unnoticed.
    hostile = json.dumps(HOSTILE, ensure_ascii=False)[1:-1]
    bare_line = next(x for x in listed.splitlines()
                     if x.startswith(f'{{"id": "{ids["bare"]}"'.encode()))
    assert bare_line.decode() == (
        f'{{"id": "{ids["bare"]}", "source": "Feed {hostile}", "title": "Bare",'
        ' "standfirst": "", "body": "", "url": null, "author": null, "published": null,'
        ' "updated": null, "teaser": false, "read": false, "starred": true,'
        ' "full_text": false, "full_text_saved": null, "full_text_error": null,'
        f' "related": [{{"id": "{ids["all"]}", "title": "Title {hostile}",'
        ' "kind": "recommended-by", "reason": "recommended this story"}],'
        ' "enclosures": []}')


def test_every_view_of_list_json_is_the_same_bytes(isolated_home: Path,
                                                   first_run: Callable[[Path], Path]) -> None:
    _cache(isolated_home, first_run)
    with Store.open(isolated_home / "data" / "cache.sqlite3") as store:
        seeds = store.source_by_name("seeds")
        assert seeds is not None
    assert _listed(isolated_home, "--unread") == _python_path(isolated_home,
                                                              View(unread_only=True))
    assert _listed(isolated_home, "--unread", "--source", "seeds") == _python_path(
        isolated_home, View(unread_only=True, source_id=seeds.id))
    # An ASCII stdout takes the Python path: the same JSON values, in \u escapes.
    ascii_lines = _listed(isolated_home, encoding="ascii")
    assert ascii_lines.isascii()
    assert [json.loads(x) for x in ascii_lines.splitlines()] == [
        json.loads(x) for x in _listed(isolated_home).splitlines()]


def test_without_json_quote_agreeing_the_python_path_prints_the_same(
        isolated_home: Path, monkeypatch: pytest.MonkeyPatch,
        capsysbinary: pytest.CaptureFixture[bytes], first_run: Callable[[Path], Path]) -> None:
    _cache(isolated_home, first_run)
    fast = _listed(isolated_home)
    monkeypatch.setattr(story_json, "_agrees", False)
    monkeypatch.setattr(output, "story_json_lines", None)  # not reached
    assert main(["--home", str(isolated_home), "list", "--json"]) == 0
    sys.stdout.flush()
    assert capsysbinary.readouterr().out == fast

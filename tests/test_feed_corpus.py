"""Every file of feedparser's own test feeds goes parse → store → ``reader show``.

A document may be refused as "not a feed" (``FeedParseError``); any other exception, from
parsing, storing or rendering, fails the test with the files that raised it. The corpus lives
beside the repository (``../shared/corpus/feedparser``) or where ``READER_FEED_CORPUS`` says.
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import pytest
from conftest import REPO, run_reader

from reader.feeds.parse import FeedParseError, parse_feed
from reader.models import FeedFetched, View
from reader.store import Store
from reader.store.feeds import add_feed, record_refresh
from reader.story_output import story_as_text, story_to_json


def corpus_dir() -> Path:
    named = os.environ.get("READER_FEED_CORPUS")
    return Path(named) if named else REPO.parent / "shared" / "corpus" / "feedparser"


CORPUS = corpus_dir()
_HEADER = re.compile(rb"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "LICENSE")


def declared_headers(data: bytes) -> dict[str, str]:
    """The HTTP headers a corpus file says it is served with (its ``Header:`` comment lines)."""
    return {k.decode(): v.decode("latin-1") for k, v in _HEADER.findall(data[:4096])}


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"feedparser corpus not found at {CORPUS}")
def test_every_corpus_file_parses_stores_and_shows(isolated_home: Path) -> None:
    files = corpus_files()
    assert files, f"{CORPUS} holds no files"
    failures: list[str] = []
    refused = stored = 0
    with Store.open(isolated_home / "data" / "cache.sqlite3") as store:
        for path in files:
            rel = path.relative_to(CORPUS).as_posix()
            data = path.read_bytes()
            try:
                feed = parse_feed(data, declared_headers(data), f"http://corpus.example/{rel}")
            except FeedParseError:
                refused += 1
                continue
            except Exception as exc:
                failures.append(f"{rel}: parse: {type(exc).__name__}: {exc}")
                continue
            failures += [f"{rel}: {w}" for w in feed.warnings if w.startswith("skipped entry")]
            try:
                feed_id = add_feed(store, f"http://corpus.example/{rel}", feed.title or rel)
                report, _ = record_refresh(store, feed_id, FeedFetched(drafts=feed.drafts))
                stored += report.new
            except Exception as exc:
                failures.append(f"{rel}: store: {type(exc).__name__}: {exc}")
        shown = 0
        for story in store.iter_view(View()):
            try:
                related = store.explicit_related(story)
                text = story_as_text(story, related, width=80)
                json.dumps(story_to_json(story, related), ensure_ascii=False)
            except Exception as exc:
                failures.append(f"{story.source}: show {story.id}: {type(exc).__name__}: {exc}")
                continue
            shown += 1
            assert "\x1b" not in text and "\u202e" not in text
        sample = random.Random(4).sample([s.id for s in store.iter_view(View())], 3)
    assert not failures, "\n".join(failures[:50])
    assert stored > 1000 and shown >= stored and refused < len(files) // 2
    for story_id in sample:  # and a few through the real command
        result = run_reader("show", story_id, home=isolated_home)
        assert result.returncode == 0 and result.stderr == "", result.stderr

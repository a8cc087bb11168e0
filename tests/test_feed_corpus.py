"""Every file of feedparser's own test feeds goes parse → store → ``reader show``.

A document may be refused as "not a feed" (``FeedParseError``); any other exception, from
parsing, storing or rendering, fails the test with the files that raised it. The corpus lives
beside the repository (``../shared/corpus/feedparser``) or where ``READER_FEED_CORPUS`` says;
without it the test fails (``shared_data``): it is part of every run.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from conftest import run_reader
from shared_data import shared_folder

from reader.cli.output import story_as_text, story_to_json
from reader.feeds.parse import FeedParseError, parse_feed
from reader.models import FeedFetched, View
from reader.store import Store
from reader.store.feeds import add_feed, record_refresh


def corpus_dir() -> Path:
    """feedparser's test corpus; fails the calling test when it is missing."""
    return shared_folder("corpus")


_EMPTY = re.compile(r"^skipped (\d+) empty entr")
_HEADER = re.compile(rb"^Header:\s*([\w-]+):\s*(.*?)\s*$", re.MULTILINE)


def corpus_files() -> list[Path]:
    return sorted(p for p in corpus_dir().rglob("*") if p.is_file() and p.name != "LICENSE")


def declared_headers(data: bytes) -> dict[str, str]:
    """The HTTP headers a corpus file says it is served with (its ``Header:`` comment lines)."""
    return {k.decode(): v.decode("latin-1") for k, v in _HEADER.findall(data[:4096])}


def test_every_corpus_file_parses_stores_and_shows(isolated_home: Path) -> None:
    files = corpus_files()
    corpus = corpus_dir()
    failures: list[str] = []
    refused = stored = empty = 0
    with Store.open(isolated_home / "data" / "cache.sqlite3") as store:
        for path in files:
            rel = path.relative_to(corpus).as_posix()
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
            empty += sum(int(m) for w in feed.warnings for m in _EMPTY.findall(w))
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
    # Most of the corpus tests one element each: 436 of its entries hold no field a story
    # shows (a lone <contributor> or <cloud>) and are skipped as empty.
    assert stored > 700 and stored + empty > 1000
    assert shown >= stored and refused < len(files) // 2
    for story_id in sample:  # and a few through the real command
        result = run_reader("show", story_id, home=isolated_home)
        assert result.returncode == 0 and result.stderr == "", result.stderr

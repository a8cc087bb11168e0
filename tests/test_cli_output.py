"""What the command line prints: every JSON line valid and lossless whatever stdout's encoding,
and ``list`` streamed (memory flat, whatever the number of stories)."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from conftest import run_reader
from feed_server import FeedServer, rss2, static

from reader.cli.main import main
from reader.models import StoryDraft
from reader.store import Store, connection
from reader.store.connection import connect
from reader.store.feeds import add_feed

NAME = "Zoë’s Café — 東京"
TITLE = "Crème brûlée über alles: «ελληνικά» and 😀"


def _json_lines(text: str) -> list[Any]:
    return [json.loads(line) for line in text.splitlines()]


def test_every_json_command_round_trips_non_ascii_on_an_ascii_stdout(
    isolated_home: Path
) -> None:
    server = FeedServer()
    try:
        server.routes["/f.xml"] = static(rss2(NAME, [("g1", TITLE)]))
        run_reader("list", home=isolated_home, check=True)
        with Store.open(isolated_home / "data" / "cache.sqlite3") as store:
            add_feed(store, server.url("/f.xml"), NAME)
        refreshed = {
            encoding: run_reader("refresh", "--json", home=isolated_home,
                                 env={"PYTHONIOENCODING": encoding})
            for encoding in ("utf-8", "ascii")
        }
        story_id = next(s["id"] for s in _json_lines(run_reader(
            "list", "--json", home=isolated_home, check=True).stdout)
            if s["title"] == TITLE)
        run_reader("search", "crème", "--save", "Café ☕", home=isolated_home, check=True)
        commands = [["list", "--json"], ["show", story_id, "--json"],
                    ["search", "crème", "--json"], ["feeds", "--json"], ["searches", "--json"],
                    ["related", story_id, "--json"]]
        for args in commands:
            utf8 = run_reader(*args, home=isolated_home, env={"PYTHONIOENCODING": "utf-8"})
            plain = run_reader(*args, home=isolated_home, env={"PYTHONIOENCODING": "ascii"})
            assert (plain.returncode, plain.stderr) == (0, ""), args
            assert plain.stdout.isascii() and "?" not in plain.stdout, args
            assert _json_lines(plain.stdout) == _json_lines(utf8.stdout), args
        assert refreshed["ascii"].stdout.isascii()
        [outcome] = _json_lines(refreshed["ascii"].stdout)
        assert isinstance(outcome, dict) and outcome["title"] == NAME
        searched = _json_lines(run_reader("search", "crème", "--json", home=isolated_home,
                                          env={"PYTHONIOENCODING": "ascii"}).stdout)
        assert [hit["title"] for hit in searched] == [TITLE]  # type: ignore[index]
    finally:
        server.stop()


def _cache_with(home: Path, stories: int) -> None:
    with Store.open(home / "data" / "cache.sqlite3") as store:
        source = store.ensure_source("feed", "bulk", "Bulk")
        store.save_stories(source, [
            StoryDraft(key=f"k{n}", title=f"Story {n}", body=f"Paragraph {n}. " * 100,
                       published=f"2020-01-01T00:00:{n % 60:02d}+00:00")
            for n in range(stories)
        ])


class _Bytes(io.RawIOBase):
    """A byte stream that keeps only a count of lines."""

    def __init__(self) -> None:
        self.lines = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.lines += bytes(data).count(b"\n")
        return len(data)


class _Sink(io.TextIOBase):
    """A stdout that keeps only a count, so what is measured is the reader's memory. Its
    byte stream (``buffer``) is there when ``encoding`` is UTF-8, as on a real stdout:
    ``list --json`` then writes bytes SQLite made (``reader.store.story_json``)."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self.text_lines = 0
        self.buffer = _Bytes()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding

    @property
    def lines(self) -> int:
        return self.text_lines + self.buffer.lines

    def write(self, text: str) -> int:
        self.text_lines += text.count("\n")
        return len(text)


def _listing(home: Path, monkeypatch: pytest.MonkeyPatch, *args: str,
             encoding: str = "utf-8") -> tuple[int, int]:
    """Peak Python memory and SQL statements run while ``reader list ARGS`` prints."""
    sink = _Sink(encoding)
    monkeypatch.setattr(sys, "stdout", sink)
    main(["--home", str(home), "list"])  # the cache and seeds are opened and loaded once
    statements: list[str] = []

    def traced(path: Path | str) -> sqlite3.Connection:
        conn = connect(path)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(connection, "connect", traced)
    tracemalloc.start()
    try:
        assert main(["--home", str(home), "list", *args]) == 0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        monkeypatch.setattr(sys, "stdout", sys.__stdout__)
    assert sink.lines >= 1_500
    # The JSON of a UTF-8 stdout is the bytes SQLite made; otherwise text from Python.
    assert bool(sink.buffer.lines) == (encoding == "utf-8" and "--json" in args)
    return peak, sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))


@pytest.fixture(scope="module")
def listed_caches(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small and a large cache, made once for the module (the large one is ~1.3 s of CPU);
    each test lists copies of them (``reader list`` loads the seeds into the cache)."""
    folder = tmp_path_factory.mktemp("listed")
    _cache_with(folder / "small", 1_500)  # more than two batches, as the large one
    _cache_with(folder / "large", 15_000)
    return folder / "small", folder / "large"


@pytest.mark.parametrize(("args", "encoding"), [(("--json",), "utf-8"), (("--json",), "ascii"),
                                                ((), "utf-8")])
def test_list_is_streamed_in_flat_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         listed_caches: tuple[Path, Path],
                                         args: tuple[str, ...], encoding: str) -> None:
    small, large = tmp_path / "small", tmp_path / "large"
    shutil.copytree(listed_caches[0], small)
    shutil.copytree(listed_caches[1], large)
    peak_small, _ = _listing(small, monkeypatch, *args, encoding=encoding)
    peak_large, selects = _listing(large, monkeypatch, *args, encoding=encoding)
    # Ten times the stories, the same memory: nothing grows with the number of rows.
    assert peak_large < 1.5 * peak_small + 256 * 1024, (peak_small, peak_large)
    # Read in batches, not story by story (it was 2 queries a story: 22 s at 100,000).
    assert selects < 15_000 / 100, selects

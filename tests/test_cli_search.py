"""``reader search``, ``reader searches``, ``reader related`` and ``show``'s related list, run as
the real command in a subprocess against a cache prepared in a temporary home."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_reader
from search_cache import GUARDIAN, REGISTER, TIMES, Doc, add_source

from reader.paths import resolve_paths
from reader.store import Store


@pytest.fixture
def home(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    home = tmp_path / "home"
    with Store.open(resolve_paths(home).database) as store:
        ids = {**add_source(store, "Register", REGISTER), **add_source(store, "Guardian", GUARDIAN),
               **add_source(store, "Times", TIMES),
               **add_source(store, "Ars", [Doc("d", "Database engines", r"Chart \<b\>\[red\]x\[/\]",
                                              tags=("tech",))])}
    return home, ids


def test_search_lists_best_match_first_with_marked_snippets(home: tuple[Path, dict]) -> None:
    path, ids = home
    result = run_reader("search", "quintax", home=path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    found = [line.split()[0] for line in lines if not line.startswith("    ")]
    assert found[:2] == [ids["x2"], ids["x1"]]
    assert set(found) == {ids[k] for k in ("s", "x1", "x2", "g")}
    assert "«Quintax»" in lines[1] or "«quintax»" in lines[1]


def test_search_json_gives_snippet_and_highlight_offsets(home: tuple[Path, dict]) -> None:
    path, ids = home
    result = run_reader("search", "--json", "tag:tech", "chart", home=path)
    assert result.returncode == 0, result.stderr
    (hit,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert hit["id"] == ids["d"] and hit["rank"] == 1 and hit["source"] == "Ars"
    assert "[red]" in hit["snippet"]
    assert [hit["snippet"][a:b] for a, b in hit["highlights"]] == ["Chart"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["is:bogus", "memo"], "is:bogus is not a filter"),
        (["source:nowhere", "memo"], "no source matches 'nowhere'"),
        (["*"], "nothing to search for"),
        (["--", "-"], "nothing to search for"),
    ],
)
def test_bad_queries_are_one_error_line(home: tuple[Path, dict], args: list[str],
                                        message: str) -> None:
    result = run_reader("search", *args, home=home[0])
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_repaired_queries_run_with_a_note(home: tuple[Path, dict]) -> None:
    result = run_reader("search", '"zorblat quintax', "NEAR(", "memo", home=home[0])
    assert result.returncode == 0
    assert "reader: note: closing quote added" in result.stderr
    assert "Traceback" not in result.stderr


def test_saved_searches_from_the_command_line(home: tuple[Path, dict]) -> None:
    path, _ = home
    assert run_reader("search", "--save", "Memos", "memo", home=path).returncode == 0
    listed = run_reader("searches", "--json", home=path)
    assert [json.loads(line) for line in listed.stdout.splitlines()] == [
        {"name": "Memos", "query": "memo", "stories": 8, "unread": 8},
    ]
    assert run_reader("searches", "--remove", "memos", home=path).returncode == 0
    assert run_reader("searches", home=path).stdout == ""


def test_related_lists_reasons_and_copies(home: tuple[Path, dict]) -> None:
    path, ids = home
    text = run_reader("related", ids["s"], home=path)
    assert text.returncode == 0, text.stderr
    assert "Also in: Guardian, Times" in text.stdout
    assert "  1. Balls responds" in text.stdout
    assert "shares: Zorblat, quintax, memo · Register" in text.stdout
    data = json.loads(run_reader("related", ids["s"], "--json", home=path).stdout)
    assert data["also_in"] == ["Guardian", "Times"]
    # x4 and x5 share only "memo" with it: one shared word is not enough to be listed.
    assert [r["id"] for r in data["related"]] == [ids[k] for k in ("e1", "b", "x1", "x2")]
    assert data["related"][2]["kind"] == "similar"
    assert data["related"][2]["terms"] == ["Zorblat", "quintax", "memo"]


def test_show_json_includes_computed_related_after_explicit(home: tuple[Path, dict]) -> None:
    path, ids = home
    result = run_reader("show", ids["s"], "--json", home=path)
    assert result.returncode == 0, result.stderr
    related = json.loads(result.stdout)["related"]
    assert [r["id"] for r in related] == [ids[k] for k in ("e1", "b", "x1", "x2")]
    assert set(related[0]) >= {"id", "title"}
    assert [r["kind"] for r in related] == ["explicit", "recommended-by"] + ["similar"] * 2
    assert related[2]["reason"] == "shares: Zorblat, quintax, memo"
    text = run_reader("show", ids["s"], home=path).stdout
    assert "Also in: Guardian, Times" in text
    assert "3. Zorblat quintax memo returns" in text


def test_related_of_an_unknown_story_is_one_error_line(home: tuple[Path, dict]) -> None:
    result = run_reader("related", "ffffffffffff", home=home[0])
    assert result.returncode == 2
    assert result.stderr.startswith("reader: error: no story with id")

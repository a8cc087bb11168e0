"""The real ``reader`` command in a subprocess, with READER_HOME (or --home) set to a temp dir."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import needs_permissions, run_reader

from reader import __version__
from reader.cli.parser import build_parser
from reader.store import Store
from reader.store.schema import LATEST_VERSION

HEADLINE = "UK.gov apologises for Tory-bashing child database memo"
STANDFIRST = "Civil servants went rogue on partisan missive, DCSF Sir Humphrey says"
RELATED_TITLES = [
    "Zuckerberg sued for alleged role in Cambridge Analytica data-slurp scandal",
    "Florida's content-moderation law kept on ice, likely unconstitutional, court says",
    "US-APAC trade deal leaves out Taiwan, military defense not ruled out",
]
JSON_FIELDS: dict[str, type | tuple[type, ...]] = {
    "id": str, "source": str, "title": str, "standfirst": str, "body": str,
    "url": (str, type(None)), "author": (str, type(None)), "published": (str, type(None)),
    "teaser": bool, "read": bool, "starred": bool, "related": list,
}
ONE_LINE_ERROR = re.compile(r"^reader( [a-z-]+)?: error: \S.*\n$")


def cache_file(home: Path) -> Path:
    return home / "data" / "cache.sqlite3"


def dump(home: Path) -> list[str]:
    """Every row of every table of the cache, as SQL text."""
    conn = sqlite3.connect(cache_file(home))
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def write_article(folder: Path, name: str, headline: str, body: str = "Body text.") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"{headline}\n\nA standfirst\n\n{body}\n", encoding="utf-8")


def list_ids(home: Path) -> dict[str, str]:
    """Title → id, from ``reader list --json``."""
    result = run_reader("list", "--json", home=home, check=True)
    return {story["title"]: story["id"] for story in json_lines(result.stdout)}


# -- reading -------------------------------------------------------------------------------


def test_list_shows_the_four_seed_stories(isolated_home: Path) -> None:
    result = run_reader("list", home=isolated_home)
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    for title in [HEADLINE, *RELATED_TITLES]:
        assert sum(title in line for line in lines) == 1
    assert all(re.match(r"^[0-9a-f]{12}  N", line) for line in lines)
    assert cache_file(isolated_home).is_file()


def test_list_json_has_the_contracted_fields(isolated_home: Path) -> None:
    result = run_reader("list", "--json", home=isolated_home)
    assert (result.returncode, result.stderr) == (0, "")
    stories = json_lines(result.stdout)
    assert len(stories) == 4
    for story in stories:
        for field, kind in JSON_FIELDS.items():
            assert isinstance(story[field], kind), (field, story[field])
        assert re.fullmatch(r"[0-9a-f]{12}", story["id"])
        assert (story["url"], story["author"], story["published"]) == (None, None, None)
        assert (story["source"], story["read"], story["starred"]) == ("seeds", False, False)
        for item in story["related"]:
            assert set(item) >= {"id", "title"} and isinstance(item["title"], str)
    by_title = {story["title"]: story for story in stories}
    main = by_title[HEADLINE]
    assert main["standfirst"] == STANDFIRST and main["teaser"] is False
    assert [item["title"] for item in main["related"]] == RELATED_TITLES
    assert [item["id"] for item in main["related"]] == [by_title[t]["id"] for t in RELATED_TITLES]
    assert main["body"].endswith("There's a copy of Bell's letter here (pdf). ®")
    assert "Biting the hand" not in result.stdout
    for title in RELATED_TITLES:
        assert by_title[title]["teaser"] is True
        assert [item["id"] for item in by_title[title]["related"]] == [main["id"]]


def test_list_unread_and_source(isolated_home: Path) -> None:
    ids = list_ids(isolated_home)
    with Store.open(cache_file(isolated_home)) as store:
        store.set_read(ids[HEADLINE], True)
        store.set_starred(ids[HEADLINE], True)
    unread = run_reader("list", "--unread", home=isolated_home, check=True).stdout
    assert len(unread.splitlines()) == 3 and HEADLINE not in unread
    read_line = next(line for line in run_reader("list", home=isolated_home).stdout.splitlines()
                     if HEADLINE in line)
    assert read_line.startswith(f"{ids[HEADLINE]}   *")
    for name in ("seeds", "SEEDS"):
        result = run_reader("list", "--source", name, "--json", home=isolated_home, check=True)
        assert len(json_lines(result.stdout)) == 4
    both = run_reader("list", "--unread", "--source", "seeds", "--json", home=isolated_home)
    assert sorted(story["title"] for story in json_lines(both.stdout)) == sorted(RELATED_TITLES)


def test_show_prints_the_whole_story(isolated_home: Path) -> None:
    ids = list_ids(isolated_home)
    result = run_reader("show", ids[HEADLINE], home=isolated_home)
    assert (result.returncode, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert lines[:4] == [HEADLINE, STANDFIRST, "", "seeds"]
    text = " ".join(result.stdout.split())
    assert "A top government official has apologised after civil servants" in text
    assert "There's a copy of Bell's letter here (pdf). ®" in text
    assert "allow [their] political views" in text  # brackets shown as written
    assert "Biting the hand" not in text
    related_at = lines.index("Related stories:")
    numbered = [line for line in lines[related_at:] if re.match(r"^  \d+\. ", line)]
    assert numbered == [f"  {n}. {title}  [{ids[title]}]"
                        for n, title in enumerate(RELATED_TITLES, 1)]

    teaser = run_reader("show", ids[RELATED_TITLES[0]], home=isolated_home, check=True).stdout
    assert "Teaser" in teaser and "DC AG Karl Racine filed [PDF] the civil suit" in teaser
    assert f"  1. {HEADLINE}  [{ids[HEADLINE]}]" in teaser


def test_show_json_matches_list_json(isolated_home: Path) -> None:
    listed = {s["id"]: s for s in json_lines(run_reader("list", "--json",
                                                        home=isolated_home).stdout)}
    for story_id, story in listed.items():
        shown = run_reader("show", story_id, "--json", home=isolated_home, check=True)
        [whole] = json_lines(shown.stdout)
        # Same fields and values; `show` adds computed (similar) stories after the explicit
        # related ones that `list` gives, and the story's numbered links (read from its
        # Markdown: too slow for every story of a listing).
        assert set(whole) == set(story) | {"links"}
        assert {k: v for k, v in whole.items() if k not in ("related", "links")} == {
            k: v for k, v in story.items() if k != "related"}
        assert whole["related"][: len(story["related"])] == story["related"]
        assert all(r["kind"] == "similar" for r in whole["related"][len(story["related"]):])


def test_unique_prefix_ids(isolated_home: Path) -> None:
    story_id = list_ids(isolated_home)[HEADLINE]
    for ref in (story_id[:4], story_id[:7], story_id.upper()):
        result = run_reader("show", ref, "--json", home=isolated_home, check=True)
        assert json_lines(result.stdout)[0]["id"] == story_id


def test_ids_are_the_same_in_another_home(isolated_home: Path, tmp_path: Path) -> None:
    assert list_ids(isolated_home) == list_ids(tmp_path / "elsewhere")


def test_home_option_beats_reader_home(isolated_home: Path, tmp_path: Path) -> None:
    chosen = tmp_path / "chosen"
    result = run_reader("--home", str(chosen), "list", home=isolated_home)
    assert (result.returncode, len(result.stdout.splitlines())) == (0, 4)
    assert cache_file(chosen).is_file()
    assert not isolated_home.exists()


def test_seeds_option_adds_a_source(isolated_home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "my-articles"
    write_article(folder, "one.txt", "My first article", "See [bold]x[/bold] and [PDF].")
    write_article(folder / "deeper", "two.txt", "My second article",
                  "2022. That year, AT&amp;T said ~~no~~.\n\n# not_a_heading")
    result = run_reader("--seeds", str(folder), "list", "--json", home=isolated_home)
    assert (result.returncode, result.stderr) == (0, "")
    stories = json_lines(result.stdout)
    assert len(stories) == 6
    mine = {s["title"]: s for s in stories if s["source"] == "my-articles"}
    assert sorted(mine) == ["My first article", "My second article"]
    assert mine["My first article"]["body"] == r"See \[bold\]x\[/bold\] and \[PDF\]."
    shown = run_reader("show", mine["My first article"]["id"], home=isolated_home).stdout
    assert "See [bold]x[/bold] and [PDF]." in shown
    second = run_reader("show", mine["My second article"]["id"], home=isolated_home).stdout
    assert "\n2022. That year, AT&amp;T said ~~no~~.\n\n# not_a_heading\n" in second
    only = run_reader("--seeds", str(folder), "list", "--source", "my-articles",
                      home=isolated_home, check=True)
    assert len(only.stdout.splitlines()) == 2


def test_config_seed_dirs_add_a_source(isolated_home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "from-config"
    write_article(folder, "a.txt", "Configured article")
    config = isolated_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f"seed_dirs = [{json.dumps(str(folder))}]\n", encoding="utf-8")
    result = run_reader("list", "--source", "from-config", home=isolated_home)
    assert (result.returncode, result.stderr) == (0, "")
    assert "Configured article" in result.stdout


def test_a_bad_file_warns_once_and_the_rest_load(isolated_home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    write_article(folder, "good.txt", "A good article")
    (folder / "bad.txt").write_bytes(b"\xff\xfe\x00binary")
    result = run_reader("--seeds", str(folder), "list", home=isolated_home)
    assert result.returncode == 0
    assert result.stderr.count("\n") == 1 and str(folder / "bad.txt") in result.stderr
    assert result.stderr.startswith("reader: warning:")
    assert "A good article" in result.stdout


def test_a_terminal_without_utf8_gets_no_traceback(isolated_home: Path) -> None:
    utf8 = json_lines(run_reader("list", "--json", home=isolated_home, check=True).stdout)
    ascii_env = {"PYTHONIOENCODING": "ascii"}
    listed = run_reader("list", "--json", home=isolated_home, env=ascii_env)
    assert (listed.returncode, listed.stderr) == (0, "")
    assert json_lines(listed.stdout) == utf8  # \u escapes: nothing lost
    main = next(story["id"] for story in utf8 if story["title"] == HEADLINE)
    shown = run_reader("show", main, home=isolated_home, env=ascii_env)
    assert (shown.returncode, shown.stderr) == (0, "")
    text = " ".join(shown.stdout.split())
    assert "Victoria Climbi?." in text and "(pdf). ?" in text


def test_version() -> None:
    result = subprocess.run([sys.executable, "-m", "reader", "--version"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.strip() == f"reader {__version__}"


def test_the_console_script_runs(isolated_home: Path) -> None:
    script = Path(sys.executable).parent / "reader"
    if not script.exists():
        pytest.skip("the reader console script is not installed beside this python")
    result = subprocess.run([str(script), "list"], capture_output=True, text=True,
                            env={**os.environ, "READER_HOME": str(isolated_home)})
    assert (result.returncode, result.stderr) == (0, "")
    assert len(result.stdout.splitlines()) == 4


def command_names() -> list[str]:
    parser = build_parser()
    choices = next(a.choices for a in parser._actions if isinstance(a.choices, dict))
    return sorted(choices)


@pytest.mark.parametrize("command", [[], *([name] for name in command_names())],
                         ids=lambda c: " ".join(["reader", *c]))
def test_help_for_every_command(isolated_home: Path, command: list[str]) -> None:
    result = run_reader(*command, "--help", home=isolated_home)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith(f"usage: {' '.join(['reader', *command])} ")
    assert not isolated_home.exists()  # help touches nothing


def test_help_lists_list_and_show() -> None:
    assert {"list", "show"} <= set(command_names())


# -- broken pipes --------------------------------------------------------------------------


def test_output_into_a_closed_pipe_exits_quietly(isolated_home: Path,
                                                first_run: Callable[[Path], Path]) -> None:
    first_run(isolated_home)
    env = {**os.environ, "READER_HOME": str(isolated_home)}
    for args in (["list"], ["list", "--json"]):
        proc = subprocess.Popen([sys.executable, "-m", "reader", *args], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader of our output is gone before we write a byte
        stderr = proc.stderr.read()
        proc.stderr.close()
        assert (proc.wait(timeout=60), stderr) == (0, b"")


def test_list_into_head_exits_quietly(isolated_home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    for n in range(150):
        write_article(folder, f"a{n:03}.txt", f"Article number {n}", "words " * 200)
    result = subprocess.run(
        ["bash", "-c", 'set -o pipefail; "$0" -m reader --seeds "$1" list --json | head -1',
         sys.executable, str(folder)],
        capture_output=True, text=True, env={**os.environ, "READER_HOME": str(isolated_home)},
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert len(result.stdout.splitlines()) == 1


# -- mistakes: one line, status 2, nothing changed -----------------------------------------


def write_config(text: str | bytes) -> Callable[[Path, Path], list[str]]:
    def setup(home: Path, tmp_path: Path) -> list[str]:
        config = home / "config" / "config.toml"
        config.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            config.write_bytes(text)
        else:
            config.write_text(text.replace("TMP", str(tmp_path)), encoding="utf-8")
        return ["list"]
    return setup


def newer_cache(home: Path, tmp_path: Path) -> list[str]:
    conn = sqlite3.connect(cache_file(home))
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    return ["list"]


def plain_file(home: Path, tmp_path: Path) -> list[str]:
    (tmp_path / "file.txt").write_text("not a folder")
    return ["--seeds", str(tmp_path / "file.txt"), "list"]


ERROR_CASES: dict[str, Callable[[Path, Path], list[str]]] = {
    "unknown id": lambda home, tmp: ["show", "ffffffffffff"],
    "unknown short id": lambda home, tmp: ["show", "zz"],
    "unknown id as json": lambda home, tmp: ["show", "0000", "--json"],
    "missing seeds folder": lambda home, tmp: ["--seeds", str(tmp / "nowhere"), "list"],
    "seeds folder is a file": plain_file,
    "unknown source": lambda home, tmp: ["list", "--source", "nope"],
    "bad option": lambda home, tmp: ["list", "--bogus"],
    "bad top option": lambda home, tmp: ["--bogus", "list"],
    "unknown command": lambda home, tmp: ["frobnicate"],
    "missing id": lambda home, tmp: ["show"],
    "missing option value": lambda home, tmp: ["list", "--source"],
    "config not toml": write_config("seed_dirs = [\n"),
    "config wrong type": write_config('seed_dirs = "not a list"\n'),
    "config not utf-8": write_config(b"theme = \"caf\xe9\"\n"),
    "config seed dir missing": write_config('seed_dirs = ["TMP/gone"]\n'),
    "cache too new": newer_cache,
}


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 2, result
    assert ONE_LINE_ERROR.match(result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("case", ERROR_CASES)
def test_mistakes_give_one_line_and_change_nothing(
    isolated_home: Path, tmp_path: Path, case: str, first_run: Callable[[Path], Path]
) -> None:
    first_run(isolated_home)  # the cache a first `reader list` makes, seeds loaded
    args = ERROR_CASES[case](isolated_home, tmp_path)
    before = dump(isolated_home)
    assert len(before) > 10
    assert_one_line_error(run_reader(*args, home=isolated_home))
    assert dump(isolated_home) == before


@needs_permissions
def test_unreadable_seeds_folder(isolated_home: Path, tmp_path: Path) -> None:
    run_reader("list", home=isolated_home, check=True)
    folder = tmp_path / "locked"
    write_article(folder, "a.txt", "Locked away")
    before = dump(isolated_home)
    folder.chmod(0)
    try:
        result = run_reader("--seeds", str(folder), "list", home=isolated_home)
    finally:
        folder.chmod(0o755)
    assert_one_line_error(result)
    assert dump(isolated_home) == before


def test_error_before_any_cache_exists_creates_none(isolated_home: Path, tmp_path: Path) -> None:
    assert_one_line_error(run_reader("--seeds", str(tmp_path / "nowhere"), "list",
                                     home=isolated_home))
    assert_one_line_error(run_reader("list", "--bogus", home=isolated_home))
    assert not cache_file(isolated_home).exists()

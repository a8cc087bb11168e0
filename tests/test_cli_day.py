"""The command line as a person switching from newsboat uses it for a day: the mistakes they
make (an option after the command, a misspelt command or option, a source named from memory)
and what a refresh or ``add`` says when the network lets them down. Each runs the real
``reader`` in a subprocess, as ``tests/test_cli.py`` does."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from config_support import write_config
from conftest import run_reader


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one ``reader: error:`` line of a mistake (exit 2, nothing on stdout)."""
    assert (result.returncode, result.stdout) == (2, ""), result
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("reader: error: "), result.stderr
    return lines[0]


# -- the options of every command, after the command too ---------------------------------------


def test_home_and_seeds_work_after_the_command(isolated_home: Path, tmp_path: Path) -> None:
    """``reader list --home DIR``: README says --home and --seeds are options for every
    command, and they were refused after it (``unrecognized arguments: --home DIR``)."""
    chosen, articles, more = tmp_path / "chosen", tmp_path / "mine", tmp_path / "more"
    for folder, headline in ((articles, "My own article"), (more, "Another of mine")):
        folder.mkdir()
        (folder / "a.txt").write_text(f"{headline}\n\nStandfirst\n\nBody.\n", encoding="utf-8")
    result = run_reader("--seeds", str(articles), "list", "--home", str(chosen),
                        "--seeds", str(more), "--json", home=isolated_home)
    assert (result.returncode, result.stderr) == (0, "")
    titles = {json.loads(line)["title"] for line in result.stdout.splitlines()}
    assert {"My own article", "Another of mine"} <= titles and len(titles) == 6
    assert (chosen / "data" / "cache.sqlite3").is_file() and not isolated_home.exists()
    later = run_reader("--home", str(tmp_path / "not-this"), "list", "--home", str(chosen),
                       home=isolated_home)
    assert later.returncode == 0 and len(later.stdout.splitlines()) == 6  # the last one counts
    assert not (tmp_path / "not-this").exists()


# -- misspellings: the close ones are named ---------------------------------------------------


@pytest.mark.parametrize(("args", "said"), [
    (["lsit"], "reader: error: unknown command 'lsit'; did you mean 'list'?"
               " (see 'reader --help')"),
    (["serch", "memo"], "did you mean 'search' or 'searches'?"),
    (["list", "--unred"], "reader: error: unknown option '--unred' for 'reader list'; did you"
                          " mean --unread? (see 'reader list --help')"),
    (["refresh", "--jsn"], "for 'reader refresh'; did you mean --json?"),
    (["--hme", "somewhere", "list"], "unknown option '--hme' for 'reader'; did you mean --home"),
    (["--bogus", "list"], "unknown option '--bogus' for 'reader' (see 'reader --help')"),
    (["search", "memo", "-tory"], "unknown option '-tory' for 'reader search'; put -- before a"
                                  " query that starts with -: reader search -- -tory"),
    (["mark", "raed", "--all"], "invalid choice: 'raed' (choose from 'read', 'unread', 'star',"
                                " 'unstar'); did you mean 'read'"),
    (["show", "abcd", "efgh"], "unexpected word: efgh (quote a value that has spaces)"
                               " (see 'reader show --help')"),
])
def test_a_misspelling_names_the_close_ones(isolated_home: Path, args: list[str],
                                            said: str) -> None:
    """argparse said ``unrecognized arguments: --unred (see 'reader --help')``, and took
    ``reader --hme DIR list``'s DIR for the command (``invalid choice: 'DIR'``)."""
    assert said in one_error_line(run_reader(*args, home=isolated_home))
    assert not isolated_home.exists()  # a mistake touches nothing


# -- a source named from memory ---------------------------------------------------------------


SOURCES = ["heise online News", "heise developer", "Daring Fireball", "Daring Fireball (2)",
           "The Guardian", "Slashdot", "Golem.de", "Ars Technica", "NASA Breaking News"]


@pytest.fixture
def many_sources(isolated_home: Path, tmp_path: Path) -> Path:
    """A home whose config loads a seed folder (a source) for each of ``SOURCES``."""
    folders = []
    for name in SOURCES:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "a.txt").write_text(f"A story of {name}\n\nIts standfirst\n\nIts body.\n",
                                      encoding="utf-8")
        folders.append(json.dumps(str(folder)))
    write_config(isolated_home, f"seed_dirs = [{', '.join(folders)}]\n")
    return isolated_home


@pytest.mark.parametrize(("args", "said"), [
    (["list", "--source", "heise"], "reader: error: no source named 'heise' (did you mean"
     " 'heise developer' or 'heise online News'? see 'reader feeds')"),
    (["mark", "read", "--source", "dairing"], "no source named 'dairing' (did you mean"
     " 'Daring Fireball' or 'Daring Fireball (2)'? see 'reader feeds')"),
    (["fulltext", "--source", "gardian", "--missing"], "(did you mean 'The Guardian'?"),
    (["list", "--source", "nope"], "no source named 'nope' (see 'reader feeds' for all 10)"),
    (["mark", "read", "--group", "news"], "no group named 'news' (there are no groups)"),
])
def test_an_unknown_source_names_those_like_it(many_sources: Path, args: list[str],
                                               said: str) -> None:
    """Every command says the same, and only the names that look like the one typed: with
    200 feeds, ``list --source nope`` was one line of 5,000 characters naming every one,
    ``mark`` said the same, ``fulltext`` only "see 'reader feeds'"."""
    line = one_error_line(run_reader(*args, home=many_sources))
    assert said in line and len(line) < 200

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

"""Local files that are not what they claim: ``/dev/zero``, a FIFO, a 1 GB sparse file and a
symlink loop given as the OPML to import or as the config. Each is one ``reader: error:`` line,
exit 2, in bounded memory (the command runs under a 512 MB address-space limit; reading
``/dev/zero`` whole used to reach 3.5 GB in 5 s) and bounded time (a FIFO nobody writes to
never blocks it)."""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ONE_LINE_ERROR = re.compile(r"^reader: error: \S[^\n]*\n$")
MEMORY_LIMIT = 512 * 1024 * 1024


def run_bounded(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(
        [sys.executable, "-m", "reader", *args], capture_output=True, text=True, timeout=60,
        env={**os.environ, "READER_HOME": str(home)}, preexec_fn=limit,
    )


def dev_zero(folder: Path) -> Path:
    return Path("/dev/zero")


def fifo(folder: Path) -> Path:
    path = folder / "fifo"
    os.mkfifo(path)
    return path


def sparse(folder: Path) -> Path:
    path = folder / "sparse"
    with path.open("wb") as file:
        file.truncate(1024 ** 3)  # 1 GB that takes no disk
    return path


def symlink_loop(folder: Path) -> Path:
    (folder / "loop-a").symlink_to(folder / "loop-b")
    (folder / "loop-b").symlink_to(folder / "loop-a")
    return folder / "loop-a"


def folder_itself(folder: Path) -> Path:
    (folder / "a-folder").mkdir()
    return folder / "a-folder"


BAD_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "/dev/zero": (dev_zero, "larger than 10 MB"),
    "fifo": (fifo, "the file is empty"),
    "1 GB sparse": (sparse, "larger than 10 MB"),
    "symlink loop": (symlink_loop, "symlink loop"),
    "folder": (folder_itself, "a folder, not a file"),
}
CONFIG_REASONS = {
    "/dev/zero": "a device, not a file",
    "fifo": "a FIFO (named pipe), not a file",
    "1 GB sparse": "larger than 1 MB",
    "symlink loop": "a symlink loop",
    "folder": "a folder, not a file",
}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/dev/zero and rlimits")
@pytest.mark.parametrize("case", BAD_FILES)
def test_importing_a_bad_file_is_one_line(isolated_home: Path, tmp_path: Path,
                                          case: str) -> None:
    make, reason = BAD_FILES[case]
    path = make(tmp_path)
    result = run_bounded("import", str(path), home=isolated_home)
    assert result.returncode == 2, result
    assert ONE_LINE_ERROR.match(result.stderr), result.stderr
    assert result.stderr.startswith(f"reader: error: cannot import {path}: ")
    assert reason in result.stderr
    assert result.stdout == ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/dev/zero and rlimits")
@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_config_file_is_one_line(isolated_home: Path, tmp_path: Path, case: str) -> None:
    make, _ = BAD_FILES[case]
    target = make(tmp_path)
    config = isolated_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.symlink_to(target)
    result = run_bounded("list", home=isolated_home)
    assert result.returncode == 2, result
    assert ONE_LINE_ERROR.match(result.stderr), result.stderr
    assert result.stderr == (f"reader: error: cannot read config {config}: it is "
                             f"{CONFIG_REASONS[case]}\n")


def test_an_opml_file_from_a_pipe_still_imports(isolated_home: Path) -> None:
    """Streams are read (capped): ``reader import /dev/stdin`` and a shell's ``<(...)``."""
    opml = ('<opml version="2.0"><body><outline text="A" xmlUrl="http://a.example/feed"/>'
            "</body></opml>")
    result = subprocess.run(
        [sys.executable, "-m", "reader", "import", "/dev/stdin"], input=opml,
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "READER_HOME": str(isolated_home)},
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("imported 1 feed")


SEED_FOLDERS = {
    "/dev/zero": (dev_zero, "it is a device, not a folder"),
    "fifo": (fifo, "it is a FIFO (named pipe), not a folder"),
    "1 GB sparse": (sparse, "it is a file, not a folder"),
    "symlink loop": (symlink_loop, "it is a symlink loop"),
}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/dev/zero and rlimits")
@pytest.mark.parametrize("case", SEED_FOLDERS)
def test_a_bad_seed_folder_is_one_line(isolated_home: Path, tmp_path: Path, case: str) -> None:
    make, reason = SEED_FOLDERS[case]
    path = make(tmp_path)
    result = run_bounded("--seeds", str(path), "list", home=isolated_home)
    assert result.returncode == 2, result
    assert ONE_LINE_ERROR.match(result.stderr), result.stderr
    assert result.stderr.startswith(f"reader: error: seed folder {str(path)!r}")
    assert result.stderr.endswith(f": {reason}\n")
    assert result.stdout == ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/dev/zero and rlimits")
def test_bad_files_inside_a_seed_folder_are_warnings(isolated_home: Path,
                                                     tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.txt").write_text("A good article\n\nIts standfirst\n\nIts body.\n")
    fifo(folder).rename(folder / "fifo.txt")
    sparse(folder).rename(folder / "sparse.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "loop.txt").symlink_to(folder / "loop-b")
    (folder / "loop-b").symlink_to(folder / "loop.txt")
    for _ in range(2):  # the second run remembers the failures, and says them again
        result = run_bounded("--seeds", str(folder), "list", home=isolated_home)
        assert result.returncode == 0, result
        assert "A good article" in result.stdout
        assert sorted(result.stderr.splitlines()) == [
            f"reader: warning: skipped {folder / 'fifo.txt'}: it is a FIFO (named pipe),"
            " not a file",
            f"reader: warning: skipped {folder / 'loop.txt'}: it is a symlink loop",
            f"reader: warning: skipped {folder / 'sparse.txt'}: it is larger than 64 MB",
            f"reader: warning: skipped {folder / 'zero.txt'}: it is a device, not a file",
        ]


ENTITY_ATTACKS = {
    "external entity (XXE)": (
        '<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        '<opml version="2.0"><body><outline text="&xxe;" xmlUrl="http://a.example/f"/>'
        "</body></opml>", "external entity"),
    "billion laughs": (
        '<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY l0 "lol">'
        + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
        + ']>\n<opml version="2.0"><body><outline text="&l9;" xmlUrl="http://a.example/f"/>'
        "</body></opml>", "amplification"),
}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="rlimits")
@pytest.mark.parametrize("case", ENTITY_ATTACKS)
def test_entity_attacks_in_an_opml_file_are_refused(isolated_home: Path, tmp_path: Path,
                                                    case: str) -> None:
    text, reason = ENTITY_ATTACKS[case]
    path = tmp_path / "attack.opml"
    path.write_text(text, encoding="utf-8")
    result = run_bounded("import", str(path), home=isolated_home)
    assert result.returncode == 2, result
    assert ONE_LINE_ERROR.match(result.stderr), result.stderr
    assert reason in result.stderr and "root:" not in result.stderr

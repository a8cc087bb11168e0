"""The built wheel carries the bundled seed and the ``reader`` console script.

Built offline with the hatchling installed by the ``test`` extra (no build isolation).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

SEED_IN_WHEEL = "reader/seeds/register-contactpoint-memo-apology.txt"
HOOK = "import sys; from hatchling.build import build_{0}; print(build_{0}(sys.argv[1]))"


def build_wheel(project: Path, out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(out), str(project)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = out.glob("*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(REPO, tmp_path_factory.mktemp("wheel"))


def test_wheel_holds_the_seed_and_the_console_script(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = archive.read(entry_points).decode()
        seed = archive.read(SEED_IN_WHEEL).decode("utf-8")
    assert "[console_scripts]" in scripts
    assert "reader = reader.__main__:run" in scripts
    assert seed == (REPO / "seeds" / "register-contactpoint-memo-apology.txt").read_text(
        encoding="utf-8")
    assert {"reader/__init__.py", "reader/__main__.py", "reader/cli/main.py"} <= names
    assert not any(n.startswith(("tests/", "seeds/")) for n in names)


def test_the_unpacked_wheel_finds_its_own_seeds(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site), "READER_HOME": str(tmp_path / "home")}
    where = subprocess.run(
        [sys.executable, "-c", "import reader.seed.loader as s; print(s.bundled_seed_dir().path)"],
        capture_output=True, text=True, env=env, check=True, cwd=tmp_path,
    )
    assert Path(where.stdout.strip()) == site / "reader" / "seeds"
    listed = subprocess.run([sys.executable, "-m", "reader", "list"], capture_output=True,
                            text=True, env=env, check=True, cwd=tmp_path)
    assert len(listed.stdout.splitlines()) == 4


def test_a_wheel_built_from_the_sdist_holds_the_seed(tmp_path: Path) -> None:
    made = subprocess.run([sys.executable, "-c", HOOK.format("sdist"), str(tmp_path)],
                          capture_output=True, text=True, check=True, cwd=REPO)
    with tarfile.open(tmp_path / made.stdout.strip()) as sdist:
        if hasattr(tarfile, "data_filter"):  # 3.11.4+
            sdist.extractall(tmp_path / "unpacked", filter="data")
        else:
            sdist.extractall(tmp_path / "unpacked")
    (project,) = (tmp_path / "unpacked").iterdir()
    wheel = build_wheel(project, tmp_path / "out")
    with zipfile.ZipFile(wheel) as archive:
        assert SEED_IN_WHEEL in archive.namelist()

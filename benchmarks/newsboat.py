"""newsboat, measured as its users run it: ``newsboat -x reload`` on its own cache.

A fair warm figure needs care. newsboat 2.21 keeps a feed's validators (ETag,
Last-Modified) only from its *second* reload on: the first reload stores the stories, the
second downloads and parses every feed again and saves the validators, and only the third is
all 304. So the "warm" rows time the third reload, and the runner proves it with the server's
own count of its answers (``Reloads.answers``). newsboat's warm reload is then slow for a
reason of its own: SQLite plans its queries on a cache that was never ``ANALYZE``d, so a
row against the same cache after one ``ANALYZE`` (what a user who knew would do once) is
timed too.

newsboat comes from the distribution (``apt-get install -y newsboat``); ``require()``
installs it when it can, and stops the benchmark with a clear message when it cannot.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.processes import Measured, measure
from benchmarks.server import difference

INSTALL = ["apt-get", "install", "-y", "newsboat"]


def missing() -> str | None:
    """None when newsboat can be run, else why not."""
    if shutil.which("newsboat") is None:
        return "newsboat is not installed (Debian/Ubuntu: apt-get install -y newsboat)"
    return None


def require(log: Callable[[str], None]) -> str:
    """newsboat's version line; installs it with apt-get if it is missing and we may."""
    if missing():
        sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
        if shutil.which("apt-get") and (not sudo or shutil.which("sudo")):
            log(f"newsboat is not installed: running {' '.join(sudo + INSTALL)}")
            subprocess.run([*sudo, "apt-get", "update", "-qq"], check=False)
            subprocess.run([*sudo, *INSTALL], check=False, stdout=subprocess.DEVNULL)
        if missing():
            raise SystemExit(f"benchmark: {missing()}; install it, or run with --no-newsboat "
                             "to measure the reader alone")
    version = subprocess.run(["newsboat", "--version"], capture_output=True, text=True)
    return version.stdout.split("\n", 1)[0]


def files(folder: Path, urls: Sequence[str], threads: int) -> None:
    """newsboat's urls and config in ``folder``, its home beside them (nothing of the user's)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "urls").write_text("".join(u + "\n" for u in urls))
    (folder / "config").write_text(
        f"reload-threads {threads}\nconfirm-exit no\nshow-read-feeds yes\n"
    )
    (folder / "home").mkdir(exist_ok=True)


def argv(folder: Path, *args: str) -> list[str]:
    return ["newsboat", "-u", str(folder / "urls"), "-c", str(folder / "cache.db"),
            "-C", str(folder / "config"), *args]


def env(folder: Path, base: dict[str, str]) -> dict[str, str]:
    home = str(folder / "home")
    return {**base, "HOME": home, "XDG_CONFIG_HOME": home, "XDG_DATA_HOME": home}


def stories(folder: Path) -> int:
    """How many stories newsboat's cache holds."""
    with sqlite3.connect(folder / "cache.db") as conn:
        return int(conn.execute("SELECT count(*) FROM rss_item").fetchone()[0])


def analyze(folder: Path) -> None:
    """One ``ANALYZE`` of newsboat's cache: what ``sqlite3 cache.db ANALYZE`` does."""
    conn = sqlite3.connect(folder / "cache.db")
    try:
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()


@dataclass
class Reloads:
    """Four reloads of one fresh cache, each with the server's answers during it."""

    cold: Measured
    second: Measured
    warm: Measured
    """The third reload: the first that sends validators (all 304)."""
    analyzed: Measured
    """A fourth, after one ``ANALYZE`` of the cache."""
    stories: int
    answers: dict[str, dict[str, int]]
    """The server's answers by status during each reload: ``{"warm": {"304": 500}}``."""


def reloads(folder: Path, urls: Sequence[str], threads: int, base_env: dict[str, str],
            counts: Callable[[], dict[str, int]]) -> Reloads:
    """Cold, second, third (warm) and, after ``ANALYZE``, fourth reload of a fresh cache."""
    shutil.rmtree(folder, ignore_errors=True)
    files(folder, urls, threads)
    environment = env(folder, base_env)
    command = argv(folder, "-x", "reload")
    timed: dict[str, Measured] = {}
    answers: dict[str, dict[str, int]] = {}
    for name in ("cold", "second", "warm", "analyzed"):
        if name == "analyzed":
            analyze(folder)
        before = counts()
        timed[name] = measure(command, env=environment).check(command)
        answers[name] = difference(counts(), before)
    found = stories(folder)
    shutil.rmtree(folder, ignore_errors=True)
    return Reloads(timed["cold"], timed["second"], timed["warm"], timed["analyzed"], found,
                   answers)


if __name__ == "__main__":  # python -m benchmarks.newsboat: install it if needed
    print(require(lambda m: print(m, file=sys.stderr)))

"""Run a program to its end and measure what it cost: wall, CPU of its whole tree, memory.

- **wall**: ``perf_counter`` from start to exit.
- **CPU** (user + system): from ``wait4`` on the program, which on Linux includes every
  descendant the program itself waited for (the reader's parse workers: a process pool joins
  them before the refresh returns). newsboat's threads are one process.
- **memory**: ``tree_peak_mib``, the highest sum of the tree's proportional set size (PSS:
  shared pages split between the processes sharing them, so a library mapped by three
  processes counts once), sampled every ``sample_every`` seconds (10 a second by default: a
  peak shorter than that can be missed); and ``max_rss_mib``, the peak resident size of the
  largest single process (``ru_maxrss``: exact, but blind to the others running beside it).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Measured:
    wall: float
    user: float
    sys: float
    max_rss_mib: float
    tree_peak_mib: float
    returncode: int
    stdout: str
    stderr: str
    stdout_bytes: int = 0
    stdout_lines: int = 0
    descendants_cpu: float = 0.0
    """CPU of the processes below the program (the reader's parse workers), as last sampled:
    a worker's last ``sample_every`` seconds before it exits can be missed."""

    @property
    def cpu(self) -> float:
        return self.user + self.sys

    def check(self, argv: Sequence[str]) -> Measured:
        if self.returncode != 0:
            raise RuntimeError(f"{list(argv)[:4]}… failed ({self.returncode}): "
                               f"{self.stderr[-2000:]}")
        return self


_TICK = os.sysconf("SC_CLK_TCK")


def _scan() -> tuple[dict[int, list[int]], dict[int, float]]:
    """Every process's children, and its own CPU seconds so far, from ``/proc/PID/stat``."""
    tree: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()  # the name may hold spaces and ")"
        tree.setdefault(int(fields[1]), []).append(int(entry.name))
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime
    return tree, cpu


def tree_of(pid: int, children: dict[int, list[int]] | None = None) -> list[int]:
    """``pid`` and every process descended from it."""
    children = _scan()[0] if children is None else children
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue += children.get(current, [])
    return found


def _pss_kib(pid: int) -> int:
    with contextlib.suppress(OSError), open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def tree_pss_mib(pid: int) -> float:
    return sum(_pss_kib(p) for p in tree_of(pid)) / 1024


def measure(argv: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 1800, sample_every: float = 0.1,
            keep_output: bool = True) -> Measured:
    """Run ``argv`` to its end (killed with its process group after ``timeout``).

    With ``keep_output=False`` standard output is read through the pipe as a consumer would,
    but only its bytes and lines are counted (``reader list --json`` at 100k is ~0.5 GB).
    """
    started = time.perf_counter()
    process = subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=env, cwd=cwd, start_new_session=True)
    outputs: dict[str, bytes] = {}
    counted = [0, 0]

    def drain(name: str, stream: Any) -> None:
        if keep_output or name == "stderr":
            outputs[name] = stream.read()
            return
        while chunk := stream.read1(1 << 20):
            counted[0] += len(chunk)
            counted[1] += chunk.count(b"\n")

    readers = [threading.Thread(target=drain, args=(name, stream), daemon=True)
               for name, stream in (("stdout", process.stdout), ("stderr", process.stderr))]
    done = threading.Event()
    peak = [0.0]

    below: dict[int, float] = {}

    def sample() -> None:
        while not done.wait(sample_every):
            children, cpu = _scan()
            tree = tree_of(process.pid, children)
            peak[0] = max(peak[0], sum(_pss_kib(p) for p in tree) / 1024)
            for pid in tree[1:]:
                below[pid] = max(below.get(pid, 0.0), cpu.get(pid, 0.0))

    def kill_late() -> None:
        if not done.wait(timeout):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

    helpers = [*readers, threading.Thread(target=sample, daemon=True),
               threading.Thread(target=kill_late, daemon=True)]
    for thread in helpers:
        thread.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    for thread in readers:
        thread.join()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()
    stdout = outputs.get("stdout", b"")
    return Measured(wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024, peak[0],
                    process.returncode, stdout.decode(errors="replace"),
                    outputs.get("stderr", b"").decode(errors="replace"),
                    len(stdout) if keep_output else counted[0],
                    stdout.count(b"\n") if keep_output else counted[1], sum(below.values()))

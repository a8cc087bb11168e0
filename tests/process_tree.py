"""The processes under a process, read from /proc (Linux): how the parse-worker tests see a
refresh's zygote and workers, in the test process and in the scripts it runs (which put this
folder on their path)."""

from __future__ import annotations

import os
from pathlib import Path


def parent_of(stat: str) -> int:
    """The parent's pid in a ``/proc/PID/stat`` line (after the name, which may hold spaces)."""
    return int(stat[stat.rindex(")") + 2:].split()[1])


def children(parent: int) -> set[int]:
    """The processes whose parent is ``parent``."""
    found: set[int] = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if parent_of(stat) == parent:
            found.add(int(entry))
    return found


def descendants(pid: int) -> set[int]:
    """Its children, theirs, and so on."""
    found: set[int] = set()
    pending = [pid]
    while pending:
        for child in children(pending.pop()) - found:
            found.add(child)
            pending.append(child)
    return found


def running(pid: int) -> bool:
    """Whether ``pid`` is alive (neither gone nor a zombie)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"

"""A program in a real pseudo-terminal, with timestamps on what it writes.

Textual's headless mode skips writing to a terminal, which is part of what a user waits for;
a pty makes the app (and newsboat) do all their real output. Times are ``perf_counter``
seconds; every wait has a deadline so a stuck program cannot stall a benchmark.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Sequence


class Timeout(Exception):
    """The program did not show what was awaited before the deadline."""


class PtyProgram:
    """Start ``argv`` on a fresh pty of ``columns`` × ``rows``; read and type into it."""

    def __init__(self, argv: Sequence[str], env: dict[str, str], columns: int = 120,
                 rows: int = 40, settle: float = 1.0) -> None:
        self.settle = settle
        """Scales every ``quiet`` gap: a smoke run, whose figures mean nothing, waits less."""
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            list(argv), stdin=slave, stdout=slave, stderr=slave, close_fds=True,
            start_new_session=True, env={**env, "TERM": "xterm-256color",
                                         "COLUMNS": str(columns), "LINES": str(rows)},
        )
        os.close(slave)
        self.output = bytearray()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.master], [], [], max(timeout, 0))
        if not ready:
            return b""
        try:
            data = os.read(self.master, 1 << 16)
        except OSError:  # the program ended and the pty closed
            return b""
        self.output += data
        return data

    def wait_for(self, needle: bytes | re.Pattern[bytes], timeout: float,
                 since: int | None = None) -> float:
        """Read until ``needle`` (bytes, or a pattern searched for) appears in the output after
        offset ``since``; its arrival time.

        A needle split across two reads is still found: the search covers everything read
        since ``since``.
        """
        start = len(self.output) if since is None else since
        deadline = time.perf_counter() + timeout
        while True:
            if (self.output.find(needle, start) >= 0 if isinstance(needle, bytes)
                    else needle.search(self.output, start) is not None):
                return time.perf_counter()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise Timeout(f"{needle!r} not seen in {timeout} s")
            if not self._read(left) and self.process.poll() is not None:
                raise Timeout(f"{needle!r} not seen: the program exited")

    def quiet(self, gap: float, limit: float) -> float:
        """Read until nothing arrives for ``gap`` s (or ``limit`` s pass); last byte's time."""
        gap *= self.settle
        last = time.perf_counter()
        deadline = last + limit
        while time.perf_counter() < deadline:
            if self._read(min(gap, deadline - time.perf_counter())):
                last = time.perf_counter()
            elif time.perf_counter() - last >= gap:
                break
        return last

    def send(self, keys: bytes) -> float:
        """Type ``keys``; the time just before they were written."""
        now = time.perf_counter()
        os.write(self.master, keys)
        return now

    def peak_rss_kib(self) -> int | None:
        """The program's peak resident size (VmHWM) in KiB, while it runs."""
        try:
            with open(f"/proc/{self.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            return None
        return None

    def close(self, quit_keys: bytes = b"q", timeout: float = 10.0) -> None:
        """Ask the program to quit with ``quit_keys``; end its process group if it will not."""
        if self.process.poll() is None:
            with contextlib.suppress(OSError):
                os.write(self.master, quit_keys)
            deadline = time.perf_counter() + timeout
            while self.process.poll() is None and time.perf_counter() < deadline:
                self._read(0.05)
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        with contextlib.suppress(OSError):
            os.close(self.master)

    def __enter__(self) -> PtyProgram:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

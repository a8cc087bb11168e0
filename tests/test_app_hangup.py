"""The app leaves when its terminal hangs up, instead of spinning a core for ever.

The real ``reader`` runs on a pty in a session of its own, so closing the pty's other end sends
it no SIGHUP (as when an ssh connection drops without one, or a harness driving it dies):
Textual's input thread then reads end-of-file in a tight loop (textual#6690). The app must
notice the hang-up and exit on its own, leaving the cache whole.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from reader.paths import resolve_paths

TITLE = b"Tory-bashing"
"""Words of the bundled seed's title: once they are on the screen, the app is running."""


def _read_until(master: int, needle: bytes, limit: float) -> bytes:
    seen = bytearray()
    end = time.monotonic() + limit
    while needle not in seen:
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{needle!r} never shown; the screen had {bytes(seen[-400:])!r}")
        ready, _, _ = select.select([master], [], [], left)
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:  # the app ended: EIO on the pty
                break
    return bytes(seen)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux pty")
def test_the_app_exits_when_its_terminal_hangs_up(tmp_path: Path) -> None:
    home = tmp_path / "home"
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "READER_HOME": str(home)}
    process = subprocess.Popen([sys.executable, "-m", "reader"], stdin=slave, stdout=slave,
                               stderr=slave, start_new_session=True, env=env)
    os.close(slave)
    try:
        _read_until(master, TITLE, limit=60)
        os.close(master)  # the terminal goes away; no SIGHUP reaches a process in its own session
        master = -1
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("the app kept running after its terminal hung up")
        # It closed by itself (0), or the hang-up it did not get was sent by its own watcher.
        assert process.returncode in (0, -signal.SIGHUP), process.returncode
    finally:
        if master >= 0:
            os.close(master)
        if process.poll() is None:
            process.kill()
            process.wait()
    with sqlite3.connect(resolve_paths(home).database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM stories").fetchone()[0] >= 1

"""What the terminal draws pictures with: asked at launch, handed to textual-image later.

A child process runs on a pseudo-terminal whose other end plays a terminal (answering, or
not, the device attributes, Kitty graphics and cell size questions). In each case the choice
textual-image makes on its own (imported at launch, as the app did) and the one it makes
given ``picture_support``'s answers (imported later) must be the same: the renderer class
and the cell size. And the questions are over at once when the terminal answers them.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

pytest.importorskip("textual_image", reason="the images extra is not installed")

OWN = r"""
import json, sys, time
start = time.monotonic()
import textual_image.widget
from textual_image import renderable
from textual_image._terminal import get_cell_size
image = renderable.Image
json.dump({"image": f"{image.__module__}.{image.__name__}", "cell": list(get_cell_size()),
           "seconds": time.monotonic() - start}, open(sys.argv[1], "w"))
"""

OURS = r"""
import json, sys, time
start = time.monotonic()
from reader.ui import picture_support
if len(sys.argv) > 2:
    picture_support.WAIT = float(sys.argv[2])
picture_support.ask()
answers = picture_support.wait()
seconds = time.monotonic() - start
loaded = "textual_image" in sys.modules
assert picture_support.load()
from textual_image import renderable
from textual_image._terminal import get_cell_size
image = renderable.Image
json.dump({"image": f"{image.__module__}.{image.__name__}", "cell": list(get_cell_size()),
           "seconds": seconds, "loaded_while_asking": loaded}, open(sys.argv[1], "w"))
"""


def run_on_terminal(code: str, tmp_path: Path, *, attributes: str | None, kitty: bool,
                    cell_answer: bool, pixels: tuple[int, int] = (0, 0),
                    wait: float | None = None) -> dict[str, object]:
    """Run ``code`` on a pty answered as a terminal would: ``attributes`` is its device
    attributes' answer (None: it answers none), ``kitty`` whether it answers the graphics
    query, ``cell_answer`` the cell size query (8x16 pixels); ``pixels`` the window size in
    pixels the tty reports; ``wait`` replaces ``picture_support.WAIT``."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, *pixels))
    out = tmp_path / "out.json"
    argv = [sys.executable, "-c", code, str(out), *([] if wait is None else [str(wait)])]
    child = subprocess.Popen(argv, stdin=slave,
                             stdout=slave, stderr=subprocess.PIPE, close_fds=True)
    os.close(slave)
    seen = b""
    give_up = time.monotonic() + 120
    try:
        while child.poll() is None and time.monotonic() < give_up:
            if not select.select([master], [], [], 0.02)[0]:
                continue
            try:
                seen += os.read(master, 4096)
            except OSError:
                break
            while True:
                asked = re.search(rb"\x1b\[c|\x1b\[16t|\x1b_G[^\x1b]*\x1b\\", seen)
                if asked is None:
                    break
                question, seen = asked.group(0), seen[asked.end():]
                if question == b"\x1b[c" and attributes is not None:
                    os.write(master, f"\x1b[?{attributes}c".encode())
                elif question == b"\x1b[16t" and cell_answer:
                    os.write(master, b"\x1b[6;16;8t")
                elif question.startswith(b"\x1b_G") and kitty:
                    number = re.search(rb"i=(\d+)", question)
                    assert number is not None
                    os.write(master, b"\x1b_Gi=" + number.group(1) + b";OK\x1b\\")
        assert child.wait(timeout=60) == 0, child.stderr.read() if child.stderr else ""
    finally:
        os.close(master)
        if child.poll() is None:
            child.kill()
    result: dict[str, object] = json.loads(out.read_text())
    return result


CASES = {
    "sixel": dict(attributes="62;4;22", kitty=False, cell_answer=True),
    "kitty": dict(attributes="62;22", kitty=True, cell_answer=False, pixels=(960, 432)),
    "neither": dict(attributes="62;22", kitty=False, cell_answer=True),
    "no cell size": dict(attributes="1;2", kitty=False, cell_answer=False),
    "silent": dict(attributes=None, kitty=False, cell_answer=False),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_the_same_choice_as_textual_image_makes_itself(tmp_path: Path, case: str) -> None:
    terminal = CASES[case]
    own = run_on_terminal(OWN, tmp_path, **terminal)  # type: ignore[arg-type]
    ours = run_on_terminal(OURS, tmp_path, **terminal)  # type: ignore[arg-type]
    assert (ours["image"], ours["cell"]) == (own["image"], own["cell"])
    assert ours["loaded_while_asking"] is False  # asking imports neither textual-image nor PIL


def test_a_terminal_that_answers_is_not_waited_for(tmp_path: Path) -> None:
    """textual-image waited 0.1 s for the graphics query's answer most terminals never
    give; here the device attributes' answer after it says there is none, and the questions
    end there, however long they were allowed (60 s here)."""
    ours = run_on_terminal(OURS, tmp_path, attributes="62;22", kitty=False, cell_answer=True,
                           wait=60)
    assert ours["image"] == "textual_image.renderable.halfcell.Image"
    assert float(ours["seconds"]) < 20  # type: ignore[arg-type]


def test_not_a_terminal_asks_nothing() -> None:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", "from reader.ui import picture_support as p; p.ask(); "
         "assert p.wait() is None; assert p.load(); import sys; "
         "from textual_image import renderable; print(renderable.Image.__module__)"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "textual_image.renderable.unicode"
    assert time.monotonic() - started < 30

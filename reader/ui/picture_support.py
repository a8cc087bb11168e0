"""What the terminal draws pictures with, asked as the app starts; textual-image itself loads
after the first frame.

textual-image chooses how to draw as it is imported: Sixel if the terminal's primary device
attributes include it (4), else the Kitty graphics protocol (TGP) if the terminal answers its
query, else half-cell blocks; and it learns a cell's size in pixels (the tty's window size,
else an escape sequence). It can ask only before Textual reads the keyboard, so the app used
to import it before its first frame whenever the cache held a saved image: Pillow and its own
modules, and questions that each wait up to 0.1 s for an answer many terminals never give
(the TGP query, on every terminal without Sixel), all before the first frame.

Now the app asks the same questions at launch (``ask``), on a thread while its modules load,
each followed by the device attributes' query, which terminals answer: answers come in the
order asked, so once that one is in, nothing more is coming and nothing waits for a timeout.
``wait`` takes the answers before Textual starts (the thread gives up ``WAIT`` seconds after
it began, for a terminal that answers nothing). textual-image is imported later (``load``:
after the first frame, or by the first picture shown) with these answers handed to its own
choice, so it asks nothing (the terminal is Textual's by then) and chooses as it would have.
Where nothing was asked (stdout is not a terminal: the tests, screenshots), it is imported as
it is, and asks nothing either.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from importlib.util import find_spec
from typing import Any, Literal

WAIT = 0.3
"""Seconds the questions may take in all (textual-image gave each 0.1 s)."""

_DEVICE_ATTRIBUTES = "\x1b[c"
_CELL_SIZE = "\x1b[16t"
_TGP_QUERY = "\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
"""textual-image's question (its image number is random: any number is answered the same)."""

_ATTRIBUTES_ANSWER = re.compile(r"\x1b\[\?([0-9;]*)c")
_CELL_ANSWER = re.compile(r"\x1b\[6;([0-9]+);([0-9]+)t")
_TGP_ANSWER = re.compile(r"\x1b_G([^\x1b]*)\x1b\\")


@dataclass(frozen=True)
class Answers:
    """What textual-image would have learned from the terminal."""

    sixel: bool
    tgp: bool
    cell: tuple[int, int]
    """A cell's width and height in pixels."""


Renderer = Literal["auto", "halfcell"]
_renderer: Renderer | None = None


def prepare(renderer: Renderer | None = None) -> bool:
    """Draw this run's saved images; False when the ``images`` extra is not installed.
    ``renderer`` forces half-cell blocks (snapshots, tmux). Nothing is imported here."""
    global _renderer
    if find_spec("textual_image") is None or find_spec("PIL") is None:
        return False
    if renderer is None:
        renderer = "halfcell" if os.environ.get("TMUX") else "auto"
    _renderer = renderer
    return True


def images_ready() -> bool:
    """Whether ``prepare`` said this run draws images."""
    return _renderer is not None


def renderer() -> Renderer | None:
    return _renderer


_lock = threading.Lock()
_thread: threading.Thread | None = None
_answers: Answers | None = None


def ask() -> None:
    """Start asking the terminal (once a run), if stdout is one; ``wait`` before Textual
    starts."""
    global _thread
    with _lock:
        if _thread is not None or _answers is not None or not _is_tty(sys.__stdout__):
            return
        _thread = threading.Thread(target=_ask, name="picture-support", daemon=True)
        _thread.start()


def wait() -> Answers | None:
    """The answers (None where nothing was asked), once the questions are over."""
    thread = _thread
    if thread is not None:
        thread.join()
    return _answers


def load() -> bool:
    """Import textual-image (once), given the answers if the terminal was asked; False
    without it (the ``images`` extra)."""
    with _lock:
        if "textual_image.widget" in sys.modules:
            return True
        answers = wait()
        try:
            if answers is not None:
                _import_answered(answers)
            import textual_image.widget  # noqa: F401  (asks nothing: answered, or not a tty)
        except ImportError:
            return False
        return True


def _is_tty(stream: Any) -> bool:
    try:
        return bool(stream and stream.isatty())
    except (OSError, ValueError):
        return False


def _ask() -> None:
    global _answers
    out: Any = sys.__stdout__
    cell = _window_cell(out)
    sixel = tgp = False
    received = ""
    if _is_tty(sys.__stdin__):
        deadline = time.monotonic() + WAIT
        received = _exchange(("" if cell else _CELL_SIZE) + _DEVICE_ATTRIBUTES, deadline)
        attributes = _ATTRIBUTES_ANSWER.search(received)
        sixel = attributes is not None and "4" in attributes.group(1).split(";")
        if not sixel:  # textual-image asks for TGP only then
            answer = _TGP_ANSWER.search(_exchange(_TGP_QUERY + _DEVICE_ATTRIBUTES, deadline))
            tgp = answer is not None and answer.group(1).rsplit(";", 1)[-1] == "OK"
    _answers = Answers(sixel, tgp, cell or _other_cell(received))


def _exchange(questions: str, deadline: float) -> str:
    """Write ``questions`` and read the answers, up to that of the device attributes' query
    (a byte at a time: keys typed after it stay for Textual)."""
    import select
    import termios
    import tty

    stdin = sys.__stdin__.fileno()  # type: ignore[union-attr]
    received = b""
    try:
        mode = termios.tcgetattr(stdin)
        tty.setcbreak(stdin, termios.TCSANOW)
    except (OSError, termios.error):
        return ""
    try:
        sys.__stdout__.write(questions)  # type: ignore[union-attr]
        sys.__stdout__.flush()  # type: ignore[union-attr]
        while not _ATTRIBUTES_ANSWER.search(received.decode("latin-1")):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([stdin], [], [], left)[0]:
                break
            byte = os.read(stdin, 1)
            if not byte:
                break
            received += byte
    except OSError:
        pass
    finally:
        termios.tcsetattr(stdin, termios.TCSANOW, mode)
    return received.decode("latin-1")


def _window_cell(out: Any) -> tuple[int, int] | None:
    """A cell's size from the tty's window size in pixels, as textual-image reads it."""
    import fcntl
    import struct
    import termios

    try:
        rows, columns, width, height = struct.unpack(
            "HHHH", fcntl.ioctl(out.fileno(), termios.TIOCGWINSZ, b"\0" * 8))
        cell = (int(width / columns), int(height / rows))
    except (OSError, ValueError, ZeroDivisionError):
        return None
    return cell if cell[0] and cell[1] else None


def _other_cell(received: str) -> tuple[int, int]:
    """textual-image's next sources of a cell's size: the terminal's answer, the variables
    textual-serve sets, else a VT340's cell."""
    answer = _CELL_ANSWER.search(received)
    if answer is not None and int(answer.group(1)) and int(answer.group(2)):
        return int(answer.group(2)), int(answer.group(1))
    width, height = os.environ.get("TEXTUAL_CELL_WIDTH", ""), os.environ.get(
        "TEXTUAL_CELL_HEIGHT", "")
    if width.isdigit() and height.isdigit() and int(width) and int(height):
        return int(width), int(height)
    return 10, 20


def _import_answered(answers: Answers) -> None:
    """Import ``textual_image.renderable`` with its two questions answered, and give its
    cell size: its own module chooses the renderer, ``textual_image.widget`` reads the size."""
    import importlib
    import importlib.util

    import textual_image  # the package: its docstring
    from textual_image import _terminal

    name = "textual_image.renderable"
    if name not in sys.modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            raise ImportError(name)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            sixel: Any = importlib.import_module(f"{name}.sixel")
            tgp: Any = importlib.import_module(f"{name}.tgp")
            asked = sixel.query_terminal_support, tgp.query_terminal_support
            sixel.query_terminal_support = lambda: answers.sixel
            tgp.query_terminal_support = lambda: answers.tgp
            try:
                spec.loader.exec_module(module)
            finally:
                sixel.query_terminal_support, tgp.query_terminal_support = asked
        except BaseException:
            del sys.modules[name]
            raise
        textual_image.renderable = module  # type: ignore[attr-defined]
    _terminal.get_cell_size._result = _terminal.CellSize(*answers.cell)  # type: ignore[attr-defined]

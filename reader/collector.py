"""The cycle collector, paused while the app starts.

Starting the app makes ~70,000 objects that the cycle collector tracks, nearly all of which
live as long as the process: modules, classes, functions, Textual's widgets, styles and
caches. The collector walks the young ones every 700 allocations and, now and then, all of
them: before the first frame that was about 150 collections, one of them full, 30-50 ms of
the ~0.36 s start (CPU, in the benchmark's pty, at 1k and at 100k stories). So the app pauses
the collector as it starts (``reader.ui.launch``). Once the first frame is on screen,
``resume`` collects once (start-up leaves ~5,000 unreachable objects, ~0.6 MB: render caches
and parsers' leftovers), freezes what is still alive (``gc.freeze``: later collections, say
during a key press, no longer walk start-up's objects) and collects as usual from then on.

A command run from the command line pauses it the same way while it starts (``pause_start_up``:
the imports before ``reader refresh`` sends its first request made ~90 young collections and 8
older ones, ~20 ms of CPU on its one serial stage) and freezes what start-up made when its work
begins (``end_start_up``): for ``reader refresh``, once its parse workers are forked. That is
the order Python's documentation gives for a process that forks workers (disable early, freeze
before the fork, enable in the children), so a worker's collections never touch, and so copy,
the pages of the objects it inherited. No collection first here: a command's start-up leaves
next to nothing unreachable, and a full collection would cost what the pause saves.
"""

from __future__ import annotations

import gc

_paused = False
_starting = False


def pause() -> None:
    """Stop collecting cycles until ``resume`` (the app, as it starts)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Collect once, freeze what start-up made and collect as usual again; nothing unless
    ``pause`` paused the collector (the tests, which never pause it, keep theirs as it is)."""
    global _paused
    if _paused:
        _paused = False
        gc.collect()
        gc.freeze()
        gc.enable()


def pause_start_up() -> None:
    """Stop collecting cycles while a command-line process starts (its entry point, before
    its imports), until ``end_start_up``."""
    global _starting
    if gc.isenabled():
        gc.disable()
        _starting = True


def end_start_up() -> None:
    """Freeze what start-up made and collect as usual again; nothing unless
    ``pause_start_up`` paused the collector (a process that calls ``main`` with its own
    arguments, as the tests do, keeps its collector as it is)."""
    global _starting
    if _starting:
        _starting = False
        gc.freeze()
        gc.enable()

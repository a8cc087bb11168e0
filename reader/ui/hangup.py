"""Leave when the terminal goes away, instead of spinning a core for ever.

Textual's input thread reads the terminal in a loop. When the terminal is gone and no SIGHUP
came (an ssh connection that drops without one, a terminal program killed while the reader runs
in its own session, a test harness that dies), every read returns end-of-file at once, and the
loop runs again: one core at 100% until someone kills the process (textual#6690, still open in
Textual 8.2). A reader found spinning in the background a day later is not one people trust.

So the app also watches its terminal for a hang-up, the way the kernel's SIGHUP would tell it:
a thread blocks in ``poll()`` on the terminal asking for no events at all, which wakes only for
a hang-up or an error (no CPU while the terminal lives). Then the app is asked to exit, as if
``q`` were pressed (its writes are committed or were never started); if it has not gone after
``grace`` seconds (drawing to a dead terminal can block), the process sends itself the SIGHUP
the kernel did not, whose default action ends it: SQLite's journal keeps the cache whole.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

GRACE = 3.0
"""Seconds the app has to close by itself once its terminal has hung up."""

_HANGUP = select.POLLHUP | select.POLLERR | select.POLLNVAL


def watch_for_hangup(app: App[Any], fd: int = 0, grace: float = GRACE) -> threading.Thread | None:
    """Start the watching thread for the terminal on ``fd``; None when ``fd`` is no terminal
    (a pipe or a file: Textual's own handling applies)."""
    try:
        if not os.isatty(fd):
            return None
    except OSError:
        return None
    # Which of stdout and stderr are terminals, asked now: once hung up, isatty() says no.
    streams = tuple(stream for stream in (1, 2) if os.isatty(stream))
    thread = threading.Thread(target=_watch, args=(app, fd, grace, streams),
                              name="reader-hangup", daemon=True)
    thread.start()
    return thread


def _watch(app: App[Any], fd: int, grace: float, streams: tuple[int, ...]) -> None:
    poller = select.poll()
    poller.register(fd, 0)  # no events asked for: only a hang-up or an error wakes it
    while True:
        try:
            events = poller.poll()
        except InterruptedError:
            continue
        if any(mask & _HANGUP for _, mask in events):
            break
    # The terminal is gone: what is still written to it goes nowhere. Pointing stdout and
    # stderr at /dev/null keeps the app's last frames and Python's final flush from failing
    # (an EIO at exit makes the exit status 120).
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in streams:
        os.dup2(devnull, stream)
    os.close(devnull)
    # The fallback first: ``call_from_thread`` waits for the app, which may never answer.
    fallback = threading.Timer(grace, os.kill, args=(os.getpid(), signal.SIGHUP))
    fallback.daemon = True
    fallback.start()
    with contextlib.suppress(Exception):  # the app's loop is gone or going: the fallback ends it
        app.call_from_thread(app.exit)

"""Waiting for the app to settle under a ``Pilot``: for the tests and the screenshots.

Everything the app does after a key press happens in workers: the debounced search, the
preview after the cursor rests, list pages, related stories, marks and the refresh. So
"settled" is a condition, not a length of time: no worker pending or running, no message
waiting in any widget's queue, and both still true after the screen's next refresh (which
runs ``call_after_refresh`` callbacks, and they may start a worker). Textual's own idle wait
(``pilot.pause()``) only compares CPU time with wall time, so on a loaded machine, where the
process gets little CPU, it can call a busy app idle; the queues cannot be fooled.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.worker import Worker, WorkerCancelled, WorkerError, WorkerFailed, WorkerState

_BUSY = (WorkerState.PENDING, WorkerState.RUNNING)
_QUIET_LOOKS = 2
"""Looks in a row that must find nothing to do: a callback run after the first look's
refresh can start work the second one sees."""


async def _ended(worker: Worker[Any]) -> None:
    # Cancelled or failed, it ended all the same (a failure is the app's to report).
    with contextlib.suppress(WorkerCancelled, WorkerFailed, WorkerError):
        await worker.wait()


def _messages_waiting(app: App[Any]) -> bool:
    """Whether the app, a screen on its stack or any of their widgets has a message queued,
    or a widget is drawing in a task of its own (``drawing``: the reading pane's showing)."""
    if app.message_queue_size:
        return True
    if app.screen._callbacks:  # ``call_after_refresh`` callbacks waiting for its next refresh
        return True
    for screen in app.screen_stack:
        for node in screen.walk_children(with_self=True):
            if node.message_queue_size or getattr(node, "drawing", False):
                return True
    return False


def _animating(app: App[Any]) -> bool:
    """Whether an animation runs or waits for its delay (Textual 8.2's ``Animator``).

    Only then does a look also wait for animations (``wait_for_scheduled_animations``): with
    none, that wait pumps every widget's queue twice more and looks for idle once more, which
    the next look does anyway; it was two thirds of a look's CPU (4.4 of 6.9 ms on the main
    screen), and an idle app's ``settle`` took 13.5 ms of CPU."""
    animator = app.animator
    return bool(animator._animations or animator._scheduled)


async def settle(pilot: Pilot[Any], timeout: float = 60.0) -> None:
    """Wait until no worker is pending or running and every message has been handled."""
    app = pilot.app
    quiet = 0
    async with asyncio.timeout(timeout):
        while quiet < _QUIET_LOOKS:
            await pilot.pause()
            busy = [worker for worker in app.workers if worker.state in _BUSY]
            if busy:
                quiet = 0
                await asyncio.gather(*(_ended(worker) for worker in busy))
                continue
            if _animating(app):
                await pilot.wait_for_scheduled_animations()
            if _messages_waiting(app) or any(w.state in _BUSY for w in app.workers):
                quiet = 0
                continue
            quiet += 1

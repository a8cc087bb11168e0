"""Waiting for the app to settle under a ``Pilot``: for the tests and the screenshots.

Everything the app does after a key press happens in workers: the debounced search, the
preview after the cursor rests, list pages, related stories, marks and the refresh. So
"settled" is a condition, not a length of time: no worker pending or running, and the
messages they posted handled. Waiting for it never races a timer, on a fast machine or a
loaded one.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from textual.pilot import Pilot
from textual.worker import Worker, WorkerCancelled, WorkerError, WorkerFailed, WorkerState

_BUSY = (WorkerState.PENDING, WorkerState.RUNNING)


async def _ended(worker: Worker[Any]) -> None:
    # Cancelled or failed, it ended all the same (a failure is the app's to report).
    with contextlib.suppress(WorkerCancelled, WorkerFailed, WorkerError):
        await worker.wait()


async def settle(pilot: Pilot[Any], timeout: float = 60.0) -> None:
    """Wait until no worker is pending or running and the screen has handled its messages."""
    app = pilot.app
    async with asyncio.timeout(timeout):
        while True:
            await pilot.pause()
            busy = [worker for worker in app.workers if worker.state in _BUSY]
            if not busy:
                await pilot.wait_for_scheduled_animations()
                if not any(worker.state in _BUSY for worker in app.workers):
                    return
                continue
            await asyncio.gather(*(_ended(worker) for worker in busy))

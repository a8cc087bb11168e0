"""A sync in a child process, for the app: its work (JSON, HTML conversion, the cache) never
competes with the screen for the interpreter lock, as a refresh does not (``refresh.child``).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
from pathlib import Path
from typing import Any

from reader.config import SyncSettings
from reader.refresh.lifeline import end_with_parent, start_resource_tracker
from reader.sync.engine import SyncReport
from reader.sync.service import SyncError

NICENESS = 19


def _child(database: str, settings: SyncSettings, messages: Any, parent: int) -> None:
    end_with_parent(parent)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    from reader.store import Store, StoreError
    from reader.sync.engine import account_of, open_service, run_sync

    try:
        with Store.open(Path(database)) as store:
            service = open_service(settings)
            try:
                report = run_sync(store, service, account_of(settings))
            finally:
                service.close()
    except (SyncError, StoreError) as exc:
        messages.put(("error", str(exc)))
        return
    except Exception as exc:  # one line in words for the app, never a traceback
        messages.put(("error", f"the sync failed unexpectedly: {type(exc).__name__}: {exc}"))
        return
    messages.put(("done", report))


def sync_in_child(database: Path, settings: SyncSettings) -> SyncReport:
    """``run_sync`` in a child process; blocks the calling thread (a worker) until done.
    Raises ``SyncError`` with the sync's one line when it fails."""
    start_resource_tracker()
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    child = context.Process(target=_child, args=(str(database), settings, messages,
                                                 os.getpid()), name="reader-sync")
    child.start()
    try:
        while True:
            try:
                kind, payload = messages.get(timeout=0.1)
            except queue.Empty:
                if not child.is_alive():
                    raise SyncError(f"the sync process ended unexpectedly (exit code"
                                    f" {child.exitcode})") from None
                continue
            if kind == "done":
                assert isinstance(payload, SyncReport)
                return payload
            raise SyncError(str(payload))
    finally:
        child.join(timeout=30)
        if child.is_alive():
            child.terminate()
            child.join()
        messages.close()

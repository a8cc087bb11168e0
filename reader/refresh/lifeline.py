"""Child processes that end when their parent does: ``end_with_parent``.

A refresh's helpers (its parse workers, and the app's refresh process) wait on pipes that they
themselves hold open, so when only their parent was killed (a crash, the OOM killer: not the
whole process group) nothing ever told them: the workers and multiprocessing's resource
tracker ran on for more than a minute, holding memory and the cache's files. Called first thing
in the child, this ties the child's life to the parent's: on Linux the kernel sends SIGKILL the
moment the parent dies (``prctl(PR_SET_PDEATHSIG)``, through ctypes); elsewhere a watchdog
thread checks once a second whether the child was handed to another parent. The resource
tracker needs nothing of its own: it ends when the last process holding its pipe has.

``start_resource_tracker`` is here, not with the parse workers, so that the app, which only
starts a refresh process, does not load what the workers use (feedparser, lxml: 14 MB).
"""

from __future__ import annotations

import functools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

PR_SET_PDEATHSIG = 1
"""From <linux/prctl.h>."""
WATCHDOG_SECONDS = 1.0


@functools.cache
def _prctl() -> Callable[..., int]:
    """libc's ``prctl``, looked up once in a process; a forked child inherits it (the parse
    workers' zygote looks it up for itself before it forks the other workers: importing ctypes
    and looking ``prctl`` up costs 3.3 ms of CPU, median of 15 fresh interpreters).

    Taken from the symbols the process already has loaded (``dlopen(NULL)``, libc's among
    them). Looking libc up by name (``ctypes.util.find_library``) ran ``/sbin/ldconfig -p`` in
    every worker: a fork and exec, and 1.6 ms of CPU (median of 15, the child's included)
    against 0.02 ms. ctypes is imported here, not with the module: processes that import this
    module and never call it (the app, which starts its refresh process through it) skip it."""
    import ctypes

    prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    return prctl


def _parent_death_signal() -> bool:
    """Ask Linux to SIGKILL this process when its parent ends; whether that worked."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return int(_prctl()(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCHDOG_SECONDS)
    os._exit(1)  # no clean-up to run: the parent that wanted the work is gone


def end_with_parent(parent: int) -> None:
    """End this process when the process ``parent`` (its parent, by pid) ends.

    The parent may already have died before this runs (the child was only just started);
    then the child ends at once, since no signal will come for a death that happened before.
    """
    if not _parent_death_signal():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                         name="reader-parent-watchdog").start()
    if os.getppid() != parent:
        os._exit(1)


_TRACKER_LOCK = threading.Lock()


def start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with a stderr that has a real file descriptor.

    The tracker starts with the first worker process and hands its child ``sys.stderr``'s
    descriptor. Inside the app, ``sys.stderr`` is Textual's capture, whose ``fileno()`` is -1,
    so spawning failed with "bad value(s) in fds_to_keep" and every refresh of 8 or more feeds
    started with R failed. Started here first, with a usable stderr, it is simply reused.
    """
    from multiprocessing import resource_tracker

    with _TRACKER_LOCK:
        current = sys.stderr
        try:
            usable = current is not None and current.fileno() >= 0
        except (AttributeError, OSError, ValueError):
            usable = False
        if usable:
            resource_tracker.ensure_running()
            return
        real = sys.__stderr__
        try:
            real_usable = real is not None and real.fileno() >= 0
        except (AttributeError, OSError, ValueError):
            real_usable = False
        devnull = None if real_usable else open(os.devnull, "w")  # noqa: SIM115
        sys.stderr = devnull if devnull is not None else real
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = current
            if devnull is not None:
                devnull.close()

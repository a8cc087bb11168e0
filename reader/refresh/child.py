"""Running a refresh in a child process, so the app's own process only draws the screen.

A refresh fetches hundreds of feeds with an asyncio loop and parses them: in a thread of the
app it would compete with the UI for the interpreter lock, and key presses would wait behind
it. In a child process (started with "spawn": the app runs threads, and forking a threaded
process is unsafe) it competes only for CPU, and it lowers its own priority so the terminal
stays first in line. Progress comes back over a queue, one message per finished feed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from reader.config import FetchSettings
from reader.filters import Rules
from reader.fulltext.options import FullTextOptions
from reader.fulltext.progress import FullTextProgress
from reader.refresh.lifeline import end_with_parent, start_resource_tracker
from reader.refresh.outcomes import ProgressCallback, RefreshProgress, RefreshSummary

NICENESS = 19
"""How much the refresh lowers its priority (its parse workers inherit it): all the way, so
a key press always runs first; an idle UI leaves the refresh every core anyway."""


class RefreshProcessError(Exception):
    """The child process ended without a summary (it crashed or was killed)."""


def _child(database: str, settings: FetchSettings, messages: Any, cancel: Any,
           parent: int, options: dict[str, Any] | None = None, background: bool = True) -> None:
    end_with_parent(parent)  # the app was killed: so is its refresh, and its parse workers
    if background:
        with contextlib.suppress(OSError):  # not allowed here: run at the same priority
            os.nice(NICENESS)
    # Here, not at the top: the app imports this module only to start the child, and the
    # fetch and parse layers (httpx, feedparser, lxml) cost 14 MB in a process that never
    # uses them. The parse workers' zygote first: it imports the parser while this process
    # imports the rest (``zygote``).
    from reader.refresh import zygote

    zygote.begin(background)
    from reader.refresh.pipeline import refresh_feeds
    # ``cancel`` (a multiprocessing Event) is only polled, before each feed, never waited on:
    # a process that ends while registered as a waiter on a multiprocessing Event makes the
    # parent's later set() block for ever. Polled by the refresh itself, no thread watches
    # it, so the refresh can fork its parse workers (``parse_workers``: a process running
    # one thread only).
    # Without full text nothing follows the feeds: "feeds" is sent only when pages do.
    pages = bool(options and options.get("full_text") is not None)
    try:
        summary = refresh_feeds(
            Path(database), settings, cancel=cancel, background=background,
            progress=lambda update: messages.put(("progress", update)),
            full_text_progress=lambda step: messages.put(("full_text", step)),
            feeds_done=(lambda feeds: messages.put(("feeds", feeds))) if pages else None,
            **(options or {}),
        )
    except Exception as exc:  # reported to the app as one line in words, never a traceback
        messages.put(("error", str(exc) or "the refresh failed unexpectedly"))
        return
    messages.put(("done", summary))


def refresh_in_child(
    database: Path, settings: FetchSettings, *, progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None, feed_ids: Sequence[int] | None = None,
    due_only: bool = False, filters: Rules | None = None,
    full_text: FullTextOptions | None = None,
    full_text_progress: Callable[[FullTextProgress], None] | None = None,
    feeds_done: Callable[[RefreshSummary], None] | None = None, background: bool = True,
) -> RefreshSummary:
    """``refresh_feeds`` in a child process; blocks the calling thread (a worker) until done.

    ``progress`` is called in the calling thread; setting ``cancel`` asks the child to skip
    the feeds it has not started. ``feed_ids``, ``due_only``, ``filters`` and ``full_text``
    are ``refresh_feeds``'s own: with ``full_text``, the pages and images of new stories are
    saved once the feeds are done (``feeds_done`` hears of that, ``full_text_progress`` of
    each page).

    ``background`` (the app's refresh): the child runs at the lowest priority (``NICENESS``)
    and its parse workers on the idle class, so a key press always runs first. That is a
    share of the cores, not a promise to finish: beside processes of the same session that
    keep every core busy (Linux shares the cores between sessions first), such a child gets
    next to none until they stop. Without it, the child runs at its caller's priority.
    """
    options = {"feed_ids": list(feed_ids) if feed_ids is not None else None,
               "due_only": due_only, "filters": filters, "full_text": full_text}
    start_resource_tracker()  # spawning from inside Textual needs it (see there)
    context = multiprocessing.get_context("spawn")
    messages = context.Queue()
    child_cancel = context.Event()
    child = context.Process(target=_child, args=(str(database), settings, messages,
                                                 child_cancel, os.getpid(), options,
                                                 background),
                            name="reader-refresh")
    child.start()
    try:
        return receive_until_done(messages, child, progress=progress, cancel=cancel,
                        child_cancel=child_cancel, full_text_progress=full_text_progress,
                        feeds_done=feeds_done)
    finally:
        if child.is_alive() and not child_cancel.is_set():
            child_cancel.set()  # we are leaving early: let the child skip what is left
        child.join(timeout=30)
        if child.is_alive():
            child.terminate()
            child.join()
        messages.close()


class ChildProcess(Protocol):
    """What ``receive_until_done`` needs of the child: whether it runs, how it ended."""

    def is_alive(self) -> bool:
        """Whether the child still runs."""
        ...

    @property
    def exitcode(self) -> int | None:
        """How it ended (None while it runs)."""
        ...


DRAIN_WAIT = 1.0
"""Seconds to wait for what a child that has ended still has in the pipe. A child's queue is
flushed before it exits, so this is only ever waited in full when it really died early."""


def receive_until_done(
    messages: Any, child: ChildProcess, *, progress: ProgressCallback | None,
    cancel: threading.Event | None, child_cancel: Any,
    full_text_progress: Callable[[FullTextProgress], None] | None = None,
    feeds_done: Callable[[RefreshSummary], None] | None = None,
) -> RefreshSummary:
    """Hand the child's messages on until its summary (or its error) arrives.

    A child that has ended is not yet a child that died: it may have put its "done" and
    exited between our last look at the queue and ``is_alive()``. So its messages are read to
    the end before the refresh is called failed.
    """
    while True:
        if cancel is not None and cancel.is_set() and not child_cancel.is_set():
            child_cancel.set()
        try:
            kind, payload = messages.get(timeout=0.1)
        except queue.Empty:
            if child.is_alive():
                continue
            try:
                kind, payload = messages.get(timeout=DRAIN_WAIT)
            except queue.Empty:
                raise RefreshProcessError(
                    f"the refresh process ended unexpectedly (exit code {child.exitcode})"
                ) from None
        if kind == "progress" and progress is not None:
            assert isinstance(payload, RefreshProgress)
            progress(payload)
        elif kind == "full_text" and full_text_progress is not None:
            assert isinstance(payload, FullTextProgress)
            full_text_progress(payload)
        elif kind == "feeds" and feeds_done is not None:
            assert isinstance(payload, RefreshSummary)
            feeds_done(payload)
        elif kind == "done":
            assert isinstance(payload, RefreshSummary)
            return payload
        elif kind == "error":
            raise RefreshProcessError(str(payload))

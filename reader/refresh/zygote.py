"""Parse workers forked from a zygote, so that the refreshing process never loads the parser.

A refresh parses in worker processes forked from it (``parse_workers``). A fork inherits every
module already imported, so the refreshing process used to import the whole parse stack
(feedparser, lxml, ftfy, html.parser, our parse modules: ~185 M instructions) only for its
workers to inherit it, on its one serial stage before its first request, and then to fork
itself with everything imported (40-70 ms of page tables on this machine).

Instead, at the very start of a refresh (``begin``: the command line's ``reader refresh`` from
its entry point, the app's refresh process as it starts), this process forks a **zygote**
that imports the parse stack (with the start cache still loaded: ``start_cache.fork_keeping``)
while the refreshing process goes on importing the fetch and store stack and connects. The
zygote then forks the other workers and is itself the first (``WorkerProcesses``); the
refreshing process never imports the parser unless a worker dies (``parse_workers`` then
parses in a thread). Each worker talks to the refreshing process over its own socketpair,
made before the zygote's fork: a length-prefixed pickle of (function, arguments) one way, of
(True, result) or (False, exception) back. On this side, ``ForkedWorkers`` is a
``concurrent.futures.Executor``: a thread for each worker takes the next call, sends it,
waits for the answer and settles the call's future.

Measured against the refreshing process importing the parser itself, a cold refresh of the
real corpus (198 feeds over loopback; callgrind, every process, same interpreter): the
refreshing process from exec to its first connect 681 -> 531 M instructions (-22 %), its
whole run 3,369 -> 3,124 M, the workers 8,243 -> 8,491 M (the zygote's imports), all
processes 11,612 -> 11,615 M (the same: the import moved, it was not added). At 50 ms a
request, 10 alternating pairs on a loaded 2-core machine: the first connect 0.42 -> 0.29 s,
the first document parsed 0.54 -> 0.42 s, the whole refresh 3.39 -> 3.21 s wall; the fork
itself 3 ms at 0.06 s instead of 30-40 ms at 0.35 s (page tables of a process that had
imported everything). The zygote is the first worker rather than a process that only forks
them: forking another from it costs 1.3 ms, and an idle zygote would keep ~35 MB resident.

What a worker inherits and how it ends:
- the zygote is forked while the process runs its one thread, before its event loop, its
  cache connection or any socket but the workers' own; a worker keeps only its own socket of
  the pairs (never another worker's end, which would keep that worker's EOF from coming);
- every worker ignores SIGINT (Ctrl-C is the refreshing process's to handle: it closes the
  pool); the zygote ends with the refreshing process and the other workers with the zygote
  (``lifeline.end_with_parent``), and each ends when its socket reaches its end, so closing
  the pool (``ForkedWorkers.shutdown``) ends them all; the zygote waits for its children and
  the pool for the zygote (no zombie is left);
- a worker that dies breaks the pool: its call and every call after it fail with
  ``BrokenProcessPool``, as a ``ProcessPoolExecutor``'s would;
- the collector rests in the zygote while it imports, what it imported is frozen before the
  workers are forked (their collections never touch, and so copy, those pages), and each
  worker collects as usual from its start.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import pickle
import queue
import signal
import socket
import struct
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

from reader import start_cache
from reader.refresh.lifeline import end_with_parent

MAX_PARSE_WORKERS = 8
PARSE_WORKER_NICENESS = 10
"""How much lower than the refreshing process background parse workers run where there is no
SCHED_IDLE."""
FOREGROUND_WORKER_NICENESS = 5
"""How much lower than the refreshing process the parse workers of a refresh someone waits for
run (``set_worker_priority``)."""

_HEADER = struct.Struct("!Q")
_pending: list[ForkedWorkers] = []


def can_fork() -> bool:
    """Whether worker processes can be forked from here now: on Linux, from the main thread of
    a process running no other thread (forking a threaded process can leave the child holding
    locks that no thread of its own will ever release)."""
    return (sys.platform.startswith("linux") and threading.active_count() == 1
            and threading.current_thread() is threading.main_thread())


def default_workers() -> int:
    """Parse workers for a refresh that forks them: one per core, up to ``MAX_PARSE_WORKERS``;
    none on one core (a thread then parses)."""
    workers = min(os.cpu_count() or 1, MAX_PARSE_WORKERS)
    return workers if workers > 1 else 0


def set_worker_priority(background: bool) -> None:
    """In a parse worker: its priority below the refreshing process's.

    ``background`` (the app's refresh, whose process already runs at the lowest priority so
    the terminal stays first in line): the worker also takes only CPU time nothing else wants,
    on Linux's idle scheduling class (elsewhere a plain lower priority). A refresh someone
    waits for (``reader refresh``) keeps its workers off the idle class: there they got a core
    only when nothing else on the machine wanted it, so a refresh crawled while anything ran
    beside it. Real corpus over loopback with the machine's other load kept off (the refresh
    and its server at real-time round-robin priority; the workers one priority lower to stand
    for the idle class), same run: 2.32 s wall and 3.38 s CPU with the workers at the
    refresh's priority, 2.46 s and 3.71 s one lower; 500 generated feeds: 9.8 s and 15.7 s
    against 12.0 s and 19.4 s.

    Its workers do run a little lower than the refresh itself (``FOREGROUND_WORKER_NICENESS``,
    an ordinary share of the cores, not the idle class): the refresh's own threads (fetching,
    writing) then run when they are ready instead of waiting behind two parses, and the parses
    take every moment those threads leave. A cold refresh of the real corpus over loopback
    (50 ms a request, 32 addresses), 20 alternating pairs on a 2-core machine with nothing else
    running: 16 of the 20 pairs took less CPU and less wall time with the workers at +5, the
    medians 3.48 / 3.60 s wall and 5.36 / 5.69 s CPU against 3.82 / 3.89 s and 6.03 / 6.07 s in
    two passes of 10.
    """
    if not background:
        with contextlib.suppress(OSError):
            os.nice(FOREGROUND_WORKER_NICENESS)
        return
    with contextlib.suppress(OSError):
        os.nice(PARSE_WORKER_NICENESS)
    with contextlib.suppress(OSError, AttributeError):  # SCHED_IDLE is Linux's
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def begin(background: bool = False) -> None:
    """At the very start of a refresh that will fork its parse workers (before its imports):
    fork the zygote now, for ``take`` to hand to the refresh. Nothing where forking is not
    safe (``can_fork``) or on one core."""
    workers = default_workers()
    if _pending or not workers or not can_fork():
        return
    try:
        pool = start(workers, background)
    except OSError:  # (no process or descriptor left): the refresh tries again itself, and says so
        return
    _pending.append(pool)
    atexit.register(_discard)


def take(workers: int, background: bool) -> ForkedWorkers | None:
    """The workers ``begin`` forked, if they are the ``workers`` asked for (else they are
    ended)."""
    if not _pending:
        return None
    pool = _pending.pop()
    if pool.workers == workers and pool.background == background:
        return pool
    pool.shutdown(wait=True, cancel_futures=True)
    return None


def _discard() -> None:
    """At exit: the workers ``begin`` forked that no refresh took (the command failed before
    it started) are ended at once, whatever they are importing."""
    while _pending:
        _pending.pop().kill()


def start(workers: int, background: bool) -> ForkedWorkers:
    """Fork the zygote of ``workers`` parse workers; they are ready for calls at once (a call
    waits in its worker's socket until the worker has imported the parser)."""
    pairs: list[tuple[socket.socket, socket.socket]] = []
    parent = os.getpid()
    # Ctrl-C waits until the zygote ignores it: a KeyboardInterrupt in the zygote before that
    # would unwind the refreshing process's own code in it.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        try:
            for _ in range(workers):
                pairs.append(socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM))
            pid = start_cache.fork_keeping()
        except OSError:
            for pair in pairs:
                for sock in pair:
                    sock.close()
            raise
        if pid == 0:
            status = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
                for ours, _ in pairs:
                    ours.close()
                _zygote([theirs for _, theirs in pairs], parent, background)
                status = 0
            except Exception as exc:  # said in one line, not hidden: the refresh parses itself
                _say_failed(exc)
            finally:
                os._exit(status)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    for _, theirs in pairs:
        theirs.close()
    return ForkedWorkers([ours for ours, _ in pairs], pid, background)


def _say_failed(exc: Exception) -> None:
    """In the zygote: why it could not serve (a broken install: the parser does not import),
    one line on stderr. Its workers' sockets then end, the refresh's first parse finds the pool
    broken and parses in a thread of its own, which meets the same problem and says it per
    feed: a traceback here would only bury that."""
    reason = " ".join(str(exc).split()) or type(exc).__name__
    with contextlib.suppress(Exception):
        sys.stderr.write(f"reader: the parse workers could not start ({reason[:300]});"
                         " parsing in the refresh's own process\n")
        sys.stderr.flush()


def _zygote(sockets: list[socket.socket], parent: int, background: bool) -> None:
    """In the zygote: import the parse stack, fork the other workers, and be the first."""
    end_with_parent(parent)
    gc.disable()  # (the command line's is paused already; the app's refresh process's is not)
    set_worker_priority(background)
    from reader.refresh.parse_jobs import load_parse_stack

    load_parse_stack()
    start_cache.stop()  # (writes what it had to compile: the next zygote takes it from there)
    gc.freeze()
    zygote = os.getpid()
    children = []
    for index in range(1, len(sockets)):
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                for other, sock in enumerate(sockets):
                    if other != index:
                        sock.close()
                end_with_parent(zygote)
                gc.enable()
                _serve(sockets[index])
                status = 0
            finally:
                os._exit(status)
        children.append(pid)
    for sock in sockets[1:]:
        sock.close()
    gc.enable()
    _serve(sockets[0])
    for pid in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _receive(sock: socket.socket) -> bytearray:
    """One message: its length, then as many bytes (EOFError at the end of the stream)."""
    header = _exactly(sock, _HEADER.size)
    return _exactly(sock, _HEADER.unpack(header)[0])


def _exactly(sock: socket.socket, size: int) -> bytearray:
    data = bytearray(size)
    view = memoryview(data)
    got = 0
    while got < size:
        read = sock.recv_into(view[got:])
        if not read:
            raise EOFError("the other end closed its socket")
        got += read
    return data


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(_HEADER.pack(len(payload)))
    sock.sendall(payload)


def _serve(sock: socket.socket) -> None:
    """In a worker: answer calls until the refreshing process closes its end."""
    while True:
        try:
            message = _receive(sock)
        except (EOFError, OSError):
            return
        answer: tuple[bool, Any]
        try:
            function, args = pickle.loads(message)
            answer = (True, function(*args))
        except Exception as exc:  # the caller's to handle, as from a call in its own process
            answer = (False, exc)
        try:
            payload = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # a result or an exception that cannot be pickled
            payload = pickle.dumps((False, RuntimeError(f"unpicklable answer: {exc!r}")))
        try:
            _send(sock, payload)
        except OSError:
            return


_Call = tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]


class ForkedWorkers(Executor):
    """The refreshing process's side of the zygote's workers: ``submit`` hands the call to the
    next idle worker's thread, which sends it, waits for the answer and settles the future.

    The threads start with the first call, so the process still runs one thread until its
    refresh starts."""

    def __init__(self, sockets: list[socket.socket], zygote: int, background: bool) -> None:
        self.workers = len(sockets)
        self.background = background
        self.zygote = zygote
        self._sockets = sockets
        self._calls: queue.SimpleQueue[_Call | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._broken = ""
        self._shut = False
        self._reaped = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run ``fn(*args)`` in a worker (no keyword arguments: none of the refresh's calls
        has any)."""
        if kwargs:
            raise TypeError("a forked worker's call takes no keyword arguments")
        with self._lock:
            if self._broken:
                raise _broken_pool(self._broken)
            if self._shut:
                raise RuntimeError("cannot schedule new calls after shutdown")
            if not self._threads:
                self._threads = [
                    threading.Thread(target=self._work, args=(sock,), daemon=True,
                                     name=f"reader-parse-{n}")
                    for n, sock in enumerate(self._sockets)]
                for thread in self._threads:
                    thread.start()
            future: Future[Any] = Future()
            self._calls.put((future, fn, args))
            return future

    def _work(self, sock: socket.socket) -> None:
        """One worker's thread: its calls, one at a time, until shutdown or its death."""
        while True:
            call = self._calls.get()
            if call is None:
                return
            future, fn, args = call
            if not future.set_running_or_notify_cancel():
                continue
            try:
                payload = pickle.dumps((fn, args), pickle.HIGHEST_PROTOCOL)
            except Exception as exc:
                future.set_exception(exc)
                continue
            try:
                _send(sock, payload)
                answer = _receive(sock)
            except (EOFError, OSError):
                self._break("a parse worker ended unexpectedly")
                future.set_exception(_broken_pool(self._broken))
                return
            try:
                ok, value = pickle.loads(answer)
            except Exception as exc:  # (the stream is still whole: only this answer is lost)
                future.set_exception(exc)
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    def _break(self, why: str) -> None:
        """A worker died: every call waiting fails as the pool's calls would."""
        with self._lock:
            if not self._broken:
                self._broken = why
        self._cancel_waiting(_broken_pool(why))

    def _cancel_waiting(self, error: BaseException | None) -> None:
        while True:
            try:
                call = self._calls.get_nowait()
            except queue.Empty:
                return
            if call is None:  # (shutdown's: keep it for the threads)
                self._calls.put(None)
                return
            future = call[0]
            if error is None:
                future.cancel()
            elif future.set_running_or_notify_cancel():
                future.set_exception(error)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """End the workers: their sockets are closed once the calls they run are answered
        (with ``cancel_futures``, the calls still waiting are cancelled first); with ``wait``
        once they have all ended, else in a thread of its own."""
        with self._lock:
            self._shut = True
        if cancel_futures:
            self._cancel_waiting(None)
        for _ in self._threads:
            self._calls.put(None)
        if wait:
            self._end()
        else:
            threading.Thread(target=self._end, name="reader-parse-end").start()

    def _end(self) -> None:
        if not self._threads:  # never used: no need to wait for it to finish its imports
            self.kill()
            return
        for thread in self._threads:
            thread.join()
        for sock in self._sockets:
            sock.close()
        self._reap()

    def kill(self) -> None:
        """End the workers at once, whatever they do (nothing was ever sent to them)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.zygote, signal.SIGKILL)
        for sock in self._sockets:
            sock.close()
        self._reap()

    def _reap(self) -> None:
        with self._lock:
            if self._reaped:
                return
            self._reaped = True
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.zygote, 0)


def _broken_pool(why: str) -> Exception:
    """The exception a ``ProcessPoolExecutor`` raises once a worker has died (imported only
    then: ``concurrent.futures.process`` loads multiprocessing)."""
    from concurrent.futures.process import BrokenProcessPool

    return BrokenProcessPool(why)

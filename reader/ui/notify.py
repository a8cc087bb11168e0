"""``notify_command``: a program the app runs after a refresh that brought new stories.

An argument list, never a shell: ``["notify-send", "reader", "{new} new stories"]`` runs
``notify-send`` with ``{new}`` replaced by the number inside any argument, so nothing in the
config (or a story) can turn into shell syntax. It runs on a worker thread, with no input and
its output discarded, for at most ``NOTIFY_TIMEOUT``; a program that is missing or fails is one
line for the status line, and the app carries on.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

from reader.text import clean_line

NOTIFY_TIMEOUT = 10.0
"""Seconds a notification program may take (``notify-send`` takes milliseconds)."""


def notify_argv(command: Sequence[str], new: int) -> list[str]:
    """The command with ``{new}`` replaced in every argument (only that placeholder: a
    ``{`` of any other kind stays as written)."""
    return [part.replace("{new}", str(new)) for part in command]


def run_notify(command: Sequence[str], new: int) -> str | None:
    """Run the notification program; None when it ran, else one line saying why not."""
    argv = notify_argv(command, new)
    name = clean_line(argv[0])
    try:
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=NOTIFY_TIMEOUT, check=False)
    except FileNotFoundError:
        return f"notify_command: {name} was not found"
    except PermissionError:
        return f"notify_command: {name} cannot be run (permission denied)"
    except subprocess.TimeoutExpired:
        return f"notify_command: {name} took more than {NOTIFY_TIMEOUT:g} s and was stopped"
    except OSError as exc:
        return f"notify_command: {name} cannot be run ({clean_line(exc.strerror or str(exc))})"
    if done.returncode != 0:
        said = clean_line(done.stderr.decode("utf-8", "replace").strip().splitlines()[0]
                          if done.stderr.strip() else "")
        return (f"notify_command: {name} failed (exit status {done.returncode})"
                + (f": {said[:120]}" if said else ""))
    return None

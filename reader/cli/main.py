"""Entry point: dispatch, and the one-line error contract.

Every failure a user can cause (bad option, unknown id, unreadable folder or file, bad config)
ends as one ``reader: error: ...`` line on stderr and exit status 2, never a traceback. The
command line is read by argparse (``reader.cli.parser``), except ``reader`` with no command:
the app's two options are read here (``app_arguments``), without argparse or a command module.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from reader import collector, start_cache
from reader.cli.context import EXIT_USAGE, CommandError, Context
from reader.config import ConfigError
from reader.seed.loader import SeedDirError
from reader.store import StoreError

if TYPE_CHECKING:
    import argparse

APP_OPTIONS = ("--home", "--seeds")


class AppArguments(NamedTuple):
    """``reader`` with no command: the app's home folder and extra seed folders."""

    home: str | None
    seeds: list[str]


def app_arguments(argv: Sequence[str] | None) -> AppArguments | None:
    """The arguments of ``reader`` with no command (``reader``, ``reader --home DIR``,
    ``--home=DIR``, ``--seeds DIR`` repeated), read without argparse; None for any other
    command line, which ``build_parser`` reads as always (its commands, ``--help``,
    ``--version``, abbreviations and mistakes), and for a value that starts with ``-``,
    which argparse may read as an option: it decides those too.

    The app needs neither the command modules nor argparse: importing and registering the
    modules (with the related-stories, search-output and link modules they import) was ~10 ms
    of the first paint, argparse itself ~2 ms."""
    args = list(sys.argv[1:] if argv is None else argv)
    home: str | None = None
    seeds: list[str] = []
    at = 0
    while at < len(args):
        option, equals, value = args[at].partition("=")
        if option not in APP_OPTIONS:
            return None
        if equals:
            at += 1
        elif at + 1 < len(args) and not args[at + 1].startswith("-"):
            value = args[at + 1]
            at += 2
        else:
            return None
        if option == "--home":
            home = value
        else:
            seeds.append(value)
    return AppArguments(home, seeds)


def _tolerant_output() -> None:
    """On a terminal that cannot show every character (PYTHONIOENCODING=ascii, a Latin-1
    locale), print '?' for the rest rather than stopping with a traceback."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command (or the app); every failure a user can cause is one line, exit 2.

    Called as the process's entry point (no ``argv``), the cycle collector rests while the
    command loads (``collector.pause_start_up``) and resumes, with what loading made frozen,
    as the command's work begins; ``reader refresh`` resumes it itself once its parse workers
    are forked (``refresh.pipeline``), so they inherit the frozen objects."""
    if argv is None:
        collector.pause_start_up()
    _tolerant_output()
    app = app_arguments(argv)
    if app is not None:
        return _run(app.home, app.seeds, None)
    from reader.cli.parser import build_parser  # argparse: every command line but the app's

    args = build_parser().parse_args(argv)
    return _run(args.home, args.seeds, args)


def _run(home: str | None, seeds: list[str], args: argparse.Namespace | None) -> int:
    """Open the context and run the app (``args`` None: no command) or ``args``'s command."""
    context: Context | None = None
    try:
        context = Context.create(home, seeds, lenient_config=args is None or args.command is None)
        if args is None or args.command is None:
            from reader.ui.launch import run_app  # Textual loads only for the app

            collector.end_start_up()  # the app pauses it again for its own start
            return run_app(context)  # (its start, Textual's imports, ends with its first frame)
        if args.command != "refresh":  # (a refresh ends its start-up itself: refresh.pipeline)
            collector.end_start_up()
            start_cache.stop()
        status = int(args.func(context, args) or 0)
        # Flushed here, not at exit: with stdout buffered (the default, unless
        # PYTHONUNBUFFERED is set) a closed pipe shows only when the buffer is written, and
        # at exit that is an "Exception ignored ... BrokenPipeError" and status 120.
        sys.stdout.flush()
        return status
    except (CommandError, ConfigError, SeedDirError, StoreError) as exc:
        print(f"reader: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as exc:  # a command may say what it kept (refresh)
        print(f"reader: interrupted{f': {exc}' if str(exc) else ''}", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `reader list | head`: the reader of our output left; that is not an error.
        _discard_stdout()
        return 0
    finally:
        collector.end_start_up()
        start_cache.stop()
        if context is not None:
            context.close()


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so what is still buffered goes nowhere, quietly, at exit."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)

"""Entry point: argparse set-up, dispatch, and the one-line error contract.

Every failure a user can cause (bad option, unknown id, unreadable folder or file, bad config)
ends as one ``reader: error: ...`` line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import NoReturn

from reader import __version__, collector
from reader.cli.context import CommandError, Context
from reader.config import ConfigError
from reader.seed.loader import SeedDirError
from reader.store import StoreError

EXIT_USAGE = 2
COMMAND_MODULES = ("stories", "marks", "save", "feeds", "edit", "filters", "search", "sync",
                   "fulltext")
"""The modules of ``reader.cli`` with commands: each has ``register(subparsers)``, and its
commands set ``func`` on their parser. Imported by ``build_parser`` only (see ``app_arguments``)."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line naming the fix, not the whole usage block."""

    def error(self, message: str) -> NoReturn:
        """Exit 2 with one ``reader: error:`` line instead of the usage block."""
        # Always "reader: error:", the one prefix of every error, a subcommand's too.
        self.exit(EXIT_USAGE, f"reader: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The whole ``reader`` command line: each command module registers its own."""
    parser = OneLineParser(
        prog="reader",
        description="A keyboard-driven terminal news reader. With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    parser.add_argument(
        "--home", metavar="DIR",
        help="keep the cache and config under DIR (default: $READER_HOME or the user folders)",
    )
    parser.add_argument(
        "--seeds", metavar="DIR", action="append", default=[],
        help="also load the article files in DIR (repeatable)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)
    for name in COMMAND_MODULES:
        import_module(f"reader.cli.{name}").register(sub)
    return parser


class _NotTheAppAlone(Exception):
    """The command line names a command, asks for help or has a mistake."""


class _AppOptionsParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _NotTheAppAlone(message)


def app_arguments(argv: Sequence[str] | None) -> argparse.Namespace | None:
    """The arguments of ``reader`` with no command (``reader``, ``reader --home DIR``), read
    without the command modules; None for any other command line, which ``build_parser``
    reads as always (its commands, ``--help``, ``--version``, abbreviations and mistakes).

    The app needs none of the command modules, and importing and registering them all (with
    the related-stories, search-output and link modules they import) was ~10 ms of the first
    paint."""
    parser = _AppOptionsParser(prog="reader", add_help=False, allow_abbrev=False)
    parser.add_argument("--home")
    parser.add_argument("--seeds", action="append", default=[])
    try:
        args, rest = parser.parse_known_args(argv)
    except _NotTheAppAlone:
        return None
    if rest:
        return None
    args.command = None
    return args


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
    args = app_arguments(argv)
    if args is None:
        args = build_parser().parse_args(argv)
    context: Context | None = None
    try:
        context = Context.create(args.home, args.seeds, lenient_config=args.command is None)
        if args.command is None:
            from reader.ui.launch import run_app  # Textual loads only for the app

            collector.end_start_up()  # the app pauses it again for its own start
            return run_app(context)
        if args.command != "refresh":
            collector.end_start_up()
        status = int(args.func(context, args) or 0)
        # Flushed here, not at exit: with stdout buffered (the default, unless
        # PYTHONUNBUFFERED is set) a closed pipe shows only when the buffer is written, and
        # at exit that is an "Exception ignored ... BrokenPipeError" and status 120.
        sys.stdout.flush()
        return status
    except (CommandError, ConfigError, SeedDirError, StoreError) as exc:
        print(f"reader: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("reader: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `reader list | head`: the reader of our output left; that is not an error.
        _discard_stdout()
        return 0
    finally:
        collector.end_start_up()
        if context is not None:
            context.close()


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so what is still buffered goes nowhere, quietly, at exit."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)

"""The whole ``reader`` command line as an argparse parser, for every command but the app.

Kept apart from ``reader.cli.main`` so that ``reader`` with no command (the app) never imports
argparse (with gettext, ~2 ms of the first paint) nor the command modules: ``main`` reads the
app's two options itself (``app_arguments``) and builds this parser for anything else.
"""

from __future__ import annotations

import argparse
from importlib import import_module
from typing import NoReturn

from reader import __version__
from reader.cli.context import EXIT_USAGE

COMMAND_MODULES = ("stories", "marks", "save", "feeds", "edit", "filters", "search", "sync",
                   "fulltext")
"""The modules of ``reader.cli`` with commands: each has ``register(subparsers)``, and its
commands set ``func`` on their parser. Imported by ``build_parser`` only (see
``reader.cli.main.app_arguments``)."""


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

"""The whole ``reader`` command line as an argparse parser, for every command but the app.

Kept apart from ``reader.cli.main`` so that ``reader`` with no command (the app) never imports
argparse (with gettext, ~2 ms of the first paint) nor the command modules: ``main`` reads the
app's two options itself (``app_arguments``) and builds this parser for anything else.

Mistakes name the fix, as ``git`` does: a misspelt command or option is answered with the
close ones (``unknown option '--unred' for 'reader list'; did you mean --unread?``), and the
options of every command (``--home``, ``--seeds``) are read after the command as well as
before it (``reader list --home DIR``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import Any, NoReturn

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

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        """An unknown command or choice: says which are close (``did you mean 'list'?``)
        rather than only listing every one."""
        if action.choices is None or value in action.choices:
            return
        import difflib  # here and in ``_unrecognized``: only a mistake needs it

        names = [str(choice) for choice in action.choices]
        if isinstance(action, argparse._SubParsersAction):
            message = f"unknown command {value!r}"
        else:
            message = (f"argument {argparse._get_action_name(action)}: invalid choice: "
                       f"{value!r} (choose from {', '.join(map(repr, names))})")
        close = difflib.get_close_matches(str(value), names, n=3, cutoff=0.75)
        if close:
            message += f"; did you mean {' or '.join(map(repr, close))}?"
        raise argparse.ArgumentError(None, message)

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: None = None) -> argparse.Namespace:
        """The whole command line; a word it does not know is one line naming the command
        it was given to and that command's close options."""
        argv = list(sys.argv[1:] if args is None else args)
        self._check_leading_options(argv)
        parsed, extras = self.parse_known_args(argv, namespace)
        command = self._commands.get(getattr(parsed, "command", None) or "", self)
        if extras:
            command.error(_unrecognized(command, extras))
        if hasattr(parsed, "command_home"):  # given after the command: the later one counts
            parsed.home = parsed.__dict__.pop("command_home")
        parsed.seeds = [*parsed.seeds, *parsed.__dict__.pop("command_seeds", [])]
        return parsed

    @property
    def _commands(self) -> dict[str, argparse.ArgumentParser]:
        """Each command's parser by name (none on a command's own parser)."""
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}

    def _check_leading_options(self, argv: list[str]) -> None:
        """An unknown option before the command (``reader --hme DIR list``) is named as such:
        argparse would set it aside and take its value for the command (``unknown command
        'DIR'``)."""
        takes_value = {"--home", "--seeds"}
        known = [option for option in self._option_string_actions]
        at = 0
        while at < len(argv) and argv[at].startswith("-") and argv[at] != "--":
            name, equals, _ = argv[at].partition("=")
            matches = [name] if name in known else [
                option for option in known if option.startswith(name) and name.startswith("--")]
            if not matches:
                self.error(_unrecognized(self, [argv[at]]))
            if len(matches) > 1:
                return  # argparse says it is ambiguous
            at += 2 if matches[0] in takes_value and not equals else 1


def _unrecognized(parser: argparse.ArgumentParser, extras: list[str]) -> str:
    """What is wrong with the words ``parser`` did not take: an unknown option (and the close
    ones), or words too many."""
    import difflib

    options = [option for option in parser._option_string_actions if option.startswith("--")]
    for word in extras:
        if not word.startswith("-") or word == "-":
            continue
        name = word.partition("=")[0]
        message = f"unknown option {name!r} for {parser.prog!r}"
        close = difflib.get_close_matches(name, options, n=3, cutoff=0.75)
        if close:
            return f"{message}; did you mean {' or '.join(close)}?"
        if any(action.metavar == "QUERY" for action in parser._actions):
            return f"{message}; put -- before a query that starts with -: {parser.prog} -- {word}"
        return message
    return f"unexpected {'words' if len(extras) > 1 else 'word'}: {' '.join(extras)}" \
        " (quote a value that has spaces)"


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
    for command in sub.choices.values():  # ``reader list --home DIR`` as well
        command.add_argument("--home", metavar="DIR", dest="command_home",
                             default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        command.add_argument("--seeds", metavar="DIR", dest="command_seeds", action="append",
                             default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    return parser

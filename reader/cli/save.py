"""``reader save ID [DIR]``: a story as a Markdown file, as ``w`` saves it in the app."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reader.cli.context import CommandError, Context
from reader.paths import save_dir


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``save`` command on the ``reader`` parser."""
    p = sub.add_parser(
        "save", help="save a story as a Markdown file",
        description="Write a story (title, source, date, URL, text, links) as a Markdown file "
                    "named from its title and date, never overwriting one, and print its path. "
                    "DIR defaults to save_dir in the config, else the documents folder's "
                    "'reader' ('saved' under READER_HOME).")
    p.add_argument("id", metavar="ID", help="story id (or a unique prefix of it)")
    p.add_argument("dir", metavar="DIR", nargs="?", help="the folder to write it into")
    p.set_defaults(func=cmd_save)


def cmd_save(context: Context, args: argparse.Namespace) -> int:
    """``reader save ID [DIR]``: prints the new file's path."""
    from reader.saving import save_story  # only this command writes files

    story = context.store().get_story(args.id)
    folder = Path(args.dir).expanduser() if args.dir else save_dir(
        context.paths, context.config.programs.save_dir)
    try:
        path = save_story(story, folder)
    except OSError as exc:
        raise CommandError(f"cannot save into {folder}: {exc.strerror or exc}") from None
    sys.stdout.write(f"{path}\n")
    return 0

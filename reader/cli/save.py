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
    p.add_argument("dir", metavar="DIR", nargs="?",
                   help="the folder to write it into; a name ending in .md that is not a "
                   "folder is the file to write (never overwritten)")
    p.set_defaults(func=cmd_save)


def cmd_save(context: Context, args: argparse.Namespace) -> int:
    """``reader save ID [DIR]``: prints the new file's path. A DIR that names a file (one
    there already, or a new name ending in ``.md``) is not taken for a folder to make: ``reader
    save ID story.md`` made a folder ``story.md`` with the story in it, and a DIR that is a
    file said only ``File exists``."""
    from reader.saving import save_story, save_story_as  # only this command writes files

    story = context.store().get_story(args.id)
    folder = Path(args.dir).expanduser() if args.dir else save_dir(
        context.paths, context.config.programs.save_dir)
    try:
        if args.dir and not folder.is_dir() and folder.suffix.lower() == ".md":
            if folder.exists() or folder.is_symlink():
                raise CommandError(f"{folder} is there already: a file is never overwritten")
            path = save_story_as(story, folder)
        elif folder.exists() and not folder.is_dir():
            raise CommandError(f"cannot save into {folder}: it is a file, not a folder")
        else:
            path = save_story(story, folder)
    except OSError as exc:
        raise CommandError(f"cannot save into {folder}: {exc.strerror or exc}") from None
    sys.stdout.write(f"{path}\n")
    return 0

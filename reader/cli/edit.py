"""``reader edit URL|ID``: change one feed's settings, an option per setting.

Each setting is one ``FeedEdit`` in ``EDITS``: how its option is declared and the function that
applies a given value (returning a few words saying what it did). ``cmd_edit`` applies every
option given, in ``EDITS`` order, and prints one line. The app's sources screen changes a
feed through the same store functions (``reader.store.feeds``), so both say the same things.
A bad value is refused by the option's own parser before the cache is opened: one
``reader: error:`` line, exit 2, nothing changed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from reader.cli.context import CommandError, Context
from reader.models import FULL_TEXT_MODES, Source
from reader.records import record
from reader.schedule import DAY, MINUTE, DurationError, check_duration, format_duration
from reader.store import Store
from reader.store.feeds import find_feed, rename_feed, set_group, set_interval
from reader.text import clean_line

MIN_INTERVAL = MINUTE
MAX_INTERVAL = 30 * DAY
"""A feed's own interval: from a minute to a month (``0`` removes it)."""


@record
class FeedEdit:
    """One ``reader edit`` option: how to declare it and how to apply a given value.

    ``apply`` gets the store, the feed and the parsed value, changes it, and returns a
    few words saying what it did ("title: Tech news")."""

    dest: str
    add: Callable[[argparse.ArgumentParser], None]
    apply: Callable[[Store, Source, Any], str]


def _title(text: str) -> str:
    title = clean_line(text).strip()
    if not title:
        raise argparse.ArgumentTypeError("a title cannot be empty")
    return title


def _add_title(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--title", metavar="T", type=_title,
                        help="your name for the feed (kept when the feed changes its own)")


def _apply_title(store: Store, feed: Source, title: str) -> str:
    return f"title: {rename_feed(store, feed.id, title)!r}"


def _group(text: str) -> str:
    return clean_line(text).strip()


def _add_group(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--group", metavar="NAME", type=_group,
                        help='move it into the folder NAME (made if new); "" takes it out of '
                        "any folder")


def _apply_group(store: Store, feed: Source, group: str) -> str:
    set_group(store, feed.id, group or None)
    return f"folder: {group!r}" if group else "folder: none"


def parse_interval(text: str) -> float:
    """A feed's interval from the command line (or the app's prompt): a duration from a
    minute to 30 days, or ``0`` for none."""
    try:
        return check_duration(text, MIN_INTERVAL, MAX_INTERVAL, zero_ok=True)
    except DurationError as exc:
        raise argparse.ArgumentTypeError(f"the interval must be {exc}, not {text!r}") from None


def _add_interval(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--interval", metavar="DURATION", type=parse_interval,
                        help="fetch it no more often than this in automatic refreshes (30m, "
                        "2h, 1d; 0 for no interval of its own)")


def _apply_interval(store: Store, feed: Source, interval: float) -> str:
    set_interval(store, feed.id, interval)
    return f"interval: {format_duration(interval)}" if interval else "interval: none"


def _add_full_text(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--full-text", dest="full_text", choices=FULL_TEXT_MODES,
                        help="fetch each new story's page for its full text: auto (when the "
                        "feed gives only a summary; the default), always or never")


def _apply_full_text(store: Store, feed: Source, mode: Any) -> str:
    from reader.store.fulltext import set_full_text_mode  # not loaded by the other commands

    set_full_text_mode(store, feed.id, mode)
    return f"full text: {mode}"


EDITS: list[FeedEdit] = [
    FeedEdit("title", _add_title, _apply_title),
    FeedEdit("group", _add_group, _apply_group),
    FeedEdit("interval", _add_interval, _apply_interval),
    FeedEdit("full_text", _add_full_text, _apply_full_text),
]
"""Every option of ``reader edit``, applied in this order."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``reader edit`` on the ``reader`` parser."""
    p = sub.add_parser("edit", help="change a feed's settings (title, folder, interval, full text)",
                       description="Change one feed's settings (see the options); every "
                       "option given is applied.")
    p.add_argument("feed", metavar="URL|ID", help="the feed's id or URL (see 'reader feeds')")
    for edit in EDITS:
        edit.add(p)
    p.set_defaults(func=cmd_edit)


def cmd_edit(context: Context, args: argparse.Namespace) -> int:
    """``reader edit URL|ID --option VALUE ...``: apply each option, print one line."""
    chosen = [edit for edit in EDITS if getattr(args, edit.dest, None) is not None]
    if not chosen:
        options = ", ".join("--" + edit.dest.replace("_", "-") for edit in EDITS)
        raise CommandError(f"nothing to change: give one of {options}")
    store = context.store()
    feed = find_feed(store, args.feed)
    with store.transaction():  # every option or none
        done = [edit.apply(store, feed, getattr(args, edit.dest)) for edit in chosen]
    print(clean_line(f"feed {feed.id} {feed.name!r}: {'; '.join(done)}"))
    return 0

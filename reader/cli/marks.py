"""``reader mark``: read/unread/star/unstar many stories at once from the shell.

The stories are named by selectors that combine with AND (ids, a source, a group, a search,
an age); at least one is required, and ``--all`` is the selector that says "every story" out
loud, so a forgotten argument never marks the whole cache. Every selector is checked before
anything is written: an unknown id, source or group, or a search that cannot be used, is one
error line and exit status 2 with the cache untouched. The marking itself is one statement
(``reader.store.marks``), so the sync outbox gets an entry for every story it changed.
"""

from __future__ import annotations

import argparse
import math
import time
from typing import TYPE_CHECKING

from reader.cli.context import CommandError, Context
from reader.cli.output import MARK_JSON_IDS, mark_line, mark_to_json, write_json
from reader.models import MarkField
from reader.store import Store

if TYPE_CHECKING:
    from reader.store.marks import Selection

ACTIONS: dict[str, tuple[MarkField, bool]] = {
    "read": ("read", True), "unread": ("read", False),
    "star": ("starred", True), "unstar": ("starred", False),
}
DAY = 86_400.0


def _days(text: str) -> float:
    try:
        days = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days") from None
    if not math.isfinite(days) or days < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days (0 or more)")
    return days


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``reader mark`` on the ``reader`` parser."""
    p = sub.add_parser(
        "mark", help="mark stories read, unread, starred or unstarred",
        description="Mark many stories at once. Name them with at least one selector; "
        "selectors combine (a story must match every one). --all names every story.",
    )
    p.add_argument("action", choices=list(ACTIONS), help="what to do to the stories")
    p.add_argument("ids", nargs="*", metavar="ID", help="story ids (or unique prefixes)")
    p.add_argument("--source", metavar="NAME", help="only stories of this source")
    p.add_argument("--group", metavar="NAME", help="only stories of the feeds in this group")
    p.add_argument("--query", metavar="QUERY", help="only stories this search finds")
    p.add_argument("--older-than", type=_days, metavar="DAYS",
                   help="only stories dated more than DAYS days ago")
    p.add_argument("--all", action="store_true", help="every story (when nothing else narrows)")
    p.add_argument("--dry-run", action="store_true",
                   help="say how many stories would change, change nothing")
    p.add_argument("--json", action="store_true",
                   help='print {"action", "count", "ids", "dry_run"} (ids: at most 1,000)')
    p.set_defaults(func=cmd_mark)


def selection_of(store: Store, args: argparse.Namespace) -> Selection:
    """The stories the arguments name, every selector checked first (``CommandError``)."""
    from reader.store.marks import Selection  # the list's modules: only ``mark`` loads them

    if not (args.ids or args.source or args.group or args.query or args.older_than is not None
            or args.all):
        raise CommandError("say which stories: IDs, --source, --group, --query, --older-than,"
                           " or --all for every story")
    ids = tuple(dict.fromkeys(store.get_story(ref).id for ref in args.ids))
    source_ids: set[int] | None = None
    if args.source is not None:
        from reader.cli.names import source_named

        source_ids = {source_named(store, args.source).id}
    if args.group is not None:
        from reader.cli.names import group_named

        wanted = group_named(store, args.group).casefold()
        members = {s.id for s in store.sources() if s.group and s.group.casefold() == wanted}
        source_ids = members if source_ids is None else source_ids & members
    if args.query is not None:
        from reader.store.searches import checked_query  # loaded for --query only

        query = checked_query(store, args.query)
        if query.errors:
            raise CommandError(f"--query: {'; '.join(query.errors)}")
        if query.is_empty:
            raise CommandError("--query: nothing to search for"
                               + (f": {query.message}" if query.notes else ""))
    older = time.time() - args.older_than * DAY if args.older_than is not None else None
    return Selection(ids=ids, source_ids=None if source_ids is None else tuple(source_ids),
                     query=args.query, older_than=older)


def cmd_mark(context: Context, args: argparse.Namespace) -> int:
    """``reader mark``: one statement marks every selected story; prints how many changed."""
    from reader.store.marks import mark_selection, selection_to_mark, story_ids

    store = context.store()
    selection = selection_of(store, args)
    field, value = ACTIONS[args.action]
    if args.dry_run:
        count, ids = selection_to_mark(store, selection, field, value, MARK_JSON_IDS)
    else:
        marked = mark_selection(store, selection, field, value)
        count = marked.count
        ids = story_ids(store, marked.rows[:MARK_JSON_IDS]) if args.json else []
    if args.json:
        write_json(mark_to_json(args.action, count, ids, args.dry_run))
    else:
        print(mark_line(args.action, count, args.dry_run), end="")
    return 0

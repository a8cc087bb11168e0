"""``reader list`` and ``reader show``: reading the cache from the command line.

What only these commands use (the story output, related stories, links) is imported inside
them: every command line registers them, ``reader refresh`` included, and would load it all
(with the search commands' own, ~40 M instructions of a refresh's start) for nothing.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from reader.cli.context import Context
from reader.models import SORT_ORDERS, View

if TYPE_CHECKING:
    from reader.models import RelatedStory, Story


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The reading commands on the ``reader`` parser."""
    p = sub.add_parser("list", help="list cached stories, newest first",
                       description="List cached stories, newest first (or in the --sort "
                       "order). Filters combine: --unread --group News.")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--unread", action="store_true", help="only stories not yet read")
    p.add_argument("--starred", action="store_true", help="only starred stories")
    p.add_argument("--source", metavar="NAME", help="only stories from this source")
    p.add_argument("--group", metavar="NAME", help="only stories of the feeds in this group")
    p.add_argument("--sort", choices=SORT_ORDERS, default="newest",
                   help="newest first (the default), oldest first, unread first (then "
                   "newest) or by source (then newest): the app's O orders")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="print one whole story",
                       description="Print one whole story: its enclosures, its text with"
                       " numbered links, the list of links and its related stories.")
    p.add_argument("id", metavar="ID", help="story id (or a unique prefix of it)")
    p.add_argument("--json", action="store_true", help="print the story as one JSON object")
    p.set_defaults(func=cmd_show)


def view_for(context: Context, args: argparse.Namespace) -> View:
    """The view ``list`` prints: all stories, one source's or one group's, unread or starred
    only or not, in the order asked for."""
    store = context.store()
    source_id = source_name = group = None
    if args.source is not None or args.group is not None:
        from reader.cli.names import group_named, source_named

        if args.source is not None:
            found = source_named(store, args.source)
            source_id, source_name = found.id, found.name
        if args.group is not None:
            group = group_named(store, args.group)
    return View(unread_only=args.unread, starred_only=args.starred, source_id=source_id,
                source_name=source_name, group=group, sort=args.sort)


def cmd_list(context: Context, args: argparse.Namespace) -> int:
    """``reader list``: every story of the view, newest first, streamed."""
    from reader.cli.output import (
        row_line,
        story_json_lines,
        story_to_json,
        utf8_stdout,
        write_chunked,
        write_json,
    )
    from reader.store import story_json
    from reader.store.stories import explicit_related_many
    from reader.titles import dims_stand_ins

    store = context.store()
    view = view_for(context, args)
    write = sys.stdout.write
    if args.json:
        # Read in one pass and written as it goes: flat memory, and the first line is out
        # before the last story is read (100,000 stories: one statement, not 200,000).
        binary = utf8_stdout()
        if binary is not None and story_json.quotes_like_python(store):
            # SQLite writes the JSON of each column: the same bytes at a third of the cost.
            for rows in story_json.iter_rows(store, view):
                related = explicit_related_many(store, [story_json.rowid(r) for r in rows])
                write_chunked(binary, story_json_lines(rows, related))
            return 0
        for batch in store.iter_batches(view):
            links = store.explicit_related_many(batch)
            for story in batch:
                write_json(story_to_json(story, links[story.id]))
        return 0
    dim = dims_stand_ins()
    for rows in store.iter_rows(view):
        for row in rows:
            write(row_line(row, dim))
    return 0


def related_for_show(context: Context, story_id: str) -> tuple[Story, list[RelatedStory]]:
    """The story and its related list: explicit links, then stories similar in content."""
    from reader.related import related_stories

    store = context.store()
    story = store.get_story(story_id)
    return story, related_stories(store, story)


def cmd_show(context: Context, args: argparse.Namespace) -> int:
    """``reader show ID``: one whole story with its related list."""
    from reader.cli.output import links_to_json, story_as_text, story_to_json, write_json
    from reader.links import story_links
    from reader.related import also_in
    from reader.text import clean_text
    from reader.titles import dims_stand_ins

    story, related = related_for_show(context, args.id)
    if args.json:
        shown = story_to_json(story, related)
        shown["links"] = links_to_json(story_links(clean_text(story.body)).links)
        write_json(shown)
    else:
        copies = also_in(context.store(), story)
        sys.stdout.write(story_as_text(story, related, also_in=copies, dim=dims_stand_ins()))
    return 0

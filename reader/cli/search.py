"""``reader search``, ``reader searches`` and ``reader related``: finding stories from the shell.

A query a person mistyped is not a crash: what the parser had to repair is one ``note`` line on
stderr; what it could not use at all (an unknown filter, a source that does not exist, nothing
left to search for) is one ``error`` line and exit status 2.

What only these commands use (searching, related stories, the story output) is imported inside
them: every command line registers them, ``reader refresh`` included.
"""

from __future__ import annotations

import argparse
import sys

from reader.cli.context import CommandError, Context


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The search commands on the ``reader`` parser."""
    p = sub.add_parser(
        "search", help="search the cache, best match first",
        description="Search every cached story, best match first. Words must all match; "
        '"a phrase", word* (prefix), -word (exclude), source:NAME, tag:NAME, is:unread, '
        "is:starred. Put -- before a query that starts with -.",
    )
    p.add_argument("query", nargs="+", metavar="QUERY", help="the search (quote it for the shell)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--limit", type=int, default=20, metavar="N",
                   help="show at most N results (default 20; 0 for all)")
    p.add_argument("--save", metavar="NAME", help="also keep the search as a view called NAME")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("searches", help="list saved searches with their counts",
                       description="List saved searches, or forget one.")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--remove", metavar="NAME", help="forget the saved search NAME")
    p.set_defaults(func=cmd_searches)

    p = sub.add_parser("related", help="list a story's related stories and why",
                       description="List a story's related stories: its explicit links first, "
                       "then stories similar in content, each with the reason it is listed.")
    p.add_argument("id", metavar="ID", help="story id (or a unique prefix of it)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_related)


def cmd_search(context: Context, args: argparse.Namespace) -> int:
    """``reader search``: one page of a search, best match first, with snippets."""
    from reader.cli.output import hit_to_json, row_line, snippet_line, write_json
    from reader.store.searches import save_search, search_stories
    from reader.titles import dims_stand_ins

    store = context.store()
    text = " ".join(args.query)
    if args.limit < 0:
        raise CommandError("--limit must be 0 or more")
    limit = args.limit or store.count()
    results = search_stories(store, text, limit=limit)
    query = results.query
    if query.errors:
        raise CommandError("; ".join(query.errors))
    if query.is_empty:
        raise CommandError("nothing to search for" + (f": {query.message}" if query.notes else ""))
    for note in query.notes:
        print(f"reader: note: {note}", file=sys.stderr)
    if args.save:
        saved = save_search(store, args.save, text)
        print(f"reader: saved as {saved.name!r}", file=sys.stderr)
    write = sys.stdout.write
    dim = dims_stand_ins()
    for rank, hit in enumerate(results.hits, 1):
        if args.json:
            write_json(hit_to_json(hit, rank))
            continue
        write(row_line(hit.row, dim))
        if hit.snippet:
            write(snippet_line(hit))
    shown = len(results.hits)
    if not args.json:
        if shown == 0:
            print("reader: no stories match", file=sys.stderr)
        elif shown < results.total:
            print(f"reader: showing {shown} of {results.total} (--limit N for more)",
                  file=sys.stderr)
    return 0


def cmd_searches(context: Context, args: argparse.Namespace) -> int:
    """``reader searches``: the saved searches with their counts, or forget one."""
    from reader.cli.output import saved_search_line, saved_search_to_json, write_json
    from reader.store.searches import remove_saved_search, saved_searches

    store = context.store()
    if args.remove:
        if not remove_saved_search(store, args.remove):
            raise CommandError(f"no saved search named {args.remove!r}")
        return 0
    for saved in saved_searches(store):
        if args.json:
            write_json(saved_search_to_json(saved))
        else:
            sys.stdout.write(saved_search_line(saved))
    return 0


def cmd_related(context: Context, args: argparse.Namespace) -> int:
    """``reader related ID``: a story's related list and why each is there."""
    from reader.cli.output import related_as_text, related_to_json, write_json
    from reader.related import also_in, related_stories
    from reader.titles import dims_stand_ins

    store = context.store()
    story = store.get_story(args.id)
    items = related_stories(store, story)
    copies = also_in(store, story)
    if args.json:
        write_json({"id": story.id, "title": story.title, "also_in": copies,
                    "related": [related_to_json(r) for r in items]})
        return 0
    sys.stdout.write(related_as_text(story, items, copies, dims_stand_ins()))
    return 0

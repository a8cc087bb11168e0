"""``reader search``, ``reader searches`` and ``reader related``: finding stories from the shell.

A query a person mistyped is not a crash: what the parser had to repair is one ``note`` line on
stderr; what it could not use at all (an unknown filter, a source that does not exist, nothing
left to search for) is one ``error`` line and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from reader.cli.context import CommandError, Context
from reader.models import RelatedStory
from reader.related import also_in, related_stories
from reader.search import match_spans, plain_text
from reader.store.searches import (
    SearchHit,
    remove_saved_search,
    save_search,
    saved_searches,
    search_stories,
)
from reader.text import clean_line
from reader.titles import dims_stand_ins, shown_title, terminal_line


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
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


def hit_to_json(hit: SearchHit, rank: int) -> dict[str, Any]:
    snippet, spans = match_spans(hit.snippet)
    row = hit.row
    return {
        "rank": rank, "id": row.id, "source": row.source, "title": row.title,
        "published": row.published, "read": row.read, "starred": row.starred,
        "teaser": row.teaser, "snippet": snippet, "highlights": [list(s) for s in spans],
    }


def cmd_search(context: Context, args: argparse.Namespace) -> int:
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
            write(json.dumps(hit_to_json(hit, rank), ensure_ascii=False) + "\n")
            continue
        row = hit.row
        flags = ("N" if not row.read else " ") + ("*" if row.starred else " ")
        date = (row.date or "")[:10] or "-" * 10
        title = terminal_line(shown_title(row.title, row.text_start), dim)
        write(f"{row.id}  {flags} {date}  {clean_line(row.source)[:18]:<18}  {title}\n")
        if hit.snippet:
            write(f"    {clean_line(plain_text(hit.snippet))}\n")
    shown = len(results.hits)
    if not args.json:
        if shown == 0:
            print("reader: no stories match", file=sys.stderr)
        elif shown < results.total:
            print(f"reader: showing {shown} of {results.total} (--limit N for more)",
                  file=sys.stderr)
    return 0


def cmd_searches(context: Context, args: argparse.Namespace) -> int:
    store = context.store()
    if args.remove:
        if not remove_saved_search(store, args.remove):
            raise CommandError(f"no saved search named {args.remove!r}")
        return 0
    for saved in saved_searches(store):
        if args.json:
            sys.stdout.write(json.dumps({
                "name": saved.name, "query": saved.query, "stories": saved.story_count,
                "unread": saved.unread_count,
            }, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(f"{clean_line(saved.name)[:24]:<24}  {saved.story_count:>6} "
                             f"({saved.unread_count} unread)  {clean_line(saved.query)}\n")
    return 0


def related_to_json(item: RelatedStory) -> dict[str, Any]:
    return {"id": item.id, "title": item.title, "source": item.source, "kind": item.kind,
            "reason": item.reason, "terms": list(item.terms), "teaser": item.teaser}


def cmd_related(context: Context, args: argparse.Namespace) -> int:
    store = context.store()
    story = store.get_story(args.id)
    items = related_stories(store, story)
    copies = also_in(store, story)
    if args.json:
        sys.stdout.write(json.dumps({
            "id": story.id, "title": story.title, "also_in": copies,
            "related": [related_to_json(r) for r in items],
        }, ensure_ascii=False) + "\n")
        return 0
    dim = dims_stand_ins()
    head = shown_title(story.title, f"{story.standfirst} {story.body}")
    out = [f"{terminal_line(head, dim)}  [{story.id}]"]
    if copies:
        out.append("Also in: " + ", ".join(clean_line(c) for c in copies))
    if not items:
        out.append("No related stories.")
    for number, item in enumerate(items, 1):
        title = terminal_line(shown_title(item.title, item.text), dim)
        out.append(f"  {number}. {title}  [{item.id}]")
        out.append(f"     {clean_line(item.reason)} · {clean_line(item.source)}")
    sys.stdout.write("\n".join(out) + "\n")
    return 0

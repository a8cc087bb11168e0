"""Full-text and image commands: ``fulltext`` and ``images`` (a feed's ``--full-text`` mode is
one of ``reader edit``'s options, in ``reader.cli.edit``). The fetch layers are imported inside
the commands, as for the feed commands.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from reader.cli.context import CommandError, Context
from reader.text import clean_line


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("fulltext", help="fetch stories' full text (and images) now",
                       description="Fetch the web page of each story named (or of a "
                       "source's stories) now, save its main text as the story's body and "
                       "its images; a page tried before is fetched again.")
    p.add_argument("stories", metavar="ID", nargs="*", help="story ids (see 'reader list')")
    p.add_argument("--source", metavar="NAME", help="the stories of this source")
    p.add_argument("--missing", action="store_true",
                   help="only stories without their full text yet (with --source, or all)")
    p.add_argument("--json", action="store_true", help="one JSON object per story")
    p.set_defaults(func=cmd_fulltext)

    p = sub.add_parser("images", help="the saved-image cache: size, or --purge",
                       description="Report the saved images (count, bytes, cap), or empty "
                       "the cache with --purge.")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p.add_argument("--purge", action="store_true", help="delete every saved image")
    p.set_defaults(func=cmd_images)


def _story_ids(context: Context, args: argparse.Namespace) -> list[str]:
    from reader.store import fulltext as stored

    store = context.store()
    if args.stories and (args.source or args.missing):
        raise CommandError("give story ids, or --source / --missing, not both")
    if args.stories:
        return list(dict.fromkeys(store.get_story(ref).id for ref in args.stories))
    if not args.source and not args.missing:
        raise CommandError("name the stories: reader fulltext ID ... or --source NAME --missing")
    source_id = None
    if args.source:
        from reader.cli.names import source_named

        source_id = source_named(store, args.source).id
    links = stored.missing(store, source_id) if args.missing else \
        stored.stories_of(store, source_id)
    return [link.id for link in links]


def cmd_fulltext(context: Context, args: argparse.Namespace) -> int:
    from reader.fulltext.on_demand import fetch_full_text
    from reader.fulltext.options import full_text_options

    ids = _story_ids(context, args)
    if not ids:
        print("no stories to fetch")
        return 0
    progress = None
    if sys.stderr.isatty() and not args.json:
        def progress(step: Any) -> None:
            sys.stderr.write(f"\r{step.describe()}\x1b[K")
            sys.stderr.flush()
    fetched = fetch_full_text(context.paths.database, ids, context.config.fetch,
                              full_text_options(context.config, context.paths),
                              progress=progress)
    if progress is not None:
        sys.stderr.write("\r\x1b[K")
    for story_id in fetched.no_link:
        _report(args.json, {"id": story_id, "full_text": False,
                            "error": "the story has no web link"})
    for text in fetched.texts:
        _report(args.json, {"id": text.story_id, "full_text": text.ok, "error": text.error})
    if not args.json:
        saved = sum(1 for t in fetched.texts if t.ok)
        print(f"full text saved for {saved} of {len(ids)} stor{'ies' if len(ids) != 1 else 'y'}"
              f"; {fetched.images.saved} image{'s' if fetched.images.saved != 1 else ''} saved")
    return 0


def _report(as_json: bool, item: dict[str, Any]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
    elif item["full_text"]:
        print(f"{item['id']}  saved")
    else:
        print(clean_line(f"{item['id']}  full text: {item['error']}"))


def cmd_images(context: Context, args: argparse.Namespace) -> int:
    from reader.fulltext.options import full_text_options
    from reader.images.cache import ImageCache

    options = full_text_options(context.config, context.paths)
    assert options.images_dir is not None
    store = context.store()
    cache = ImageCache(options.images_dir, store.conn, options.image_cache_bytes)
    if args.purge:
        with store.transaction():
            removed = cache.purge()
        if not args.json:
            print(f"removed {removed} image{'s' if removed != 1 else ''}")
    stats = cache.stats()
    if args.json:
        sys.stdout.write(json.dumps({
            "images": stats.images, "bytes": stats.bytes, "cap": stats.cap,
            "refused": stats.refused, "folder": str(stats.folder),
        }) + "\n")
    elif not args.purge:
        print(f"{stats.images} image{'s' if stats.images != 1 else ''}, "
              f"{_mb(stats.bytes)} of the {_mb(stats.cap)} cap, in {stats.folder}"
              + (f"; {stats.refused} refused" if stats.refused else ""))
    return 0


def _mb(size: int) -> str:
    """``41 KB``, ``12.3 MB``: a size as a person reads it."""
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"

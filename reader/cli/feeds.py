"""Feed commands: ``add``, ``remove``, ``feeds``, ``refresh``, ``import`` and ``export``.

Thin: each command checks its input, calls ``reader.refresh`` / ``reader.store.feeds`` /
``reader.feeds.opml`` and prints. Bad input raises ``CommandError`` before anything is stored.
The fetch, parse and OPML layers (httpx, feedparser, the XML stack: ~100 ms of imports) are
imported inside the commands that use them: every ``reader`` run, the app included, registers
these commands, and its start-up must not pay for them.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from reader.cli.context import CommandError, Context
from reader.cli.output import feed_lines, feed_to_json, outcome_to_json, write_json
from reader.store import Store
from reader.store.feeds import (
    add_feed,
    feed_sources,
    find_feed,
    subscribed_as,
    subscriptions,
)
from reader.text import clean_line

EXIT_NOTHING_FETCHED = 1
"""``reader refresh``'s status when every feed it tried failed (the network is down, the one
feed named is broken): a script or a systemd timer can tell that from a refresh where some
feeds fail, which is a success (0) with their lines, as with any other refresh."""

if TYPE_CHECKING:
    from reader.fulltext.progress import FullTextProgress
    from reader.refresh.outcomes import RefreshProgress, RefreshSummary


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The feed commands on the ``reader`` parser."""
    p = sub.add_parser("add", help="subscribe to a feed (or the feed a web page links to)",
                       description="Subscribe to an RSS, Atom or JSON feed. Given a web page, "
                       "subscribe to the feed it links to and say which.")
    p.add_argument("url", metavar="URL", help="the feed's (or the site's) http(s) URL")
    p.add_argument("--title", metavar="T", help="your name for the feed (kept on refresh)")
    p.add_argument("--local", action="store_true",
                   help="with [sync] set: subscribe here only, not on the server")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("remove", help="unsubscribe from a feed (its stories go too)",
                       description="Unsubscribe from a feed; its stories are removed.")
    p.add_argument("feed", metavar="URL|ID", help="the feed's URL or id (see 'reader feeds')")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("feeds", help="list subscribed feeds",
                       description="List feeds: title, URL, stories, unread, last check.")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=cmd_feeds)

    p = sub.add_parser("refresh", help="fetch new stories from all feeds (or those named)",
                       description="Fetch all feeds, or the ones named, and store new stories. "
                       "With --due, only those due: a feed is fetched no more often than its "
                       "ttl, its server (Cache-Control, Expires, Retry-After) or its own "
                       "--interval asks. Exit status 1 when every feed it tried failed.")
    p.add_argument("feeds", metavar="URL|ID", nargs="*", help="only these feeds")
    p.add_argument("--due", action="store_true",
                   help="only the feeds that are due: each is fetched no more often than its "
                   "ttl, its server or its --interval asks (for cron or a systemd timer)")
    p.add_argument("--json", action="store_true", help="one JSON object per feed")
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser("import", help="subscribe to the feeds of an OPML file",
                       description="Subscribe to every feed of an OPML file; its folders "
                       "become groups. newsboat's urls file works too: a feed's first tag is "
                       "its group, its ~tag its title. Run 'reader refresh' afterwards to "
                       "fetch them.")
    p.add_argument("file", metavar="FILE.opml", help="the OPML file (or newsboat's urls file)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("export", help="write the feeds as OPML",
                       description="Write every feed as OPML 2.0, to FILE or standard output.")
    p.add_argument("file", metavar="FILE", nargs="?", help="where to write (default: stdout)")
    p.set_defaults(func=cmd_export)


def warn(message: str) -> None:
    """One ``reader: warning:`` line on stderr, cleaned of control characters."""
    print(f"reader: warning: {clean_line(message)}", file=sys.stderr)


def cmd_add(context: Context, args: argparse.Namespace) -> int:
    """``reader add URL``: subscribe, checking the URL before the cache is opened (with
    ``[sync]`` set, on the server unless ``--local``)."""
    from reader.refresh.subscribe import SubscribeError, add_subscription, check_feed_url

    try:
        check_feed_url(args.url)  # before the cache is even opened
        added = add_subscription(context.store(), args.url, context.config.fetch,
                                 sync=context.config.sync, local=args.local, title=args.title,
                                 filters=context.config.filters)
    except SubscribeError as exc:
        raise CommandError(str(exc)) from None
    for line in added.lines[:-1]:
        print(clean_line(line))
    for warning in added.warnings:
        warn(f"{added.name}: {warning}")
    print(clean_line(added.lines[-1]))
    return 0


def cmd_remove(context: Context, args: argparse.Namespace) -> int:
    """``reader remove URL|ID``: unsubscribe; the feed's stories go too."""
    from reader.refresh.subscribe import ServerError, remove_subscription

    store = context.store()
    feed = find_feed(store, args.feed)
    try:
        removed = remove_subscription(store, feed.id, context.config.sync)
    except ServerError as exc:
        raise CommandError(str(exc)) from None
    print(clean_line(f"removed feed {feed.id} {feed.name!r} ({feed.url}) and its "
                     f"{removed} stor{'ies' if removed != 1 else 'y'}"))
    return 0


def cmd_feeds(context: Context, args: argparse.Namespace) -> int:
    """``reader feeds``: every feed, its counts and its last check."""
    store = context.store()
    feeds = feed_sources(store)
    server = _server_sources(store)
    write = sys.stdout.write
    if args.json:
        for feed in feeds:
            write_json(feed_to_json(feed, server.get(feed.id)))
        return 0
    if not feeds:
        print("no feeds yet: add one with 'reader add URL' or 'reader import FILE.opml'")
        return 0
    for feed in feeds:
        write(feed_lines(feed, server.get(feed.id)))
    return 0


def _server_sources(store: Store) -> dict[int, str]:
    """Source id → sync service, read without loading the sync package (one small query)."""
    row = store.conn.execute("SELECT value FROM sync_state WHERE key = 'account'").fetchone()
    if row is None:
        return {}
    service = str(row[0]).split(" ", 1)[0]
    return {int(r[0]): service for r in store.conn.execute("SELECT source_id FROM sync_sources")}


class _ProgressLine:
    """One self-rewriting status line on a terminal's stderr."""

    def __init__(self) -> None:
        self.width = shutil.get_terminal_size((80, 24)).columns - 1

    def __call__(self, step: RefreshProgress) -> None:
        outcome = step.outcome
        status = outcome.status.replace("_", " ")
        if outcome.new:
            status += f", {outcome.new} new"
        line = clean_line(f"[{step.done}/{step.total}] {outcome.name}: {status}")
        sys.stderr.write("\r\x1b[2K" + line[: self.width])
        sys.stderr.flush()

    def full_text(self, step: FullTextProgress) -> None:
        """After the feeds: "saving full text: 37/120"."""
        sys.stderr.write("\r\x1b[2K" + step.describe()[: self.width])
        sys.stderr.flush()

    def end(self) -> None:
        sys.stderr.write("\r\x1b[2K")
        sys.stderr.flush()


class _Stored:
    """How many feeds a refresh has reported (each once what it stored is committed), for
    the line a Ctrl-C ends it with; passes each step on to the progress line, if any."""

    def __init__(self, line: _ProgressLine | None) -> None:
        self.line = line
        self.done = self.total = 0

    def __call__(self, step: RefreshProgress) -> None:
        self.done, self.total = step.done, step.total
        if self.line is not None:
            self.line(step)

    def describe(self) -> str:
        if not self.done:
            return "no feed was refreshed"
        if self.done == self.total:
            return f"all {self.total} feeds were refreshed and are kept"
        return (f"at least {self.done} of {self.total} feeds were refreshed and are kept"
                " (a feed is reported once stored); 'reader refresh' fetches the others")


def cmd_refresh(context: Context, args: argparse.Namespace) -> int:
    """``reader refresh``: every feed (or those named), progress on a terminal."""
    from reader.fulltext.options import full_text_options
    from reader.refresh.pipeline import refresh_feeds

    store = context.store()
    for problem in context.config.filters.problems:
        warn(f"{problem} (left out; the other filters apply)")
    ids = None
    if args.feeds:
        feeds = [find_feed(store, ref) for ref in args.feeds]
        server = _server_sources(store)
        for feed in feeds:
            if feed.id in server:
                raise CommandError(f"{feed.name!r} comes from the {server[feed.id]} sync server,"
                                   " which fetches it: run 'reader sync'")
        ids = list(dict.fromkeys(feed.id for feed in feeds))
    # The refresh opens its own connection; this one is closed first, so that the parse
    # workers it forks (``refresh.parse_workers``) inherit no open cache.
    context.close()
    line = _ProgressLine() if sys.stderr.isatty() else None
    stored = _Stored(line)

    def feeds_done(feeds: RefreshSummary) -> None:
        """Each feed's problems are reported at once; the pages of new stories come after,
        and the summary line last."""
        if line is not None:
            line.end()
        _print_feeds(feeds, ids, args.json)
        sys.stdout.flush()

    try:
        summary = refresh_feeds(context.paths.database, context.config.fetch, ids,
                                progress=stored, write_wait=context.config.cache.write_wait,
                                due_only=args.due, filters=context.config.filters,
                                feeds_done=feeds_done,
                                full_text=full_text_options(context.config, context.paths),
                                full_text_progress=line.full_text if line else None)
    except KeyboardInterrupt:  # "reader: interrupted: 33 of 198 feeds were refreshed …"
        raise KeyboardInterrupt(stored.describe()) from None
    finally:
        if line is not None:
            line.end()
    if not args.json and (ids is not None or summary.outcomes or summary.not_due):
        if summary.full_text is not None and summary.full_text.describe():
            print(summary.full_text.describe())
        print(summary.describe())  # the last line, as scripts expect
    fetched = summary.count("ok") + summary.count("not_modified")
    return EXIT_NOTHING_FETCHED if summary.failed and not fetched else 0


def _print_feeds(summary: RefreshSummary, ids: list[int] | None, as_json: bool) -> None:
    if as_json:
        for outcome in summary.outcomes:
            write_json(outcome_to_json(outcome))
        return
    if ids is None and not summary.outcomes and not summary.not_due:
        print("no feeds yet: add one with 'reader add URL' or 'reader import FILE.opml'")
        return
    for outcome in summary.outcomes:
        name = clean_line(outcome.name)
        if outcome.moved_to:
            print(clean_line(f"moved    {name}: now at {outcome.moved_to}"))
        for warning in outcome.warnings:
            print(clean_line(f"warning  {name}: {warning}"))
        if outcome.status in ("error", "skipped"):
            label = "failed  " if outcome.status == "error" else "skipped "
            where = "" if outcome.url == outcome.name else f" ({outcome.url})"  # untitled
            print(clean_line(f"{label} {name}{where}: {outcome.error}"))


def cmd_import(context: Context, args: argparse.Namespace) -> int:
    """``reader import FILE.opml``: subscribe to its feeds in one transaction."""
    from reader.feeds.opml import OpmlError, read_opml_file

    try:
        feeds, warnings = read_opml_file(Path(args.file))
    except OpmlError as exc:
        raise CommandError(f"cannot import {args.file}: {exc}") from None
    store = context.store()
    added = known = 0
    with store.transaction():
        for feed in feeds:
            if subscribed_as(store, feed.url) is not None:
                known += 1
                continue
            add_feed(store, feed.url, feed.title or feed.url, user_title=bool(feed.title),
                     group=feed.group, site_url=feed.site_url)
            added += 1
    for warning in warnings:
        warn(f"{args.file}: {warning}")
    already = f" ({known} already subscribed)" if known else ""
    hint = "; run 'reader refresh' to fetch their stories" if added else ""
    print(f"imported {added} feed{'s' if added != 1 else ''}{already}{hint}")
    return 0


def cmd_export(context: Context, args: argparse.Namespace) -> int:
    """``reader export``: the feeds as OPML 2.0, written whole or not at all."""
    from reader.feeds.opml import OpmlFeed, write_opml

    feeds = [OpmlFeed(s.url, s.name, s.site_url, s.group) for s in subscriptions(context.store())]
    document = write_opml(feeds)
    if args.file is None or args.file == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(document)
        sys.stdout.buffer.flush()
        return 0
    target = Path(args.file)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(document)
        os.replace(temporary, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise CommandError(f"cannot write {args.file}: {exc.strerror or exc}") from None
    print(f"exported {len(feeds)} feed{'s' if len(feeds) != 1 else ''} to {args.file}")
    return 0

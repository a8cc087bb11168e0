"""``reader sync``: be one more client of the feed server the user already runs.

``reader sync --check`` logs in and says what the server is and holds; ``reader sync``
sends the outbox and brings the server's feeds, items and marks into the cache (see
``reader.sync.engine``). A server fault is one ``reader: error:`` line and exit status 1;
the cache stays consistent and unsent marks stay in the outbox.
"""

from __future__ import annotations

import argparse
import shutil
import sys

from reader.cli.context import CommandError, Context
from reader.cli.output import write_json
from reader.text import clean_line

EXIT_SYNC_FAILED = 1


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("sync", help="sync feeds, stories and marks with your feed server",
                       description="Send local read/star marks to the server configured in"
                       " [sync], then bring its subscriptions, new items and marks here.")
    p.add_argument("--check", action="store_true",
                   help="only log in and say what the server is and holds")
    p.add_argument("--json", action="store_true", help="print the outcome as one JSON object")
    p.set_defaults(func=cmd_sync)


def cmd_sync(context: Context, args: argparse.Namespace) -> int:
    settings = context.config.sync
    if settings is None:  # said before the sync layer (feedparser, lxml, httpx) loads
        raise CommandError(f"no [sync] section in {context.paths.config_file}: see the"
                           " README's 'Sync with a feed server'")
    from reader.sync.credentials import config_warning
    from reader.sync.engine import account_of, open_service, run_sync
    from reader.sync.service import SyncError

    warning = config_warning(context.paths.config_file)
    if warning:
        print(f"reader: warning: {clean_line(warning)}", file=sys.stderr)
    line = _ProgressLine() if sys.stderr.isatty() and not args.check else None
    try:
        service = open_service(settings)
        try:
            if args.check:
                info = service.check()
            else:
                report = run_sync(context.store(), service, account_of(settings), progress=line)
        finally:
            service.close()
    except SyncError as exc:
        if line is not None:
            line.end()
        print(f"reader: error: {clean_line(str(exc))}", file=sys.stderr)
        return EXIT_SYNC_FAILED
    if line is not None:
        line.end()
    if args.check:
        if args.json:
            write_json({
                "service": info.service, "version": info.version, "url": settings.url,
                "username": settings.username, "feeds": info.feeds, "unread": info.unread,
            })
        else:
            print(clean_line(f"{info.service} {info.version} at {settings.url} as"
                             f" {settings.username}: {info.feeds} feed"
                             f"{'s' if info.feeds != 1 else ''}, {info.unread} unread"))
        return 0
    if args.json:
        write_json(report.to_json())
        return 0
    for note in report.notes:
        print(f"note: {clean_line(note)}")
    print(report.describe())
    return 0


class _ProgressLine:
    """One self-rewriting status line on a terminal's stderr."""

    def __init__(self) -> None:
        self.width = shutil.get_terminal_size((80, 24)).columns - 1

    def __call__(self, message: str) -> None:
        sys.stderr.write("\r\x1b[2K" + clean_line(f"sync: {message}")[: self.width])
        sys.stderr.flush()

    def end(self) -> None:
        sys.stderr.write("\r\x1b[2K")
        sys.stderr.flush()

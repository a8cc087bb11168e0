"""One sync: send the outbox, then bring the server's feeds, new items and marks into the cache.

The order is the conflict rule: our marks reach the server before its marks are read back,
and a mark of ours the server has not taken yet beats the server's state for that story
(``cache.apply_marks``). Every step commits whole (``cache``), so a sync stopped at any point,
by a fault or a kill, leaves the cache consistent and the outbox holding every unsent mark;
the next sync carries on from there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import field
from typing import Any

from reader.config import SyncSettings
from reader.records import record
from reader.store import Store
from reader.sync import cache
from reader.sync.credentials import sync_password
from reader.sync.service import SyncService

MARK_BATCH = 200
"""Outbox entries sent between two commits: a cut connection costs at most this many resends."""

Progress = Callable[[str], None]


@record
class SyncReport:
    """What one sync did: the summary line and ``reader sync --json`` say it."""

    service: str
    sent: int = 0
    dropped: tuple[str, ...] = ()
    feeds_added: int = 0
    feeds_adopted: int = 0
    feeds_removed: int = 0
    new: int = 0
    matched: int = 0
    skipped: int = 0
    marked_read: int = 0
    marked_unread: int = 0
    starred: int = 0
    unstarred: int = 0
    requests: int = 0
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        parts = [f"{self.new} new stor{'ies' if self.new != 1 else 'y'}"]
        if self.matched:
            parts.append(f"{self.matched} already here")
        if self.sent:
            parts.append(f"{self.sent} mark{'s' if self.sent != 1 else ''} sent")
        changed = self.marked_read + self.marked_unread + self.starred + self.unstarred
        if changed:
            parts.append(f"{changed} mark{'s' if changed != 1 else ''} from the server")
        feeds = []
        if self.feeds_added:
            feeds.append(f"{self.feeds_added} added")
        if self.feeds_adopted:
            feeds.append(f"{self.feeds_adopted} joined")
        if self.feeds_removed:
            feeds.append(f"{self.feeds_removed} removed")
        if feeds:
            parts.append("feeds: " + ", ".join(feeds))
        return (f"synced with {self.service}: " + "; ".join(parts)
                + f" ({self.requests} request{'s' if self.requests != 1 else ''},"
                  f" {self.seconds:.1f} s)")

    def to_json(self) -> dict[str, Any]:
        return {
            "service": self.service, "sent": self.sent, "dropped": list(self.dropped),
            "feeds_added": self.feeds_added, "feeds_adopted": self.feeds_adopted,
            "feeds_removed": self.feeds_removed, "new": self.new, "matched": self.matched,
            "skipped": self.skipped, "marked_read": self.marked_read,
            "marked_unread": self.marked_unread, "starred": self.starred,
            "unstarred": self.unstarred, "requests": self.requests,
            "seconds": round(self.seconds, 3), "notes": list(self.notes),
        }


def account_of(settings: SyncSettings) -> str:
    """What identifies the server account (never the password)."""
    return f"{settings.service} {settings.url} {settings.username}"


def open_service(settings: SyncSettings) -> SyncService:
    """The protocol module for ``settings``, with the password fetched now."""
    password = sync_password(settings)
    if settings.service == "ttrss":
        from reader.sync.ttrss import TtrssService

        return TtrssService(settings.url, settings.username, password, settings.timeout)
    from reader.sync.fever import FeverService

    return FeverService(settings.url, settings.username, password, settings.timeout)


def _requests(service: SyncService) -> int:
    http = getattr(service, "http", None)
    return int(getattr(http, "requests", 0))


def run_sync(store: Store, service: SyncService, account: str,
             progress: Progress | None = None) -> SyncReport:
    """Sync the cache with ``service``. Raises ``SyncError`` (one line) when the server fails;
    what was done until then stays done, and nothing is half-done."""
    started = time.perf_counter()
    requests_before = _requests(service)
    say = progress or (lambda _message: None)
    notes: list[str] = []
    if cache.account_changed(store, account):
        service.check()  # reach the new server before forgetting anything of the old one
    dropped_account = cache.use_account(store, account)
    if dropped_account:
        notes.append(f"the sync account changed: {dropped_account} mark(s) for the old server"
                     " were dropped")

    # 1. Our marks first, in order, a batch per commit.
    sent = 0
    dropped: list[str] = []
    while True:
        pending = cache.pending_marks(store, limit=MARK_BATCH * 4)[:MARK_BATCH]
        if not pending:
            break
        say(f"sending {len(pending)} mark(s)")
        gone = service.send_marks([p.mark for p in pending])
        cache.remove_sent(store, pending)
        sent += sum(1 for p in pending if p.mark.item_id not in gone)
        for item_id in sorted(gone):
            dropped.append(item_id)
            notes.append(f"item {item_id} is no longer on the server: its marks were dropped")

    # 2. Subscriptions, new items (a page at a time), the marks.
    cursor = cache.item_cursor(store)
    service.prefetch(cursor)
    say("reading subscriptions")
    feeds = cache.apply_subscriptions(store, service.subscriptions())
    if feeds.kept_empty:
        notes.append("the server lists no subscriptions: none were removed here")
    new = matched = skipped = 0
    refreshed_feeds = False
    while True:
        page = service.items_since(cursor)
        report = cache.store_items(store, page.items, page.cursor)
        if report.unknown_feed and not refreshed_feeds:
            # Items of a feed added on the server since the list was read: read it again.
            refreshed_feeds = True
            more = cache.apply_subscriptions(store, service.subscriptions())
            feeds = cache.FeedsReport(added=feeds.added + more.added,
                                      adopted=feeds.adopted + more.adopted,
                                      removed=feeds.removed + more.removed)
            retry = cache.store_items(store, report.unknown_feed)
            report = cache.ItemsReport(new=report.new + retry.new,
                                       matched=report.matched + retry.matched,
                                       known=report.known, unknown_feed=retry.unknown_feed)
        new += report.new
        matched += report.matched
        skipped += len(report.unknown_feed)
        if page.items:
            say(f"{new} new stories")
        cursor = page.cursor
        if not page.more:
            break
    state = service.mark_state()
    missing = cache.untied_ids(store, state.unread | state.starred)
    if missing:
        say(f"fetching {len(missing)} unread or starred item(s) not seen yet")
        report = cache.store_items(store, service.items_with_ids(missing))
        new += report.new
        matched += report.matched
        skipped += len(report.unknown_feed)
    if skipped:
        notes.append(f"{skipped} item(s) of feeds the server does not list were skipped")
    marks = cache.apply_marks(store, state)
    store.index_pending()
    cache.record_finished(store, time.time())
    return SyncReport(
        service=service.name, sent=sent, dropped=tuple(dropped), feeds_added=feeds.added,
        feeds_adopted=feeds.adopted, feeds_removed=feeds.removed, new=new, matched=matched,
        skipped=skipped, marked_read=marks.read, marked_unread=marks.unread,
        starred=marks.starred, unstarred=marks.unstarred,
        requests=_requests(service) - requests_before,
        seconds=time.perf_counter() - started, notes=tuple(notes),
    )

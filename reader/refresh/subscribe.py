"""Subscribing: one feed (or the feed a web page links to) added with its first stories.

Fetched and parsed first; stored, with its stories, in one transaction only if that worked,
so a failed subscription leaves nothing behind.

The fetch and parse layers (asyncio, httpx, feedparser, lxml: ~200 modules) are imported by
the functions that subscribe, not with this module: unsubscribing (``reader remove``, the app's
remove) needs none of them, and loading them was half of ``reader remove``'s CPU (min of 20
runs, same run: 0.20 s, 0.11 s without them, as ``reader list``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader.config import FetchSettings, SyncSettings
from reader.filters import Rules, Screen
from reader.models import FeedFetched
from reader.records import record
from reader.store import Store
from reader.store.feeds import add_feed, record_refresh, remove_feed, set_group, subscribed_as

if TYPE_CHECKING:
    from reader.feeds.discover import FeedLink
    from reader.feeds.fetch import FetchResult
    from reader.feeds.parse import ParsedFeed


class SubscribeError(Exception):
    """Subscribing failed; nothing was stored. The message is one line for the user."""


@record
class Subscribed:
    """A new subscription: its id, name, feed URL and first stories.

    ``found`` is the feed chosen from the page's links when the URL given was a web page;
    ``links`` are all the feeds that page offered.
    """

    feed_id: int
    name: str
    url: str
    new: int
    found: FeedLink | None = None
    links: tuple[FeedLink, ...] = ()
    warnings: tuple[str, ...] = ()
    filtered: int = 0
    """Of ``new``, how many a filter hid or marked read."""


def check_feed_url(url: str) -> str:
    """The URL if it is a usable http(s) address; else ``SubscribeError``."""
    from reader.feeds.html_markdown import resolve_url

    checked = resolve_url(url, None, frozenset({"http", "https"}))
    if checked is None:
        hint = f" (did you mean https://{url.strip()}?)" if "://" not in url and "." in url \
            and " " not in url.strip() else ""
        raise SubscribeError(f"{url!r} is not an http:// or https:// URL{hint}")
    return checked


async def _fetch_feed(url: str, settings: FetchSettings) -> tuple[FetchResult, ParsedFeed,
                                                                  FeedLink | None,
                                                                  tuple[FeedLink, ...]]:
    """The feed at ``url``, or the feed the page at ``url`` links to, fetched and parsed."""
    from reader.feeds.discover import choose_feed_link
    from reader.feeds.fetch import Fetcher, FetchRequest
    from reader.feeds.parse import FeedParseError, NotAFeedError, parse_feed

    async with Fetcher(settings) as fetcher:
        result = await fetcher.fetch(FetchRequest(url))
        if result.status != "ok":
            raise SubscribeError(f"cannot fetch {url}: {result.error}")
        try:
            return result, parse_feed(result.body, result.headers, result.url), None, ()
        except NotAFeedError as exc:
            links = exc.links
        except FeedParseError as exc:
            raise SubscribeError(f"{url} is not a feed: {_reason(exc)}") from None
        chosen = choose_feed_link(list(links))
        if chosen is None:
            raise SubscribeError(f"{url} is a web page that links to no RSS, Atom or JSON feed")
        result = await fetcher.fetch(FetchRequest(chosen.url))
        if result.status != "ok":
            raise SubscribeError(f"the page links to the feed {chosen.url}, which cannot be "
                                 f"fetched: {result.error}")
        try:
            parsed = parse_feed(result.body, result.headers, result.url)
        except FeedParseError as exc:
            raise SubscribeError(f"the page links to {chosen.url}, which is not a feed: "
                                 f"{_reason(exc)}") from None
        return result, parsed, chosen, links


def _reason(error: Exception) -> str:
    """Why a document is not a feed, without the parser's own ``not a feed`` around it
    (``… is not a feed: a PNG image``, not ``… is not a feed: not a feed: a PNG image``)."""
    return str(error).removeprefix("not a feed: ").removesuffix(", not a feed")


def subscribe(
    store: Store, url: str, settings: FetchSettings, *, title: str | None = None,
    group: str | None = None, filters: Rules | None = None,
) -> Subscribed:
    """Subscribe to a feed, or to the feed a web page links to, with its first stories.

    Fetches and parses first; stores the feed and its stories in one transaction only if
    that worked. Blocking (it runs its own event loop): call it from a thread, not a loop.
    ``filters`` apply to its first stories as to any refresh's new ones.
    """
    import asyncio

    from reader.feeds.parse import default_title

    url = check_feed_url(url)
    existing = subscribed_as(store, url)
    if existing is not None:
        raise SubscribeError(f"already subscribed to {url} as {existing!r}")
    result, parsed, found, links = asyncio.run(_fetch_feed(url, settings))
    feed_url = result.permanent_url or (found.url if found else url)
    existing = subscribed_as(store, feed_url)
    if existing is not None:
        raise SubscribeError(f"already subscribed to {feed_url} as {existing!r}")
    name = title.strip() if title and title.strip() else parsed.title or default_title(feed_url)
    screen = None
    if filters is not None and filters.rules:
        screen = Screen(filters.rules, [*(s.name for s in store.sources()), name])
    with store.transaction():
        feed_id = add_feed(store, feed_url, name, user_title=bool(title and title.strip()),
                           group=group, site_url=parsed.site_url)
        report, _ = record_refresh(store, feed_id, screen=screen, update=FeedFetched(
            site_url=parsed.site_url, etag=result.etag,
            last_modified=result.last_modified, drafts=parsed.drafts,
            asks_every=parsed.asks_every, fresh_until=result.fresh_until,
        ))
    stored_name = next((s.name for s in store.sources() if s.id == feed_id), name)
    return Subscribed(feed_id, stored_name, feed_url, report.new, found, links, parsed.warnings,
                      report.hidden + report.auto_read)


# -- what ``reader add`` / ``reader remove`` and the app's sources screen share ----------------


class ServerError(SubscribeError):
    """The feed server (``[sync]``) refused or could not be reached; nothing was stored."""


@record
class Added:
    """A subscription made by ``add_subscription``, and what to tell the person about it,
    line by line (the command line prints them, the app shows them)."""

    feed_id: int
    name: str
    url: str
    lines: tuple[str, ...]
    warnings: tuple[str, ...] = ()


def add_subscription(
    store: Store, url: str, settings: FetchSettings, *, sync: SyncSettings | None = None,
    local: bool = False, title: str | None = None, group: str | None = None,
    filters: Rules | None = None,
) -> Added:
    """Subscribe to ``url`` (a feed, or a web page linking to one) here, or on the feed
    server when ``[sync]`` is set and not ``local``; then put it in the folder ``group``.
    Raises ``SubscribeError`` (one line; nothing stored). Blocking: call it off the UI."""
    check_feed_url(url)
    if sync is not None and not local:
        return _add_on_server(store, url, sync, group)
    added = subscribe(store, url, settings, title=title, group=group, filters=filters)
    lines: list[str] = []
    if added.found is not None:
        others = len(added.links) - 1
        extra = f" ({others} other feed link{'s' if others != 1 else ''} on the page)" \
            if others else ""
        lines.append(f"the page links to {added.found.describe()}: using it{extra}")
    stories = f"{added.new} stor{'ies' if added.new != 1 else 'y'}"
    if added.filtered:
        stories += f" ({added.filtered} filtered)"
    lines.append(f"added feed {added.feed_id} {added.name!r} ({added.url}): {stories}")
    return Added(added.feed_id, added.name, added.url, tuple(lines), added.warnings)


def _add_on_server(store: Store, url: str, sync: SyncSettings, group: str | None) -> Added:
    from reader.sync.manage import subscribe_on_server
    from reader.sync.service import SyncError

    try:
        source_id, feed = subscribe_on_server(store, sync, url)
    except SyncError as exc:
        raise ServerError(f"{exc} (or 'reader add --local URL' for this machine only)") \
            from None
    if group:
        set_group(store, source_id, group)
    return Added(source_id, feed.title, feed.url, (
        f"added feed {source_id} {feed.title!r} ({feed.url}) on the server;"
        " run 'reader sync' for its stories",))


def remove_subscription(store: Store, feed_id: int, sync: SyncSettings | None = None) -> int:
    """Unsubscribe (on the feed server too, for a feed that comes from it); the feed's
    stories go with it. Returns how many. Raises ``ServerError`` if the server refuses."""
    if sync is not None:
        from reader.sync.cache import synced_sources
        from reader.sync.manage import unsubscribe_on_server
        from reader.sync.service import SyncError

        if feed_id in synced_sources(store):
            try:
                unsubscribe_on_server(store, sync, feed_id)
            except SyncError as exc:
                raise ServerError(str(exc)) from None
    return remove_feed(store, feed_id)

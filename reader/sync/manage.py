"""Subscribing and unsubscribing through the server, for ``reader add`` / ``reader remove``.

Where the protocol can (Tiny Tiny RSS), the subscription is made or dropped on the server and
mirrored here at once; where it cannot (Fever), ``NotSupported`` says to do it on the server.
"""

from __future__ import annotations

from reader.config import SyncSettings
from reader.store import Store
from reader.sync import cache
from reader.sync.engine import account_of, open_service
from reader.sync.service import RemoteFeed


def subscribe_on_server(store: Store, settings: SyncSettings, url: str) -> tuple[int, RemoteFeed]:
    """Subscribe to ``url`` on the server; returns the new source's id and the server feed."""
    service = open_service(settings)
    try:
        if not service.can_subscribe:
            service.subscribe(url)  # raises NotSupported with the words to say
        cache.use_account(store, account_of(settings))
        feed = service.subscribe(url)
    finally:
        service.close()
    return cache.add_server_feed(store, feed), feed


def unsubscribe_on_server(store: Store, settings: SyncSettings, source_id: int) -> None:
    """Unsubscribe on the server from the feed behind ``source_id`` (a server source)."""
    remote = cache.synced_sources(store).get(source_id)
    if remote is None:
        return
    service = open_service(settings)
    try:
        service.unsubscribe(remote)
    finally:
        service.close()

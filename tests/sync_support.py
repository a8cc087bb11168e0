"""Helpers shared by the sync tests: a config with a [sync] section, one sync as ``reader sync``
runs it, and the cache's view."""

from __future__ import annotations

import json
from pathlib import Path

from config_support import write_config

from reader.config import SyncSettings
from reader.store import Store
from reader.sync.engine import SyncReport, account_of, run_sync
from reader.sync.service import SyncService


def write_sync_config(home: Path, service: str, url: str, username: str,
                      extra: str = "") -> Path:
    """A config.toml for ``home`` naming the server; the password comes from the env."""
    path = write_config(home, f"[sync]\nservice = {json.dumps(service)}\nurl = {json.dumps(url)}\n"
                              f"username = {json.dumps(username)}\n{extra}")
    path.chmod(0o600)
    return path


def cache_path(home: Path) -> Path:
    return home / "data" / "cache.sqlite3"


def settings(service: str, url: str, username: str, timeout: float = 30.0) -> SyncSettings:
    return SyncSettings(service=service, url=url, username=username, timeout=timeout)


def sync_once(store: Store, client: SyncService, service: str, url: str,
              username: str) -> SyncReport:
    """One sync of ``store`` with ``client`` for the account (service, url, username), which
    is closed after it, as ``reader sync`` does."""
    try:
        return run_sync(store, client, account_of(settings(service, url, username)))
    finally:
        client.close()


def stories_by_title(store: Store) -> dict[str, tuple[str, bool, bool]]:
    """title → (story id, read, starred) for every feed story in the cache (not seeds)."""
    return {str(r[0]): (str(r[1]), bool(r[2]), bool(r[3])) for r in store.conn.execute(
        "SELECT s.title, s.id, st.read, st.starred FROM stories s"
        " JOIN story_state st ON st.story = s.rowid JOIN sources src ON src.id = s.source_id"
        " WHERE src.kind = 'feed'")}


def remote_id(store: Store, story_id: str) -> str:
    return str(store.conn.execute(
        "SELECT m.remote_id FROM sync_items m JOIN stories s ON s.rowid = m.story"
        " WHERE s.id = ?", (story_id,)).fetchone()[0])


def outbox(store: Store) -> list[tuple[str, str, int]]:
    return [(str(r[0]), str(r[1]), int(r[2])) for r in store.conn.execute(
        "SELECT remote_id, flag, value FROM outbox ORDER BY id")]


def queue_mark(store: Store, item: str, flag: str, value: int = 1) -> None:
    """Put a mark for the server's ``item`` in the outbox directly, as if made here while the
    cache did not know the item (or it has gone from the server since)."""
    store.conn.execute("INSERT INTO outbox (remote_id, flag, value, at) VALUES (?, ?, ?, 0)",
                       (item, flag, value))

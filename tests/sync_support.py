"""Helpers shared by the sync tests: a config with a [sync] section, and the cache's view."""

from __future__ import annotations

import json
from pathlib import Path

from reader.config import SyncSettings
from reader.store import Store


def write_sync_config(home: Path, service: str, url: str, username: str,
                      extra: str = "") -> Path:
    """A config.toml for ``home`` naming the server; the password comes from the env."""
    path = home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"[sync]\nservice = {json.dumps(service)}\nurl = {json.dumps(url)}\n"
        f"username = {json.dumps(username)}\n{extra}", encoding="utf-8")
    path.chmod(0o600)
    return path


def cache_path(home: Path) -> Path:
    return home / "data" / "cache.sqlite3"


def settings(service: str, url: str, username: str, timeout: float = 30.0) -> SyncSettings:
    return SyncSettings(service=service, url=url, username=username, timeout=timeout)


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

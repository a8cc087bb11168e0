"""What every command needs: the folders, the config and an open cache with seeds loaded."""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from reader.config import Config, load_config
from reader.paths import Paths, resolve_paths
from reader.seed.loader import SeedDir, bundled_seed_dir, load_seed_articles, user_seed_dir
from reader.store import Store, StoreError

EXIT_USAGE = 2
"""The exit status of every failure a user can cause (bad option, unknown id, bad config):
printed as one ``reader: error: ...`` line."""

PENDING_INDEX_LIMIT = 5_000
"""Stories a command indexes for search when it opens the cache: what a killed refresh left
waiting (500 or so at most, as a refresh indexes in batches); a cache locked by an old bug or a
long outage catches up this many at a time."""


def index_left_pending(store: Store) -> None:
    """Index stories a killed refresh left waiting for search, so ``reader search`` finds every
    stored story. Never waits: when another process (a running refresh) holds the write lock,
    the stories are that refresh's to index, and it will."""
    with contextlib.suppress(StoreError):
        store.index_pending(limit=PENDING_INDEX_LIMIT, wait=False)


def index_left_pending_at(database: Path) -> None:
    """``index_left_pending`` on a connection of its own (the app, after its refresh process
    was killed: from a worker thread, never the UI's)."""
    with contextlib.suppress(StoreError), Store.open(database) as store:
        index_left_pending(store)


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status ``EXIT_USAGE``."""


@dataclass
class Context:
    """One command's (or the app's) folders, config and seed folders, and the cache once it
    is first asked for."""

    paths: Paths
    config: Config
    seed_dirs: list[SeedDir]
    _store: Store | None = field(default=None, repr=False)

    @classmethod
    def create(cls, home: str | None, extra_seed_dirs: list[str] | None, *,
               lenient_config: bool = False) -> Context:
        """Resolve folders and config, and check every seed folder before touching the cache.

        ``lenient_config`` (the app): a bad config value is kept in ``config.problems`` for the
        app to show, with its default in its place, instead of stopping with an error.
        """
        paths = resolve_paths(home)
        chosen = paths.data_dir.parent
        if chosen.is_file():  # else: "cannot read config FILE/config/config.toml: Not a directory"
            raise CommandError(f"the home folder {chosen} is a file, not a folder")
        config = load_config(paths.config_file, lenient=lenient_config)
        seed_dirs = [bundled_seed_dir()]
        for folder in [*config.seed_dirs, *(extra_seed_dirs or [])]:
            seed_dirs.append(user_seed_dir(folder))
        return cls(paths, config, seed_dirs)

    def store(self, load_seeds: bool = True) -> Store:
        """The open cache, with seed folders brought up to date on first use."""
        if self._store is None:
            self._store = Store.open(
                self.paths.database,
                notice=lambda message: print(f"reader: {message}…", file=sys.stderr, flush=True),
                on_wait=_say_waiting if sys.stderr.isatty() else None,
                write_wait=self.config.cache.write_wait,
            )
            if load_seeds:
                report = load_seed_articles(self._store, self.seed_dirs)
                for warning in report.warnings:
                    print(f"reader: warning: {warning}", file=sys.stderr)
            index_left_pending(self._store)
        return self._store

    def close(self) -> None:
        """Close the cache if it was opened."""
        if self._store is not None:
            self._store.close()
            self._store = None


def _say_waiting() -> None:
    print("reader: waiting for another reader to finish writing to the cache…",
          file=sys.stderr, flush=True)

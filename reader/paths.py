"""Where the cache and the config live.

platformdirs gives the per-user folders; ``READER_HOME`` (or ``--home``) puts both under one
folder instead, which keeps tests and portable installs away from the user's real data.
platformdirs is imported only when it is asked (no home folder given): with its platform
module, ~9 M instructions of a command's start.
"""

from __future__ import annotations

import os
from pathlib import Path

from reader.records import record

APP_NAME = "reader-tui"


@record
class Paths:
    """The folders and files one run of the reader uses."""

    data_dir: Path
    config_dir: Path
    documents_dir: Path
    """Where saved stories go unless the config names a ``save_dir``: the platform's
    documents folder's ``reader`` (``saved`` under a home folder)."""
    cache_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "cache.sqlite3"

    @property
    def images_dir(self) -> Path:
        """Saved story images (issue 17): cache, not data, so the system may clear it."""
        return self.cache_dir / "images"

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"


def resolve_paths(home: str | os.PathLike[str] | None = None) -> Paths:
    """Pick the folders: an explicit ``home``, else ``$READER_HOME``, else platformdirs."""
    chosen = home if home is not None else os.environ.get("READER_HOME") or None
    if chosen is not None:
        base = Path(chosen).expanduser()
        return Paths(data_dir=base / "data", config_dir=base / "config",
                     documents_dir=base / "saved", cache_dir=base / "cache")
    import platformdirs

    return Paths(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        documents_dir=Path(platformdirs.user_documents_dir()) / "reader",
        cache_dir=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
    )


def save_dir(paths: Paths, configured: str | None) -> Path:
    """The folder stories are saved in: the config's ``save_dir`` (``~`` expanded), else
    ``paths.documents_dir``."""
    if configured:
        return Path(configured).expanduser()
    return paths.documents_dir


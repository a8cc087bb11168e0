"""The user's ``config.toml``: seed folders, theme, key remapping and fetch settings.

Read with tomllib. The reader only ever writes one thing back (the chosen theme), and does it
by editing that one line so the user's comments and layout survive.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


class ConfigError(Exception):
    """The config file exists but cannot be used; one line says why."""


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """How refresh talks to servers; the defaults are polite to them and quick for us."""

    concurrency: int = 16
    per_host: int = 2
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    deadline: float = 60.0
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = 5
    retention_days: int | None = None


@dataclass(frozen=True, slots=True)
class Config:
    seed_dirs: tuple[str, ...] = ()
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    fetch: FetchSettings = field(default_factory=FetchSettings)


def _expect(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ConfigError(f"config: {where} has the wrong type")
    return value


def load_config(path: Path) -> Config:
    """Read the config file; a missing file is the default config."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path} is not valid TOML: {exc}") from None
    seed_dirs = _expect(raw.get("seed_dirs", []), list, "seed_dirs")
    for item in seed_dirs:
        _expect(item, str, "seed_dirs")
    theme = raw.get("theme")
    if theme is not None:
        _expect(theme, str, "theme")
    keymap = _expect(raw.get("keymap", {}), dict, "[keymap]")
    for key, value in keymap.items():
        _expect(value, str, f"keymap.{key}")
    fetch_raw = _expect(raw.get("fetch", {}), dict, "[fetch]")
    defaults = FetchSettings()
    fetch_values: dict[str, Any] = {}
    for name in FetchSettings.__dataclass_fields__:
        if name in fetch_raw:
            wanted = type(getattr(defaults, name)) if getattr(defaults, name) is not None else int
            value = fetch_raw[name]
            if wanted is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            fetch_values[name] = _expect(value, wanted, f"fetch.{name}")
    return Config(
        seed_dirs=tuple(seed_dirs), theme=theme, keymap=dict(keymap),
        fetch=FetchSettings(**fetch_values),
    )


_THEME_LINE = re.compile(r"^theme\s*=.*$", re.MULTILINE)


def save_theme(path: Path, theme: str) -> None:
    """Remember the chosen theme, touching only the ``theme = ...`` line of the file."""
    line = f"theme = {_toml_string(theme)}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    top_end = re.search(r"^\[", text, re.MULTILINE)
    head, tail = (text[: top_end.start()], text[top_end.start():]) if top_end else (text, "")
    if _THEME_LINE.search(head):
        head = _THEME_LINE.sub(line, head, count=1)
    else:
        head = line + "\n" + head
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(head + tail, encoding="utf-8")
    tmp.replace(path)


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'

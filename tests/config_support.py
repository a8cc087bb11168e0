"""A config file for a test's own reader home (``home/config/config.toml``), as a user writes it.

The tests that run the real ``reader`` keep its fetches short (a deadline of seconds, not a
minute) or name a sync server; each writes only the settings it is about, the rest default.
"""

from __future__ import annotations

from pathlib import Path


def write_config(home: Path, text: str) -> Path:
    """Write ``text`` as the config.toml of ``home``; returns the file's path."""
    path = home / "config" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def with_fetch_settings(home: Path, **fetch: float) -> Path:
    """``home``, its config holding just these ``[fetch]`` settings, in the order given."""
    write_config(home, "[fetch]\n" + "".join(f"{name} = {value}\n"
                                             for name, value in fetch.items()))
    return home

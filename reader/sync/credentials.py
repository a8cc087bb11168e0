"""The sync password: from ``password_command`` (an argv, never a shell) or the environment.

It lives only in this process's memory: never in the config, the cache, a message or a log.
A config file that other users can read gets a warning, since it names the account.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from reader.config import SyncSettings
from reader.sync.service import SyncError

PASSWORD_ENV = "READER_SYNC_PASSWORD"
COMMAND_TIMEOUT = 60.0
"""A password manager may ask for a passphrase; it gets a minute."""


def sync_password(settings: SyncSettings) -> str:
    """The password: ``READER_SYNC_PASSWORD`` if set, else the first line ``password_command``
    prints. Raises ``SyncError`` with a line that never contains the password."""
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env:
        return from_env
    if not settings.password_command:
        raise SyncError(f"no sync password: set sync.password_command (e.g. [\"pass\", \"show\","
                        f" \"rss\"]) or {PASSWORD_ENV}")
    command = list(settings.password_command)
    try:
        done = subprocess.run(command, capture_output=True, timeout=COMMAND_TIMEOUT,
                              check=False, shell=False, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise SyncError(f"sync.password_command: no program {command[0]!r}") from None
    except PermissionError:
        raise SyncError(f"sync.password_command: {command[0]!r} cannot be run") from None
    except subprocess.TimeoutExpired:
        raise SyncError(f"sync.password_command did not finish within"
                        f" {COMMAND_TIMEOUT:g} s") from None
    except OSError as exc:
        raise SyncError(f"sync.password_command: {exc.strerror or exc}") from None
    if done.returncode != 0:
        raise SyncError(f"sync.password_command failed (exit status {done.returncode})")
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    password = lines[0] if lines else ""  # pass(1) prints the password on the first line
    if not password:
        raise SyncError("sync.password_command printed no password")
    return password


def config_warning(config_file: Path) -> str | None:
    """A warning line when the config (which names the sync account) is readable by others."""
    try:
        mode = config_file.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        return (f"{config_file} holds the [sync] account and other users can read it"
                f" (mode {stat.S_IMODE(mode):o}): chmod 600 {config_file}")
    return None

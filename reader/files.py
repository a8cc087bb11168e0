"""Reading the local files a user points the reader at (config, OPML, seed articles), bounded.

Each kind of file has a size no real one comes near, and the cap is enforced while reading,
never after: ``reader import /dev/zero`` read until memory ran out (3.5 GB after 5 s) when the
10 MB OPML cap was checked on the whole file. Opening never blocks either (a FIFO nobody
writes to), and whatever is not a readable file (a folder, a device, a FIFO, a symlink loop)
is one line saying so, for the caller to print as an error or a warning.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
from pathlib import Path

_CHUNK = 1024 * 1024


class LocalFileError(Exception):
    """A local file that cannot be used; the message completes "cannot read FILE: ..."."""


def format_size(size: int) -> str:
    """``10 MB`` for round sizes, else the exact number of bytes."""
    for unit, scale in (("GB", 1024 ** 3), ("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size:,} bytes"


def describe_mode(mode: int) -> str | None:
    """Why a file of this ``st_mode`` cannot be read as a document (``None``: it can)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "it is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "it is a FIFO (named pipe), not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "it is a device, not a file"
    if stat.S_ISSOCK(mode):
        return "it is a socket, not a file"
    return "it is not a regular file"


def describe_os_error(exc: OSError) -> str:
    """An ``OSError`` from opening or reading a local file, in words."""
    if exc.errno == errno.ELOOP:
        return "it is a symlink loop"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ENOENT:
        return "no such file"
    if exc.errno == errno.EISDIR:
        return "it is a folder, not a file"
    if exc.errno == errno.ENXIO:
        return "it is not a file that can be opened for reading"
    return (exc.strerror or str(exc)).rstrip(".")


def read_bounded(path: str | os.PathLike[str], cap: int, *, streams: bool = False) -> bytes:
    """The contents of ``path``, at most ``cap`` bytes, else ``LocalFileError`` with a reason.

    A missing file raises ``FileNotFoundError`` (for callers where that means "use the
    default"). ``streams`` also reads FIFOs and character devices (``/dev/stdin``, a shell's
    ``<(...)``), still capped; without it they are refused. A FIFO with no writer reads as
    empty instead of waiting for one.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise LocalFileError(describe_os_error(exc)) from None
    try:
        info = os.fstat(fd)
        refusal = describe_mode(info.st_mode)
        is_stream = stat.S_ISFIFO(info.st_mode) or stat.S_ISCHR(info.st_mode)
        if refusal is not None and not (streams and is_stream):
            raise LocalFileError(refusal)
        too_big = f"it is larger than {format_size(cap)}"
        if stat.S_ISREG(info.st_mode) and info.st_size > cap:
            raise LocalFileError(too_big)  # a 1 GB sparse file is refused without a read
        if is_stream:
            flags = fcntl.fcntl(fd, fcntl.F_GETFL)
            fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
        parts: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(_CHUNK, cap + 1 - total))
            if not chunk:
                break
            total += len(chunk)
            if total > cap:  # a file that grew, a device, a pipe that never ends
                raise LocalFileError(too_big)
            parts.append(chunk)
        return b"".join(parts)
    except OSError as exc:
        raise LocalFileError(describe_os_error(exc)) from None
    finally:
        os.close(fd)


def read_bounded_text(path: Path, cap: int) -> str:
    """``read_bounded`` decoded as UTF-8 (a BOM is dropped); bad bytes are ``LocalFileError``."""
    data = read_bounded(path, cap)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LocalFileError(f"it is not UTF-8 text (byte {exc.start})") from None

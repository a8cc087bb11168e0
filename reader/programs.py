"""Handing a URL or a story to another program: the browser, a media player, a pager.

Feed text is hostile, and a URL is feed text. So every rule here is about what a program may
be given, and how:

* a command is always an argument list run without a shell (``["mpv", "--no-video",
  "{url}"]``); ``{url}`` is replaced as one whole argument (or the URL is added as the last
  one), never spliced into a string a shell or the program would split again;
* only http and https URLs are handed on (and ``mailto:`` where a mail link is followed);
  ``javascript:``, ``data:``, ``file:`` and every other scheme are refused;
* a URL that starts with ``-`` (a program would read it as an option: ``-oProxyCommand=…``),
  holds a space, a newline or any other control or bidi character, or is longer than
  ``MAX_URL`` characters is refused, whatever its scheme;
* a program that is missing or fails is reported in one line; nothing waits for it on the
  thread that paints (``launch`` is a coroutine that awaits the process's end);
* a browser that draws in the terminal (w3m, lynx, links, elinks…: ``TERMINAL_BROWSERS``,
  named in ``browser`` or ``$BROWSER``, or the one Python's ``webbrowser`` falls back to when
  there is no display) is never started beside the app, where both would draw on the same
  screen and read the same keys: it gets the terminal, the app suspended until it ends.

Openers (``[[openers]]`` in the config) pick the program for an enclosure by its MIME type
(``match = "audio/*"``) or by a regular expression on its URL (``match_url``); the first that
matches wins, and without one the browser opens it.
"""

from __future__ import annotations

import asyncio
import mimetypes
import os
import re
import subprocess
import tempfile
from collections.abc import Sequence
from fnmatch import fnmatchcase
from typing import IO
from urllib.parse import urlsplit

from reader.models import Enclosure
from reader.records import record
from reader.text import has_control_characters

URL_PLACEHOLDER = "{url}"
MAX_URL = 4096
"""Characters. Real links are far shorter (the longest of the real corpus's 60,000 is 1,100,
a tracking link); a longer one is refused rather than handed to a program."""
WEB_SCHEMES = ("http", "https")


class UnsafeUrl(ValueError):
    """A URL that is never handed to a program; the message says why, in a few words."""


def check_url(url: str | None, *, mail: bool = False) -> str:
    """``url`` if it may be handed to a program, else ``UnsafeUrl`` saying why. ``mail``:
    a ``mailto:`` link is allowed too (links followed from a story's text)."""
    if not url:
        raise UnsafeUrl("there is no link")
    if len(url) > MAX_URL:
        raise UnsafeUrl(f"the link is {len(url):,} characters long (at most {MAX_URL:,})")
    if has_control_characters(url) or any(ch.isspace() for ch in url):
        raise UnsafeUrl("the link holds a space, a line break or a control character")
    if url.startswith("-"):
        raise UnsafeUrl("the link starts with '-' (a program would take it for an option)")
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    allowed = (*WEB_SCHEMES, "mailto") if mail else WEB_SCHEMES
    if scheme not in allowed:
        named = scheme.isascii() and scheme.isalnum()
        raise UnsafeUrl(f"only {', '.join(f'{s}:' for s in allowed)} links are opened"
                        + (f", not {scheme}: ones" if named else ""))
    if scheme in WEB_SCHEMES and not urlsplit(url).hostname:
        raise UnsafeUrl("the link names no host")
    return url


def command_for(command: Sequence[str], url: str) -> list[str]:
    """The argument list to run: ``{url}`` replaced by the URL as one whole argument, or the
    URL added at the end when no argument is ``{url}``. The URL must have passed
    ``check_url`` (this checks it again: it is the last step before a program sees it)."""
    check_url(url, mail=True)
    if not command:
        raise ValueError("no command to run")
    if URL_PLACEHOLDER not in command:
        return [*command, url]
    return [url if arg == URL_PLACEHOLDER else arg for arg in command]


def placeholder_problem(command: Sequence[str]) -> str | None:
    """Why a configured command cannot take a URL safely (``{url}`` inside a longer argument,
    where it could not be one whole argument), or None."""
    for arg in command:
        if URL_PLACEHOLDER in arg and arg != URL_PLACEHOLDER:
            return f"{URL_PLACEHOLDER} must be an argument by itself (not in {arg!r})"
    return None


TERMINAL_BROWSERS = frozenset({"w3m", "lynx", "links", "links2", "elinks", "www-browser",
                               "browsh", "carbonyl"})
"""Programs (by file name) that show a page in the terminal they are started in. Debian's
``www-browser`` is the alternative that names the system's text browser."""


def needs_terminal(argv: Sequence[str]) -> bool:
    """Whether ``argv`` runs a browser that draws in the terminal (``TERMINAL_BROWSERS``)."""
    return bool(argv) and os.path.basename(argv[0]) in TERMINAL_BROWSERS


def system_browser(url: str) -> list[str] | None:
    """The command Python's ``webbrowser`` would run for ``url`` when that is a browser that
    draws in the terminal (``$BROWSER=w3m``, or ``lynx`` found on a machine without a
    display), else None: ``webbrowser`` runs those beside the app, and waits for them. The
    first call looks for browsers on ``PATH`` (milliseconds): call it off the UI thread."""
    import webbrowser

    try:
        controller = webbrowser.get()
    except webbrowser.Error:
        return None
    if type(controller) is not webbrowser.GenericBrowser:  # GUI ones: background, or own class
        return None
    argv = [controller.name, *(arg.replace("%s", url) for arg in controller.args)]
    return argv if needs_terminal(argv) else None


# -- openers ---------------------------------------------------------------------------------


@record
class Opener:
    """``[[openers]]``: run ``command`` for enclosures whose type matches the MIME pattern
    ``match`` (``audio/*``), or whose URL the regular expression ``match_url`` finds a match
    in. An enclosure whose feed gives no type is matched by the type its file name implies."""

    command: tuple[str, ...]
    match: str | None = None
    match_url: str | None = None

    def matches(self, enclosure: Enclosure) -> bool:
        if self.match is not None:
            kind = enclosure.type or mimetypes.guess_type(urlsplit(enclosure.url).path)[0]
            return kind is not None and fnmatchcase(kind.lower(), self.match.lower())
        return self.match_url is not None and re.search(self.match_url, enclosure.url) is not None


def pick_opener(openers: Sequence[Opener], enclosure: Enclosure) -> Opener | None:
    """The first opener that matches ``enclosure`` (None: the browser opens it)."""
    return next((opener for opener in openers if opener.matches(enclosure)), None)


# -- running ---------------------------------------------------------------------------------

STDERR_TAIL = 2000
"""Bytes of a failed program's error output kept to say why it failed (its last line)."""


@record
class Ended:
    """How a launched program ended: ``failure`` is one line (None: it exited with 0)."""

    program: str
    failure: str | None = None


async def launch(argv: Sequence[str]) -> Ended:
    """Run ``argv`` detached from the terminal (its own session; no input; output to nowhere,
    error output to an unnamed file so a program that outlives the app never meets a closed
    pipe) and await its end without holding a thread: a player runs for an hour, a browser
    hands over the link and exits."""
    program = os.path.basename(argv[0]) if argv else "?"
    with tempfile.TemporaryFile() as errors:
        try:
            process = await asyncio.create_subprocess_exec(
                *argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors,
                start_new_session=True)
        except FileNotFoundError:
            return Ended(program, f"{program} was not found (is it installed and on PATH?)")
        except OSError as exc:
            return Ended(program, f"{program} could not be started: {exc.strerror or exc}")
        status = await process.wait()
        if status == 0:
            return Ended(program)
        return Ended(program, failure_line(program, status, _tail(errors)))


def failure_line(program: str, status: int, errors: bytes) -> str:
    """``mpv failed (exit status 2): No such file``: the last line it wrote, cleaned."""
    why = "stopped by a signal" if status < 0 else f"exit status {status}"
    last = next((line for line in reversed(errors.decode("utf-8", "replace").splitlines())
                 if line.strip()), "")
    last = "".join(ch if ch.isprintable() else " " for ch in last).strip()[:200]
    return f"{program} failed ({why})" + (f": {last}" if last else "")


def _tail(handle: IO[bytes]) -> bytes:
    try:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - STDERR_TAIL))
        return handle.read()
    except OSError:
        return b""


def run_with_input(argv: Sequence[str], text: str | None, *, terminal: bool) -> str | None:
    """Run ``argv`` with ``text`` on its standard input and wait for it (``|``: the app is
    suspended meanwhile, so with ``terminal`` the program has the terminal; without, its
    output goes nowhere). ``text`` None: the program reads the terminal too (a browser that
    draws in it). Returns one line when it is missing or fails, else None."""
    program = os.path.basename(argv[0]) if argv else "?"
    output = None if terminal else subprocess.DEVNULL
    given = text.encode("utf-8", "replace") if text is not None else None
    try:
        done = subprocess.run(list(argv), input=given, stdout=output, stderr=output,
                              stdin=None if given is not None or terminal else subprocess.DEVNULL,
                              check=False)
    except FileNotFoundError:
        return f"{program} was not found (is it installed and on PATH?)"
    except OSError as exc:
        return f"{program} could not be started: {exc.strerror or exc}"
    return None if done.returncode == 0 else failure_line(program, done.returncode, b"")

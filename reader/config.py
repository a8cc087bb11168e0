"""The user's ``config.toml``: seed folders, theme, key remapping, fetch and sync settings.

Read with tomllib, from a file read with a cap (a config is a few hundred bytes; a link to
``/dev/zero`` must not fill memory). Every value is checked on load against the rule its
field declares: ``number(default, low, high, unit)`` in a settings dataclass is the whole
declaration, so adding a key with its range is one line. A bad value is one line naming the
key and what is allowed; the command line stops on it (exit 2), the app shows it and uses the
default (``load_config(..., lenient=True)``).

The reader only ever writes one thing back (the chosen theme), and does it by editing that
one line so the user's comments and layout survive.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import Field, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.files import LocalFileError, format_size, read_bounded_text
from reader.filters import Rules, read_rules
from reader.models import SORT_ORDERS
from reader.records import record
from reader.schedule import DurationError, check_duration

if TYPE_CHECKING:  # the programs module loads only when a config names an opener
    from reader.programs import Opener

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_CONFIG_BYTES = 1024 * 1024
"""A config file is a few hundred bytes; anything past a megabyte is not one."""
KB = 1024
MB = 1024 * KB
GB = 1024 * MB


class ConfigError(Exception):
    """The config file exists but cannot be used; one line says why."""


# -- rules: what a value may be ---------------------------------------------------------------

Check = Callable[[Any], Any]
"""Takes the TOML value; returns the value to use, or raises ``ValueError`` saying what is
allowed (the message completes "KEY must be ...")."""


def _number_check(kind: type, low: float, high: float, unit: str) -> Check:
    if unit == "bytes":
        span = (f"{int(low)} to {int(high)} bytes"
                f" ({format_size(int(low))} to {format_size(int(high))})")
    else:
        span = f"{low:g} to {high:g}{f' {unit}' if unit else ''}"
    wanted = f"{'a whole number' if kind is int else 'a number'} from {span}"

    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(wanted)
        if kind is int and not isinstance(value, int):
            raise ValueError(wanted)
        if not math.isfinite(value) or not low <= value <= high:
            raise ValueError(wanted)
        return kind(value)

    return check


def number(default: Any, low: float, high: float, unit: str = "") -> Any:
    """A dataclass field holding a number in ``[low, high]``; an ``int`` default makes it a
    whole number. ``default=None`` makes it optional (absent means off)."""
    kind = type(default) if default is not None else int
    return field(default=default, metadata={"check": _number_check(kind, low, high, unit),
                                            "range": (kind, low, high)})


def choice(default: str, allowed: tuple[str, ...]) -> Any:
    """A dataclass field holding one of the words ``allowed`` (in quotes in the file)."""
    wanted = "one of " + ", ".join(f'"{word}"' for word in allowed)

    def check(value: Any) -> Any:
        if not isinstance(value, str) or value not in allowed:
            raise ValueError(wanted)
        return value

    return field(default=default, metadata={"check": check, "choices": allowed})


def boolean(default: bool) -> Any:
    """A dataclass field holding ``true`` or ``false``."""
    def check(value: Any) -> Any:
        if not isinstance(value, bool):
            raise ValueError("true or false (no quotes)")
        return value

    return field(default=default, metadata={"check": check})


def duration(default: str, low: float, high: float, *, zero_ok: bool = False) -> Any:
    """A dataclass field holding a duration written like ``"30m"``, ``"2h"``, ``"1d"``
    (``reader.schedule``), kept as seconds, in ``[low, high]`` seconds; ``zero_ok``: ``"0"``
    too (off)."""
    def check(value: Any) -> Any:
        try:
            return check_duration(value, low, high, zero_ok=zero_ok)
        except DurationError as exc:
            raise ValueError(str(exc)) from None

    return field(default=check(default), metadata={"check": check})


class EntryError(ValueError):
    """A check's complaint about one part of a value (an entry of ``[[openers]]``): the line
    names that part (``openers[2].match_url …``) rather than "KEY must be …, not …"."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where


def argv(default: tuple[str, ...] = (), *, takes_url: bool = False) -> Any:
    """A dataclass field holding a command as a list of strings, run without a shell (an
    empty list: none). ``takes_url``: ``{url}`` may stand for the URL, as one whole argument
    (``reader.programs``)."""
    example = '["firefox", "--new-tab", "{url}"]' if takes_url else '["notify-send", "reader"]'

    def check(value: Any) -> Any:
        if not isinstance(value, list) or not all(isinstance(a, str) for a in value) or (
                value and not value[0].strip()):
            raise ValueError(f"a command as a list of strings, e.g. {example}")
        if takes_url:
            from reader.programs import placeholder_problem

            problem = placeholder_problem(value)
            if problem:
                raise ValueError(f"a command whose {problem}")
        return tuple(value)

    return field(default=default, metadata={"check": check})


def folder(default: str | None = None) -> Any:
    """A dataclass field holding a folder's path in quotes (``~`` is the home folder)."""
    def check(value: Any) -> Any:
        if not isinstance(value, str) or not value.strip() or "\0" in value:
            raise ValueError("a folder's path in quotes")
        return value

    return field(default=default, metadata={"check": check})


def openers() -> Any:
    """``[[openers]]``: each table ``match`` (a MIME pattern) or ``match_url`` (a regular
    expression on the URL), and ``command`` (``{url}`` where the URL goes)."""
    def check(value: Any) -> Any:
        from reader.programs import Opener, placeholder_problem

        if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
            raise ValueError('tables ([[openers]]) with match or match_url, and command')
        found = []
        for number, table in enumerate(value, 1):
            at = f"[{number}]"
            unknown = sorted(set(table) - {"match", "match_url", "command"})
            if unknown:
                raise EntryError(f"{at}.{unknown[0]}",
                                 "is not a setting (match, match_url, command)")
            command = table.get("command")
            if (not isinstance(command, list) or not command
                    or not all(isinstance(a, str) for a in command) or not command[0].strip()):
                raise EntryError(f"{at}.command", 'must be a command as a list of strings,'
                                 ' e.g. ["mpv", "--no-video", "{url}"]')
            problem = placeholder_problem(command)
            if problem:
                raise EntryError(f"{at}.command", f"is wrong: {problem}")
            match, match_url = table.get("match"), table.get("match_url")
            if (match is None) == (match_url is None):
                raise EntryError(at, 'needs match (a MIME pattern, e.g. "audio/*") or'
                                 " match_url (a regular expression), one of the two")
            if match is not None and (not isinstance(match, str) or "/" not in match):
                raise EntryError(f"{at}.match", 'must be a MIME pattern in quotes, e.g.'
                                 f' "audio/*", not {_shown(match)}')
            if match_url is not None and not isinstance(match_url, str):
                raise EntryError(f"{at}.match_url", "must be a regular expression in quotes,"
                                 f" not {_shown(match_url)}")
            if match_url is not None:
                try:
                    re.compile(match_url)
                except re.error as exc:
                    raise EntryError(f"{at}.match_url",
                                     f"is not a regular expression ({exc})") from None
            found.append(Opener(tuple(command), match, match_url))
        return tuple(found)

    return field(default=(), metadata={"check": check})


# -- the settings -----------------------------------------------------------------------------


@record
class FetchSettings:
    """How refresh talks to servers; the defaults are polite to them and quick for us.

    ``deadline`` bounds one feed, ``host_deadline`` and ``host_max_bytes`` everything one host
    is asked in one refresh, and ``refresh_deadline`` the whole refresh, so one slow or
    bottomless host can hold a refresh (and the app's status line) for at most that long.
    """

    concurrency: int = number(16, 1, 256)
    per_host: int = number(2, 1, 16)
    connect_timeout: float = number(10.0, 0.1, 300, "seconds")
    read_timeout: float = number(20.0, 0.1, 300, "seconds")
    deadline: float = number(60.0, 0.1, 3600, "seconds")
    max_bytes: int = number(DEFAULT_MAX_BYTES, 1 * KB, 1 * GB, "bytes")
    max_redirects: int = number(5, 0, 20)
    host_deadline: float = number(60.0, 0.1, 3600, "seconds")
    host_max_bytes: int = number(100 * MB, 1 * KB, 64 * GB, "bytes")
    refresh_deadline: float = number(120.0, 0.1, 86400, "seconds")
    retention_days: int | None = number(None, 1, 36500, "days")


@record
class CacheSettings:
    """How a write to the cache waits for another reader process writing to it (a refresh in
    another terminal): up to ``write_wait``, then one clear line and nothing changed."""

    write_wait: float = number(30.0, 0, 3600, "seconds")




@record
class FullTextSettings:
    """What a refresh saves beyond the feeds (issue 17): the pages of summary-only stories
    (at most ``pages_per_refresh`` a refresh) and up to ``images_per_story`` images of each
    new story (0: none), in an image cache kept under ``image_cache_mb``."""

    pages_per_refresh: int = number(200, 0, 100_000)
    images_per_story: int = number(5, 0, 20)
    image_cache_mb: int = number(200, 1, 1_000_000, "MB")


SECTIONS: dict[str, type] = {"fetch": FetchSettings, "cache": CacheSettings,
                             "full_text": FullTextSettings}
"""The config's tables and the settings dataclass each is read into. Another area adds its
table (``[sync]``, ...) as a frozen dataclass of ``number`` fields (or fields with their own
``check`` in the metadata), one line here and
one field on ``Config``."""


@record
class ReadingSettings:
    """Top-level keys about reading in the app.

    ``mark_read_on``: ``"open"`` marks a story read when it is opened (Enter, n, a related
    story); ``"preview"`` also when it has been shown in the pane, the list's cursor resting
    on it, for ``PREVIEW_READ_SECONDS`` (1 s).
    """

    mark_read_on: str = choice("open", ("open", "preview"))


@record
class RefreshSettings:
    """Top-level keys about the app's automatic refresh (issue 15).

    ``refresh_on_start`` refreshes the feeds that are due as the app opens (after its first
    frame); ``refresh_interval`` does so again while it runs (``"0"``: never); each feed is
    still fetched no more often than it asks (``reader.schedule``). ``notify_command`` runs
    after a refresh in the app that brought new stories, as an argument list (never a shell),
    ``{new}`` replaced by their number inside any argument.
    """

    refresh_on_start: bool = boolean(True)
    refresh_interval: float = duration("60m", 60, 7 * 86400, zero_ok=True)
    notify_command: tuple[str, ...] = argv()


@record
class ProgramSettings:
    """Top-level keys naming the programs a story's links, enclosures and text go to (issue 16;
    ``reader.programs`` says how they are run).

    ``browser`` opens links (empty: ``$BROWSER``, else the platform's default browser);
    ``pipe_command`` reads the story as plain text on its input (``|``); ``save_dir`` is where
    ``w`` and ``reader save`` write stories (empty: the documents folder's ``reader``, or
    ``saved`` under ``$READER_HOME``); ``openers`` pick a player for enclosures (``e``).
    """

    browser: tuple[str, ...] = argv(takes_url=True)
    pipe_command: tuple[str, ...] = argv(("less", "-R"))
    save_dir: str | None = folder()
    openers: tuple[Opener, ...] = openers()


TOP_LEVEL: dict[str, type] = {"reading": ReadingSettings,
                              "refresh": RefreshSettings,
                              "programs": ProgramSettings}
"""Settings dataclasses whose fields are keys at the top of the file (no table), each read
into the ``Config`` field of its name, checked like ``SECTIONS``: a key is one line."""

SYNC_SERVICES = ("fever", "ttrss")


@record
class SyncSettings:
    """``[sync]``: the feed server this reader is a client of (see ``reader.sync``).

    Not a ``SECTIONS`` table: it has no defaults (no section means no sync). The password is
    never in the config: it comes from ``password_command`` (an argv run without a shell,
    e.g. ``["pass", "show", "rss"]``) or ``READER_SYNC_PASSWORD``.
    """

    service: str
    url: str
    username: str
    password_command: tuple[str, ...] = ()
    timeout: float = 30.0


@record
class Config:
    """The whole config as loaded. ``problems`` holds the lines about values that were
    replaced by their defaults (only when loaded leniently, for the app to show)."""

    seed_dirs: tuple[str, ...] = ()
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    cache: CacheSettings = field(default_factory=CacheSettings)
    full_text: FullTextSettings = field(default_factory=FullTextSettings)
    problems: tuple[str, ...] = ()
    sync: SyncSettings | None = None
    reading: ReadingSettings = field(default_factory=ReadingSettings)
    sort: dict[str, str] = field(default_factory=dict)
    """The story list's order per view (``[sort]``: view name → one of ``SORT_ORDERS``)."""
    refresh: RefreshSettings = field(default_factory=RefreshSettings)
    programs: ProgramSettings = field(default_factory=ProgramSettings)
    filters: Rules = field(default_factory=Rules)
    """``[[filters]]``: always read leniently (a rule that cannot be used is a line in
    ``filters.problems`` naming it, and the others still apply)."""


# -- loading ----------------------------------------------------------------------------------


class _Problems:
    """Collects bad values: the first one stops a strict load, a lenient one keeps them all."""

    def __init__(self, path: Path, lenient: bool) -> None:
        self.path = path
        self.lenient = lenient
        self.lines: list[str] = []

    def add(self, message: str) -> None:
        line = f"config {self.path}: {message}"
        if not self.lenient:
            raise ConfigError(line)
        self.lines.append(line)


def _shown(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    shown = repr(value) if isinstance(value, str) else str(value).lower() \
        if isinstance(value, bool) else str(value)
    return shown if len(shown) <= 40 else shown[:39] + "…"


def _read_settings(cls: type, raw: Any, where: str, problems: _Problems) -> Any:
    """An instance of the settings dataclass ``cls`` from its TOML table, checked field by
    field; a value that breaks its rule is reported and its default kept."""
    defaults = cls()
    if not isinstance(raw, dict):
        problems.add(f"[{where}] must be a table")
        return defaults
    values: dict[str, Any] = {}
    for item in fields(cls):
        if item.name not in raw:
            continue
        value = raw[item.name]
        try:
            values[item.name] = _check_of(item)(value)
        except EntryError as exc:
            name = f"{where}.{item.name}" if where else item.name
            problems.add(f"{name}{exc.where} {exc}")
        except ValueError as exc:
            name = f"{where}.{item.name}" if where else item.name
            problems.add(f"{name} must be {exc}, not {_shown(value)}")
    return replace(defaults, **values)


def _check_of(item: Field[Any]) -> Check:
    check = item.metadata.get("check")
    if check is None:
        raise TypeError(f"setting {item.name} declares no rule (use number())")
    return check  # type: ignore[no-any-return]


def _string_list(raw: Any, key: str, problems: _Problems) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        problems.add(f"{key} must be a list of strings in quotes, not {_shown(raw)}")
        return ()
    return tuple(raw)


def _keymap(raw: Any, problems: _Problems) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.add("[keymap] must be a table")
        return {}
    keymap: dict[str, str] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            keymap[key] = value
        else:
            problems.add(f"keymap.{key} must be a key name in quotes, not {_shown(value)}")
    return keymap


def _sort_orders(raw: Any, problems: _Problems) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.add("[sort] must be a table")
        return {}
    orders: dict[str, str] = {}
    for view, order in raw.items():
        if isinstance(order, str) and order in SORT_ORDERS:
            orders[view] = order
        else:
            allowed = ", ".join(f'"{o}"' for o in SORT_ORDERS)
            problems.add(f"sort.{_shown(view)} must be one of {allowed}, not {_shown(order)}")
    return orders


def load_config(path: Path, *, lenient: bool = False) -> Config:
    """Read the config file; a missing file is the default config.

    Strict (the command line): the first bad value raises ``ConfigError``. Lenient (the app):
    a bad value, or a file that cannot be read at all, leaves the default in its place and a
    line in ``Config.problems``.
    """
    problems = _Problems(path, lenient)
    try:
        text = read_bounded_text(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        return Config()
    except LocalFileError as exc:
        return _unusable(path, f"cannot read config {path}: {exc}", lenient)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return _unusable(path, f"config {path} is not valid TOML: {exc}", lenient)
    seed_dirs = _string_list(raw.get("seed_dirs", []), "seed_dirs", problems)
    theme = raw.get("theme")
    if theme is not None and not isinstance(theme, str):
        problems.add(f"theme must be a theme name in quotes, not {_shown(theme)}")
        theme = None
    keymap = _keymap(raw.get("keymap", {}), problems)
    sections = {name: _read_settings(cls, raw.get(name, {}), name, problems)
                for name, cls in SECTIONS.items()}
    sections |= {name: _read_settings(cls, {f.name: raw[f.name] for f in fields(cls)
                                            if f.name in raw}, "", problems)
                 for name, cls in TOP_LEVEL.items()}
    sort = _sort_orders(raw.get("sort", {}), problems)
    sync = _sync_settings(raw["sync"], problems) if "sync" in raw else None
    return Config(seed_dirs=seed_dirs, theme=theme, keymap=keymap, **sections,
                  problems=tuple(problems.lines), sync=sync, sort=sort,
                  filters=read_rules(raw.get("filters")))


_SYNC_TIMEOUT = _number_check(float, 0.1, 600, "seconds")


def _sync_settings(section: Any, problems: _Problems) -> SyncSettings | None:
    """``[sync]``; a section that cannot be used is reported and sync stays off."""
    count = len(problems.lines)
    if not isinstance(section, dict):
        problems.add("[sync] must be a table")
        return None
    for name in sorted(set(section) - {f.name for f in fields(SyncSettings)}):
        problems.add(f"[sync] has no setting {name!r}")
    for name in ("service", "url", "username"):
        if not isinstance(section.get(name), str) or not section[name].strip():
            problems.add(f"[sync] needs {name} (in quotes)")
    if len(problems.lines) > count:
        return None
    service = section["service"].strip().lower()
    if service not in SYNC_SERVICES:
        problems.add(f"sync.service must be one of {', '.join(SYNC_SERVICES)},"
                     f" not {_shown(service)}")
    url = section["url"].strip()
    if not url.lower().startswith(("http://", "https://")):
        problems.add("sync.url must be an http:// or https:// address")
    command = _string_list(section.get("password_command", []), "sync.password_command",
                           problems)
    timeout = 30.0
    if "timeout" in section:
        try:
            timeout = _SYNC_TIMEOUT(section["timeout"])
        except ValueError as exc:
            problems.add(f"sync.timeout must be {exc}, not {_shown(section['timeout'])}")
    if len(problems.lines) > count:
        return None
    return SyncSettings(service=service, url=url, username=section["username"],
                        password_command=command, timeout=timeout)


def _unusable(path: Path, message: str, lenient: bool) -> Config:
    if not lenient:
        raise ConfigError(message)
    return Config(problems=(f"{message}; using the defaults",))


_THEME_LINE = re.compile(r"^theme\s*=.*$", re.MULTILINE)


def save_theme(path: Path, theme: str) -> None:
    """Remember the chosen theme, touching only the ``theme = ...`` line of the file."""
    line = f"theme = {_toml_string(theme)}"
    try:
        text = read_bounded_text(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        text = ""
    except LocalFileError as exc:
        raise ConfigError(f"cannot rewrite config {path}: {exc}") from None
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
    """A TOML basic string: quotes, backslashes and every control character escaped (a view
    named after a feed's title may hold anything)."""
    escaped = "".join(
        "\\\\" if ch == "\\" else '\\"' if ch == '"'
        else f"\\u{ord(ch):04x}" if ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 else ch
        for ch in value
    )
    return f'"{escaped}"'


_TABLE_HEADER = re.compile(r"^\s*\[")
_SORT_HEADER = re.compile(r"^\s*\[\s*sort\s*\]\s*(#.*)?$")


def _entry_key(line: str) -> str | None:
    """The key a one-line ``key = value`` entry sets, None for anything else."""
    try:
        parsed = tomllib.loads(line)
    except tomllib.TOMLDecodeError:
        return None
    return next(iter(parsed)) if len(parsed) == 1 else None


def _comment_of(line: str) -> str:
    """The comment ending a one-line entry (with the spaces before it), to keep it."""
    body = line.rstrip("\n")
    for n, ch in enumerate(body):
        if ch == "#" and _entry_key(body[:n]) is not None:
            return body[len(body[:n].rstrip()):]
    return ""


def save_sort_order(path: Path, view: str, order: str) -> None:
    """Remember the story list's order for ``view`` in ``[sort]``, touching only that entry:
    the line that sets it is replaced (or one added to the table, or the table added at the
    end), and every comment and other line stays as it was. The result is read back before
    it replaces the file; a file this cannot edit safely is left alone (``ConfigError``)."""
    if order not in SORT_ORDERS:
        raise ValueError(f"unknown sort order {order!r}")
    try:
        text = read_bounded_text(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        text = ""
    except LocalFileError as exc:
        raise ConfigError(f"cannot rewrite config {path}: {exc}") from None
    try:
        expected = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path} is not valid TOML: {exc}") from None
    entry = f"{_toml_string(view)} = {_toml_string(order)}\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    header = next((n for n, line in enumerate(lines) if _SORT_HEADER.match(line)), None)
    if header is None:
        lines += ["\n" if lines and lines[-1].strip() else "", "[sort]\n", entry]
    else:
        end = next((n for n in range(header + 1, len(lines)) if _TABLE_HEADER.match(lines[n])),
                   len(lines))
        found = next((n for n in range(header + 1, end) if _entry_key(lines[n]) == view), None)
        if found is not None:
            lines[found] = entry[:-1] + _comment_of(lines[found]) + "\n"
        else:
            last = max((n for n in range(header, end) if lines[n].strip()), default=header)
            lines.insert(last + 1, entry)
    new_text = "".join(lines)
    sort = expected.setdefault("sort", {})
    if isinstance(sort, dict):
        sort[view] = order
    try:
        if tomllib.loads(new_text) != expected:
            raise ConfigError(f"cannot remember the sort order in {path}: [sort] is written"
                              " in a way this cannot edit")
    except tomllib.TOMLDecodeError:
        raise ConfigError(f"cannot remember the sort order in {path}: [sort] is written"
                          " in a way this cannot edit") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(new_text, encoding="utf-8")
    tmp.replace(path)

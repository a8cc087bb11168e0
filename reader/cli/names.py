"""The error for a source or group name that names nothing, the same for every command.

A cache of 200 feeds made ``reader list --source nope`` print one 5,000-character line of every
source's name. The line now names only those that look like what was typed (with a word that
starts with it, any case; else those with a word spelt close to it), or every name when there
are a few, else where to see them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from reader.cli.context import CommandError

if TYPE_CHECKING:
    from reader.models import Source
    from reader.store import Store

ALL_NAMES_UP_TO = 8
"""With this many names or fewer, the error lists them all."""

SUGGESTED = 5
"""At most this many names that look like the one typed."""

CLOSE = 0.75
"""How alike (``difflib``'s ratio) a word must be to the name typed to be suggested."""


def no_such_name(kind: str, name: str, names: Sequence[str], see: str) -> CommandError:
    """``no source named 'heise' (did you mean 'heise online News' or …?)``: ``kind`` is what
    was looked for (``source``, ``group``), ``see`` the command that lists every one."""
    like = _looking_like(name.casefold(), names)
    message = f"no {kind} named {name!r}"
    if like:
        shown = [repr(known) for known in like[:SUGGESTED]]
        more = len(like) - len(shown)
        listed = ", ".join(shown[:-1]) + f" or {shown[-1]}" if len(shown) > 1 else shown[0]
        if more:
            listed = ", ".join(shown) + f" or {more} more"
        return CommandError(f"{message} (did you mean {listed}? see '{see}')")
    if not names:
        return CommandError(f"{message} (there are no {kind}s)")
    if len(names) <= ALL_NAMES_UP_TO:
        return CommandError(f"{message} ({kind}s: {', '.join(names)})")
    return CommandError(f"{message} (see '{see}' for all {len(names)})")


def source_named(store: Store, name: str) -> Source:
    """The source a command's ``--source NAME`` names (``Store.source_by_name``), or the
    error that says which ones look like it."""
    found = store.source_by_name(name)
    if found is None:
        raise no_such_name("source", name, [s.name for s in store.sources()], "reader feeds")
    return found


def group_named(store: Store, name: str) -> str:
    """The group (folder) a command's ``--group NAME`` names, in any case, as the feeds spell
    it, or the error that says which ones look like it."""
    spellings = {s.group.casefold(): s.group for s in store.sources() if s.group}
    group = spellings.get(name.casefold())
    if group is None:
        raise no_such_name("group", name, sorted(spellings.values(), key=str.casefold),
                           "reader feeds")
    return group


def _looking_like(wanted: str, names: Sequence[str]) -> list[str]:
    """The names with a word that starts with ``wanted`` (``golem``: ``Golem.de``), else
    those with a word (or the whole name) spelt close to it (``dairing``: ``Daring
    Fireball``), closest first."""
    if not wanted.strip():
        return []
    start = re.compile(r"(?<!\w)" + re.escape(wanted))
    found = [name for name in names if start.search(name.casefold())]
    if found:
        return found
    import difflib  # only for a mistake: every command imports its module at start

    scored = []
    for name in names:
        folded = name.casefold()
        parts = [folded, *re.findall(r"\w+", folded)]
        score = max(difflib.SequenceMatcher(None, wanted, part).ratio() for part in parts)
        if score >= CLOSE:
            scored.append((-score, name))
    return [name for _, name in sorted(scored)]

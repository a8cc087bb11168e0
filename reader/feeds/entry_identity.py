"""Which entries of one feed document are the same story: the key each story is stored under.

An entry is known by its guid (Atom ``id``), else its link, else a hash of its title and date
(``parse.entry_to_draft`` makes that *base key*). Most documents give every entry its own base
key, and then the base key is the story's key, exactly as before this module existed: a
refresh of the same document finds every story again, and an entry edited later (a title or
body fixed) keeps its guid and so updates its story instead of adding one.

Some documents give one base key to entries that are not the same: a podcast whose 15
episodes all carry the show's ``<link>`` and no guid, each with its own mp3
(``rome__rsr.xml``), a blog that reuses a guid for a later post (``scriptingNews.rss``), an
"extended version" re-posted under the first one's guid (``itunes-missing-image.rss``). Those
are told apart by the least that separates them, in this order, so that an edit changes a key
as rarely as possible:

1. the first enclosure and the published date (an edit rarely changes either; the updated
   date is left out because an edit is exactly what changes it);
2. then also the title, for entries that 1 does not separate;
3. then also a hash of everything else (summary, body, author, updated date, tags).

Entries that 3 does not separate say the same in every field: true duplicates, dropped (the
first is kept) and counted in one warning.

A key that grows a discriminator changes the story's key, but not its public id or read
state: each draft lists as ``aliases`` the other forms its key may have been stored under
(the bare base key, which an older reader gave the *first* entry of such a group, or the
discriminated forms, when the entries sharing its key have since left the feed), and the
store lets a draft take over the row stored under an alias when that row has the draft's
enclosures and published date. Forms of level 3 are never aliases: they change with an edit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from reader.models import STORY_DRAFT_FIELDS, STORY_DRAFT_VALUES, StoryDraft, story_draft

SEPARATOR = "\x1f"
"""Between a base key and its discriminator: a control character, so never part of a guid,
link or hash (the parser removes control characters from those)."""


def _level(draft: StoryDraft, base: str, level: int) -> str:
    parts = [base, draft.enclosures[0].url if draft.enclosures else "", draft.published or ""]
    if level >= 2:
        parts.append(draft.title)
    if level >= 3:
        rest = "\x1e".join((draft.standfirst, draft.body, draft.url or "", draft.author or "",
                            draft.updated or "", "\x1d".join(draft.tags),
                            "\x1d".join(e.url for e in draft.enclosures),
                            "1" if draft.teaser else "0"))
        parts.append("sha256:" + hashlib.sha256(rest.encode("utf-8", "replace")).hexdigest())
    return SEPARATOR.join(parts)


_KEY, _ALIASES = STORY_DRAFT_FIELDS.index("key"), STORY_DRAFT_FIELDS.index("aliases")


def _keyed(draft: StoryDraft, key: str, aliases: tuple[str, ...]) -> StoryDraft:
    """``dataclasses.replace(draft, key=key, aliases=aliases)`` at a fraction of the cost
    (every draft of every document comes through here: ~9 -> ~4 µs a draft, then built by
    ``story_draft`` instead of ``StoryDraft``: 19,000 -> 3,400 instructions)."""
    values = list(STORY_DRAFT_VALUES(draft))
    values[_KEY] = key
    values[_ALIASES] = aliases
    return story_draft(*values)


def assign_keys(drafts: Sequence[StoryDraft]) -> tuple[list[StoryDraft], int]:
    """The drafts with their final keys and aliases, in document order, and how many true
    duplicates were dropped. Each draft comes in with its base key as ``key``."""
    groups: dict[str, list[int]] = {}
    for index, draft in enumerate(drafts):
        groups.setdefault(draft.key, []).append(index)
    keyed: list[StoryDraft | None] = [None] * len(drafts)
    dropped = 0
    for base, members in groups.items():
        if len(members) == 1:
            draft = drafts[members[0]]
            aliases: tuple[str, ...] = (_level(draft, base, 1), _level(draft, base, 2))
            keyed[members[0]] = _keyed(draft, base, aliases)
            continue
        pending = members
        for level in (1, 2, 3):
            forms: dict[str, list[int]] = {}
            for index in pending:
                forms.setdefault(_level(drafts[index], base, level), []).append(index)
            pending = []
            for form, sharing in forms.items():
                if len(sharing) == 1 or level == 3:
                    draft = drafts[sharing[0]]
                    aliases = tuple(alias for alias in (base, _level(draft, base, 1),
                                                        _level(draft, base, 2))
                                    if alias != form)
                    keyed[sharing[0]] = _keyed(draft, form, aliases)
                    dropped += len(sharing) - 1 if level == 3 else 0
                else:
                    pending.extend(sharing)
            if not pending:
                break
    return [draft for draft in keyed if draft is not None], dropped

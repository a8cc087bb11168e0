"""What a write should change, decided apart from writing it (lemon24/reader's "decider").

Pure functions over plain values: no database, no clock, no I/O. ``stories.save_stories`` and
``feeds.record_refresh`` read what is stored, ask these functions what to do, and then only
carry the intents out. So the rules (when a story counts as updated, which date it sorts by,
what a 304 does to the validators, when a feed is disabled) are tested as plain data, and the
SQL modules hold no decisions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from typing import Any

from reader.identity import content_hash, iso_to_epoch, normalise_title, story_public_id
from reader.models import DraftColumns, FeedFailed, FeedFetched, FeedStatus, FeedUpdate, StoryDraft
from reader.records import record
from reader.store.rows import enclosures_json

# -- stories ---------------------------------------------------------------------------------


@record
class StoredStory:
    """What the store knows of a story already there, enough to decide without its text.

    ``enclosures`` (their URLs) and ``published`` tell whether a draft may take the row over
    through one of its aliases (see ``decide_stories``)."""

    rowid: int
    content_hash: str
    added: float
    enclosures: tuple[str, ...] = ()
    published: str | None = None


class _Columns:
    """What a story to write reads of its draft's ``DraftColumns`` (``draft_columns``)."""

    __slots__ = ()
    columns: DraftColumns

    @property
    def content_hash(self) -> str:
        """The draft's content hash (``identity.content_hash``)."""
        return self.columns[0]

    @property
    def norm_title(self) -> str:
        """The draft's normalised title (``identity.normalise_title``)."""
        return self.columns[1]


@record
class NewStory(_Columns):
    """Insert ``draft`` as a new story with ``public_id`` (``columns``: its
    ``DraftColumns``)."""

    draft: StoryDraft
    public_id: str
    columns: DraftColumns
    sort_ts: float


@record
class UpdatedStory(_Columns):
    """Overwrite the stored story ``rowid`` with ``draft`` (its read/starred state stays).

    ``rekey``: the row is stored under one of the draft's aliases; its key becomes the
    draft's (its public id stays)."""

    rowid: int
    draft: StoryDraft
    columns: DraftColumns
    sort_ts: float
    rekey: bool = False


@record
class UnchangedStory:
    """The stored story ``rowid`` already says what ``draft`` says."""

    rowid: int
    draft: StoryDraft


StoryIntent = NewStory | UpdatedStory | UnchangedStory


class _OpenNewStory(_Columns):
    """``NewStory``'s slots, writable (``_new_story``)."""

    __slots__ = tuple(f.name for f in fields(NewStory))


class _OpenUnchangedStory:
    """``UnchangedStory``'s slots, writable (``_unchanged_story``)."""

    __slots__ = tuple(f.name for f in fields(UnchangedStory))


def _new_story(draft: StoryDraft, public_id: str, columns: DraftColumns,
               sort_ts: float) -> NewStory:
    """``NewStory(draft, public_id, columns, sort_ts)`` for a fifth of the cost: a frozen
    dataclass's ``__init__`` sets each field through ``object.__setattr__``, ~1,400 machine
    instructions a field, and a refresh makes one intent for each story of each feed. As
    ``models.story_draft`` does: the fields are set on an object of a plain class with the
    same slots, which then becomes the record (``tests/test_decide.py`` compares the two)."""
    intent: Any = _OpenNewStory()
    intent.draft = draft
    intent.public_id = public_id
    intent.columns = columns
    intent.sort_ts = sort_ts
    intent.__class__ = NewStory
    built: NewStory = intent
    return built


def _unchanged_story(rowid: int, draft: StoryDraft) -> UnchangedStory:
    """``UnchangedStory(rowid, draft)``, as ``_new_story`` builds its record (a refresh of a
    feed that changed nothing makes one for each of its stories)."""
    intent: Any = _OpenUnchangedStory()
    intent.rowid = rowid
    intent.draft = draft
    intent.__class__ = UnchangedStory
    built: UnchangedStory = intent
    return built


def draft_columns(draft: StoryDraft) -> DraftColumns:
    """The columns of ``draft`` that follow from it alone (``models.DraftColumns``). A pure
    function of the draft, so a refresh's parse workers work them out: for the real corpus's
    3,682 stories that is ~520 M instructions (the content hash's SHA-256 of each story's
    text most of them) off the refresh's one writer thread."""
    dated = iso_to_epoch(draft.published)
    if dated is None:
        dated = iso_to_epoch(draft.updated)
    return (content_hash(draft), normalise_title(draft.title), json.dumps(list(draft.tags)),
            enclosures_json(draft.enclosures), dated)


def sort_time(columns: DraftColumns, fallback: float) -> float:
    """Where a story sorts, from its draft's columns: its published date, else its updated
    date (an Atom entry may give only that; ``draft_columns``), else ``fallback`` (when
    the cache first saw it)."""
    return fallback if columns[4] is None else columns[4]


def decide_stories(
    source_key: str, stored: Mapping[str, StoredStory], drafts: Iterable[StoryDraft],
    now: float, columns: Sequence[DraftColumns] = (),
) -> list[StoryIntent]:
    """One intent per distinct key of ``drafts``, in first-seen order.

    A key not stored is new; a stored one whose content hash differs is updated; else it is
    unchanged. When one batch carries a key twice, the later draft wins (as writing both in
    turn would leave it).

    A draft whose key is not stored takes over the row stored under the first of its
    ``aliases`` that no draft of the batch has as its key, that no earlier draft took, and
    whose enclosures and published date are the draft's: the same entry stored under
    another form of its key (``reader.feeds.entry_identity``), which keeps its id and state.

    ``columns`` are the drafts' ``DraftColumns`` in order, when worked out already (a refresh's
    parse workers); otherwise they are worked out here.
    """
    drafts = list(drafts)
    if not columns:
        columns = [draft_columns(draft) for draft in drafts]
    own = {draft.key for draft in drafts}
    taken: set[str] = set()
    intents: dict[str, StoryIntent] = {}
    for draft, cols in zip(drafts, columns, strict=True):
        digest = cols[0]
        earlier = intents.get(draft.key)
        if isinstance(earlier, NewStory):
            intents[draft.key] = _new_story(draft, earlier.public_id, cols,
                                            sort_time(cols, now))
            continue
        row = stored.get(draft.key)
        if row is None and earlier is None and stored:  # (nothing stored: no alias to take)
            for alias in draft.aliases:
                candidate = stored.get(alias)
                if (candidate is not None and alias not in own and alias not in taken
                        and candidate.enclosures == tuple(e.url for e in draft.enclosures)
                        and candidate.published == draft.published):
                    taken.add(alias)
                    intents[draft.key] = UpdatedStory(
                        candidate.rowid, draft, cols, sort_time(cols, candidate.added),
                        rekey=True)
                    break
            if draft.key in intents:
                continue
        if row is None:
            intents[draft.key] = _new_story(draft, story_public_id(source_key, draft.key),
                                            cols, sort_time(cols, now))
        elif row.content_hash != digest:
            intents[draft.key] = UpdatedStory(row.rowid, draft, cols, sort_time(cols, row.added))
        else:
            intents[draft.key] = _unchanged_story(row.rowid, draft)
    return list(intents.values())


@record
class LinkChanges:
    """Explicit related-story links to write: ``delete`` maps a story's row to the links it
    keeps (every other link leaving it goes); ``upsert`` are (from, to, position)."""

    delete: dict[int, set[int]]
    upsert: list[tuple[int, int, int]]


def decide_links(
    rowids: Mapping[str, int], links: Sequence[tuple[str, str]], *, replace: bool
) -> LinkChanges:
    """Links between stories of one batch, by key; a link naming a key not in the batch, or
    a story linking to itself, is left out. With ``replace``, ``links`` are the whole set
    leaving the batch's stories: a link a story no longer makes is deleted."""
    delete: dict[int, set[int]] = {}
    if replace:
        delete = {rowid: set() for rowid in rowids.values()}
        for from_key, to_key in links:
            if from_key in rowids and to_key in rowids:
                delete[rowids[from_key]].add(rowids[to_key])
    upsert = [
        (rowids[from_key], rowids[to_key], position)
        for position, (from_key, to_key) in enumerate(links)
        if from_key in rowids and to_key in rowids and from_key != to_key
    ]
    return LinkChanges(delete, upsert)


# -- feeds -----------------------------------------------------------------------------------


@record
class StoredFeed:
    """What a refresh needs of a feed's row to decide what its outcome changes."""

    name: str
    user_title: bool
    disabled: bool


@record
class FeedIntent:
    """The columns one refresh writes on its feed's row.

    ``rename_to`` is the title the feed now gives (to be made unique), when the user did not
    name it; ``validators`` replace the stored ETag/Last-Modified, ``keep_validators`` fill
    them in only where given; ``url`` is the address after a permanent redirect.
    """

    status: FeedStatus
    error: str | None
    retry_after: float | None
    disabled: bool
    rename_to: str | None = None
    site_url: str | None = None
    url: str | None = None
    validators: tuple[str | None, str | None] | None = None
    keep_validators: tuple[str | None, str | None] | None = None


def decide_feed(stored: StoredFeed, update: FeedUpdate) -> FeedIntent:
    """How one refresh's outcome changes the feed's row.

    A success (a document or a 304) re-enables the feed and records a moved address; a 410
    disables it; any other failure leaves it as it was. A document's validators replace the
    stored ones (none given: none kept, or the next request would claim a version we do not
    have); a 304 need not repeat them, so it keeps the stored ones unless renewed.
    """
    if isinstance(update, FeedFailed):
        return FeedIntent("error", update.error, update.retry_after,
                          disabled=True if update.gone else stored.disabled)
    if isinstance(update, FeedFetched):
        rename = (update.title if update.title and not stored.user_title
                  and update.title != stored.name else None)
        return FeedIntent("ok", None, None, disabled=False, rename_to=rename,
                          site_url=update.site_url, url=update.url,
                          validators=(update.etag, update.last_modified))
    return FeedIntent("not_modified", None, None, disabled=False, url=update.url,
                      keep_validators=(update.etag, update.last_modified))

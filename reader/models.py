"""Frozen dataclasses that every layer speaks: what a story, a source and a list row are.

The UI and the command line never see a feedparser dict or an sqlite row; they see these.
Keeping them immutable means a row handed to a widget cannot be changed behind the store's back.
"""

from __future__ import annotations

from dataclasses import field, fields
from operator import attrgetter
from typing import Any, ClassVar, Literal

from reader.records import record
from reader.search import SearchQuery, parse_query

SourceKind = Literal["seed", "feed"]
"""A folder of seed articles, or a subscribed feed."""
FeedStatus = Literal["ok", "not_modified", "error"]
"""How a feed's last refresh ended, as stored in the cache (``Source.last_status``)."""
RelatedKind = Literal["explicit", "recommended-by", "similar"]
FullTextMode = Literal["auto", "always", "never"]
"""When a feed's new stories' pages are fetched for their full text (``reader edit``)."""
FULL_TEXT_MODES: tuple[FullTextMode, ...] = ("auto", "always", "never")
"""Why a story is in another's related list (see ``RelatedStory``)."""
MarkField = Literal["read", "starred"]
"""The two marks a person puts on a story."""
SortOrder = Literal["newest", "oldest", "unread", "source"]
"""The story list's orders: newest first, oldest first, unread first (then newest), by source
(then newest). ``reader.store.orders`` lists each as one index walk."""
SORT_ORDERS: tuple[SortOrder, ...] = ("newest", "oldest", "unread", "source")
"""The orders in the order ``O`` cycles through them."""
SORT_NAMES: dict[SortOrder, str] = {"newest": "newest first", "oldest": "oldest first",
                                    "unread": "unread first", "source": "by source"}


@record
class Enclosure:
    """A file attached to a story (a podcast episode, a video), as the feed describes it.

    ``type`` is the MIME type the feed gives (``audio/mpeg``), ``length`` its size in bytes
    and ``duration`` its playing time in seconds, each None when the feed does not say
    (``<enclosure length="0">`` says nothing either). Only the URL tells enclosures apart:
    a story's identity uses its first enclosure's URL (``reader.feeds.entry_identity``).
    """

    url: str
    type: str | None = None
    length: int | None = None
    duration: int | None = None

    def describe(self) -> str:
        """``audio/mpeg · 55 MB · 1:12:03``, leaving out what the feed does not say."""
        parts = [self.type or "file"]
        if self.length:
            parts.append(_size(self.length))
        if self.duration:
            parts.append(_duration(self.duration))
        return " · ".join(parts)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Enclosure, _ENCLOSURE_VALUES(self))


_ENCLOSURE_VALUES = attrgetter(*(f.name for f in fields(Enclosure)))


def _size(length: int) -> str:
    """A file size as podcast apps show it (decimal units, ``55 MB``, ``1.2 GB``)."""
    for unit, scale in (("GB", 10 ** 9), ("MB", 10 ** 6), ("KB", 10 ** 3)):
        if length >= scale:
            value = length / scale
            return f"{value:.1f} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{length} bytes"


def _duration(seconds: int) -> str:
    """``1:12:03``, ``54:09``, ``0:42``."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


@record
class StoryDraft:
    """A story as an ingest path (seed file, feed entry) produces it, before it has a cache id.

    ``key`` identifies the story within its source (a feed entry's guid, a seed's position),
    so a later load of the same source updates the story instead of adding a copy. ``aliases``
    are keys the same story may already be stored under (see ``reader.feeds.entry_identity``).
    """

    key: str
    title: str
    standfirst: str = ""
    body: str = ""
    url: str | None = None
    author: str | None = None
    published: str | None = None
    updated: str | None = None
    teaser: bool = False
    tags: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()
    aliases: tuple[str, ...] = ()
    from_summary: bool = False
    """The body is the entry's summary (it had no ``content``): a sign that the article's
    full text is on its page (``reader.fulltext.summary``). Not part of the content hash."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its fields' values in order, rebuilt by ``story_draft`` (parse workers
        hand every draft to the refresh): the state methods a frozen dataclass with slots gets
        look its fields up again for every object. The real corpus's 3,682 drafts with their
        feeds: pickling 25.5 -> 14.4 ms, unpickling 27.8 -> 18.9 ms (by the class itself;
        ``story_draft`` has since cut the unpickling's instructions by ~40 %)."""
        return (story_draft, STORY_DRAFT_VALUES(self))


DraftColumns = tuple[str, str, str, str, float | None]
"""What the cache stores of a draft that follows from the draft alone
(``store.decide.draft_columns``): its content hash, normalised title, tags and enclosures as
JSON, and the time its dates give (None: it gives none). A refresh's parse workers work them
out beside the parsing (``FeedFetched.columns``), so its one writer thread only writes them."""

STORY_DRAFT_FIELDS = tuple(f.name for f in fields(StoryDraft))
STORY_DRAFT_VALUES = attrgetter(*STORY_DRAFT_FIELDS)
"""A draft's field values, in the order ``StoryDraft`` takes them as positional arguments."""


class _OpenDraft:
    """``StoryDraft``'s slots, writable: ``story_draft`` fills one, then makes it a StoryDraft
    (whose slots are its fields in order; changing the class of an object whose slots differ
    raises TypeError)."""

    __slots__ = STORY_DRAFT_FIELDS


if hasattr(StoryDraft, "__post_init__"):  # pragma: no cover - story_draft would skip it
    raise TypeError("story_draft builds a StoryDraft without its __init__")


def story_draft(key: str, title: str, standfirst: str, body: str, url: str | None,
                author: str | None, published: str | None, updated: str | None,
                teaser: bool, tags: tuple[str, ...], enclosures: tuple[Enclosure, ...],
                aliases: tuple[str, ...], from_summary: bool) -> StoryDraft:
    """``StoryDraft(key, title, …)``, every field given in order, at a fifth of the cost.

    A frozen dataclass's ``__init__`` sets each field through ``object.__setattr__`` (its own
    ``__setattr__`` refuses), some 1,400 machine instructions a field, and a refresh builds
    every draft three times: in the parse, again with its final key (``entry_identity``), and
    in the refresh process when the parse worker's result is unpickled. This sets the fields
    on an object of a plain class with the very same slots, then makes it a StoryDraft (an
    object's ``__class__`` may change between two classes of the same layout): the same
    object, 19,000 -> 3,400 instructions a draft (callgrind, the real corpus's 3,693 drafts).
    ``tests/test_story_draft.py`` holds it to ``StoryDraft(*values)``."""
    draft: Any = _OpenDraft()
    draft.key = key
    draft.title = title
    draft.standfirst = standfirst
    draft.body = body
    draft.url = url
    draft.author = author
    draft.published = published
    draft.updated = updated
    draft.teaser = teaser
    draft.tags = tags
    draft.enclosures = enclosures
    draft.aliases = aliases
    draft.from_summary = from_summary
    draft.__class__ = StoryDraft
    built: StoryDraft = draft
    return built


@record
class Source:
    """A place stories come from: a folder of seed articles or a subscribed feed."""

    id: int
    kind: SourceKind
    name: str
    url: str | None = None
    path: str | None = None
    group: str | None = None
    last_checked: str | None = None
    last_status: FeedStatus | None = None
    last_error: str | None = None
    disabled: bool = False
    story_count: int = 0
    unread_count: int = 0
    interval: float | None = None
    """The person's own minimum wait between automatic fetches (seconds; None: none)."""
    next_due: float | None = None
    """When an automatic refresh may fetch the feed again (unix time; None: at once)."""
    full_text: FullTextMode = "auto"
    """A feed's full-text mode: ``auto``, ``always`` or ``never`` (``reader edit``)."""


@record
class RelatedStory:
    """One entry of a story's related list, with the reason it is there.

    ``kind`` is ``"explicit"`` (the story recommends it), ``"recommended-by"`` (it recommends the
    story) or ``"similar"`` (shares distinctive terms; ``terms`` names a few of them).
    """

    id: str
    title: str
    kind: RelatedKind
    source: str = ""
    terms: tuple[str, ...] = ()
    teaser: bool = False
    text: str = ""
    """The start of the story's text when it has no title (``reader.titles`` shows it)."""

    @property
    def reason(self) -> str:
        """A short human phrase for why this story is listed."""
        if self.kind == "explicit":
            return "from “Other stories you might like”"
        if self.kind == "recommended-by":
            return "recommended this story"
        if self.terms:
            return "shares: " + ", ".join(self.terms)
        return "similar content"


@record
class Story:
    """A whole story as stored in the cache, ready to read offline."""

    id: str
    source: str
    title: str
    standfirst: str
    body: str
    url: str | None
    author: str | None
    published: str | None
    updated: str | None
    teaser: bool
    read: bool
    starred: bool
    tags: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()
    source_id: int = 0
    rowid: int = 0
    full_text_at: str | None = None
    """When the article's page text was saved as the body (ISO 8601); None: the feed's text."""
    full_text_error: str | None = None
    """Why the page's text could not be saved ("403 from the site"); the body is the feed's."""

    @property
    def full_text(self) -> bool:
        """Whether the body is the article's text from its page."""
        return self.full_text_at is not None


@record
class StoryRow:
    """The few fields the story list shows: cheap to page in from SQLite a screenful at a time."""

    rowid: int
    id: str
    source: str
    title: str
    published: str | None
    read: bool
    starred: bool
    teaser: bool
    sort_ts: float = 0.0
    """Where the row sorts (published, else added): lets the list page on from a row."""
    updated: str | None = None
    text_start: str = ""
    """The start of the story's text, only when it has no title (``reader.titles``)."""
    order_key: tuple[object, ...] = ()
    """In a view sorted by groups (unread first, by source), the row's group as it was read
    (its read state then; its source's name and id): with ``sort_ts`` and ``rowid``, where
    the list pages on from this row even after a mark has moved it."""

    @property
    def date(self) -> str | None:
        """The date to show: published, else updated (an Atom entry may give only that)."""
        return self.published or self.updated


@record
class View:
    """Which stories a list shows. Combined freely: e.g. unread stories of one source.

    ``query`` is a search (see ``reader.search``); when set, rows come ranked by relevance.
    ``search`` is that query parsed, once, when the view is made: the planner, the list's
    highlighting and the status line all read it instead of parsing the text again.
    ``sort`` orders a view without a query (a search keeps its own order).
    """

    unread_only: bool = False
    starred_only: bool = False
    source_id: int | None = None
    source_name: str | None = None
    query: str | None = None
    group: str | None = None
    """A folder: the stories of every feed in it (``sources.group_name``)."""
    sort: SortOrder = "newest"
    search: SearchQuery = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "search", parse_query(self.query))

    def describe(self) -> str:
        """The view's name as the header and status line show it."""
        parts: list[str] = []
        if self.query:
            parts.append(f"search: {self.query}")
        if self.group:
            parts.append(f"folder {self.group}")
        if self.source_name:
            parts.append(self.source_name)
        if self.starred_only:
            parts.append("starred")
        if self.unread_only:
            parts.append("unread")
        if not parts:
            parts.append("all stories")
        if not self.query and self.sort != "newest":
            parts.append(SORT_NAMES[self.sort])
        return " · ".join(parts)

    @property
    def sortable(self) -> bool:
        """Whether ``sort`` applies: a search lists its best matches first instead."""
        return not self.query

    @property
    def sort_name(self) -> str | None:
        """The name under which the view's order is remembered (``[sort]`` in the config):
        ``all``, ``source:NAME`` or ``folder:NAME``; None for a search."""
        if self.query:
            return None
        if self.source_name is not None:
            return f"source:{self.source_name}"
        if self.group is not None:
            return f"folder:{self.group}"
        return "all"


@record
class Mark:
    """One change of a story's mark: ``field`` became ``value`` (``Store.mark`` returns these,
    so undo can reverse exactly them and sync can send exactly them)."""

    story_id: str
    field: MarkField
    value: bool


@record
class BulkMark:
    """What one bulk mark changed (``Store.mark_view``): ``field`` became ``value`` on the
    stories of these row numbers, stamped with the time ``at`` (``read_at``/``starred_at``;
    None when the mark cleared it). Undo takes back exactly these rows, and only where the
    mark is still this one (``Store.unmark``)."""

    field: MarkField
    value: bool
    rows: tuple[int, ...]
    at: float | None

    @property
    def count(self) -> int:
        return len(self.rows)


@record
class LoadReport:
    """What loading a set of stories into the cache did, for summaries and tests."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)
    hidden: int = 0
    """New stories a ``hide`` filter took out of every view (``reader.filters``)."""
    auto_read: int = 0
    """New stories a ``read`` filter marked read (and not hidden)."""


# -- what one refresh learned about a feed: exactly one of three shapes ---------------------------


@record
class FeedFetched:
    """The feed gave a document and it parsed: ``drafts`` are its entries.

    ``url`` is the feed's new address after a permanent redirect; ``etag`` and
    ``last_modified`` are the validators of this document (none: the server gave none).
    ``asks_every`` is how often the document asks to be fetched at most (seconds, from its
    ttl or sy: elements) and ``fresh_until`` until when the HTTP answer says it stays fresh
    (``reader.schedule`` turns both into the feed's next due time). ``columns``, when the
    parse worked them out, are ``drafts``' ``DraftColumns`` in the same order (else the store
    works them out).
    """

    status: ClassVar[FeedStatus] = "ok"
    drafts: tuple[StoryDraft, ...] = ()
    title: str | None = None
    site_url: str | None = None
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    asks_every: float | None = None
    fresh_until: float | None = None
    columns: tuple[DraftColumns, ...] = ()


@record
class FeedNotModified:
    """The server answered 304: nothing changed since the validators it was sent.

    Validators it repeated replace the stored ones; ``None`` keeps them. ``fresh_until``
    is until when the answer says it stays fresh (the document's own ttl is kept as stored).
    """

    status: ClassVar[FeedStatus] = "not_modified"
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    fresh_until: float | None = None


@record
class FeedFailed:
    """Fetching or parsing failed: ``error`` says why in one line.

    ``retry_after`` is a time (seconds since the epoch) the server asked to wait until;
    ``gone`` means HTTP 410: the feed is disabled until named explicitly.
    """

    status: ClassVar[FeedStatus] = "error"
    error: str
    retry_after: float | None = None
    gone: bool = False


FeedUpdate = FeedFetched | FeedNotModified | FeedFailed
"""What one refresh learned about one feed; ``reader.store.feeds.record_refresh`` writes it."""

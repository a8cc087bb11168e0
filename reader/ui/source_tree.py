"""The sources screen's tree as plain data: folders with their feeds, then the feeds in no
folder, the seed folders and the saved searches, each with its counts. No Textual here.

A folder is the ``group`` of its feeds (an OPML folder, ``reader edit --group``, ``M`` in the
app); its counts are its feeds' together. Every entry knows the view ``Enter`` narrows the list
to, and which feeds ``R`` (refresh) and ``d`` (remove) act on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field, replace
from typing import Literal

from reader.models import Source, View
from reader.records import record
from reader.search import SavedSearch

EntryKind = Literal["all", "folder", "feed", "seed", "search", "heading"]

SEEDS_HEADING = "Seed folders"
SEARCHES_HEADING = "Saved searches"


@record
class Entry:
    """One line of the tree. ``children`` for a folder or a heading."""

    kind: EntryKind
    name: str
    unread: int = 0
    stories: int = 0
    source: Source | None = None
    search: SavedSearch | None = None
    children: tuple[Entry, ...] = field(default_factory=tuple)

    @property
    def feeds(self) -> tuple[Source, ...]:
        """The feeds this entry stands for (a feed: itself; a folder: its feeds)."""
        if self.kind == "feed" and self.source is not None:
            return (self.source,)
        if self.kind == "folder":
            return tuple(c.source for c in self.children if c.source is not None)
        return ()

    @property
    def key(self) -> str:
        """What identifies the entry across reloads (the cursor stays on it)."""
        if self.source is not None:
            return f"{self.kind}:{self.source.id}"
        return f"{self.kind}:{self.name}"

    def view(self, current: View) -> View | None:
        """The view ``Enter`` narrows the list to (the unread-only choice kept); None for a
        heading."""
        base = replace(View(), unread_only=current.unread_only)
        if self.kind == "all":
            return base
        if self.kind == "folder":
            return replace(base, group=self.name)
        if self.kind in ("feed", "seed") and self.source is not None:
            return replace(base, source_id=self.source.id, source_name=self.source.name)
        if self.kind == "search" and self.search is not None:
            return replace(base, query=self.search.query)
        return None


def _source_entry(source: Source) -> Entry:
    return Entry("feed" if source.kind == "feed" else "seed", source.name,
                 source.unread_count, source.story_count, source=source)


def source_tree(sources: Sequence[Source], searches: Sequence[SavedSearch]) -> list[Entry]:
    """All stories; the folders (by name, case-blind) with their feeds; the feeds in no
    folder; then the seed folders and the saved searches under a heading each."""
    feeds = [s for s in sources if s.kind == "feed"]
    seeds = [s for s in sources if s.kind == "seed"]
    folders: dict[str, list[Source]] = {}
    for feed in feeds:
        if feed.group:
            folders.setdefault(feed.group, []).append(feed)
    tree = [Entry("all", "All stories", sum(s.unread_count for s in sources),
                  sum(s.story_count for s in sources))]
    for name in sorted(folders, key=str.casefold):
        members = sorted(folders[name], key=lambda s: s.name.casefold())
        tree.append(Entry("folder", name, sum(s.unread_count for s in members),
                          sum(s.story_count for s in members),
                          children=tuple(_source_entry(s) for s in members)))
    tree += [_source_entry(s) for s in sorted(feeds, key=lambda s: s.name.casefold())
             if not s.group]
    if seeds:
        tree.append(Entry("heading", SEEDS_HEADING, sum(s.unread_count for s in seeds),
                          sum(s.story_count for s in seeds),
                          children=tuple(_source_entry(s) for s in seeds)))
    if searches:
        tree.append(Entry("heading", SEARCHES_HEADING, children=tuple(
            Entry("search", s.name, s.unread_count, s.story_count, search=s)
            for s in searches)))
    return tree


def find_entry(tree: Sequence[Entry], view: View) -> Entry | None:
    """The entry showing ``view`` (the list's current view), to put the cursor on."""
    for entry in tree:
        for candidate in (entry, *entry.children):
            if candidate.kind == "heading":
                continue
            shown = candidate.view(view)
            if shown is not None and replace(shown, unread_only=view.unread_only) == view:
                return candidate
    return None

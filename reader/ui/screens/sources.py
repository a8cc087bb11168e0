"""``SourcesScreen``: folders and their feeds as a tree, then seed folders and saved searches,
each with its unread count; and managing feeds without leaving the app.

``Enter`` narrows the story list to what is under the cursor (a folder: all its feeds'
stories). ``a`` adds a feed (a web page is resolved to the feed it links to, and the screen
says which), ``r`` renames a feed or a folder, ``M`` moves a feed to a folder, ``d`` removes a
feed or a folder after saying how many stories go with it, ``R`` refreshes a feed or a folder
and ``A`` marks it read. Each goes through the command line's own functions (``reader add``,
``remove``, ``edit``, ``refresh``: ``UiData`` and ``reader.refresh.subscribe``); network and
writes run off the UI thread, and a failure is said here, in words, and as a notification.

What the tree shows comes from ``reader.ui.source_tree`` (plain data); this screen draws it and
routes the keys. The feed under the cursor has its last outcome spelled out below the tree, so
a refresh that went wrong for one feed is explained on that feed.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from reader.config import FetchSettings, SyncSettings
from reader.filters import Rules
from reader.models import Source, View
from reader.schedule import clock_time, format_duration
from reader.search import SavedSearch
from reader.store import StoreError
from reader.text import clean_line
from reader.ui import keys
from reader.ui.data import UiData
from reader.ui.screens.confirm import ConfirmScreen
from reader.ui.screens.prompt import PromptScreen
from reader.ui.source_tree import Entry, find_entry, source_tree

RefreshFeeds = Callable[[list[int], str], None]
"""Start a refresh of these feeds (the main screen's), described by a few words."""
MarkRead = Callable[[View, str], Awaitable[None]]
"""Mark a view read after asking (the main screen's bulk mark, which undo can take back)."""

NAME_WIDTH = 34
"""Terminal cells for a name (with its indent); the counts start after them."""


class SourceTree(Tree[Entry], inherit_bindings=False):
    """The tree itself: it moves only through the screen's keys (``keys.SOURCES``), so every
    one of them has a binding id and can be remapped."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"source-tree--muted", "source-tree--failed"}
    DEFAULT_CSS = """
    SourceTree > .source-tree--muted { color: $text-muted; }
    SourceTree > .source-tree--failed { color: $error; }
    """

    def label_for(self, entry: Entry, indent: int = 0) -> Text:
        """The line of an entry: its name (never markup), padded so the counts of every line
        start in one column (``indent``: what the tree draws before the label), and its
        counts."""
        muted = self.get_component_rich_style("source-tree--muted", partial=True)
        failed = self.get_component_rich_style("source-tree--failed", partial=True)
        icon = "⌕ " if entry.kind == "search" else ""
        # Terminal cells, not characters: a Chinese name takes two a character (it pushed
        # its counts 17 cells right, past the screen's edge), and a name cut or filling the
        # column is not followed by an extra blank (it pushed its counts one cell right).
        width = NAME_WIDTH - indent - cell_len(icon)
        name = clean_line(entry.name) or "(untitled)"
        if cell_len(name) > width:
            name = set_cell_size(name, width - 1).rstrip() + "…"
        label = Text.assemble((icon + name, Style(bold=entry.kind != "seed")))
        if entry.kind != "heading" or entry.stories:
            counts = f"{entry.unread:>6,} unread / {entry.stories:,}"
            # The counts' own leading blanks part them from a name that fills its column,
            # but for a count of six figures or more.
            gap = width - cell_len(name) or (0 if counts.startswith(" ") else 1)
            label.append(" " * gap)
            label.append(counts, muted)
        source = entry.source
        if entry.kind == "folder":
            count = len(entry.children)
            label.append(f"  · {count} feed{'s' if count != 1 else ''}", muted)
        elif source is not None and source.kind == "feed":
            if source.disabled:
                label.append("  · disabled", failed)
            elif source.last_status == "error":
                label.append("  · failed", failed)
            elif not source.last_checked:
                label.append("  · not refreshed yet", muted)
        return label


def describe(entry: Entry | None) -> Content:
    """The line under the tree: what the entry under the cursor is, and how its feed fared."""
    if entry is None:
        return Content("")
    if entry.kind == "all":
        return Content("Every story · Enter shows them")
    if entry.kind == "heading":
        return Content("Space opens or closes it")
    if entry.kind == "folder":
        return Content("A folder · Enter shows all its feeds' stories · r renames it")
    if entry.kind == "search" and entry.search is not None:
        return Content("search: " + clean_line(entry.search.query)[:200])
    source = entry.source
    if source is None:
        return Content("")
    if source.kind == "seed":
        return Content("Articles from the folder " + clean_line(source.path or source.name))
    return Content(clean_line(source.url or "")[:200] + "\n") + _outcome(source)


def _outcome(source: Source) -> Content:
    if source.disabled:
        return Content.styled("disabled: " + clean_line(source.last_error or "gone"), "$error")
    if source.last_status == "error":
        return Content.styled("failed: " + clean_line(source.last_error or "")[:200], "$error")
    if not source.last_checked:
        return Content.styled("not refreshed yet", "$text-muted")
    outcome = (source.last_status or "ok").replace("_", " ")
    checked = source.last_checked[:16].replace("T", " ")
    line = f"{outcome} · checked {checked} UTC"
    if source.next_due is not None and source.next_due > time.time():
        line += f" · next due {clock_time(source.next_due)}"
    if source.interval:
        line += f" · every {format_duration(source.interval)} at most"
    return Content.styled(line, "$text-muted")


HINT = ("Enter show · Space open/close · a add · r rename · M move · d remove · R refresh · "
        "A mark read · Esc close")


class SourcesScreen(ModalScreen[View | None]):
    """Pick a folder, a feed, a seed folder or a saved search to narrow the list to; add,
    rename, move, remove, refresh or mark read feeds and folders."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(keys.SOURCES)
    PALETTE_KEYS = keys.SOURCES
    """The command palette lists these while this screen is open (``ReaderApp``)."""

    def __init__(self, sources: Sequence[Source], current: View,
                 searches: Sequence[SavedSearch] = (), *, data: UiData | None = None,
                 fetch: FetchSettings | None = None, filters: Rules | None = None,
                 sync: SyncSettings | None = None, refresh: RefreshFeeds | None = None,
                 mark_read: MarkRead | None = None) -> None:
        super().__init__()
        self.sources = list(sources)
        self.searches = list(searches)
        self.current = current
        self.data = data
        self.fetch = fetch or FetchSettings()
        self.filters = filters
        self.sync = sync
        self._refresh = refresh
        self._mark_read = mark_read
        self.entries = source_tree(self.sources, self.searches)

    def compose(self) -> ComposeResult:
        with Vertical(id="sources-box"):
            yield Static(Content.styled("Sources", "bold"), id="sources-title")
            yield SourceTree("sources", id="sources-tree")
            yield Static(id="sources-detail")
            yield Static(id="sources-status")
            yield Static(Content(HINT), id="sources-hint")

    @property
    def tree_view(self) -> SourceTree:
        return self.query_one(SourceTree)

    def on_mount(self) -> None:
        tree = self.tree_view
        tree.show_root = False
        tree.auto_expand = False
        tree.guide_depth = 3
        self._fill(find_entry(self.entries, self.current))
        tree.focus()

    def _fill(self, cursor_on: Entry | None, line: int = 0) -> None:
        """Draw the tree from ``entries``, every folder open, the cursor on the entry with
        ``cursor_on``'s key (else on ``line``, or the last line if there are fewer)."""
        tree = self.tree_view
        tree.clear()
        target: TreeNode[Entry] | None = None
        wanted = cursor_on.key if cursor_on is not None else None
        for entry in self.entries:
            if entry.children:  # drawn after "▼ "; its children after "├─ "
                node = tree.root.add(tree.label_for(entry, 2), entry, expand=True)
                for child in entry.children:
                    leaf = node.add_leaf(tree.label_for(child, tree.guide_depth), child)
                    if child.key == wanted:
                        target = leaf
            else:
                node = tree.root.add_leaf(tree.label_for(entry), entry)
            if entry.key == wanted:
                target = node
        self.call_after_refresh(self._place_cursor, target, line)

    def _place_cursor(self, node: TreeNode[Entry] | None, line: int = 0) -> None:
        """Once the tree has its lines: the cursor on ``node`` (else on ``line``)."""
        tree = self.tree_view
        # Reading ``last_line`` lays the lines out now: a node learns its line only then (the
        # tree otherwise does it when idle, which may come after this refresh; a node
        # without its line put the cursor on the first line, "All stories").
        last = tree.last_line
        if node is not None:
            tree.move_cursor(node)
        else:
            tree.move_cursor_to_line(max(min(line, last), 0))
        self._show_detail()

    @property
    def highlighted(self) -> Entry | None:
        """The entry under the cursor."""
        node = self.tree_view.cursor_node
        return node.data if node is not None else None

    @on(Tree.NodeHighlighted)
    def _show_detail(self) -> None:
        self.query_one("#sources-detail", Static).update(describe(self.highlighted))

    def say(self, text: str, *, failed: bool = False) -> None:
        """A line under the tree about what a key did (a failure also as a notification)."""
        self.query_one("#sources-status", Static).update(
            Content.styled(text, "$error") if failed else Content(text))
        if failed:
            self.notify(text, title="Not done", severity="error", markup=False, timeout=8)

    # -- moving and choosing -------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self.tree_view.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.tree_view.action_cursor_up()

    def action_first(self) -> None:
        self.tree_view.move_cursor_to_line(0)

    def action_last(self) -> None:
        self.tree_view.move_cursor_to_line(self.tree_view.last_line)

    def action_toggle_folder(self) -> None:
        node = self.tree_view.cursor_node
        if node is not None and node.allow_expand:
            node.toggle()

    def action_open(self) -> None:
        entry = self.highlighted
        if entry is None:
            return
        view = entry.view(self.current)
        if view is None:
            self.action_toggle_folder()
        else:
            self.dismiss(view)

    def action_close(self) -> None:
        self.dismiss(None)

    # -- managing feeds ------------------------------------------------------------------------

    def _needs(self, entry: Entry | None, *kinds: str, doing: str) -> Entry | None:
        """The highlighted entry if it is one of ``kinds``; else say what can be ``doing``."""
        if self.data is None:
            return None
        if entry is None or entry.kind not in kinds:
            what = " or ".join("a " + kind for kind in kinds)
            self.say(f"Only {what} can be {doing}: move the cursor onto one")
            return None
        return entry

    @staticmethod
    def _then(act: Callable[[str], object], *, empty_too: bool = False
              ) -> Callable[[str | None], None]:
        """A prompt's callback: ``act`` on the answer (not on a cancel, nor on an empty
        answer unless ``empty_too``)."""
        def answered(text: str | None) -> None:
            if text is not None and (text or empty_too):
                act(text)

        return answered

    def action_add(self) -> None:
        if self.data is None:
            return
        entry = self.highlighted
        group = entry.name if entry is not None and entry.kind == "folder" else \
            entry.source.group if entry is not None and entry.source is not None else None
        question = "Add a feed" + (f" to the folder {clean_line(group)!r}" if group else "")
        self.app.push_screen(
            PromptScreen(question + ": its URL, or a web page that links to one",
                         placeholder="https://example.com/feed.xml"),
            self._then(lambda url: self._add(url, group)))

    @work(group="sources-add", exit_on_error=False)
    async def _add(self, url: str, group: str | None) -> None:
        from reader.refresh.subscribe import SubscribeError  # loads the fetch layer: here only

        assert self.data is not None
        self.say(f"Adding {clean_line(url)}…")
        try:
            added = await self.data.subscribe(url, self.fetch, group=group,
                                              filters=self.filters, sync=self.sync)
        except (SubscribeError, StoreError) as exc:
            self.say(f"Could not add it: {clean_line(str(exc))}", failed=True)
            return
        await self.reload(focus_feed=added.feed_id)
        said = "; ".join(clean_line(line) for line in added.lines)
        self.say(said[:1].upper() + said[1:])
        for warning in added.warnings[:3]:
            self.notify(clean_line(warning), title=clean_line(added.name), markup=False,
                        timeout=8)

    def action_rename(self) -> None:
        entry = self._needs(self.highlighted, "feed", "folder", doing="renamed")
        if entry is None:
            return
        what = "the folder" if entry.kind == "folder" else "the feed"
        self.app.push_screen(
            PromptScreen(f"Rename {what} {clean_line(entry.name)!r} to:", entry.name),
            self._then(lambda name: self._rename(entry, name)))

    @work(group="sources-edit", exit_on_error=False)
    async def _rename(self, entry: Entry, name: str) -> None:
        assert self.data is not None
        try:
            if entry.kind == "folder":
                await self.data.rename_group(entry.name, name)
                done = f"Renamed the folder {clean_line(entry.name)!r} to {clean_line(name)!r}"
                await self.reload(focus_group=name)
            else:
                assert entry.source is not None
                stored = await self.data.rename(entry.source.id, name)
                done = f"Renamed {clean_line(entry.name)!r} to {clean_line(stored)!r}"
                await self.reload(focus_feed=entry.source.id)
        except (StoreError, ValueError) as exc:
            self.say(f"Could not rename it: {clean_line(str(exc))}", failed=True)
            return
        self.say(done)

    def action_move(self) -> None:
        entry = self._needs(self.highlighted, "feed", doing="moved (r renames a folder)")
        if entry is None or entry.source is None:
            return
        self._ask_folder(entry, entry.source)

    @work(group="sources-edit", exit_on_error=False)
    async def _ask_folder(self, entry: Entry, feed: Source) -> None:
        assert self.data is not None
        try:
            folders = await self.data.group_names()
        except StoreError as exc:
            self.say(str(exc), failed=True)
            return
        self.app.push_screen(
            PromptScreen(f"Move {clean_line(entry.name)!r} to the folder (a new name makes "
                         "one; empty: no folder):", feed.group or "", suggestions=folders,
                         hint="Enter to move · → takes the suggestion · Esc to cancel"),
            self._then(lambda group: self._move(feed, group), empty_too=True))

    @work(group="sources-edit", exit_on_error=False)
    async def _move(self, feed: Source, group: str) -> None:
        assert self.data is not None
        folder = clean_line(group).strip() or None
        try:
            await self.data.move([feed.id], folder)
        except StoreError as exc:
            self.say(f"Could not move it: {clean_line(str(exc))}", failed=True)
            return
        await self.reload(focus_feed=feed.id)
        self.say(f"Moved {clean_line(feed.name)!r} to the folder {folder!r}" if folder
                 else f"Took {clean_line(feed.name)!r} out of its folder")

    def action_remove(self) -> None:
        entry = self._needs(self.highlighted, "feed", "folder", doing="removed")
        if entry is not None:
            self._ask_remove(entry)

    @work(group="sources-edit", exit_on_error=False)
    async def _ask_remove(self, entry: Entry) -> None:
        assert self.data is not None
        feeds = [s.id for s in entry.feeds]
        try:
            stories = await self.data.stories_of(feeds)
        except StoreError as exc:
            self.say(str(exc), failed=True)
            return
        count = f"{stories:,} stor{'ies' if stories != 1 else 'y'}"
        if entry.kind == "folder":
            question = (f"Remove the folder {clean_line(entry.name)!r}: its {len(feeds)}"
                        f" feed{'s' if len(feeds) != 1 else ''} and {count}? y/n")
        else:
            question = f"Remove the feed {clean_line(entry.name)!r} and its {count}? y/n"
        def answered(yes: bool | None) -> None:
            if yes:
                self._remove(entry, feeds)

        self.app.push_screen(ConfirmScreen(question), answered)

    @work(group="sources-edit", exit_on_error=False)
    async def _remove(self, entry: Entry, feeds: list[int]) -> None:
        from reader.refresh.subscribe import SubscribeError

        assert self.data is not None
        try:
            removed = await self.data.unsubscribe(feeds, self.sync)
        except (StoreError, SubscribeError) as exc:
            self.say(f"Could not remove it: {clean_line(str(exc))}", failed=True)
            return
        what = "the folder" if entry.kind == "folder" else "the feed"
        self.say(f"Removed {what} {clean_line(entry.name)!r} and its {removed:,} "
                 f"stor{'ies' if removed != 1 else 'y'}")
        await self.reload()

    def action_refresh(self) -> None:
        entry = self._needs(self.highlighted, "feed", "folder", doing="refreshed here")
        if entry is None or self._refresh is None:
            return
        self._refresh([s.id for s in entry.feeds], clean_line(entry.name))

    def action_mark_read(self) -> None:
        entry = self._needs(self.highlighted, "feed", "folder", "seed", "all",
                            doing="marked read")
        if entry is None or self._mark_read is None:
            return
        view = entry.view(View())
        if view is not None:
            self.run_worker(self._mark_read(view, clean_line(entry.name)), group="sources-mark",
                            exit_on_error=False)

    # -- after a change ------------------------------------------------------------------------

    async def reload(self, *, focus_feed: int | None = None,
                     focus_group: str | None = None) -> None:
        """Read the sources again (counts, names, outcomes) and redraw, the cursor on the
        feed or folder named, else where it was (an entry that went: what follows it)."""
        if self.data is None:
            return
        try:
            self.sources, self.searches = await self.data.sources()
        except StoreError as exc:
            self.say(str(exc), failed=True)
            return
        keep = self.highlighted
        self.entries = source_tree(self.sources, self.searches)
        for entry in (e for top in self.entries for e in (top, *top.children)):
            if (focus_feed is not None and entry.source is not None
                    and entry.source.id == focus_feed) or (
                    focus_group is not None and entry.kind == "folder"
                    and entry.name == focus_group):
                keep = entry
        self._fill(keep, self.tree_view.cursor_line)

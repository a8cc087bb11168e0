"""``SourcesScreen``: every source with unread counts and its last refresh outcome.

Choosing one narrows the story list to it. Failed feeds show their reason here, so a refresh
that went wrong for one feed is explained on that feed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from reader.models import Source, View
from reader.search import SavedSearch
from reader.text import clean_line
from reader.ui import keys


def source_label(source: Source) -> Content:
    """Name, counts, and for a feed its last outcome; feed text stays plain content."""
    counts = f"{source.unread_count:,} unread / {source.story_count:,}"
    line = Content.assemble(
        (clean_line(source.name)[:80] or "(untitled)", "bold"),
        ("  " + counts, "$text-muted"),
        ("  (seed folder)" if source.kind == "seed" else "", "$text-muted"),
    )
    if source.kind == "feed":
        if source.disabled:
            status = Content.styled("\n  disabled: " + clean_line(source.last_error or "gone"),
                                    "$error")
        elif source.last_status == "error":
            status = Content.styled("\n  failed: " + clean_line(source.last_error or "")[:200],
                                    "$error")
        elif source.last_checked:
            outcome = (source.last_status or "ok").replace("_", " ")
            checked = source.last_checked[:16].replace("T", " ")
            status = Content.styled(f"\n  {outcome} · checked {checked} UTC", "$text-muted")
        else:
            status = Content.styled("\n  not refreshed yet", "$text-muted")
        line = line + status
    return line


def search_label(saved: SavedSearch) -> Content:
    """A saved search: its name, its query and how many stories it holds now."""
    return Content.assemble(
        ("⌕ ", "$accent"),
        (clean_line(saved.name)[:60], "bold"),
        (f"  {saved.unread_count:,} unread / {saved.story_count:,}", "$text-muted"),
        ("\n  search: " + clean_line(saved.query)[:200], "$text-muted"),
    )


class SourcesScreen(ModalScreen[View | None]):
    """Pick a source, a saved search (or all stories) to narrow the list to."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(keys.SOURCES)

    def __init__(self, sources: Sequence[Source], current: View,
                 searches: Sequence[SavedSearch] = ()) -> None:
        super().__init__()
        self.sources = list(sources)
        self.searches = list(searches)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="sources-box"):
            yield Static(Content.styled("Sources", "bold"), id="sources-title")
            options = [Option(Content.styled("All stories", "bold"), id="all")]
            options += [Option(source_label(s), id=f"source-{s.id}") for s in self.sources]
            options += [Option(search_label(s), id=f"search-{n}")
                        for n, s in enumerate(self.searches)]
            yield OptionList(*options, id="sources-list", markup=False)
            yield Static(Content("Enter shows a source's stories · Esc closes"),
                         id="sources-hint")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.focus()
        ids = [s.id for s in self.sources]
        if self.current.source_id in ids:
            option_list.highlighted = ids.index(self.current.source_id) + 1
        else:
            option_list.highlighted = 0

    def action_cursor_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_first(self) -> None:
        self.query_one(OptionList).action_first()

    def action_last(self) -> None:
        self.query_one(OptionList).action_last()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index == 0:
            self.dismiss(View(unread_only=self.current.unread_only))
            return
        if event.option_index > len(self.sources):
            saved = self.searches[event.option_index - len(self.sources) - 1]
            self.dismiss(View(unread_only=self.current.unread_only, query=saved.query))
            return
        source = self.sources[event.option_index - 1]
        self.dismiss(View(unread_only=self.current.unread_only, source_id=source.id,
                          source_name=source.name))

    def action_close(self) -> None:
        self.dismiss(None)

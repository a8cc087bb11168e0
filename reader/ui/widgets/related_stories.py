"""``RelatedStories``: the numbered list under an article, each entry saying why it is there.

Explicit "Other stories you might like" links come first, then the article that recommended
this story, then (from the related-stories engine) stories similar in content. Titles are
feed text, so every label is built as ``Content`` from plain strings, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.binding import BindingType
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.models import RelatedStory
from reader.text import clean_line
from reader.titles import shown_title
from reader.ui import keys
from reader.ui.messages import StoryChosen

MAX_NUMBERED = 9


def related_label(number: int, item: RelatedStory) -> Content:
    """"3. Title — why (source, teaser)", with the feed's text kept as plain content."""
    details = [item.reason]
    if item.source:
        details.append(item.source)
    if item.teaser:
        details.append("teaser")
    shown = shown_title(item.title[:500], item.text)
    return Content.assemble(
        (f"{number}. " if number <= MAX_NUMBERED else "   ", "bold $accent"),
        (shown.text, "dim") if shown.stand_in else shown.text,
        ("\n   " + " · ".join(clean_line(d) for d in details), "$text-muted"),
    )


class RelatedStories(OptionList):
    """Focusable list of related stories; Enter (or a click) opens one."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(keys.RELATED_LIST)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.items: tuple[RelatedStory, ...] = ()

    def show_items(self, items: Sequence[RelatedStory]) -> None:
        self.items = tuple(items)
        self.clear_options()
        self.add_options(
            Option(related_label(n, item), id=f"related-{n}")
            for n, item in enumerate(self.items, 1)
        )
        self.display = bool(self.items)
        if self.items:
            self.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(StoryChosen(self.items[event.option_index].id))

"""``RelatedStories``: the numbered list under an article, each entry saying why it is there.

Explicit "Other stories you might like" links come first, then the article that recommended
this story, then (from the related-stories engine) stories similar in content. Titles are
feed text, so every label is built as ``Content`` from plain strings, never parsed as markup.
A title or reason too long for a line wraps under its own first word, not under the number
(``reader.ui.widgets.hanging``): a wrapped line at the left edge read as the next entry.
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
from reader.ui.widgets.hanging import Hanging

MAX_NUMBERED = 9
INDENT = "   "
"""What stands before an entry's reason, and before every wrapped line: the number's cells."""


def related_label(number: int, item: RelatedStory) -> Content:
    """"3. Title — why (source, teaser)" as one flat text (the list draws ``Hanging``)."""
    title, details = related_parts(item)
    return Content.assemble(related_number(number), title, "\n" + INDENT, details)


def related_number(number: int) -> Content:
    return Content.styled(f"{number}. " if number <= MAX_NUMBERED else INDENT, "bold $accent")


def related_text(item: RelatedStory) -> Content:
    """The title, then on a line of its own why the story is here."""
    title, details = related_parts(item)
    return Content.assemble(title, "\n", details)


def related_parts(item: RelatedStory) -> tuple[Content, Content]:
    """The title (the first words of the text, dimmed, for an untitled story) and why the
    story is here (source, teaser), with the feed's text kept as plain content."""
    details = [item.reason]
    if item.source:
        details.append(item.source)
    if item.teaser:
        details.append("teaser")
    shown = shown_title(item.title[:500], item.text)
    title = Content.styled(shown.text, "dim") if shown.stand_in else Content(shown.text)
    return title, Content.styled(" · ".join(clean_line(d) for d in details), "$text-muted")


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
            Option(Hanging(related_number(n), related_text(item)), id=f"related-{n}")
            for n, item in enumerate(self.items, 1)
        )
        self.display = bool(self.items)
        if self.items:
            self.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(StoryChosen(self.items[event.option_index].id))

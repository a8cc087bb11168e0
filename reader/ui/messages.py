"""Messages that widgets post up to the screen: attributes go down, messages come up."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from reader.models import StoryRow


@dataclass
class StoryHighlighted(Message):
    """The list cursor moved onto a story (preview it). Floods collapse to the latest."""

    row: StoryRow | None

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, StoryHighlighted)


@dataclass
class StoryChosen(Message):
    """A story was chosen to open (Enter in the list, a click on a related entry, ...)."""

    story_id: str

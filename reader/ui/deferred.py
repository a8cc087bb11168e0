"""What the main screen needs only after its first frame, imported in one go off the UI thread.

Painting the story list needs the app, the screen and the list. The reading pane (with
Textual's Markdown widget and markdown-it: ~36 ms of imports), the sources, help and confirm
screens and the number prompt (f, e) are imported here instead, by ``MainScreen`` on a
thread as soon as the list has painted, so the first paint does not wait for them.
"""

from __future__ import annotations

from reader.ui.screens.confirm import ConfirmScreen
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.number_prompt import NumberPrompt
from reader.ui.screens.sources import SourcesScreen
from reader.ui.widgets.reading_pane import ReadingPane

__all__ = ["ConfirmScreen", "HelpScreen", "NumberPrompt", "ReadingPane", "SourcesScreen"]

"""``F``: fetch the open story's full text now, in a thread worker that reports to the screen.

The fetch runs ``reader.fulltext.on_demand.fetch_full_text`` (its own event loop and cache
connection) on a worker thread, posting ``FullTextProgressed`` while pages are tried and
``FullTextFetched`` at the end; the screen then shows the story again. One fetch at a time.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.dom import DOMNode
from textual.message_pump import MessagePump

from reader.config import FetchSettings
from reader.fulltext.options import FullTextOptions
from reader.ui.messages import FullTextFetched, FullTextProgressed

if TYPE_CHECKING:
    from reader.fulltext.progress import FullTextProgress


def fetch_in_background(target: MessagePump, database: Path, settings: FetchSettings,
                        options: FullTextOptions, story_id: str) -> None:
    """Fetch one story's page (and images) now; report to ``target`` (any thread may post)."""
    from reader.fulltext.on_demand import fetch_full_text  # httpx and readability: only now

    def progress(step: FullTextProgress) -> None:
        target.post_message(FullTextProgressed(step.done, step.total))

    try:
        fetched = fetch_full_text(database, [story_id], settings, options, progress=progress)
    except Exception as exc:  # whatever it is, it is this fetch's reason, not the app's end
        target.post_message(FullTextFetched(story_id, str(exc) or type(exc).__name__))
        return
    if fetched.no_link:
        error: str | None = "the story has no web link"
    elif fetched.texts:
        error = fetched.texts[0].error
    else:
        error = "the story is no longer in the cache"
    target.post_message(FullTextFetched(story_id, error, fetched.images.saved))


class FullTextFetcher:
    """Starts ``F``'s fetch for one story at a time, reporting to ``target``."""

    def __init__(self, target: DOMNode, database: Path, settings: FetchSettings,
                 options: FullTextOptions | None) -> None:
        self._target = target
        self._database = database
        self._settings = settings
        self._options = options or FullTextOptions()
        self.running: str | None = None

    def start(self, story_id: str) -> str:
        """Start fetching ``story_id``'s page unless a fetch runs; what the status says."""
        if self.running is not None:
            return "Already fetching a story's full text"
        self.running = story_id
        work = partial(fetch_in_background, self._target, self._database, self._settings,
                       self._options, story_id)
        self._target.run_worker(work, thread=True, group="full-text", exclusive=True,
                                exit_on_error=False)
        return "Fetching the full text…"

    def ended(self) -> None:
        """The fetch posted its last message."""
        self.running = None

    @property
    def images_dir(self) -> Path | None:
        return self._options.images_dir

"""``FullTextCollector``: which new stories of a refresh want their page, noted as each feed is
stored (in the refresh's writer thread).

Kept apart from ``at_refresh`` (which fetches the pages and saves them) so that a refresh that
saves pages, the default, can make its collector before its first request without importing
the page fetching and text extraction (``reader.fulltext.pages``, ``summary``: with lxml and
our HTML -> Markdown, ~70 ms of CPU): those are imported when the first feed is stored, in the
writer thread, beside the fetching, instead of on the refresh's serial start, which the parse
workers' zygote otherwise keeps free of the parser (``reader.refresh.zygote``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reader.identity import story_public_id
from reader.models import StoryDraft
from reader.store import fulltext as stored
from reader.store.sources import source_key

if TYPE_CHECKING:
    from reader.fulltext.pages import PageJob
    from reader.store import Store


@dataclass(slots=True)
class FullTextCollector:
    """Notes, in the writer thread, which new stories of each stored feed need their page."""

    started: float = field(default_factory=time.time)
    jobs: list[PageJob] = field(default_factory=list)
    new_ids: list[str] = field(default_factory=list)
    _modes: dict[int, str] | None = None

    def collect(self, store: Store, feed_id: int, drafts: Sequence[StoryDraft]) -> None:
        """After a feed's drafts were stored: note its new stories, and which want a page."""
        if not drafts:
            return
        from reader.fulltext.pages import PageJob
        from reader.fulltext.summary import wants_full_text

        if self._modes is None:
            self._modes = dict(stored.full_text_modes(store))
        mode = self._modes.get(feed_id, "auto")
        key = source_key(store, feed_id)
        ids = {story_public_id(key, d.key): d for d in drafts}
        fresh = stored.new_since_last_look(store, feed_id, list(ids), self.started)
        self.new_ids.extend(fresh)
        wanted = [i for i in fresh if wants_full_text(
            mode, ids[i].url, ids[i].body, had_content=not ids[i].from_summary)]
        for link in stored.untried(store, wanted):
            self.jobs.append(PageJob(link.id, link.url, link.body))

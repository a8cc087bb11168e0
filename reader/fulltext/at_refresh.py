"""Full text and images during a refresh, after every feed has been reported.

The refresh's writer hands each stored feed to ``FullTextCollector.collect``, which notes the
new stories that are only summaries (``summary.wants_full_text``) and those with pictures.
Once the feeds' outcomes are all out, ``save_full_texts`` fetches those pages (``pages``),
stores each page's text as it comes (through the refresh's one writer thread, so SQLite sees
one writer), reports "saving full text: 37/120", then saves the new stories' images. The
feeds' results never wait for a page.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from reader.config import FetchSettings
from reader.fulltext.options import IMAGE_STORIES_PER_REFRESH, FullTextOptions
from reader.fulltext.pages import PageJob, PageText, fetch_page_texts
from reader.fulltext.progress import Cancel, FullTextProgress, FullTextReport
from reader.fulltext.summary import standfirst_from_summary, wants_full_text
from reader.identity import story_public_id
from reader.models import StoryDraft
from reader.store import Store
from reader.store import fulltext as stored
from reader.store.sources import source_key


def now_iso() -> str:
    """The time a page's text is saved, as stored (ISO 8601, UTC, seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


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


def apply_page_text(store: Store, text: PageText, summary: str) -> None:
    """Store one page's outcome (in the writer thread)."""
    if text.markdown is not None:
        stored.save_full_text(store, text.story_id, text.markdown,
                              standfirst_from_summary(summary), now_iso())
    else:
        stored.record_failure(store, text.story_id, text.error or "unknown")


async def save_full_texts(
    jobs: Sequence[PageJob], settings: FetchSettings, options: FullTextOptions,
    writer_pool: Executor, store_for: Callable[[], Store], *,
    progress: Callable[[FullTextProgress], None] | None = None,
    cancel: Cancel | None = None,
) -> FullTextReport:
    """Fetch and store the pages of ``jobs`` (see the module doc)."""
    loop = asyncio.get_running_loop()
    report = FullTextReport()
    summaries = {job.story_id: job.summary for job in jobs}
    pending: list[asyncio.Future[None]] = []
    total = len(jobs)

    def on_result(text: PageText) -> None:
        report.pages += 1
        if text.ok:
            report.saved += 1
        else:
            report.failed += 1
        pending.append(loop.run_in_executor(
            writer_pool, lambda: apply_page_text(store_for(), text, summaries[text.story_id])))
        if progress is not None:
            progress(FullTextProgress(report.pages, total, report.saved, text.story_id,
                                      text.error))

    if jobs:
        await fetch_page_texts(jobs, settings, on_result, budget=options.pages, cancel=cancel)
        await asyncio.gather(*pending)
    return report



async def save_at_refresh(
    collector: FullTextCollector, settings: FetchSettings, options: FullTextOptions,
    writer_pool: Executor, store_for: Callable[[], Store], *,
    progress: Callable[[FullTextProgress], None] | None = None,
    cancel: Cancel | None = None,
) -> FullTextReport:
    """The refresh's last part: the pages of its new summary-only stories, then the images
    of its new stories (of at most ``IMAGE_STORIES_PER_REFRESH`` stories)."""
    from reader.images.save import run_in, save_images

    report = await save_full_texts(collector.jobs, settings, options, writer_pool, store_for,
                                   progress=progress, cancel=cancel)
    if options.images_dir is not None and options.saves_images \
            and not (cancel is not None and cancel.is_set()):
        def images(done: int, total: int) -> None:
            if progress is not None:
                progress(FullTextProgress(done, total, 0, images=True))

        saved = await save_images(
            collector.new_ids[:IMAGE_STORIES_PER_REFRESH], settings, options.images_dir,
            options.image_cache_bytes, options.images_per_story, run_in(writer_pool, store_for),
            images)
        report.images, report.images_refused = saved.saved, saved.refused
    return report

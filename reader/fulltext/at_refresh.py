"""Full text and images during a refresh, after every feed has been reported.

The refresh's writer hands each stored feed to ``FullTextCollector.collect`` (``collector``),
which notes the new stories that are only summaries (``summary.wants_full_text``) and those
with pictures.
Once the feeds' outcomes are all out, ``save_full_texts`` fetches those pages (``pages``),
stores each page's text as it comes (through the refresh's one writer thread, so SQLite sees
one writer), reports "saving full text: 37/120", then saves the new stories' images. The
feeds' results never wait for a page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from datetime import UTC, datetime

from reader.config import FetchSettings
from reader.fulltext.collector import FullTextCollector
from reader.fulltext.options import IMAGE_STORIES_PER_REFRESH, FullTextOptions
from reader.fulltext.pages import PageJob, PageText, fetch_page_texts
from reader.fulltext.progress import Cancel, FullTextProgress, FullTextReport
from reader.fulltext.summary import standfirst_from_summary
from reader.store import Store
from reader.store import fulltext as stored

__all__ = ["FullTextCollector", "apply_page_text", "save_at_refresh", "save_full_texts"]


def now_iso() -> str:
    """The time a page's text is saved, as stored (ISO 8601, UTC, seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


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

"""Full text asked for: ``reader fulltext ID ...`` and ``F`` in the app.

Unlike a refresh, this fetches the pages of the stories named even when they were tried
before (a page that was down may be back), and stores each as it comes. Blocking: it runs
its own event loop, so call it from a thread (the app: a thread worker), with its own cache
connection opened here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from reader.config import FetchSettings
from reader.fulltext.at_refresh import apply_page_text
from reader.fulltext.options import FullTextOptions
from reader.fulltext.pages import PageJob, PageText, fetch_page_texts
from reader.fulltext.progress import FullTextProgress
from reader.images.save import ImagesSaved, run_in, save_images
from reader.records import record
from reader.store import Store
from reader.store import fulltext as stored


@record
class FetchedNow:
    """What fetching some stories' full text now came to: each page's outcome, and images."""

    texts: tuple[PageText, ...]
    no_link: tuple[str, ...]
    images: ImagesSaved


def fetch_full_text(
    database: Path, story_ids: Sequence[str], settings: FetchSettings, options: FullTextOptions,
    progress: Callable[[FullTextProgress], None] | None = None,
) -> FetchedNow:
    """Fetch, extract and store the pages (and images) of the given stories, now."""
    return asyncio.run(_fetch(database, story_ids, settings, options, progress))


async def _fetch(
    database: Path, story_ids: Sequence[str], settings: FetchSettings, options: FullTextOptions,
    progress: Callable[[FullTextProgress], None] | None,
) -> FetchedNow:
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(1, thread_name_prefix="reader-fulltext-store")
    holder: list[Store] = []

    def store() -> Store:
        if not holder:
            holder.append(Store.open(database))
        return holder[0]

    try:
        links = await loop.run_in_executor(pool, lambda: stored.story_links(store(), story_ids))
        jobs = [PageJob(link.id, link.url, _summary(link.body, link.standfirst))
                for link in links if link.url.startswith(("http://", "https://"))]
        no_link = tuple(link.id for link in links
                        if not link.url.startswith(("http://", "https://")))
        texts: list[PageText] = []
        writes: list[asyncio.Future[None]] = []
        summaries = {job.story_id: job.summary for job in jobs}

        def on_result(text: PageText) -> None:
            texts.append(text)
            writes.append(loop.run_in_executor(
                pool, lambda: apply_page_text(store(), text, summaries[text.story_id])))
            if progress is not None:
                progress(FullTextProgress(len(texts), len(jobs),
                                          sum(1 for t in texts if t.ok), text.story_id,
                                          text.error))

        await fetch_page_texts(jobs, settings, on_result, budget=len(jobs))
        await asyncio.gather(*writes)
        images = ImagesSaved()
        if options.images_dir is not None:
            ids = [link.id for link in links]
            images = await save_images(ids, settings, options.images_dir,
                                       options.image_cache_bytes, options.images_per_story,
                                       run_in(pool, store))
        return FetchedNow(tuple(texts), no_link, images)
    finally:
        if holder:
            await loop.run_in_executor(pool, holder[0].close)
        pool.shutdown(wait=True)


def _summary(body: str, standfirst: str) -> str:
    """The feed's summary of a story: its standfirst once a page's text was saved, else its
    body (a story fetched again keeps the summary it had, not the last page's text)."""
    return standfirst if standfirst else body


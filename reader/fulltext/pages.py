"""Fetching article pages and extracting their main text, politely and within bounds.

The feeds' own ``Fetcher`` does the HTTP with the same rules as for feeds (at most
``per_host`` requests at once to one host, connect/read timeouts and a deadline, redirects
followed by hand and limited, only http/https, the body cap counted after decompression),
with two differences for pages: no cookie is ever kept, and HTML is asked for. A refresh
fetches at most ``budget`` pages; the rest keep their summary and say so.

Extraction is CPU work (about 20 ms a page), so it runs in one worker thread while the event
loop goes on fetching; the pages of one refresh are fetched and extracted as a stream, each
result handed to ``on_result`` as soon as it is known (the caller stores it and reports
"saving full text: 37/120").
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from reader.config import FetchSettings
from reader.feeds.fetch import Fetcher, FetchRequest, FetchResult
from reader.fulltext.extract import (
    ExtractionError,
    count_words,
    decode_html,
    extract_article,
    looks_like_html,
    media_type,
    plain_text,
)
from reader.fulltext.progress import Cancel
from reader.records import record
from reader.refresh.lifeline import end_with_parent

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
DEFAULT_BUDGET = 200
PROCESS_POOL_MIN_PAGES = 16
"""From this many pages, extraction runs in worker processes (one per core, up to 4): a page
costs about 20 ms of CPU, and one thread sharing the interpreter with the fetching loop was
the refresh's bottleneck. Fewer pages do not pay back starting the workers (~0.3 s each)."""
MAX_EXTRACT_WORKERS = 4
EXTRACT_WORKER_NICENESS = 10


@record
class PageJob:
    """One story whose page to fetch: its id, link and the summary the feed gave."""

    story_id: str
    url: str
    summary: str = ""


@record
class PageText:
    """How one page ended: ``markdown`` (the article's main text) or ``error`` (why not, as
    the reading pane shows it after "full text: ")."""

    story_id: str
    url: str
    markdown: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.markdown is not None


def describe_failure(result: FetchResult) -> str:
    """A failed fetch as a short reason: "403 from the site", "timed out ...", ..."""
    status = result.http_status
    if status is not None and status not in (200, 304) and not (300 <= status < 400):
        return f"{status} from the site"
    return result.error or "the page could not be fetched"


def _start_extract_worker(parent: int) -> None:
    """In an extraction worker: it ends with the refresh process ``parent`` (``lifeline``),
    Ctrl-C is the parent's, and it takes only CPU time others leave.

    Without the lifeline, a refresh killed alone while it saved full text (``kill -9``, the
    OOM killer) left both workers running for good: each waits on the pool's queue, whose
    pipe it holds open itself, and they kept multiprocessing's resource tracker (and the
    killed pool's five named semaphores in /dev/shm) alive with them. Killed at a random
    moment of a 3.5 s refresh, 20 of 40 refreshes left them; with it, none of 80."""
    end_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(EXTRACT_WORKER_NICENESS)
    with contextlib.suppress(OSError, AttributeError):  # SCHED_IDLE is Linux's
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def extraction_pool(pages: int) -> Executor:
    """Where ``pages`` pages are extracted: worker processes for many, else one thread."""
    cpus = os.cpu_count() or 1
    if pages >= PROCESS_POOL_MIN_PAGES and cpus > 1:
        # "spawn": the refresh runs threads, and forking a threaded process is unsafe.
        return ProcessPoolExecutor(min(cpus, MAX_EXTRACT_WORKERS),
                                   mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_extract_worker,
                                   initargs=(os.getpid(),))
    return ThreadPoolExecutor(1, thread_name_prefix="reader-extract")


def page_text(job: PageJob, result: FetchResult) -> PageText:
    """The article in a fetched page (run in a worker thread: it is the CPU part)."""
    if result.status != "ok":
        return PageText(job.story_id, result.url, error=describe_failure(result))
    content_type = result.headers.get("content-type")
    if not looks_like_html(result.body, content_type):
        kind = media_type(content_type) or "not HTML"
        return PageText(job.story_id, result.url, error=f"the page is not HTML ({kind})")
    summary_words = count_words(plain_text(job.summary))
    try:
        article = extract_article(decode_html(result.body, content_type), result.url)
    except ExtractionError as exc:
        return PageText(job.story_id, result.url, error=str(exc))
    if article.words <= summary_words:
        return PageText(job.story_id, result.url,
                        error="the page has no more text than the feed's summary")
    return PageText(job.story_id, result.url, markdown=article.markdown)


async def fetch_page_texts(
    jobs: Sequence[PageJob], settings: FetchSettings, on_result: Callable[[PageText], None], *,
    budget: int = DEFAULT_BUDGET, cancel: Cancel | None = None,
    extractor: Executor | None = None,
) -> int:
    """Fetch and extract up to ``budget`` pages, calling ``on_result`` (on the loop's thread)
    for every job: jobs past the budget, or left when ``cancel`` is set, get an error saying
    they were not fetched. Returns how many pages were fetched."""
    loop = asyncio.get_running_loop()
    chosen, over = list(jobs[: max(0, budget)]), jobs[max(0, budget):]
    own_pool = extractor is None
    pool = extractor or extraction_pool(len(chosen))
    fallback: list[Executor] = []
    # Pages fetched and waiting for extraction are bounded, and so is memory.
    in_flight = asyncio.Semaphore(max(2, 2 * settings.concurrency))
    fetched = 0

    async def extract(job: PageJob, result: FetchResult) -> PageText:
        try:
            return await loop.run_in_executor(fallback[0] if fallback else pool, page_text,
                                              job, result)
        except BrokenProcessPool:  # a worker died (killed, out of memory): go on in a thread
            if not fallback:
                fallback.append(ThreadPoolExecutor(1, thread_name_prefix="reader-extract"))
            return await loop.run_in_executor(fallback[0], page_text, job, result)

    try:
        async with Fetcher(settings, accept=PAGE_ACCEPT, keep_cookies=False) as fetcher:
            async def one(job: PageJob) -> PageText:
                async with in_flight:
                    if cancel is not None and cancel.is_set():
                        return PageText(job.story_id, job.url,
                                        error="not fetched: the refresh was cancelled")
                    result = await fetcher.fetch(FetchRequest(job.url))
                    if result.status != "ok":  # nothing to extract: no worker started for it
                        return page_text(job, result)
                    return await extract(job, result)

            for job in over:
                on_result(PageText(job.story_id, job.url, error=(
                    f"not fetched: this refresh's budget of {budget} pages was spent")))
            tasks = [asyncio.ensure_future(one(job)) for job in chosen]
            try:
                for finished in asyncio.as_completed(tasks):
                    text = await finished
                    fetched += 1
                    on_result(text)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        if own_pool:
            pool.shutdown(wait=True, cancel_futures=True)
        for spare in fallback:
            spare.shutdown(wait=True)
    return fetched


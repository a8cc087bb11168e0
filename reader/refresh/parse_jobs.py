"""What a parse worker runs: a document parsed, or parsed and prepared for the writer.

The functions are light to import (their own imports are made when they first run): the
refreshing process names them in the calls it sends to its workers (``parse_workers``)
without importing the parse stack, which the workers' zygote loaded before forking them
(``load_parse_stack``), and which a refresh parsing in a thread loads on its first document.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reader.feeds.parsed import ParsedFeed
    from reader.filters import FilterRule, Found
    from reader.models import DraftColumns


def load_parse_stack() -> None:
    """Import what a parse needs, and load what it loads on first need: ftfy (mojibake
    repair; ~30 ms of CPU) was loaded by each worker on its first suspect text, and most real
    refreshes meet one (an accented letter before a curly quote)."""
    import reader.feeds.parse
    import reader.filters
    import reader.store.decide  # noqa: F401 (the writer's columns: ``parse_for_writer``)
    from reader.text import load_mojibake_repair

    load_mojibake_repair()


def parse_document(body: bytes, headers: dict[str, str], url: str) -> ParsedFeed:
    """``feeds.parse.parse_feed``."""
    from reader.feeds.parse import parse_feed

    return parse_feed(body, headers, url)


def parse_for_writer(
    body: bytes, headers: dict[str, str], url: str, rules: tuple[FilterRule, ...],
) -> tuple[ParsedFeed, Found | None, tuple[DraftColumns, ...]]:
    """In a parse worker: parse the document, match its stories against the filters' tags and
    words (``filters.screen_drafts``; None without ``rules``), and work out the columns the
    cache stores of each story that follow from the story alone (``store.decide.draft_columns``:
    its content hash, a SHA-256 of its whole text, most of them), so the refresh's one writer
    thread only applies and writes them. Matching in the writer cost the cold refresh of 500
    generated feeds 8 % with five rules, and the columns were ~520 M of its 2,470 M
    instructions for the real corpus; here they run beside the other documents' parsing, on
    every core."""
    from reader.feeds.parse import parse_feed
    from reader.filters import screen_drafts
    from reader.store.decide import draft_columns

    parsed = parse_feed(body, headers, url)
    found = screen_drafts(rules, parsed.drafts) if rules else None
    return parsed, found, tuple(draft_columns(draft) for draft in parsed.drafts)

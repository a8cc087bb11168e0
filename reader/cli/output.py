"""Everything the command line prints: JSON lines and text rows, in one place.

The JSON field names are a contract with users' scripts: add fields, never rename them. Every
JSON line goes through ``json_line``, so each is valid JSON that round-trips every character
whatever stdout's encoding (``PYTHONIOENCODING=ascii``, a Latin-1 terminal): non-ASCII is kept
as UTF-8 where stdout takes it, else written as ``\\u`` escapes, never replaced by ``?``.
Text is cleaned of control characters and escapes on the way out (``clean_line``).

Every command imports this module (``write_json``), ``reader refresh`` included: what only a
whole story's output needs (its links, its title heading, SQLite's JSON rows) is imported by
the functions that print one.
"""

from __future__ import annotations

import functools
import json
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from reader.models import Enclosure, RelatedStory, Source, Story, StoryRow
from reader.schedule import format_duration
from reader.search import SavedSearch, match_spans, plain_text
from reader.store.rows import enclosures
from reader.text import cell_width, clean_line, clean_text, markdown_to_plain
from reader.titles import shown_title, terminal_line

if TYPE_CHECKING:  # the app imports this module (byline) and must start without refresh/
    from reader.links import Link
    from reader.refresh.outcomes import FeedOutcome
    from reader.store.searches import SearchHit


# -- JSON lines -------------------------------------------------------------------------------


_ENCODERS = {ascii_only: json.JSONEncoder(ensure_ascii=ascii_only) for ascii_only in (True, False)}
"""Made once: ``json.dumps`` with any option builds a new encoder per call, a fifth of the
cost of ``list --json``."""


def _stdout_encoding() -> str:
    return (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")


def json_line(value: object) -> str:
    """One JSON value on one line; pure ASCII (still lossless) when stdout is not UTF-8."""
    return _ENCODERS[_stdout_encoding() not in ("utf8", "utf8sig")].encode(value) + "\n"


def write_json(value: object) -> None:
    """Print ``value`` as one JSON line on stdout."""
    sys.stdout.write(json_line(value))


def story_to_json(story: Story, related: Sequence[RelatedStory]) -> dict[str, Any]:
    """A whole story (``list --json``, ``show --json``)."""
    return {
        "id": story.id,
        "source": story.source,
        "title": story.title,
        "standfirst": story.standfirst,
        "body": story.body,
        "url": story.url,
        "author": story.author,
        "published": story.published,
        "updated": story.updated,
        "teaser": story.teaser,
        "read": story.read,
        "starred": story.starred,
        "full_text": story.full_text,
        "full_text_saved": story.full_text_at,
        "full_text_error": story.full_text_error,
        "related": related_list_to_json(related),
        "enclosures": [enclosure_to_json(e) for e in story.enclosures],
    }


def related_list_to_json(related: Sequence[RelatedStory]) -> list[dict[str, Any]]:
    """A story's related list as ``list --json`` and ``show --json`` give it."""
    return [{"id": r.id, "title": r.title, "kind": r.kind, "reason": r.reason} for r in related]


def utf8_stdout() -> BinaryIO | None:
    """stdout's byte stream when its text is plain UTF-8 (JSON lines made as bytes can go
    straight to it: ``story_json_lines``), with what was written as text flushed first;
    None otherwise (ASCII or another encoding, a BOM to write, no byte stream)."""
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None or _stdout_encoding() != "utf8":
        return None
    sys.stdout.flush()
    return cast("BinaryIO", binary)


_EMPTY = b"[]"

WRITE_CHUNK = 1 << 16
"""Bytes gathered before one write: stdout's own buffer (8 KB) would make 60,000 writes of
470 MB; a batch joined whole holds its 2 MB twice (peak memory 5 MB higher)."""


def write_chunked(binary: BinaryIO, lines: Iterable[bytes]) -> None:
    """Write ``lines`` in chunks of about ``WRITE_CHUNK`` bytes."""
    chunk = bytearray()
    for line in lines:
        chunk += line
        if len(chunk) >= WRITE_CHUNK:
            binary.write(chunk)
            chunk.clear()
    if chunk:
        binary.write(chunk)


def story_json_lines(batch: Sequence[Any],
                     related: Mapping[int, Sequence[RelatedStory]]) -> Iterator[bytes]:
    """``list --json``'s lines for rows of ``reader.store.story_json`` (SQLite wrote the JSON of
    their columns), ``related`` by rowid: the bytes ``json_line(story_to_json(...))`` gives on
    a UTF-8 stdout (``tests/test_list_json.py``), at a third of the cost."""
    from reader.store import story_json

    encode = _ENCODERS[False].encode
    for row in batch:
        links = related.get(story_json.rowid(row))
        stored = story_json.enclosures_column(row)
        yield story_json.line(
            row,
            encode(related_list_to_json(links)).encode() if links else _EMPTY,
            encode([enclosure_to_json(e) for e in enclosures(stored)]).encode()
            if stored is not None else _EMPTY)


def enclosure_to_json(enclosure: Enclosure) -> dict[str, Any]:
    """An enclosure: its URL, MIME type, size in bytes and duration in seconds (null: the
    feed does not say)."""
    return {"url": enclosure.url, "type": enclosure.type, "length": enclosure.length,
            "duration": enclosure.duration}


def links_to_json(links: Sequence[Link]) -> list[dict[str, Any]]:
    """A story's numbered links (``show --json``): ``n`` as the pane and ``f`` number them."""
    return [{"n": link.n, "text": link.text, "url": link.url} for link in links]


def hit_to_json(hit: SearchHit, rank: int) -> dict[str, Any]:
    """One search result (``search --json``): the row, its snippet and where the matches are."""
    snippet, spans = match_spans(hit.snippet)
    row = hit.row
    return {
        "rank": rank, "id": row.id, "source": row.source, "title": row.title,
        "published": row.published, "read": row.read, "starred": row.starred,
        "teaser": row.teaser, "snippet": snippet, "highlights": [list(s) for s in spans],
    }


def related_to_json(item: RelatedStory) -> dict[str, Any]:
    """One entry of a related list (``related --json``), with why it is there."""
    return {"id": item.id, "title": item.title, "source": item.source, "kind": item.kind,
            "reason": item.reason, "terms": list(item.terms), "teaser": item.teaser}


def saved_search_to_json(saved: SavedSearch) -> dict[str, Any]:
    """A saved search with its counts (``searches --json``)."""
    return {"name": saved.name, "query": saved.query, "stories": saved.story_count,
            "unread": saved.unread_count}


def feed_to_json(feed: Source, sync: str | None = None) -> dict[str, Any]:
    """A subscribed feed with its counts and last outcome (``feeds --json``). ``sync``: the
    sync service the feed comes from ("fever", "ttrss"), None when local."""
    return {
        "id": feed.id, "title": feed.name, "url": feed.url, "group": feed.group,
        "stories": feed.story_count, "unread": feed.unread_count,
        "last_checked": feed.last_checked, "last_status": feed.last_status,
        "last_error": feed.last_error, "disabled": feed.disabled, "sync": sync,
        "next_due": _iso_time(feed.next_due),
        "interval": round(feed.interval) if feed.interval else None,
        "full_text": feed.full_text,
    }


def _iso_time(when: float | None) -> str | None:
    """A unix time as ISO 8601 UTC to the second (``next_due``), None stays None."""
    if when is None:
        return None
    return datetime.fromtimestamp(when, UTC).isoformat(timespec="seconds")


def outcome_to_json(outcome: FeedOutcome) -> dict[str, Any]:
    """How one feed's refresh ended (``refresh --json``)."""
    return {
        "id": outcome.feed_id, "title": outcome.name, "url": outcome.url,
        "status": outcome.status, "new": outcome.new, "updated": outcome.updated,
        "error": outcome.error, "warnings": list(outcome.warnings),
        "moved_to": outcome.moved_to, "pruned": outcome.pruned,
        "hidden": outcome.hidden, "auto_read": outcome.auto_read,
    }


MARK_JSON_IDS = 1_000
"""``mark --json`` lists at most this many ids (``count`` says how many were marked)."""


def mark_to_json(action: str, count: int, ids: Sequence[str], dry_run: bool) -> dict[str, Any]:
    """What ``reader mark`` did (or, with ``--dry-run``, would do): ``ids`` up to 1,000."""
    return {"action": action, "count": count, "ids": list(ids[:MARK_JSON_IDS]),
            "dry_run": dry_run}


_MARKED = {"read": "marked read", "unread": "marked unread", "star": "starred",
           "unstar": "unstarred"}


def mark_line(action: str, count: int, dry_run: bool) -> str:
    """``3 stories marked read`` (``--dry-run``: ``3 stories would be marked read``)."""
    stories = "story" if count == 1 else "stories"
    done = _MARKED[action]
    return f"{count} {stories} {'would be ' + done if dry_run else done}\n"


# -- text -----------------------------------------------------------------------------------


def row_line(row: StoryRow, dim: bool = False) -> str:
    """One story as ``list`` and ``search`` print it: id, unread/starred flags, date, source,
    title (an untitled story shows the first words of its text, dimmed when ``dim``)."""
    flags = ("N" if not row.read else " ") + ("*" if row.starred else " ")
    date = (row.date or "")[:10] or "-" * 10
    title = terminal_line(shown_title(row.title, row.text_start), dim)
    return f"{row.id}  {flags} {date}  {source_column(row.source)}  {title}\n"


SOURCE_COLUMNS = 18
"""The width of ``list`` and ``search``'s source column, in terminal cells."""


@functools.lru_cache(maxsize=1024)
def source_column(source: str) -> str:
    """The source's name in ``SOURCE_COLUMNS`` cells: padded, or cut with ``…`` (a name cut
    short says so). Measured in cells, not characters, so that a Chinese or Japanese name,
    whose characters take two cells each, does not push its row's title to the right. Cached:
    a list of 100,000 stories has a few hundred sources."""
    name = clean_line(source)
    if name.isascii():
        cut = name if len(name) <= SOURCE_COLUMNS else name[: SOURCE_COLUMNS - 1] + "…"
        return cut.ljust(SOURCE_COLUMNS)
    widths = [cell_width(char) for char in name]
    if sum(widths) > SOURCE_COLUMNS:
        kept = used = 0
        while used + widths[kept] <= SOURCE_COLUMNS - 1:
            used += widths[kept]
            kept += 1
        name, widths = name[:kept] + "…", [*widths[:kept], 1]
    return name + " " * (SOURCE_COLUMNS - sum(widths))


def snippet_line(hit: SearchHit) -> str:
    """A search hit's snippet under its row, matches between « and »."""
    return f"    {clean_line(plain_text(hit.snippet))}\n"


def saved_search_line(saved: SavedSearch) -> str:
    """A saved search as ``searches`` lists it."""
    return (f"{clean_line(saved.name)[:24]:<24}  {saved.story_count:>6} "
            f"({saved.unread_count} unread)  {clean_line(saved.query)}\n")


def feed_lines(feed: Source, sync: str | None = None) -> str:
    """A feed as ``feeds`` lists it: id, name, counts; its URL; its last check."""
    group = f" [{clean_line(feed.group)}]" if feed.group else ""
    if sync is not None:
        group += f" (from the {sync} server)"
    return (f"{feed.id:>4}  {clean_line(feed.name)}{group} · {feed.story_count} stories, "
            f"{feed.unread_count} unread\n"
            f"      {clean_line(feed.url or '')}\n"
            f"      {clean_line(_feed_state(feed))}\n")


def _feed_state(feed: Source) -> str:
    if feed.last_checked is None:
        return "never checked"
    checked = feed.last_checked[:16].replace("T", " ")
    status = (feed.last_status or "").replace("_", " ")
    if feed.last_error:
        status += f": {feed.last_error}"
    if feed.disabled:
        status += " (disabled)"
    line = f"checked {checked} {status}"
    if feed.interval:
        line += f"; every {format_duration(feed.interval)} at most"
    if feed.next_due is not None and feed.next_due > time.time():
        line += f"; next due {_iso_time(feed.next_due)}"
    return line


def related_as_text(story: Story, items: Sequence[RelatedStory], copies: Sequence[str],
                    dim: bool = False) -> str:
    """``reader related``: the story, the sources also carrying it, each related story and why."""
    head = shown_title(story.title, f"{story.standfirst} {story.body}")
    out = [f"{terminal_line(head, dim)}  [{story.id}]"]
    if copies:
        out.append("Also in: " + ", ".join(clean_line(c) for c in copies))
    if not items:
        out.append("No related stories.")
    for number, item in enumerate(items, 1):
        title = terminal_line(shown_title(item.title, item.text), dim)
        out.append(f"  {number}. {title}  [{item.id}]")
        out.append(f"     {clean_line(item.reason)} · {clean_line(item.source)}")
    return "\n".join(out) + "\n"


def byline(story: Story) -> str:
    """"source · author · date", leaving out what the story does not say. The date is the
    published one, else the updated one (an Atom entry may give only that)."""
    date = story.published or story.updated or ""
    parts = [story.source, story.author or "", date[:16].replace("T", " ")]
    return " · ".join(p for p in parts if p)


def enclosure_line(enclosure: Enclosure) -> str:
    """``▶ audio/mpeg · 55 MB · 1:12:03 — https://…``."""
    return clean_line(f"▶ {enclosure.describe()} — {enclosure.url}")


def link_line(link: Link) -> str:
    """``3. text — https://…`` (the URL alone when the link has no text)."""
    text = clean_line(link.text)
    return clean_line(f"{link.n}. {text} — {link.url}" if text else f"{link.n}. {link.url}")


def story_as_text(story: Story, related: Sequence[RelatedStory], width: int | None = None,
                  also_in: Sequence[str] = (), dim: bool = False) -> str:
    """The whole story for a terminal or a pipe; text is cleaned again on the way out.

    ``also_in`` names other sources carrying the same story. An untitled story (or related
    story) shows the first words of its text instead, dimmed when ``dim``."""
    from reader.fulltext.title import without_title_heading
    from reader.links import story_links

    if width is None:
        width = min(shutil.get_terminal_size((100, 24)).columns, 100)
    out: list[str] = [terminal_line(shown_title(story.title, f"{story.standfirst} {story.body}"),
                                    dim)]
    if story.standfirst:
        out.append(clean_line(story.standfirst))
    out.append("")
    out.append(clean_line(byline(story)))
    if story.url:
        out.append(clean_line(story.url))
    out.extend(enclosure_line(e) for e in story.enclosures)
    if also_in:
        out.append("Also in: " + ", ".join(clean_line(name) for name in also_in))
    if story.teaser:
        out.append("Teaser: this story is cut short; its full text is not in the cache.")
    if story.full_text_error and not story.full_text:
        out.append(clean_line(f"full text: {story.full_text_error}"))
    out.append("")
    # Prose is wrapped to the width; code and tables are printed as they are. Links read as
    # their text and number ("the post[3]"), listed after the body (``reader.links``).
    body = clean_text(story.body)
    if story.full_text:  # a saved page often repeats its headline: printed once, as the title
        body = without_title_heading(body, story.title)
    found = story_links(body)
    out.extend(markdown_to_plain(found.plain_markdown, width=max(width, 20)).split("\n"))
    out.append("")
    if found.links:
        out.append("Links:")
        out.extend(f"  {link_line(link)}" for link in found.links)
        out.append("")
    if related:
        out.append("Related stories:")
        for number, item in enumerate(related, 1):
            title = terminal_line(shown_title(item.title, item.text), dim)
            out.append(f"  {number}. {title}  [{item.id}]")
            out.append(f"     {clean_line(item.reason)}")
    return "\n".join(out).rstrip() + "\n"

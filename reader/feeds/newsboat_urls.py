"""newsboat's ``urls`` file, read as a subscription list (``reader import ~/.newsboat/urls``).

A person leaving newsboat has their feeds in it: one feed a line, its URL then its tags,
``"quoted"`` where they hold spaces, a tag ``~Name`` naming the feed, ``#`` starting a comment.
newsboat's own ``-e`` export (2.21, Debian's) writes OPML 1.0 without the tags, so importing
that loses every folder; reading the file keeps them. A feed's first tag becomes its group
(here a feed is in one folder; the others are left out, said in one warning line), ``~Name`` its
title; a tag starting with ``!`` (newsboat's hidden feeds) is no folder. Query feeds
(``"query:Name:expression"``) are saved searches, not feeds, and ``exec:``/``filter:`` lines
run programs: each is skipped with a warning, as an OPML outline without an http(s) URL is.

Pure: bytes in, entries and warnings out (``reader.feeds.opml.read_opml_file`` reads the file
and makes them subscriptions).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from reader.feeds.html_markdown import resolve_url
from reader.text import clean_line

_FIRST_WORD = re.compile(rb'\A\s*"?(?:https?|query|exec|filter):', re.IGNORECASE)


class UrlsEntry(NamedTuple):
    """One feed of the file: its URL, its ``~`` name (or ``""``) and its first tag."""

    url: str
    title: str
    group: str | None


def looks_like_urls_file(data: bytes) -> bool:
    """Whether ``data`` is a newsboat ``urls`` file: its first line that is neither blank
    nor a comment starts with a feed URL or a ``query:``/``exec:``/``filter:`` one (an OPML
    or any other XML document starts with ``<``)."""
    for line in data.splitlines():
        if not line.strip() or line.lstrip().startswith(b"#"):
            continue
        return _FIRST_WORD.match(line) is not None
    return False


def words(line: str) -> list[str]:
    """The line's words as newsboat splits them: at white space, a ``"quoted"`` word whole
    (``\\"`` and ``\\\\`` inside it are a quote and a backslash), up to a ``#`` that starts a
    word (a comment)."""
    found: list[str] = []
    at = 0
    while at < len(line):
        char = line[at]
        if char.isspace():
            at += 1
        elif char == "#":
            break
        elif char == '"':
            at += 1
            word: list[str] = []
            while at < len(line) and line[at] != '"':
                if line[at] == "\\" and at + 1 < len(line):
                    at += 1
                word.append(line[at])
                at += 1
            found.append("".join(word))
            at += 1
        else:
            end = at
            while end < len(line) and not line[end].isspace():
                end += 1
            found.append(line[at:end])
            at = end
    return found


def read_urls_file(data: bytes) -> tuple[list[UrlsEntry], list[str]]:
    """The feeds of a newsboat ``urls`` file, and a warning for each line skipped (and one
    for the feeds whose tags were more than one folder)."""
    entries: list[UrlsEntry] = []
    warnings: list[str] = []
    seen: set[str] = set()
    more_tags = 0
    for line in data.decode("utf-8", errors="replace").splitlines():
        found = words(line)
        if not found:
            continue
        raw, tags = found[0], found[1:]
        if raw.casefold().startswith("query:"):
            name = clean_line(raw.split(":", 2)[1]) if raw.count(":") >= 2 else raw
            warnings.append(f"skipped the query feed {name!r}: here a saved search is "
                            "'reader search --save NAME QUERY'")
            continue
        url = resolve_url(raw, None, frozenset({"http", "https"}))
        if url is None:
            warnings.append(f"skipped {clean_line(raw)[:200]!r}: not an http(s) feed URL")
            continue
        if url in seen:
            continue
        seen.add(url)
        titles = [clean_line(tag[1:]) for tag in tags if tag.startswith("~")]
        folders = [clean_line(tag) for tag in tags if tag[:1] not in ("~", "!", "")]
        folders = [folder for folder in folders if folder]
        more_tags += len(folders) > 1
        entries.append(UrlsEntry(url, titles[0] if titles else "", folders[0] if folders else None))
    if more_tags:
        warnings.append(f"{more_tags} feed{'s' if more_tags != 1 else ''} had more than one tag: "
                        "each is in the folder of its first (a feed is in one folder here)")
    return entries, warnings

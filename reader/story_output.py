"""A story as JSON and as readable plain text: the shapes the command line promises.

The JSON field names are a contract with users' scripts: add fields, never rename them.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from typing import Any

from reader.models import RelatedStory, Story
from reader.text import clean_line, clean_text, markdown_to_plain
from reader.titles import shown_title, terminal_line


def story_to_json(story: Story, related: Sequence[RelatedStory]) -> dict[str, Any]:
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
        "related": [{"id": r.id, "title": r.title, "kind": r.kind, "reason": r.reason}
                    for r in related],
    }


def byline(story: Story) -> str:
    """"source · author · date", leaving out what the story does not say. The date is the
    published one, else the updated one (an Atom entry may give only that)."""
    date = story.published or story.updated or ""
    parts = [story.source, story.author or "", date[:16].replace("T", " ")]
    return " · ".join(p for p in parts if p)


def story_as_text(story: Story, related: Sequence[RelatedStory], width: int | None = None,
                  also_in: Sequence[str] = (), dim: bool = False) -> str:
    """The whole story for a terminal or a pipe; text is cleaned again on the way out.

    ``also_in`` names other sources carrying the same story. An untitled story (or related
    story) shows the first words of its text instead, dimmed when ``dim``."""
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
    if also_in:
        out.append("Also in: " + ", ".join(clean_line(name) for name in also_in))
    if story.teaser:
        out.append("Teaser: this story is cut short; its full text is not in the cache.")
    out.append("")
    # Prose is wrapped to the width; code and tables are printed as they are.
    out.extend(markdown_to_plain(clean_text(story.body), width=max(width, 20)).split("\n"))
    out.append("")
    if related:
        out.append("Related stories:")
        for number, item in enumerate(related, 1):
            title = terminal_line(shown_title(item.title, item.text), dim)
            out.append(f"  {number}. {title}  [{item.id}]")
            out.append(f"     {clean_line(item.reason)}")
    return "\n".join(out).rstrip() + "\n"

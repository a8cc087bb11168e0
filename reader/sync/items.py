"""Server items as stories: the same conversion and identity rules as a fetched feed's entries.

An item is handed to ``reader.feeds.parse.entry_to_draft`` in the shape feedparser gives an
entry, so its title is cleaned and its HTML converted exactly as a fetched entry's would be,
and its key (a story's identity within its source) is the one a direct fetch would give it:
the entry's guid where the server tells it, else its link. ``ItemIdentity`` says how an item
is recognised among stories that were fetched directly from the same feed (see ``matches``).
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from reader.feeds.parse import entry_to_draft
from reader.models import StoryDraft
from reader.records import record
from reader.sync.service import RemoteItem

ITEM_KEY_PREFIX = "server-item:"
"""The key of an item with neither a usable guid nor a link: the server's own item id."""


def plain_guid(guid: str | None) -> str | None:
    """The entry's guid when the server stores it as it is (Tiny Tiny RSS stores only a hash
    in its current form, ``{"ver":2,"uid":..,"hash":"SHA1:.."}``, or ``SHA1:..``)."""
    if not guid or guid.startswith(("{", "SHA1:")):
        return None
    return guid


def guid_hash(guid: str | None) -> str | None:
    """The SHA-1 (hex) of the entry's guid that Tiny Tiny RSS stores, if that is the form."""
    if not guid or not guid.startswith("{"):
        return None
    try:
        value = json.loads(guid)
    except ValueError:
        return None
    digest = value.get("hash") if isinstance(value, dict) else None
    if isinstance(digest, str) and digest.startswith("SHA1:"):
        return digest[5:].lower()
    return None


def item_to_draft(item: RemoteItem) -> StoryDraft:
    """The story a fetched feed entry with the item's fields would have become."""
    entry: dict[str, Any] = {
        "title": item.title,
        "title_detail": {"type": "text/html", "value": item.title},
        "content": [{"type": "text/html", "value": item.html}] if item.html else [],
        "tags": [{"term": tag} for tag in item.tags],
        "enclosures": [{"href": href} for href in item.enclosures],
    }
    if item.url:
        entry["link"] = item.url
    guid = plain_guid(item.guid)
    if guid:
        entry["id"] = guid
    elif not item.url:
        entry["id"] = ITEM_KEY_PREFIX + item.id
    if item.author:
        entry["author"] = item.author
    if item.published is not None:
        entry["published_parsed"] = time.gmtime(item.published)
    return entry_to_draft(entry, item.url)


@record
class StoredStory:
    """A story of the same source not yet tied to a server item: a candidate for a match."""

    rowid: int
    key: str
    url: str | None


def matches(item: RemoteItem, draft: StoryDraft, story: StoredStory) -> bool:
    """Whether a server item is a story already stored from the same feed.

    Same key (the guid, or the link for a guid-less entry, as both paths derive it); or the
    server's hashed guid is the hash of the story's key; or the same link. The link rule is
    what Fever needs (it tells no guid) and it is safe within one feed, where two entries with
    one link are one story told twice.
    """
    if story.key == draft.key:
        return True
    digest = guid_hash(item.guid)
    if digest and hashlib.sha1(story.key.encode()).hexdigest() == digest:
        return True
    return draft.url is not None and story.url == draft.url

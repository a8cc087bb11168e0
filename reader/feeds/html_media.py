"""Embedded media (iframe, video, audio, object, embed) as the converter shows them: one link.

``html_markdown`` writes an embed as ``▶ video: [title](url)``. What is here decides the parts
of that line from the element: the URL it offers (``media_candidates``, best first), what it
is (``media_kind``: by tag, declared type, host or file name), its title (``media_title``:
not a player's generic one), the page a person would open for a player's URL (``watch_url``),
and whether it is an ad server's (``AD_HOST``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qs, urlencode, urlsplit

from lxml import etree

from reader.text import clean_text

_VIMEO_VIDEO = re.compile(r"/video/(\d+)")
_HEX = re.compile(r"[0-9a-f]+")

_VIDEO_HOSTS = ("youtube.com", "youtube-nocookie.com", "youtu.be", "vimeo.com", "dailymotion.com",
                "brightcove.com", "brightcove.net", "jwplayer.com", "jwplatform.com",
                "twitch.tv", "ted.com", "wistia.net", "wistia.com", "blogger.com",
                "facebook.com/plugins/video", "streamable.com", "rumble.com", "loom.com")
_AUDIO_HOSTS = ("soundcloud.com", "spotify.com", "bandcamp.com", "anchor.fm", "podbean.com",
                "simplecast.com", "buzzsprout.com", "megaphone.fm", "libsyn.com", "mixcloud.com",
                "overcast.fm", "pca.st", "audioboom.com", "transistor.fm", "castos.com")
_GENERIC_TITLE = re.compile(
    r"(?:youtube|vimeo|soundcloud|spotify|dailymotion)?\s*(?:embed(?:ded)?)?\s*"
    r"(?:video|audio)?\s*(?:player|embed)?\s*(?:frame)?",
    re.IGNORECASE,
)
_YOUTUBE_ID = re.compile(r"/embed/([\w-]{6,})")
# Embeds that are advertising, not content: an ad server's frame is dropped like a tracking pixel.
AD_HOST = re.compile(
    r"(?:^|\.)(?:ads?|adserver|adservice|banners?)\.|(?:^|\.)(?:doubleclick\.net|"
    r"googlesyndication\.com|amazon-adsystem\.com|adnxs\.com|taboola\.com|outbrain\.com)$"
)


def watch_url(url: str) -> str:
    """A YouTube or Vimeo player URL as the page a person would open; others unchanged."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    host = parts.netloc.lower().rsplit("@", 1)[-1].split(":", 1)[0]
    query = parse_qs(parts.query)
    if host.endswith(("youtube.com", "youtube-nocookie.com")):
        found = _YOUTUBE_ID.match(parts.path)
        if found and found.group(1) != "videoseries":
            params = {"v": found.group(1)}
            start = (query.get("start") or query.get("t") or [""])[0]
            if start.isdigit():
                params["t"] = f"{start}s"
            return "https://www.youtube.com/watch?" + urlencode(params)
        if parts.path.startswith("/embed/videoseries") and query.get("list"):
            return "https://www.youtube.com/playlist?" + urlencode({"list": query["list"][0]})
    if host == "player.vimeo.com":
        match = _VIMEO_VIDEO.match(parts.path)
        if match:
            unlisted = (query.get("h") or [""])[0]
            tail = f"/{unlisted}" if _HEX.fullmatch(unlisted) else ""
            return f"https://vimeo.com/{match.group(1)}{tail}"
    return url


def media_host(url: str) -> str:
    return url.split("//", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0].lower()


def media_kind(tag: str, url: str, declared: str) -> str:
    if tag in ("video", "audio"):
        return tag
    if declared.startswith(("video/", "audio/")):
        return declared.split("/", 1)[0]
    lowered = url.lower()
    where = lowered.split("//", 1)[-1]
    host = media_host(url)
    if any(host.endswith(h) or where.startswith(h) for h in _VIDEO_HOSTS if "/" not in h) or any(
        h in where for h in _VIDEO_HOSTS if "/" in h
    ):
        return "video"
    if any(host.endswith(h) for h in _AUDIO_HOSTS):
        return "audio"
    path = lowered.split("?", 1)[0]
    if path.endswith((".mp4", ".webm", ".mov", ".m4v", ".ogv")):
        return "video"
    if path.endswith((".mp3", ".m4a", ".ogg", ".oga", ".opus", ".wav", ".flac", ".aac")):
        return "audio"
    return "embed"


def media_candidates(element: etree._Element) -> Iterable[tuple[str, str]]:
    """(URL, declared type) pairs an embed offers, best first."""
    tag = element.tag
    kind = element.get("type") or ""
    for name in ("src", "data", "data-src"):
        if element.get(name):
            yield element.get(name) or "", kind
    if tag == "iframe":
        return
    for child in element.iterdescendants("source", "embed", "param", "a"):
        if child.tag == "param":
            if (child.get("name") or "").lower() in ("movie", "src", "url", "filename"):
                yield child.get("value") or "", ""
        elif child.tag == "a":
            yield child.get("href") or "", ""  # a "download the video" fallback link
        else:
            yield child.get("src") or "", child.get("type") or ""


def media_title(element: etree._Element, url: str) -> str:
    for name in ("title", "aria-label", "alt"):
        title = " ".join(clean_text(element.get(name)).split())
        if title and not _GENERIC_TITLE.fullmatch(title) and "://" not in title and title != url:
            return title
    return ""

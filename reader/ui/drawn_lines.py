"""Removed widgets' drawn lines are let go: a fix for Textual's ``StylesCache`` until it has one.

Every widget keeps the lines it last drew in its ``StylesCache`` (Textual's
``textual._styles_cache``), which is right while the widget lives. But Textual 8.2.8 caches
``StylesCache.get_inner_outer``, an instance method, with ``functools.lru_cache(1024)``, so
each key holds ``self``: the ``StylesCache`` of up to 1,024 widgets drawn since start-up, with
every line each of them drew (``Strip`` objects, their segments and their own 7 caches), stays
alive after the widget is gone (Textual issue #6665, open). The reading pane replaces a
story's body with new Markdown blocks each time a story is shown, so the removed blocks' lines
piled up: after opening 28 full-text stories, 846 ``StylesCache`` objects were alive for ~180
widgets, holding 1,785 of the 2,108 root strips alive (the full-text benchmark's app, 120 × 40).

``unpin_drawn_lines`` replaces that method with one whose cache is keyed by the two colours
only (what the method computes from: it never reads ``self``), calling Textual's own code,
so the styles are the same. It does nothing once the method is no longer an
``lru_cache`` (a Textual that fixed it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from textual._styles_cache import StylesCache

INNER_OUTER_CACHE = 1024
"""Entries kept, as Textual's own cache has: pairs of (base background, background)."""


def unpin_drawn_lines() -> bool:
    """Key ``StylesCache.get_inner_outer``'s cache by its colours only; True when done now."""
    cached: Any = StylesCache.__dict__.get("get_inner_outer")
    original: Callable[..., Any] | None = getattr(cached, "__wrapped__", None)
    if original is None or not hasattr(cached, "cache_clear"):
        return False  # already replaced, or Textual no longer caches it per instance
    cached.cache_clear()  # the pinned caches go now

    @lru_cache(INNER_OUTER_CACHE)
    def by_colours(base_background: Any, background: Any) -> Any:
        return original(None, base_background, background)  # never reads its first argument

    def get_inner_outer(self: StylesCache, base_background: Any, background: Any) -> Any:
        return by_colours(base_background, background)

    setattr(StylesCache, "get_inner_outer", get_inner_outer)  # noqa: B010
    return True

"""Importing a library without a dependency it loads at once but calls only now and then.

ftfy imports wcwidth for display widths we never ask for (~55 M instructions, its tables), and
feedparser imports chardet to guess the encoding of the rare document that does not declare
one truthfully (~85 M: 2 of the 198 real feeds). Both are loaded before ``reader refresh``
forks its parse workers, on its one serial stage. ``import_sparing`` imports the library while
the dependency is a stand-in module whose functions load the real one when first called and
return what the real ones return; once the library is imported, ``import`` of the dependency
gives the real module again. A library that wants more of the dependency than the stand-in
has is imported with the real one.
A stand-in can also hold plain values (the same objects the real module has): the app imports
Textual's app module without ``textual.types`` that way (``reader.ui.launch``).
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable
from typing import Any


def _deferred(spared: str, name: str, stand_in: types.ModuleType) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        if sys.modules.get(spared) is stand_in:
            del sys.modules[spared]
        return getattr(importlib.import_module(spared), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


def import_sparing(target: str, spared: str, functions: tuple[str, ...] = (),
                   values: dict[str, Any] | None = None) -> types.ModuleType:
    """``target`` imported while ``spared`` is a stand-in with ``functions``, each loading the
    real ``spared`` on its first call, and ``values`` as they are (objects the real module
    holds too). Nothing is spared if either module is loaded already."""
    if target in sys.modules or spared in sys.modules:
        return importlib.import_module(target)
    stand_in = types.ModuleType(spared, f"stands in for {spared} until it is called")
    for name in functions:
        setattr(stand_in, name, _deferred(spared, name, stand_in))
    for name, value in (values or {}).items():
        setattr(stand_in, name, value)
    sys.modules[spared] = stand_in
    try:
        return importlib.import_module(target)
    except Exception:  # it wants more of ``spared`` (an ImportError, or an AttributeError
        # from a newer version of it): with the real one (any other failure is raised again)
        if sys.modules.get(spared) is stand_in:
            del sys.modules[spared]
        return importlib.import_module(target)
    finally:
        if sys.modules.get(spared) is stand_in:
            del sys.modules[spared]


def load_feedparser() -> types.ModuleType:
    """feedparser, without chardet until a document needs it (every module of ours that
    imports feedparser calls this first, so whichever comes first spares chardet)."""
    return import_sparing("feedparser", "chardet", ("detect",))


"""The app's first frame's parsed CSS, kept between runs as Python keeps compiled modules.

Textual parses its stylesheets every time the app starts, in Python: ``app.tcss`` and the
default CSS of each kind of widget the first frame shows (~85 M instructions, 7 % of exec ->
first frame on the benchmarks' cache). From the app's launch until its first frame (``start``,
``stop``), what Textual's parser returns for a source (its ``RuleSet`` list) is kept in a file,
and a source met again is read from there (~12 M for all of them) instead of parsed.

What keeps this exact:
- A source's entry is found by everything the parse reads: the CSS text, where it was read
  from, whether it is a widget's default CSS, its tie breaker and scope, and the theme's
  variables; the file is named after Textual's version and the interpreter.
- A result is kept only if the rules read back from what is written are the same objects: the
  same types all the way down, with the same values and attributes (``_same``).
- An unreadable, damaged or foreign file is parsed again; only the first frame's sources are
  kept (what the app parses afterwards is parsed as before), at most ``MAX_ENTRIES``.
- The file sits beside ``start_cache``'s, in the user's cache folder, and is trusted as that
  one is (and as Python trusts its ``__pycache__``): whoever can write there can change what
  runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from enum import Enum
from types import BuiltinMethodType
from typing import Any

MAX_ENTRIES = 200
"""Sources kept (the first frame parses ~20); a file grown past it keeps what its run used."""

_state: dict[str, Any] = {}


def cache_file() -> str | None:
    """This Textual's and interpreter's file in the user's cache folder; None without one (or
    with a Textual installed without its dist-info, whose version is then not known)."""
    import textual

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    package = textual.__path__[0]
    try:  # the version from the folder's name: importlib.metadata reads every distribution's
        infos = [name for name in os.listdir(os.path.dirname(package))
                 if name.startswith("textual-") and name.endswith(".dist-info")]
        model = os.stat(os.path.join(package, "css", "model.py"))
    except OSError:
        return None
    if len(infos) != 1:
        return None
    tag = (f"{sys.implementation.cache_tag}-{sys.hexversion:x}-{infos[0][:-len('.dist-info')]}"
           f"-{model.st_size}-{model.st_mtime_ns}")
    return os.path.join(base, "reader-tui", f"css-{tag}.pickle")


def start() -> None:
    """Read parsed CSS from the file, and keep what is parsed, until ``stop`` (once)."""
    if _state:
        return
    from textual.css.stylesheet import Stylesheet

    path = cache_file()
    if path is None:
        return
    original = Stylesheet._parse_rules
    kept = _read(path)
    used: set[str] = set()
    new: dict[str, bytes] = {}

    def _parse_rules(self: Any, css: str, read_from: Any, is_default_rules: bool = False,
                     tie_breaker: int = 0, scope: str = "") -> Any:
        cache_key = (css, read_from, is_default_rules, tie_breaker, scope)
        if cache_key in self._parse_cache:  # Textual's own, for this stylesheet
            return original(self, css, read_from, is_default_rules, tie_breaker, scope)
        key = _key(css, read_from, is_default_rules, tie_breaker, scope, self._variables)
        data = kept.get(key)
        if data is not None:
            try:
                rules = pickle.loads(data)
            except Exception:  # damaged: parsed again
                rules = None
            if isinstance(rules, list):
                used.add(key)
                self._parse_cache[cache_key] = rules
                return rules
        rules = original(self, css, read_from, is_default_rules, tie_breaker, scope)
        data = _kept(rules)
        if data is not None:
            new[key] = data
            used.add(key)
        return rules

    _state.update(path=path, original=original, kept=kept, used=used, new=new)
    Stylesheet._parse_rules = _parse_rules  # type: ignore[method-assign]


def stop() -> None:
    """Textual's own parsing again; what was parsed for the first time is written."""
    if not _state:
        return
    from textual.css.stylesheet import Stylesheet

    Stylesheet._parse_rules = _state["original"]  # type: ignore[method-assign]
    path: str = _state["path"]
    kept: dict[str, bytes] = _state["kept"]
    used: set[str] = _state["used"]
    new: dict[str, bytes] = _state["new"]
    _state.clear()
    _state["stopped"] = True
    if not new:
        return
    kept = {**kept, **new}
    if len(kept) > MAX_ENTRIES:
        kept = {key: kept[key] for key in used if key in kept}
    temporary = f"{path}.{os.getpid()}"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as file:
            pickle.dump(kept, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except (OSError, pickle.PickleError):
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _key(css: str, read_from: Any, is_default_rules: bool, tie_breaker: int, scope: str,
         variables: dict[str, str]) -> str:
    text = repr((css, read_from, is_default_rules, tie_breaker, scope,
                 sorted(variables.items())))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _kept(rules: Any) -> bytes | None:
    """``rules`` as written, if what is read back from it is the same (``_same``) and each
    style's look-ups are bound to its own rules."""
    try:
        data = pickle.dumps(rules, protocol=pickle.HIGHEST_PROTOCOL)
        again = pickle.loads(data)
        same = _same(rules, again, set()) and all(
            rule.styles.get_rule.__self__ is rule.styles._rules for rule in again)
    except Exception:  # something in them that does not pickle, or is not as expected
        return None
    return data if same else None


def _same(a: Any, b: Any, seen: set[tuple[int, int]]) -> bool:
    """Whether ``b`` is a copy of ``a``: the same types all the way down, and the same values
    and attributes (``RuleSet`` equality would not do: a layout compares by identity)."""
    if type(a) is not type(b):
        return False
    if a is None or isinstance(a, (str, bytes, int, float, Enum)):
        return bool(a == b)
    if (id(a), id(b)) in seen:
        return True
    seen.add((id(a), id(b)))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y, seen) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[key], b[key], seen) for key in a)
    if isinstance(a, (set, frozenset)):
        return bool(a == b)
    if isinstance(a, BuiltinMethodType):  # a dict's bound get or __contains__
        return a.__name__ == b.__name__ and _same(a.__self__, b.__self__, seen)
    slots = [name for cls in type(a).__mro__ for name in getattr(cls, "__slots__", ())]
    if not hasattr(a, "__dict__") and not slots:
        return bool(a == b)
    return (_same(getattr(a, "__dict__", {}), getattr(b, "__dict__", {}), seen)
            and all(_same(getattr(a, name, None), getattr(b, name, None), seen)
                    for name in slots if name not in ("__dict__", "__weakref__")))


def _read(path: str) -> dict[str, bytes]:
    try:
        with open(path, "rb") as file:
            kept = pickle.loads(file.read())
    except Exception:  # missing, unreadable or damaged: everything is parsed
        return {}
    if not isinstance(kept, dict):
        return {}
    return {key: data for key, data in kept.items()
            if isinstance(key, str) and isinstance(data, bytes)}

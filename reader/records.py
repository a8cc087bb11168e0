"""``@record``: ``@dataclass(frozen=True, slots=True)``, the same class, cheaper to define.

dataclasses writes each method of a class as source text and compiles it when the class is
defined: six compiles for a frozen class, ~4 M instructions for one of five fields, more with
more fields. The ~55 such classes ``reader refresh`` defines before its first fetch cost about a
sixth of its start, ~200 M instructions; a third of that is gone (1,279 -> 1,209 M from exec to
the first fetch). ``record`` has dataclasses write only the methods that must be compiled:
``__init__`` (the one whose speed matters: a parse worker builds a ``StoryDraft`` for every
entry) and the frozen ``__setattr__`` and ``__delattr__``. ``__repr__``, ``__eq__`` and
``__hash__`` are closures over the class's fields instead, with the results dataclasses' give
(the same fields, in the same order, honouring ``field(repr=False)``, ``compare=False`` and
``hash=``; ``...`` for a repr that recurses), and, as with dataclasses, never in place of one
the class defines itself.
Everything else (``fields``, ``replace``, pickling, ``__match_args__``) is dataclasses' own.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from dataclasses import Field, dataclass, field, fields
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")
_MISSING = object()


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The named attributes of an object, always as a tuple (as dataclasses compares them)."""
    if not names:
        return lambda _obj: ()
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    many: Callable[[Any], tuple[Any, ...]] = attrgetter(*names)
    return many


def _name(cls: type, name: str, method: Callable[..., Any]) -> None:
    """Name a method as dataclasses names its own."""
    method.__name__ = name
    method.__qualname__ = f"{cls.__qualname__}.{name}"


def _add(cls: type, name: str, method: Callable[..., Any]) -> None:
    """Set a method the class does not define itself (dataclasses never replaces one)."""
    if name not in cls.__dict__:
        _name(cls, name, method)
        setattr(cls, name, method)


@dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
def record(cls: type[T]) -> type[T]:
    """``cls`` as ``@dataclass(frozen=True, slots=True)`` makes it (see the module)."""
    # dataclasses' rule: a __hash__ the class sets is kept, unless it is the None that
    # defining __eq__ leaves.
    own_hash = cls.__dict__.get("__hash__", _MISSING)
    explicit_hash = not (own_hash is _MISSING or (own_hash is None and "__eq__" in cls.__dict__))
    made: Any = dataclass(frozen=True, slots=True, repr=False, eq=False)(cls)
    every = fields(made)
    shown = [(f.name, attrgetter(f.name)) for f in every if f.repr]
    compared = _values([f.name for f in every if f.compare])
    hashed = _values([f.name for f in every if (f.compare if f.hash is None else f.hash)])

    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={get(self)!r}" for name, get in shown)
        return f"{self.__class__.__qualname__}({inner})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    _add(made, "__repr__", __repr__)
    _add(made, "__eq__", __eq__)
    if not explicit_hash:
        _name(made, "__hash__", __hash__)
        made.__hash__ = __hash__
    result: type[T] = made
    return result

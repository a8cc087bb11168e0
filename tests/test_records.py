"""``reader.records.record`` makes the class ``@dataclass(frozen=True, slots=True)`` makes: the same
repr, equality, hash, fields, replace, pickling and frozenness, checked side by side."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field
from typing import Any

import pytest

from reader.records import record


def _pair(body: dict[str, Any], annotations: dict[str, str]) -> tuple[type, type]:
    """The same class body made by dataclasses and by ``record``."""
    made: list[type] = []
    for decorate in (dataclass(frozen=True, slots=True), record):
        namespace = {"__annotations__": dict(annotations), "__module__": __name__,
                     "__qualname__": "Sample", **body}
        made.append(decorate(type("Sample", (), namespace)))
    return made[0], made[1]


SHAPES: list[tuple[dict[str, Any], dict[str, str]]] = [
    ({}, {}),
    ({}, {"a": "int"}),
    ({"b": None, "c": ()}, {"a": "int", "b": "str | None", "c": "tuple[str, ...]"}),
    ({"b": field(default=0, repr=False), "c": field(default=1, compare=False)},
     {"a": "int", "b": "int", "c": "int"}),
    ({"b": field(default=0, hash=False), "c": field(default=1, compare=False, hash=True)},
     {"a": "int", "b": "int", "c": "int"}),
    ({"b": field(default_factory=list)}, {"a": "int", "b": "list[int]"}),
]


@pytest.mark.parametrize(("body", "annotations"), SHAPES)
def test_record_behaves_as_the_frozen_dataclass(body: dict[str, Any],
                                                annotations: dict[str, str]) -> None:
    plain, cheap = _pair(body, annotations)
    values: list[dict[str, object]] = [
        {name: f"{name}{i}" if name == "a" else i for i, name in enumerate(annotations)},
        {name: i * 2 for i, name in enumerate(annotations)}]
    for kwargs in values:
        one, other = plain(**kwargs), cheap(**kwargs)
        assert repr(one) == repr(other)
        assert (one == plain(**kwargs)) == (other == cheap(**kwargs))
        if dataclasses.fields(one):
            assert hash(one) == hash(other)
        assert one != other and other != one  # different classes are never equal
        assert dataclasses.astuple(one) == dataclasses.astuple(other)
        assert [f.name for f in dataclasses.fields(one)] == \
            [f.name for f in dataclasses.fields(other)]
        assert one.__match_args__ == other.__match_args__  # type: ignore[attr-defined]
        assert plain.__slots__ == cheap.__slots__  # type: ignore[attr-defined]
        for name in annotations:
            with pytest.raises(dataclasses.FrozenInstanceError):
                setattr(other, name, 1)
            with pytest.raises(dataclasses.FrozenInstanceError):
                delattr(other, name)
            changed = dataclasses.replace(other, **{name: 99})
            assert repr(changed) == repr(dataclasses.replace(one, **{name: 99}))
    if len(annotations) > 1:
        first, second = values
        assert (plain(**first) == plain(**second)) == (cheap(**first) == cheap(**second))
    assert cheap.__repr__.__qualname__ == "Sample.__repr__"
    assert cheap.__eq__.__qualname__ == plain.__eq__.__qualname__


def test_record_keeps_the_methods_a_class_defines() -> None:
    @record
    class Own:
        a: int

        def __repr__(self) -> str:
            return "own"

        def __eq__(self, other: object) -> bool:
            return True

    assert repr(Own(1)) == "own" and Own(1) == Own(2)
    assert hash(Own(1)) == hash((1,))  # as dataclasses: __eq__ alone does not keep __hash__

    @record
    class OwnHash:
        a: int

        def __hash__(self) -> int:
            return 7

    assert hash(OwnHash(1)) == 7


def test_a_recursive_repr_ends_as_dataclasses_ends_it() -> None:
    plain, cheap = _pair({}, {"items": "list[Any]"})
    one, other = plain([]), cheap([])
    one.items.append(one)
    other.items.append(other)
    assert repr(one) == repr(other) == "Sample(items=[...])"


@record
class Kept:
    """A record at module level, so that pickle finds its class."""

    a: int
    b: tuple[str, ...] = ()


def test_a_record_pickles_as_a_frozen_dataclass_does() -> None:
    kept = Kept(1, ("x",))
    restored = pickle.loads(pickle.dumps(kept))
    assert restored == kept and repr(restored) == "Kept(a=1, b=('x',))"
    assert hash(restored) == hash((1, ("x",)))

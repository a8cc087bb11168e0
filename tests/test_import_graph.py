"""The package's import graph, read from its own source: no cycles, no private names across modules.

Every ``import``/``from … import`` of a ``reader`` module anywhere in a file counts, also one
inside a function or under ``TYPE_CHECKING``: a cycle hidden by a function-local import is
still a cycle in the design (the reader of the code has to hold both modules in mind at once).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import reader

PACKAGE = Path(reader.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path) -> Iterator[tuple[str, str | None]]:
    """(module imported, name taken from it or None) for every import of a reader module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            for alias in node.names:
                yield base, alias.name


def graph() -> dict[str, set[str]]:
    """Module → the reader modules it imports. ``from pkg import sub`` names the submodule."""
    known = modules()
    edges: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for target, item in imports_of(name, path):
            if item is not None and f"{target}.{item}" in known:
                target = f"{target}.{item}"
            if target in known and target != name:
                edges[name].add(target)
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)) is not None:
            return found
    return None


def test_the_graph_is_read_from_the_source() -> None:
    edges = graph()
    assert "reader.store.facade" in edges["reader.store"]
    assert "reader.store.connection" in edges["reader.store.views"]


def test_find_cycle_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_package_has_no_import_cycle() -> None:
    edges = graph()
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_no_module_imports_another_modules_private_names() -> None:
    known = modules()
    offenders = [
        f"{name} imports {target}.{item}"
        for name, path in known.items()
        for target, item in imports_of(name, path)
        if item is not None and item.startswith("_") and not item.startswith("__")
        and target.startswith("reader")
    ]
    assert offenders == []

"""``reader.start_cache``: what start-up compiles, kept between runs, gives the same objects.

Each case runs in a fresh interpreter (the cache is started once a process, from the entry
point), twice: the first run compiles and writes, the second takes what was kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Patterns of every shape the compiler distinguishes: flags given and inline, named groups,
# bytes, large classes of characters, look-behinds, verbose text, case-folding.
PATTERNS = r'''
import re
PATTERNS = [
    ("(?P<year>\\d{4})-(?P<month>\\d\\d)(?:-(?P<day>\\d\\d))?", 0),
    ("[\u0080-\u009f\u00a0-\u00ff\u0100-\u017f\u2018-\u201f]+", 0),
    ("(?<![a-z])caf\u00e9(?=\\s|$)", re.IGNORECASE),
    ("""
        ^ (\\d+)   # a number
        \\s* (?P<unit>[a-z]+) $
    """, re.VERBOSE | re.MULTILINE),
    ("(?i)stra\u00dfe|(?s:a.b)|(?a:\\w+)", 0),
    ("\\bword\\b|[^\\W\\d_]+", re.ASCII),
    ("<(?P<tag>\\w+)>.*?</(?P=tag)>", re.DOTALL),
    ("a{2,5}?b*+c++(?>d|e)", 0),
]
BYTES = [(b"\\x1b\\[[0-9;]*m|[\\x00-\\x08]", 0), (b"(?P<key>[a-z]+)=(?P<value>[^&]*)", re.I)]
'''

SCRIPT = PATTERNS + r'''
import dataclasses, json, sys, warnings
from reader import start_cache
start_cache.start()
from re import _compiler
hooked = _compiler.compile is not start_cache._state.get("original", _compiler.compile)
compiled = [re.compile(p, f) for p, f in PATTERNS + BYTES]

@dataclasses.dataclass(frozen=True, slots=True, order=True)
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = ()

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    re.compile("[[a]b]")  # "Possible nested set": a FutureWarning, every time it is compiled
start_cache.stop()
restored = _compiler.compile is start_cache._state.get("original", _compiler.compile)
re.purge()
fresh = [_compiler.compile(p, int(f)) for p, f in PATTERNS + BYTES]
same = [a == b and a.groupindex == b.groupindex and a.groups == b.groups and a.flags == b.flags
        for a, b in zip(compiled, fresh)]
point = Point(1, 2, ("a",))
print(json.dumps({
    "hooked": hooked, "same": same, "warned": [str(w.category.__name__) for w in caught],
    "exec_gone": not hasattr(dataclasses, "exec"),
    "point": [repr(point), point < Point(1, 3), hash(point) == hash(Point(1, 2, ("a",))),
              dataclasses.replace(point, y=5).y],
    "init": Point.__init__.__code__.co_filename,
}))
'''


def _run(cache: Path, script: str = SCRIPT) -> dict[str, object]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("PYTHONWARNINGS", None)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, check=True, timeout=60)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def _cache_files(cache: Path) -> list[Path]:
    return sorted((cache / "reader-tui").glob("start-*.marshal"))


def test_kept_patterns_and_functions_are_the_ones_python_compiles(tmp_path: Path) -> None:
    first = _run(tmp_path)
    (kept,) = _cache_files(tmp_path)
    size = kept.stat().st_size
    second = _run(tmp_path)
    for result in (first, second):
        assert result["hooked"] is True
        assert result["same"] == [True] * 10
        assert result["warned"] == ["FutureWarning"]  # warned again: such a pattern is not kept
        assert result["exec_gone"] is True
        assert result["point"] == ["Point(x=1, y=2, tags=('a',))", True, True, 5]
        assert result["init"] == "<string>"
    assert first == second
    assert kept.stat().st_size == size  # nothing new the second time: not written again


def test_a_damaged_or_foreign_file_is_compiled_again(tmp_path: Path) -> None:
    _run(tmp_path)
    (kept,) = _cache_files(tmp_path)
    for damage in (b"", b"\x00garbage", kept.read_bytes()[:100]):
        kept.write_bytes(damage)
        assert _run(tmp_path)["same"] == [True] * 10
        assert kept.stat().st_size > 1000  # written again, whole
    import marshal

    # A program the engine refuses (a damaged entry) is compiled again.
    table = marshal.loads(kept.read_bytes())
    for key, entry in table["re"].items():
        table["re"][key] = (entry[0], [99999, 1, 2], *entry[2:])
    table["code"] = {source: "not code" for source in table["code"]}
    kept.write_bytes(marshal.dumps(table))
    result = _run(tmp_path)
    assert result["same"] == [True] * 10
    assert result["point"] == ["Point(x=1, y=2, tags=('a',))", True, True, 5]


def test_a_forked_child_compiles_with_pythons_own_compiler(tmp_path: Path) -> None:
    script = r'''
import json, os, re
from reader import start_cache
start_cache.start()
from re import _compiler
read, write = os.pipe()
pid = os.fork()
if pid == 0:
    import dataclasses
    ok = _compiler.compile.__module__ == "re._compiler" and not hasattr(dataclasses, "exec")
    os.write(write, b"1" if ok else b"0")
    os._exit(0)
os.waitpid(pid, 0)
child = os.read(read, 1) == b"1"
parent = _compiler.compile.__module__ != "re._compiler"
start_cache.stop()
print(json.dumps({"child": child, "parent": parent}))
'''
    assert _run(tmp_path, script) == {"child": True, "parent": True}


def test_a_zygote_keeps_the_cache_and_both_writers_keep_what_they_compiled(
    tmp_path: Path,
) -> None:
    """The parse workers' zygote (``fork_keeping``) compiles from the cache and writes what it
    compiled; the refresh writes after it, and the file keeps both processes' patterns."""
    script = r'''
import json, marshal, os, re, sys
from reader import start_cache
start_cache.start()
from re import _compiler
read, write = os.pipe()
pid = start_cache.fork_keeping()
if pid == 0:
    kept = _compiler.compile.__module__ != "re._compiler"
    re.compile("zygote-only-[a-q]+")
    start_cache.stop()
    os.write(write, b"1" if kept else b"0")
    os._exit(0)
os.waitpid(pid, 0)
child = os.read(read, 1) == b"1"
re.compile("parent-only-[r-z]+")
start_cache.stop()
table = marshal.loads(open(start_cache.cache_file(), "rb").read())
print(json.dumps({"child": child, "patterns": sorted(
    key[0] for key in table["re"] if str(key[0]).endswith(("[a-q]+", "[r-z]+")))}))
'''
    assert _run(tmp_path, script) == {
        "child": True, "patterns": ["parent-only-[r-z]+", "zygote-only-[a-q]+"]}


def test_not_started_in_a_process_multiprocessing_started(tmp_path: Path) -> None:
    script = r'''
import json, multiprocessing
from reader import start_cache
start_cache.start()
print(json.dumps({"started": bool(start_cache._state)}))
'''
    assert _run(tmp_path, script) == {"started": False}
    assert _cache_files(tmp_path) == []


@pytest.mark.parametrize("command", [["feeds"], ["list", "--json"]])
def test_a_command_writes_the_cache_and_runs_the_same_from_it(
    tmp_path: Path, command: list[str],
) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "READER_HOME": str(tmp_path / "home")}
    runs = [subprocess.run([sys.executable, "-m", "reader", *command], capture_output=True,
                           text=True, env=env, timeout=120) for _ in range(2)]
    assert _cache_files(tmp_path / "cache")
    assert [run.returncode for run in runs] == [0, 0]
    assert runs[0].stdout == runs[1].stdout
    assert runs[0].stderr == runs[1].stderr == ""


def test_the_app_ends_its_start_with_its_first_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's start (Textual's imports) is kept too: the cache stops once the first frame
    is on screen, with the collector's pause."""
    from reader import collector, start_cache
    from reader.ui.app import ReaderApp

    calls: list[str] = []
    monkeypatch.setattr(collector, "resume", lambda: calls.append("resume"))
    monkeypatch.setattr(start_cache, "stop", lambda: calls.append("stop"))
    ReaderApp._started()
    assert calls == ["resume", "stop"]


def test_a_file_past_its_bound_keeps_what_the_run_used(tmp_path: Path) -> None:
    import marshal

    from reader import start_cache

    _run(tmp_path)
    (kept,) = _cache_files(tmp_path)
    table = marshal.loads(kept.read_bytes())
    some_entry = next(iter(table["re"].values()))
    stale = {(f"stale{n}", 0): some_entry for n in range(start_cache.MAX_ENTRIES + 100)}
    stale_code = {f"x = {n}": compile(f"x = {n}", "<string>", "exec")
                  for n in range(start_cache.MAX_ENTRIES + 100)}
    kept.write_bytes(marshal.dumps({"re": stale, "code": stale_code}))
    assert _run(tmp_path)["same"] == [True] * 10
    table = marshal.loads(kept.read_bytes())
    assert 10 <= len(table["re"]) < 100
    assert not any(isinstance(key[0], str) and key[0].startswith("stale") for key in table["re"])
    assert 0 < len(table["code"]) < 100


def test_each_optimisation_level_has_its_own_file(tmp_path: Path) -> None:
    names = []
    for flags in ([], ["-O"], ["-OO"]):
        done = subprocess.run(
            [sys.executable, *flags, "-c",
             "from reader import start_cache; print(start_cache.cache_file())"],
            capture_output=True, text=True, check=True, timeout=60,
            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)})
        names.append(Path(done.stdout.strip()).name)
    assert len(set(names)) == 3
    assert "-O" not in names[0]

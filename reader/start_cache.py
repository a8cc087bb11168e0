"""What a command's start-up compiles, kept between runs, as Python keeps compiled modules.

Two kinds of compiling happen while a command's modules are imported, in Python code and
every time, because Python keeps neither result beyond the process:

- **regular expressions**: Python parses and compiles each one in Python (``re._parser``,
  ``re._compiler``) before its engine takes the program. ``reader refresh`` compiles ~280 before
  its first request: ours, and those ftfy (large classes of characters, the slowest),
  feedparser, httpx and the standard library build as they are imported;
- **dataclasses' methods**: dataclasses writes ``__init__`` and the like of each class as
  source text and compiles it (``exec``); ~190 functions before the first request.

From the command line's entry point (``start``, before its imports) until the command's own
work begins (``stop``; a refresh's start-up ends with its first request, which loads what
httpcore waits on the loop with, the app's with its first frame), each regular expression's
program and each of dataclasses' compiled functions is kept, and those the last run kept are
used instead of compiling again (the first run compiles each twice, to check what it keeps).
The file holds what every command met (~0.5-1 MB: each command reads it all, ~11 M
instructions for 430 KB). ``reader refresh`` from exec to its
first request (callgrind, .pyc present, the benchmarks' config): 1,221 -> 825 M instructions
(-32 %; reading the file, ~430 KB, is ~11 M of that); ``reader feeds``, the whole run, 391 ->
262 M (-33 %); the app's imports (the command line, ``reader.ui.launch`` and ``reader.ui.app``,
Textual's among them) 1,125 -> 817 M (-27 %).

What keeps this exact:
- A pattern met again is given to the regular expression engine (``_sre.compile``) with the
  program Python's compiler made for it: the same ``Pattern`` (patterns compare equal only when
  their programs do). One is kept only if the program rebuilt from its parts gives a pattern
  equal to the one Python's compiler returned, and only if parsing it gave no warning (met
  again, it would not warn again). A function is compiled from the same text, with the same
  name and flags, as ``exec`` compiles it: the same code object.
- The file is named after the exact interpreter (version, cache tag, the engine's magic number
  and code size, and -O's level): another Python never reads it. An unreadable, foreign or
  damaged file, or a program the engine refuses, is simply compiled again.
- Only start-up's work is kept (nothing compiled during the command's work, say from what the
  user typed), at most ``MAX_ENTRIES`` of each kind; a forked child (the parse workers)
  compiles with Python's own compiler from the fork on, except the parse workers' zygote
  (``fork_keeping``), which keeps the cache for its own imports.
- The file sits in the user's cache folder (``$XDG_CACHE_HOME/reader-tui`` or
  ``~/.cache/reader-tui``, whatever the home folder: it holds no data) and is trusted as
  Python trusts its own ``__pycache__``: whoever can write there can change what runs.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

MAX_ENTRIES = 2000
"""Of each kind: more than every command's start compiles (~400 and ~500), a bound rather than
a target. A file that grows past it (new versions, changed filters) keeps only what the run
that writes it used."""

_Entry = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]

_state: dict[str, Any] = {}


def cache_file() -> str | None:
    """The file for this interpreter, in the user's cache folder (not the home folder's, which
    the command line names after these imports); None without one."""
    import re  # noqa: F401 (its engine, _sre, comes with it)

    _sre: Any = sys.modules["_sre"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    # -O changes what compile() makes (asserts, and docstrings with -OO): its own file.
    tag = (f"{sys.implementation.cache_tag}-{sys.hexversion:x}-{_sre.MAGIC}-{_sre.CODESIZE}"
           + (f"-O{sys.flags.optimize}" if sys.flags.optimize else ""))
    return os.path.join(base, "reader-tui", f"start-{tag}.marshal")


def _read(path: str) -> tuple[dict[Any, _Entry], dict[str, Any]]:
    """The patterns' programs and the functions' code the file holds (empty if it holds none)."""
    import marshal

    try:
        with open(path, "rb") as file:
            # loads of the bytes: load(file) reads each object by a call of the file's
            # readinto, 16 times the instructions for this file (~180 M against ~11 M).
            kept = marshal.loads(file.read())
    except (OSError, EOFError, ValueError, TypeError):
        return {}, {}
    if not isinstance(kept, dict):
        return {}, {}
    patterns, functions = kept.get("re"), kept.get("code")
    return (patterns if isinstance(patterns, dict) else {},
            functions if isinstance(functions, dict) else {})


def start() -> None:
    """Keep, and use what was kept of, start-up's compiling until ``stop`` (once a process).

    Not in a process that ``multiprocessing`` started (a spawned parse worker imports the
    entry point again): there nothing would stop it."""
    if _state or sys.implementation.name != "cpython" or "multiprocessing" in sys.modules:
        return
    import dataclasses
    import re  # noqa: F401 (its compiler's modules come with it)

    _sre: Any = sys.modules.get("_sre")
    _compiler: Any = sys.modules.get("re._compiler")
    _parser: Any = sys.modules.get("re._parser")
    if _sre is None or _compiler is None or _parser is None:
        return
    path = cache_file()
    if path is None or hasattr(dataclasses, "exec"):
        return
    patterns, functions = _read(path)
    new: dict[str, int] = {"re": 0, "code": 0}
    used: dict[str, set[Any]] = {"re": set(), "code": set()}
    original = _compiler.compile
    debug = _compiler.SRE_FLAG_DEBUG
    code_type = type(start.__code__)

    def program(pattern: Any, flags: int) -> _Entry | None:
        """What ``re._compiler.compile`` hands the engine for ``pattern``."""
        import warnings

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                parsed = _parser.parse(pattern, flags)
            code = [int(op) for op in _compiler._code(parsed, flags)]  # (int subclasses)
            groupindex = dict(parsed.state.groupdict)
            indexgroup: list[str | None] = [None] * parsed.state.groups
            for name, index in groupindex.items():
                indexgroup[index] = name
            return (int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex,
                    tuple(indexgroup))
        except Exception:  # a warning, or a compiler unlike the one this expects
            return None

    def rebuilds(pattern: Any, made: _Entry, compiled: Any) -> bool:
        """Whether the engine, given ``made``, returns the pattern Python compiled (an
        engine that takes its program otherwise refuses it: then nothing is kept)."""
        try:
            return bool(_sre.compile(pattern, *made) == compiled)
        except (RuntimeError, TypeError, ValueError):
            return False

    def compile_pattern(pattern: Any, flags: int = 0) -> Any:
        kind = type(pattern)
        if (kind is not str and kind is not bytes) or flags & debug:
            return original(pattern, flags)
        key = (pattern, int(flags))
        entry = patterns.get(key)
        if entry is not None:
            try:
                compiled = _sre.compile(pattern, *entry)
                used["re"].add(key)
                return compiled
            except (RuntimeError, TypeError, ValueError):  # refused: compile it again
                del patterns[key]
        compiled = original(pattern, flags)
        if new["re"] < MAX_ENTRIES:
            made = program(pattern, flags)
            if made is not None and rebuilds(pattern, made, compiled):
                patterns[key] = made
                new["re"] += 1
                used["re"].add(key)
        return compiled

    def exec_function(source: Any, globals: Any = None, locals: Any = None) -> None:
        if type(source) is str:
            code = functions.get(source)
            if type(code) is not code_type:
                # As exec compiles text: "<string>", and none of this module's __future__.
                code = compile(source, "<string>", "exec", dont_inherit=True)
                if new["code"] < MAX_ENTRIES:
                    functions[source] = code
                    new["code"] += 1
            used["code"].add(source)
            source = code
        exec(source, globals, locals)

    _compiler.compile = compile_pattern
    # dataclasses calls exec by its name: its module's own name comes before the builtin.
    dataclasses.exec = exec_function  # type: ignore[attr-defined]
    _state.update(path=path, original=original, patterns=patterns, functions=functions,
                  new=new, used=used)
    os.register_at_fork(after_in_child=_forget)


def _restore() -> bool:
    """Python's own compilers again; whether they had been replaced."""
    if "original" not in _state:
        return False
    import dataclasses

    _compiler: Any = sys.modules["re._compiler"]
    _compiler.compile = _state.pop("original")
    del dataclasses.exec  # type: ignore[attr-defined]
    return True


def _forget() -> None:
    """In a forked child: Python's own compilers, and nothing to write; but a child forked
    through ``fork_keeping`` keeps the cache as it is (its ``stop`` writes what it added)."""
    if not _state.pop("keep_in_child", False):
        _restore()


def fork_keeping() -> int:
    """``os.fork()``, the child keeping what this process has of the cache: the parse workers'
    zygote (``reader.refresh.zygote``), forked at the very start of ``reader refresh``, takes
    the parse stack's regular expressions (ftfy's, feedparser's) from it as it imports what
    the refresh no longer imports itself, and writes those it had to compile. Two processes
    then may write the file: each writes what it found there as it writes, and what it read
    and added."""
    _state["keep_in_child"] = True
    try:
        return os.fork()
    finally:
        _state.pop("keep_in_child", None)


def stop() -> None:
    """Python's own compilers again; what start-up compiled for the first time is written."""
    if not _restore():
        return
    patterns, functions = _state.pop("patterns"), _state.pop("functions")  # (their memory)
    used = _state.pop("used")
    if not any(_state["new"].values()):
        return
    path: str = _state["path"]
    # And what another process wrote since this one read the file: on a first run a refresh
    # and its parse workers' zygote (``fork_keeping``) both write, each what it compiled.
    written_patterns, written_functions = _read(path)
    patterns = {**written_patterns, **patterns}
    functions = {**written_functions, **functions}
    if len(patterns) > MAX_ENTRIES:
        patterns = {key: patterns[key] for key in used["re"] if key in patterns}
    if len(functions) > MAX_ENTRIES:
        functions = {key: functions[key] for key in used["code"] if key in functions}
    import marshal

    temporary = f"{path}.{os.getpid()}"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as file:
            file.write(marshal.dumps({"re": patterns, "code": functions}))
        os.replace(temporary, path)
    except (OSError, ValueError):  # no cache folder, or nothing to keep: nothing is lost
        with contextlib.suppress(OSError):
            os.unlink(temporary)

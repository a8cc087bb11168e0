"""``reader.ui.css_cache``: the first frame's parsed CSS read back from the file is what
Textual's parser makes, keyed by all it reads, and a damaged file is parsed again.

Each case runs in a child process (the cache starts once a process), with its own cache
folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PARSE = r'''
import json, sys
from pathlib import Path
from textual.app import App
from textual.css.stylesheet import Stylesheet
from textual.widgets import Footer, Header, Input
import reader.ui
from reader.ui import css_cache

variables = App().get_css_variables()
if sys.argv[1] == "other-theme":
    variables = {**variables, "primary": "#123456"}
sources = [(Path(reader.ui.__file__).with_name("app.tcss").read_text(), ("app.tcss", ""), False),
           (Footer.DEFAULT_CSS, ("footer", "Footer.DEFAULT_CSS"), True),
           (Header.DEFAULT_CSS, ("header", "Header.DEFAULT_CSS"), True),
           (Input.DEFAULT_CSS, ("input", "Input.DEFAULT_CSS"), True)]

def parsed():
    sheet = Stylesheet(variables=variables)
    for css, where, default in sources:
        sheet.add_source(css, read_from=where, is_default_css=default)
    sheet.parse()
    return sheet.rules

css_cache.start()
state = dict(css_cache._state)
cached = parsed()
css_cache.stop()
plain = parsed()  # Textual's own parser again
print(json.dumps({"read": len(state["used"]) - len(state["new"]), "new": len(state["new"]),
                  "same": css_cache._same(cached, plain, set()),
                  "rules": len(plain)}))
'''


def run(case: str, cache: Path) -> dict[str, object]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run([sys.executable, "-c", PARSE, case], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict[str, object] = json.loads(done.stdout)
    return found


def test_rules_read_back_are_the_parser_s(tmp_path: Path) -> None:
    first = run("theme", tmp_path)
    assert first["new"] == 4 and first["read"] == 0 and first["same"] is True
    assert int(first["rules"]) > 50  # type: ignore[call-overload]
    again = run("theme", tmp_path)
    assert again == {**first, "new": 0, "read": 4}


def test_other_variables_are_other_entries(tmp_path: Path) -> None:
    run("theme", tmp_path)
    other = run("other-theme", tmp_path)
    assert other["new"] == 4 and other["read"] == 0 and other["same"] is True
    assert run("theme", tmp_path)["read"] == 4  # both kept


def test_a_damaged_file_is_parsed_again_and_written_anew(tmp_path: Path) -> None:
    run("theme", tmp_path)
    (kept,) = (tmp_path / "reader-tui").glob("css-*.pickle")
    for damage in (b"", b"not a pickle", kept.read_bytes()[:100]):
        kept.write_bytes(damage)
        found = run("theme", tmp_path)
        assert found["new"] == 4 and found["same"] is True
        assert run("theme", tmp_path)["read"] == 4


FRAME = r'''
import asyncio, sys, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[2])
from ui_support import make_app, settle
from reader.ui import css_cache
if sys.argv[1] == "cached":
    css_cache.start()
async def main():
    app = make_app(Path(tempfile.mkdtemp()) / "reader")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        print(app.export_screenshot().replace(app.__class__.__name__, "App"))
asyncio.run(main())
'''


def test_the_app_looks_the_same_with_its_css_read_back(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "NO_COLOR": "1"}
    tests = str(Path(__file__).parent)

    def screen(case: str) -> str:
        done = subprocess.run([sys.executable, "-c", FRAME, case, tests], capture_output=True,
                              text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr[-3000:]
        return _without_ids(done.stdout)

    plain = screen("plain")
    assert screen("cached") == plain  # parsed, and written
    assert list((tmp_path / "reader-tui").glob("css-*.pickle"))
    assert screen("cached") == plain  # read back


def _without_ids(svg: str) -> str:
    """The SVG's class names carry a per-run number (``terminal-1234-r5``)."""
    import re

    return re.sub(r"terminal-\d+", "terminal", svg)

"""What the app loads before its first frame, and the cycle collector paused while it starts.

The first frame needs Textual, the main screen and the story list; the reading pane (Textual's
Markdown widget and markdown-it), the other screens and the image libraries are loaded after
it (``reader.ui.deferred``, imported by the main screen once the list has painted), and the
command line's parser (argparse) and the seed article parser not at all on a cache whose seeds
are loaded, nor the widgets ``textual.types`` names (``reader.stand_ins``). These tests run
``reader`` as a user does, in a child process with Textual's headless driver, and look at
``sys.modules`` at the moment that deferred import starts: whatever is loaded by then was part
of the first frame's wait. Speed itself is measured in ``benchmarks/`` (first paint).
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader import collector
from reader.cli.context import Context
from reader.cli.main import app_arguments
from reader.cli.parser import build_parser

WATCH = r"""
import importlib.abc, json, os, sys

AFTER_FIRST_FRAME = ("reader.ui.widgets.reading_pane", "reader.ui.widgets.story_body",
                     "reader.ui.widgets.story_markdown", "reader.ui.widgets.related_stories",
                     "reader.ui.screens.sources", "reader.ui.screens.help",
                     "reader.ui.screens.confirm", "reader.ui.screens.number_prompt",
                     "reader.related", "email.utils",
                     "textual.widgets._markdown", "markdown_it",
                     "textual_image", "PIL", "httpx", "feedparser", "lxml",
                     "argparse", "reader.cli.parser", "reader.seed.format", "reader.identity",
                     "textual.types", "textual.widgets._directory_tree",
                     "textual.widgets._select", "textual.widgets._tree",
                     "textual.widgets._placeholder")


class DeferredImport(importlib.abc.MetaPathFinder):
    # The main screen imports reader.ui.deferred once the story list is on screen.
    def find_spec(self, name, path=None, target=None):
        if name == "reader.ui.deferred":
            loaded = sorted(m for m in list(sys.modules)
                            if any(m == n or m.startswith(n + ".") for n in AFTER_FIRST_FRAME))
            # To the real stdout: Textual redirects sys.stdout while it runs, and hands what is
            # printed on later, after os._exit would have ended the process.
            os.write(1, json.dumps({"loaded": loaded}).encode() + b"\n")
            os._exit(0)
        return None


sys.meta_path.insert(0, DeferredImport())
from reader.cli.main import main
sys.exit(main(["--home", sys.argv[1]]))
"""


@pytest.mark.parametrize("saved_image", [False, True], ids=["no-saved-image", "saved-image"])
def test_the_reading_pane_and_images_load_after_the_first_frame(tmp_path: Path,
                                                               saved_image: bool) -> None:
    """With an image saved in the cache too: the terminal is asked what it draws with as
    the app starts (``reader.ui.picture_support``), textual-image and Pillow load later."""
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "config.toml").write_text("refresh_on_start = false\n")
    context = Context.create(str(home), [])
    context.store()  # the bundled seeds loaded, as by the first run: this run parses none
    context.close()
    if saved_image:
        context.paths.images_dir.mkdir(parents=True, exist_ok=True)
        (context.paths.images_dir / "picture.png").write_bytes(b"\x89PNG")
    env = {**os.environ, "TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver"}
    result = subprocess.run([sys.executable, "-c", WATCH, str(home)], capture_output=True,
                            text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["loaded"] == []


def test_the_collector_pauses_for_the_start_and_resumes_frozen() -> None:
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    try:
        collector.pause()
        assert not gc.isenabled()
        collector.resume()
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen  # start-up's objects left out of later walks
        collector.resume()  # once only: a second call changes nothing
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


def test_resume_without_pause_leaves_the_collector_alone() -> None:
    frozen = gc.get_freeze_count()
    collector.resume()
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


@pytest.mark.parametrize("argv", [[], ["--home", "/tmp/h"], ["--home=/tmp/h"],
                                  ["--seeds", "a", "--home", "h", "--seeds", "b"],
                                  ["--seeds=a=b", "--home="], ["--home", ""],
                                  ["--home", "a", "--home", "b"]])
def test_the_app_s_command_line_is_read_without_the_command_modules(argv: list[str]) -> None:
    args = app_arguments(argv)
    assert args is not None
    full = build_parser().parse_args(argv)
    assert (None, args.home, args.seeds) == (full.command, full.home, full.seeds)


@pytest.mark.parametrize("argv", [["list"], ["--home", "h", "list", "--json"], ["--help"],
                                  ["--version"], ["--ho", "h"], ["--h"], ["--home"],
                                  ["--seeds"], ["--bogus"], ["--", "list"], ["-x"],
                                  ["--home", "-"], ["--home", "--seeds", "a"], ["h"],
                                  ["--home", "h", "list"]])
def test_every_other_command_line_goes_to_the_whole_parser(argv: list[str]) -> None:
    assert app_arguments(argv) is None


TEXTUAL = r'''
import json, sys
from reader.ui.launch import load_textual_app
load_textual_app()
app = sys.modules["textual.app"]
spared = [name for name in ("textual.types", "textual.widgets._directory_tree",
                            "textual.widgets._select", "textual.widgets._tree",
                            "textual.widgets._placeholder") if name in sys.modules]
import textual.command
import textual.types
from textual import _types
print(json.dumps({"loaded": spared, "palette": hasattr(app, "CommandPalette"),
                  "real": "DirEntry" in textual.types.__all__,
                  "same": textual.types.IgnoreReturnCallbackType is _types.IgnoreReturnCallbackType
                          and textual.command.IgnoreReturnCallbackType is
                          _types.IgnoreReturnCallbackType}))
'''


def test_textual_s_app_loads_without_the_widgets_textual_types_names() -> None:
    done = subprocess.run([sys.executable, "-c", TEXTUAL], capture_output=True, text=True,
                          check=True, timeout=120)
    found = json.loads(done.stdout)
    assert found == {"loaded": [], "palette": True, "real": True, "same": True}

"""Import hygiene: nothing outside ``reader.ui`` imports Textual (the CLI must stay light)."""

from __future__ import annotations

import json
import subprocess
import sys

CHECK = r"""
import json, pkgutil, sys
import reader

imported = []
for info in pkgutil.walk_packages(reader.__path__, "reader."):
    if info.name == "reader.ui" or info.name.startswith("reader.ui."):
        continue
    if info.name == "reader.__main__":  # importing it runs the command
        continue
    __import__(info.name)
    imported.append(info.name)
textual = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(json.dumps({"imported": imported, "textual": textual}))
"""


def test_core_modules_do_not_import_textual() -> None:
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                            check=True)
    found = json.loads(result.stdout)
    assert found["textual"] == [], "a module outside reader.ui imported textual"
    assert {"reader.cli.main", "reader.cli.stories", "reader.store.connection",
            "reader.seed.loader", "reader.seed.format", "reader.models",
            "reader.cli.output"} <= set(found["imported"])


APP_START = r"""
import json, sys
import reader.cli.main, reader.ui.launch
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"httpx", "httpcore", "feedparser"}
               | {m for m in sys.modules
                  if m.startswith("reader.refresh.") or m == "reader.feeds.opml"})
print(json.dumps(heavy))
"""


def test_the_app_starts_without_the_fetch_and_parse_layers() -> None:
    """Every ``reader`` run builds the whole command parser, the app's included: the feed
    commands import httpx, feedparser and OPML only when they run (~70 ms of first paint)."""
    result = subprocess.run([sys.executable, "-c", APP_START], capture_output=True, text=True,
                            check=True)
    assert json.loads(result.stdout) == []


APP_REFRESH = r"""
import json, sys
import reader.ui.app
from reader.refresh.child import refresh_in_child  # what the app's R and refresh on start load
heavy = sorted({m.split(".")[0] for m in sys.modules}
               & {"httpx", "httpcore", "feedparser", "lxml", "readability", "PIL"})
print(json.dumps(heavy))
"""


def test_a_refresh_in_the_app_leaves_the_fetch_and_parse_layers_to_its_child() -> None:
    """The app only starts the refresh process: httpx, feedparser and lxml loaded in the app
    cost 14 MB of its memory for nothing (issue 17's 80 MB)."""
    result = subprocess.run([sys.executable, "-c", APP_REFRESH], capture_output=True,
                            text=True, check=True)
    assert json.loads(result.stdout) == []

"""Parsing in worker processes works when ``sys.stderr`` has no file descriptor, as in the app.

Textual replaces ``sys.stderr`` with a capture whose ``fileno()`` is -1; multiprocessing's
resource tracker used to pass that to its child, and every refresh of 8+ feeds started with R
in a real terminal failed ("bad value(s) in fds_to_keep"). Run in a fresh interpreter, since
the tracker starts once per process.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import asyncio, sys

class Capture:
    def write(self, text): return len(text)
    def flush(self): pass
    def fileno(self): return -1

from benchmarks.feedgen import generate_feed
from reader.refresh.parse_workers import ParseWorkers

document = generate_feed(1, 0, 3)
sys.stderr = Capture()
parsers = ParseWorkers(8, 2)
try:
    parsed = asyncio.run(parsers.parse(document, {}, "http://127.0.0.1/feed.xml"))
finally:
    parsers.close()
print(len(parsed.drafts))
"""


def test_worker_processes_start_when_stderr_is_captured() -> None:
    repo = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          cwd=repo, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3"

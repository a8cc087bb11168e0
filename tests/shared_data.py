"""Where the shared test data is, and a clear failure (never a skip) when it is missing.

The corpus tests are part of the suite on every run: a checkout without the shared data must
not pass by skipping them. Each folder is found through its own variable, else through
``READER_SHARED`` (the folder holding all three), else beside the repository in ``../shared/``:

=============  ======================  =========================
name           variable                default
=============  ======================  =========================
``corpus``     ``READER_FEED_CORPUS``  ``../shared/corpus/feedparser``
``realfeeds``  ``READER_REALFEEDS``    ``../shared/realfeeds``
``extraction`` ``READER_EXTRACTION``   ``../shared/extraction``
=============  ======================  =========================

``.ci/run`` checks the same folders before it starts, so CI stops with one line instead of a
page of failures.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FOLDERS = {
    "corpus": ("READER_FEED_CORPUS", "corpus/feedparser"),
    "realfeeds": ("READER_REALFEEDS", "realfeeds"),
    "extraction": ("READER_EXTRACTION", "extraction"),
}


def shared_path(name: str) -> Path:
    """Where ``name``'s data should be (it may be missing: see ``shared_folder``)."""
    variable, below = FOLDERS[name]
    named = os.environ.get(variable)
    if named:
        return Path(named)
    shared = os.environ.get("READER_SHARED")
    return (Path(shared) if shared else REPO.parent / "shared") / below


def shared_folder(name: str) -> Path:
    """The folder of ``name``'s data; fails the calling test, with one line, if it is missing."""
    path = shared_path(name)
    if not path.is_dir() or not any(path.iterdir()):
        variable = FOLDERS[name][0]
        pytest.fail(f"shared test data missing: {path} (set {variable} or READER_SHARED)",
                    pytrace=False)
    return path

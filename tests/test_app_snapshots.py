"""SVG snapshots of the main screens (pytest-textual-snapshot), from the real app on the seeds.

The same steps drive ``python -m reader.ui.screenshots``, so the README's pictures and these
snapshots show the same screens. Update with ``pytest --snapshot-update`` after a visible change.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from ui_support import make_app, settle

from reader.ui.screenshots import SHOTS, Steps


@pytest.mark.parametrize(("name", "size", "steps"), SHOTS, ids=[s[0] for s in SHOTS])
def test_screen_snapshot(snap_compare: Callable[..., bool], isolated_home: Path, name: str,
                         size: tuple[int, int], steps: Steps) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await steps(pilot)

    assert snap_compare(make_app(isolated_home), terminal_size=size, run_before=run_before)

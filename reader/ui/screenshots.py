"""Write SVG screenshots of the main screens, produced by the real app on the bundled seeds.

    python -m reader.ui.screenshots [OUTPUT_DIR]     (default: ./screenshots)

Runs headless in a throwaway READER_HOME, so your own cache is never touched. The README shows
the files this writes; rerun it after changing anything visible.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

from reader.cli.context import Context
from reader.ui.app import ReaderApp, create_app
from reader.ui.pilot import settle

Steps = Callable[[Pilot[None]], Awaitable[None]]


async def _list_and_story(pilot: Pilot[None]) -> None:
    await pilot.press("enter")
    await settle(pilot)


async def _related(pilot: Pilot[None]) -> None:
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    await pilot.press("tab")
    await settle(pilot)


async def _help(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press("question_mark")
    await settle(pilot)


async def _narrow(pilot: Pilot[None]) -> None:
    await pilot.press("enter")
    await settle(pilot)


SHOTS: list[tuple[str, tuple[int, int], Steps]] = [
    ("list-and-story", (140, 40), _list_and_story),
    ("related-navigation", (140, 40), _related),
    ("help", (140, 40), _help),
    ("narrow", (80, 32), _narrow),
]


def _app(home: Path) -> ReaderApp:
    context = Context.create(str(home), [])
    context.store()
    context.close()
    return create_app(context.paths, context.config, url_opener=lambda url: None)


async def take(name: str, size: tuple[int, int], steps: Steps, out: Path) -> Path:
    with tempfile.TemporaryDirectory(prefix="reader-shot-") as home:
        app = _app(Path(home))
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await steps(pilot)
            target = out / f"{name}.svg"
            target.write_text(app.export_screenshot(title=f"reader: {name}"), encoding="utf-8")
    return target


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    for name, size, steps in SHOTS:
        print(asyncio.run(take(name, size, steps, out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

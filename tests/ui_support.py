"""Building real caches and the real app for the Pilot and snapshot tests."""

from __future__ import annotations

from pathlib import Path

from reader.cli.context import Context
from reader.models import StoryDraft
from reader.store import Store
from reader.ui.app import ReaderApp, create_app

CHAIN_TITLES = ["Alpha opens the chain", "Bravo follows alpha", "Charlie follows bravo",
                "Delta ends the chain"]


def write_chain(folder: Path) -> None:
    """Four seed articles, each recommending the next: a path of three related hops."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, title in enumerate(CHAIN_TITLES):
        related = ""
        if i + 1 < len(CHAIN_TITLES):
            related = (f"\n\nOther stories you might like\n\n  • {CHAIN_TITLES[i + 1]}\n"
                       f"    Read on\n\n    A teaser paragraph.\n\n    Continue reading\n")
        (folder / f"{i}.txt").write_text(
            f"{title}\n\nStandfirst {i}\n\nBody of story {title.lower()}.{related}",
            encoding="utf-8",
        )


def prepared_context(home: Path, seed_dirs: list[str] | None = None) -> Context:
    """A cache under ``home`` loaded the way ``reader`` loads it on a first run."""
    context = Context.create(str(home), seed_dirs or [])
    context.store()
    context.close()
    return context


def add_stories(home: Path, drafts: list[StoryDraft], name: str = "Test feed",
                url: str = "http://127.0.0.1/feed.xml") -> None:
    context = Context.create(str(home), [])
    with Store.open(context.paths.database) as store:
        source_id = store.ensure_source("feed", url, name, url=url)
        store.save_stories(source_id, drafts)


def make_app(home: Path, seed_dirs: list[str] | None = None,
             opened: list[str] | None = None) -> ReaderApp:
    context = prepared_context(home, seed_dirs)
    sink = opened if opened is not None else []
    return create_app(context.paths, context.config, url_opener=sink.append)


def screen_text(app: ReaderApp) -> str:
    """What the terminal shows, as plain text (from the real rendered screenshot)."""
    import html
    import re

    svg = app.export_screenshot()
    text = " ".join(re.findall(r">([^<]*)</text>", svg))
    return html.unescape(text).replace("\xa0", " ")

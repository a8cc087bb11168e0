"""Running the app from the command line (kept apart so ``reader list`` never loads Textual).

The story list's first page is read before Textual is even imported: the list thread opens
the cache, counts the stories and reads the rows the first frame shows while the main thread
spends ~130 ms importing Textual and starting the app, so the first frame already has them.
"""

from __future__ import annotations

import shutil
from typing import cast

from reader import collector
from reader.cli.context import Context
from reader.models import SortOrder, View
from reader.stand_ins import import_sparing
from reader.ui import css_cache
from reader.ui.data import UiData
from reader.ui.hangup import watch_for_hangup

CHROME_ROWS = 3
"""Terminal rows that are not the story list: the header, the status line and the footer."""


def run_app(context: Context) -> int:
    collector.pause()  # until the first frame (``ReaderApp.on_ready``)
    context.store()  # first run: loads the bundled seeds before the first paint
    context.close()  # the app opens its own connections
    data = UiData(context.paths.database)
    # The first view in the order remembered for it (``[sort]``: values checked on load).
    first = View(sort=cast(SortOrder, context.config.sort.get("all", "newest")))
    data.read_ahead(first, shutil.get_terminal_size().lines - CHROME_ROWS)
    pictures = prepare_saved_images(context)  # the terminal is asked meanwhile too
    load_textual_app()  # Textual loads meanwhile
    from reader.ui.app import create_app

    css_cache.start()  # the first frame's CSS parsed by an earlier run, if it was

    app = create_app(context.paths, context.config, data=data)
    watch_for_hangup(app)
    if pictures:
        from reader.ui import picture_support

        picture_support.wait()  # before Textual reads the keyboard
    app.run()
    return 0


def load_textual_app() -> None:
    """Textual's app module, without ``textual.types``: its command palette module takes one
    type alias from there, and ``textual.types`` re-exports names of widgets the first frame
    never uses (DirectoryTree, Tree, Select, Placeholder: ~21 M instructions, 1.5 % of exec ->
    first frame). It is imported while ``textual.types`` is a stand-in holding that alias (the
    same object); ``import textual.types`` afterwards gives the real module, and a Textual
    that wants more of it is imported with the real one (``reader.stand_ins``)."""
    from textual import _types

    import_sparing("textual.app", "textual.types",
                   values={"IgnoreReturnCallbackType": _types.IgnoreReturnCallbackType})


def prepare_saved_images(context: Context) -> bool:
    """When the cache holds saved images (and the ``images`` extra is installed), start
    asking the terminal what it can draw pictures with (``reader.ui.picture_support``), on a
    thread while the app loads: it cannot be asked once the app reads the keyboard. True
    when it is being asked. Without saved images this costs nothing at start-up."""
    folder = context.paths.images_dir
    try:
        has_images = folder.is_dir() and any(folder.iterdir())
    except OSError:
        has_images = False
    if not has_images or context.config.full_text.images_per_story <= 0:
        return False
    from reader.ui import picture_support

    if not picture_support.prepare():
        return False
    picture_support.ask()
    return True

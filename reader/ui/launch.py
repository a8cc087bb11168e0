"""Running the app from the command line (kept apart so ``reader list`` never loads Textual)."""

from __future__ import annotations

from reader.cli.context import Context
from reader.ui.app import create_app


def run_app(context: Context) -> int:
    context.store()  # first run: loads the bundled seeds before the first paint
    context.close()  # the app opens its own connections
    create_app(context.paths, context.config).run()
    return 0

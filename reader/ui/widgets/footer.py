"""``AppFooter``: Textual's footer, without its leak of the keys it replaces (Textual 8.2.8).

The footer recomposes its keys whenever the keys in force change: every time focus moves
between the story list and the story. Each key it makes is tied to the footer's ``compact``
setting with ``data_bind``, which leaves a watcher (and with it the key widget) on the footer;
a recompose removes the old keys from the screen but not from that list. Opening and closing
ten stories left 378 key widgets alive for the 10 on screen (after 25, 888: most of the app's
memory growth while reading). Announcing ``compact`` again after a recompose makes Textual drop
the watchers of keys that are gone: 10 alive for 10 shown.
"""

from __future__ import annotations

from textual.widgets import Footer


class AppFooter(Footer):
    """The footer, letting go of the keys each recompose replaces."""

    async def recompose(self) -> None:
        await super().recompose()
        self.mutate_reactive(Footer.compact)

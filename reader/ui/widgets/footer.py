"""``AppFooter``: Textual's footer, without its leak of the keys it replaces (Textual 8.2.8)
and without redrawing keys that did not change.

The footer recomposes its keys whenever the screen says its keys in force may have changed:
at start, and twice for every Enter and Esc (focus moves, then the bindings refresh), often
with the same keys as before. Each recompose makes a widget per key, and each key is tied to
the footer's ``compact`` setting with ``data_bind``, which leaves a watcher (and with it the
key widget) on the footer; a recompose removes the old keys from the screen but not from that
list. Opening and closing ten stories left 378 key widgets alive for the 10 on screen (after
25, 888: most of the app's memory growth while reading). Announcing ``compact`` again after a
recompose makes Textual drop the watchers of keys that are gone: 10 alive for 10 shown. And a
recompose whose keys are the ones shown already is skipped: one fewer before the first frame,
one fewer per story opened.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class AppFooter(Footer):
    """The footer, redrawn only when its keys change, letting go of the keys it replaces."""

    _drawn: tuple[Any, ...] | None = None

    def _keys(self) -> tuple[Any, ...]:
        """Everything ``Footer.compose`` draws from: the keys shown, the palette key, the style."""
        active = self.screen.active_bindings
        shown = tuple((binding.key, self.app.get_key_display(binding), binding.description,
                       binding.action, binding.group, enabled, tooltip)
                      for (_, binding, enabled, tooltip) in active.values() if binding.show)
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        return (shown, palette is not None and palette.enabled, self.compact,
                self.show_command_palette, self.app.ENABLE_COMMAND_PALETTE)

    def compose(self) -> ComposeResult:
        """Textual's keys, those tied to the footer's ``compact`` (``data_bind``: all but the
        palette's key) given its value, and the class it sets, before they are mounted: such
        a key started compact and its tie then set it again, and each change restyled it (two
        restyles a key before the first frame: ~4 % of the instructions to it)."""
        for widget in super().compose():
            if "compact" in (getattr(widget, "_reactive_connect", None) or {}):
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    async def recompose(self) -> None:
        keys = self._keys() if self._bindings_ready else None
        if keys is not None and keys == self._drawn:
            return
        self._drawn = keys
        await super().recompose()
        self.mutate_reactive(Footer.compact)

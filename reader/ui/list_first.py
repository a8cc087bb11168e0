"""Paint the story list's changed rows ahead of the rest of a frame (``paint_first``).

Textual (8.2.8) draws a screen in frames: the frame lays out the whole screen again when any
widget asked for it, then renders every dirty widget, top to bottom and left to right, and
writes it all in one go. A ``j`` in the list changes two rows (a few ms), but the reading pane's
preview of the story the cursor rested on before lays out and renders the new story in several
frames (its Markdown body, the rest of the body piece by piece, the related stories): a key
pressed while one of those is pending waited for the pane's layout and the rendering of its
text before its two rows left. On the loaded 2-core test machine the benchmark's ``j``, sent
120 ms after the list went quiet, met the previous story's preview almost every time: the
frame of a ``j`` then took 40-60 ms of CPU (the list's rows: 2-3 ms) and 80-400 ms of wall time,
the list's "idle" key latency measured 81.5 ms (median; 8.9 ms on a faster VM, where the
preview ends within the 120 ms).

Worse, Textual's Markdown widget mounts a body's blocks inside ``App.batch_update``, which
holds every frame of the app until the mount ends (tens of ms, more under load): a ``j``
waited for that too.

So a frame that has more to do than the list first renders and writes the list's dirty rows
alone, from the layout the screen already has, then does the rest as Textual does; and while
a batch holds the frames, the list's rows are written as soon as the screen hears of them. The
list's place does not change when the pane lays out (the panes split the screen by their
styles, not their content); when a layout does move it, Textual's own pass repaints it in the
same frame anyway. Nothing else is drawn earlier, skipped or reordered: the screen ends the
same, the list's rows only arrive sooner. Measured with the benchmark's ``key_latency_idle`` on
the 100k cache, 8 runs each alternating with the code before, on the machine loaded as it was
(load 5-10 on 2 cores, the app's main thread waiting for a CPU as long as it ran): the list's
``j`` 150.7 ms before, 83.2 ms after (medians of 240 and 210 keys; runs' medians 68-310 ms
before, 14-168 ms after); the pane's ``j``, which this does not touch, 25.5 and 27.2 ms.
"""

from __future__ import annotations

import time
from typing import Any

from textual.screen import Screen
from textual.widget import Widget

HAND_OVER = 0.001
"""Seconds the UI thread sleeps after handing the list's rows to Textual's output thread,
before the layout that follows. The output thread needs the GIL to write them, and the UI
thread, busy laying out, gives it up only every ``sys.getswitchinterval()`` (5 ms): from
Textual's ``_display`` to the output thread's write took 5.1-6.6 ms (medians of 20 keys, 5
runs; up to 128 ms); with the sleep 0.04-0.19 ms (2 runs). The sleep costs no CPU."""


def paint_first(screen: Screen[Any], widget: Widget | None) -> bool:
    """Render and write ``widget``'s dirty regions now, if the coming frame also has other
    work (a layout, a scroll, other dirty widgets) or a batch holds the frames; whether it
    did. Call it at the start of the screen's frame (``Screen._on_timer_update``) and when the
    screen goes idle during a batch."""
    if widget is None or widget not in screen._dirty_widgets or not screen.is_current:
        return False
    app = screen.app
    if app.is_inline:
        return False
    batched = app._batch_count
    if not (batched or screen._layout_required or screen._scroll_required
            or screen._repaint_required or len(screen._dirty_widgets) > 1):
        return False  # the list alone: Textual's frame is exactly this
    if widget in screen._layout_widgets or any(
            widget in changed for changed in screen._layout_widgets.values()):
        return False  # its own size or place may change: the layout comes first
    compositor = screen._compositor
    if widget not in compositor.visible_widgets:
        return False
    screen._dirty_widgets.discard(widget)
    compositor.update_widgets({widget})
    update = compositor.render_update(screen_stack=app._background_screens)
    # A batch holds back what is being mounted elsewhere (the pane's Markdown blocks, which
    # Textual mounts in one); the list's rows are none of it. ``_display`` writes nothing
    # while a batch is open, so it is told there is none for this one write.
    app._batch_count = 0
    try:
        app._display(screen, update)
    finally:
        app._batch_count = batched
    time.sleep(HAND_OVER)
    return True

"""The app's automatic refresh: on start (after the first frame) and every refresh_interval,
driven here by a clock the test moves on, never by waiting; notify_command after it."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from feed_server import FeedServer, rss2, static
from ui_support import Messages, main_screen, make_app, settle, status_text

from reader.cli.context import Context
from reader.schedule import clock_time
from reader.store import Store
from reader.store.feeds import add_feed
from reader.ui.messages import RefreshFinished, RefreshProgressed
from reader.ui.widgets.story_list import StoryList

WRITE_ARGS = "import sys; open(sys.argv[1], 'a').write(' '.join(sys.argv[2:]) + '\\n')"


class Clock:
    """A wall clock that moves only when the test says so."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def server() -> Iterator[FeedServer]:
    running = FeedServer()
    running.routes["/plain.xml"] = static(rss2("Plain", [("p1", "Plain one"), ("p2", "Plain two")]))
    running.routes["/slow.xml"] = static(
        rss2("Slow", [("s1", "Slow one")]).replace(b"<channel>", b"<channel><ttl>120</ttl>"))
    yield running
    running.stop()


def subscribe(home: Path, server: FeedServer, config: str) -> None:
    context = Context.create(str(home), [])
    context.paths.config_file.parent.mkdir(parents=True, exist_ok=True)
    context.paths.config_file.write_text(config, encoding="utf-8")
    with Store.open(context.paths.database) as store:
        add_feed(store, server.url("/plain.xml"), "Plain")
        add_feed(store, server.url("/slow.xml"), "Slow")


def times_text(app: object) -> str:
    return str(main_screen(app).query_one("#refresh-times").render())  # type: ignore[arg-type]


async def test_the_interval_refresh_runs_by_the_clock_and_skips_feeds_not_due(
    isolated_home: Path, server: FeedServer, tmp_path: Path
) -> None:
    notes = tmp_path / "notified.txt"
    command = [sys.executable, "-c", WRITE_ARGS, str(notes), "{new} new stories"]
    subscribe(isolated_home, server,
              f'refresh_interval = "60m"\nnotify_command = {json.dumps(command)}\n')
    clock = Clock(1_900_000_000.0)
    app = make_app(isolated_home, clock=clock, tick=0.02)
    messages = Messages()
    async with app.run_test(size=(140, 40), message_hook=messages) as pilot:
        await settle(pilot)
        assert server.requests == []  # refresh_on_start is off: nothing fetched yet
        assert times_text(app) == f"next {clock_time(clock.now + 3600, clock.now)}"
        clock.now += 3599
        await pilot.pause()
        assert messages.of(RefreshFinished) == []
        clock.now += 1  # an hour on
        first = await messages.wait_for(RefreshFinished, timeout=60)
        assert isinstance(first, RefreshFinished) and first.automatic
        assert sorted(o.status for o in first.summary.outcomes) == ["ok", "ok"]
        await settle(pilot)
        assert main_screen(app).story_list.total == 7
        assert status_text(app).startswith("Refreshed 2 feeds: 2 ok")
        assert times_text(app) == (f"updated {clock_time(clock.now, clock.now)} · "
                                   f"next {clock_time(clock.now + 3600, clock.now)}")
        assert notes.read_text() == "3 new stories\n"
        # Another hour: the feed with <ttl>120</ttl> is not due yet (by the cache's own
        # time), the other one is fetched again.
        clock.now += 3600
        second = await messages.wait_for(RefreshFinished, after=1, timeout=60)
        assert isinstance(second, RefreshFinished)
        assert [o.name for o in second.summary.outcomes] == ["Plain"]
        assert second.summary.not_due == 1
        await settle(pilot)
    assert [p for p, _ in server.requests].count("/slow.xml") == 1
    assert notes.read_text() == "3 new stories\n"  # nothing new the second time


async def test_refresh_on_start_begins_after_the_first_frame_and_a_bad_notifier_is_one_line(
    isolated_home: Path, server: FeedServer
) -> None:
    subscribe(isolated_home, server, 'notify_command = ["/nonexistent/notifier", "{new}"]\n')
    app = make_app(isolated_home, refresh_on_start=True)
    messages = Messages()
    async with app.run_test(size=(140, 40), message_hook=messages) as pilot:
        finished = await messages.wait_for(RefreshFinished, timeout=60)
        assert isinstance(finished, RefreshFinished) and finished.automatic
        first_frame = messages.seen.index(messages.of(StoryList.Shown)[0])
        refresh = [m for m in messages.seen if isinstance(m, RefreshProgressed | RefreshFinished)]
        assert messages.seen.index(refresh[0]) > first_frame
        await settle(pilot)
        assert status_text(app) == "notify_command: /nonexistent/notifier was not found"
        assert main_screen(app).story_list.total == 7


def test_notify_command_is_an_argument_list_and_a_failure_is_one_line(tmp_path: Path) -> None:
    from reader.ui.notify import notify_argv, run_notify

    assert notify_argv(["notify-send", "reader", "{new} new stories", "{x} $HOME;"], 3) == [
        "notify-send", "reader", "3 new stories", "{x} $HOME;"]  # no shell, nothing else
    fails = [sys.executable, "-c", "import sys; print('no display\\nmore', file=sys.stderr);"
             " sys.exit(3)"]
    assert run_notify(fails, 1) == (f"notify_command: {sys.executable} failed (exit status 3):"
                                    " no display")
    assert run_notify([str(tmp_path)], 1) == (
        f"notify_command: {tmp_path} cannot be run (permission denied)")
    assert run_notify([sys.executable, "-c", "pass"], 1) is None


async def test_a_refresh_where_every_feed_failed_does_not_count_as_updated(
    isolated_home: Path
) -> None:
    failing = FeedServer()
    failing.routes["/plain.xml"] = static(b"down", "text/plain", status=503)
    failing.routes["/slow.xml"] = static(b"down", "text/plain", status=503)
    try:
        subscribe(isolated_home, failing, "")
        clock = Clock(1_900_000_000.0)
        app = make_app(isolated_home, refresh_on_start=True, clock=clock)
        messages = Messages()
        async with app.run_test(size=(140, 40), message_hook=messages) as pilot:
            finished = await messages.wait_for(RefreshFinished, timeout=60)
            assert isinstance(finished, RefreshFinished)
            assert [o.status for o in finished.summary.outcomes] == ["error", "error"]
            await settle(pilot)
            assert times_text(app) == f"next {clock_time(clock.now + 3600, clock.now)}"
    finally:
        failing.stop()

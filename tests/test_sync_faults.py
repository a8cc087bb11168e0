"""Sync faults against a misbehaving server on 127.0.0.1: each is one clear line, the cache
stays whole, the outbox keeps every unsent mark, and a sync killed mid-way leaves nothing
half-done. The server speaks just enough Fever (or Tiny Tiny RSS) to get a sync to the fault.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from feed_server import POLL
from sync_support import (
    cache_path,
    outbox,
    queue_mark,
    stories_by_title,
    sync_once,
    write_sync_config,
)

from reader.store import Store
from reader.sync.engine import SyncReport
from reader.sync.fever import FeverService
from reader.sync.service import SyncError
from reader.sync.ttrss import TtrssService

Answer = Callable[["_Handler", dict[str, list[str]], dict[str, list[str]]], None]


class _Handler(BaseHTTPRequestHandler):
    server: HostileServer
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        form = parse_qs(body, keep_blank_values=True) if "=" in body and "{" not in body \
            else {"json": [body]}
        self.server.seen.append(sorted(query))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.server.answer(self, query, form)

    def send_json(self, value: object, status: int = 200) -> None:
        data = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_body(self, body: bytes) -> None:
        """HTTP 200 with ``body`` as it is, and no content type."""
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_cut_off(self, promised: int, start: bytes) -> None:
        """HTTP 200 promising ``promised`` bytes; only ``start`` comes before the hang-up."""
        self.send_response(200)
        self.send_header("Content-Length", str(promised))
        self.end_headers()
        self.wfile.write(start)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[list[str]] = []
        self.release = threading.Event()
        self.answer: Answer = fever(50)
        threading.Thread(target=self.serve_forever, args=(POLL,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/fever/"


def fever(count: int, title: str = "Item {n}", on_page: Callable[[int], bool] | None = None,
          feed_title: str = "Feed") -> Answer:
    """A small honest Fever server with ``count`` items in one feed; ``on_page(since)``
    returning False makes it answer that page by cutting the connection."""
    def answer(h: _Handler, query: dict[str, list[str]], form: dict[str, list[str]]) -> None:
        result: dict[str, object] = {"api_version": 3, "auth": 1}
        if "feeds" in query:
            result["feeds"] = [{"id": 1, "title": feed_title, "url": "https://f.example/rss",
                                "site_url": "https://f.example/"}]
            result["feeds_groups"] = []
        if "groups" in query:
            result["groups"] = []
        if "items" in query:
            since = int(query.get("since_id", ["0"])[0] or 0)
            if on_page is not None and not on_page(since):
                h.send_cut_off(100_000, b'{"auth": 1, "items": [')
                return
            result["items"] = [
                {"id": n, "feed_id": 1, "title": title.format(n=n), "author": "",
                 "html": f"<p>Body {n}</p>", "url": f"https://f.example/{n}",
                 "is_saved": 0, "is_read": 0, "created_on_time": 1_700_000_000 + n}
                for n in range(since + 1, min(since + 50, count) + 1)
            ]
        if "unread_item_ids" in query:
            result["unread_item_ids"] = ",".join(str(n) for n in range(1, count + 1))
        if "saved_item_ids" in query:
            result["saved_item_ids"] = ""
        h.send_json(result)
    return answer


@pytest.fixture
def server() -> Iterator[HostileServer]:
    hostile = HostileServer()
    yield hostile
    hostile.release.set()
    hostile.shutdown()
    hostile.server_close()


def sync(store: Store, url: str, timeout: float = 10.0, service: str = "fever") -> SyncReport:
    client = (FeverService(url, "me", "pw", timeout) if service == "fever"
              else TtrssService(url, "me", "pw", timeout))
    return sync_once(store, client, service, url, "me")


def snapshot(store: Store) -> tuple[object, ...]:
    """Everything a failed sync must leave as it was."""
    return (
        store.conn.execute("SELECT count(*), group_concat(title) FROM stories").fetchone(),
        store.conn.execute("SELECT group_concat(read), group_concat(starred)"
                           " FROM story_state").fetchone(),
        outbox(store),
        store.conn.execute("SELECT group_concat(key || '=' || value) FROM sync_state"
                           " WHERE key != 'last_sync'").fetchone(),
    )


@pytest.fixture
def synced(server: HostileServer, store: Store) -> Store:
    """A cache synced once with 3 items, with two marks waiting in the outbox."""
    server.answer = fever(3)
    sync(store, server.url)
    titles = stories_by_title(store)
    store.set_read(titles["Item 1"][0], True)
    store.set_starred(titles["Item 2"][0], True)
    assert len(outbox(store)) == 2
    return store


def fails(store: Store, url: str, message: str, marks_taken: bool = False,
          **kwargs: object) -> None:
    """The sync fails with ``message`` and changes nothing; with ``marks_taken`` the server
    took the outbox before the fault, so only that changed."""
    before = snapshot(store)
    with pytest.raises(SyncError) as raised:
        sync(store, url, **kwargs)  # type: ignore[arg-type]
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    after = snapshot(store)
    if marks_taken:
        assert after[2] == []
        after = (*after[:2], before[2], *after[3:])
    assert after == before
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_server_down(server: HostileServer, synced: Store) -> None:
    server.shutdown()
    server.server_close()
    fails(synced, server.url, f"cannot reach the sync server {server.url[:-7]}")


def test_an_unreachable_new_server_does_not_drop_the_outbox(synced: Store) -> None:
    fails(synced, "http://127.0.0.1:9/fever/", "cannot reach the sync server http://127.0.0.1:9")


def test_server_error(server: HostileServer, synced: Store) -> None:
    server.answer = lambda h, q, f: h.send_json({"error": "oops"}, status=503)
    fails(synced, server.url, "failed (HTTP 503); try again later")


def test_timeout(server: HostileServer, synced: Store) -> None:
    def slow(h: _Handler, q: dict[str, list[str]], f: dict[str, list[str]]) -> None:
        server.release.wait(10)
    server.answer = slow
    fails(synced, server.url, "did not answer within 0.5 s", timeout=0.5)


def test_connection_cut_mid_answer(server: HostileServer, synced: Store) -> None:
    server.answer = lambda h, q, f: h.send_cut_off(5000, b'{"auth": 1, "api_version"')
    fails(synced, server.url, "was cut off")


def test_not_json(server: HostileServer, synced: Store) -> None:
    server.answer = lambda h, q, f: h.send_body(b"<html><body>Log in</body></html>")
    fails(synced, server.url, "answered something that is not JSON (HTTP 200)")


def test_json_nested_without_end(server: HostileServer, synced: Store) -> None:
    deep = b"[" * 200_000 + b"]" * 200_000
    server.answer = lambda h, q, f: h.send_body(deep)
    fails(synced, server.url, "not JSON")


def test_huge_answer_is_refused_unread(server: HostileServer, synced: Store) -> None:
    sent: list[int] = []

    def huge(h: _Handler, q: dict[str, list[str]], f: dict[str, list[str]]) -> None:
        h.send_response(200)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        chunk = b"[" + b"1," * 32_767 + b"1"
        for _ in range(1000):  # 64 MB if nobody stops reading
            h.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent.append(len(chunk))
        h.wfile.write(b"0\r\n\r\n")
    server.answer = huge
    fails(synced, server.url, "sent an answer over 32 MB; refused")


def test_wrong_types(server: HostileServer, synced: Store) -> None:
    server.answer = lambda h, q, f: h.send_json({"auth": 1, "feeds": "many", "groups": []})
    fails(synced, server.url, "sent a malformed feed list", marks_taken=True)
    items = fever(3)

    def bad_item(h: _Handler, q: dict[str, list[str]], f: dict[str, list[str]]) -> None:
        if "items" in q:
            h.send_json({"auth": 1, "items": [{"id": "x1", "feed_id": 1, "title": ["t"]}]})
        else:
            items(h, q, f)
    server.answer = bad_item
    fails(synced, server.url, "sent a malformed item id")  # the outbox went just above


def test_ttrss_wrong_types(server: HostileServer, store: Store) -> None:
    def answer(h: _Handler, q: dict[str, list[str]], f: dict[str, list[str]]) -> None:
        op = json.loads(f["json"][0]).get("op")
        if op == "login":
            h.send_json({"seq": 0, "status": 0,
                         "content": {"session_id": "s", "api_level": 15}})
        else:
            h.send_json({"seq": 0, "status": 0, "content": {"unexpected": True}})
    server.answer = answer
    fails(store, server.url.replace("/fever/", "/"), "sent a malformed feed list",
          service="ttrss")


def test_markup_and_escapes_in_titles_stay_text(server: HostileServer, store: Store) -> None:
    server.answer = fever(1, title="<script>alert(1)</script><b>Bold</b> \x1b]52;c;eA==\x07news",
                          feed_title="Feed \x1b[2J<i>name</i>")
    sync(store, server.url)
    assert list(stories_by_title(store)) == ["Bold news"]
    names = [s.name for s in store.sources() if s.kind == "feed"]
    assert names == ["Feed <i>name</i>"]  # a name is text: shown as it is, never as markup


def test_connection_cut_mid_sync_keeps_what_was_stored(server: HostileServer,
                                                       store: Store) -> None:
    server.answer = fever(120, on_page=lambda since: since < 50)
    with pytest.raises(SyncError, match="was cut off"):
        sync(store, server.url)
    # The first page (50 items) was stored with its cursor; nothing of the second.
    assert len(stories_by_title(store)) == 50
    assert store.conn.execute("SELECT value FROM sync_state WHERE key = 'cursor'"
                              ).fetchone()[0] == "50"
    server.answer = fever(120)
    report = sync(store, server.url)
    assert report.new == 70
    assert len(stories_by_title(store)) == 120


def test_a_killed_sync_leaves_nothing_half_done(server: HostileServer,
                                                isolated_home: Path) -> None:
    write_sync_config(isolated_home, "fever", server.url, "me")
    reached = threading.Event()

    def hang_on_second_page(since: int) -> bool:
        if since >= 50:
            reached.set()
            server.release.wait(30)
        return True
    server.answer = fever(100, on_page=hang_on_second_page)
    env = {**os.environ, "READER_HOME": str(isolated_home), "READER_SYNC_PASSWORD": "pw"}
    with Store.open(cache_path(isolated_home)) as store:
        queue_mark(store, "77", "read")
    process = subprocess.Popen([sys.executable, "-m", "reader", "sync"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert reached.wait(60)
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    connection = sqlite3.connect(cache_path(isolated_home))
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        connection.close()
    with Store.open(cache_path(isolated_home)) as store:
        # Sent mark gone, first page stored with its cursor, nothing of the second page.
        assert outbox(store) == []
        assert len(stories_by_title(store)) == 50
        assert store.conn.execute("SELECT count(*) FROM sync_items").fetchone()[0] == 50
        assert store.conn.execute("SELECT value FROM sync_state WHERE key = 'cursor'"
                                  ).fetchone()[0] == "50"
    server.release.set()
    server.answer = fever(100)
    with Store.open(cache_path(isolated_home)) as store:
        assert sync(store, server.url).new == 50
        assert len(stories_by_title(store)) == 100


def test_a_hostile_feed_list_does_not_empty_the_cache(server: HostileServer,
                                                      synced: Store) -> None:
    server.answer = lambda h, q, f: h.send_json({"auth": 1, "feeds": [], "groups": [],
                                                 "items": [], "unread_item_ids": "",
                                                 "saved_item_ids": ""})
    report = sync(synced, server.url)
    assert "the server lists no subscriptions: none were removed here" in report.notes
    assert len(stories_by_title(synced)) == 3


def test_wait_helpers_do_not_sleep() -> None:
    """The fault tests wait on events and timeouts, never fixed sleeps (a guard for edits)."""
    source = Path(__file__).read_text()
    assert "time.sleep(" not in source.replace('"time.sleep("', "")
    assert time.monotonic() > 0


async def test_the_app_reports_a_failed_sync_and_refreshes_on(
        isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui_support import Messages, make_app, settle

    from reader.ui.messages import RefreshFailed, RefreshFinished, SyncFailed, SyncFinished

    write_sync_config(isolated_home, "fever", "http://127.0.0.1:9/fever/", "me")
    monkeypatch.setenv("READER_SYNC_PASSWORD", "pw")
    app = make_app(isolated_home)
    messages = Messages()
    async with app.run_test(size=(120, 30), message_hook=messages) as pilot:
        await settle(pilot)
        await pilot.press("R")
        failed = await messages.wait_for(SyncFailed, SyncFinished, timeout=120)
        assert isinstance(failed, SyncFailed)
        assert failed.reason == "cannot reach the sync server http://127.0.0.1:9:" \
            " [Errno 111] Connection refused"
        ended = await messages.wait_for(RefreshFinished, RefreshFailed, timeout=120)
        assert isinstance(ended, RefreshFinished)
        await settle(pilot)
        assert app.is_running


def test_a_server_repeating_its_pages_does_not_keep_us_paging(server: HostileServer,
                                                              store: Store) -> None:
    rows = [{"id": n, "feed_id": 1, "title": f"Item {n}", "link": f"https://t.example/{n}",
             "content": "<p>x</p>", "unread": True, "marked": False, "updated": 1_700_000_000,
             "tags": [], "guid": ""} for n in range(1, 201)]
    answers = {
        "login": {"session_id": "s", "api_level": 15}, "getVersion": {"version": "hostile"},
        "getUnread": {"unread": 200}, "getCategories": [],
        "getFeeds": [{"id": 1, "title": "Loop", "feed_url": "https://t.example/rss",
                      "cat_id": 0}],
        "getHeadlines": rows,  # the same 200 rows, whatever the skip
    }

    def answer(h: _Handler, q: dict[str, list[str]], f: dict[str, list[str]]) -> None:
        op = json.loads(f["json"][0]).get("op")
        h.send_json({"seq": 0, "status": 0, "content": answers.get(op, {})})
    server.answer = answer
    report = sync(store, server.url.replace("/fever/", "/"), service="ttrss")
    assert report.new == 200
    assert report.requests <= 12  # the check, the lists, and each listing stops at page 2

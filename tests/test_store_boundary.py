"""The store's boundary: every SQLite failure leaves as one ``StoreError`` a person understands,
writes wait for another process's lock (then fail whole), and marks go through one function.

Locks are held by a real second process (``BEGIN IMMEDIATE`` in its own interpreter); the full
disk is a real small tmpfs, where the test may mount one.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import run_reader
from feed_server import FeedServer, rss2, static
from search_cache import Doc, add_source

from reader.models import Mark, StoryDraft, View
from reader.store import Store, StoreError
from reader.store.errors import BUSY_MESSAGE, DISK_FULL_MESSAGE, CacheBusy, DiskFull
from reader.store.feeds import add_feed

HOLD = """
import select, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
select.select([sys.stdin], [], [], float(sys.argv[2]))  # the time is up, or stdin closed
conn.execute("COMMIT")
"""


@contextlib.contextmanager
def write_lock_held(path: Path, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the cache's write lock for ``seconds``, until its stdin is
    closed, or until we leave."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        yield holder
    finally:
        if holder.stdin is not None:
            holder.stdin.close()
        if holder.poll() is None:
            holder.kill()
        holder.wait(timeout=30)
        if holder.stdout is not None:
            holder.stdout.close()


# -- one function for every mark ---------------------------------------------------------------


def test_mark_changes_read_and_starred_and_says_what_changed(store: Store) -> None:
    ids = add_source(store, "Feed", [Doc("a", "A"), Doc("b", "B"), Doc("c", "C")])
    a, b, c = ids["a"], ids["b"], ids["c"]
    assert store.mark([a, b], read=True) == (Mark(a, "read", True), Mark(b, "read", True))
    # Already read: nothing changes, nothing is reported (sync sends nothing, undo undoes nothing).
    assert store.mark([b, c], read=True) == (Mark(c, "read", True),)
    assert store.mark([c], read=True, starred=True) == (Mark(c, "starred", True),)
    assert store.mark(["000000000000"], read=True) == ()
    assert store.mark([a]) == ()
    story = store.get_story(c)
    assert (story.read, story.starred) == (True, True)
    assert store.count(View(unread_only=True)) == 0
    store.set_read(a, False)  # the one-story forms go through mark too
    assert store.mark([a, b], read=False) == (Mark(b, "read", False),)


def test_a_mark_changes_no_content_generation(store: Store) -> None:
    ids = add_source(store, "Feed", [Doc("a", "A")])
    before = store.content_generation()
    store.mark([ids["a"]], read=True, starred=True)
    assert store.content_generation() == before


# -- every sqlite3 error leaves as StoreError -------------------------------------------------


def test_sqlite_errors_never_leave_the_store(store: Store) -> None:
    with pytest.raises(StoreError, match="cache error") as caught:
        store.conn.execute("SELECT * FROM no_such_table")
    assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
    cursor = store.conn.execute("SELECT 1")
    with pytest.raises(StoreError):
        cursor.execute("SELEC")


def test_a_file_that_is_not_a_cache_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    path.write_bytes(b"this is not a database\n" * 200)
    with pytest.raises(StoreError, match=r"cannot open the cache at .*damaged"):
        Store.open(path)


def test_a_full_cache_rolls_the_write_back_whole(store: Store) -> None:
    feed = store.ensure_source("feed", "f", "Feed")
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's own "disk full"
    drafts = [StoryDraft(key=f"k{n}", title=f"Story {n}", body="words " * 2000)
              for n in range(20)]
    with pytest.raises(DiskFull, match=DISK_FULL_MESSAGE):
        store.save_stories(feed, drafts)
    assert store.count() == 0
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store.conn.execute("PRAGMA max_page_count = 1073741823")
    assert store.save_stories(feed, drafts).new == 20


# -- writes wait for another process, then fail whole ------------------------------------------


def test_a_write_waits_for_another_process_and_succeeds(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    waits: list[int] = []
    let_go: list[Callable[[], None]] = []

    def waiting() -> None:
        waits.append(1)
        let_go[0]()  # the other process lets go once the write is seen waiting, not by a clock

    with Store.open(path, on_wait=waiting) as store:
        feed = store.ensure_source("feed", "f", "Feed")
        with write_lock_held(path, 60) as holder:
            assert holder.stdin is not None
            let_go.append(holder.stdin.close)
            report = store.save_stories(feed, [StoryDraft(key="k", title="Waited")])
            # The write went through only once the other process had let go.
            assert holder.wait(timeout=30) == 0
        assert report.new == 1
        store.mark([store.page(View(), 0, 1)[0].id], read=True)
        assert waits == [1]  # said once


def test_a_lock_held_past_the_wait_fails_whole_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite3"
    with Store.open(path, write_wait=1.5) as store:
        feed = store.ensure_source("feed", "f", "Feed")
        with write_lock_held(path, 60) as holder:
            with pytest.raises(CacheBusy) as caught:
                store.save_stories(feed, [StoryDraft(key=f"k{n}", title="x") for n in range(3)])
            assert str(caught.value) == BUSY_MESSAGE
            assert holder.poll() is None  # still held: we gave up, as we should
        assert store.count() == 0
        assert store.save_stories(feed, [StoryDraft(key="k", title="x")]).new == 1


def _cache(home: Path) -> Path:
    return home / "data" / "cache.sqlite3"


def _opml(folder: Path, urls: list[str]) -> Path:
    body = "".join(f'<outline type="rss" text="F{n}" xmlUrl="{u}"/>' for n, u in enumerate(urls))
    path = folder / "feeds.opml"
    path.write_text(f'<opml version="2.0"><head/><body>{body}</body></opml>', encoding="utf-8")
    return path


def test_commands_wait_out_a_five_second_lock(isolated_home: Path, tmp_path: Path,
                                              first_run: Callable[[Path], Path]) -> None:
    server = FeedServer()
    try:
        server.routes["/waits"] = static(rss2("Waits", [("w1", "Patient wombat")]))
        first_run(isolated_home)
        with Store.open(_cache(isolated_home)) as store:
            add_feed(store, server.url("/waits"), "Waits")
        opml = _opml(tmp_path, ["http://127.0.0.1:9/a.xml", "http://127.0.0.1:9/b.xml"])
        env = {**os.environ, "READER_HOME": str(isolated_home)}
        commands = [["import", str(opml)], ["search", "--save", "memos", "memo"],
                    ["refresh", "--json"]]
        with write_lock_held(_cache(isolated_home), 5) as holder:
            running = [subprocess.Popen([sys.executable, "-m", "reader", *args], env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True) for args in commands]
            done = [p.communicate(timeout=120) for p in running]
            assert holder.wait(timeout=30) == 0
        for args, proc, (_out, err) in zip(commands, running, done, strict=True):
            assert proc.returncode == 0, (args, err)
            assert "error" not in err, (args, err)
        assert '"status": "ok"' in done[2][0] and '"new": 1' in done[2][0]
        listed = run_reader("feeds", home=isolated_home, check=True).stdout
        assert "a.xml" in listed and "b.xml" in listed
        assert "memos" in run_reader("searches", home=isolated_home, check=True).stdout
        assert "Patient wombat" in run_reader("list", home=isolated_home, check=True).stdout
    finally:
        server.stop()


def test_commands_facing_a_longer_lock_give_one_line_and_change_nothing(
    isolated_home: Path, tmp_path: Path, first_run: Callable[[Path], Path]
) -> None:
    first_run(isolated_home)
    config = isolated_home / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[cache]\nwrite_wait = 1.5\n", encoding="utf-8")
    opml = _opml(tmp_path, ["http://127.0.0.1:9/a.xml"])
    before = _dump(_cache(isolated_home))
    with write_lock_held(_cache(isolated_home), 60):
        for args in (["import", str(opml)], ["search", "--save", "memos", "memo"]):
            result = run_reader(*args, home=isolated_home)
            assert result.returncode == 2, args
            assert result.stderr == f"reader: error: {BUSY_MESSAGE}\n", args
    assert _dump(_cache(isolated_home)) == before


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [line for line in conn.iterdump() if "content_generation" not in line]
    finally:
        conn.close()


# -- a full disk --------------------------------------------------------------------------------


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 4 MB tmpfs of its own, or a skip saying why there cannot be one here."""
    folder = Path(tempfile.mkdtemp(prefix="reader-full-"))
    try:
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)],
                                 capture_output=True, text=True)
    except OSError as exc:
        folder.rmdir()
        pytest.skip(f"cannot mount a small tmpfs here to fill: {exc}")
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip("cannot mount a small tmpfs here to fill (needs root and CAP_SYS_ADMIN): "
                    + (mounted.stderr.strip() or f"mount exited {mounted.returncode}"))
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        folder.rmdir()


def _fill(folder: Path) -> Path:
    """Fill the disk to the last page."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (65536, 4096, 512):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * size)
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_is_one_line_per_write_command(small_disk: Path, tmp_path: Path) -> None:
    home = small_disk / "reader"
    server = FeedServer()
    try:
        server.routes["/new"] = static(rss2("New", [("n1", "Newt news")]))
        run_reader("list", home=home, check=True)
        # Held open so the cache's -wal and -shm files stay (the last connection to close
        # removes them, and making them again is not what this test is about).
        keeper = sqlite3.connect(_cache(home), isolation_level=None)
        try:
            with Store.open(_cache(home)) as store:
                feed = add_feed(store, "http://127.0.0.1:9/old.xml", "Old")
                store.save_stories(feed, [StoryDraft(key="o", title="Old otter")])
            keeper.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            filler = _fill(small_disk)
            opml = _opml(tmp_path, [f"http://127.0.0.1:9/{n}.xml" for n in range(50)])
            for args in (["import", str(opml)], ["search", "--save", "memos", "memo"],
                         ["remove", "Old"], ["add", server.url("/new")]):
                result = run_reader(*args, home=home)
                assert (result.returncode, result.stderr) == (
                    2, f"reader: error: {DISK_FULL_MESSAGE}\n"), args
            assert keeper.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            filler.unlink()
            assert run_reader("import", str(opml), home=home).returncode == 0
            assert run_reader("remove", "Old", home=home).returncode == 0
        finally:
            keeper.close()
        listed = run_reader("feeds", home=home, check=True).stdout
        assert "Old" not in listed and "49.xml" in listed
    finally:
        server.stop()

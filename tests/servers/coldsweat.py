"""coldsweat, a real Fever API server with its own SQLite file, run on 127.0.0.1 for tests.

It comes from the ``test`` extra (pyproject.toml). Its feeds are the test's own loopback feed
server; ``fetch`` makes it read them again (new entries). It tries to fetch favicons from the
internet, which fails harmlessly here.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

import httpx

EMAIL = "reader@example.org"
PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ColdsweatServer:
    """One coldsweat instance: ``setup`` makes the user and imports ``feeds`` (url, title,
    group; coldsweat files a feed without a group under "Default")."""

    def __init__(self, folder: Path, feeds: list[tuple[str, str, str | None]]) -> None:
        self.folder = folder
        self.feeds = feeds
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.env = {
            **os.environ,
            "FLASK_DATABASE_URL": f"sqlite:///{folder / 'coldsweat.db'}",
            "FLASK_SECRET_KEY": "tests only",
        }
        self.program = str(Path(sys.executable).with_name("coldsweat"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/fever/"

    @property
    def api_key(self) -> str:
        return hashlib.md5(f"{EMAIL}:{PASSWORD}".encode()).hexdigest()

    def _run(self, *args: str) -> None:
        done = subprocess.run([self.program, *args], env=self.env, cwd=self.folder,
                              capture_output=True, timeout=300, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"coldsweat {args[0]} failed: {done.stderr.decode()[-800:]}")

    def setup(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        outlines = []
        for url, title, group in self.feeds:
            feed = (f'<outline type="rss" text={quoteattr(title)} title={quoteattr(title)}'
                    f' xmlUrl={quoteattr(url)}/>')
            outlines.append(f"<outline text={quoteattr(group)}>{feed}</outline>"
                            if group else feed)
        (self.folder / "subs.opml").write_text(
            '<?xml version="1.0"?><opml version="1.0"><head><title>t</title></head><body>'
            + "".join(outlines) + "</body></opml>", encoding="utf-8")
        self._run("setup", EMAIL, "-p", PASSWORD)
        self._run("import", "subs.opml", EMAIL, "-f")

    def fetch(self) -> None:
        """Have coldsweat read every feed again (as its cron job would)."""
        self._run("fetch")

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.program, "run", "-h", "127.0.0.1", "-p", str(self.port)], env=self.env,
            cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("coldsweat exited at start")
            with contextlib.suppress(httpx.HTTPError):
                httpx.post(self.url + "?api", data={"api_key": self.api_key}, timeout=2)
                return
            time.sleep(0.05)
        raise RuntimeError("coldsweat did not start within 60 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def api(self, query: str, **form: str) -> dict[str, object]:
        """A Fever API call as another device (a phone) would make it."""
        answer = httpx.post(f"{self.url}?api{query}", data={"api_key": self.api_key, **form},
                            timeout=30)
        answer.raise_for_status()
        return dict(answer.json())

    def mark(self, item_id: str, status: str) -> None:
        self.api("", mark="item", **{"as": status}, id=item_id)

    def reset_marks(self) -> None:
        """Every item unread and unsaved again, in coldsweat's own tables (one transaction)."""
        database = sqlite3.connect(self.folder / "coldsweat.db", timeout=30)
        with contextlib.closing(database), database:
            database.execute("DELETE FROM read")
            database.execute("DELETE FROM saved")

    def unread_ids(self) -> set[str]:
        value = str(self.api("&unread_item_ids")["unread_item_ids"])
        return {i for i in value.split(",") if i}

    def saved_ids(self) -> set[str]:
        value = str(self.api("&saved_item_ids")["saved_item_ids"])
        return {i for i in value.split(",") if i}

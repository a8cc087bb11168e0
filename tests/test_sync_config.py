"""The [sync] section, the password (argv or environment, never a shell) and the warning
for a config others can read."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import run_reader
from sync_support import write_sync_config

from reader.config import ConfigError, SyncSettings, load_config
from reader.sync.credentials import config_warning, sync_password
from reader.sync.service import SyncError


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_sync_section_is_read(tmp_path: Path) -> None:
    loaded = load_config(config(tmp_path, """
[sync]
service = "ttrss"
url = "https://rss.example.org/tt-rss/"
username = "ann"
password_command = ["pass", "show", "rss"]
"""))
    assert loaded.sync == SyncSettings(service="ttrss", url="https://rss.example.org/tt-rss/",
                                       username="ann", password_command=("pass", "show", "rss"))
    assert load_config(config(tmp_path, "theme = 'x'\n")).sync is None


@pytest.mark.parametrize(("text", "message"), [
    ('service = "greader"\nurl = "https://x/"\nusername = "a"',
     "sync.service must be one of fever, ttrss"),
    ('service = "fever"\nusername = "a"', "[sync] needs url"),
    ('service = "fever"\nurl = "ftp://x/"\nusername = "a"', "sync.url must be an http"),
    ('service = "fever"\nurl = "https://x/"\nusername = "a"\npassword_command = "pass show"',
     "sync.password_command must be a list of strings"),
    ('service = "fever"\nurl = "https://x/"\nusername = "a"\npassword = "hunter2"',
     "[sync] has no setting 'password'"),
    ('service = "fever"\nurl = "https://x/"\nusername = "a"\ntimeout = 0',
     "sync.timeout must be a number from 0.1 to 600 seconds"),
])
def test_bad_sync_section_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(config(tmp_path, "[sync]\n" + text + "\n"))
    assert message in str(raised.value)
    assert "hunter2" not in str(raised.value)


def settings(command: tuple[str, ...]) -> SyncSettings:
    return SyncSettings(service="fever", url="https://x/", username="a",
                        password_command=command)


def test_password_from_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READER_SYNC_PASSWORD", "from env")
    assert sync_password(settings(("false",))) == "from env"


def test_password_command_is_an_argv_never_a_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("READER_SYNC_PASSWORD", raising=False)
    command = (sys.executable, "-c", "import sys; print(sys.argv[1]); print('second line')",
               "p4ss; echo $HOME `id`")
    assert sync_password(settings(command)) == "p4ss; echo $HOME `id`"


@pytest.mark.parametrize(("command", "message"), [
    ((), "no sync password: set sync.password_command"),
    (("no-such-program-here",), "no program 'no-such-program-here'"),
    ((sys.executable, "-c", "print('secret'); raise SystemExit(3)"), "failed (exit status 3)"),
    ((sys.executable, "-c", "pass"), "printed no password"),
])
def test_password_failures_are_one_line_without_the_password(
        monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...], message: str) -> None:
    monkeypatch.delenv("READER_SYNC_PASSWORD", raising=False)
    with pytest.raises(SyncError) as raised:
        sync_password(settings(command))
    assert message in str(raised.value)
    assert "secret" not in str(raised.value)


def test_a_config_others_can_read_gets_a_warning(tmp_path: Path, isolated_home: Path) -> None:
    path = write_sync_config(isolated_home, "fever", "http://127.0.0.1:9/fever/", "ann")
    assert config_warning(path) is None
    path.chmod(0o644)
    assert "chmod 600" in (config_warning(path) or "")
    done = run_reader("sync", "--check", home=isolated_home,
                      env={"READER_SYNC_PASSWORD": "pw"})
    lines = done.stderr.splitlines()
    assert lines[0] == (f"reader: warning: {path} holds the [sync] account and other users can"
                        f" read it (mode 644): chmod 600 {path}")
    assert lines[1].startswith("reader: error: cannot reach the sync server")
    assert (len(lines), done.returncode) == (2, 1)


def test_sync_without_a_sync_section_says_how(isolated_home: Path) -> None:
    done = run_reader("sync", home=isolated_home)
    assert done.returncode == 2
    assert done.stderr.startswith("reader: error: no [sync] section in ")

"""Handing URLs and stories to programs (``reader.programs``) and the config keys naming them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from reader.config import ConfigError, ProgramSettings, load_config
from reader.models import Enclosure
from reader.programs import (
    MAX_URL,
    Opener,
    UnsafeUrl,
    check_url,
    command_for,
    launch,
    pick_opener,
    run_with_input,
)


@pytest.mark.parametrize(("url", "why"), [
    ("-oProxyCommand=x", "starts with '-' (a program would take it for an option)"),
    ("ssh://-oProxyCommand=x/", "only http:, https: links are opened, not ssh: ones"),
    ("-https://a.example/", "starts with '-'"),
    ("http://a\nb", "a line break"),
    ("https://a.example/\x1b[2J", "a control character"),
    ("https://a.example/a b", "a space"),
    ("https://a.example/\u202egpj.exe", "a control character"),
    ("javascript:alert(1)", "not javascript: ones"),
    ("JavaScript:alert(1)", "not javascript: ones"),
    ("data:text/html,<script>", "not data: ones"),
    ("file:///etc/passwd", "not file: ones"),
    ("mailto:a@example.org", "not mailto: ones"),
    ("https:///etc/passwd", "names no host"),
    ("https://a.example/" + "a" * 10_000, "10,018 characters long"),
    ("", "there is no link"),
    (None, "there is no link"),
])
def test_unsafe_urls_are_refused_saying_why(url: str | None, why: str) -> None:
    with pytest.raises(UnsafeUrl, match=None) as refused:
        check_url(url)
    assert why in str(refused.value)


def test_web_and_mail_links_pass() -> None:
    assert check_url("https://a.example/x?y=1#z") == "https://a.example/x?y=1#z"
    assert check_url("HTTP://A.EXAMPLE/") == "HTTP://A.EXAMPLE/"
    assert check_url("mailto:a@example.org", mail=True) == "mailto:a@example.org"
    assert check_url("https://a.example/" + "a" * (MAX_URL - 18))


def test_the_url_is_one_whole_argument_or_the_last() -> None:
    url = "https://a.example/$(rm%20-rf);`x`'\"*"
    assert command_for(["mpv", "--no-video", "{url}"], url) == ["mpv", "--no-video", url]
    assert command_for(["firefox"], url) == ["firefox", url]
    with pytest.raises(UnsafeUrl):
        command_for(["firefox", "{url}"], "-oProxyCommand=x")


def test_openers_match_by_type_then_url() -> None:
    audio = Opener(("mpv", "--no-video", "{url}"), match="audio/*")
    tube = Opener(("mpv", "{url}"), match_url=r"youtube\.com/watch")
    assert pick_opener([audio, tube], Enclosure("https://p/e.mp3", "audio/mpeg")) is audio
    assert pick_opener([audio, tube], Enclosure("https://p/e.mp3")) is audio  # from .mp3
    assert pick_opener([audio, tube], Enclosure("https://p/e", "Audio/MPEG")) is audio
    assert pick_opener([audio, tube], Enclosure("https://www.youtube.com/watch?v=1")) is tube
    assert pick_opener([audio, tube], Enclosure("https://p/e.pdf", "application/pdf")) is None


def script(tmp_path: Path, body: str) -> str:
    path = tmp_path / "prog"
    path.write_text(f"#!{sys.executable}\nimport sys\n{body}\n")
    path.chmod(0o755)
    return str(path)


async def test_a_missing_or_failing_program_is_one_line(tmp_path: Path) -> None:
    missing = await launch([str(tmp_path / "no-such-player"), "https://a.example/"])
    assert missing.failure == "no-such-player was not found (is it installed and on PATH?)"
    failing = script(tmp_path, "sys.stderr.write('warming up\\ncannot open: \\x1b[31mx\\n')"
                               "\nsys.exit(3)")
    ended = await launch([failing, "https://a.example/"])
    assert ended.failure == "prog failed (exit status 3): cannot open:  [31mx"
    assert (await launch([script(tmp_path, "sys.exit(0)")])).failure is None


def test_the_pipe_program_gets_the_text(tmp_path: Path) -> None:
    out = tmp_path / "got.txt"
    reader = script(tmp_path, f"open({str(out)!r}, 'w').write(sys.stdin.read())")
    assert run_with_input([reader], "a story ü\n", terminal=False) is None
    assert out.read_text() == "a story ü\n"
    assert run_with_input([str(tmp_path / "nope")], "x", terminal=False) == (
        "nope was not found (is it installed and on PATH?)")
    assert run_with_input([script(tmp_path, "sys.exit(1)")], "x", terminal=False) == (
        "prog failed (exit status 1)")


# -- the config keys ------------------------------------------------------------------------------


def config(tmp_path: Path, text: str) -> ProgramSettings:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path).programs


def test_program_settings_and_their_defaults(tmp_path: Path) -> None:
    assert config(tmp_path, "") == ProgramSettings((), ("less", "-R"), None, ())
    settings = config(tmp_path, """browser = ["firefox", "--new-tab", "{url}"]
pipe_command = ["bat", "-l", "md"]
save_dir = "~/News"
[[openers]]
match = "audio/*"
command = ["mpv", "--no-video", "{url}"]
[[openers]]
match_url = "youtube\\\\.com"
command = ["mpv", "{url}"]
""")
    assert settings.browser == ("firefox", "--new-tab", "{url}")
    assert settings.pipe_command == ("bat", "-l", "md")
    assert settings.save_dir == "~/News"
    assert settings.openers == (Opener(("mpv", "--no-video", "{url}"), match="audio/*"),
                                Opener(("mpv", "{url}"), match_url=r"youtube\.com"))


@pytest.mark.parametrize(("text", "line"), [
    ('browser = "firefox"', 'browser must be a command as a list of strings, e.g. '
                            '["firefox", "--new-tab", "{url}"], not \'firefox\''),
    ('browser = ["open", "--url={url}"]', "browser must be a command whose {url} must be an "
                                          "argument by itself (not in '--url={url}')"),
    ("pipe_command = [1]", "pipe_command must be a command as a list of strings"),
    ("save_dir = 3", "save_dir must be a folder's path in quotes, not 3"),
    ('openers = "mpv"', "openers must be tables ([[openers]]) with match or match_url, and "
                        "command, not 'mpv'"),
    ('[[openers]]\nmatch = "audio/*"', 'openers[1].command must be a command as a list of '
                                       'strings, e.g. ["mpv", "--no-video", "{url}"]'),
    ('[[openers]]\nmatch = "audio/*"\nmatch_url = "x"\ncommand = ["mpv"]',
     "openers[1] needs match (a MIME pattern"),
    ('[[openers]]\ncommand = ["mpv"]', "openers[1] needs match"),
    ('[[openers]]\nmatch = "audio"\ncommand = ["mpv"]', 'openers[1].match must be a MIME '
                                                       'pattern in quotes, e.g. "audio/*"'),
    ('[[openers]]\nmatch_url = "(x"\ncommand = ["mpv"]', "openers[1].match_url is not a "
                                                         "regular expression (missing )"),
    ('[[openers]]\nmatch = "a/*"\ncommand = ["mpv"]\n[[openers]]\nmatch = "v/*"\n'
     'command = ["mpv", "x{url}"]', "openers[2].command is wrong: {url} must be an argument"),
    ('[[openers]]\nmatch = "a/*"\ncommand = ["mpv"]\nshell = true',
     "openers[1].shell is not a setting (match, match_url, command)"),
])
def test_a_bad_value_is_one_line_naming_the_key(tmp_path: Path, text: str, line: str) -> None:
    with pytest.raises(ConfigError) as bad:
        config(tmp_path, text)
    message = str(bad.value)
    assert "\n" not in message and line in message

"""Config values are checked on load: every number has a range, and a bad value is one line
naming the key and what is allowed (exit 2 on the command line; in the app, a notification and
the default). The cases are generated from the settings' own declarations, so a key added with
``number(...)`` is covered here without a new test."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
from conftest import run_reader

from reader.cli.context import Context
from reader.config import SECTIONS, ConfigError, FetchSettings, load_config
from reader.paths import resolve_paths
from reader.ui.app import create_app
from reader.ui.pilot import settle


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def _bad_values(kind: type, low: float, high: float) -> list[object]:
    step = 1 if kind is int else max(abs(low) / 2, 0.05)
    values: list[object] = [low - step, high * 2 + 1, float("nan"), float("inf"),
                            "10", True, -1, 0 if low > 0 else -5]
    if kind is int:
        values.append(float(low) + 0.5)
    bad = [v for v in values if not (isinstance(v, int | float) and not isinstance(v, bool)
                                     and low <= v <= high and not (kind is int
                                                                   and isinstance(v, float)))]
    return list({_toml(v): v for v in bad}.values())


CASES = [
    pytest.param(section, item.name, value, id=f"{section}.{item.name}={_toml(value)}")
    for section, cls in SECTIONS.items()
    for item in dataclasses.fields(cls)
    for value in _bad_values(*item.metadata["range"])
]


def test_every_number_declares_a_range() -> None:
    for cls in SECTIONS.values():
        for item in dataclasses.fields(cls):
            assert "range" in item.metadata, f"{cls.__name__}.{item.name} has no range"


@pytest.mark.parametrize(("section", "key", "value"), CASES)
def test_an_out_of_range_value_is_one_line_naming_key_and_range(
    tmp_path: Path, section: str, key: str, value: object
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[{section}]\n{key} = {_toml(value)}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(config)
    message = str(raised.value)
    assert "\n" not in message
    assert f"{section}.{key} must be" in message
    assert " from " in message and " to " in message
    lenient = load_config(config, lenient=True)
    assert lenient.problems == (message,)
    assert getattr(lenient, section) == SECTIONS[section]()  # the default, not the bad value


def test_values_in_range_are_used(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[fetch]\ndeadline = 5\nconcurrency = 4\nrefresh_deadline = 30.5\n"
                      "retention_days = 30\nmax_redirects = 0\n", encoding="utf-8")
    fetch = load_config(config).fetch
    assert (fetch.deadline, fetch.concurrency, fetch.refresh_deadline, fetch.retention_days,
            fetch.max_redirects) == (5.0, 4, 30.5, 30, 0)
    assert isinstance(fetch.deadline, float)


def test_the_issue_s_values_each_stop_a_command(isolated_home: Path) -> None:
    """The values the issue found running (failing every feed with a confusing reason)."""
    config = isolated_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    for line, allowed in [("deadline = -1", "from 0.1 to 3600 seconds"),
                          ("deadline = nan", "from 0.1 to 3600 seconds"),
                          ("read_timeout = 0", "from 0.1 to 300 seconds"),
                          ("connect_timeout = -5", "from 0.1 to 300 seconds"),
                          ("max_bytes = -1", "from 1024 to 1073741824 bytes"),
                          ("max_redirects = -1", "a whole number from 0 to 20"),
                          ("concurrency = 0", "a whole number from 1 to 256")]:
        config.write_text(f"[fetch]\n{line}\n", encoding="utf-8")
        key, _, value = line.partition(" = ")
        result = run_reader("refresh", home=isolated_home)
        assert result.returncode == 2, result
        assert result.stderr.startswith(f"reader: error: config {config}: fetch.{key} must be")
        assert allowed in result.stderr and result.stderr.endswith(f", not {value}\n")
        assert result.stdout == ""


def test_other_values_are_checked_too(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    for text, message in [
        ("seed_dirs = 3", "seed_dirs must be a list of strings"),
        ('seed_dirs = ["a", 1]', "seed_dirs must be a list of strings"),
        ("theme = 3", "theme must be a theme name"),
        ("[keymap]\n'story.next' = 3", "keymap.story.next must be a key name"),
        ("fetch = 3", "[fetch] must be a table"),
    ]:
        config.write_text(text + "\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=message.replace("[", r"\[")):
            load_config(config)
        assert len(load_config(config, lenient=True).problems) == 1


async def test_the_app_shows_a_bad_value_and_uses_the_default(isolated_home: Path) -> None:
    paths = resolve_paths(isolated_home)
    paths.config_file.parent.mkdir(parents=True)
    paths.config_file.write_text("[fetch]\nconcurrency = 0\n", encoding="utf-8")
    config = load_config(paths.config_file, lenient=True)
    assert config.fetch.concurrency == 16
    app = create_app(paths, config)
    async with app.run_test() as pilot:
        await settle(pilot)
        notes = [n.message for n in app._notifications]
        assert any("fetch.concurrency must be a whole number from 1 to 256, not 0" in n
                   for n in notes), notes


def test_the_app_loads_the_config_leniently_and_commands_strictly(isolated_home: Path) -> None:
    config = isolated_home / "config" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[fetch]\nconcurrency = 0\nper_host = 99\n", encoding="utf-8")
    context = Context.create(str(isolated_home), [], lenient_config=True)
    assert context.config.fetch == FetchSettings()
    assert [p.split(": ", 1)[1] for p in context.config.problems] == [
        "fetch.concurrency must be a whole number from 1 to 256, not 0",
        "fetch.per_host must be a whole number from 1 to 16, not 99"]
    result = run_reader("list", home=isolated_home)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.endswith("fetch.concurrency must be a whole number from 1 to 256,"
                                  " not 0\n")

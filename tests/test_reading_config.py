"""The reading keys of the config: ``mark_read_on`` is checked on load, and the story list's
order per view (``[sort]``) is written back touching only its own entry."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from reader.config import ConfigError, load_config, save_sort_order

MINE = """\
# my config, with comments that must survive
theme = "nord"  # the theme

[keymap]
"list.down" = "n"

[sort]
# per view
"all" = "newest"  # what I like
"source:Old" = "oldest"

[fetch]
concurrency = 4
"""


def test_mark_read_on_is_open_or_preview(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    assert load_config(config).reading.mark_read_on == "open"
    config.write_text('mark_read_on = "preview"\n')
    assert load_config(config).reading.mark_read_on == "preview"
    config.write_text('mark_read_on = "never"\n')
    with pytest.raises(ConfigError, match='mark_read_on must be one of "open", "preview",'
                                          " not 'never'"):
        load_config(config)
    lenient = load_config(config, lenient=True)
    assert lenient.reading.mark_read_on == "open" and len(lenient.problems) == 1


def test_a_bad_sort_order_is_one_line_and_left_out(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[sort]\nall = "sideways"\n"source:A" = "oldest"\n')
    with pytest.raises(ConfigError, match=r"sort\.'all' must be one of"):
        load_config(config)
    assert load_config(config, lenient=True).sort == {"source:A": "oldest"}


def test_the_sort_order_is_written_back_touching_only_its_entry(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(MINE)
    save_sort_order(config, "all", "unread")
    assert config.read_text() == MINE.replace('"all" = "newest"', '"all" = "unread"')
    hostile = 'source:Evil "x"\n\x1b[31m\\'
    save_sort_order(config, hostile, "source")
    text = config.read_text()
    assert text.startswith(MINE.split('"all"')[0])  # everything before the table as it was
    assert text.endswith("[fetch]\nconcurrency = 4\n")
    assert load_config(config).sort == {"all": "unread", "source:Old": "oldest",
                                        hostile: "source"}
    assert tomllib.loads(text)["keymap"] == {"list.down": "n"}


def test_a_new_file_or_table_gets_the_entry(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    save_sort_order(config, "all", "oldest")
    assert config.read_text() == '[sort]\n"all" = "oldest"\n'
    config.write_text('theme = "nord"')  # no newline at the end
    save_sort_order(config, "all", "source")
    assert config.read_text() == 'theme = "nord"\n\n[sort]\n"all" = "source"\n'


def test_a_sort_table_it_cannot_edit_safely_is_left_alone(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('sort = { all = "oldest" }\n')
    with pytest.raises(ConfigError, match="cannot remember the sort order"):
        save_sort_order(config, "all", "newest")
    assert config.read_text() == 'sort = { all = "oldest" }\n'

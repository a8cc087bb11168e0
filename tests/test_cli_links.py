"""``reader show`` with numbered links and enclosures, and ``reader save`` (issue 16).

Run in-process through ``reader.cli.main.main`` (the same entry point as the command) on a
real cache file holding a real podcast episode (ATP) and a real heise story.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from realfeed_files import real_story

from reader.cli.main import main
from reader.models import FeedFetched, StoryDraft
from reader.store import Store
from reader.store.feeds import add_feed, record_refresh

EPISODE = "311: Mutually Assured Destruction"
HEISE = "RISC-V-Prozessor aus China: LeapFive NB2 verspricht Raspi-Rechenleistung"


def stored(home: Path, *drafts: StoryDraft) -> dict[str, str]:
    """The drafts in a cache under ``home``: title → story id."""
    with Store.open(home / "data" / "cache.sqlite3") as store:
        feed_id = add_feed(store, "https://feeds.example/f", "Feeds")
        record_refresh(store, feed_id, FeedFetched(drafts=drafts))
        return {d.title: store.find_titles(d.title.split()[:3])[0][0] for d in drafts}


@pytest.fixture
def cache(isolated_home: Path) -> dict[str, str]:
    return stored(isolated_home, real_story("nnw__atp.rss", EPISODE),
                  real_story("news__heise.xml", HEISE))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def test_show_prints_the_enclosure_and_the_numbered_links(
        cache: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "show", cache[EPISODE])
    lines = out.splitlines()
    assert status == 0
    assert lines[3:5] == ["http://atp.fm/episodes/311",
                          "▶ audio/mpeg · 55 MB · 1:54:09 — "
                          "http://traffic.libsyn.com/atpfm/atp311.mp3"]
    assert "  - Wireless Accessory Config[1]" in lines
    links = lines[lines.index("Links:") + 1:]
    assert links[1] == "  2. TechCrunch summary — https://techcrunch.com/2019/01/29/facebook-" \
                       "project-atlas/"
    assert "](" not in out  # no Markdown link syntax left in plain output


def test_show_reads_heise_pictures_as_words(cache: dict[str, str],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "show", cache[HEISE])
    assert "\n[image][1]\n" in out and "![" not in out
    assert "Links:\n  1. image — https://www.heise.de/news/RISC-V-Prozessor" in out


def test_show_json_adds_links_and_enclosures(cache: dict[str, str],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "show", cache[EPISODE], "--json")
    shown = json.loads(out)
    assert shown["enclosures"] == [{"url": "http://traffic.libsyn.com/atpfm/atp311.mp3",
                                    "type": "audio/mpeg", "length": 54919661,
                                    "duration": 6849}]
    assert shown["links"][0] == {"n": 1, "text": "Wireless Accessory Config",
                                 "url": "https://developer.apple.com/library/archive/featured"
                                        "articles/ExternalAccessoryPT/Introduction/Introduction"
                                        ".html#//apple_ref/doc/uid/TP40009502"}
    assert [link["n"] for link in shown["links"]] == list(range(1, len(shown["links"]) + 1))


def test_save_writes_a_new_file_each_time_and_prints_its_path(
        cache: dict[str, str], isolated_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, first, _ = run(capsys, "save", cache[EPISODE])
    name = "2019-01-31 311 - Mutually Assured Destruction.md"
    assert first == f"{isolated_home / 'saved' / name}\n"
    folder = isolated_home / "elsewhere"
    _, second, _ = run(capsys, "save", cache[EPISODE], str(folder))
    _, third, _ = run(capsys, "save", cache[EPISODE], str(folder))
    assert Path(third.strip()).name == "2019-01-31 311 - Mutually Assured Destruction (2).md"
    text = Path(second.strip()).read_text(encoding="utf-8")
    assert text.startswith("# 311: Mutually Assured Destruction\n\nFeeds · ATP · 2019-01-31 16:58"
                           "\n\n<http://atp.fm/episodes/311>\n\n▶ audio/mpeg · 55 MB · 1:54:09 — "
                           "<http://traffic.libsyn.com/atpfm/atp311.mp3>\n")
    assert "\n## Links\n\n1. Wireless Accessory Config — <https://developer.apple.com/" in text


def test_save_into_a_file_is_one_error_line(cache: dict[str, str], isolated_home: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    blocker = isolated_home / "a-file"
    blocker.write_text("x")
    status, out, err = run(capsys, "save", cache[EPISODE], str(blocker))
    assert (status, out) == (2, "")
    assert err.startswith(f"reader: error: cannot save into {blocker}: ") and err.count("\n") == 1

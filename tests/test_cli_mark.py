"""``reader mark`` in a subprocess, as a person or a script runs it: selectors combine with AND,
the line and the JSON say how many stories changed, and every bad input is one error line,
exit status 2, and a cache left exactly as it was."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import run_reader

from reader.cli.context import Context
from reader.filters import FilterRule, Screen
from reader.models import FeedFetched, StoryDraft, View
from reader.store import Store
from reader.store.feeds import add_feed, record_refresh, set_group
from reader.store.marks import count_to_mark, mark_view

NOW = datetime.now(UTC)


def database(home: Path) -> Path:
    return Context.create(str(home), []).paths.database


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two feeds in the group "Tech" and one outside it, 4 stories each: story n is n * 10
    days old; "rust" is in the titles of stories 0 and 2."""
    home = tmp_path_factory.mktemp("mark") / "reader"
    run_reader("list", home=home, check=True)  # makes the cache, loads the seeds
    with Store.open(database(home)) as store:
        for name, group in (("Alpha", "Tech"), ("Beta", "tech"), ("Gamma", None)):
            source = store.ensure_source("feed", f"http://127.0.0.1/{name}.xml", name,
                                         url=f"http://127.0.0.1/{name}.xml", group=group)
            store.save_stories(source, [
                StoryDraft(key=str(n), title=f"{name} {n}{' rust' if n % 2 == 0 else ''}",
                           published=(NOW - timedelta(days=10 * n)).isoformat())
                for n in range(4)
            ])
    return home


def state(home: Path) -> dict[str, tuple[int, int]]:
    with Store.open(database(home)) as store:
        return {r[0]: (r[1], r[2]) for r in store.conn.execute(
            "SELECT s.title, st.read, st.starred FROM stories s"
            " JOIN story_state st ON st.story = s.rowid")}


def ids_of(home: Path, *titles: str) -> list[str]:
    with Store.open(database(home)) as store:
        return [store.conn.execute("SELECT id FROM stories WHERE title = ?",
                                   (t,)).fetchone()[0] for t in titles]


@pytest.mark.parametrize(("args", "error"), [
    ([], "say which stories: IDs, --source, --group, --query, --older-than, or --all"),
    (["ffffffffffff"], "no story with id 'ffffffffffff'"),
    (["--source", "Nowhere"], "no source named 'Nowhere' (sources: "),
    (["--group", "Cooking"], "no group named 'Cooking' (groups: "),
    (["--query", "source:nowhere"], "--query: no source matches 'nowhere'"),
    (["--query", "is:everything"], "--query: is:everything is not a filter"),
    (["--query", '""'], "--query: nothing to search for"),
    (["--older-than", "soon"], "argument --older-than: 'soon' is not a number of days"),
    (["--older-than", "-1"], "argument --older-than: '-1' is not a number of days (0 or more)"),
    (["--older-than", "nan"], "argument --older-than: 'nan' is not a number of days"),
    (["--all", "--source", "Alpha", "--group", "Nope"], "no group named 'Nope'"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_a_bad_selector_is_one_line_exit_2_and_nothing_changes(
    home: Path, args: list[str], error: str,
) -> None:
    before = state(home)
    result = run_reader("mark", "read", *args, home=home)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"reader: error: {error}"), result.stderr
    assert state(home) == before


def test_a_bad_action_is_one_line_too(home: Path) -> None:
    result = run_reader("mark", "archive", "--all", home=home)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("reader: error: argument action: invalid choice: 'archive'")
    assert len(result.stderr.splitlines()) == 1


def test_selectors_combine_and_the_counts_are_what_changed(home: Path) -> None:
    before = state(home)
    # Tech (Alpha and Beta, the group named in any case) AND "rust" AND older than 15 days:
    # Alpha 2 rust, Beta 2 rust.
    dry = run_reader("mark", "star", "--group", "TECH", "--query", "rust", "--older-than", "15",
                     "--dry-run", "--json", home=home, check=True)
    planned = json.loads(dry.stdout)
    assert planned == {"action": "star", "count": 2, "ids": planned["ids"], "dry_run": True}
    assert sorted(planned["ids"]) == sorted(ids_of(home, "Alpha 2 rust", "Beta 2 rust"))
    assert state(home) == before
    done = run_reader("mark", "star", "--group", "TECH", "--query", "rust", "--older-than",
                      "15", home=home, check=True)
    assert done.stdout == "2 stories starred\n"
    starred = {t for t, (_, s) in state(home).items() if s}
    assert starred == {"Alpha 2 rust", "Beta 2 rust"}
    again = run_reader("mark", "star", "--group", "tech", "--query", "rust", "--older-than", "15",
                       home=home, check=True)
    assert again.stdout == "0 stories starred\n"  # already starred: nothing changed
    # Ids (a prefix works) AND a source.
    alpha1, gamma1 = ids_of(home, "Alpha 1", "Gamma 1")
    one = run_reader("mark", "read", alpha1[:6], gamma1, "--source", "gamma", home=home,
                     check=True)
    assert one.stdout == "1 story marked read\n"
    assert state(home)["Gamma 1"][0] == 1 and state(home)["Alpha 1"][0] == 0
    # --all: every story; the JSON names what changed.
    every = run_reader("mark", "read", "--all", "--json", home=home, check=True)
    result = json.loads(every.stdout)
    assert result["action"] == "read" and result["count"] == len(before) - 1
    assert len(result["ids"]) == result["count"] and result["dry_run"] is False
    assert all(read for read, _ in state(home).values())
    back = run_reader("mark", "unread", "--source", "Alpha", home=home, check=True)
    assert back.stdout == "4 stories marked unread\n"


def test_json_names_at_most_1000_ids_and_counts_them_all(
        tmp_path: Path, first_run: Callable[[Path], Path]) -> None:
    home = first_run(tmp_path / "reader")
    with Store.open(database(home)) as store:
        source = store.ensure_source("feed", "http://127.0.0.1/many.xml", "Many")
        store.save_stories(source, [
            StoryDraft(key=str(n), title=f"Many {n}",
                       published=(NOW - timedelta(minutes=n)).isoformat())
            for n in range(1_005)
        ])
    for dry in (["--dry-run"], []):
        result = json.loads(run_reader("mark", "star", "--source", "Many", "--json", *dry,
                                       home=home, check=True).stdout)
        assert result["count"] == 1_005 and len(set(result["ids"])) == 1_000
        assert result["dry_run"] is bool(dry)
    assert sum(starred for _, starred in state(home).values()) == 1_005


def test_a_bulk_mark_leaves_out_what_a_filter_hid_as_the_app_does(
        tmp_path: Path, first_run: Callable[[Path], Path]) -> None:
    """Hidden stories are in no view, so marking a source, a folder, an age or --all leaves
    them as they were, with the same count the app's A asks about for the same view; a search
    that says is:hidden takes them, and so does naming one by id."""
    home = first_run(tmp_path / "reader")
    with Store.open(database(home)) as store:
        feed = add_feed(store, "http://127.0.0.1:9/deals.xml", "Deals")
        set_group(store, feed, "Shopping")
        screen = Screen([FilterRule(1, "sponsored", "hide")], [s.name for s in store.sources()])
        record_refresh(store, feed, FeedFetched(drafts=tuple(
            StoryDraft(key=str(n), title=f"Deal {n}{' sponsored' if n < 2 else ''}",
                       published=(NOW - timedelta(days=10 * n)).isoformat())
            for n in range(5))), screen=screen)
        store.index_pending()
        asked = {name: count_to_mark(store, view, "read", True) for name, view in (
            ("source", View(source_id=feed)), ("group", View(group="Shopping")),
            ("all", View()), ("hidden", View(query="is:hidden")))}
    seeds = asked["all"] - 3
    assert asked == {"source": 3, "group": 3, "all": seeds + 3, "hidden": 2}

    def marked(*args: str) -> int:
        dry = json.loads(run_reader("mark", "read", *args, "--dry-run", "--json", home=home,
                                    check=True).stdout)
        done = json.loads(run_reader("mark", "read", *args, "--json", home=home,
                                     check=True).stdout)
        assert dry["count"] == done["count"] and sorted(dry["ids"]) == sorted(done["ids"])
        if done["ids"]:  # as it was
            run_reader("mark", "unread", *done["ids"], home=home, check=True)
        return int(done["count"])

    assert marked("--source", "Deals") == asked["source"]
    assert marked("--group", "shopping") == asked["group"]
    assert marked("--all") == asked["all"]
    assert marked("--source", "Deals", "--older-than", "5") == 3  # Deal 1 is hidden, 2-4 not
    assert marked("--query", "deal", "--source", "Deals") == 3  # a search skips them too
    assert marked("--query", "sponsored") == 0
    assert marked("--query", "is:hidden") == asked["hidden"]
    assert marked("--source", "Deals", "--query", "is:hidden") == 2
    assert marked(*ids_of(home, "Deal 0 sponsored")) == 1  # named: marked
    assert not any(read for title, (read, _) in state(home).items() if title.startswith("Deal"))
    with Store.open(database(home)) as store:  # what the app's A does on the feed's view
        assert len(mark_view(store, View(source_id=feed), "read", True).rows) == 3
    assert {t for t, (read, _) in state(home).items() if t.startswith("Deal") and not read} \
        == {"Deal 0 sponsored", "Deal 1 sponsored"}

"""Loading folders of article files into a real cache file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import needs_permissions

from reader.models import View
from reader.seed.loader import (
    SeedDirError,
    bundled_seed_dir,
    load_seed_articles,
    load_seed_dir,
    user_seed_dir,
)
from reader.store import Store

HEADLINE = "UK.gov apologises for Tory-bashing child database memo"
RELATED_TITLES = [
    "Zuckerberg sued for alleged role in Cambridge Analytica data-slurp scandal",
    "Florida's content-moderation law kept on ice, likely unconstitutional, court says",
    "US-APAC trade deal leaves out Taiwan, military defense not ruled out",
]


def write_article(path: Path, headline: str, body: str = "Body.",
                  related: tuple[str, ...] = ()) -> Path:
    items = "".join(f"  • {title}\n    About {title}\n\n    Teaser.\n\n    Continue reading\n"
                    for title in related)
    section = f"Other stories you might like\n\n{items}\nSite footer\n" if related else ""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{headline}\n\nStandfirst of {headline}\n\n{body}\n\n{section}",
                    encoding="utf-8")
    return path


def touch_later(path: Path) -> None:
    """Make sure the loader sees a new modification time, however coarse the file system's."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))


def titles(store: Store) -> list[str]:
    return [story.title for story in store.iter_view(View())]


def table_counts(store: Store) -> dict[str, int]:
    return {
        table: store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("sources", "stories", "story_state", "story_links")
    }


def test_bundled_seed_loads_four_stories_with_three_links(store: Store) -> None:
    report = load_seed_articles(store, [bundled_seed_dir()])
    assert (report.new, report.warnings) == (4, ())
    assert sorted(titles(store)) == sorted([HEADLINE, *RELATED_TITLES])
    main = next(s for s in store.iter_view(View()) if s.title == HEADLINE)
    related = store.explicit_related(main)
    assert [(r.title, r.kind) for r in related] == [(t, "explicit") for t in RELATED_TITLES]
    assert all(r.teaser for r in related)
    assert table_counts(store)["story_links"] == 3
    for item in related:
        story = store.get_story(item.id)
        assert story.teaser and story.source == "seeds"
        assert [(r.id, r.kind) for r in store.explicit_related(story)] == [
            (main.id, "recommended-by")
        ]
    assert (main.url, main.author, main.published, main.teaser) == (None, None, None, False)
    assert main.body.count("\n\n") == 13


def test_ids_are_stable_across_separate_cache_files(tmp_path: Path) -> None:
    ids = []
    for name in ("one.sqlite3", "two.sqlite3"):
        with Store.open(tmp_path / name) as store:
            load_seed_articles(store, [bundled_seed_dir()])
            ids.append(sorted((s.title, s.id) for s in store.iter_view(View())))
    assert ids[0] == ids[1]
    assert len({story_id for _, story_id in ids[0]}) == 4


def test_reload_is_idempotent(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    write_article(folder / "a.txt", "Alpha", related=("Beta teaser",))
    dirs = [bundled_seed_dir(), user_seed_dir(folder)]
    load_seed_articles(store, dirs)
    before = table_counts(store)
    assert before == {"sources": 2, "stories": 6, "story_state": 6, "story_links": 4}

    again = load_seed_articles(store, dirs)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)  # both folders skipped
    forced = load_seed_dir(store, dirs[1], force=True)
    assert (forced.new, forced.updated, forced.unchanged) == (0, 0, 2)
    assert table_counts(store) == before


def test_edited_file_updates_in_place_and_keeps_state(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    path = write_article(folder / "a.txt", "Alpha", body="Old words.", related=("Beta",))
    seed_dir = user_seed_dir(folder)
    load_seed_dir(store, seed_dir)
    alpha = next(s for s in store.iter_view(View()) if s.title == "Alpha")
    store.set_read(alpha.id, True)
    store.set_starred(alpha.id, True)

    write_article(path, "Alpha, revised", body="New words.", related=("Beta",))
    touch_later(path)
    report = load_seed_dir(store, seed_dir)
    assert (report.new, report.updated, report.unchanged) == (0, 1, 1)
    edited = store.get_story(alpha.id)
    assert (edited.title, edited.body) == ("Alpha, revised", "New words.")
    assert (edited.read, edited.starred) == (True, True)
    assert table_counts(store)["stories"] == 2


def test_edited_file_that_drops_a_related_item_drops_the_link(
    store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    path = write_article(folder / "a.txt", "Alpha", related=("Beta", "Gamma"))
    seed_dir = user_seed_dir(folder)
    load_seed_dir(store, seed_dir)
    alpha = next(s for s in store.iter_view(View()) if s.title == "Alpha")
    assert [r.title for r in store.explicit_related(alpha)] == ["Beta", "Gamma"]

    write_article(path, "Alpha", related=("Gamma",))
    touch_later(path)
    load_seed_dir(store, seed_dir)
    assert [r.title for r in store.explicit_related(alpha)] == ["Gamma"]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("latin1.txt", "Caf\u00e9 headline\n\nStandfirst\n".encode("latin-1"), "UTF-8"),
        ("empty.txt", b"\n\n", "no headline"),
    ],
)
def test_bad_file_gives_one_warning_and_the_rest_load(
    store: Store, tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    folder = tmp_path / "articles"
    write_article(folder / "good-1.txt", "Good one")
    write_article(folder / "sub" / "good-2.txt", "Good two")
    (folder / name).write_bytes(data)
    report = load_seed_articles(store, [user_seed_dir(folder)])
    assert len(report.warnings) == 1
    assert str(folder / name) in report.warnings[0]
    assert reason in report.warnings[0]
    assert sorted(titles(store)) == ["Good one", "Good two"]


@needs_permissions
def test_unreadable_file_gives_one_warning(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    write_article(folder / "good.txt", "Good")
    locked = write_article(folder / "locked.txt", "Locked")
    locked.chmod(0)
    try:
        report = load_seed_articles(store, [user_seed_dir(folder)])
    finally:
        locked.chmod(0o644)
    assert len(report.warnings) == 1 and str(locked) in report.warnings[0]
    assert titles(store) == ["Good"]


def test_missing_folder_is_refused_before_loading(tmp_path: Path) -> None:
    with pytest.raises(SeedDirError, match="does not exist"):
        user_seed_dir(tmp_path / "nowhere")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(SeedDirError):
        user_seed_dir(tmp_path / "file.txt")


def test_related_item_matching_an_article_links_to_it(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    write_article(folder / "a.txt", "Alpha", related=("Beta: the whole story!", "Gamma"))
    write_article(folder / "b.txt", "Beta — the whole story", body="All of Beta.")
    load_seed_dir(store, user_seed_dir(folder))
    stories = {s.title: s for s in store.iter_view(View())}
    assert sorted(stories) == ["Alpha", "Beta — the whole story", "Gamma"]
    related = store.explicit_related(stories["Alpha"])
    assert [(r.id, r.teaser) for r in related] == [
        (stories["Beta — the whole story"].id, False), (stories["Gamma"].id, True)
    ]
    assert stories["Beta — the whole story"].body == "All of Beta."


def test_furniture_is_kept_in_source_meta_only(store: Store) -> None:
    load_seed_articles(store, [bundled_seed_dir()])
    source = store.source_by_name("seeds")
    assert source is not None
    meta = store.source_meta(source.id)
    assert meta["furniture"] == {
        "register-contactpoint-memo-apology.txt": ["Biting the hand that feeds IT © 1998–2022"]
    }
    for story in store.iter_view(View()):
        for text in (story.title, story.standfirst, story.body):
            assert "Biting the hand" not in text
            assert "Continue reading" not in text


def test_markup_like_text_is_stored_as_escaped_markdown(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    write_article(folder / "a.txt", "Marked", body="See [PDF] and [bold]x[/bold] *now*.")
    load_seed_dir(store, user_seed_dir(folder))
    (story,) = store.iter_view(View())
    assert story.body == r"See \[PDF\] and \[bold\]x\[/bold\] \*now\*."


# -- files that are not articles, and files that failed -------------------------------------------


def odd_entries(folder: Path) -> dict[str, str]:
    """A ``.txt`` entry of every kind that is not a readable article, with the reason its
    warning gives."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "loop-a.txt").symlink_to(folder / "loop-b.txt")
    (folder / "loop-b.txt").symlink_to(folder / "loop-a.txt")
    (folder / "dangling.txt").symlink_to(folder / "nowhere.txt")
    os.mkfifo(folder / "fifo.txt")
    (folder / "x.txt").mkdir()
    write_article(folder / "x.txt" / "inside.txt", "Inside a folder named x.txt")
    with (folder / "sparse.txt").open("wb") as file:
        file.truncate(1024 ** 3)
    return {
        "loop-a.txt": "it is a symlink loop",
        "loop-b.txt": "it is a symlink loop",
        "dangling.txt": "it is a link to nothing",
        "fifo.txt": "it is a FIFO (named pipe), not a file",
        "x.txt": "it is a folder, not a file",
        "sparse.txt": "it is larger than 64 MB",
    }


def test_every_skipped_entry_gives_its_warning(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    write_article(folder / "good.txt", "Good")
    expected = odd_entries(folder)
    for _ in range(2):  # the first load and an unchanged one: the same warnings
        report = load_seed_articles(store, [user_seed_dir(folder)])
        assert sorted(report.warnings) == sorted(
            f"skipped {folder / name}: {reason}" for name, reason in expected.items())
    assert sorted(titles(store)) == ["Good", "Inside a folder named x.txt"]


def test_a_file_that_failed_is_not_read_again_until_it_changes(
    store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "articles"
    write_article(folder / "good.txt", "Good")
    empty = folder / "empty.txt"
    empty.write_text("\n")
    first = load_seed_articles(store, [user_seed_dir(folder)])
    assert first.warnings == (f"skipped {empty}: no headline: the file holds no text",)
    assert first.new == 1
    empty.chmod(0)  # were it read again, the reason would change (as root: still unread)
    try:
        again = load_seed_articles(store, [user_seed_dir(folder)])
    finally:
        empty.chmod(0o644)
    assert again.warnings == first.warnings  # remembered, not read
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    write_article(empty, "Now an article")
    touch_later(empty)
    fixed = load_seed_articles(store, [user_seed_dir(folder)])
    assert (fixed.warnings, fixed.new) == ((), 1)
    assert sorted(titles(store)) == ["Good", "Now an article"]


def test_an_unchanged_folder_with_a_failed_file_parses_nothing(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "articles"
    write_article(folder / "big.txt", "Big", body="word " * 100_000)
    (folder / "empty.txt").write_text("")
    load_seed_articles(store, [user_seed_dir(folder)])
    import reader.seed.loader as loader

    def no_reading(path: Path) -> object:
        raise AssertionError(f"read {path} again")

    monkeypatch.setattr(loader, "read_article", no_reading)
    report = load_seed_articles(store, [user_seed_dir(folder)])
    assert report.unchanged == 1 and len(report.warnings) == 1


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda tmp: tmp / "nowhere", "does not exist"),
        (lambda tmp: _symlink_loop(tmp), "it is a symlink loop"),
        (lambda tmp: Path("/dev/zero"), "it is a device, not a folder"),
        (lambda tmp: _fifo(tmp), "it is a FIFO (named pipe), not a folder"),
        (lambda tmp: _file(tmp), "it is a file, not a folder"),
    ],
)
def test_a_seed_folder_that_is_not_one_is_refused_in_words(
    tmp_path: Path, make: object, reason: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(SeedDirError) as raised:
        user_seed_dir(path)
    assert str(raised.value).startswith(f"seed folder {str(path)!r}")
    assert reason in str(raised.value)


def _symlink_loop(tmp: Path) -> Path:
    (tmp / "a").symlink_to(tmp / "b")
    (tmp / "b").symlink_to(tmp / "a")
    return tmp / "a"


def _fifo(tmp: Path) -> Path:
    os.mkfifo(tmp / "fifo")
    return tmp / "fifo"


def _file(tmp: Path) -> Path:
    (tmp / "file.txt").write_text("x")
    return tmp / "file.txt"

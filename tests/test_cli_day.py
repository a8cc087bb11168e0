"""The command line as a person switching from newsboat uses it for a day: the mistakes they
make (an option after the command, a misspelt command or option, a source named from memory)
and what a refresh or ``add`` says when the network lets them down. Each runs the real
``reader`` in a subprocess, as ``tests/test_cli.py`` does."""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from config_support import with_fetch_settings, write_config
from conftest import run_reader
from feed_server import FeedServer, rss2, static

from reader.cli.output import SOURCE_COLUMNS, source_column


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one ``reader: error:`` line of a mistake (exit 2, nothing on stdout)."""
    assert (result.returncode, result.stdout) == (2, ""), result
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("reader: error: "), result.stderr
    return lines[0]


# -- the options of every command, after the command too ---------------------------------------


def test_home_and_seeds_work_after_the_command(isolated_home: Path, tmp_path: Path) -> None:
    """``reader list --home DIR``: README says --home and --seeds are options for every
    command, and they were refused after it (``unrecognized arguments: --home DIR``)."""
    chosen, articles, more = tmp_path / "chosen", tmp_path / "mine", tmp_path / "more"
    for folder, headline in ((articles, "My own article"), (more, "Another of mine")):
        folder.mkdir()
        (folder / "a.txt").write_text(f"{headline}\n\nStandfirst\n\nBody.\n", encoding="utf-8")
    result = run_reader("--seeds", str(articles), "list", "--home", str(chosen),
                        "--seeds", str(more), "--json", home=isolated_home)
    assert (result.returncode, result.stderr) == (0, "")
    titles = {json.loads(line)["title"] for line in result.stdout.splitlines()}
    assert {"My own article", "Another of mine"} <= titles and len(titles) == 6
    assert (chosen / "data" / "cache.sqlite3").is_file() and not isolated_home.exists()
    later = run_reader("--home", str(tmp_path / "not-this"), "list", "--home", str(chosen),
                       home=isolated_home)
    assert later.returncode == 0 and len(later.stdout.splitlines()) == 6  # the last one counts
    assert not (tmp_path / "not-this").exists()


# -- misspellings: the close ones are named ---------------------------------------------------


@pytest.mark.parametrize(("args", "said"), [
    (["lsit"], "reader: error: unknown command 'lsit'; did you mean 'list'?"
               " (see 'reader --help')"),
    (["serch", "memo"], "did you mean 'search' or 'searches'?"),
    (["list", "--unred"], "reader: error: unknown option '--unred' for 'reader list'; did you"
                          " mean --unread? (see 'reader list --help')"),
    (["refresh", "--jsn"], "for 'reader refresh'; did you mean --json?"),
    (["--hme", "somewhere", "list"], "unknown option '--hme' for 'reader'; did you mean --home"),
    (["--bogus", "list"], "unknown option '--bogus' for 'reader' (see 'reader --help')"),
    (["search", "memo", "-tory"], "unknown option '-tory' for 'reader search'; put -- before a"
                                  " query that starts with -: reader search -- -tory"),
    (["mark", "raed", "--all"], "invalid choice: 'raed' (choose from 'read', 'unread', 'star',"
                                " 'unstar'); did you mean 'read'"),
    (["show", "abcd", "efgh"], "unexpected word: efgh (quote a value that has spaces)"
                               " (see 'reader show --help')"),
])
def test_a_misspelling_names_the_close_ones(isolated_home: Path, args: list[str],
                                            said: str) -> None:
    """argparse said ``unrecognized arguments: --unred (see 'reader --help')``, and took
    ``reader --hme DIR list``'s DIR for the command (``invalid choice: 'DIR'``)."""
    assert said in one_error_line(run_reader(*args, home=isolated_home))
    assert not isolated_home.exists()  # a mistake touches nothing


# -- a source named from memory ---------------------------------------------------------------


SOURCES = ["heise online News", "heise developer", "Daring Fireball", "Daring Fireball (2)",
           "The Guardian", "Slashdot", "Golem.de", "Ars Technica", "NASA Breaking News"]


@pytest.fixture
def many_sources(isolated_home: Path, tmp_path: Path) -> Path:
    """A home whose config loads a seed folder (a source) for each of ``SOURCES``."""
    folders = []
    for name in SOURCES:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "a.txt").write_text(f"A story of {name}\n\nIts standfirst\n\nIts body.\n",
                                      encoding="utf-8")
        folders.append(json.dumps(str(folder)))
    write_config(isolated_home, f"seed_dirs = [{', '.join(folders)}]\n")
    return isolated_home


@pytest.mark.parametrize(("args", "said"), [
    (["list", "--source", "heise"], "reader: error: no source named 'heise' (did you mean"
     " 'heise developer' or 'heise online News'? see 'reader feeds')"),
    (["mark", "read", "--source", "dairing"], "no source named 'dairing' (did you mean"
     " 'Daring Fireball' or 'Daring Fireball (2)'? see 'reader feeds')"),
    (["fulltext", "--source", "gardian", "--missing"], "(did you mean 'The Guardian'?"),
    (["list", "--source", "nope"], "no source named 'nope' (see 'reader feeds' for all 10)"),
    (["mark", "read", "--group", "news"], "no group named 'news' (there are no groups)"),
])
def test_an_unknown_source_names_those_like_it(many_sources: Path, args: list[str],
                                               said: str) -> None:
    """Every command says the same, and only the names that look like the one typed: with
    200 feeds, ``list --source nope`` was one line of 5,000 characters naming every one,
    ``mark`` said the same, ``fulltext`` only "see 'reader feeds'"."""
    line = one_error_line(run_reader(*args, home=many_sources))
    assert said in line and len(line) < 200


# -- what add and refresh say when the network lets them down ---------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    running = FeedServer()
    running.routes["/ok"] = static(rss2("Good feed", [("g1", "A story")]))
    running.routes["/news"] = static(rss2("Zeta News", [("n1", "News one"), ("n2", "News two")]))
    running.routes["/blog"] = static(rss2("Alpha Blog", [("b1", "Blog one"), ("b2", "Blog two"),
                                                         ("b3", "Blog three")]))
    running.routes["/picture.png"] = static(b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png")
    running.routes["/object.json"] = static(b'{"status": "ok"}', "application/json")
    yield running
    running.stop()


@pytest.fixture
def home(isolated_home: Path) -> Path:
    return with_fetch_settings(isolated_home, deadline=5, connect_timeout=2)


@pytest.mark.parametrize(("path", "said"), [
    ("/picture.png", "/picture.png is not a feed: a PNG image"),
    ("/object.json", "/object.json is not a feed: a JSON object with the keys status"),
])
def test_add_says_once_what_the_document_is(server: FeedServer, home: Path, path: str,
                                            said: str) -> None:
    """It said ``… is not a feed: not a feed: a PNG image``."""
    line = one_error_line(run_reader("add", server.url(path), home=home))
    assert line.endswith(said) and line.count("not a feed") == 1


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def import_urls(home: Path, urls: list[str]) -> None:
    opml = home.parent / "feeds.opml"
    opml.write_text('<opml version="2.0"><body>' + "".join(
        f'<outline type="rss" xmlUrl="{url}"/>' for url in urls) + "</body></opml>")
    assert run_reader("import", str(opml), home=home).returncode == 0



def test_a_refresh_that_fetched_nothing_exits_1(server: FeedServer, home: Path) -> None:
    """The server stopped (or the network down): every feed fails, and the refresh said so
    but exited 0, as one where every feed was fetched does. A refresh where some feeds fail
    still exits 0; a failing feed without a title of its own is named by its URL once."""
    port = closed_port()
    dead = [f"http://127.0.0.1:{port}/a.xml", f"http://127.0.0.1:{port}/b.xml"]
    import_urls(home, dead)
    for args in (["refresh"], ["refresh", "--json"], ["refresh", dead[0]]):
        result = run_reader(*args, home=home)
        assert (result.returncode, result.stderr) == (1, ""), result
    lines = run_reader("refresh", home=home).stdout.splitlines()
    assert lines[-1] == "2 feeds: 0 ok, 0 not modified, 2 failed; 0 new stories"
    assert lines[0] == (f"failed {dead[0]}: 127.0.0.1 refused the connection"
                        " (nothing listens there)")
    import_urls(home, [server.url("/ok")])
    some = run_reader("refresh", home=home)
    assert some.returncode == 0, some
    assert some.stdout.splitlines()[-1] == "3 feeds: 1 ok, 0 not modified, 2 failed; 1 new story"


# -- the list's source column ----------------------------------------------------------------


@pytest.mark.parametrize(("source", "shown"), [
    ("Golem.de", "Golem.de          "),
    ("heise developer neueste Meldungen", "heise developer n…"),
    ("投资资讯网交易在线--流通纪念币", "投资资讯网交易在… "),
    ("Новости Оренбурга и области", "Новости Оренбурга…"),
    ("Cafe\u0301 society", "Cafe\u0301 society      "),
])
def test_the_source_column_is_cut_by_cells_and_says_so(source: str, shown: str) -> None:
    """A name was cut at 18 characters with nothing to say so (``Dave Winer: Gratef``), and
    a Chinese one, two cells a character, pushed its row's title 16 cells to the right."""
    assert source_column(source) == shown
    wide = sum(2 if "\u4e00" <= char <= "\u9fff" else 0 if char == "\u0301" else 1
               for char in shown)
    assert wide == SOURCE_COLUMNS


# -- newsboat's urls file -----------------------------------------------------------------------


URLS_FILE = r"""# newsboat's ~/.newsboat/urls
https://example.org/one.xml "tech" "~My \"Podcast\"" linux
  https://example.org/two.xml "News/World"   # a comment after the tags
https://example.org/three.xml !hidden "~Third"
https://example.org/one.xml dup
"query:Unread:unread = \"yes\""
exec:~/bin/feed.sh tech
"""


def test_newsboat_s_urls_file_imports_with_its_tags_and_names(isolated_home: Path,
                                                              tmp_path: Path) -> None:
    """The file a person leaving newsboat has: newsboat 2.21's own export (``-e``, OPML 1.0)
    leaves out every tag, and ``reader import urls`` said "not valid XML". Its first tag is the
    feed's folder, ``~Name`` its title; the query feed and the exec: line are skipped with a
    warning each, the repeated URL is read once."""
    urls = tmp_path / "urls"
    urls.write_text(URLS_FILE, encoding="utf-8")
    result = run_reader("import", str(urls), home=isolated_home)
    assert result.returncode == 0, result
    assert result.stdout == "imported 3 feeds; run 'reader refresh' to fetch their stories\n"
    assert result.stderr.splitlines() == [
        f"reader: warning: {urls}: skipped the query feed 'Unread': here a saved search is"
        " 'reader search --save NAME QUERY'",
        f"reader: warning: {urls}: skipped 'exec:~/bin/feed.sh': not an http(s) feed URL",
        f"reader: warning: {urls}: 1 feed had more than one tag: each is in the folder of its"
        " first (a feed is in one folder here)",
    ]
    feeds = {feed["url"]: (feed["title"], feed["group"]) for feed in map(
        json.loads, run_reader("feeds", "--json", home=isolated_home).stdout.splitlines())}
    assert feeds == {"https://example.org/one.xml": ('My "Podcast"', "tech"),
                     "https://example.org/two.xml": ("https://example.org/two.xml", "News/World"),
                     "https://example.org/three.xml": ("Third", None)}


# -- list: every filter and order the app has --------------------------------------------------


def test_list_filters_and_sorts_as_the_app_does(server: FeedServer, home: Path) -> None:
    """``list`` had only --unread and --source; the app also narrows to a folder and to
    starred stories, and sorts four ways (``O``), and so does ``mark`` (--group)."""
    opml = home.parent / "feeds.opml"
    opml.write_text('<opml version="2.0"><body><outline text="Reading">'
                    f'<outline type="rss" xmlUrl="{server.url("/news")}"/></outline>'
                    f'<outline type="rss" xmlUrl="{server.url("/blog")}"/></body></opml>')
    assert run_reader("import", str(opml), home=home).returncode == 0
    assert run_reader("refresh", home=home).returncode == 0

    def titles(*args: str) -> list[str]:
        result = run_reader("list", "--json", *args, home=home)
        assert (result.returncode, result.stderr) == (0, ""), result
        return [story["title"] for story in map(json.loads, result.stdout.splitlines())]

    blog = ["Blog three", "Blog two", "Blog one"]
    assert titles("--group", "reading") == ["News two", "News one"]  # any case, as mark's
    assert titles("--source", "Alpha Blog", "--sort", "oldest") == blog[::-1]
    by_source = titles("--sort", "source")  # Alpha Blog, seeds, Zeta News
    assert (by_source[:3], by_source[-2:]) == (blog, ["News two", "News one"])
    [two] = [s for s in map(json.loads, run_reader("list", "--json", home=home).stdout
                            .splitlines()) if s["title"] == "Blog two"]
    assert run_reader("mark", "star", two["id"], home=home).returncode == 0
    assert run_reader("mark", "read", "--source", "Zeta News", home=home).returncode == 0
    assert titles("--starred") == ["Blog two"]
    assert titles("--sort", "unread")[-2:] == ["News two", "News one"]  # read: last
    assert titles("--unread", "--group", "Reading") == []
    assert "no group named 'Readng' (did you mean 'Reading'?" in one_error_line(
        run_reader("list", "--group", "Readng", home=home))


# -- small mistakes: a short id, a file for a folder -------------------------------------------


def test_a_short_id_says_how_long_one_must_be(isolated_home: Path) -> None:
    story = json.loads(run_reader("list", "--json", home=isolated_home).stdout.splitlines()[0])
    line = one_error_line(run_reader("show", story["id"][:3], home=isolated_home))
    assert line.endswith(f"no story with id '{story['id'][:3]}': give at least 4 of its 12 hex"
                         " digits")


def test_a_home_that_is_a_file_is_said_so_and_left_alone(isolated_home: Path,
                                                        tmp_path: Path) -> None:
    """It said ``cannot read config FILE/config/config.toml: Not a directory``."""
    plain = tmp_path / "plain"
    plain.write_text("mine\n")
    for args in (["--home", str(plain), "list"], ["list", "--home", str(plain)]):
        line = one_error_line(run_reader(*args, home=isolated_home))
        assert line == f"reader: error: the home folder {plain} is a file, not a folder"
    assert plain.read_text() == "mine\n"


def test_save_to_a_file_name(isolated_home: Path, tmp_path: Path) -> None:
    """``reader save ID story.md`` made a folder ``story.md`` with the story in it, and a DIR
    that is a file said only ``File exists``."""
    story = json.loads(run_reader("list", "--json", home=isolated_home).stdout.splitlines()[0])
    target = tmp_path / "notes" / "story.md"
    saved = run_reader("save", story["id"], str(target), home=isolated_home)
    assert (saved.returncode, saved.stdout, saved.stderr) == (0, f"{target}\n", "")
    assert target.read_text(encoding="utf-8").startswith(f"# {story['title']}\n")
    again = one_error_line(run_reader("save", story["id"], str(target), home=isolated_home))
    assert again.endswith(f"{target} is there already: a file is never overwritten")
    plain = tmp_path / "plain"
    plain.write_text("mine\n")
    into_file = one_error_line(run_reader("save", story["id"], str(plain), home=isolated_home))
    assert into_file.endswith(f"cannot save into {plain}: it is a file, not a folder")
    assert plain.read_text() == "mine\n"

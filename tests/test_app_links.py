"""Pilot tests of issue 16 in the app: numbered links, f, y/Y, e with openers, | and w.

Programs are real executables: small scripts that record the arguments they were given (one
JSON list a line) and what came on their input, so a test sees exactly what a program saw.
Every wait is for a message (``ProgramEnded``) or for the app to settle, never a sleep.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from textual import events
from textual.content import Content
from textual.drivers.headless_driver import HeadlessDriver
from textual.widgets.markdown import MarkdownBlock
from ui_support import (
    Messages,
    add_stories,
    find_story,
    main_screen,
    make_app,
    settle,
    status_text,
)

from reader.feeds.parse import parse_feed
from reader.models import Enclosure, StoryDraft
from reader.ui.app import ReaderApp
from reader.ui.messages import ProgramEnded
from reader.ui.screens.number_prompt import NumberPrompt
from reader.ui.widgets.story_markdown import StoryMarkdown

WIDE = (140, 40)


def fake_program(folder: Path, name: str, *, reads: bool = True) -> tuple[Path, Path]:
    """An executable that appends its arguments (and its input, if any) to a log. ``reads``
    False: it leaves its input alone (one that is given the test's own terminal)."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / f"{name}.log"
    script = folder / name
    script.write_text(
        f"#!{sys.executable}\nimport json, sys\n"
        + ("data = sys.stdin.read() if not sys.stdin.isatty() else ''\n" if reads
           else "data = ''\n") +
        f"with open({str(log)!r}, 'a') as f:\n"
        "    f.write(json.dumps({'argv': sys.argv[1:], 'input': data}) + '\\n')\n")
    script.chmod(0o755)
    return script, log


def calls(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def write_config(home: Path, text: str) -> None:
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "config.toml").write_text(text, encoding="utf-8")


async def open_story(app: ReaderApp, pilot: object, *words: str) -> None:
    await settle(pilot)  # type: ignore[arg-type]
    await main_screen(app).open_story(find_story(app, *words))
    await settle(pilot)  # type: ignore[arg-type]


def shown_lines(app: ReaderApp) -> list[Content]:
    """Each block of the story's body as drawn (its Content, styles and all)."""
    body = main_screen(app).reading_pane.query_one(StoryMarkdown)
    drawn = [block.render() for block in body.query(MarkdownBlock)]
    return [content for content in drawn if isinstance(content, Content) and content.plain]


RSS = """<rss version="2.0"><channel><title>Links</title><item><title>Many links</title>
<link>https://site.example/post</link><guid>p1</guid><description><![CDATA[
<p>See <a href="/about">about us</a>, <a href="https://x.example/a">a</a> and
<a href="/about">about again</a>. <img src="/pic.png" alt="a picture"></p>
<p>{more}</p>]]></description></item></channel></rss>"""


def many_links_feed(home: Path) -> None:
    more = " ".join(f'<a href="https://n.example/{n}">link {n}</a>' for n in range(3, 16))
    feed = parse_feed(RSS.format(more=more).encode(), {}, "https://site.example/feed")
    add_stories(home, list(feed.drafts), name="Links", url="https://site.example/feed")


async def test_links_are_numbered_in_the_text_and_listed_once_at_the_end(
        isolated_home: Path) -> None:
    many_links_feed(isolated_home)
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await open_story(app, pilot, "Many", "links")
        pane = main_screen(app).reading_pane
        first = shown_lines(app)[0]
        # relative links were resolved when the feed was read; a repeated link keeps its number
        assert first.plain.startswith("See about us[1], a[2] and about again[1].")
        number = first.plain.index("[1]")
        assert any(span.start <= number < span.end and "dim" in str(span.style)
                   for span in first.spans)
        assert "🖼" in first.plain and "[image" not in first.plain  # the picture is not listed
        assert [(link.n, link.url) for link in pane.links[:3]] == [
            (1, "https://site.example/about"), (2, "https://x.example/a"),
            (3, "https://n.example/3")]
        assert len(pane.links) == 15
        section = str(pane.query_one("#links").render())
        assert section.splitlines()[0] == "1. about us — https://site.example/about"
        assert section.splitlines()[14] == "15. link 15 — https://n.example/15"


async def test_f_opens_link_12_and_copies_link_3(isolated_home: Path) -> None:
    browser, log = fake_program(isolated_home / "bin", "browser")
    write_config(isolated_home, f'browser = ["{browser}", "--new-tab", "{{url}}"]\n')
    many_links_feed(isolated_home)
    app = make_app(isolated_home)
    messages = Messages()
    async with app.run_test(size=WIDE, message_hook=messages) as pilot:
        await open_story(app, pilot, "Many", "links")
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("1", "2")
        prompt = app.screen
        assert isinstance(prompt, NumberPrompt) and prompt.chosen is not None
        assert prompt.chosen.url == "https://n.example/12"
        await pilot.press("enter")
        await messages.wait_for(ProgramEnded)
        assert calls(log) == [{"argv": ["--new-tab", "https://n.example/12"], "input": ""}]
        assert status_text(app) == "Opened https://n.example/12"
        await pilot.press("f", "3", "y")
        await settle(pilot)
        assert app.clipboard == "https://n.example/3"
        assert len(calls(log)) == 1  # copying opens nothing
        await pilot.press("f", "9", "9", "enter")  # no link 99: the prompt stays and says so
        await settle(pilot)
        assert isinstance(app.screen, NumberPrompt)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, NumberPrompt)


async def test_y_copies_the_link_and_Y_the_story_as_markdown(isolated_home: Path) -> None:
    add_stories(isolated_home, [StoryDraft(
        key="c", title="Copy me", body="Some *text* with [a link](https://l.example/).",
        url="https://site.example/copy-me")])
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await open_story(app, pilot, "Copy", "me")
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == "https://site.example/copy-me"
        await pilot.press("Y")
        await settle(pilot)
        assert app.clipboard.startswith("# Copy me\n\nTest feed\n\n<https://site.example/copy-me>")
        assert "Some *text* with [a link](https://l.example/)." in app.clipboard
        assert app.clipboard.endswith("## Links\n\n1. a link — <https://l.example/>\n")


async def test_e_picks_the_opener_by_type_or_by_url(isolated_home: Path) -> None:
    audio, audio_log = fake_program(isolated_home / "bin", "audio")
    video, video_log = fake_program(isolated_home / "bin", "video")
    browser, browser_log = fake_program(isolated_home / "bin", "browser")
    write_config(isolated_home, f"""browser = ["{browser}"]
[[openers]]
match_url = "\\\\.webm$"
command = ["{video}", "--fs", "{{url}}"]
[[openers]]
match = "audio/*"
command = ["{audio}", "--no-video", "{{url}}"]
""")
    add_stories(isolated_home, [
        StoryDraft(key="a", title="Audio episode", enclosures=(
            Enclosure("https://p.example/ep1.mp3", "audio/mpeg", 54919661, 4323),)),
        StoryDraft(key="v", title="Video episode", enclosures=(
            Enclosure("https://p.example/ep2.webm", "video/webm"),
            Enclosure("https://p.example/ep2.pdf", "application/pdf"))),
    ])
    app = make_app(isolated_home)
    messages = Messages()
    async with app.run_test(size=WIDE, message_hook=messages) as pilot:
        await open_story(app, pilot, "Audio", "episode")
        shown = str(main_screen(app).reading_pane.query_one("#enclosures").render())
        assert shown == "▶ audio/mpeg · 55 MB · 1:12:03  ep1.mp3"
        await pilot.press("e")
        await messages.wait_for(ProgramEnded)
        assert calls(audio_log) == [{"argv": ["--no-video", "https://p.example/ep1.mp3"],
                                     "input": ""}]
        await open_story(app, pilot, "Video", "episode")
        await pilot.press("e", "1", "enter")  # two enclosures: a prompt asks which
        await messages.wait_for(ProgramEnded, after=1)
        assert calls(video_log) == [{"argv": ["--fs", "https://p.example/ep2.webm"], "input": ""}]
        await pilot.press("e", "2", "enter")  # no opener matches a PDF: the browser opens it
        await messages.wait_for(ProgramEnded, after=2)
        assert calls(browser_log) == [{"argv": ["https://p.example/ep2.pdf"], "input": ""}]
        assert len(calls(audio_log)) == 1


@pytest.fixture
def suspendable(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The test terminal (Textual's headless driver) made one the app can hand over, as a
    real terminal is: ``|`` suspends the app around the pipe command."""
    events: list[str] = []
    monkeypatch.setattr(HeadlessDriver, "can_suspend", property(lambda self: True))
    monkeypatch.setattr(HeadlessDriver, "suspend_application_mode",
                        lambda self: events.append("suspended"))
    monkeypatch.setattr(HeadlessDriver, "resume_application_mode",
                        lambda self: events.append("resumed"))
    return events


async def test_pipe_gives_the_story_as_text_with_the_app_suspended(
        isolated_home: Path, suspendable: list[str]) -> None:
    pager, log = fake_program(isolated_home / "bin", "pager")
    write_config(isolated_home, f'pipe_command = ["{pager}", "-R"]\n')
    add_stories(isolated_home, [StoryDraft(
        key="p", title="Pipe me", body="Text with [a link](https://l.example/).",
        url="https://site.example/pipe-me")])
    app = make_app(isolated_home)
    messages = Messages()
    async with app.run_test(size=WIDE, message_hook=messages) as pilot:
        await open_story(app, pilot, "Pipe", "me")
        await pilot.press("vertical_line")
        await messages.wait_for(ProgramEnded)
        [call] = calls(log)
        assert call["argv"] == ["-R"]
        text = str(call["input"])
        assert text.startswith("Pipe me\n\nTest feed\nhttps://site.example/pipe-me\n")
        assert "Text with a link[1]." in text and "  1. a link — https://l.example/" in text
        assert suspendable == ["suspended", "resumed"]
        assert status_text(app) == "Piped the story to pager"


async def test_w_saves_the_story_and_never_overwrites(isolated_home: Path) -> None:
    folder = isolated_home / "My stories"
    write_config(isolated_home, f'save_dir = "{folder}"\n')
    add_stories(isolated_home, [StoryDraft(
        key="s", title="Save me: a/b ../c", body="Body.", published="2024-05-01T10:00:00+00:00",
        url="https://site.example/save-me")])
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await open_story(app, pilot, "Save", "me")
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["2024-05-01 Save me - a-b …-c (2).md", "2024-05-01 Save me - a-b …-c.md"]
    text = (folder / names[1]).read_text(encoding="utf-8")
    assert text.startswith("# Save me: a/b ../c\n\nTest feed · 2024-05-01 10:00\n\n"
                           "<https://site.example/save-me>\n\nBody.\n")


HOSTILE = ["-oProxyCommand=x", "http://a\nb", "javascript:alert(1)", "file:///etc/passwd",
           "https://h.example/" + "a" * 10_000]


async def test_hostile_urls_never_reach_a_program(isolated_home: Path) -> None:
    """Story links, enclosure URLs and link targets that a program could misread: each is
    refused with a line saying why, and neither the browser nor the opener ever runs."""
    browser, browser_log = fake_program(isolated_home / "bin", "browser")
    player, player_log = fake_program(isolated_home / "bin", "player")
    write_config(isolated_home, f"""browser = ["{browser}", "{{url}}"]
[[openers]]
match_url = "."
command = ["{player}", "{{url}}"]
""")
    body = " ".join(f"[bad {n}](<{url}>)" if "\n" not in url else f"[bad {n}]({url})"
                    for n, url in enumerate(HOSTILE, 1))
    add_stories(isolated_home, [
        StoryDraft(key=str(n), title=f"Hostile {n}", url=url, body=body if n == 1 else "",
                   enclosures=(Enclosure(url, "audio/mpeg"),))
        for n, url in enumerate(HOSTILE, 1)])
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await open_story(app, pilot, "Hostile", "1")
        links = {link.url: link.n for link in main_screen(app).reading_pane.links}
        # only http(s) links are listed: "http://a\nb" is no link (its "http://a" is)
        assert set(links) == {"http://a", HOSTILE[-1]}
        await pilot.press("f")
        await settle(pilot)
        await pilot.press(*str(links[HOSTILE[-1]]), "enter")
        await settle(pilot)
        assert status_text(app) == ("Not opened: the link is 10,018 characters long"
                                    " (at most 4,096)")
        screen = main_screen(app)
        await pilot.press("escape")  # back to the list: each key acts on the row under it
        for n in range(1, len(HOSTILE) + 1):
            assert await screen.story_list.move_to_story(find_story(app, "Hostile", str(n)))
            for key in ("o", "e", "y"):
                await pilot.press(key)
                await settle(pilot)
                assert status_text(app).startswith(("Not opened: ", "Not copied: ")), key
        assert app.clipboard == ""
    assert calls(browser_log) == calls(player_log) == []


async def test_a_missing_player_is_one_line_and_the_app_carries_on(isolated_home: Path) -> None:
    write_config(isolated_home, f"""[[openers]]
match = "audio/*"
command = ["{isolated_home / 'no-such-player'}", "{{url}}"]
""")
    add_stories(isolated_home, [StoryDraft(key="a", title="Audio episode", enclosures=(
        Enclosure("https://p.example/ep1.mp3", "audio/mpeg"),))])
    app = make_app(isolated_home)
    messages = Messages()
    async with app.run_test(size=WIDE, message_hook=messages) as pilot:
        await open_story(app, pilot, "Audio", "episode")
        await pilot.press("e")
        ended = await messages.wait_for(ProgramEnded)
        assert isinstance(ended, ProgramEnded)
        assert ended.failure == "no-such-player was not found (is it installed and on PATH?)"
        await settle(pilot)
        assert status_text(app) == ended.failure
        await pilot.press("y")  # and the app goes on
        await settle(pilot)
        assert status_text(app) == "Not copied: there is no link"


def burst(app: ReaderApp, *keys: str) -> None:
    """Keys as a terminal delivers a fast typist's (or a paste's) burst: all queued at once,
    before the app has handled the first (``pilot.press`` waits after each one)."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def test_a_burst_of_f_digits_enter_opens_that_link(isolated_home: Path) -> None:
    """``f12⏎`` typed faster than the app answers: every digit reaches the prompt (none is
    taken by the main screen, where 1…9 follow related stories), from the list and from the
    story."""
    browser, log = fake_program(isolated_home / "bin", "browser")
    write_config(isolated_home, f'browser = ["{browser}", "{{url}}"]\n')
    many_links_feed(isolated_home)
    app = make_app(isolated_home)
    messages = Messages()
    async with app.run_test(size=WIDE, message_hook=messages) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert await screen.story_list.move_to_story(find_story(app, "Many", "links"))
        burst(app, "f", "1", "2", "enter")
        await messages.wait_for(ProgramEnded)
        await settle(pilot)
        assert calls(log) == [{"argv": ["https://n.example/12"], "input": ""}]
        await open_story(app, pilot, "Many", "links")
        burst(app, "f", "1", "3", "enter")
        await messages.wait_for(ProgramEnded, after=1)
        await settle(pilot)
        assert [c["argv"] for c in calls(log)] == [["https://n.example/12"],
                                                   ["https://n.example/13"]]
        assert not isinstance(app.screen, NumberPrompt)


async def test_a_burst_of_e_digit_enter_from_the_list_opens_that_enclosure(
        isolated_home: Path) -> None:
    """``e2⏎`` on a row whose story is not read yet: the prompt goes up before the story is
    read, so the 2 is the prompt's; ``e`` on a one-enclosure row opens it, no prompt left."""
    player, log = fake_program(isolated_home / "bin", "player")
    write_config(isolated_home, f'[[openers]]\nmatch_url = "."\ncommand = ["{player}"]\n')
    add_stories(isolated_home, [
        StoryDraft(key="v", title="Two files", published="2024-01-02T00:00:00Z", enclosures=(
            Enclosure("https://p.example/a.webm", "video/webm"),
            Enclosure("https://p.example/b.pdf", "application/pdf"))),
        StoryDraft(key="o", title="One file", published="2024-01-01T00:00:00Z", enclosures=(
            Enclosure("https://p.example/c.mp3", "audio/mpeg"),))])
    app = make_app(isolated_home)
    messages = Messages()
    async with app.run_test(size=WIDE, message_hook=messages) as pilot:
        await settle(pilot)
        screen = main_screen(app)
        assert await screen.story_list.move_to_story(find_story(app, "Two", "files"))
        burst(app, "e", "2", "enter")
        await messages.wait_for(ProgramEnded)
        assert await screen.story_list.move_to_story(find_story(app, "One", "file"))
        burst(app, "e")
        await messages.wait_for(ProgramEnded, after=1)
        await settle(pilot)
        assert [c["argv"] for c in calls(log)] == [["https://p.example/b.pdf"],
                                                   ["https://p.example/c.mp3"]]
        assert not isinstance(app.screen, NumberPrompt)


async def test_shell_syntax_in_a_url_is_one_inert_argument(isolated_home: Path) -> None:
    """A URL full of shell syntax (``;``, ``&``, ``|``, ``$(…)``, ``${IFS}``, quotes) is a
    valid URL: each program gets it as one whole argument, exactly, and no shell ever reads
    it (the ``touch`` it holds never runs)."""
    canary = isolated_home / "pwned"
    url = (f"https://h.example/p?a=1;touch${{IFS}}{canary}&b=$(touch${{IFS}}{canary})|cat"
           "'x'*")
    browser, browser_log = fake_program(isolated_home / "bin", "browser")
    player, player_log = fake_program(isolated_home / "bin", "player")
    write_config(isolated_home, f"""browser = ["{browser}", "--new-tab", "{{url}}"]
[[openers]]
match = "audio/*"
command = ["{player}", "{{url}}", "--no-video"]
""")
    add_stories(isolated_home, [StoryDraft(
        key="s", title="Shell syntax", url=url, body=f"A [link](<{url}>).",
        enclosures=(Enclosure(url, "audio/mpeg"),))])
    app = make_app(isolated_home)
    messages = Messages()
    async with app.run_test(size=WIDE, message_hook=messages) as pilot:
        await open_story(app, pilot, "Shell", "syntax")
        [link] = main_screen(app).reading_pane.links
        for n, keys in enumerate((("o",), ("e",), ("f", "1", "enter"))):
            await pilot.press(*keys)
            await messages.wait_for(ProgramEnded, after=n)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == url
    assert [c["argv"] for c in calls(browser_log)] == [["--new-tab", url],
                                                       ["--new-tab", link.url]]
    assert [c["argv"] for c in calls(player_log)] == [[url, "--no-video"]]
    assert ";touch$" in link.url and "$(touch" in link.url  # markdown-it encodes {, }, |: no more
    assert not canary.exists()


async def test_the_keys_are_in_help_and_palette_and_remap_by_id(isolated_home: Path) -> None:
    write_config(isolated_home, '[keymap]\n"story.copy_url" = "c"\n')
    add_stories(isolated_home, [StoryDraft(key="c", title="Copy me",
                                           url="https://site.example/copy-me")])
    app = make_app(isolated_home)
    async with app.run_test(size=WIDE) as pilot:
        await open_story(app, pilot, "Copy", "me")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Follow a link", "Copy link", "Copy as Markdown", "Open enclosure",
                      "Pipe story", "Save story"):
            assert title in titles
        await pilot.press("question_mark")
        await settle(pilot)
        shown = str(app.screen.query_one("#help-body").render())
        for line in ("f", "Follow a numbered link"), ("c", "Copy the story's link"), (
                "Y", "Copy the story as Markdown"), ("e", "Play/open the enclosure"), (
                "|", "Pipe the story to a program"), ("w", "Save the story as Markdown"), (
                "0…9", "Type the number"), ("Enter", "Open the link with that number"):
            assert any(line[0] in row and line[1] in row for row in shown.splitlines()), line
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("c")  # remapped: c copies, y no longer does
        await settle(pilot)
        assert app.clipboard == "https://site.example/copy-me"
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Copy as Markdown")
        await settle(pilot)  # the palette's search runs in a worker
        await pilot.press("enter")
        await settle(pilot)
        assert app.clipboard.startswith("# Copy me\n")


async def test_a_terminal_browser_gets_the_terminal_with_the_app_suspended(
        isolated_home: Path, suspendable: list[str]) -> None:
    """``browser = ["w3m", "{url}"]``: w3m draws in the terminal, so it is never started
    beside the app (both would draw and read keys): the app is suspended until it ends."""
    w3m, log = fake_program(isolated_home / "bin", "w3m", reads=False)
    write_config(isolated_home, f'browser = ["{w3m}", "-o", "x=1", "{{url}}"]\n')
    add_stories(isolated_home, [StoryDraft(key="t", title="Text browser",
                                           url="https://site.example/page")])
    app = make_app(isolated_home)
    messages = Messages()
    async with app.run_test(size=WIDE, message_hook=messages) as pilot:
        await open_story(app, pilot, "Text", "browser")
        await pilot.press("o")
        ended = await messages.wait_for(ProgramEnded)
        assert isinstance(ended, ProgramEnded) and ended.failure is None
    assert [c["argv"] for c in calls(log)] == [["-o", "x=1", "https://site.example/page"]]
    assert suspendable == ["suspended", "resumed"]


@pytest.mark.parametrize(("name", "in_terminal"), [("lynx", True), ("firefox", False)])
async def test_browser_from_the_environment_in_the_terminal_or_beside(
        isolated_home: Path, suspendable: list[str], monkeypatch: pytest.MonkeyPatch,
        name: str, in_terminal: bool) -> None:
    """No ``browser`` in the config: ``$BROWSER`` through Python's ``webbrowser``, except
    that a browser drawing in the terminal gets it with the app suspended (``webbrowser``
    would run it beside the app)."""
    import webbrowser

    program, log = fake_program(isolated_home / "bin", name, reads=False)
    monkeypatch.setenv("BROWSER", str(program))
    monkeypatch.setattr(webbrowser, "_tryorder", None)  # it reads $BROWSER once per process
    monkeypatch.setattr(webbrowser, "_browsers", {})
    add_stories(isolated_home, [StoryDraft(key="t", title="Some page",
                                           url="https://site.example/page")])
    # No url_opener: the system's browser. And no refresh as the app opens (``make_app``'s
    # default): it refreshed a feed at port 80 of 127.0.0.1, nobody's server, at the lowest
    # priority, and that outlasted the minute ``settle`` waits on a loaded machine.
    app = make_app(isolated_home, system_browser=True)
    messages = Messages()
    async with app.run_test(size=WIDE, message_hook=messages) as pilot:
        await open_story(app, pilot, "Some", "page")
        await pilot.press("o")
        ended = await messages.wait_for(ProgramEnded)
        assert isinstance(ended, ProgramEnded) and ended.failure is None
    assert [c["argv"] for c in calls(log)] == [["https://site.example/page"]]
    assert suspendable == (["suspended", "resumed"] if in_terminal else [])

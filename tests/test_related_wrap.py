"""The related list and the links under a story, wrapped in a narrow pane: a title, a reason
or a URL too long for its line goes on under its own first word. Before, the BBC Urdu story's
related entries wrapped to the pane's left edge (``لیے امریکی امداد کی بہار و خزاں`` under
``2.``), and so did heise's 150-character links, read as the next entry."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from reader.links import Link
from reader.models import RelatedStory
from reader.ui.widgets.reading_pane import links_content
from reader.ui.widgets.related_stories import RelatedStories

ITEMS = [
    RelatedStory(id="a", title="امریکہ پاکستان سے چاہتا کیا ہے؟ " * 3, kind="similar",
                 source="BBC News اردو - پاکستان کے لیے امریکی امداد کی بہار و خزاں",
                 terms=("خارجہ", "وزیر")),
    RelatedStory(id="b", title="投资资讯网交易在线：流通纪念币最新20篇论坛主题，全文阅读与讨论",
                 kind="similar", source="投资资讯网", terms=("纪念币",)),
    RelatedStory(id="c", title="", kind="similar", source="Scripting News", terms=("x",),
                 text="Good morning Internet guzzlers! " * 4),
    RelatedStory(id="d", title="Short", kind="similar", source="A", terms=("y",)),
]


class OneList(App[None]):
    def compose(self) -> ComposeResult:
        yield RelatedStories(id="related")
        yield Static(id="links")


async def test_wrapped_lines_start_under_the_title_not_the_number() -> None:
    app = OneList()
    async with app.run_test(size=(44, 40)) as pilot:
        related = app.query_one(RelatedStories)
        related.styles.max_height = None
        related.show_items(ITEMS)
        await pilot.pause()
        lines = [related.render_line(y).text.rstrip() for y in range(related.virtual_size.height)]
        lines = [line for line in lines if line]
        starts = [n for n, line in enumerate(lines) if line[:3] in ("1. ", "2. ", "3. ", "4. ")]
        assert len(starts) == 4, lines
        assert len(lines) > 12, lines  # every entry wrapped at 44 cells but the last
        for n, line in enumerate(lines):
            if n not in starts:
                assert line.startswith("   ") and line[3] != " ", lines
        assert lines[starts[3]] == "4. Short"


async def test_a_long_link_wraps_under_its_text() -> None:
    url = ("https://www.heise.de/news/RISC-V-Prozessor-aus-China-LeapFive-NB2-verspricht-Raspi-"
           "Rechenleistung-7237368.html?wt_mc=rss.red.ho.ho.atom.beitrag.beitrag")
    links = [Link(1, "image", url), Link(2, "", "https://a.example/"),
             *(Link(n, f"link {n}", f"https://n.example/{n}/" + "x" * 40) for n in range(3, 12))]
    app = OneList()
    async with app.run_test(size=(44, 60)) as pilot:
        static = app.query_one("#links", Static)
        static.update(links_content(links))
        await pilot.pause()
        lines = [static.render_line(y).text.rstrip() for y in range(static.size.height)]
        lines = [line for line in lines if line]
        assert lines[0] == "1. image —"
        assert lines[1].startswith("   https://www.heise.de/news/") and len(lines[1]) == 44
        assert "2. https://a.example/" in lines
        ten = lines.index("10. link 10 —")
        assert lines[ten + 1].startswith("    https://n.example/10/"), lines
        assert str(links_content(links)).splitlines()[0] == f"1. image — {url}"

"""A story's numbered links from its Markdown (``reader.links``), on tricky Markdown."""

from __future__ import annotations

from realfeed_files import real_story

from reader.links import NUMBER_TOKEN, Link, markdown_parser, story_links
from reader.text import markdown_to_plain


def urls(markdown: str) -> list[str]:
    return [link.url for link in story_links(markdown).links]


def plain(markdown: str) -> str:
    return markdown_to_plain(story_links(markdown).plain_markdown)


def test_links_in_order_of_appearance_each_url_once() -> None:
    found = story_links("[a](https://a.example/) then [b](https://b.example/) and "
                        "[again](https://a.example/)\n\n# [c](https://c.example/)").links
    assert found == (Link(1, "a", "https://a.example/"), Link(2, "b", "https://b.example/"),
                     Link(3, "c", "https://c.example/"))
    assert plain("[a](https://a.example/) and [again](https://a.example/)") == "a[1] and again[1]"


def test_escaped_brackets_and_code_are_not_links() -> None:
    markdown = ("\\[not\\](https://x.example/a) `[code](https://y.example/)`\n\n"
                "```\n[fenced](https://z.example/)\n```\n\n    [indented](https://w.example/)")
    assert urls(markdown) == ["https://x.example/a"]  # the bare URL the widget links too
    assert plain(markdown) == ("[not](https://x.example/a[1]) `[code](https://y.example/)`\n\n"
                               "```\n[fenced](https://z.example/)\n```\n\n"
                               "    [indented](https://w.example/)")


def test_images_are_shown_by_their_alt_text_and_only_a_link_around_one_is_listed() -> None:
    markdown = ("![a chart](https://i.example/c.png) "
                "[![logo](https://i.example/l.png)](https://home.example/) "
                "[![](https://i.example/x.jpg)](https://x.example/)")
    assert story_links(markdown).links == (Link(1, "image: logo", "https://home.example/"),
                                           Link(2, "image", "https://x.example/"))
    assert plain(markdown) == "[image: a chart] [image: logo][1] [image][2]"


def test_autolinks_bare_urls_and_mail_are_listed() -> None:
    markdown = "<https://auto.example/> https://bare.example/x, www.example.com or me@example.org."
    assert urls(markdown) == ["https://auto.example/", "https://bare.example/x",
                              "http://www.example.com", "mailto:me@example.org"]
    assert plain(markdown) == ("https://auto.example/[1] https://bare.example/x[2], "
                               "www.example.com[3] or me@example.org[4].")


def test_only_links_that_can_be_followed_are_listed() -> None:
    markdown = ("[rel](/about) [js](javascript:alert(1)) [file](file:///etc/passwd) "
                "[data](data:text/html,x) [dash](-oProxyCommand=x) [ok](https://ok.example/)")
    assert urls(markdown) == ["https://ok.example/"]
    text = plain(markdown)
    assert text.startswith("rel ") and text.endswith("dash ok[1]")


def test_links_in_tables_quotes_lists_and_headings() -> None:
    markdown = ("## See [h](https://h.example/) ##\n\n> quoted [q](https://q.example/)\n"
                "> and [q2](https://q2.example/)\n\n1. [l](https://l.example/)\n\n"
                "| a | b |\n|---|---|\n| [c](https://c.example/) | [d](https://d.example/) "
                "[c again](https://c.example/) |")
    assert urls(markdown) == ["https://h.example/", "https://q.example/", "https://q2.example/",
                              "https://l.example/", "https://c.example/", "https://d.example/"]
    assert plain(markdown).split("\n") == [
        "## See h[1] ##", "", "> quoted q[2]", "> and q2[3]", "", "1. l[4]", "",
        "a    | b", "-----+----------------", "c[5] | d[6] c again[5]"]


def test_link_text_keeps_its_words_without_markup() -> None:
    [link] = story_links("[**bold** `code` *em*\nnext](https://b.example/)").links
    assert link.text == "bold code em next"
    assert link.label == "bold code em next"
    assert Link(1, "", "https://e.example/").label == "https://e.example/"


def test_a_label_across_lines_stays_markdown_but_is_listed() -> None:
    markdown = "[two\nlines](https://t.example/)"
    assert urls(markdown) == ["https://t.example/"]
    assert story_links(markdown).plain_markdown == markdown


def test_heise_image_links_read_well() -> None:
    """heise puts a linked picture at the top of every story: `show` printed the raw
    ``[![](https://…jpg)](https://…)``."""
    story = real_story("news__heise.xml",
                       "RISC-V-Prozessor aus China: LeapFive NB2 verspricht Raspi-Rechenleistung")
    assert story.body.startswith("[![](https://www.heise.de/")
    found = story_links(story.body)
    assert [link.text for link in found.links] == ["image"]
    assert found.links[0].url.startswith("https://www.heise.de/news/RISC-V-Prozessor")
    assert markdown_to_plain(found.plain_markdown).startswith("[image][1]\n\nDie chinesische")


def test_a_part_of_a_story_keeps_the_whole_storys_numbers() -> None:
    """The pane may show a story in parts (around pictures): each part numbers its links as
    the whole story does."""
    env: dict[str, object] = {}
    tokens = markdown_parser({"https://b.example/": 7}).parse(
        "[b](https://b.example/) [c](https://c.example/)", env)
    numbers = [t.meta["n"] for t in tokens[1].children or [] if t.type == NUMBER_TOKEN]
    assert numbers == [7]
    assert env["links"] == [Link(7, "b", "https://b.example/")]

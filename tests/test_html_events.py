"""The converters' parser targets (``_EventConverter``, ``_TextEvents``) against their tree walks.

A body without a table is converted from lxml's parser events, not from a tree: what it gives
must be what walking the tree gives, in each case where the events and the tree differ (a run
of text in pieces, content after the root's end, elements skipped whole, ``<pre>``)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from reader.feeds import html_markdown as hm

BASE = "https://example.com/dir/page.html"

DOCUMENTS = [
    "<p>Hello <b>world</b> &amp; &lt;friends&gt; it&#8217;s &#x41;&nbsp;x</p><p>Two</p>",
    "<p>x</p></body></html>  trailing <b>after the root</b>",
    "<p>a<!-- comment -->b</p>x<![CDATA[y]]>z",
    "<pre>one\n  two<br>three<script>dropped()</script> kept &lt;tail&gt;\n</pre>after",
    "<pre><b>bold</b> &amp; <i>it</i></pre><pre>   </pre><pre>```fence```</pre>",
    "<p>before<script>x()</script>after<style>p{}</style> <noscript>n</noscript>end</p>",
    "<iframe src='https://www.youtube.com/embed/abcdefghij?start=5' title='A talk'>x<b>y</b>"
    "</iframe> tail <iframe src='https://ads.example.com/x'></iframe>",
    "<img src='/i.png' alt='an image'><img src='http://a/p.gif' width='1'><img alt>",
    "<ol start='3'><li>three<li>four</ol><ul><li><p>para</p><li>x</ul>",
    "<h2>Title &amp; more</h2><blockquote><p>quoted <code>a|b</code></p></blockquote><hr>",
    "<a href='/rel'>link</a> <a href='javascript:alert(1)'>js</a> <a href>empty</a>",
    "H<sub>2</sub>O and 2<sup>16</sup>, the 1<sup>st</sup> <sup>[1]</sup> x<sup>TM</sup>",
    "<head><title>t</title></head><body>body text</body>",
    "<frameset><frame></frameset>after frames",
    "<svg><p>inside svg</p></svg>after",
    "<pre>a <b>pre</b> <script><table></script>x</pre>y",
    "text &#27;[31m with an escape &#x9b; and &lrm;marks",
    "<td>a stray cell</td><tr><th>stray row</th></tr>",
    "<p>" + "word &amp; " * 300 + "</p>",
    "<div><span>deep</span>" * 50 + "</div>" * 50,
]


def _tree_markdown(html: str, base: str | None) -> str:
    html, data = hm._cleaned(html)
    root = hm._parse(data)
    if root is None:
        return ""
    converter = hm._Converter(base, check_text=hm._CONTROL_REFERENCE.search(html) is not None)
    converter.walk(root)
    return "\n\n".join(converter.blocks())


@pytest.mark.parametrize("html", DOCUMENTS)
def test_the_events_convert_as_the_tree_walk_does(html: str) -> None:
    cleaned, data = hm._cleaned(html)
    check = hm._CONTROL_REFERENCE.search(cleaned) is not None
    assert hm._events(data, BASE, check) == _tree_markdown(html, BASE)
    root = hm._parse(data)
    assert hm._text_events(data) == (hm._tree_text(root) if root is not None else "")


@pytest.mark.parametrize("html", [
    "<p>a</p><table><tr><td>1</td><td>2</td></tr></table>",
    "<p>a</p><math><mn>2</mn></math>",
    "<video src='https://example.com/v.mp4'></video>",
    "<embed src='https://example.com/x.swf'>after",
])
def test_an_element_read_from_its_tree_leaves_the_document_to_the_tree(html: str) -> None:
    data = hm._cleaned(html)[1]
    with pytest.raises(hm._TreeNeeded):
        hm._events(data, BASE, False)
    assert hm.html_to_markdown(html, BASE) == _tree_markdown(html, BASE)


def test_a_document_abandoned_midway_leaves_nothing_behind() -> None:
    """The parser target is reused within a thread: one left by ``_TreeNeeded`` mid-way,
    with wrappers and containers open and text pending, converts the next document from a
    clean start. (A table inside a <pre> or a skipped element is only text to it.)"""
    for html in ["<p><b>open <i>x<table>", "<ul><li>item <a href='/x'>l<table>", "<h2>h<table>"]:
        with pytest.raises(hm._TreeNeeded):
            hm._events(hm._cleaned(html)[1], BASE, False)
        assert hm.html_to_markdown("<p>next</p>", BASE) == "next"


def test_event_conversions_in_several_threads_at_once_match_one_thread() -> None:
    bodies = [
        f"<p>Item {n} with <b>bold</b>, a <a href='/x{n}'>link</a> &amp; <pre>code {n}</pre>"
        + "<div>" * (n % 7) + f"deep {n}<sup>2</sup>" + "</div>" * (n % 7)
        for n in range(200)
    ]
    alone = [hm.html_to_markdown(body, "https://example.com/a/") for body in bodies]
    titles = [hm.html_to_text(body) for body in bodies]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda body: hm.html_to_markdown(body, "https://example.com/a/"),
                                 bodies * 4))
        together_titles = list(pool.map(hm.html_to_text, bodies * 4))
    assert together == alone * 4
    assert together_titles == titles * 4
    assert alone[7] == _tree_markdown(bodies[7], "https://example.com/a/")


@pytest.mark.parametrize("depth", [700, 1100, 2049])
@pytest.mark.parametrize("inner", ["<div>", "<sup><span>"])
def test_a_document_deeper_than_a_tree_converts_as_the_tree_path_does(depth: int,
                                                                       inner: str) -> None:
    """libxml2 builds no tree deeper than 2,048 elements (the converters then keep only the
    words), but it sends a parser target the events of any depth: deep documents are left
    to the tree."""
    html = "<p>lead</p>" + inner * depth + "deep &amp; text" + "</div>" * 3 + " after"
    cleaned, data = hm._cleaned(html)
    try:
        root = hm._parse(data)
    except hm._TooDeep:
        expected = hm.text_to_markdown(hm.html_to_text(html))
        assert hm.html_to_text(html) == " ".join(hm._TAG_LIKE.sub(" ", cleaned).split())
    else:
        assert root is not None
        expected = _tree_markdown(html, BASE)
        assert hm.html_to_text(html) == " ".join(hm.clean_text(hm._tree_text(root)).split())
    assert hm.html_to_markdown(html, BASE) == expected

"""CDATA sections lifted out of a document before lxml parses it (``parse_lxml._lift_cdata``)
read exactly as libxml2 reads them in place: the same result, or the same refusal, as with
the lifting turned off, wherever a section stands and whatever it holds."""

from __future__ import annotations

import pytest

from reader.feeds import parse_lxml
from reader.feeds.parse_lxml import _lift_cdata, read_plain_feed

HEADERS = {"content-type": "application/rss+xml", "content-location": "https://example.com/f"}


def rss(items: str, channel: str = "<title>T</title>") -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f"<channel>{channel}{items}</channel></rss>").encode()


def atom(entries: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>T</title>{entries}</feed>").encode()


DOCUMENTS = [
    rss("<item><title><![CDATA[A & <b>B</b>]]></title></item>"),
    rss("<item><description>x <![CDATA[<p>one</p>]]> y <![CDATA[two]]></description></item>"),
    rss("<item><description><![CDATA[]]></description><title>a<![CDATA[]]>b</title></item>"),
    rss("<item><description><![CDATA[line\r\nnext\rlast\r]]>\r\n</description></item>"),
    rss("<item><description><![CDATA[a]]]]><![CDATA[>b ]] ] >]]></description></item>"),
    rss("<item><content:encoded><![CDATA[é ’ 😀 <div>x</div>]]></content:encoded></item>"),
    rss("<item><title>t</title><!-- <![CDATA[ --><description>d</description>]]> --></item>"),
    rss("<item><!-- <![CDATA[ x ]]> --><title><![CDATA[t]]></title></item>"),
    rss('<item><title a="<![CDATA[x]]>">t</title></item>'),
    rss("<item><?pi <![CDATA[ ?><title>t</title>]]></item>"),
    rss("<item><title><![CDATA[bell \x07]]></title></item>"),
    rss("<item><title><![CDATA[\ufffe]]></title></item>"),
    rss("<item><title><![CDATA[\ufdd0]]></title></item>"),
    rss("<item><title>\ufdd0<![CDATA[x]]></title></item>"),
    rss("<item><title><![CDATA[not closed</title></item>"),
    rss("<item><title>t</title></item>", channel="<![CDATA[channel text]]><title>T</title>"),
    rss("<item><title><![CDATA[a]]>]]></title></item>"),
    atom("<entry><title type='xhtml'><div xmlns='http://www.w3.org/1999/xhtml'>"
         "<![CDATA[<b>&</b>]]> <b><![CDATA[x]]></b></div></title></entry>"),
    atom("<entry><content type='html'><![CDATA[<p>p</p>]]><p>q<![CDATA[&amp;]]></p>"
         "</content><summary><![CDATA[ ]]></summary></entry>"),
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_lifted_sections_read_as_in_place(document: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    lifted = repr(read_plain_feed(document, HEADERS))
    monkeypatch.setattr(parse_lxml, "_lift_cdata", lambda data: (data, []))
    assert lifted == repr(read_plain_feed(document, HEADERS))


def test_sections_are_lifted_with_libxml2s_line_ends() -> None:
    marked, sections = _lift_cdata(b"<a><![CDATA[x\r\ny\r]]>z<![CDATA[]]></a>")
    assert sections == ["x\ny\n", ""]
    assert marked == "<a>\ufdd0z\ufdd0</a>".encode()


@pytest.mark.parametrize("section", [b"\x00", b"\x1f", "\uffff".encode(), b"\xff", b"open"])
def test_sections_libxml2_refuses_are_left_in_place(section: bytes) -> None:
    after = b"</a>" if section == b"open" else b"]]><![CDATA[after]]></a>"
    marked, sections = _lift_cdata(b"<a><![CDATA[ok]]><![CDATA[" + section + after)
    assert sections == ["ok"]
    assert marked.startswith("<a>\ufdd0<![CDATA[".encode())


def test_a_document_holding_the_mark_is_left_as_it_is() -> None:
    document = "<a>\ufdd0<![CDATA[x]]></a>".encode()
    assert _lift_cdata(document) == (document, [])

"""``feed_dates.parse_date`` answers exactly as feedparser's ``_parse_date``.

The fast path reads RFC 822 and W3C-DTF dates itself; everything else, and every text whose
numbers make no date, goes to feedparser. These tests compare the two on the forms feeds
write, on the edges of the calendar and the zones, on every day name and month spelling of
three letters, and on a few thousand generated dates, valid and broken (the fuller fuzzing,
hundreds of thousands of them, was run when the module was written).
"""

from __future__ import annotations

import itertools
import random
import string

import pytest
from feedparser.datetimes import _parse_date

from reader.feeds import feed_dates
from reader.feeds.feed_dates import parse_date


def same(text: str | None) -> None:
    feed_dates._READ.clear()
    want = _parse_date(text)
    got = parse_date(text)
    assert got == want, text
    assert type(got) is type(want), text
    if want is not None:  # the hidden fields too: utctimetuple leaves them None
        assert got is not None  # (the type check above; said again for mypy)
        assert (got.tm_zone, got.tm_gmtoff) == (want.tm_zone, want.tm_gmtoff), text
    assert parse_date(text) == want, text  # and again, from what it remembers


@pytest.mark.parametrize("text", [
    "Mon, 24 Sep 2018 20:34:00 -0300", "Tue, 02 Jan 2018 01:34:00 GMT",
    "Sat, 1 Oct 2022 23:59:59 PST", "Thu, 29 Feb 2024 23:30:00 +05:30",
    "Wed, 31 Dec 2025 22:00:00 -0800", "24 Sep 2018 20:34 EST", "Sun 20 Apr 2014 8:19:00 CEST",
    "Fri,  5 May 95 10:00:00 +0100", "Fri, 5 May 89 10:00:00 Z", "Mon, 24 Sep 2018 20:34:00 UTC",
    "Mon, 24 Sep 2018 20:34:00 GMTEST", "mon, 24 SEP 2018 20:34:00 gmt",
    "Xyz, 24 Sep 2018 20:34:00 GMT", "Mon, 24 Sept 2018 20:34:00 GMT",
    "Mon, 31 Sep 2018 20:34:00 GMT", "Mon, 24 Sep 2018 24:00:00 GMT",
    "Mon, 24 Sep 2018 20:60:00 GMT", "Mon, 24 Sep 2018 20:34:60 GMT",
    "Sat, 01 Jan 0001 00:00:00 +0100", "Fri, 31 Dec 9999 23:00:00 -0200",
    "Mon, 24 ſep 2018 20:34:00 GMT", "Mon, 24 Sep 2018 20:34:00 +0a00",
    "Mon, 24 Sep 2018 20:34:00 GMT+2", "Mon,24 Sep 2018 20:34:00 GMT",
    "Mon, ٢٤ Sep 2018 20:34:00 GMT", "Sun, 21 Jan 2008 8:56 am PST",
    "Seg, 24 Set 2018 19:22:00 -0300", "2018-09-24T20:34:00Z", "2018-09-24T20:34:00+02:00",
    "2018-09-24T20:34:00.123456-05:30", "2018-09-24", "2018-09-24t20:34:00z",
    "2018-09-24 20:34:00 -0800", "2023-02-29T00:00:00Z", "2024-02-29T23:59:59.9999999999999999Z",
    "2018-13-01T00:00:00Z", "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00",
    "2018-09-24T20:34:00+0200", "2018-09-24T20:34Z", "2020/1/10 14:16:00",
    "", None, " ", "garbage",
])
def test_known_forms_and_edges(text: str | None) -> None:
    same(text)


def test_every_three_letter_day_name_and_month() -> None:
    letters = string.ascii_letters
    for a, b, c in itertools.product(letters, repeat=3):
        if random.Random(a + b + c).random() < 0.05:  # a twentieth, the same each run
            same(f"{a}{b}{c}, 24 Sep 2018 20:34:00 GMT")
            same(f"Mon, 24 {a}{b}{c} 2018 20:34:00 +0100")


def test_zone_names() -> None:
    low = string.ascii_lowercase
    zones = ["".join(p) for k in (1, 2) for p in itertools.product(low, repeat=k)]
    zones += ["gmt" + z for z in low] + ["EST", "EDT", "PST", "PDT", "CST", "MEST", "Z", "UT"]
    for zone in zones:
        same(f"Tue, 02 Jan 2018 01:34:00 {zone}")


def test_generated_dates() -> None:
    rng = random.Random(7)
    odd = ["٣", "_", "K", "ſ", "-", "+", ":", ".", "T", "t", "Z", " ", "\t", "e"]
    for _ in range(4000):
        if rng.random() < 0.5:
            year = f"{rng.randint(0, 2100):0{rng.choice([2, 4])}d}"
            text = (f"{rng.choice(['Mon, ', 'Tue, ', 'Sat ', ''])}{rng.randint(0, 32)} "
                    f"{rng.choice(['Jan', 'Feb', 'Sep', 'oct', 'Dez'])} {year} "
                    f"{rng.randint(0, 24)}:{rng.randint(0, 60):02d}:{rng.randint(0, 60):02d} "
                    f"{rng.choice(['GMT', 'PST', '+0530', '-1200', 'XYZ', '+99:99'])}")
        else:
            zone = rng.choice(['Z', '+14:00', '-05:30', ''])
            text = (f"{rng.randint(0, 9999):04d}-{rng.randint(0, 13):02d}-{rng.randint(0, 32):02d}"
                    f"T{rng.randint(0, 24):02d}:{rng.randint(0, 60):02d}:{rng.randint(0, 60):02d}"
                    f"{rng.choice(['', '.5', '.999999'])}{zone}")
        if rng.random() < 0.3:
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(odd) + text[at + rng.randint(0, 1):]
        same(text)


def test_a_month_past_twelve_is_no_other_months_date() -> None:
    """The months it has read are remembered by ``year * 16 + month``: month 17 of 2020 must
    not be taken for January 2021 (feedparser's W3C-DTF handler refuses it; the next one
    reads a different date)."""
    for text in ("2021-01-05T00:00:00Z", "2020-17-12T12:55:38+02:30", "2007-82-19T14:28:49Z",
                 "2020-00-12T00:00:00Z", "Mon, 12 Jan 2021 10:00:00 GMT"):
        same(text)

"""A feed's date as feedparser reads it, the two forms feeds nearly always write read directly.

feedparser's ``_parse_date`` tries nine handlers in turn, each splitting the text its own
way, W3C-DTF before RFC 822, and builds its answer through ``datetime``, ``timedelta`` and
``utctimetuple``: on the real corpus that cost about 44,000 machine instructions a date
(186 M for its 4,209 dates, callgrind). ``parse_date`` matches the two forms feeds write with
one regular expression each, does feedparser's arithmetic on whole numbers, and builds the
same ``time.struct_time`` (UTC, ``tm_isdst`` 0) feedparser returns:

- **RFC 822** as feeds write it (``Mon, 24 Sep 2018 20:34:00 -0300``; a zone name; a
  two-digit year; no seconds). feedparser's W3C-DTF handler gives up on every such text: the
  part before the first ``t`` of the lower-cased text, or its first word where there is no
  ``t``, is never four characters that read as a number (it starts with a day name, or with
  the day, a space and a month, and no month starts with ``t``). So its RFC 822 handler
  answers, and this is that handler's reading of these words, quirks included: a day name
  is dropped if its first three letters name a day, an unknown zone name counts as UTC, and
  ``GMT`` followed by a name is that name.
- **W3C-DTF** (``2018-09-24T20:34:00Z``, ``…T20:34:00.123+02:00``, ``2018-09-24``), the first
  handler feedparser tries, with its arithmetic (the seconds read through ``float``).

Anything else, and any text whose numbers make no date (31 September, hour 24, a year that
the offset moves out of 1..9999: there feedparser's handler gives up and the next one has its
say), goes to ``_parse_date`` itself: 57 of the real corpus's 4,209 dates. Dates read by
the two forms are remembered, and so are the months they fall in. The corpus's dates cost
112 M instructions this way. Checked against ``_parse_date`` on the corpora's dates and on
hundreds of thousands of generated ones, valid and broken (``tests/test_feed_dates.py`` keeps
a sample).
"""

from __future__ import annotations

import re
from datetime import date
from time import struct_time

from reader.stand_ins import load_feedparser

load_feedparser()
from feedparser.datetimes import _parse_date  # noqa: E402
from feedparser.datetimes.rfc822 import day_names, months, timezone_names  # noqa: E402

# [0-9], not \d (which takes any script's digits), and letters tested by table, not by
# re.IGNORECASE (under Unicode case folding "ſep" is "sep", which feedparser does not read).
_RFC822 = re.compile(
    r"(?:([A-Za-z]{3}),? +)?([0-9]{1,2}) +([A-Za-z]{3}) +([0-9]{4}|[0-9]{2}) +"
    r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))? +(?:([+-])([0-9]{2}):?([0-9]{2})|([A-Za-z]{1,5}))")
_W3DTF = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(?:Z|([+-])([0-9]{2}):([0-9]{2})))?")
_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_DAYS_BEFORE_MONTH = (0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)
_READ: dict[str, struct_time] = {}
"""Dates this process has read by the two forms (a function of the text alone, unlike some
of feedparser's other handlers, which fill in a missing year from the clock): entries of a
feed often share one. Emptied when it reaches ``_READ_MOST``."""
_READ_MOST = 4096


def parse_date(text: str | None) -> struct_time | None:
    """``feedparser.datetimes._parse_date(text)``: the date as a UTC ``struct_time``, or None."""
    if text:
        known = _READ.get(text)
        if known is not None:
            return known
        if text[4:5] == "-":
            found = _W3DTF.fullmatch(text)
            if found is not None:
                year, month, day, hour, minute, second, fraction, sign, zone_hours, \
                    zone_minutes = found.groups()
                if hour is None:
                    parsed = _utc(int(year), int(month), int(day), 0, 0, 0, 0)
                else:
                    offset = 0 if sign is None else int(zone_hours) * 60 + int(zone_minutes)
                    parsed = _utc(int(year), int(month), int(day), int(hour), int(minute),
                                  int(float(second + fraction)) if fraction else int(second),
                                  -offset if sign == "-" else offset)
                if parsed is not None:
                    return _remember(text, parsed)
        else:
            found = _RFC822.fullmatch(text)
            if found is not None:
                day_name, day, month_name, year, hour, minute, second, sign, zone_hours, \
                    zone_minutes, zone = found.groups()
                month = months.get(month_name.lower())
                if month and (day_name is None or day_name.lower() in day_names):
                    number = int(year)
                    if len(year) == 2:
                        number += 1900 if number >= 90 else 2000
                    if sign is not None:
                        offset = int(zone_hours) * 60 + int(zone_minutes)
                        if sign == "-":
                            offset = -offset
                    else:
                        zone = zone.lower()
                        if zone.startswith("gmt"):
                            zone = zone[3:] or "gmt"
                        offset = timezone_names.get(zone, 0) * 60
                    parsed = _utc(number, month, int(day), int(hour), int(minute),
                                  int(second) if second else 0, offset)
                    if parsed is not None:
                        return _remember(text, parsed)
    return _parse_date(text)  # type: ignore[no-any-return]


def _remember(text: str, parsed: struct_time) -> struct_time:
    if len(_READ) >= _READ_MOST:
        _READ.clear()
    _READ[text] = parsed
    return parsed


def _utc(year: int, month: int, day: int, hour: int, minute: int, second: int,
         offset: int) -> struct_time | None:
    """``(datetime(year, …, second) - timedelta(minutes=offset)).utctimetuple()``, or None
    where that raises (no such date or time; a result outside years 1..9999)."""
    if not 1 <= month <= 12:  # (before the key: "year * 16 + month" takes 1..12 only)
        return None
    month_at = _MONTH_AT.get(year * 16 + month)
    if month_at is None:
        if not 1 <= year <= 9999:
            return None
        month_at = _month_at(year, month)
    days, before, start = month_at
    if not (1 <= day <= days and hour < 24 and minute < 60 and second < 60):
        return None
    if not offset:
        return struct_time((year, month, day, hour, minute, second, (start + day + 6) % 7,
                            before + day, 0))
    shift, minutes = divmod(hour * 60 + minute - offset, 1440)
    ordinal = start + day + shift
    if shift:
        if not 1 <= ordinal <= 3652059:  # date.max.toordinal()
            return None
        moved = date.fromordinal(ordinal)
        year, month, day = moved.year, moved.month, moved.day
        before = (_MONTH_AT.get(year * 16 + month) or _month_at(year, month))[1]
    return struct_time((year, month, day, minutes // 60, minutes % 60, second,
                        (ordinal + 6) % 7, before + day, 0))


_MONTH_AT: dict[int, tuple[int, int, int]] = {}
"""Per month read (``year * 16 + month``): its days, the days of its year before it, and the
proleptic Gregorian ordinal of its day 0 (``date.toordinal``): most of a feed's dates fall in
a few months. Emptied when it reaches ``_READ_MOST``."""


def _month_at(year: int, month: int) -> tuple[int, int, int]:
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    before = _DAYS_BEFORE_MONTH[month] + (month > 2 and leap)
    last = year - 1
    found = (29 if month == 2 and leap else _MONTH_DAYS[month], before,
             last * 365 + last // 4 - last // 100 + last // 400 + before)
    if len(_MONTH_AT) >= _READ_MOST:
        _MONTH_AT.clear()
    _MONTH_AT[year * 16 + month] = found
    return found

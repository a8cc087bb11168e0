"""When a feed may be fetched again: durations, what a feed asks, and its next due time.

Pure (no clock, no database, no network), so the store, the command line, the config and the
app share one rule and it is tested as plain data. A feed is fetched no more often than the
longest of what it asks:

* its document: RSS ``<ttl>`` (minutes) and ``sy:updatePeriod`` / ``sy:updateFrequency``
  (e.g. ``hourly`` / ``2``: every 30 minutes);
* its server's answer: ``Cache-Control: max-age`` (less ``Age``) or ``Expires``, and
  ``Retry-After`` (which ``reader.feeds.fetch`` already bounds at a week);
* the person: a per-feed ``interval`` (``reader edit --interval 2h``).

What a feed or its server may ask (all but ``Retry-After`` and the person's own interval) is
capped at ``MAX_ASK``, a day: a ``<ttl>`` of a year, or an ``Expires`` far in the future
(both seen in real feeds, usually by mistake), must not silence a feed for good.

Only automatic refreshes (the app's, ``reader refresh --due``) skip a feed that is not due;
a refresh asked for by hand fetches every feed it names.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY

MAX_ASK = DAY
"""The longest wait a feed or its server can ask for through ttl, sy: or HTTP caching."""

DUE_GRACE = 90.0
"""A feed due within this many seconds counts as due now. Its due time is counted from when
it was stored, a little after the refresh started; without the grace a feed asking for 60
minutes, refreshed by an hourly timer (systemd's default accuracy is a minute), would be a
few seconds short of due every hour and fetched only every other hour."""

_UNITS = {"s": 1, "m": MINUTE, "h": HOUR, "d": DAY, "w": WEEK}
_DURATION = re.compile(r"(\d+)\s*([smhdw])")
_WHOLE = re.compile(r"\s*(?:\d+\s*[smhdw]\s*)+")

SY_PERIODS = {"hourly": HOUR, "daily": DAY, "weekly": WEEK, "monthly": 30 * DAY,
              "yearly": 365 * DAY}
"""``sy:updatePeriod`` values (RSS 1.0's syndication module) in seconds."""


class DurationError(ValueError):
    """Not a duration; the message completes "... must be ..."."""


DURATION_HINT = 'a duration like "30m", "2h" or "1d" (s, m, h, d, w)'


def parse_duration(text: str) -> float:
    """Seconds in ``text``: ``30m``, ``2h``, ``1d``, ``1h30m``, ``45s``, ``2w``, or ``0``.

    A bare number other than 0 is refused: "60" could be seconds or minutes, and guessing
    wrong by 60 times is worse than asking."""
    if not isinstance(text, str):
        raise DurationError(DURATION_HINT)
    stripped = text.strip().lower()
    if stripped == "0":
        return 0.0
    if not stripped or not _WHOLE.fullmatch(stripped):
        raise DurationError(DURATION_HINT)
    return float(sum(int(n) * _UNITS[unit] for n, unit in _DURATION.findall(stripped)))


def format_duration(seconds: float) -> str:
    """``5400`` → ``1h30m``; whole days, hours, minutes and seconds, largest first."""
    left = round(seconds)
    if left <= 0:
        return "0"
    parts = []
    for unit, size in (("d", DAY), ("h", HOUR), ("m", MINUTE), ("s", 1)):
        if left >= size:
            parts.append(f"{left // size}{unit}")
            left %= size
    return "".join(parts)


def check_duration(text: str, low: float, high: float, *, zero_ok: bool = False) -> float:
    """``parse_duration`` within ``[low, high]`` seconds (and 0 when ``zero_ok``)."""
    seconds = parse_duration(text)
    if zero_ok and seconds == 0:
        return 0.0
    if not low <= seconds <= high:
        span = f"from {format_duration(low)} to {format_duration(high)}"
        raise DurationError(f"a duration {span}" + (' (or "0" for off)' if zero_ok else ""))
    return seconds


# -- what a feed asks ----------------------------------------------------------------------------


def _positive_int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
        return number if number > 0 else None
    return None


def ttl_minutes(value: object) -> int | None:
    """An RSS ``<ttl>`` as whole minutes (None: absent, zero or not a number)."""
    return _positive_int(value)


def update_period(value: object) -> str | None:
    """A ``sy:updatePeriod`` the module defines (lower-cased), else None."""
    if isinstance(value, str) and value.strip().lower() in SY_PERIODS:
        return value.strip().lower()
    return None


def update_frequency(value: object) -> int | None:
    """A ``sy:updateFrequency`` (times per period), else None."""
    return _positive_int(value)


def feed_asks_every(ttl: int | None, period: str | None, frequency: int | None) -> float | None:
    """Seconds the document asks readers to wait between fetches, uncapped (None: nothing).

    ``<ttl>`` and the syndication module can both be given; each is a lower bound, so the
    longer one holds. ``sy:updateFrequency`` without a period means per day (the module's
    default period)."""
    asks: list[float] = []
    if ttl:
        asks.append(ttl * MINUTE)
    if period or frequency:
        asks.append(SY_PERIODS[period or "daily"] / (frequency or 1))
    return max(asks) if asks else None


def http_fresh_until(headers: Mapping[str, str], now: float) -> float | None:
    """Until when (unix time) an HTTP answer says it stays fresh: ``Cache-Control: max-age``
    less ``Age``, else ``Expires`` measured against the server's ``Date`` (so a server whose
    clock is off still gets the freshness it meant). ``no-cache``/``no-store``, an ``Expires``
    in the past or not a date: None. ``headers`` are lower-cased."""
    control = headers.get("cache-control", "").lower()
    directives = {}
    for part in control.split(","):
        name, _, value = part.strip().partition("=")
        directives[name.strip()] = value.strip().strip('"')
    if "no-store" in directives or "no-cache" in directives:
        return None
    if "max-age" in directives:
        seconds = _positive_int(directives["max-age"])
        age = _positive_int(headers.get("age", "")) or 0
        if seconds is None or seconds <= age:
            return None
        return now + seconds - age
    expires = _http_date(headers.get("expires"))
    if expires is None:
        return None
    served = _http_date(headers.get("date"))
    fresh = expires - (served if served is not None else now)
    return now + fresh if fresh > 0 else None


def _http_date(value: str | None) -> float | None:
    if not value:
        return None
    # Imported here: the config (and so the app's first frame) imports this module, and
    # email.utils with what it loads (socket, calendar, locale) is only for refreshes.
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


# -- when a feed is due --------------------------------------------------------------------------


def next_due(checked: float, *, interval: float | None = None, feed_every: float | None = None,
             fresh: float | None = None, retry_after: float | None = None) -> float:
    """When a feed checked at ``checked`` may be fetched again: the latest of what the person
    (``interval``), the document (``feed_every``), the HTTP answer (``fresh``, a time) and
    the server's ``Retry-After`` (a time) ask, the feed's and the answer's asks capped at
    ``MAX_ASK``. With nothing asked: at once (the next automatic refresh fetches it)."""
    due = checked
    if interval:
        due = max(due, checked + interval)
    if feed_every:
        due = max(due, checked + min(feed_every, MAX_ASK))
    if fresh is not None:
        due = max(due, min(fresh, checked + MAX_ASK))
    if retry_after is not None:
        due = max(due, retry_after)
    return due


def is_due(due: float | None, now: float) -> bool:
    """Whether a feed whose next due time is ``due`` is fetched by an automatic refresh now
    (never checked: yes; within ``DUE_GRACE``: yes)."""
    return due is None or due <= now + DUE_GRACE


def clock_time(when: float, now: float | None = None) -> str:
    """A time as a person reads it on the status line: ``14:05`` today, else
    ``Tue 14:05`` within a week, else the date (local time)."""
    now = time.time() if now is None else now
    local, today = time.localtime(when), time.localtime(now)
    if local[:3] == today[:3]:
        return time.strftime("%H:%M", local)
    if abs(when - now) < 6 * DAY:
        return time.strftime("%a %H:%M", local)
    return time.strftime("%Y-%m-%d %H:%M", local)

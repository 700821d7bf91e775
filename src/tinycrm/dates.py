"""Read the dates and times people type, and show them back.

Everything returned as a datetime is timezone-aware; :func:`parse_when` returns UTC.  Words
such as ``today`` or ``next monday`` are resolved on the user's *local* calendar (see
:func:`local_tz`), and wall-clock times are converted to UTC with zoneinfo, so daylight
saving changes are handled: ``tomorrow`` is always local midnight.

Vocabulary (case-insensitive, surrounding whitespace ignored)::

    2026-12-01            2026-12-01 14:30      2026-12-01T14:30:05Z   2026-12-01T14:30+01:00
    now  today  tomorrow  yesterday             monday / mon (next one, strictly after today)
    next monday           last friday           next week / month / year    last week / ...
    +3d  -1d  +2w  +1m  +1y  +4h  +30min        in 3 days   in 2 weeks   3 days ago
    end of month / eom    end of quarter / eoq  end of year / eoy
    a day followed by a time: tomorrow 14:00, next monday 9:30, today 5pm, 2026-12-01 9am
    a time alone means today: 17:00, 5:30pm

Invalid input raises :class:`ValueError` with a short one-line message meant for the user.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from tinycrm.clock import utcnow

__all__ = [
    "format_local",
    "humanize",
    "local_today",
    "local_tz",
    "parse_date",
    "parse_when",
    "to_local",
]

_HINT = "try 2026-12-01, today, tomorrow, +3d, next monday, in 2 weeks"
_END_OF_DAY = time(23, 59, 59)

_WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}

# Unit spellings -> canonical unit.  "m" is months; minutes are "min".
_UNITS = {
    "d": "d",
    "day": "d",
    "days": "d",
    "w": "w",
    "wk": "w",
    "wks": "w",
    "week": "w",
    "weeks": "w",
    "m": "m",
    "mo": "m",
    "mos": "m",
    "month": "m",
    "months": "m",
    "y": "y",
    "yr": "y",
    "yrs": "y",
    "year": "y",
    "years": "y",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "min": "min",
    "mins": "min",
    "minute": "min",
    "minutes": "min",
}
_CLOCK_UNITS = frozenset({"h", "min"})

_DAY_WORDS = {
    "today": 0,
    "tomorrow": 1,
    "tmrw": 1,
    "tmr": 1,
    "yesterday": -1,
}

# Input is normalised (lowercase, single spaces) before these patterns run.
_RELATIVE_RE = re.compile(
    r"(?:(?P<sign>[+-]) ?(?P<n1>[0-9]{1,9}) ?(?P<u1>[a-z]+))"
    r"|(?:in (?P<n2>[0-9]{1,9}|an?|one) ?(?P<u2>[a-z]+))"
    r"|(?:(?P<n3>[0-9]{1,9}|an?|one) ?(?P<u3>[a-z]+) ago)"
)
_ISO_DATE_RE = re.compile(
    r"(?P<y>[0-9]{4})(?P<sep>[-/])(?P<mo>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"
)
_ISO_DATETIME_RE = re.compile(
    r"(?P<y>[0-9]{4})-(?P<mo>[0-9]{1,2})-(?P<d>[0-9]{1,2})[t ]"
    r"(?P<h>[0-9]{1,2}):(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,](?P<frac>[0-9]{1,6}))?)?"
    r" ?(?P<off>z|utc|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
_TIME = (
    r"(?P<h>[0-9]{1,2})(?::(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2}))?)?"
    r" ?(?P<ampm>am|pm|a\.m\.|p\.m\.)?"
)
_TIME_RE = re.compile(_TIME)
_DAY_AND_TIME_RE = re.compile(r"(?P<day>.+?) (?:at |@ ?)?" + _TIME)
_NEXT_LAST_RE = re.compile(r"(?P<which>next|last) (?P<what>[a-z]+)")
_END_OF_RE = re.compile(r"(?:end of (?:the )?(?P<what>month|quarter|year))|(?P<abbr>eom|eoq|eoy)")


# --------------------------------------------------------------------------- time zones


def local_tz() -> tzinfo:
    """Return the user's time zone.

    A valid IANA name in the ``TZ`` environment variable wins (``TZ=Europe/Berlin``);
    otherwise the system zone is used (``/etc/localtime`` where available, so daylight
    saving rules are known; else the current fixed offset reported by the OS).
    """
    return _zone_for_env(os.environ.get("TZ"))


def local_today(tz: tzinfo | None = None) -> date:
    """Today's date on the user's calendar (``tz``, default :func:`local_tz`), by the clock."""
    return utcnow().astimezone(tz if tz is not None else local_tz()).date()


@lru_cache(maxsize=16)
def _zone_for_env(tz_env: str | None) -> tzinfo:
    if tz_env is not None:
        if tz_env.strip() == "":
            return UTC
        key = tz_env[1:] if tz_env.startswith(":") else tz_env
        zone = _zone_or_none(key)
        if zone is not None:
            return zone
        # Not an IANA key (e.g. a POSIX rule such as "CET-1CEST"): let the OS interpret it.
        return _os_fixed_zone()
    return _system_zone()


def _zone_or_none(key: str) -> tzinfo | None:
    try:
        return ZoneInfo(key)
    except Exception:  # ZoneInfoNotFoundError, ValueError, IsADirectoryError, ...
        return None


def _system_zone() -> tzinfo:
    path = "/etc/localtime"
    try:
        real = os.path.realpath(path)
        marker = "/zoneinfo/"
        if marker in real:
            zone = _zone_or_none(real.split(marker, 1)[1])
            if zone is not None:
                return zone
        with open(path, "rb") as fh:
            return ZoneInfo.from_file(fh, key="localtime")
    except Exception:  # missing file (Windows), unreadable, corrupt
        return _os_fixed_zone()


def _os_fixed_zone() -> tzinfo:
    try:
        return datetime.now().astimezone().tzinfo or UTC
    except (ValueError, OverflowError, OSError):  # a POSIX TZ a day or more off (UTC+99)
        return UTC


# What parse_when takes: two days from the calendar's ends, so that every zone can show it
# (one a day from year 1 could not be shown in a zone behind UTC: an OverflowError)
WHEN_RANGE = (datetime(1, 1, 3, tzinfo=UTC), datetime(9999, 12, 29, tzinfo=UTC))


def to_local(dt: datetime, tz: tzinfo | None = None) -> datetime:
    """Convert an aware datetime (naive is taken as UTC) to the local zone (or ``tz``)."""
    zone = tz if tz is not None else local_tz()
    try:
        return _as_utc(dt).astimezone(zone)
    except OverflowError:  # within a day of the calendar's ends (stored before WHEN_RANGE)
        return _as_utc(dt)


def _as_utc(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def local_day(now: datetime) -> tuple[datetime, datetime]:
    """The UTC bounds of the user's local calendar day containing ``now`` (DST-safe)."""
    tz = local_tz()
    local = now.astimezone(tz)
    midnight = datetime.combine(local.date(), time())
    start = midnight.replace(tzinfo=tz)
    end = (midnight + timedelta(days=1)).replace(tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


# --------------------------------------------------------------------------- display


def format_local(dt: datetime | None, *, tz: tzinfo | None = None) -> str:
    """Format ``dt`` as ``2026-11-23 14:05`` in local time; ``""`` for None."""
    if dt is None:
        return ""
    local = to_local(dt, tz)
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"


def humanize(dt: datetime, *, now: datetime | None = None, tz: tzinfo | None = None) -> str:
    """Describe ``dt`` relative to ``now``: ``5 min ago``, ``in 3 h``, ``yesterday``, ...

    Within a minute: ``just now``; within an hour: minutes; within a day: hours and
    minutes (``in 1 h 59 min``, ``3 h ago``), to the minute as under an hour; within a
    week: ``yesterday``/``tomorrow``/``N days ago``/``in N days`` (local calendar days);
    otherwise the local date, e.g. ``2026-03-01``.  Naive datetimes are taken as UTC.
    """
    zone = tz if tz is not None else local_tz()
    when = _as_utc(dt)
    ref = _as_utc(now) if now is not None else utcnow()
    seconds = (when - ref).total_seconds()
    future = seconds > 0
    gap = abs(seconds)
    if gap < 60:
        return "just now"
    if gap < 3600:
        n = int(gap // 60)
        return f"in {n} min" if future else f"{n} min ago"
    try:
        when_day = when.astimezone(zone).date()
        days = (when_day - ref.astimezone(zone).date()).days
    except OverflowError:
        return when.date().isoformat()
    if gap < 86400 or days == 0:
        # hours and the minutes over them, to the minute as under an hour: 1 h 59 min
        # floored to "1 h" was an hour off (an SLA due in two hours said one)
        hours, minutes = divmod(int(gap // 60), 60)
        span = f"{hours} h {minutes} min" if minutes else f"{hours} h"
        return f"in {span}" if future else f"{span} ago"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    if 2 <= days <= 6:
        return f"in {days} days"
    if -6 <= days <= -2:
        return f"{-days} days ago"
    return when_day.isoformat()


# --------------------------------------------------------------------------- parsing


def parse_when(
    text: str,
    *,
    now: datetime | None = None,
    tz: tzinfo | None = None,
    end_of_day: bool = False,
) -> datetime:
    """Parse a point in time typed by a person; return an aware datetime in UTC.

    ``now`` is the reference instant (default: the current time; a naive value is taken as
    local time).  ``tz`` is the user's zone (default :func:`local_tz`); input without an
    explicit offset is local wall-clock time.  Day expressions without a time (``today``,
    ``2026-12-01``, ``+3d``, ``next monday``) mean local midnight, or 23:59:59 local when
    ``end_of_day`` is true.  ``+4h``/``in 30 min`` are exact durations from ``now``.

    Raises ValueError with a one-line, user-facing message if the text is not understood.
    """
    zone = tz if tz is not None else local_tz()
    try:
        parsed = _parse_when(text, now, zone, end_of_day)
        if not WHEN_RANGE[0] <= parsed <= WHEN_RANGE[1]:
            raise OverflowError("too near the calendar's ends to show in every zone")
        return parsed
    except OverflowError:
        first, last = (d.date().isoformat() for d in WHEN_RANGE)
        raise ValueError(
            f"date {_show(text)} is out of range (a time is from {first} to before {last})"
        ) from None


def parse_date(text: str, *, today: date | None = None, tz: tzinfo | None = None) -> date:
    """Parse a calendar date typed by a person (e.g. a deal's close date).

    Same vocabulary as :func:`parse_when` for days (``2026-12-01``, ``today``, ``+3d``,
    ``next monday``, ``in 2 weeks``, ...) plus ``end of month``/``eom``, ``end of
    quarter``/``eoq`` and ``end of year``/``eoy``.  A time of day, if given, is ignored;
    an ISO datetime with an offset is converted to ``tz`` first.  Hour/minute offsets are
    rejected.  ``today`` defaults to the current local date in ``tz`` (default
    :func:`local_tz`).

    Raises ValueError with a one-line, user-facing message if the text is not understood.
    """
    zone = tz if tz is not None else local_tz()
    try:
        return _parse_date(text, today, zone)
    except OverflowError:
        first, last = (d.date().isoformat() for d in WHEN_RANGE)
        raise ValueError(
            f"date {_show(text)} is out of range (a time is from {first} to before {last})"
        ) from None


def _parse_when(text: str, now: datetime | None, zone: tzinfo, end_of_day: bool) -> datetime:
    s = _normalize(text)
    if now is None:
        now_utc = utcnow()
    elif now.tzinfo is None or now.utcoffset() is None:
        now_utc = now.replace(tzinfo=zone).astimezone(UTC)
    else:
        now_utc = now.astimezone(UTC)
    if s == "now":
        return now_utc

    m = _ISO_DATETIME_RE.fullmatch(s)
    if m:
        return _iso_datetime(m, text, zone).astimezone(UTC)

    rel = _relative(s, text)
    if rel is not None and rel[1] in _CLOCK_UNITS:
        n, unit = rel
        delta = timedelta(hours=n) if unit == "h" else timedelta(minutes=n)
        return now_utc + delta

    today = now_utc.astimezone(zone).date()
    tm = _TIME_RE.fullmatch(s)
    if tm and (tm["mi"] or tm["ampm"]):
        return _combine(today, _clock(tm["h"], tm["mi"], tm["s"], tm["ampm"], text), zone)

    day_text, clock = _split_time(s, text)
    day = _parse_day(day_text, today, text)
    if day is None:
        raise _not_understood(text, today)
    if clock is None:
        clock = _END_OF_DAY if end_of_day else time(0, 0)
    return _combine(day, clock, zone)


def _parse_date(text: str, today: date | None, zone: tzinfo) -> date:
    s = _normalize(text)
    if today is None:
        today = local_today(zone)
    if s == "now":
        return today
    m = _ISO_DATETIME_RE.fullmatch(s)
    if m:
        dt = _iso_datetime(m, text, zone)
        return dt.astimezone(zone).date() if m["off"] else dt.date()
    rel = _relative(s, text)
    if rel is not None and rel[1] in _CLOCK_UNITS:
        raise ValueError(
            f"cannot use hours or minutes in date {_show(text)} (use days, weeks, months or years)"
        )
    day_text, _clock_unused = _split_time(s, text)
    day = _parse_day(day_text, today, text)
    if day is None:
        raise _not_understood(text, today)
    return day


def _normalize(text: str) -> str:
    s = " ".join(text.lower().split())
    if not s:
        raise ValueError(f"date is empty ({_HINT})")
    return s


def _show(text: str) -> str:
    """The user's text, on one line and not too long, quoted for an error message."""
    s = " ".join(text.split())
    if len(s) > 40:
        s = s[:37] + "..."
    return repr(s)


_PAST_THE_CALENDAR = re.compile(
    r"[0-9]{5,}[-/][0-9]{1,2}[-/][0-9]{1,2}(?:[ t].*)?"  # a year past 9999
    r"|[+-] ?[0-9]{10,} ?[a-z]+|in [0-9]{10,} ?[a-z]+|[0-9]{10,} ?[a-z]+ ago"  # +3d, too many
)
"""The shapes of a date whose numbers go past the calendar: refused as out of range, as
``+99999999y`` is, rather than as a text not understood."""


def _not_understood(text: str, today: date | None = None) -> ValueError:
    if _PAST_THE_CALENDAR.fullmatch(" ".join(text.lower().split())):
        return ValueError(f"date {_show(text)} is out of range")
    advice = _iso_advice(text, today) or _respelt(text) or _HINT
    return ValueError(f"cannot understand date {_show(text)} ({advice})")


_WORDS = (*_DAY_WORDS, *_WEEKDAYS, *_UNITS, "now", "next", "last", "in", "ago", "end", "of")
"""The words a date is written in, for a typo's nearest ("tomorow": "tomorrow")."""


def _respelt(text: str) -> str | None:
    """``did you mean 'tomorrow 9:00'?`` for ``tomorow 9:00``: each word that is not one of
    the date words, respelt as the nearest one, when the date then reads."""
    import difflib

    words = " ".join(text.lower().split()).split(" ")
    respelt = [
        w
        if not w.isalpha() or w in _WORDS
        else next(iter(difflib.get_close_matches(w, _WORDS, n=1, cutoff=0.75)), None)
        for w in words
    ]
    if None in respelt or respelt == words:
        return None
    meant = " ".join(w for w in respelt if w is not None)
    try:  # (a respelt text reads as a date, or nothing is offered)
        parse_date(meant, today=date(2000, 1, 1), tz=UTC)
    except ValueError:
        return None
    return f"did you mean {meant!r}?"


_SLASHED_DAY = re.compile(r"(\d{1,2})[./-](\d{1,2})(?:[./-](\d{4}))?( \S.*)?")


def _iso_advice(text: str, today: date | None) -> str | None:
    """For a day written the way people do (``31/12/2026``, ``31.12.2026``, ``12/31/2026``,
    ``31/12`` this year), how to write it for tinycrm: the day it can be, or both when the
    order is unclear; for no day at all (``31/02``), why, and the month's last day."""
    m = _SLASHED_DAY.fullmatch(" ".join(text.split()))
    if m is None:
        return None
    first, second = int(m[1]), int(m[2])
    year = int(m[3]) if m[3] else (today or local_today()).year
    forms: list[str] = []
    for month, dom in ((second, first), (first, second)):  # day first, then month first
        try:
            iso = date(year, month, dom).isoformat() + (m[4] or "")
        except ValueError:
            continue
        if iso not in forms:
            forms.append(iso)
    if forms:
        return f"write it year-month-day: {' or '.join(forms)}"
    # no day either way: the reading whose month is one (31/02: February, 02/31 too)
    month, dom = (second, first) if 1 <= second <= 12 else (first, second)
    why = no_such_day(year, month, dom)
    if 1 <= month <= 12 and dom > 28:
        last = date(year, month, _days_in_month(year, month)).isoformat()
        return f"{why}; write a day year-month-day, as {last}"
    return f"{why}; write a day year-month-day"


def _split_time(s: str, text: str) -> tuple[str, time | None]:
    """Split ``'tomorrow 14:00'`` into ``('tomorrow', time(14, 0))``."""
    m = _DAY_AND_TIME_RE.fullmatch(s)
    if m is None or not (m["mi"] or m["ampm"]):
        return s, None
    return m["day"], _clock(m["h"], m["mi"], m["s"], m["ampm"], text)


def _clock(hour: str, minute: str | None, second: str | None, ampm: str | None, text: str) -> time:
    h = int(hour)
    mi = int(minute) if minute else 0
    sec = int(second) if second else 0
    if ampm:
        if not 1 <= h <= 12:
            raise ValueError(f"invalid time in {_show(text)} (hours run from 1 to 12 with am/pm)")
        h = h % 12 + (12 if ampm.startswith("p") else 0)
    if h > 23 or mi > 59 or sec > 59:
        raise ValueError(f"invalid time in {_show(text)} (use e.g. 14:30, 9am, 5:30pm)")
    return time(h, mi, sec)


def _iso_datetime(m: re.Match[str], text: str, zone: tzinfo) -> datetime:
    """An aware datetime from an ISO match; no offset means local wall-clock time."""
    day = _make_date(int(m["y"]), int(m["mo"]), int(m["d"]), text)
    h, mi, sec = int(m["h"]), int(m["mi"]), int(m["s"] or 0)
    if h > 23 or mi > 59 or sec > 59:
        raise ValueError(f"invalid time in {_show(text)} (use e.g. 14:30, 9am, 5:30pm)")
    micro = int((m["frac"] or "").ljust(6, "0"))
    clock = time(h, mi, sec, micro)
    off = m["off"]
    if not off:
        return datetime.combine(day, clock, tzinfo=zone)
    if off in ("z", "utc"):
        return datetime.combine(day, clock, tzinfo=UTC)
    digits = off[1:].replace(":", "")
    oh, om = int(digits[:2]), int(digits[2:] or 0)
    if oh > 23 or om > 59:
        raise ValueError(f"invalid UTC offset in {_show(text)}")
    delta = timedelta(hours=oh, minutes=om)
    return datetime.combine(day, clock, tzinfo=timezone(-delta if off[0] == "-" else delta))


def _combine(day: date, clock: time, zone: tzinfo) -> datetime:
    # fold=0: an ambiguous wall time (autumn) is the first occurrence; a wall time inside
    # the spring-forward gap is read with the pre-transition offset (lands after the gap).
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def _make_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise NoSuchDay(text, no_such_day(year, month, day)) from None


class NoSuchDay(ValueError):
    """A day written as tinycrm reads days that the calendar lacks (``2026-02-30``);
    ``why`` says so as a person would (``February 2026 has 28 days``)."""

    def __init__(self, text: str, why: str) -> None:
        super().__init__(f"invalid date {_show(text)} ({why})")
        self.why = why


_MONTH_NAMES = (
    *("January", "February", "March", "April", "May", "June", "July"),
    *("August", "September", "October", "November", "December"),
)


def no_such_day(year: int, month: int, day: int) -> str:
    """Why ``year-month-day`` is no day of the calendar, said as a person would:
    ``February 2026 has 28 days``, ``there is no month 13``."""
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if not 1 <= year <= 9999:
        return f"there is no year {year}"
    if day < 1:
        return f"there is no day {day}"
    return f"{_MONTH_NAMES[month - 1]} {year} has {_days_in_month(year, month)} days"


def _relative(s: str, text: str) -> tuple[int, str] | None:
    """``'+3d'``, ``'in 2 weeks'``, ``'3 days ago'`` -> (signed count, canonical unit)."""
    m = _RELATIVE_RE.fullmatch(s)
    if m is None:
        return None
    if m["u1"] is not None:
        raw_n, raw_unit, negative = m["n1"], m["u1"], m["sign"] == "-"
    elif m["u2"] is not None:
        raw_n, raw_unit, negative = m["n2"], m["u2"], False
    else:
        raw_n, raw_unit, negative = m["n3"], m["u3"], True
    unit = _UNITS.get(raw_unit)
    if unit is None:
        import difflib

        near = difflib.get_close_matches(raw_unit, [u for u in _UNITS if len(u) > 3], 1, 0.75)
        meant = f", did you mean {near[0]!r}?" if near else ""
        raise ValueError(
            f"unknown unit {raw_unit!r} in {_show(text)}{meant} (use d, w, m, y, h or min:"
            " e.g. +3d, +2w, +1m, +4h, +30min)"
        )
    n = 1 if raw_n in ("a", "an", "one") else int(raw_n)
    return (-n if negative else n), unit


def _shift(day: date, n: int, unit: str) -> date:
    if unit == "d":
        return day + timedelta(days=n)
    if unit == "w":
        return day + timedelta(weeks=n)
    if unit == "m":
        return add_months(day, n)
    return add_months(day, 12 * n)


def add_months(day: date, months: int) -> date:
    """Calendar-aware month arithmetic, clamping to the end of the month (Jan 31 + 1m = Feb 28)."""
    total = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("year out of range")
    return date(year, month0 + 1, min(day.day, _days_in_month(year, month0 + 1)))


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _end_of_month(day: date) -> date:
    return date(day.year, day.month, _days_in_month(day.year, day.month))


def _parse_day(s: str, today: date, text: str) -> date | None:
    """A calendar day from a day expression, or None if ``s`` is not one."""
    if s in _DAY_WORDS:
        return today + timedelta(days=_DAY_WORDS[s])
    if s in _WEEKDAYS:
        return _next_weekday(today, _WEEKDAYS[s])

    m = _ISO_DATE_RE.fullmatch(s)
    if m:
        return _make_date(int(m["y"]), int(m["mo"]), int(m["d"]), text)

    m = _NEXT_LAST_RE.fullmatch(s)
    if m:
        step = 1 if m["which"] == "next" else -1
        what = m["what"]
        if what in _WEEKDAYS:
            wd = _WEEKDAYS[what]
            return _next_weekday(today, wd) if step == 1 else _last_weekday(today, wd)
        unit = {"week": "w", "month": "m", "year": "y"}.get(what)
        if unit is not None:
            return _shift(today, step, unit)
        return None

    m = _END_OF_RE.fullmatch(s)
    if m:
        what = m["what"] or {"eom": "month", "eoq": "quarter", "eoy": "year"}[m["abbr"]]
        if what == "month":
            return _end_of_month(today)
        if what == "quarter":
            return _end_of_month(date(today.year, (today.month - 1) // 3 * 3 + 3, 1))
        return date(today.year, 12, 31)

    rel = _relative(s, text)
    if rel is not None:
        n, unit = rel
        if unit in _CLOCK_UNITS:
            raise ValueError(
                f"cannot add a time of day to an hour/minute offset in {_show(text)}"
                " (e.g. use +4h or tomorrow 14:00)"
            )
        return _shift(today, n, unit)
    return None


def _next_weekday(today: date, weekday: int) -> date:
    """The next ``weekday`` strictly after ``today`` (1..7 days ahead)."""
    ahead = (weekday - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead)


def _last_weekday(today: date, weekday: int) -> date:
    """The most recent ``weekday`` strictly before ``today`` (1..7 days back)."""
    back = (today.weekday() - weekday) % 7 or 7
    return today - timedelta(days=back)


# --------------------------------------------------------------------------- periods

PERIOD_UNITS = ("week", "month", "quarter")


def local_midnight(day: date, zone: tzinfo | None = None) -> datetime:
    """The UTC instant the calendar day ``day`` starts in ``zone`` (default: the user's).

    At the ends of the calendar, where that instant is before the year 1 or after 9999 in
    UTC (0001-01-01 in a zone ahead of UTC), the first or last instant there is."""
    try:
        return datetime.combine(day, time(), tzinfo=zone or local_tz()).astimezone(UTC)
    except OverflowError:
        return (datetime.min if day.year == 1 else datetime.max).replace(tzinfo=UTC)


def period_start(day: date, by: str) -> date:
    """The first day of the week (Monday), month or quarter holding ``day``."""
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    if by == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    raise ValueError(f"unknown period {by!r} (choose from {', '.join(PERIOD_UNITS)})")


def shift_period(first: date, by: str, n: int) -> date:
    """The first day of the period ``n`` periods after the one starting on ``first``."""
    if by == "week":
        return first + timedelta(weeks=n)
    months = (first.year * 12 + first.month - 1) + n * (3 if by == "quarter" else 1)
    return date(months // 12, months % 12 + 1, 1)


def period_label(first: date, by: str) -> str:
    """``2026-W48`` (ISO week), ``2026-11`` or ``2026-Q4`` for the period starting on ``first``."""
    if by == "week":
        year, week, _ = first.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if by == "quarter":
        return f"{first.year:04d}-Q{(first.month - 1) // 3 + 1}"
    return f"{first.year:04d}-{first.month:02d}"

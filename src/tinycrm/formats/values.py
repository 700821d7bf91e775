"""Cell values as spreadsheets and CRMs write them: dates, numbers, flags, tag lists.

Each parser takes the text of one cell and returns a clean value or raises
:class:`~tinycrm.formats.FormatError` with one line a user can act on.

Dates come as ISO (``2026-12-31``, ``2026-12-31T14:30:00Z``), as day and month
in either order (``31/12/2026``, ``12/31/2026``, ``31.12.26``), with month names
(``Dec 31, 2026``, ``31-Dec-2026``), with a time (``12/31/2026 2:30 PM``), or as
Excel serial numbers (``46022`` is 2025-12-31). When day and month could be
swapped (``03/04/2026``), ``day_first`` decides; dotted dates are always day
first. Times without an offset are local time.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal

from tinycrm.formats import FormatError
from tinycrm.formats.formulas import FORMULA_PREFIXES

_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0, after its 1900 leap-year bug
_SERIAL_RANGE = (20_000, 80_000)  # 1954 to 2119: a bare number outside is not a date

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*,? )?"
_TIME = (
    r"(?:[ t]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<frac>\d{1,6})\d*)?)?"
    r" ?(?P<ampm>am|pm|a\.m\.|p\.m\.)?"
    r" ?(?P<off>z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?)?"
)
_ISO = re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<a>\d{1,2})(?P=sep)(?P<b>\d{1,2})" + _TIME)
_COMPACT = re.compile(r"(?P<y>\d{4})(?P<a>\d{2})(?P<b>\d{2})")
_NUMERIC = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{2}|\d{4})" + _TIME
)
_NAMED_DMY = re.compile(
    _WEEKDAY
    + r"(?P<d>\d{1,2})(?:st|nd|rd|th)?[ -](?P<m>[a-z]{3,9})\.?,?[ -](?P<y>\d{2}|\d{4})"
    + _TIME
)
_NAMED_MDY = re.compile(
    _WEEKDAY + r"(?P<m>[a-z]{3,9})\.? (?P<d>\d{1,2})(?:st|nd|rd|th)?,? (?P<y>\d{4})" + _TIME
)
_SERIAL = re.compile(r"(?P<days>\d{5})(?:[.,](?P<frac>\d+))?")

_TRUE = frozenset(
    {"1", "y", "yes", "true", "t", "x", "done", "completed", "complete", "closed", "✓", "✔"}
)
_FALSE = frozenset(
    (
        *("0", "n", "no", "false", "f", "", "open", "not started", "in progress", "pending"),
        *("waiting on someone else", "deferred", "not done", "todo", "to do"),
    )
)


def _show(text: str) -> str:
    s = " ".join(text.split())
    return repr(s if len(s) <= 40 else s[:37] + "...")


def clean_cell(text: str | None, *, escaped: bool = True, strip: bool = True) -> str:
    """A cell's text without surrounding space, with ``\n`` line ends, and without the
    ``'`` that CSV exports (ours included) put before ``=``, ``+``, ``-``, ``@`` (and
    the rest of ``FORMULA_PREFIXES``) against formula injection (and, in ours, before
    quotes followed by one of those);
    ``escaped=False`` for values no spreadsheet escaped (JSON); ``strip=False`` keeps
    the space around it (a custom field's value, as tinycrm stores and exports it)."""
    if not text:
        return ""
    if escaped and text[0] == "'" and text.lstrip("'").startswith(FORMULA_PREFIXES):
        text = text[1:]  # ours escapes '=x as ''=x too, so one ' always comes off
    if "\r" in text:  # Windows line ends inside a quoted cell
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip() if strip else text


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _month(name: str, text: str) -> int:
    number = _MONTHS.get(name.lower().rstrip("."))
    if number is None:
        raise FormatError(f"cannot read date {_show(text)} (unknown month {name!r})")
    return number


def _make(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        from tinycrm.dates import no_such_day

        raise FormatError(f"invalid date {_show(text)} ({no_such_day(year, month, day)})") from None


def _clock(m: re.Match[str], text: str) -> time | None:
    if not m["h"]:
        return None
    hour, minute, second = int(m["h"]), int(m["mi"]), int(m["s"] or 0)
    if m["ampm"]:
        if not 1 <= hour <= 12:
            raise FormatError(f"invalid time in {_show(text)}")
        hour = hour % 12 + (12 if m["ampm"].startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise FormatError(f"invalid time in {_show(text)}")
    micro = int((m["frac"] or "").ljust(6, "0")[:6])
    return time(hour, minute, second, micro)


def _offset(m: re.Match[str], text: str) -> tzinfo | None:
    off = m["off"]
    if not off:
        return None
    if off in ("z", "utc", "gmt"):
        return UTC
    digits = off[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise FormatError(f"invalid UTC offset in {_show(text)}")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if off[0] == "-" else delta)


def _parse(text: str, day_first: bool) -> tuple[date, time | None, tzinfo | None]:
    s = " ".join(text.strip().lower().split())
    if not s:
        raise FormatError("date is empty")
    if m := _SERIAL.fullmatch(s):
        days = int(m["days"])
        if not _SERIAL_RANGE[0] <= days <= _SERIAL_RANGE[1]:
            raise FormatError(f"cannot read date {_show(text)}")
        serial_day = _EXCEL_EPOCH + timedelta(days=days)
        if m["frac"] and int(m["frac"]):
            seconds = round(float("0." + m["frac"]) * 86400)
            clock = (datetime.min + timedelta(seconds=min(seconds, 86399))).time()
            return serial_day, clock, None
        return serial_day, None, None
    if m := _COMPACT.fullmatch(s):
        return _make(int(m["y"]), int(m["a"]), int(m["b"]), text), None, None
    if m := _ISO.fullmatch(s):
        return _make(int(m["y"]), int(m["a"]), int(m["b"]), text), _clock(m, text), _offset(m, text)
    if m := _NUMERIC.fullmatch(s):
        a, b = int(m["a"]), int(m["b"])
        if m["sep"] == "." or a > 12:
            first = True
        elif b > 12:
            first = False
        else:
            first = day_first
        day, month = (a, b) if first else (b, a)
        return _make(_year(m["y"]), month, day, text), _clock(m, text), _offset(m, text)
    for pattern in (_NAMED_DMY, _NAMED_MDY):
        if m := pattern.fullmatch(s):
            named = _month(m["m"], text)
            return _make(_year(m["y"]), named, int(m["d"]), text), _clock(m, text), _offset(m, text)
    raise FormatError(
        f"cannot read date {_show(text)} (use e.g. 2026-12-31, 31/12/2026 or Dec 31, 2026)"
    )


def date_order(text: str) -> str | None:
    """Which order can read a cell's numeric date with ``/`` or ``-`` between its parts:
    ``"day"`` (``13/01/2026``: only day first), ``"month"`` (``01/13/2026``), ``"either"``
    (``03/04/2026``: two different days), or None (any other cell: ISO, dotted, named,
    the same day either way, or no date at all)."""
    if "/" not in text and "-" not in text:
        return None
    m = _NUMERIC.fullmatch(" ".join(text.lower().split()))
    if m is None or m["sep"] == ".":
        return None
    a, b = int(m["a"]), int(m["b"])
    if not a or not b or a == b or (a > 12 and b > 12):
        return None
    if a > 12:
        return "day"
    return "month" if b > 12 else "either"


def parse_date(text: str, *, day_first: bool = False) -> date:
    """The calendar date in a cell (a time of day, if any, is ignored)."""
    return _parse(text, day_first)[0]


def parse_datetime(text: str, *, day_first: bool = False, tz: tzinfo | None = None) -> datetime:
    """The moment in a cell, as an aware UTC datetime. A date alone is local midnight;
    a time without an offset is local time (``tz``, default the user's zone)."""
    day, clock, offset = _parse(text, day_first)
    if offset is None:
        if tz is None:
            from tinycrm.dates import local_tz

            tz = local_tz()
        offset = tz
    try:
        return datetime.combine(day, clock or time(0, 0), tzinfo=offset).astimezone(UTC)
    except OverflowError:
        raise FormatError(f"date {_show(text)} is out of range") from None


def parse_time(text: str) -> time:
    """A time of day: ``14:30``, ``2:30 PM``, ``14:30:00``."""
    m = re.fullmatch(
        r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))? ?(?P<ampm>am|pm|a\.m\.|p\.m\.)?",
        " ".join(text.strip().lower().split()),
    )
    if m is None:
        raise FormatError(f"cannot read time {_show(text)} (use e.g. 14:30 or 2:30 PM)")
    hour, minute, second = int(m["h"]), int(m["mi"]), int(m["s"] or 0)
    if m["ampm"]:
        if not 1 <= hour <= 12:
            raise FormatError(f"invalid time {_show(text)}")
        hour = hour % 12 + (12 if m["ampm"].startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise FormatError(f"invalid time {_show(text)}")
    return time(hour, minute, second)


# A number Excel shows in scientific notation when its column is too narrow, and saves so
# in a CSV: "1.23457E+12", six digits kept and the rest lost ("4,91701E+11": a decimal comma)
_SHORTENED = re.compile(r"[+-]?\d(?:[.,]\d+)?[eE]\+\d{1,3}")


def whole_phone(text: str) -> str:
    """A phone cell as it is, unless Excel shortened it to scientific notation (its last
    digits lost: no number can be made of it again), which ``FormatError`` says."""
    if _SHORTENED.fullmatch(text.strip()):
        raise FormatError(
            f"phone {_show(text)} is a number Excel wrote in scientific notation, its last "
            "digits lost: format the column as text in Excel and save the file again"
        )
    return text


def parse_whole_number(text: str, what: str, *, rule: str = "0 or more") -> int:
    """A count such as a company's size: ``250``, ``1,200``, ``1.200``, ``1 200``, ``1.2k``;
    one below 0 is refused saying it must be ``rule``."""
    from tinycrm import money

    try:
        value = money.parse_count(text.strip())
    except ValueError as exc:
        if "below 0" in str(exc):
            raise FormatError(f"{what} {_show(text)} is below 0: it must be {rule}") from None
        raise FormatError(f"{what} {_show(text)} is not a whole number") from None
    if value > 2**31:
        raise FormatError(f"{what} {_show(text)} is too large")
    return int(value)


def parse_percent(text: str) -> int:
    """A probability in percent: ``50``, ``50%``, ``50 %``, or a fraction ``0.5``; a whole
    number of percent, as a deal's is (``50.5`` is refused, never rounded)."""
    s = text.strip().replace(",", ".")
    percent = s.endswith("%")
    s = s.rstrip("%").strip()
    try:
        value = Decimal(s)
    except ArithmeticError:
        raise FormatError(f"probability {_show(text)} is not a percentage") from None
    if not value.is_finite():
        raise FormatError(f"probability {_show(text)} is not a percentage")
    if not percent and "." in s and 0 <= value <= 1:
        value *= 100
    if not 0 <= value <= 100:
        raise FormatError(f"probability {_show(text)} is not between 0 and 100")
    if value != value.to_integral_value():  # 50.5 is refused, as deal add refuses it
        raise FormatError(f"probability {_show(text)} is not a whole number")
    return int(value)


def parse_flag(text: str, what: str) -> bool:
    """Yes or no: ``1``/``0``, ``yes``/``no``, ``true``/``false``, ``done``, ``x``."""
    s = " ".join(text.strip().lower().split())
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise FormatError(f"{what} {_show(text)} is not yes or no")


def split_tags(text: str) -> list[str]:
    """Tags from one cell: separated by ``,`` or ``;`` (Outlook's Categories) or ``:::``
    (Google's Labels and Group Membership), without Google's system groups: those written
    with a leading ``* `` (``* myContacts``, ``* starred``, ``* friends``, …) and a bare
    ``myContacts``, which every contact of a Google export is in."""
    out: list[str] = []
    for part in re.split(r":::|[,;]", text):
        clean = part.strip()
        if clean.startswith("*") or clean.casefold() in ("mycontacts", "my contacts"):
            continue  # a Google system group, not a label the user made
        if clean:
            out.append(clean)
    return out


MULTI_VALUE = ":::"
"""What Google Contacts writes between the values of one cell (``a@x.example ::: b@y.example``)."""


def split_values(text: str) -> list[str]:
    """The values of one cell Google wrote several into (`` ::: `` between them), blanks and
    repeats left out; a cell without the separator is its one value."""
    if MULTI_VALUE not in text:
        return [text] if text else []
    out: list[str] = []
    for part in text.split(MULTI_VALUE):
        clean = part.strip()
        if clean and clean not in out:
            out.append(clean)
    return out

"""Repeat rules for tasks (``--every 2w``), reminders before a due time (``--remind 1h``)
and keep-in-touch cadences (``--cadence 30d``).

Pure functions: the store and the command line share them.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, tzinfo

from tinycrm import dates

_WORDS = {
    "day": "1d",
    "daily": "1d",
    "week": "1w",
    "weekly": "1w",
    "fortnight": "2w",
    "fortnightly": "2w",
    "biweekly": "2w",
    "month": "1m",
    "monthly": "1m",
    "quarter": "3m",
    "quarterly": "3m",
    "year": "1y",
    "yearly": "1y",
    "annually": "1y",
    "weekday": "weekday",
    "weekdays": "weekday",
    "workday": "weekday",
}
_RULE = re.compile(r"^(\d{1,3})\s*(d|days?|w|weeks?|m|months?|y|years?)$")
HINT = "use e.g. 2w, 10d, month, weekday"


def normalize_repeat(text: str) -> str:
    """A repeat rule in canonical form: ``Nd``, ``Nw``, ``Nm``, ``Ny`` or ``weekday``."""
    clean = " ".join(text.strip().lower().removeprefix("every").split())
    if clean in _WORDS:
        return _WORDS[clean]
    match = _RULE.match(clean)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"cannot understand repeat rule {text!r} ({HINT})")
    return f"{int(match.group(1))}{match.group(2)[0]}"


def _step(local: datetime, rule: str) -> datetime:
    if rule == "weekday":
        nxt = local + timedelta(days=1)
        while nxt.weekday() >= 5:
            nxt += timedelta(days=1)
        return nxt
    count, unit = int(rule[:-1]), rule[-1]
    if unit == "d":
        return local + timedelta(days=count)
    if unit == "w":
        return local + timedelta(weeks=count)
    months = count if unit == "m" else 12 * count
    total = local.year * 12 + local.month - 1 + months
    year, month = divmod(total, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])  # Jan 31 + 1m = Feb 28
    return local.replace(year=year, month=month + 1, day=day)


def next_occurrence(
    due: datetime, rule: str, *, after: datetime | None = None, tz: tzinfo | None = None
) -> datetime:
    """The next due time of a repeating task, in UTC.

    Steps are taken in local wall-clock time (a 9:00 task stays at 9:00 across a
    daylight-saving change) and repeated until the result is after ``after``
    (default: ``due``), so a task completed late does not come back overdue.
    """
    zone = tz or dates.local_tz()
    canonical = normalize_repeat(rule)
    floor = after or due
    local = due.astimezone(zone).replace(tzinfo=None)
    for _ in range(100_000):
        local = _step(local, canonical)
        candidate = local.replace(tzinfo=zone)  # zoneinfo resolves the offset (DST-safe)
        if candidate > floor:
            return candidate.astimezone(due.tzinfo)
    raise ValueError("repeat rule never reaches the future")  # pragma: no cover


_LEAD = re.compile(
    r"^-?\s*(\d{1,6})\s*(m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)(?:\s+before)?$"
)
REMIND_HINT = "a duration before the due time such as 1h, 30m, 2d, or a time such as today 17:00"


def parse_remind(
    text: str, *, due: datetime, now: datetime | None = None, tz: tzinfo | None = None
) -> datetime:
    """When to remind about something due at ``due`` (aware), in UTC.

    A duration means that long before the due time: ``1h``, ``30m`` (minutes), ``90 min``,
    ``2d``, ``1w``, also ``-1h`` or ``2 days before``. Hours and minutes are exact (a clock
    measures them); days and weeks keep the local time of day, so ``1d`` before a task due
    at 9:00 is 9:00 the day before, across a daylight-saving change too. Anything else is a
    point in time as :func:`tinycrm.dates.parse_when` reads it (``today 17:00``, ``friday
    9:00``, ``+2h`` from now). ValueError, with a one-line message, when it is neither.
    """
    clean = " ".join(text.strip().lower().split())
    match = _LEAD.match(clean)
    if match is None:
        try:
            return dates.parse_when(text, now=now, tz=tz)
        except ValueError as exc:
            if str(exc).startswith(("cannot understand", "unknown unit", "date is empty")):
                shown = " ".join(text.split())[:40]
                raise ValueError(f"cannot understand reminder {shown!r} ({REMIND_HINT})") from None
            raise
    count, unit = int(match.group(1)), match.group(2)[0]
    if unit in ("m", "h"):
        return due.astimezone(UTC) - timedelta(minutes=count if unit == "m" else 60 * count)
    days = count * (7 if unit == "w" else 1)
    zone = tz or dates.local_tz()
    try:
        local = due.astimezone(zone).replace(tzinfo=None) - timedelta(days=days)
    except OverflowError:
        raise ValueError(f"reminder {clean!r} is out of range") from None
    return local.replace(tzinfo=zone).astimezone(UTC)  # zoneinfo resolves the offset


def reminder_for(
    due: datetime, *, was_due: datetime, was_reminded: datetime, tz: tzinfo | None = None
) -> datetime:
    """The reminder of a repeating task's next occurrence (due at ``due``), as far before it
    as ``was_reminded`` was before ``was_due``: the same number of days at the same local
    time when that lead was whole days on the local clock (``--remind 1d``), else the same
    exact duration (``--remind 90m``)."""
    zone = tz or dates.local_tz()
    wall = was_due.astimezone(zone).replace(tzinfo=None) - was_reminded.astimezone(zone).replace(
        tzinfo=None
    )
    if wall and wall % timedelta(days=1) == timedelta(0):
        local = due.astimezone(zone).replace(tzinfo=None) - wall
        return local.replace(tzinfo=zone).astimezone(due.tzinfo)
    return due - (was_due - was_reminded)


_CADENCE = re.compile(r"^(\d{1,4})\s*(d|days?|w|weeks?|m|months?|y|years?)?$")


def parse_cadence(text: str) -> int | None:
    """A keep-in-touch cadence in days: ``30d``, ``2w`` (14), ``3m`` (90), ``1y`` (365).

    Blank, ``none`` or ``off`` clear it (None).
    """
    clean = text.strip().lower()
    if clean in ("", "none", "off", "never"):
        return None
    clean = clean.removeprefix("every").strip()
    if clean in _WORDS and clean not in ("weekday", "weekdays", "workday"):
        clean = _WORDS[clean]
    match = _CADENCE.match(clean)
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"cannot understand cadence {text!r} (use e.g. 30d, 2w, 3m, none)")
    number = int(match.group(1))
    unit = (match.group(2) or "d")[0]
    days = number * {"d": 1, "w": 7, "m": 30, "y": 365}[unit]
    if days > 3650:
        raise ValueError(f"cadence {text!r} is longer than ten years")
    return days


def format_cadence(days: int | None) -> str:
    if days is None:
        return ""
    if days % 7 == 0 and days < 365:
        weeks = days // 7
        return f"every {weeks} week{'s' if weeks != 1 else ''}"
    return f"every {days} day{'s' if days != 1 else ''}"

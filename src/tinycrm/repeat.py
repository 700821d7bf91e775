"""Repeat rules for tasks (``--every 2w``), reminders before a due time (``--remind 1h``)
and keep-in-touch cadences (``--cadence 30d``).

Pure functions: the store and the command line share them.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

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


_MONTH_ENDS = 28  # every month has a 28th: later days are clamped to the month's end


def _days_of_month(day: int, shortest: int = _MONTH_ENDS) -> dict[str, Any]:
    """The ``BYMONTHDAY``/``BYSETPOS`` that mean "day ``day``, or the month's last day when
    it is shorter": the 31st gives Jan 31, Feb 28, Mar 31, Apr 30. ``shortest``: the
    fewest days the months in question have (28 over all months; 30 for every April)."""
    if day <= shortest:
        return {"bymonthday": day}
    return {"bymonthday": tuple(range(shortest, day + 1)), "bysetpos": -1}


def _recurrence(rule: str, start: datetime) -> dict[str, Any]:
    """The recurrence of a canonical rule, as dateutil's ``rrule`` keywords, anchored at
    ``start`` (the first due time, local wall clock)."""
    from dateutil import rrule

    if rule == "weekday":
        return {"freq": rrule.DAILY, "byweekday": tuple(range(5))}
    count, unit = int(rule[:-1]), rule[-1]
    if unit == "d":
        return {"freq": rrule.DAILY, "interval": count}
    if unit == "w":
        return {"freq": rrule.WEEKLY, "interval": count}
    if unit == "m":
        return {"freq": rrule.MONTHLY, "interval": count, **_days_of_month(start.day)}
    return {
        "freq": rrule.YEARLY,
        "interval": count,
        "bymonth": start.month,
        **_days_of_month(start.day, calendar.monthrange(2001, start.month)[1]),  # no leap year
    }


def next_occurrence(
    due: datetime,
    rule: str,
    *,
    after: datetime | None = None,
    tz: tzinfo | None = None,
    anchor: datetime | None = None,
) -> datetime | None:
    """The next due time of a repeating task (after ``due`` and after ``after``), or None
    when the series has none before the calendar ends (a yearly task due 9999-12-31).

    The occurrences are those of the rule anchored at ``anchor``, the first due time of
    the series (default: ``due``), not steps from the last due time: monthly from Jan 31
    gives Feb 28, then Mar 31 and Apr 30; a daily 02:30 task is at 02:30 again the day
    after the night that skipped 02:30. The rule runs on the local wall clock (a 9:00
    task stays at 9:00 across a daylight-saving change; dateutil's ``rrule``, as RFC 5545
    says), and the first occurrence later than both ``due`` and ``after`` (a task
    completed late does not come back overdue) is returned, in ``due``'s time zone.
    """
    from dateutil import rrule

    zone = tz or dates.local_tz()
    canonical = normalize_repeat(rule)
    floor = max(due, after) if after is not None else due
    start = (anchor or due).astimezone(zone).replace(tzinfo=None)
    series = rrule.rrule(dtstart=start, **_recurrence(canonical, start))
    probe = floor.astimezone(zone).replace(tzinfo=None) - timedelta(days=2)  # DST slack
    try:
        for local in series.xafter(max(probe, start), inc=True):
            candidate = local.replace(tzinfo=zone)  # zoneinfo resolves the offset (DST-safe)
            if candidate > floor:
                return candidate.astimezone(due.tzinfo)
    except (ValueError, OverflowError):  # the next one would be after the year 9999
        return None
    return None


def rrule_text(rule: str, *, anchor: datetime, tz: tzinfo | None = None) -> str:
    """The rule as an iCalendar ``RRULE`` value (``FREQ=MONTHLY;BYMONTHDAY=28,29,30,31;
    BYSETPOS=-1``), for a series whose first due time is ``anchor``."""
    from dateutil import rrule

    zone = tz or dates.local_tz()
    start = anchor.astimezone(zone).replace(tzinfo=None)
    text = str(rrule.rrule(dtstart=start, **_recurrence(normalize_repeat(rule), start)))
    line = next(part for part in text.splitlines() if part.startswith("RRULE:"))
    return line.removeprefix("RRULE:")


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


def next_touch(cadence_days: int, *, started: datetime, last: datetime | None) -> datetime | None:
    """When a contact kept in touch every ``cadence_days`` is next due; None past the last
    date there is (an interaction logged at 9999-12-31: never).

    From the last interaction when there is one, however recent the contact or the
    cadence (a person moving in from another CRM imports their history: a call 40 days
    ago with a 30-day cadence is due now); ``started`` (the contact's creation, or the
    moment the cadence was set) counts only when there is no interaction at all.
    """
    try:
        return (last if last is not None else started) + timedelta(days=cadence_days)
    except OverflowError:
        return None

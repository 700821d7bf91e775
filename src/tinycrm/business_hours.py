"""Business hours: SLA arithmetic on working days and hours in one time zone.

``BusinessHours.add(start, duration)`` is the instant ``duration`` of working time after
``start``; ``between(a, b)`` is the working time from ``a`` to ``b``. Each working day's
window is made in the support time zone and compared as UTC instants, so a day on which
the clocks change counts the hours that really passed (a 00:00-06:00 window on the night
the clocks go forward is five hours long), and weekends and holidays count nothing.
Pure: no store, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PRIORITIES = ("low", "normal", "high", "urgent")  # tinycrm.vocab.CASE_PRIORITIES
MAX_DAYS = 3_660  # a target more than ten years of working days away is a mistake
_DURATION = re.compile(r"^(\d{1,5})\s*(min|m|h|d)$")
MIDNIGHT = time(0)  # as a window's end: 24:00, the end of the day
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class BusinessHours:
    """Working ``days`` (0 = Monday) from ``start`` to ``end`` local time in ``zone``.

    An ``end`` of ``time(0)`` is midnight at the end of the day (``24:00``): the window
    runs to the next day's start, so ``00:00-24:00`` counts every minute of the day."""

    zone: tzinfo
    days: frozenset[int] = frozenset(range(5))
    start: time = time(9)
    end: time = time(17)
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.days:
            raise ValueError("business hours need at least one working day")
        if not (self.start < self.end or self.end == MIDNIGHT):
            raise ValueError("business hours must end after they start")

    def _closing(self, day: date) -> datetime:
        """The local moment the window of ``day`` closes (24:00: the next day's start)."""
        if self.end == MIDNIGHT:
            return datetime.combine(day + timedelta(days=1), MIDNIGHT, tzinfo=self.zone)
        return datetime.combine(day, self.end, tzinfo=self.zone)

    @property
    def day_length(self) -> timedelta:
        """A working day's nominal length (``1d`` in a target)."""
        day = date(2001, 1, 1)
        closes = self._closing(day).replace(tzinfo=None)
        return closes - datetime.combine(day, self.start)

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The working window of a local calendar day as UTC instants (None: not working)."""
        if day.weekday() not in self.days or day in self.holidays:
            return None
        opens = datetime.combine(day, self.start, tzinfo=self.zone).astimezone(UTC)
        closes = self._closing(day).astimezone(UTC)
        return opens, closes

    def _local_day(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant ``duration`` of working time after ``start`` (an aware datetime).

        A zero duration outside working hours is the next opening."""
        if start.tzinfo is None:
            raise ValueError("business hours need an aware datetime")
        if duration < timedelta(0):
            raise ValueError("a duration of working time cannot be negative")
        left = duration
        at = start.astimezone(UTC)
        day = self._local_day(at) - timedelta(days=1)  # a window may start the day before
        for _ in range(MAX_DAYS * 2):
            span = self.window(day)
            if span is not None:
                opens, closes = span
                begin = max(at, opens)
                if begin < closes or (begin == closes and not left):
                    available = closes - begin
                    if left <= available:
                        return begin + left
                    left -= available
            day += timedelta(days=1)
        raise ValueError("the target is too far away in working time")

    def between(self, a: datetime, b: datetime) -> timedelta:
        """The working time from ``a`` to ``b`` (zero when ``b`` is not after ``a``)."""
        a, b = a.astimezone(UTC), b.astimezone(UTC)
        if b <= a:
            return timedelta(0)
        total = timedelta(0)
        day = self._local_day(a) - timedelta(days=1)
        last = self._local_day(b)
        while day <= last:
            span = self.window(day)
            if span is not None:
                lo, hi = max(a, span[0]), min(b, span[1])
                if lo < hi:
                    total += hi - lo
            day += timedelta(days=1)
        return total

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` falls in working hours."""
        span = self.window(self._local_day(at))
        return span is not None and span[0] <= at.astimezone(UTC) < span[1]


# --------------------------------------------------------------------------- parsing


def parse_days(text: str) -> frozenset[int]:
    """``mon-fri``, ``mon,tue,thu``, ``sun-thu`` -> weekday numbers (0 = Monday)."""
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        first, dash, last = part.partition("-")
        if first not in DAY_NAMES or (dash and last not in DAY_NAMES):
            raise ValueError(f"working days {text!r}: use e.g. mon-fri or mon,wed,fri")
        i, j = DAY_NAMES.index(first), DAY_NAMES.index(last if dash else first)
        while True:
            days.add(i)
            if i == j:
                break
            i = (i + 1) % 7
    return frozenset(days)


def parse_hours(text: str) -> tuple[time, time]:
    """``09:00-17:00`` -> (start, end); the end must come after the start. An end of
    ``24:00`` is the end of the day: ``MIDNIGHT`` (``time(0)``), see ``BusinessHours``."""
    m = _HOURS.fullmatch(text.strip())
    if not m:
        raise ValueError(f"working hours {text!r}: use e.g. 09:00-17:00")
    h1, m1, h2, m2 = (int(x) for x in m.groups())
    if (h2, m2) == (24, 0):
        if h1 > 23 or m1 > 59:
            raise ValueError(f"working hours {text!r}: not a time of day")
        return time(h1, m1), MIDNIGHT
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise ValueError(f"working hours {text!r}: not a time of day")
    start, end = time(h1, m1), time(h2, m2)
    if not start < end:
        raise ValueError(f"working hours {text!r}: the end must come after the start")
    return start, end


def parse_duration(text: str, day_length: timedelta) -> timedelta:
    """An SLA target in working time: ``30min``, ``4h``, ``2d`` (``d``: working days)."""
    m = _DURATION.fullmatch(str(text).strip().lower())
    if not m:
        raise ValueError(f"{text!r} is not a working time (use e.g. 30min, 4h, 2d)")
    n, unit = int(m[1]), m[2]
    if unit == "d":
        return n * day_length
    return timedelta(hours=n) if unit == "h" else timedelta(minutes=n)


def format_duration(value: timedelta | None) -> str:
    """``2h 30min``, ``45min``, ``0min`` (None: empty)."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours}h {minutes}min"
    return f"{hours}h" if hours else f"{minutes}min"


def format_hours(value: float | None) -> str:
    """A number of hours as ``format_duration`` says it, to the nearest minute (``32h``,
    ``2h 30min``; None: empty)."""
    if value is None:
        return ""
    return format_duration(timedelta(minutes=round(value * 60)))


@dataclass(frozen=True)
class SupportSettings:
    """``[support]``: business hours and the SLA targets per priority."""

    hours: BusinessHours
    response: dict[str, timedelta]  # first-response target per priority
    resolution: dict[str, timedelta]  # resolution target per priority
    warn: timedelta = timedelta(hours=1)  # "about to breach": this much working time left


DEFAULT_RESPONSE = {"urgent": "1h", "high": "4h", "normal": "8h", "low": "2d"}
DEFAULT_RESOLUTION = {"urgent": "8h", "high": "2d", "normal": "5d", "low": "10d"}


def default_support(zone: tzinfo) -> SupportSettings:
    """Monday to Friday, 09:00-17:00 in ``zone``, the default targets."""
    hours = BusinessHours(zone=zone)
    day = hours.day_length
    return SupportSettings(
        hours=hours,
        response={p: parse_duration(v, day) for p, v in DEFAULT_RESPONSE.items()},
        resolution={p: parse_duration(v, day) for p, v in DEFAULT_RESOLUTION.items()},
    )

"""Contract terms and notice periods: ``12m``, ``1y``, ``90d``, ``2w`` and the days they give.

A term runs from its first day to its last day, both included: a 12-month term from
2026-01-01 ends on 2026-12-31. A term of N months ends the day before its anniversary
(``anniversary``); an anniversary its month does not have (the 29th to the 31st) is the
first day of the next month: a 12-month term from 2028-02-29 ends on 2029-02-28, a
1-month term from January 29, 30 or 31 on February 28 (29 in a leap year). An end day
reads back as its term in months by the same rule (``months_of``). Terms that follow
one another are counted from one anchor day, so they do not drift: 1-month terms from
January 31 start on March 1, March 31, May 1, May 31, ... (the 31st, or the 1st after
a month without one) and each ends the day before the next.
A notice period ends with the term: 30 days' notice on a term ending December 31 must
be given by December 2; a notice in months counts back from the day after the end by the
same rule (1 month's notice on a term ending March 30: by March 1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from tinycrm.dates import add_months

_TERM = re.compile(r"^(\d{1,5})\s*(d|days?|w|weeks?|m|months?|mo|y|yrs?|years?)$")
HINT = "use e.g. 12m, 1y, 90d or 2w"
MAX_DAYS = 36_600  # a hundred years: longer is a typo
MAX_MONTHS = 1_200
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)
"""The days a contract's terms may start and end on: their notice deadlines and the days
after them stay within the calendar."""


@dataclass(frozen=True, order=True)
class Term:
    """A length of time in whole days or whole months (weeks are days, years months)."""

    count: int
    unit: str  # "d" or "m"

    @property
    def text(self) -> str:
        """How it is stored and shown: ``12m``, ``30d``."""
        return f"{self.count}{self.unit}"

    def __str__(self) -> str:
        return self.text


def parse_term(text: str | None, what: str = "term") -> Term:
    """``12m``, ``1y``, ``2 years``, ``90d``, ``2w`` -> a ``Term``; ``ValueError`` otherwise."""
    raw = " ".join((text or "").split()).lower()
    m = _TERM.fullmatch(raw)
    if not m:
        raise ValueError(f"{what} {text!r} is not a length of time ({HINT})")
    n, unit = int(m[1]), m[2][0]
    days, months = {"d": (n, 0), "w": (7 * n, 0), "m": (0, n), "y": (0, 12 * n)}[unit]
    if months:
        if months > MAX_MONTHS:
            raise ValueError(f"{what} {text!r} is longer than 100 years")
        return Term(months, "m")
    if not 0 < days <= MAX_DAYS and not (what == "notice" and days == 0):
        raise ValueError(f"{what} {text!r} must be 1 day to 100 years")
    return Term(days, "d")


def anniversary(day: date, months: int) -> date:
    """``day`` moved by ``months`` months, a day the month does not have (the 29th to the
    31st) being the first day of the next month (January 31 + 1 month: March 1)."""
    total = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise OverflowError("year out of range")
    try:
        return date(year, month0 + 1, day.day)
    except ValueError:  # February 30, April 31: the first day of the next month
        return add_months(date(year, month0 + 1, 1), 1)


def months_of(first: date, last: date) -> int | None:
    """The term in months that runs from ``first`` to ``last`` (both included) by
    ``term_end``'s rule, None when no whole number of months does: 2028-02-29 to
    2029-02-28 is 12, 2027-01-31 to 2027-02-28 is 1 (and to 2027-02-27 none)."""
    after = last + timedelta(days=1)
    apart = (after.year - first.year) * 12 + after.month - first.month
    for months in (apart, apart - 1):  # its anniversary, or the 1st after a missing one
        try:
            if months > 0 and anniversary(first, months) == after:
                return months
        except OverflowError:
            return None
    return None


def shift(day: date, term: Term, n: int = 1) -> date:
    """``day`` moved by ``n`` terms (month ends clamped: Jan 31 + 1m = Feb 28)."""
    if term.unit == "m":
        return add_months(day, n * term.count)
    return day + timedelta(days=n * term.count)


def term_start(anchor: date, term: Term, index: int) -> date:
    """The first day of term number ``index`` (0: the first) counted from ``anchor``: its
    anniversary for terms of months (``anniversary``)."""
    if term.unit == "m":
        return anniversary(anchor, index * term.count)
    return shift(anchor, term, index)


def term_end(anchor: date, term: Term, index: int) -> date:
    """The last day of term number ``index`` counted from ``anchor`` (the day before the
    next one starts)."""
    return term_start(anchor, term, index + 1) - timedelta(days=1)


def notice_deadline(end: date, notice: Term | None) -> date | None:
    """The last day notice can be given on a term ending on ``end`` (None: no notice;
    ``0d``: up to the last day, as ``1d``): the day ``notice`` before the day after the
    end; months counted back by ``anniversary``'s rule, as terms are (a day the month does
    not have is the next month's first: 1 month's notice on a term ending March 30 is
    given by March 1, not February 28)."""
    if notice is None:
        return None
    after = end + timedelta(days=1)
    if notice.unit == "m":
        return min(anniversary(after, -notice.count), end)
    return min(shift(after, notice, -1), end)


def current_index(anchor: date, term: Term, index: int, end: date, today: date) -> int:
    """The term of an automatically renewing series that holds ``today``: term ``index``
    ends on ``end``; each later one follows without a gap (``index`` if it has not ended)."""
    if end >= today:
        return index
    if term.unit == "d":  # whole terms of days: straight to the one holding today
        behind = (today - end).days
        return index + -(-behind // term.count)
    while end < today:
        index += 1
        end = term_end(anchor, term, index)
    return index

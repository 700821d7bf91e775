"""Contract terms and notice periods: ``12m``, ``1y``, ``90d``, ``2w`` and the days they give.

A term runs from its first day to its last day, both included: a 12-month term from
2026-01-01 ends on 2026-12-31. Terms that follow one another are counted from one
anchor day, so month ends do not drift: 1-month terms from January 31 end on
February 27 (the next starts on February 28, the month's own "31st"), March 30,
April 29, ... and a 12-month term from January 31 ends on January 30 of the next year.
A notice period ends with the term: 30 days' notice on a term ending December 31 must
be given by December 2.
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


def shift(day: date, term: Term, n: int = 1) -> date:
    """``day`` moved by ``n`` terms (month ends clamped: Jan 31 + 1m = Feb 28)."""
    if term.unit == "m":
        return add_months(day, n * term.count)
    return day + timedelta(days=n * term.count)


def term_start(anchor: date, term: Term, index: int) -> date:
    """The first day of term number ``index`` (0: the first) counted from ``anchor``."""
    return shift(anchor, term, index)


def term_end(anchor: date, term: Term, index: int) -> date:
    """The last day of term number ``index`` counted from ``anchor`` (the day before the
    next one starts)."""
    return shift(anchor, term, index + 1) - timedelta(days=1)


def notice_deadline(end: date, notice: Term | None) -> date | None:
    """The last day notice can be given on a term ending on ``end`` (None: no notice;
    ``0d``: up to the last day, as ``1d``)."""
    if notice is None:
        return None
    return min(shift(end + timedelta(days=1), notice, -1), end)


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

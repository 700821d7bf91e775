"""``tinycrm report cases``: how support is doing, in working hours.

For each period (``--by week|month``) or group (``--by priority|owner``) of the range:

- **opened**: cases opened in it; **resolved**: cases resolved in it;
- **median first response**: over the cases opened in it that got a reply, the working
  time from opening to the first reply (``[support]`` business hours);
- **median resolution**: over the cases resolved in it, the working time from opening to
  resolution, less the working time they spent pending (waiting on the customer) or
  resolved before being reopened (the resolution clock stops, ``store.case_clock``);
- **within SLA**: of the cases resolved in it, the share that met both targets (first
  response and resolution by their due times; a case resolved without a reply met its
  first-response target by the resolution, as ``store.cases.is_breached`` says; the
  resolution's due time leaves out that time);
- **backlog**: cases opened before its end and not resolved by then;
- **CSAT**: the average score of the cases resolved in it that have one (and how many).

Working time is measured in ``[support]``'s business hours as the config file says them
now, for every period: tinycrm keeps no history of them (no table or event records a
change), so after new hours the past is measured in the new ones. The one trace of older
hours is the working time a stopped clock had left, kept on the event that stopped it
(``store.case_clock``): that is a remainder, not the length of the pause, so the pending
time of an earlier period cannot be worked out in the hours that applied then.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import col

from tinycrm import dates
from tinycrm.business_hours import PRIORITIES, BusinessHours
from tinycrm.store.case_clock import Pause, pauses_of, pending_time
from tinycrm.store.cases import is_breached, stored_csat
from tinycrm.store.engine import Store
from tinycrm.store.models import ReadModel
from tinycrm.store.reports.models import ReportScope
from tinycrm.store.reports.scope import backward_range, choice, make_scope, periods, with_days
from tinycrm.store.service_models import SupportCase

CASE_BY = ("week", "month", "priority", "owner")


class CaseLine(ReadModel):
    group: str  # the period's label, the priority or the owner
    start: date | None
    end: date | None
    opened: int
    resolved: int
    median_first_response_hours: float | None
    median_resolution_hours: float | None
    within_sla: float | None  # percent of the resolved
    backlog: int
    csat: float | None  # the average score
    csat_count: int


class CaseReport(ReadModel):
    report: str = "cases"
    scope: ReportScope
    by: str | None
    rows: list[CaseLine]


def _hours(values: Iterable[timedelta]) -> float | None:
    hours = [v.total_seconds() / 3600 for v in values]
    return round(statistics.median(hours), 2) if hours else None


def _line(
    group: str,
    span: tuple[date, date] | None,
    cases: list[Any],
    start_at: datetime,
    end_at: datetime,
    hours: BusinessHours,
    pauses: dict[int, list[Pause]],
) -> CaseLine:
    def inside(at: datetime | None) -> bool:
        return at is not None and start_at <= at < end_at

    opened = [c for c in cases if inside(c.opened_at)]
    resolved = [c for c in cases if inside(c.resolved_at)]
    answered = [c for c in opened if c.first_response_at is not None]
    met = [c for c in resolved if not is_breached(c, c.resolved_at)]
    backlog = [
        c
        for c in cases
        if c.opened_at < end_at and (c.resolved_at is None or c.resolved_at >= end_at)
    ]
    # a score other SQL stored as none (1e20, 7) is left out, as the case shows none
    scored = [v for c in resolved if (v := stored_csat(c, named=False)) is not None]

    def resolution(c: Any) -> timedelta:
        took = hours.between(c.opened_at, c.resolved_at)
        return took - pending_time(pauses.get(c.id, []), c.opened_at, c.resolved_at, hours)

    return CaseLine(
        group=group,
        start=span[0] if span else None,
        end=span[1] if span else None,
        opened=len(opened),
        resolved=len(resolved),
        median_first_response_hours=_hours(
            hours.between(c.opened_at, c.first_response_at) for c in answered
        ),
        median_resolution_hours=_hours(resolution(c) for c in resolved),
        within_sla=round(100 * len(met) / len(resolved), 1) if resolved else None,
        backlog=len(backlog),
        csat=round(sum(scored) / len(scored), 2) if scored else None,
        csat_count=len(scored),
    )


def case_report(
    store: Store,
    *,
    by: str | None = None,
    start: date | None = None,
    end: date | None = None,
    now: datetime | None = None,
) -> CaseReport:
    """The figures of the module's docstring. Default range: the last 12 weeks (by week),
    12 months (by month), else this month and the two before."""
    unit = choice(by, CASE_BY, "grouping")
    hours = store.given.support_settings().hours
    with store.read() as session:
        scope = make_scope(session, store, start, end, None, None, now)
        period = unit if unit in ("week", "month") else "month"
        first, last = backward_range(start, end, period, 12 if unit == period else 3, scope.today)
        scope = with_days(scope, first, last)
        start_at, end_at = (
            dates.local_midnight(first),
            dates.local_midnight(last + timedelta(days=1)),
        )
        # every case that can count: opened before the end, and not resolved before the start
        cases = list(
            session.scalars(
                select(SupportCase).where(
                    col(SupportCase.opened_at) < end_at,
                    or_(
                        col(SupportCase.resolved_at).is_(None),
                        col(SupportCase.resolved_at) >= start_at,
                    ),
                )
            )
        )
        resolved = [c.id for c in cases if c.resolved_at is not None and c.id is not None]
        pauses = pauses_of(session, resolved) if resolved else {}
    rows: list[CaseLine] = []
    if unit in ("week", "month"):
        for span in periods(first, last, unit):
            rows.append(
                _line(
                    span.label,
                    (span.start, span.end),
                    cases,
                    dates.local_midnight(span.start),
                    dates.local_midnight(span.end + timedelta(days=1)),
                    hours,
                    pauses,
                )
            )
    elif unit in ("priority", "owner"):
        key: Callable[[Any], str] = (
            (lambda c: c.priority) if unit == "priority" else (lambda c: c.owner)
        )
        groups = sorted(
            {key(c) for c in cases},
            key=(lambda g: -PRIORITIES.index(g)) if unit == "priority" else (lambda g: g),
        )
        for group in groups:
            mine = [c for c in cases if key(c) == group]
            rows.append(_line(group, None, mine, start_at, end_at, hours, pauses))
    else:
        line = _line(f"{first}..{last}", (first, last), cases, start_at, end_at, hours, pauses)
        rows.append(line)
    return CaseReport(scope=scope.read(), by=unit, rows=rows)

"""What every report is about: its scope (days, pipeline, owner) and its periods."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, literal, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from tinycrm import dates
from tinycrm.safetext import quoted
from tinycrm.store import validate
from tinycrm.store.engine import Store
from tinycrm.store.errors import Invalid
from tinycrm.store.models import Contact, Deal
from tinycrm.store.pipelines import resolve_pipeline
from tinycrm.store.reports.models import MAX_PERIODS, Period, ReportScope
from tinycrm.store.types import UTCDateTime, utcnow

# --------------------------------------------------------------------------- scope and periods

LAST_DAY = date(9998, 12, 31)
"""The last day a report's range may reach: its periods and their ends stay in year 9999."""


def ts(value: datetime) -> Any:
    """A UTC instant as a bound parameter of the timestamp columns' type."""
    return literal(value, UTCDateTime())


def day_value(value: date) -> Any:
    """A calendar day as a bound ``DATE`` parameter."""
    return literal(value, Date())


@dataclass(frozen=True)
class Scope:
    start: date | None
    end: date | None
    pipeline_id: int | None
    pipeline: str | None
    owner: str | None
    now: datetime
    sqlite: bool

    @property
    def today(self) -> date:
        return self.now.astimezone(dates.local_tz()).date()

    @property
    def start_at(self) -> datetime | None:
        return None if self.start is None else dates.local_midnight(self.start)

    @property
    def end_at(self) -> datetime | None:
        return None if self.end is None else dates.local_midnight(self.end + timedelta(days=1))

    def read(self) -> ReportScope:
        return ReportScope(
            start=self.start,
            end=self.end,
            pipeline=self.pipeline,
            owner=self.owner,
            generated_at=self.now,
        )

    def within(self, column: Any) -> list[ColumnElement[bool]]:
        """``column`` (a timestamp) inside the scope's days."""
        out = []
        if self.start_at is not None:
            out.append(column >= ts(self.start_at))
        if self.end_at is not None:
            out.append(column < ts(self.end_at))
        return out

    def deals(self) -> list[ColumnElement[bool]]:
        """The pipeline and owner filters on deals."""
        out = []
        if self.pipeline_id is not None:
            out.append(col(Deal.pipeline_id) == self.pipeline_id)
        if self.owner is not None:
            out.append(col(Deal.owner) == self.owner)
        return out

    def contacts(self, contact_id: Any) -> list[ColumnElement[bool]]:
        """Contacts owned by the owner, and with a deal in the pipeline."""
        out = []
        if self.owner is not None:
            out.append(
                contact_id.in_(select(col(Contact.id)).where(col(Contact.owner) == self.owner))
            )
        if self.pipeline_id is not None:
            with_deal = select(col(Deal.contact_id)).where(
                col(Deal.pipeline_id) == self.pipeline_id, col(Deal.contact_id).is_not(None)
            )
            out.append(contact_id.in_(with_deal))
        return out


def with_days(scope: Scope, start: date | None, end: date | None) -> Scope:
    """The same scope over other days."""
    return dataclasses.replace(scope, start=start, end=end)


def make_scope(
    session: Session,
    store: Store,
    start: date | None,
    end: date | None,
    pipeline: str | None,
    owner: str | None,
    now: datetime | None,
) -> Scope:
    validate.filters_given(pipeline=pipeline, owner=owner)  # a blank one is not "all"
    if start is not None and end is not None and start > end:
        raise Invalid(f"--from {start} is after --to {end}")
    for name, day in (("--from", start), ("--to", end)):
        if day is not None and day > LAST_DAY:  # a period after it would pass year 9999
            raise Invalid(f"{name} {day} is too far ahead (at most {LAST_DAY})")
    pipe = resolve_pipeline(session, pipeline) if pipeline else None
    # taken as a record's owner is: one line, at most MAX_TEXT (it is echoed in the scope)
    clean_owner = validate.optional_text(owner, "owner")
    return Scope(
        start=start,
        end=end,
        pipeline_id=pipe.id if pipe else None,
        pipeline=pipe.name if pipe else None,
        owner=clean_owner,
        now=now or utcnow(),
        sqlite=store.is_sqlite,
    )


def periods(start: date, end: date, by: str | None) -> list[Period]:
    """The periods covering ``start``..``end`` (clipped to them); one period when ``by`` is
    None."""
    if by is None:
        return [Period(label=f"{start}..{end}", start=start, end=end)]
    out = []
    first = dates.period_start(start, by)
    while first <= end:
        following = dates.shift_period(first, by, 1)
        out.append(
            Period(
                label=dates.period_label(first, by),
                start=max(first, start),
                end=min(following - timedelta(days=1), end),
            )
        )
        if len(out) > MAX_PERIODS:
            raise Invalid(f"more than {MAX_PERIODS} periods: narrow --from/--to")
        first = following
    return out


def backward_range(
    start: date | None, end: date | None, unit: str, count: int, today: date
) -> tuple[date, date]:
    """A range ending today (or at ``end``) and spanning ``count`` whole units by default."""
    given_end = end is not None
    end = end or today
    if start is None:
        try:
            start = dates.shift_period(dates.period_start(end, unit), unit, -(count - 1))
        except (OverflowError, ValueError):  # before the year 1: from its first day
            start = date.min
    if start > end:
        if not given_end:  # never name an option the user did not give
            raise Invalid(f"--from {start} is after {end}, where this report ends unless --to says")
        raise Invalid(f"--from {start} is after --to {end}")
    return start, end


def forward_range(
    start: date | None, end: date | None, unit: str, count: int, today: date
) -> tuple[date, date]:
    """A range starting this period (or at ``start``) and spanning ``count`` whole units."""
    given_start = start is not None
    start = start or dates.period_start(today, unit)
    end = end or dates.shift_period(dates.period_start(start, unit), unit, count) - timedelta(
        days=1
    )
    if start > end:
        if not given_start:  # never name an option the user did not give
            raise Invalid(
                f"--to {end} is before {start}, where this report starts unless --from says"
            )
        raise Invalid(f"--from {start} is after --to {end}")
    return start, end


def choice(value: str | None, allowed: Sequence[str], what: str) -> str | None:
    if value is None:
        return None
    clean = value.strip().lower()
    if clean not in allowed:
        raise Invalid(f"unknown {what} {quoted(value)} (choose from {', '.join(allowed)})")
    return clean

"""Reports: pipeline, forecast, win rate, sales cycle, funnel, sources, churn, lifetime
value and activity, and the dashboard's key numbers (``dashboard_numbers``).

Every figure is an SQL aggregate (GROUP BY, and window functions that SQLite 3.40 and
PostgreSQL 15 both have: ``LEAD``, ``ROW_NUMBER``, ``COUNT(*) OVER ()``); Python only
puts together the few rows that come back (one per stage, period, currency …).

Periods are calendar weeks (Monday to Sunday), months and quarters of the user's local
time (``TZ``). Their bounds are computed here, DST-safe, and handed to the database as a
small ``VALUES`` table that facts are joined to by range, so a period starts at local
midnight on every backend and the timestamp indexes do the work. ``start`` and ``end``
are local calendar days, both included.

Money stays per currency (``{"EUR": Decimal(…), "USD": …}``) and is never summed across
currencies. The README's "Reports" section defines every figure; this module follows it.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    and_,
    case,
    column,
    extract,
    func,
    literal,
    null,
    or_,
    select,
    values,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from tinycrm import dates, money
from tinycrm.store.engine import Store
from tinycrm.store.errors import Invalid
from tinycrm.store.models import (
    Activity,
    Contact,
    Deal,
    LifecycleChange,
    Pipeline,
    ReadModel,
    Stage,
    StageChange,
)
from tinycrm.store.pipelines import resolve_pipeline
from tinycrm.store.types import UTCDateTime, utcnow

Money = dict[str, Decimal]

PERIODS = ("week", "month", "quarter")
FORECAST_BY = ("month", "quarter")
WINRATE_BY = ("source", "owner", "pipeline")
CHURN_BY = ("month", "quarter")
ACTIVITY_BY = ("week", "owner")
COMMIT_PROBABILITY = 75  # forecast: open deals at or above this probability are "commit"
MAX_PERIODS = 400
_WON_POSITION = 1_000_000  # the funnel's "won" step comes after every stage
_DAYS_PER_YEAR = 365.25


# --------------------------------------------------------------------------- read models


class Period(ReadModel):
    """A reporting period: local calendar days, both ends included."""

    label: str
    start: date
    end: date


class ReportScope(ReadModel):
    """What a report covers: its days (None: unbounded) and filters."""

    start: date | None
    end: date | None
    pipeline: str | None
    owner: str | None
    generated_at: datetime


class StageLine(ReadModel):
    pipeline: str
    stage: str
    position: int
    probability: int
    deals: int
    value: Money
    weighted: Money
    avg_age_days: float | None
    rotting: int


class PipelineTotals(ReadModel):
    deals: int
    value: Money
    weighted: Money
    avg_age_days: float | None
    rotting: int


class PipelineReport(ReadModel):
    """Open deals per stage, now (``start``/``end`` select by expected close date)."""

    report: str = "pipeline"
    scope: ReportScope
    rows: list[StageLine]
    total: PipelineTotals


class ForecastLine(ReadModel):
    period: str
    start: date
    end: date
    deals: int  # open deals expected to close in the period
    best_case: Money  # their full amounts
    weighted: Money  # amount × probability
    commit: Money  # amounts of those at or above COMMIT_PROBABILITY
    won_deals: int  # deals won in the period
    won: Money


class ForecastReport(ReadModel):
    report: str = "forecast"
    scope: ReportScope
    by: str
    rows: list[ForecastLine]
    undated_deals: int  # open deals with no expected close date: in no period
    undated_best_case: Money


class WinRateLine(ReadModel):
    group: str | None
    won: int
    lost: int
    closed: int
    win_rate: float | None  # percent
    won_value: Money


class WinRateReport(ReadModel):
    report: str = "winrate"
    scope: ReportScope
    by: str | None
    rows: list[WinRateLine]
    total: WinRateLine


class StageTime(ReadModel):
    pipeline: str
    stage: str
    position: int
    deals: int  # closed deals that spent time in the stage
    mean_days: float | None


class CycleReport(ReadModel):
    report: str = "cycle"
    scope: ReportScope
    won: int  # deals won in the period (those with a creation before the win)
    median_days: float | None
    mean_days: float | None
    min_days: float | None
    max_days: float | None
    closed: int  # deals won or lost in the period: what stage times are taken from
    rows: list[StageTime]


class FunnelLine(ReadModel):
    pipeline: str
    stage: str  # a stage name, or "won"
    position: int
    reached: int
    conversion: float | None  # percent of those reaching this step that reached the next
    days_to_next: float | None
    lost: int  # deals lost from this stage
    lost_share: float | None  # percent of those reaching this stage


class FunnelReport(ReadModel):
    report: str = "funnel"
    scope: ReportScope
    deals: int  # deals created in the period
    rows: list[FunnelLine]


class SourceLine(ReadModel):
    touch: str  # first | last
    source: str | None
    leads: int
    customers: int
    conversion: float | None  # percent
    won_deals: int
    won_revenue: Money


class SourcesReport(ReadModel):
    report: str = "sources"
    scope: ReportScope
    rows: list[SourceLine]


class ChurnLine(ReadModel):
    period: str
    start: date
    end: date
    customers_at_start: int
    new_customers: int
    churned: int
    customers_at_end: int
    churn_rate: float | None  # percent


class ChurnReport(ReadModel):
    report: str = "churn"
    scope: ReportScope
    by: str | None
    rows: list[ChurnLine]


class ClvLine(ReadModel):
    currency: str
    won_revenue: Decimal
    revenue_per_customer: Decimal
    revenue_per_customer_year: Decimal | None
    clv: Decimal | None


class ClvReport(ReadModel):
    report: str = "clv"
    scope: ReportScope
    customers: int
    churned: int
    customer_years: float
    churn_rate: float | None  # percent per customer-year
    lifespan_years: float | None  # 1 / churn rate
    rows: list[ClvLine]


class ActivityLine(ReadModel):
    period: str
    start: date
    end: date
    owner: str | None
    calls: int
    emails: int
    meetings: int
    notes: int
    logged: int
    tasks_done: int
    tasks_overdue: int


class ActivityReport(ReadModel):
    report: str = "activity"
    scope: ReportScope
    by: str | None
    rows: list[ActivityLine]


class DashboardNumbers(ReadModel):
    """The board's key numbers, in one call (see ``dashboard_numbers``)."""

    as_of: datetime
    open_deals: int
    open_pipeline: Money
    weighted_this_month: Money
    weighted_next_month: Money
    this_month: Period
    next_month: Period
    since: date  # win rate and median cycle cover deals closed from this day to today
    won: int
    lost: int
    win_rate: float | None
    median_cycle_days: float | None
    overdue_tasks: int
    rotting_deals: int


# --------------------------------------------------------------------------- scope and periods


@dataclass(frozen=True)
class _Scope:
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
        return None if self.start is None else local_midnight(self.start)

    @property
    def end_at(self) -> datetime | None:
        return None if self.end is None else local_midnight(self.end + timedelta(days=1))

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
            out.append(column >= _ts(self.start_at))
        if self.end_at is not None:
            out.append(column < _ts(self.end_at))
        return out

    def deals(self) -> list[ColumnElement[bool]]:
        """The pipeline and owner filters on deals."""
        out = []
        if self.pipeline_id is not None:
            out.append(Deal.pipeline_id == self.pipeline_id)
        if self.owner is not None:
            out.append(Deal.owner == self.owner)
        return out

    def contacts(self, contact_id: Any) -> list[ColumnElement[bool]]:
        """Contacts owned by the owner, and with a deal in the pipeline."""
        out = []
        if self.owner is not None:
            out.append(contact_id.in_(select(Contact.id).where(Contact.owner == self.owner)))
        if self.pipeline_id is not None:
            with_deal = select(Deal.contact_id).where(
                Deal.pipeline_id == self.pipeline_id, Deal.contact_id.is_not(None)
            )
            out.append(contact_id.in_(with_deal))
        return out


def local_midnight(day: date) -> datetime:
    """The UTC instant a local calendar day starts."""
    return datetime.combine(day, time(), tzinfo=dates.local_tz()).astimezone(UTC)


def _scope(
    session: Session,
    store: Store,
    start: date | None,
    end: date | None,
    pipeline: str | None,
    owner: str | None,
    now: datetime | None,
) -> _Scope:
    if start is not None and end is not None and start > end:
        raise Invalid(f"--from {start} is after --to {end}")
    pipe = resolve_pipeline(session, pipeline) if pipeline and pipeline.strip() else None
    clean_owner = owner.strip() if owner and owner.strip() else None
    return _Scope(
        start=start,
        end=end,
        pipeline_id=pipe.id if pipe else None,
        pipeline=pipe.name if pipe else None,
        owner=clean_owner,
        now=now or utcnow(),
        sqlite=store.is_sqlite,
    )


def period_start(day: date, by: str) -> date:
    """The first day of the week (Monday), month or quarter holding ``day``."""
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    if by == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    raise Invalid(f"unknown period {by!r} (choose from {', '.join(PERIODS)})")


def _shift(first: date, by: str, n: int) -> date:
    """The first day of the period ``n`` periods after the one starting on ``first``."""
    if by == "week":
        return first + timedelta(weeks=n)
    months = (first.year * 12 + first.month - 1) + n * (3 if by == "quarter" else 1)
    return date(months // 12, months % 12 + 1, 1)


def period_label(first: date, by: str) -> str:
    """``2026-W48`` (ISO week), ``2026-11`` or ``2026-Q4`` for the period starting on ``first``."""
    if by == "week":
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}"
    if by == "quarter":
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    return f"{first.year}-{first.month:02d}"


def periods(start: date, end: date, by: str | None) -> list[Period]:
    """The periods covering ``start``..``end`` (clipped to them); one period when ``by`` is
    None."""
    if by is None:
        return [Period(label=f"{start}..{end}", start=start, end=end)]
    out = []
    first = period_start(start, by)
    while first <= end:
        following = _shift(first, by, 1)
        out.append(
            Period(
                label=period_label(first, by),
                start=max(first, start),
                end=min(following - timedelta(days=1), end),
            )
        )
        if len(out) > MAX_PERIODS:
            raise Invalid(f"more than {MAX_PERIODS} periods: narrow --from/--to")
        first = following
    return out


def _backward(
    start: date | None, end: date | None, unit: str, count: int, today: date
) -> tuple[date, date]:
    """A range ending today (or at ``end``) and spanning ``count`` whole units by default."""
    end = end or today
    start = start or _shift(period_start(end, unit), unit, -(count - 1))
    if start > end:
        raise Invalid(f"--from {start} is after --to {end}")
    return start, end


def _forward(
    start: date | None, end: date | None, unit: str, count: int, today: date
) -> tuple[date, date]:
    """A range starting this period (or at ``start``) and spanning ``count`` whole units."""
    start = start or period_start(today, unit)
    end = end or _shift(period_start(start, unit), unit, count) - timedelta(days=1)
    if start > end:
        raise Invalid(f"--from {start} is after --to {end}")
    return start, end


def _choice(value: str | None, allowed: Sequence[str], what: str) -> str | None:
    if value is None:
        return None
    clean = value.strip().lower()
    if clean not in allowed:
        raise Invalid(f"unknown {what} {value!r} (choose from {', '.join(allowed)})")
    return clean


# --------------------------------------------------------------------------- SQL helpers


def _ts(value: datetime) -> Any:
    return literal(value, UTCDateTime())


def _day(value: date) -> Any:
    return literal(value, Date())


def _days(scope: _Scope, value: Any) -> Any:
    """A timestamp as fractional days since an epoch (differences are durations in days)."""
    if scope.sqlite:
        return func.julianday(value)
    return extract("epoch", value) / 86400.0


def _greatest(scope: _Scope, *items: Any) -> Any:
    return func.max(*items) if scope.sqlite else func.greatest(*items)


def _buckets(spans: Sequence[Period]) -> Any:
    """The periods as a small table: i, start_at/end_at (UTC instants, end excluded) and
    start_day/end_day (local days, end excluded)."""
    rows = [
        (
            i,
            local_midnight(p.start),
            local_midnight(p.end + timedelta(days=1)),
            p.start,
            p.end + timedelta(days=1),
        )
        for i, p in enumerate(spans)
    ]
    return (
        values(
            column("i", Integer),
            column("start_at", UTCDateTime()),
            column("end_at", UTCDateTime()),
            column("start_day", Date()),
            column("end_day", Date()),
            name="bucket",
        )
        .data(rows)
        .cte("bucket")
    )


def _probability() -> Any:
    """An open deal's probability: its own override, else its stage's."""
    return func.coalesce(Deal.probability, Stage.probability)


def _amount() -> Any:
    return func.coalesce(Deal.amount_minor, 0)


def _minor_unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-money.currency_exponent(currency))


def _money(minor: Any, currency: str) -> Decimal:
    return money.from_minor(int(minor or 0), currency)


def _weighted(minor_percent: Any, currency: str) -> Decimal:
    """Σ(minor units × percent) as money, rounded to the currency's minor unit."""
    exact = money.from_minor(int(minor_percent or 0), currency).scaleb(-2)
    return exact.quantize(_minor_unit(currency), rounding=ROUND_HALF_UP)


def _add(into: Money, currency: str, amount: Decimal) -> None:
    into[currency] = into.get(currency, Decimal(0)) + amount


def _sorted(values_: Money) -> Money:
    return {currency: values_[currency] for currency in sorted(values_)}


def _percent(part: int, whole: int) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


def _round(value: Any, places: int = 1) -> float | None:
    return None if value is None else round(float(value), places)


def _stages(session: Session, scope: _Scope) -> list[tuple[int, str, str, int, int]]:
    """(id, pipeline, stage, position, probability) of the stages in scope, in board order."""
    query = (
        select(Stage.id, Pipeline.name, Stage.name, Stage.position, Stage.probability)
        .join(Pipeline, Stage.pipeline_id == Pipeline.id)
        .order_by(Pipeline.position, Pipeline.id, Stage.position)
    )
    if scope.pipeline_id is not None:
        query = query.where(Stage.pipeline_id == scope.pipeline_id)
    return [tuple(row) for row in session.connection().execute(query)]  # type: ignore[misc]


# --------------------------------------------------------------------------- pipeline


def _open_deal_stats(session: Session, scope: _Scope, *extra: Any) -> list[Any]:
    """Per (stage, currency): open deals, Σ amount, Σ amount × probability, Σ age in days
    and how many are rotting (no activity, move or creation for the stage's rotting days)."""
    open_deals = [Deal.status == "open", *scope.deals(), *extra]
    open_ids = select(Deal.id).where(*open_deals)
    last_activity = (
        select(Activity.deal_id, func.max(Activity.occurred_at).label("at"))
        .where(Activity.deal_id.in_(open_ids), Activity.occurred_at.is_not(None))
        .group_by(Activity.deal_id)
        .subquery()
    )
    last_move = (
        select(StageChange.deal_id, func.max(StageChange.at).label("at"))
        .where(StageChange.deal_id.in_(open_ids))
        .group_by(StageChange.deal_id)
        .subquery()
    )
    touched = _greatest(
        scope,
        Deal.created_at,
        func.coalesce(last_activity.c.at, Deal.created_at),
        func.coalesce(last_move.c.at, Deal.created_at),
    )
    now = _days(scope, _ts(scope.now))
    rotting = case(
        (
            and_(
                Stage.rotting_days.is_not(None),
                now - _days(scope, touched) >= Stage.rotting_days,
            ),
            1,
        ),
        else_=0,
    )
    query = (
        select(
            Deal.stage_id,
            Deal.currency,
            func.count(),
            func.sum(_amount()),
            func.sum(_amount() * _probability()),
            func.sum(now - _days(scope, Deal.created_at)),
            func.sum(rotting),
        )
        .join(Stage, Deal.stage_id == Stage.id)
        .outerjoin(last_activity, last_activity.c.deal_id == Deal.id)
        .outerjoin(last_move, last_move.c.deal_id == Deal.id)
        .where(*open_deals)
        .group_by(Deal.stage_id, Deal.currency)
    )
    return list(session.connection().execute(query))


def pipeline_report(
    store: Store,
    *,
    start: date | None = None,
    end: date | None = None,
    pipeline: str | None = None,
    owner: str | None = None,
    now: datetime | None = None,
) -> PipelineReport:
    """Open deals per stage now: count, value, weighted value, average age, rotting.

    ``start``/``end`` keep the deals expected to close in those days (deals with no
    expected close date are left out then)."""
    with store.read() as session:
        scope = _scope(session, store, start, end, pipeline, owner, now)
        extra = []
        if start is not None:
            extra.append(Deal.close_date >= _day(start))
        if end is not None:
            extra.append(Deal.close_date <= _day(end))
        stats = _open_deal_stats(session, scope, *extra)
        stages = _stages(session, scope)
    per_stage: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"deals": 0, "value": {}, "weighted": {}, "age": 0.0, "rotting": 0}
    )
    for stage_id, currency, count, amount, weighted, age, rotting in stats:
        line = per_stage[stage_id]
        line["deals"] += count
        _add(line["value"], currency, _money(amount, currency))
        _add(line["weighted"], currency, _weighted(weighted, currency))
        line["age"] += float(age or 0)
        line["rotting"] += int(rotting or 0)
    rows = []
    total: dict[str, Any] = {"deals": 0, "value": {}, "weighted": {}, "age": 0.0, "rotting": 0}
    for stage_id, pipeline_name, name, position, probability in stages:
        line = per_stage[stage_id]
        rows.append(
            StageLine(
                pipeline=pipeline_name,
                stage=name,
                position=position,
                probability=probability,
                deals=line["deals"],
                value=_sorted(line["value"]),
                weighted=_sorted(line["weighted"]),
                avg_age_days=_round(line["age"] / line["deals"]) if line["deals"] else None,
                rotting=line["rotting"],
            )
        )
        total["deals"] += line["deals"]
        total["age"] += line["age"]
        total["rotting"] += line["rotting"]
        for currency, amount in line["value"].items():
            _add(total["value"], currency, amount)
        for currency, amount in line["weighted"].items():
            _add(total["weighted"], currency, amount)
    return PipelineReport(
        scope=scope.read(),
        rows=rows,
        total=PipelineTotals(
            deals=total["deals"],
            value=_sorted(total["value"]),
            weighted=_sorted(total["weighted"]),
            avg_age_days=_round(total["age"] / total["deals"]) if total["deals"] else None,
            rotting=total["rotting"],
        ),
    )


# --------------------------------------------------------------------------- forecast


def _forecast_lines(session: Session, scope: _Scope, spans: list[Period]) -> list[ForecastLine]:
    bucket = _buckets(spans)
    today = _day(scope.today)
    expected = case((Deal.close_date < today, today), else_=Deal.close_date)
    probability = _probability()
    open_rows = session.connection().execute(
        select(
            bucket.c.i,
            Deal.currency,
            func.count(),
            func.sum(_amount()),
            func.sum(_amount() * probability),
            func.sum(case((probability >= COMMIT_PROBABILITY, _amount()), else_=0)),
        )
        .select_from(bucket)
        .join(Deal, and_(expected >= bucket.c.start_day, expected < bucket.c.end_day))
        .join(Stage, Deal.stage_id == Stage.id)
        .where(Deal.status == "open", Deal.close_date.is_not(None), *scope.deals())
        .group_by(bucket.c.i, Deal.currency)
    )
    won_rows = session.connection().execute(
        select(bucket.c.i, Deal.currency, func.count(), func.sum(_amount()))
        .select_from(bucket)
        .join(Deal, and_(Deal.closed_at >= bucket.c.start_at, Deal.closed_at < bucket.c.end_at))
        .where(Deal.status == "won", *scope.deals())
        .group_by(bucket.c.i, Deal.currency)
    )
    lines: list[dict[str, Any]] = [
        {"deals": 0, "best_case": {}, "weighted": {}, "commit": {}, "won_deals": 0, "won": {}}
        for _ in spans
    ]
    for i, currency, count, amount, weighted, commit in open_rows:
        line = lines[i]
        line["deals"] += count
        _add(line["best_case"], currency, _money(amount, currency))
        _add(line["weighted"], currency, _weighted(weighted, currency))
        _add(line["commit"], currency, _money(commit, currency))
    for i, currency, count, amount in won_rows:
        lines[i]["won_deals"] += count
        _add(lines[i]["won"], currency, _money(amount, currency))
    return [
        ForecastLine(
            period=span.label,
            start=span.start,
            end=span.end,
            deals=line["deals"],
            best_case=_sorted(line["best_case"]),
            weighted=_sorted(line["weighted"]),
            commit=_sorted(line["commit"]),
            won_deals=line["won_deals"],
            won=_sorted(line["won"]),
        )
        for span, line in zip(spans, lines, strict=True)
    ]


def forecast_report(
    store: Store,
    *,
    by: str = "month",
    start: date | None = None,
    end: date | None = None,
    pipeline: str | None = None,
    owner: str | None = None,
    now: datetime | None = None,
) -> ForecastReport:
    """Expected revenue per month or quarter: open deals by expected close date (today for
    those whose date has passed), best case, weighted and commit; and what was won.

    Default: this month and the next five (this quarter and the next three)."""
    unit = _choice(by, FORECAST_BY, "period") or "month"
    with store.read() as session:
        scope = _scope(session, store, start, end, pipeline, owner, now)
        first, last = _forward(start, end, unit, 6 if unit == "month" else 4, scope.today)
        scope = _replace(scope, first, last)
        spans = periods(first, last, unit)
        rows = _forecast_lines(session, scope, spans)
        undated = session.connection().execute(
            select(Deal.currency, func.count(), func.sum(_amount()))
            .where(Deal.status == "open", Deal.close_date.is_(None), *scope.deals())
            .group_by(Deal.currency)
        )
        count, best = 0, {}
        for currency, n, amount in undated:
            count += n
            best[currency] = _money(amount, currency)
    return ForecastReport(
        scope=scope.read(),
        by=unit,
        rows=rows,
        undated_deals=count,
        undated_best_case=_sorted(best),
    )


def _replace(scope: _Scope, start: date | None, end: date | None) -> _Scope:
    return dataclasses.replace(scope, start=start, end=end)


# --------------------------------------------------------------------------- win rate


def _winrate_rows(session: Session, scope: _Scope, by: str | None) -> list[Any]:
    """Per (group, status, currency): closed deals and Σ amount, for deals whose current
    outcome (won or lost) was reached in the scope's days."""
    keys = {"source": Contact.source, "owner": Deal.owner, "pipeline": Pipeline.name}
    key = keys[by] if by else null()
    query = (
        select(key, Deal.status, Deal.currency, func.count(), func.sum(_amount()))
        .where(Deal.status.in_(("won", "lost")), *scope.within(Deal.closed_at), *scope.deals())
        .group_by(*([key] if by else []), Deal.status, Deal.currency)
    )
    if by == "source":
        query = query.outerjoin(Contact, Deal.contact_id == Contact.id)
    elif by == "pipeline":
        query = query.join(Pipeline, Deal.pipeline_id == Pipeline.id)
    return list(session.connection().execute(query))


def _winrate_line(group: str | None, won: int, lost: int, value: Money) -> WinRateLine:
    return WinRateLine(
        group=group,
        won=won,
        lost=lost,
        closed=won + lost,
        win_rate=_percent(won, won + lost),
        won_value=_sorted(value),
    )


def winrate_report(
    store: Store,
    *,
    by: str | None = None,
    start: date | None = None,
    end: date | None = None,
    pipeline: str | None = None,
    owner: str | None = None,
    now: datetime | None = None,
) -> WinRateReport:
    """Won ÷ (won + lost) over the deals closed in the period, overall or per source (the
    contact's first touch), owner or pipeline."""
    key = _choice(by, WINRATE_BY, "grouping")
    with store.read() as session:
        scope = _scope(session, store, start, end, pipeline, owner, now)
        found = _winrate_rows(session, scope, key)
    groups: dict[str | None, dict[str, Any]] = {}
    total: dict[str, Any] = {"won": 0, "lost": 0, "value": {}}
    for group, status, currency, count, amount in found:
        line = groups.setdefault(group, {"won": 0, "lost": 0, "value": {}})
        for into in (line, total):
            into[status] += count
            if status == "won":
                _add(into["value"], currency, _money(amount, currency))
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
    return WinRateReport(
        scope=scope.read(),
        by=key,
        rows=[_winrate_line(g, v["won"], v["lost"], v["value"]) for g, v in ordered],
        total=_winrate_line(None, total["won"], total["lost"], total["value"]),
    )


# --------------------------------------------------------------------------- sales cycle


def _won_days(scope: _Scope) -> Any:
    """Days from creation to the win, of deals won in the scope (imported deals closed
    before they were created are left out)."""
    return (
        select((_days(scope, Deal.closed_at) - _days(scope, Deal.created_at)).label("days"))
        .where(
            Deal.status == "won",
            Deal.closed_at >= Deal.created_at,
            *scope.within(Deal.closed_at),
            *scope.deals(),
        )
        .subquery()
    )


def _median(session: Session, won: Any) -> float | None:
    ranked = select(
        won.c.days,
        func.row_number().over(order_by=won.c.days).label("rn"),
        func.count().over().label("n"),
    ).subquery()
    middle = or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2)
    value = session.connection().execute(select(func.avg(ranked.c.days)).where(middle)).scalar()
    return _round(value)


def _stage_times(session: Session, scope: _Scope) -> tuple[int, list[Any]]:
    """Per stage: how many closed deals stayed in it and their mean total days there.

    A stay runs from entering the stage (creation, a move in, or a reopening) to the
    next change (a move out, a win or a loss); a deal's stays in one stage add up."""
    closed = select(Deal.id).where(
        Deal.status.in_(("won", "lost")), *scope.within(Deal.closed_at), *scope.deals()
    )
    count = session.connection().execute(select(func.count()).select_from(closed.subquery()))
    stays = select(
        StageChange.deal_id,
        StageChange.to_stage_id.label("stage_id"),
        StageChange.to_status,
        StageChange.at,
        func.lead(StageChange.at)
        .over(partition_by=StageChange.deal_id, order_by=(StageChange.at, StageChange.id))
        .label("next_at"),
    ).where(StageChange.deal_id.in_(closed))
    stays_q = stays.subquery()
    per_deal = (
        select(
            stays_q.c.deal_id,
            stays_q.c.stage_id,
            func.sum(_days(scope, stays_q.c.next_at) - _days(scope, stays_q.c.at)).label("days"),
        )
        .where(
            stays_q.c.to_status == "open",
            stays_q.c.next_at.is_not(None),
            stays_q.c.stage_id.is_not(None),
        )
        .group_by(stays_q.c.deal_id, stays_q.c.stage_id)
        .subquery()
    )
    rows = session.connection().execute(
        select(per_deal.c.stage_id, func.count(), func.avg(per_deal.c.days)).group_by(
            per_deal.c.stage_id
        )
    )
    return int(count.scalar() or 0), list(rows)


def cycle_report(
    store: Store,
    *,
    start: date | None = None,
    end: date | None = None,
    pipeline: str | None = None,
    owner: str | None = None,
    now: datetime | None = None,
) -> CycleReport:
    """Median and mean days from creation to win (deals won in the period), and the mean
    days deals closed in the period spent in each stage (from the stage history)."""
    with store.read() as session:
        scope = _scope(session, store, start, end, pipeline, owner, now)
        won = _won_days(scope)
        n, mean, low, high = (
            session.connection()
            .execute(
                select(
                    func.count(), func.avg(won.c.days), func.min(won.c.days), func.max(won.c.days)
                )
            )
            .one()
        )
        median = _median(session, won) if n else None
        closed, times = _stage_times(session, scope)
        stages = {s[0]: s for s in _stages(session, dataclasses.replace(scope, pipeline_id=None))}
    order = {stage_id: n for n, stage_id in enumerate(stages)}
    rows = [
        StageTime(
            pipeline=stages[stage_id][1],
            stage=stages[stage_id][2],
            position=stages[stage_id][3],
            deals=count,
            mean_days=_round(days),
        )
        for stage_id, count, days in sorted(times, key=lambda row: order.get(row[0], -1))
        if stage_id in stages
    ]
    return CycleReport(
        scope=scope.read(),
        won=n,
        median_days=median,
        mean_days=_round(mean),
        min_days=_round(low),
        max_days=_round(high),
        closed=closed,
        rows=rows,
    )


# --------------------------------------------------------------------------- funnel


def funnel_report(
    store: Store,
    *,
    start: date | None = None,
    end: date | None = None,
    pipeline: str | None = None,
    owner: str | None = None,
    now: datetime | None = None,
) -> FunnelReport:
    """Stage-to-stage conversion of the deals created in the period, per pipeline.

    A deal has reached a stage when it entered that stage or a later one, or was won;
    "days to next" is the mean time from first reaching a stage to first reaching the
    next; "lost" counts deals lost from the stage (a deal lost and then reopened is not)."""
    with store.read() as session:
        scope = _scope(session, store, start, end, pipeline, owner, now)
        conn = session.connection()
        cohort = [*scope.within(Deal.created_at), *scope.deals()]
        won = [Deal.status == "won", Deal.closed_at.is_not(None), *cohort]
        stages = conn.execute(
            select(Stage.id, Stage.pipeline_id, Pipeline.name, Stage.name, Stage.position)
            .join(Pipeline, Stage.pipeline_id == Pipeline.id)
            .where(
                Stage.pipeline_id.in_(select(Deal.pipeline_id).where(*cohort))
                if scope.pipeline_id is None
                else Stage.pipeline_id == scope.pipeline_id
            )
            .order_by(Pipeline.position, Pipeline.id, Stage.position)
        ).all()
        by_pipeline: dict[int, list[Any]] = defaultdict(list)
        for stage in stages:
            by_pipeline[stage[1]].append(stage)
        # Every stage change into a stage of the deal's pipeline, and the win.
        events = (
            select(StageChange.deal_id, Deal.pipeline_id, Stage.position, StageChange.at)
            .join(Deal, Deal.id == StageChange.deal_id)
            .join(
                Stage,
                and_(Stage.id == StageChange.to_stage_id, Stage.pipeline_id == Deal.pipeline_id),
            )
            .where(*cohort)
            .union_all(
                select(Deal.id, Deal.pipeline_id, literal(_WON_POSITION), Deal.closed_at).where(
                    *won
                )
            )
            .subquery("events")
        )
        # Per deal, when it reached each position: the first time it entered that stage
        # or anything after it (a skipped stage is reached with the next one). Reached
        # positions are a prefix of the pipeline, so the next step of a stage is the
        # next stage of its pipeline, and after the last one the win.
        positions = sorted({stage[4] for stage in stages} | {_WON_POSITION})
        label = {position: f"reach_{i}" for i, position in enumerate(positions)}
        per_deal = (
            select(
                events.c.pipeline_id,
                *(
                    func.min(case((events.c.position >= position, events.c.at))).label(name)
                    for position, name in label.items()
                ),
            )
            .group_by(events.c.deal_id, events.c.pipeline_id)
            .subquery("per_deal")
        )
        following = {  # (pipeline, position): the position of its next step
            (pipeline_id, here): after
            for pipeline_id, its_stages in by_pipeline.items()
            for here, after in pairwise([stage[4] for stage in its_stages] + [_WON_POSITION])
        }
        steps = sorted({(here, after) for (_, here), after in following.items()})
        columns: list[Any] = [per_deal.c.pipeline_id, func.count(per_deal.c[label[_WON_POSITION]])]
        for here, after in steps:
            at, next_at = per_deal.c[label[here]], per_deal.c[label[after]]
            columns += [
                func.count(at),
                func.count(next_at),
                func.avg(_days(scope, next_at) - _days(scope, at)),
            ]
        # One pass over the history for every pipeline; a pipeline reads its own steps.
        stats: dict[tuple[int, int | None], tuple[int, int, float | None]] = {}
        for pipeline_id, won_count, *figures in conn.execute(
            select(*columns).group_by(per_deal.c.pipeline_id)
        ):
            found = {step: tuple(figures[3 * i : 3 * i + 3]) for i, step in enumerate(steps)}
            for stage in by_pipeline.get(pipeline_id, []):
                step = (stage[4], following[(pipeline_id, stage[4])])
                stats[(pipeline_id, stage[0])] = found[step]  # type: ignore[assignment]
            stats[(pipeline_id, None)] = (won_count, 0, None)
        lost = dict(
            conn.execute(
                select(Deal.stage_id, func.count())
                .where(Deal.status == "lost", *cohort)
                .group_by(Deal.stage_id)
            ).all()
        )
        deals = conn.execute(select(func.count()).select_from(Deal).where(*cohort)).scalar() or 0
    rows: list[FunnelLine] = []
    for pipeline_id, its_stages in by_pipeline.items():
        name = its_stages[0][2]
        for stage_id, _, _, stage_name, position in its_stages:
            reached, onward, days = stats.get((pipeline_id, stage_id), (0, 0, None))
            here = lost.get(stage_id, 0)
            rows.append(
                FunnelLine(
                    pipeline=name,
                    stage=stage_name,
                    position=position,
                    reached=reached,
                    conversion=_percent(onward, reached),
                    days_to_next=_round(days),
                    lost=here,
                    lost_share=_percent(here, reached),
                )
            )
        won = stats.get((pipeline_id, None), (0, 0, None))[0]
        rows.append(
            FunnelLine(
                pipeline=name,
                stage="won",
                position=_WON_POSITION,
                reached=won,
                conversion=None,
                days_to_next=None,
                lost=0,
                lost_share=None,
            )
        )
    return FunnelReport(scope=scope.read(), deals=deals, rows=rows)


# --------------------------------------------------------------------------- sources


def _ever_customer() -> Any:
    """A contact that is or was a customer (churned ones were), by lifecycle or history."""
    return or_(
        Contact.lifecycle.in_(("customer", "churned")),
        Contact.id.in_(
            select(LifecycleChange.contact_id).where(LifecycleChange.to_lifecycle == "customer")
        ),
    )


def sources_report(
    store: Store,
    *,
    start: date | None = None,
    end: date | None = None,
    pipeline: str | None = None,
    owner: str | None = None,
    now: datetime | None = None,
) -> SourcesReport:
    """Leads (contacts created in the period), how many became customers, and the revenue
    of their won deals, by first touch (source) and by last touch."""
    with store.read() as session:
        scope = _scope(session, store, start, end, pipeline, owner, now)
        conn = session.connection()
        leads = [*scope.within(Contact.created_at), *scope.contacts(Contact.id)]
        won_deals = [Deal.status == "won"]
        if scope.pipeline_id is not None:
            won_deals.append(Deal.pipeline_id == scope.pipeline_id)
        rows = []
        for touch, key in (("first", Contact.source), ("last", Contact.last_touch)):
            counts = conn.execute(
                select(key, func.count(), func.sum(case((_ever_customer(), 1), else_=0)))
                .where(*leads)
                .group_by(key)
            ).all()
            revenue: dict[str | None, tuple[int, Money]] = {}
            for source, currency, n, amount in conn.execute(
                select(key, Deal.currency, func.count(), func.sum(_amount()))
                .join(Deal, Deal.contact_id == Contact.id)
                .where(*leads, *won_deals)
                .group_by(key, Deal.currency)
            ):
                total, value = revenue.get(source, (0, {}))
                value[currency] = _money(amount, currency)
                revenue[source] = (total + n, value)
            ordered = sorted(counts, key=lambda r: (-r[1], r[0] is None, r[0] or ""))
            for source, n, customers in ordered:
                won_n, value = revenue.get(source, (0, {}))
                rows.append(
                    SourceLine(
                        touch=touch,
                        source=source,
                        leads=n,
                        customers=int(customers or 0),
                        conversion=_percent(int(customers or 0), n),
                        won_deals=won_n,
                        won_revenue=_sorted(value),
                    )
                )
    return SourcesReport(scope=scope.read(), rows=rows)


# --------------------------------------------------------------------------- churn


def churn_report(
    store: Store,
    *,
    by: str | None = None,
    start: date | None = None,
    end: date | None = None,
    pipeline: str | None = None,
    owner: str | None = None,
    now: datetime | None = None,
) -> ChurnReport:
    """Per period: customers at its start, how many of them churned in it, and the rate.

    From the lifecycle history. Default: the last 12 months (with ``by="quarter"``: this
    quarter and the three before), as one period or by month or quarter."""
    unit = _choice(by, CHURN_BY, "period")
    with store.read() as session:
        scope = _scope(session, store, start, end, pipeline, owner, now)
        first, last = _backward(
            start, end, unit or "month", 4 if unit == "quarter" else 12, scope.today
        )
        scope = _replace(scope, first, last)
        spans = periods(first, last, unit)
        bucket = _buckets(spans)
        history = LifecycleChange
        who = scope.contacts(history.contact_id)
        spells = (
            select(
                history.contact_id,
                history.to_lifecycle,
                history.at,
                func.lead(history.at)
                .over(partition_by=history.contact_id, order_by=(history.at, history.id))
                .label("next_at"),
            )
            .where(*who)
            .cte("spells")
        )
        # The spells as a customer: each period is compared with those (a fraction of
        # the history), not with every change.
        customer = (
            select(spells.c.contact_id, spells.c.at, spells.c.next_at)
            .where(spells.c.to_lifecycle == "customer")
            .cte("customer_spells")
        )

        def customer_before(instant: Any) -> Any:
            # the latest change before ``instant`` made the contact a customer
            return and_(
                customer.c.at < instant,
                or_(customer.c.next_at.is_(None), customer.c.next_at >= instant),
            )

        def customers_at(instant: Any) -> Any:
            counted = func.count(customer.c.contact_id.distinct())
            return select(counted).where(customer_before(instant)).scalar_subquery()

        churn = history.__table__.alias("churn")
        churned = (
            select(func.count(churn.c.contact_id.distinct()))
            .select_from(churn)
            .join(
                customer,
                and_(
                    customer.c.contact_id == churn.c.contact_id,
                    customer_before(bucket.c.start_at),
                ),
            )
            .where(
                churn.c.from_lifecycle == "customer",
                churn.c.to_lifecycle == "churned",
                churn.c.at >= bucket.c.start_at,
                churn.c.at < bucket.c.end_at,
            )
            .scalar_subquery()
        )
        new = (
            select(func.count(history.contact_id.distinct()))
            .where(
                history.to_lifecycle == "customer",
                history.at >= bucket.c.start_at,
                history.at < bucket.c.end_at,
                *who,
            )
            .scalar_subquery()
        )
        # One statement, so the spells (a window over the whole history) are computed
        # once for every period and every count.
        counts = {
            i: (start_count, new_count, churn_count, end_count)
            for i, start_count, new_count, churn_count, end_count in session.connection().execute(
                select(
                    bucket.c.i,
                    customers_at(bucket.c.start_at),
                    new,
                    churned,
                    customers_at(bucket.c.end_at),
                )
            )
        }
    rows = []
    for i, span in enumerate(spans):
        at_start, new_customers, churned_count, at_end = counts[i]
        rows.append(
            ChurnLine(
                period=span.label,
                start=span.start,
                end=span.end,
                customers_at_start=at_start,
                new_customers=new_customers,
                churned=churned_count,
                customers_at_end=at_end,
                churn_rate=_percent(churned_count, at_start),
            )
        )
    return ChurnReport(scope=scope.read(), by=unit, rows=rows)


# --------------------------------------------------------------------------- lifetime value


def clv_report(
    store: Store,
    *,
    start: date | None = None,
    end: date | None = None,
    pipeline: str | None = None,
    owner: str | None = None,
    now: datetime | None = None,
) -> ClvReport:
    """Customer lifetime value per currency: won revenue per customer-year × mean
    customer lifespan (1 ÷ churn rate per customer-year), with every input.

    Customers are the contacts that became customers (in the period, when given); a
    customer's years run from then to their first churn after it, or to now."""
    with store.read() as session:
        scope = _scope(session, store, start, end, pipeline, owner, now)
        conn = session.connection()
        history = LifecycleChange
        became = (
            select(history.contact_id, func.min(history.at).label("became"))
            .where(history.to_lifecycle == "customer", *scope.contacts(history.contact_id))
            .group_by(history.contact_id)
            .subquery()
        )
        churn = history.__table__.alias("churn")
        lives = (
            select(
                became.c.contact_id,
                became.c.became,
                func.min(churn.c.at).label("churned_at"),
            )
            .outerjoin(
                churn,
                and_(
                    churn.c.contact_id == became.c.contact_id,
                    churn.c.to_lifecycle == "churned",
                    churn.c.at > became.c.became,
                ),
            )
            .where(*scope.within(became.c.became))
            .group_by(became.c.contact_id, became.c.became)
            .cte("lives")
        )
        until = func.coalesce(lives.c.churned_at, _ts(scope.now))
        customers, churned, days = conn.execute(
            select(
                func.count(),
                func.count(lives.c.churned_at),
                func.sum(_days(scope, until) - _days(scope, lives.c.became)),
            )
        ).one()
        deals = [Deal.status == "won", Deal.contact_id.in_(select(lives.c.contact_id))]
        if scope.pipeline_id is not None:
            deals.append(Deal.pipeline_id == scope.pipeline_id)
        revenue = {
            currency: _money(amount, currency)
            for currency, amount in conn.execute(
                select(Deal.currency, func.sum(_amount())).where(*deals).group_by(Deal.currency)
            )
        }
    years = max(float(days or 0), 0.0) / _DAYS_PER_YEAR
    rate = churned / years if years and churned else None
    lifespan = 1 / rate if rate else None
    rows = []
    for currency in sorted(revenue):
        amount = revenue[currency]
        unit = _minor_unit(currency)
        per_year = amount / Decimal(repr(years)) if years else None
        rows.append(
            ClvLine(
                currency=currency,
                won_revenue=amount,
                revenue_per_customer=(amount / customers).quantize(unit, ROUND_HALF_UP)
                if customers
                else Decimal(0),
                revenue_per_customer_year=per_year.quantize(unit, ROUND_HALF_UP)
                if per_year is not None
                else None,
                # per customer-year × (customer-years ÷ churned), computed exactly
                clv=(amount / churned).quantize(unit, ROUND_HALF_UP) if lifespan else None,
            )
        )
    return ClvReport(
        scope=scope.read(),
        customers=customers,
        churned=churned,
        customer_years=round(years, 2),
        churn_rate=round(100 * rate, 1) if rate else None,
        lifespan_years=round(lifespan, 2) if lifespan else None,
        rows=rows,
    )


# --------------------------------------------------------------------------- activity


LOGGED_KINDS = ("call", "email", "meeting", "note")


def activity_report(
    store: Store,
    *,
    by: str | None = None,
    start: date | None = None,
    end: date | None = None,
    pipeline: str | None = None,
    owner: str | None = None,
    now: datetime | None = None,
) -> ActivityReport:
    """Calls, emails, meetings and notes logged, tasks done, and tasks that went overdue
    (due in the period, not done by their due time), per week or owner.

    Default: this week and the eleven before."""
    key = _choice(by, ACTIVITY_BY, "grouping")
    with store.read() as session:
        scope = _scope(session, store, start, end, pipeline, owner, now)
        first, last = _backward(start, end, "week", 12, scope.today)
        scope = _replace(scope, first, last)
        spans = periods(first, last, "week" if key == "week" else None)
        bucket = _buckets(spans)
        filters = []
        if scope.owner is not None:
            filters.append(Activity.owner == scope.owner)
        if scope.pipeline_id is not None:
            filters.append(
                Activity.deal_id.in_(select(Deal.id).where(Deal.pipeline_id == scope.pipeline_id))
            )
        group: list[Any] = [bucket.c.i]
        if key == "owner":
            group.append(Activity.owner)
        else:
            group.append(null().label("owner"))

        def in_bucket(column_: Any) -> Any:
            return and_(column_ >= bucket.c.start_at, column_ < bucket.c.end_at)

        def of_kind(kind: str) -> Any:
            return func.sum(case((Activity.kind == kind, 1), else_=0))

        keys = group if key == "owner" else group[:1]
        conn = session.connection()
        if key == "owner":
            logged = conn.execute(
                select(*group, *(of_kind(k) for k in LOGGED_KINDS))
                .select_from(bucket)
                .join(Activity, in_bucket(Activity.occurred_at))
                .where(*filters)
                .group_by(*keys)
            ).all()
            done = conn.execute(
                select(*group, func.count())
                .select_from(bucket)
                .join(Activity, and_(Activity.kind == "task", in_bucket(Activity.done_at)))
                .where(*filters)
                .group_by(*keys)
            ).all()
        else:
            # Per period, a count per kind from the (kind, time) indexes: each is a range
            # of one index, where a join grouped afterwards sorts every activity.
            def counted(kind: str, column_: Any) -> Any:
                return (
                    select(func.count())
                    .select_from(Activity)
                    .where(Activity.kind == kind, in_bucket(column_), *filters)
                    .scalar_subquery()
                )

            logged = conn.execute(
                select(*group, *(counted(k, Activity.occurred_at) for k in LOGGED_KINDS))
            ).all()
            done = conn.execute(select(*group, counted("task", Activity.done_at))).all()
        late = and_(
            Activity.due_at < _ts(scope.now),
            or_(Activity.done_at.is_(None), Activity.done_at > Activity.due_at),
        )
        if key == "owner":
            overdue = conn.execute(
                select(*group, func.count())
                .select_from(bucket)
                .join(Activity, and_(Activity.kind == "task", in_bucket(Activity.due_at)))
                .where(late, *filters)
                .group_by(*keys)
            ).all()
        else:  # a range of ix_activity_task_due per period
            overdue = conn.execute(
                select(
                    *group,
                    select(func.count())
                    .select_from(Activity)
                    .where(Activity.kind == "task", in_bucket(Activity.due_at), late, *filters)
                    .scalar_subquery(),
                )
            ).all()
    lines: dict[tuple[int, str | None], dict[str, int]] = {}
    if key != "owner":  # every week has a row, quiet ones too
        lines = {(i, None): {} for i in range(len(spans))}
    for i, who, *kinds in logged:
        counts = dict(zip(("calls", "emails", "meetings", "notes"), kinds, strict=True))
        lines.setdefault((i, who), {}).update({k: int(v or 0) for k, v in counts.items()})
    for i, who, n in done:
        lines.setdefault((i, who), {})["tasks_done"] = n
    for i, who, n in overdue:
        lines.setdefault((i, who), {})["tasks_overdue"] = n
    rows = []
    for (i, who), line in sorted(lines.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        span = spans[i]
        counts = {k: line.get(k, 0) for k in ("calls", "emails", "meetings", "notes")}
        rows.append(
            ActivityLine(
                period=span.label,
                start=span.start,
                end=span.end,
                owner=who,
                **counts,
                logged=sum(counts.values()),
                tasks_done=line.get("tasks_done", 0),
                tasks_overdue=line.get("tasks_overdue", 0),
            )
        )
    return ActivityReport(scope=scope.read(), by=key, rows=rows)


# --------------------------------------------------------------------------- dashboard


def dashboard_numbers(store: Store, *, now: datetime | None = None) -> DashboardNumbers:
    """The key numbers of the board's dashboard, in one read transaction.

    Open pipeline per currency; the weighted forecast for this and next month (as
    ``forecast_report`` computes it); win rate and median days to win over the deals
    closed this month and the eleven before; open tasks past their due time; rotting deals."""
    now = now or utcnow()
    today = now.astimezone(dates.local_tz()).date()
    with store.read() as session:
        scope = _Scope(None, None, None, None, None, now, store.is_sqlite)
        stats = _open_deal_stats(session, scope)
        this_month = period_start(today, "month")
        months = periods(this_month, _shift(this_month, "month", 2) - timedelta(days=1), "month")
        forecast = _forecast_lines(session, scope, months)
        since = _shift(this_month, "month", -11)
        window = _replace(scope, since, today)
        outcomes = _winrate_rows(session, window, None)
        won_days = _won_days(window)
        median = _median(session, won_days)
        overdue = (
            session.connection()
            .execute(
                select(func.count()).where(
                    Activity.kind == "task", Activity.done_at.is_(None), Activity.due_at < _ts(now)
                )
            )
            .scalar()
        )
    pipeline: Money = {}
    deals = rotting = 0
    for _, currency, count, amount, _weighted_sum, _age, rot in stats:
        deals += count
        rotting += int(rot or 0)
        _add(pipeline, currency, _money(amount, currency))
    won = sum(n for _, status, _, n, _ in outcomes if status == "won")
    lost = sum(n for _, status, _, n, _ in outcomes if status == "lost")
    return DashboardNumbers(
        as_of=now,
        open_deals=deals,
        open_pipeline=_sorted(pipeline),
        weighted_this_month=forecast[0].weighted,
        weighted_next_month=forecast[1].weighted,
        this_month=months[0],
        next_month=months[1],
        since=since,
        won=won,
        lost=lost,
        win_rate=_percent(won, won + lost),
        median_cycle_days=median,
        overdue_tasks=int(overdue or 0),
        rotting_deals=rotting,
    )

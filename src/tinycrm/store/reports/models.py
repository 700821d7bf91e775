"""The reports' read models, the choices each report takes, and ``Money``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from tinycrm import dates
from tinycrm.store.models import ReadModel

Money = dict[str, Decimal]

PERIODS = dates.PERIOD_UNITS
FORECAST_BY = ("month", "quarter")
WINRATE_BY = ("source", "owner", "pipeline")
CHURN_BY = ("month", "quarter")
ACTIVITY_BY = ("week", "owner")
COMMIT_PROBABILITY = 75  # forecast: open deals at or above this probability are "commit"
MAX_PERIODS = 400
WON_POSITION = 1_000_000  # the funnel's "won" step comes after every stage
DAYS_PER_YEAR = 365.25
MIN_CUSTOMER_DAYS = 30  # clv: fewer customer-days in all are too short for a year's figures


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
    weighted_under_unit: list[str] = []  # above nothing, rounded to nothing: < €0.01
    avg_age_days: float | None
    rotting: int
    mrr: Money = {}  # recurring line items: monthly recurring revenue (tinycrm.pricing)
    arr: Money = {}


class PipelineTotals(ReadModel):
    deals: int
    value: Money
    weighted: Money
    weighted_under_unit: list[str] = []  # above nothing, rounded to nothing: < €0.01
    avg_age_days: float | None
    rotting: int
    mrr: Money = {}
    arr: Money = {}


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
    weighted_under_unit: list[str] = []  # above nothing, rounded to nothing: < €0.01
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
    too_short: bool = False  # under MIN_CUSTOMER_DAYS: no rate, lifespan or yearly revenue
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

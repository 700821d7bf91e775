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
currencies. The README's "Reports" section defines every figure; this package follows it.

One module per family: ``pipeline`` (open deals: pipeline, forecast), ``sales``
(closed deals: win rate, cycle, funnel), ``customers`` (sources, churn, lifetime
value), ``activity`` and ``dashboard``; ``scope`` and ``aggregates`` hold what they
share, ``models`` the read models. The period arithmetic is ``tinycrm.dates``'.
"""

from __future__ import annotations

from tinycrm.store.reports.activity import activity_report
from tinycrm.store.reports.customers import churn_report, clv_report, sources_report
from tinycrm.store.reports.dashboard import dashboard_numbers
from tinycrm.store.reports.models import (
    ACTIVITY_BY,
    CHURN_BY,
    COMMIT_PROBABILITY,
    DAYS_PER_YEAR,
    FORECAST_BY,
    MAX_PERIODS,
    PERIODS,
    WINRATE_BY,
    WON_POSITION,
    ActivityLine,
    ActivityReport,
    ChurnLine,
    ChurnReport,
    ClvLine,
    ClvReport,
    CycleReport,
    DashboardNumbers,
    ForecastLine,
    ForecastReport,
    FunnelLine,
    FunnelReport,
    Period,
    PipelineReport,
    PipelineTotals,
    ReportScope,
    SourceLine,
    SourcesReport,
    StageLine,
    StageTime,
    WinRateLine,
    WinRateReport,
)
from tinycrm.store.reports.pipeline import forecast_report, pipeline_report
from tinycrm.store.reports.sales import cycle_report, funnel_report, winrate_report
from tinycrm.store.reports.scope import periods

__all__ = [
    "ACTIVITY_BY",
    "CHURN_BY",
    "COMMIT_PROBABILITY",
    "DAYS_PER_YEAR",
    "FORECAST_BY",
    "MAX_PERIODS",
    "PERIODS",
    "WINRATE_BY",
    "WON_POSITION",
    "ActivityLine",
    "ActivityReport",
    "ChurnLine",
    "ChurnReport",
    "ClvLine",
    "ClvReport",
    "CycleReport",
    "DashboardNumbers",
    "ForecastLine",
    "ForecastReport",
    "FunnelLine",
    "FunnelReport",
    "Period",
    "PipelineReport",
    "PipelineTotals",
    "ReportScope",
    "SourceLine",
    "SourcesReport",
    "StageLine",
    "StageTime",
    "WinRateLine",
    "WinRateReport",
    "activity_report",
    "churn_report",
    "clv_report",
    "cycle_report",
    "dashboard_numbers",
    "forecast_report",
    "funnel_report",
    "periods",
    "pipeline_report",
    "sources_report",
    "winrate_report",
]

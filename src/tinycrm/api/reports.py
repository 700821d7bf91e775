"""``crm.reports``: the reports of ``tinycrm report``, as read models."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from tinycrm.api import values
from tinycrm.api.values import When

if TYPE_CHECKING:
    from tinycrm.store.engine import Store
    from tinycrm.store.reports import (
        ActivityReport,
        ChurnReport,
        ClvReport,
        CycleReport,
        DashboardNumbers,
        ForecastReport,
        FunnelReport,
        PipelineReport,
        SourcesReport,
        WinRateReport,
    )

Day = date | str | None


class Reports:
    """Every report takes the scope of the command line: ``start``/``end`` (a date or
    text such as ``-90d``), ``pipeline`` and ``owner``; money is per currency. ``now``
    (default: the clock) is the moment "open", "age" and relative dates are judged from: a
    WHEN, as ``tasks.list`` takes (a naive ``datetime`` is local time)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def _scope(
        self, start: Day, end: Day, pipeline: str | None, owner: str | None,
        now: When | None = None,
    ) -> Any:  # fmt: skip
        return {
            "start": values.day(start, "start"),
            "end": values.day(end, "end"),
            "pipeline": pipeline,
            "owner": owner,
            "now": values.when(now, "now"),
        }

    def pipeline(
        self, *, start: Day = None, end: Day = None, pipeline: str | None = None,
        owner: str | None = None, now: When | None = None,
    ) -> PipelineReport:  # fmt: skip
        """Open deals by stage: count, value, weighted value, age."""
        from tinycrm.store.reports import pipeline_report

        return pipeline_report(self._store, **self._scope(start, end, pipeline, owner, now))

    def forecast(
        self, *, by: str = "month", start: Day = None, end: Day = None,
        pipeline: str | None = None, owner: str | None = None, now: When | None = None,
    ) -> ForecastReport:  # fmt: skip
        """Weighted value of open deals by expected close period."""
        from tinycrm.store.reports import forecast_report

        return forecast_report(self._store, by=by, **self._scope(start, end, pipeline, owner, now))

    def winrate(
        self, *, by: str | None = None, start: Day = None, end: Day = None,
        pipeline: str | None = None, owner: str | None = None, now: When | None = None,
    ) -> WinRateReport:  # fmt: skip
        """Won against lost, by period, owner or source."""
        from tinycrm.store.reports import winrate_report

        return winrate_report(self._store, by=by, **self._scope(start, end, pipeline, owner, now))

    def cycle(
        self, *, start: Day = None, end: Day = None, pipeline: str | None = None,
        owner: str | None = None, now: When | None = None,
    ) -> CycleReport:  # fmt: skip
        """Days to win, and time spent in each stage."""
        from tinycrm.store.reports import cycle_report

        return cycle_report(self._store, **self._scope(start, end, pipeline, owner, now))

    def funnel(
        self, *, start: Day = None, end: Day = None, pipeline: str | None = None,
        owner: str | None = None, now: When | None = None,
    ) -> FunnelReport:  # fmt: skip
        """How many deals reached each stage, and the conversion between stages."""
        from tinycrm.store.reports import funnel_report

        return funnel_report(self._store, **self._scope(start, end, pipeline, owner, now))

    def sources(
        self, *, start: Day = None, end: Day = None, pipeline: str | None = None,
        owner: str | None = None, now: When | None = None,
    ) -> SourcesReport:  # fmt: skip
        """Contacts, deals and won revenue per first-touch source."""
        from tinycrm.store.reports import sources_report

        return sources_report(self._store, **self._scope(start, end, pipeline, owner, now))

    def churn(
        self, *, by: str | None = None, start: Day = None, end: Day = None,
        pipeline: str | None = None, owner: str | None = None, now: When | None = None,
    ) -> ChurnReport:  # fmt: skip
        """Customers lost per period."""
        from tinycrm.store.reports import churn_report

        return churn_report(self._store, by=by, **self._scope(start, end, pipeline, owner, now))

    def clv(
        self, *, start: Day = None, end: Day = None, pipeline: str | None = None,
        owner: str | None = None, now: When | None = None,
    ) -> ClvReport:  # fmt: skip
        """Customer lifetime value from won deals."""
        from tinycrm.store.reports import clv_report

        return clv_report(self._store, **self._scope(start, end, pipeline, owner, now))

    def activity(
        self, *, by: str | None = None, start: Day = None, end: Day = None,
        pipeline: str | None = None, owner: str | None = None, now: When | None = None,
    ) -> ActivityReport:  # fmt: skip
        """Calls, emails, meetings, notes and tasks per period."""
        from tinycrm.store.reports import activity_report

        return activity_report(self._store, by=by, **self._scope(start, end, pipeline, owner, now))

    def dashboard(self, *, now: When | None = None) -> DashboardNumbers:
        """The key numbers of the board's dashboard."""
        from tinycrm.store.reports import dashboard_numbers

        return dashboard_numbers(self._store, now=values.when(now, "now"))

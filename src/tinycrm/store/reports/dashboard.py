"""The board's dashboard: the key numbers in one read."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import col

from tinycrm import dates
from tinycrm.store.engine import Store
from tinycrm.store.models import Activity
from tinycrm.store.reports.aggregates import (
    add_money,
    known,
    percent,
    sorted_money,
    to_money,
)
from tinycrm.store.reports.models import DashboardNumbers, Money
from tinycrm.store.reports.pipeline import forecast_lines, open_deal_stats
from tinycrm.store.reports.sales import median_days, winrate_rows, won_days
from tinycrm.store.reports.scope import Scope, periods, ts, with_days
from tinycrm.store.types import utcnow

# --------------------------------------------------------------------------- dashboard


def dashboard_numbers(store: Store, *, now: datetime | None = None) -> DashboardNumbers:
    """The key numbers of the board's dashboard, in one read transaction.

    Open pipeline per currency; the weighted forecast for this and next month (as
    ``forecast_report`` computes it); win rate and median days to win over the deals
    closed this month and the eleven before; open tasks past their due time; rotting deals."""
    now = now or utcnow()
    today = now.astimezone(dates.local_tz()).date()
    with store.read() as session:
        scope = Scope(None, None, None, None, None, now, store.is_sqlite)
        stats = open_deal_stats(session, scope)
        for row in stats:  # what cannot be summed, named while it can be
            known(row[1])
        this_month = dates.period_start(today, "month")
        months = periods(
            this_month, dates.shift_period(this_month, "month", 2) - timedelta(days=1), "month"
        )
        forecast = forecast_lines(session, scope, months)
        since = dates.shift_period(this_month, "month", -11)
        window = with_days(scope, since, today)
        outcomes = winrate_rows(session, window, None)
        days_to_win = won_days(window)
        median = median_days(session, days_to_win)
        overdue = (
            session.connection()
            .execute(
                select(func.count()).where(
                    col(Activity.kind) == "task",
                    col(Activity.done_at).is_(None),
                    col(Activity.due_at) < ts(now),
                )
            )
            .scalar()
        )
    pipeline: Money = {}
    deals = rotting = 0
    for _, currency, count, amount, _weighted_sum, _age, rot in stats:
        deals += count
        rotting += int(rot or 0)
        add_money(pipeline, currency, to_money(amount, currency))
    won = sum(n for _, status, _, n, _ in outcomes if status == "won")
    lost = sum(n for _, status, _, n, _ in outcomes if status == "lost")
    return DashboardNumbers(
        as_of=now,
        open_deals=deals,
        open_pipeline=sorted_money(pipeline),
        weighted_this_month=forecast[0].weighted,
        weighted_next_month=forecast[1].weighted,
        this_month=months[0],
        next_month=months[1],
        since=since,
        won=won,
        lost=lost,
        win_rate=percent(won, won + lost),
        median_cycle_days=median,
        overdue_tasks=int(overdue or 0),
        rotting_deals=rotting,
    )

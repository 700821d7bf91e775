"""Open deals: the pipeline by stage and the forecast by expected close period."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlmodel import Session, col

from tinycrm import money, pricing
from tinycrm.store.engine import Store
from tinycrm.store.log_models import StageChange
from tinycrm.store.models import Activity, Deal, Stage
from tinycrm.store.reports.aggregates import (
    add_money,
    add_weighted,
    amount_expr,
    buckets,
    day_count,
    greatest,
    known,
    probability_expr,
    rounded,
    sorted_money,
    stages_in_scope,
    to_money,
    under_unit,
)
from tinycrm.store.reports.models import (
    COMMIT_PROBABILITY,
    FORECAST_BY,
    ForecastLine,
    ForecastReport,
    Period,
    PipelineReport,
    PipelineTotals,
    StageLine,
)
from tinycrm.store.reports.scope import (
    Scope,
    choice,
    day_value,
    forward_range,
    make_scope,
    periods,
    ts,
    with_days,
)
from tinycrm.store.sales_models import DealItem, annual_sum
from tinycrm.store.sums import exact_sum, warn_left_out, whole

# --------------------------------------------------------------------------- pipeline


def open_deal_stats(session: Session, scope: Scope, *extra: Any) -> list[Any]:
    """Per (stage, currency): open deals, Σ amount, Σ amount × probability, Σ age in days
    and how many are rotting (no activity, move or creation for the stage's rotting days)."""
    open_deals = [Deal.status == "open", *scope.deals(), *extra]
    open_ids = select(col(Deal.id)).where(*open_deals)
    last_activity = (
        select(col(Activity.deal_id), func.max(col(Activity.occurred_at)).label("at"))
        .where(col(Activity.deal_id).in_(open_ids), col(Activity.occurred_at).is_not(None))
        .group_by(col(Activity.deal_id))
        .subquery()
    )
    last_move = (
        select(col(StageChange.deal_id), func.max(col(StageChange.at)).label("at"))
        .where(col(StageChange.deal_id).in_(open_ids))
        .group_by(col(StageChange.deal_id))
        .subquery()
    )
    touched = greatest(
        scope,
        Deal.created_at,
        func.coalesce(last_activity.c.at, Deal.created_at),
        func.coalesce(last_move.c.at, Deal.created_at),
    )
    now = day_count(scope, ts(scope.now))
    rotting = case(
        (
            and_(
                col(Stage.rotting_days).is_not(None),
                now - day_count(scope, touched) >= Stage.rotting_days,
            ),
            1,
        ),
        else_=0,
    )
    query = (
        select(
            col(Deal.stage_id),
            col(Deal.currency),
            func.count(),
            exact_sum(amount_expr()),
            exact_sum(amount_expr(), probability_expr()),
            func.sum(now - day_count(scope, col(Deal.created_at))),
            func.sum(rotting),
        )
        .join(Stage, col(Deal.stage_id) == col(Stage.id))
        .outerjoin(last_activity, last_activity.c.deal_id == Deal.id)
        .outerjoin(last_move, last_move.c.deal_id == Deal.id)
        .where(*open_deals)
        .group_by(col(Deal.stage_id), col(Deal.currency))
    )
    return list(session.connection().execute(query))


def _recurring_by_stage(session: Session, conditions: Sequence[Any]) -> list[Any]:
    """(stage id, currency, ARR, MRR) in minor units of the deals meeting ``conditions``:
    the MRR the sum of each deal's (its ARR ÷ 12 rounded half-up, as ``deal show`` says),
    so a stage's MRR adds up its deals' as its total adds up its rows."""
    sums: dict[tuple[int, str], list[int]] = {}
    for stage_id, currency, arr in session.execute(
        select(col(Deal.stage_id), col(Deal.currency), annual_sum())
        .join(DealItem, col(DealItem.deal_id) == col(Deal.id))
        .where(*conditions, col(DealItem.recurring).is_not(None))
        .group_by(col(Deal.id), col(Deal.stage_id), col(Deal.currency))
    ):
        annual = whole(arr) or 0  # exact_sum's text or number
        entry = sums.setdefault((stage_id, currency), [0, 0])
        entry[0] += annual
        entry[1] += pricing.monthly_minor(annual)
    return [(stage, code, arr, mrr) for (stage, code), (arr, mrr) in sums.items()]


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
        warn_left_out(session)
        scope = make_scope(session, store, start, end, pipeline, owner, now)
        extra = []
        if start is not None:
            extra.append(Deal.close_date >= day_value(start))
        if end is not None:
            extra.append(Deal.close_date <= day_value(end))
        stats = open_deal_stats(session, scope, *extra)
        recurring = _recurring_by_stage(session, [Deal.status == "open", *scope.deals(), *extra])
        stages = stages_in_scope(session, scope)
        for row in [*stats, *recurring]:  # what cannot be summed, named while it can be
            known(row[1])
    per_stage: dict[int, dict[str, Any]] = defaultdict(
        lambda: {
            "deals": 0,
            "value": {},
            "weighted": {},
            "age": 0.0,
            "rotting": 0,
            "arr": {},
            "mrr": {},
        }
    )
    for stage_id, currency, arr, mrr in recurring:
        add_money(per_stage[stage_id]["arr"], currency, money.from_minor(arr, currency))
        add_money(per_stage[stage_id]["mrr"], currency, money.from_minor(mrr, currency))
    for stage_id, currency, count, amount, weighted, age, rotting in stats:
        line = per_stage[stage_id]
        line["deals"] += count
        add_money(line["value"], currency, to_money(amount, currency))
        add_weighted(line, currency, weighted)
        line["age"] += float(age or 0)
        line["rotting"] += int(rotting or 0)
    rows = []
    total: dict[str, Any] = {
        "deals": 0,
        "value": {},
        "weighted": {},
        "age": 0.0,
        "rotting": 0,
        "arr": {},
        "mrr": {},
    }
    for stage_id, pipeline_name, name, position, probability in stages:
        line = per_stage[stage_id]
        rows.append(
            StageLine(
                pipeline=pipeline_name,
                stage=name,
                position=position,
                probability=probability,
                deals=line["deals"],
                value=sorted_money(line["value"]),
                weighted=sorted_money(line["weighted"]),
                weighted_under_unit=under_unit(line),
                avg_age_days=rounded(line["age"] / line["deals"]) if line["deals"] else None,
                rotting=line["rotting"],
                mrr=sorted_money(line["mrr"]),
                arr=sorted_money(line["arr"]),
            )
        )
        total["deals"] += line["deals"]
        total["age"] += line["age"]
        total["rotting"] += line["rotting"]
        for currency, amount in line["value"].items():
            add_money(total["value"], currency, amount)
        for currency, amount in line["weighted"].items():
            add_money(total["weighted"], currency, amount)
        total.setdefault("weighted_under_unit", set()).update(under_unit(line))
        for key in ("arr", "mrr"):
            for currency, amount in line[key].items():
                add_money(total[key], currency, amount)
    return PipelineReport(
        scope=scope.read(),
        rows=rows,
        total=PipelineTotals(
            deals=total["deals"],
            value=sorted_money(total["value"]),
            weighted=sorted_money(total["weighted"]),
            weighted_under_unit=under_unit(total),
            avg_age_days=rounded(total["age"] / total["deals"]) if total["deals"] else None,
            rotting=total["rotting"],
            mrr=sorted_money(total["mrr"]),
            arr=sorted_money(total["arr"]),
        ),
    )


# --------------------------------------------------------------------------- forecast


def forecast_lines(session: Session, scope: Scope, spans: list[Period]) -> list[ForecastLine]:
    bucket = buckets(spans)
    today = day_value(scope.today)
    expected = case((Deal.close_date < today, today), else_=Deal.close_date)
    probability = probability_expr()
    open_rows = session.connection().execute(
        select(
            bucket.c.i,
            col(Deal.currency),
            func.count(),
            exact_sum(amount_expr()),
            exact_sum(amount_expr(), probability),
            exact_sum(case((probability >= COMMIT_PROBABILITY, amount_expr()), else_=0)),
        )
        .select_from(bucket)
        .join(Deal, and_(expected >= bucket.c.start_day, expected < bucket.c.end_day))
        .join(Stage, col(Deal.stage_id) == col(Stage.id))
        .where(col(Deal.status) == "open", col(Deal.close_date).is_not(None), *scope.deals())
        .group_by(bucket.c.i, Deal.currency)
    )
    won_rows = session.connection().execute(
        select(bucket.c.i, col(Deal.currency), func.count(), exact_sum(amount_expr()))
        .select_from(bucket)
        .join(Deal, and_(Deal.closed_at >= bucket.c.start_at, Deal.closed_at < bucket.c.end_at))
        .where(col(Deal.status) == "won", *scope.deals())
        .group_by(bucket.c.i, Deal.currency)
    )
    lines: list[dict[str, Any]] = [
        {"deals": 0, "best_case": {}, "weighted": {}, "commit": {}, "won_deals": 0, "won": {}}
        for _ in spans
    ]
    for i, currency, count, amount, weighted, commit in open_rows:
        line = lines[i]
        line["deals"] += count
        add_money(line["best_case"], currency, to_money(amount, currency))
        add_weighted(line, currency, weighted)
        add_money(line["commit"], currency, to_money(commit, currency))
    for i, currency, count, amount in won_rows:
        lines[i]["won_deals"] += count
        add_money(lines[i]["won"], currency, to_money(amount, currency))
    return [
        ForecastLine(
            period=span.label,
            start=span.start,
            end=span.end,
            deals=line["deals"],
            best_case=sorted_money(line["best_case"]),
            weighted=sorted_money(line["weighted"]),
            weighted_under_unit=under_unit(line),
            commit=sorted_money(line["commit"]),
            won_deals=line["won_deals"],
            won=sorted_money(line["won"]),
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
    unit = choice(by, FORECAST_BY, "period") or "month"
    with store.read() as session:
        warn_left_out(session)
        scope = make_scope(session, store, start, end, pipeline, owner, now)
        first, last = forward_range(start, end, unit, 6 if unit == "month" else 4, scope.today)
        scope = with_days(scope, first, last)
        spans = periods(first, last, unit)
        rows = forecast_lines(session, scope, spans)
        undated = session.connection().execute(
            select(col(Deal.currency), func.count(), exact_sum(amount_expr()))
            .where(col(Deal.status) == "open", col(Deal.close_date).is_(None), *scope.deals())
            .group_by(Deal.currency)
        )
        count, best = 0, {}
        for currency, n, amount in undated:
            count += n
            best[currency] = to_money(amount, currency)
    return ForecastReport(
        scope=scope.read(),
        by=unit,
        rows=rows,
        undated_deals=count,
        undated_best_case=sorted_money(best),
    )

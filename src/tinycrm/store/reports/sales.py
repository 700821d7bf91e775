"""Closed deals: win rate, the sales cycle and the stage funnel."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import and_, case, func, literal, null, or_, select
from sqlmodel import Session, col

from tinycrm.store.engine import Store
from tinycrm.store.log_models import StageChange
from tinycrm.store.models import Contact, Deal, Pipeline, Stage
from tinycrm.store.reports.aggregates import (
    add_money,
    amount_expr,
    day_count,
    percent,
    rounded,
    sorted_money,
    stages_in_scope,
    to_money,
)
from tinycrm.store.reports.models import (
    WINRATE_BY,
    WON_POSITION,
    CycleReport,
    FunnelLine,
    FunnelReport,
    Money,
    StageTime,
    WinRateLine,
    WinRateReport,
)
from tinycrm.store.reports.scope import Scope, choice, make_scope
from tinycrm.store.sums import exact_sum, warn_left_out

# --------------------------------------------------------------------------- win rate


def winrate_rows(session: Session, scope: Scope, by: str | None) -> list[Any]:
    """Per (group, status, currency): closed deals and Σ amount, for deals whose current
    outcome (won or lost) was reached in the scope's days."""
    keys = {"source": col(Contact.source), "owner": col(Deal.owner), "pipeline": col(Pipeline.name)}
    key = keys[by] if by else null()
    query = (
        select(key, col(Deal.status), col(Deal.currency), func.count(), exact_sum(amount_expr()))
        .where(
            col(Deal.status).in_(("won", "lost")),
            *scope.within(col(Deal.closed_at)),
            *scope.deals(),
        )
        .group_by(*([key] if by else []), col(Deal.status), col(Deal.currency))
    )
    if by == "source":
        query = query.outerjoin(Contact, col(Deal.contact_id) == col(Contact.id))
    elif by == "pipeline":
        query = query.join(Pipeline, col(Deal.pipeline_id) == col(Pipeline.id))
    return list(session.connection().execute(query))


def _winrate_line(group: str | None, won: int, lost: int, value: Money) -> WinRateLine:
    return WinRateLine(
        group=group,
        won=won,
        lost=lost,
        closed=won + lost,
        win_rate=percent(won, won + lost),
        won_value=sorted_money(value),
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
    key = choice(by, WINRATE_BY, "grouping")
    with store.read() as session:
        warn_left_out(session)
        scope = make_scope(session, store, start, end, pipeline, owner, now)
        found = winrate_rows(session, scope, key)
    groups: dict[str | None, dict[str, Any]] = {}
    total: dict[str, Any] = {"won": 0, "lost": 0, "value": {}}
    spellings: dict[str, str] = {}  # sources are kept as typed: "Web" and "web" are one
    for group, status, currency, count, amount in sorted(found, key=lambda r: str(r[0])):
        if key == "source" and group is not None:
            group = spellings.setdefault(group.casefold(), group)
        line = groups.setdefault(group, {"won": 0, "lost": 0, "value": {}})
        for into in (line, total):
            into[status] += count
            if status == "won":
                add_money(into["value"], currency, to_money(amount, currency))
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
    return WinRateReport(
        scope=scope.read(),
        by=key,
        rows=[_winrate_line(g, v["won"], v["lost"], v["value"]) for g, v in ordered],
        total=_winrate_line(None, total["won"], total["lost"], total["value"]),
    )


# --------------------------------------------------------------------------- sales cycle


def won_days(scope: Scope) -> Any:
    """Days from creation to the win, of deals won in the scope (imported deals closed
    before they were created are left out)."""
    return (
        select(
            (day_count(scope, col(Deal.closed_at)) - day_count(scope, col(Deal.created_at))).label(
                "days"
            )
        )
        .where(
            col(Deal.status) == "won",
            col(Deal.closed_at) >= col(Deal.created_at),
            *scope.within(col(Deal.closed_at)),
            *scope.deals(),
        )
        .subquery()
    )


def median_days(session: Session, won: Any) -> float | None:
    ranked = select(
        won.c.days,
        func.row_number().over(order_by=won.c.days).label("rn"),
        func.count().over().label("n"),
    ).subquery()
    middle = or_(ranked.c.rn == (ranked.c.n + 1) // 2, ranked.c.rn == (ranked.c.n + 2) // 2)
    value = session.connection().execute(select(func.avg(ranked.c.days)).where(middle)).scalar()
    return rounded(value)


def _stage_times(session: Session, scope: Scope) -> tuple[int, list[Any]]:
    """Per stage: how many closed deals stayed in it and their mean total days there.

    A stay runs from entering the stage (creation, a move in, or a reopening) to the
    next change (a move out, a win or a loss); a deal's stays in one stage add up."""
    closed = select(col(Deal.id)).where(
        col(Deal.status).in_(("won", "lost")), *scope.within(col(Deal.closed_at)), *scope.deals()
    )
    count = session.connection().execute(select(func.count()).select_from(closed.subquery()))
    stays = select(
        col(StageChange.deal_id),
        col(StageChange.to_stage_id).label("stage_id"),
        col(StageChange.to_status),
        col(StageChange.at),
        func.lead(col(StageChange.at))
        .over(
            partition_by=col(StageChange.deal_id),
            order_by=(col(StageChange.at), col(StageChange.id)),
        )
        .label("next_at"),
    ).where(col(StageChange.deal_id).in_(closed))
    stays_q = stays.subquery()
    per_deal = (
        select(
            stays_q.c.deal_id,
            stays_q.c.stage_id,
            func.sum(day_count(scope, stays_q.c.next_at) - day_count(scope, stays_q.c.at)).label(
                "days"
            ),
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
        scope = make_scope(session, store, start, end, pipeline, owner, now)
        won = won_days(scope)
        n, mean, low, high = (
            session.connection()
            .execute(
                select(
                    func.count(), func.avg(won.c.days), func.min(won.c.days), func.max(won.c.days)
                )
            )
            .one()
        )
        median = median_days(session, won) if n else None
        closed, times = _stage_times(session, scope)
        stages = {
            s[0]: s for s in stages_in_scope(session, dataclasses.replace(scope, pipeline_id=None))
        }
    order = {stage_id: n for n, stage_id in enumerate(stages)}
    rows = [
        StageTime(
            pipeline=stages[stage_id][1],
            stage=stages[stage_id][2],
            position=stages[stage_id][3],
            deals=count,
            mean_days=rounded(days),
        )
        for stage_id, count, days in sorted(times, key=lambda row: order.get(row[0], -1))
        if stage_id in stages
    ]
    return CycleReport(
        scope=scope.read(),
        won=n,
        median_days=median,
        mean_days=rounded(mean),
        min_days=rounded(low),
        max_days=rounded(high),
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
        scope = make_scope(session, store, start, end, pipeline, owner, now)
        conn = session.connection()
        cohort = [*scope.within(col(Deal.created_at)), *scope.deals()]
        won = [col(Deal.status) == "won", col(Deal.closed_at).is_not(None), *cohort]
        stages = conn.execute(
            select(
                col(Stage.id),
                col(Stage.pipeline_id),
                col(Pipeline.name),
                col(Stage.name),
                col(Stage.position),
            )
            .join(Pipeline, col(Stage.pipeline_id) == col(Pipeline.id))
            .where(
                col(Stage.pipeline_id).in_(select(col(Deal.pipeline_id)).where(*cohort))
                if scope.pipeline_id is None
                else col(Stage.pipeline_id) == scope.pipeline_id
            )
            .order_by(col(Pipeline.position), col(Pipeline.id), col(Stage.position))
        ).all()
        by_pipeline: dict[int, list[Any]] = defaultdict(list)
        for stage in stages:
            by_pipeline[stage[1]].append(stage)
        # Every stage change into a stage of the deal's pipeline, and the win.
        events = (
            select(
                col(StageChange.deal_id),
                col(Deal.pipeline_id),
                col(Stage.position),
                col(StageChange.at),
            )
            .join(Deal, col(Deal.id) == col(StageChange.deal_id))
            .join(
                Stage,
                and_(
                    col(Stage.id) == col(StageChange.to_stage_id),
                    col(Stage.pipeline_id) == col(Deal.pipeline_id),
                ),
            )
            .where(*cohort)
            .union_all(
                select(
                    col(Deal.id), col(Deal.pipeline_id), literal(WON_POSITION), col(Deal.closed_at)
                ).where(*won)
            )
            .subquery("events")
        )
        # Per deal, when it reached each position: the first time it entered that stage
        # or anything after it (a skipped stage is reached with the next one). Reached
        # positions are a prefix of the pipeline, so the next step of a stage is the
        # next stage of its pipeline, and after the last one the win.
        positions = sorted({stage[4] for stage in stages} | {WON_POSITION})
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
            for here, after in pairwise([stage[4] for stage in its_stages] + [WON_POSITION])
        }
        steps = sorted({(here, after) for (_, here), after in following.items()})
        columns: list[Any] = [per_deal.c.pipeline_id, func.count(per_deal.c[label[WON_POSITION]])]
        for here, after in steps:
            at, next_at = per_deal.c[label[here]], per_deal.c[label[after]]
            columns += [
                func.count(at),
                func.count(next_at),
                func.avg(day_count(scope, next_at) - day_count(scope, at)),
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
                select(col(Deal.stage_id), func.count())
                .where(col(Deal.status) == "lost", *cohort)
                .group_by(col(Deal.stage_id))
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
                    conversion=percent(onward, reached),
                    days_to_next=rounded(days),
                    lost=here,
                    lost_share=percent(here, reached),
                )
            )
        won_here = stats.get((pipeline_id, None), (0, 0, None))[0]
        rows.append(
            FunnelLine(
                pipeline=name,
                stage="won",
                position=WON_POSITION,
                reached=won_here,
                conversion=None,
                days_to_next=None,
                lost=0,
                lost_share=None,
            )
        )
    return FunnelReport(scope=scope.read(), deals=deals, rows=rows)

"""Closed deals: win rate, the sales cycle and the stage funnel."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
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
    known,
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
        for row in found:  # what cannot be summed, named while it can be
            known(row[2])
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
    whole = _winrate_line(None, total["won"], total["lost"], total["value"])
    return WinRateReport(
        scope=scope.read(),
        by=key,
        # overall, one row always: a period without closed deals is a row of zeros (its
        # CSV was its header alone), as the table shows it
        rows=[_winrate_line(g, v["won"], v["lost"], v["value"]) for g, v in ordered]
        if key
        else [whole],
        total=whole,
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
    removed = col(StageChange.to_stage_id).is_(None)  # a removed stage: what it left
    stays = select(
        col(StageChange.deal_id),
        col(StageChange.to_stage_id).label("stage_id"),
        case((removed, col(StageChange.to_stage_name))).label("name"),
        case((removed, col(StageChange.to_pipeline_id))).label("pipeline_id"),
        case((removed, col(StageChange.to_position))).label("position"),
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
    stage = (stays_q.c.stage_id, stays_q.c.name, stays_q.c.pipeline_id, stays_q.c.position)
    per_deal = (
        select(
            stays_q.c.deal_id,
            *stage,
            func.sum(day_count(scope, stays_q.c.next_at) - day_count(scope, stays_q.c.at)).label(
                "days"
            ),
        )
        .where(
            stays_q.c.to_status == "open",
            stays_q.c.next_at.is_not(None),
            or_(stays_q.c.stage_id.is_not(None), stays_q.c.name.is_not(None)),
        )
        .group_by(stays_q.c.deal_id, *stage)
        .subquery()
    )
    stage = (per_deal.c.stage_id, per_deal.c.name, per_deal.c.pipeline_id, per_deal.c.position)
    rows = session.connection().execute(
        select(*stage, func.count(), func.avg(per_deal.c.days)).group_by(*stage)
    )
    return int(count.scalar() or 0), list(rows)


def _pipeline_names(session: Session) -> dict[int | None, tuple[int, str]]:
    """Each pipeline's place in the board's order and its name."""
    rows = session.connection().execute(
        select(col(Pipeline.id), col(Pipeline.name)).order_by(
            col(Pipeline.position), col(Pipeline.id)
        )
    )
    return {pid: (n, name) for n, (pid, name) in enumerate(rows)}


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
        pipelines = _pipeline_names(session)
    rank = {name: n for n, name in pipelines.values()}
    ranked = []  # (pipeline's place, place in it, name): a removed stage where it stood
    for stage_id, name, pipeline_id, position, count, days in times:
        if stage_id in stages:
            _, pipe, name, position, _ = stages[stage_id]
            key = (rank[pipe], 2 * position + 1, name)
        elif stage_id is None and pipeline_id in pipelines and position is not None:
            place, pipe = pipelines[pipeline_id]
            key = (place, 2 * position, name)
        else:
            continue
        line = StageTime(
            pipeline=pipe, stage=name, position=position, deals=count, mean_days=rounded(days)
        )
        ranked.append((key, line))
    rows = [line for _, line in sorted(ranked, key=lambda r: r[0])]
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


def _funnel_steps(conn: Any, stages: Sequence[Any], cohort: list[Any]) -> tuple[Any, ...]:
    """Each pipeline's steps in order, as (ref, pipeline id, pipeline, name, position,
    rank): its stages, and the stages since removed that deals of the cohort entered, each
    where it stood (before the stage that followed it then; among others there, the one
    first entered first); the rank (SQL) of a move into a stage and of one into a removed
    stage; the condition that a move was into a removed stage of the deal's pipeline."""
    removed = and_(
        col(StageChange.to_stage_id).is_(None),
        col(StageChange.to_stage_name).is_not(None),
        col(StageChange.to_position).is_not(None),
        col(StageChange.to_pipeline_id) == col(Deal.pipeline_id),
    )
    gone = conn.execute(
        select(
            col(StageChange.to_pipeline_id),
            col(StageChange.to_position),
            col(StageChange.to_stage_name),
            func.min(col(StageChange.at)),
        )
        .join(Deal, col(Deal.id) == col(StageChange.deal_id))
        .where(removed, *cohort)
        .group_by(
            col(StageChange.to_pipeline_id),
            col(StageChange.to_position),
            col(StageChange.to_stage_name),
        )
    ).all()
    by_pipeline: dict[int, list[Any]] = defaultdict(list)
    for stage_id, pipeline_id, pipe, name, position in stages:
        by_pipeline[pipeline_id].append(((2 * position + 1, ""), stage_id, pipe, name, position))
    for pipeline_id, position, name, first in gone:
        if pipeline_id in by_pipeline:
            pipe = by_pipeline[pipeline_id][0][2]
            ref = (pipeline_id, position, name)
            by_pipeline[pipeline_id].append(((2 * position, str(first)), ref, pipe, name, position))
    ranks: dict[Any, int] = {}
    for pipeline_id, steps in by_pipeline.items():
        steps.sort(key=lambda step: step[0])
        for rank, (_, ref, pipe, name, position) in enumerate(steps):
            ranks[ref] = rank
            steps[rank] = (ref, pipeline_id, pipe, name, position, rank)
    current = {ref: rank for ref, rank in ranks.items() if not isinstance(ref, tuple)}
    stage_rank = case(current, value=col(Stage.id)) if current else literal(0)
    whens = [
        (
            and_(
                col(StageChange.to_pipeline_id) == ref[0],
                col(StageChange.to_position) == ref[1],
                col(StageChange.to_stage_name) == ref[2],
            ),
            rank,
        )
        for ref, rank in ranks.items()
        if isinstance(ref, tuple)
    ]
    return by_pipeline, stage_rank, removed, case(*whens) if whens else null()


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
        by_pipeline, stage_rank, removed, removed_rank = _funnel_steps(conn, stages, cohort)
        won_rank = 2 * WON_POSITION + 1
        # Every stage change into a stage of the deal's pipeline (or one since removed
        # from it), and the win.
        events = (
            select(
                col(StageChange.deal_id),
                col(Deal.pipeline_id),
                stage_rank.label("position"),
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
                    col(StageChange.deal_id),
                    col(Deal.pipeline_id),
                    removed_rank,
                    col(StageChange.at),
                )
                .join(Deal, col(Deal.id) == col(StageChange.deal_id))
                .where(removed, *cohort),
                select(
                    col(Deal.id), col(Deal.pipeline_id), literal(won_rank), col(Deal.closed_at)
                ).where(*won),
            )
            .subquery("events")
        )
        # Per deal, when it reached each step: the first time it entered that stage
        # or anything after it (a skipped stage is reached with the next one). Reached
        # steps are a prefix of the pipeline, so the next step of a stage is the
        # next step of its pipeline, and after the last one the win.
        positions = sorted({step[5] for its in by_pipeline.values() for step in its} | {won_rank})
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
        following = {  # (pipeline, rank): the rank of its next step
            (pipeline_id, here): after
            for pipeline_id, its_stages in by_pipeline.items()
            for here, after in pairwise([stage[5] for stage in its_stages] + [won_rank])
        }
        steps = sorted({(here, after) for (_, here), after in following.items()})
        columns: list[Any] = [per_deal.c.pipeline_id, func.count(per_deal.c[label[won_rank]])]
        for here, after in steps:
            at, next_at = per_deal.c[label[here]], per_deal.c[label[after]]
            columns += [
                func.count(at),
                func.count(next_at),
                func.avg(day_count(scope, next_at) - day_count(scope, at)),
            ]
        # One pass over the history for every pipeline; a pipeline reads its own steps.
        stats: dict[tuple[int, Any], tuple[int, int, float | None]] = {}
        for pipeline_id, won_count, *figures in conn.execute(
            select(*columns).group_by(per_deal.c.pipeline_id)
        ):
            found = {step: tuple(figures[3 * i : 3 * i + 3]) for i, step in enumerate(steps)}
            for stage in by_pipeline.get(pipeline_id, []):
                step = (stage[5], following[(pipeline_id, stage[5])])
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
        for stage_id, _, _, stage_name, position, _ in its_stages:
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

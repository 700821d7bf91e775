"""Activity: calls, emails, meetings, notes and tasks per period or owner."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import and_, case, func, null, or_, select
from sqlmodel import col

from tinycrm.store.engine import Store
from tinycrm.store.models import Activity, Deal
from tinycrm.store.reports.aggregates import buckets
from tinycrm.store.reports.models import ACTIVITY_BY, ActivityLine, ActivityReport
from tinycrm.store.reports.scope import backward_range, choice, make_scope, periods, ts, with_days

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
    key = choice(by, ACTIVITY_BY, "grouping")
    with store.read() as session:
        scope = make_scope(session, store, start, end, pipeline, owner, now)
        first, last = backward_range(start, end, "week", 12, scope.today)
        scope = with_days(scope, first, last)
        spans = periods(first, last, "week" if key == "week" else None)
        bucket = buckets(spans)
        filters = []
        if scope.owner is not None:
            filters.append(col(Activity.owner) == scope.owner)
        if scope.pipeline_id is not None:
            filters.append(
                col(Activity.deal_id).in_(
                    select(col(Deal.id)).where(col(Deal.pipeline_id) == scope.pipeline_id)
                )
            )
        group: list[Any] = [bucket.c.i]
        if key == "owner":
            group.append(col(Activity.owner))
        else:
            group.append(null().label("owner"))

        def in_bucket(column_: Any) -> Any:
            return and_(column_ >= bucket.c.start_at, column_ < bucket.c.end_at)

        def of_kind(kind: str) -> Any:
            return func.sum(case((col(Activity.kind) == kind, 1), else_=0))

        keys = group if key == "owner" else group[:1]
        conn = session.connection()
        if key == "owner":
            logged = conn.execute(
                select(*group, *(of_kind(k) for k in LOGGED_KINDS))
                .select_from(bucket)
                .join(Activity, in_bucket(col(Activity.occurred_at)))
                .where(*filters)
                .group_by(*keys)
            ).all()
            done = conn.execute(
                select(*group, func.count())
                .select_from(bucket)
                .join(
                    Activity, and_(col(Activity.kind) == "task", in_bucket(col(Activity.done_at)))
                )
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
                    .where(col(Activity.kind) == kind, in_bucket(column_), *filters)
                    .scalar_subquery()
                )

            logged = conn.execute(
                select(*group, *(counted(k, col(Activity.occurred_at)) for k in LOGGED_KINDS))
            ).all()
            done = conn.execute(select(*group, counted("task", col(Activity.done_at)))).all()
        late = and_(
            col(Activity.due_at) < ts(scope.now),
            or_(col(Activity.done_at).is_(None), col(Activity.done_at) > col(Activity.due_at)),
        )
        if key == "owner":
            overdue = conn.execute(
                select(*group, func.count())
                .select_from(bucket)
                .join(Activity, and_(col(Activity.kind) == "task", in_bucket(col(Activity.due_at))))
                .where(late, *filters)
                .group_by(*keys)
            ).all()
        else:  # a range of ix_activity_task_due per period
            overdue = conn.execute(
                select(
                    *group,
                    select(func.count())
                    .select_from(Activity)
                    .where(
                        col(Activity.kind) == "task",
                        in_bucket(col(Activity.due_at)),
                        late,
                        *filters,
                    )
                    .scalar_subquery(),
                )
            ).all()
    lines: dict[tuple[int, str | None], dict[str, int]] = {}
    if key != "owner":  # every week has a row, quiet ones too
        lines = {(i, None): {} for i in range(len(spans))}
    for i, who, *kinds in logged:
        counts = dict(zip(("calls", "emails", "meetings", "notes"), kinds, strict=True))
        lines.setdefault((i, who), {}).update({k: int(v or 0) for k, v in counts.items()})
    # Rows of (bucket, owner, count); mypy cannot count the columns of `*group` (two).
    for i, who, n in cast(Sequence[Sequence[Any]], done):
        lines.setdefault((i, who), {})["tasks_done"] = n
    for i, who, n in cast(Sequence[Sequence[Any]], overdue):
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

"""What is due: tasks, keep-in-touch cadences, rotting deals, deals closing soon.

``due_items`` computes the list from indexed queries (no scanning of
activities in Python). ``claim_items`` / ``confirm_run`` / ``release_run`` make
``tinycrm remind`` announce each item once per due time, even when two runs
overlap: a run claims items by inserting (key, due time) rows under a unique
constraint, so the loser of a race simply does not get them, and a failed
delivery releases its claims for the next run. ``next_actions`` ranks all of it,
plus open deals with no next step, into one queue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session

from tinycrm import dates, money
from tinycrm.store.activities import local_day
from tinycrm.store.deals import effective_probability
from tinycrm.store.engine import Store
from tinycrm.store.models import (
    Activity,
    Announcement,
    Company,
    Contact,
    Deal,
    ReadModel,
    Stage,
    StageChange,
)
from tinycrm.store.types import utcnow

GROUPS = {
    "overdue": "Overdue tasks",
    "today": "Due today",
    "reminder": "Reminders",
    "keep_in_touch": "Keep in touch",
    "rotting": "Rotting deals",
    "closing": "Closing soon",
}
STALE_CLAIM = timedelta(minutes=15)  # a run that claimed items and died this long ago


class DueItem(ReadModel):
    """One thing that is due, with the due time it is announced under."""

    key: str  # task:12, remind:12, cadence:5, rotting:7, closing:9
    group: str  # a key of GROUPS
    due_at: datetime
    title: str
    detail: str
    entity: str  # activity, contact, deal
    entity_id: int
    deal_id: int | None = None
    value: Decimal | None = None  # weighted deal value at stake (amount × probability)
    currency: str | None = None
    stake: str | None = None  # "€18,500.00 at 75%"

    def line(self) -> str:
        """``title: stake, detail`` as one line."""
        why = ", ".join(x for x in (self.stake, self.detail) if x)
        return f"{self.title}: {why}"


class NextAction(ReadModel):
    """One line of ``tinycrm next``: what to do, why, and how much it weighs."""

    rank: int
    title: str
    reason: str
    score: float
    kinds: list[str]
    entity: str
    entity_id: int
    due_at: datetime | None


def _days(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 86400))


def _weighted(deal: _OpenDeal) -> tuple[Decimal | None, int]:
    probability = effective_probability(deal.status, deal.probability, deal.stage_probability)
    if deal.amount_minor is None:
        return None, probability
    amount = money.from_minor(deal.amount_minor, deal.currency)
    return amount * probability / 100, probability


def _money_at(deal: _OpenDeal, probability: int) -> str:
    if deal.amount_minor is None:
        return ""
    amount = money.format_money(money.from_minor(deal.amount_minor, deal.currency), deal.currency)
    return f"{amount} at {probability}%"


def _tasks(session: Session, now: datetime, day_end: datetime) -> list[DueItem]:
    person, account, opportunity = aliased(Contact), aliased(Company), aliased(Deal)
    query = (
        select(
            Activity.id,
            Activity.subject,
            Activity.due_at,
            Activity.remind_at,
            Activity.deal_id,
            person.name,
            account.name,
            opportunity.title,
        )
        .outerjoin(person, Activity.contact_id == person.id)
        .outerjoin(account, Activity.company_id == account.id)
        .outerjoin(opportunity, Activity.deal_id == opportunity.id)
        .where(
            Activity.kind == "task",
            Activity.done_at.is_(None),
            or_(Activity.due_at < day_end, Activity.remind_at <= now),
        )
        .order_by(Activity.due_at)
    )
    items = []
    for task_id, subject, due, remind_at, deal_id, contact, company, deal in session.execute(query):
        about = " · ".join(x for x in (deal, contact, company) if x)
        if due < now:
            group, key, when = "overdue", f"task:{task_id}", due
            detail = f"was due {dates.humanize(due, now=now)}"
        elif due < day_end:
            group, key, when = "today", f"task:{task_id}", due
            detail = f"due {dates.format_local(due)[-5:]}"
        else:
            group, key, when = "reminder", f"remind:{task_id}", remind_at
            detail = f"due {dates.format_local(due)}"
        items.append(
            DueItem.from_row(
                {
                    "key": key,
                    "group": group,
                    "due_at": when,
                    "title": subject,
                    "detail": detail + (f" · {about}" if about else ""),
                    "entity": "activity",
                    "entity_id": task_id,
                    "deal_id": deal_id,
                    "value": None,
                    "currency": None,
                    "stake": None,
                }
            )
        )
    return items


def _cadences(session: Session, now: datetime) -> list[DueItem]:
    # The latest logged interaction per contact: one descent of ix_activity_contact_when
    # each (a max over an index prefix), not a pass over every activity of them.
    last_touch = (
        select(func.max(Activity.occurred_at))
        .where(Activity.contact_id == Contact.id)
        .correlate(Contact)
        .scalar_subquery()
    )
    rows = (
        session.connection()
        .execute(
            select(
                Contact.id,
                Contact.name,
                Contact.cadence_days,
                Contact.created_at,
                Company.name,
                last_touch,
            )
            .outerjoin(Company, Contact.company_id == Company.id)
            .where(Contact.cadence_days.is_not(None))
        )
        .all()
    )
    items = []
    for contact_id, name, cadence, created_at, company, last in rows:
        since = max(t for t in (last, created_at) if t is not None)
        due = since + timedelta(days=cadence)
        if due > now:
            continue
        ago = "never contacted" if last is None else f"last contact {_days(now - since)} days ago"
        items.append(
            DueItem(
                key=f"cadence:{contact_id}",
                group="keep_in_touch",
                due_at=due,
                title=name + (f" ({company})" if company else ""),
                detail=f"{ago}; keep in touch every {cadence} days",
                entity="contact",
                entity_id=contact_id,
            )
        )
    return items


@dataclass(frozen=True, slots=True)
class _OpenDeal:
    """The columns of an open deal that reminders and the queue need (a plain row)."""

    id: int
    title: str
    amount_minor: int | None
    currency: str
    probability: int | None
    status: str
    close_date: date | None
    created_at: datetime
    stage: str
    stage_probability: int
    rotting_days: int | None
    company: str | None
    last_touch: datetime


def _open_deals(session: Session) -> list[_OpenDeal]:
    """Open deals with their stage, company name and last touch: the latest logged activity
    or completed task (completing a task sets its ``occurred_at``), move, or creation."""
    conn = session.connection()
    open_ids = select(Deal.id).where(Deal.status == "open")
    activity = dict(
        conn.execute(
            select(Activity.deal_id, func.max(Activity.occurred_at))
            .where(Activity.deal_id.in_(open_ids), Activity.occurred_at.is_not(None))
            .group_by(Activity.deal_id)
        ).all()
    )
    moved = dict(
        conn.execute(
            select(StageChange.deal_id, func.max(StageChange.at))
            .where(StageChange.deal_id.in_(open_ids))
            .group_by(StageChange.deal_id)
        ).all()
    )
    columns = (
        Deal.id,
        Deal.title,
        Deal.amount_minor,
        Deal.currency,
        Deal.probability,
        Deal.status,
        Deal.close_date,
        Deal.created_at,
        Stage.name,
        Stage.probability,
        Stage.rotting_days,
        Company.name,
    )
    rows = conn.execute(
        select(*columns)
        .join(Stage, Deal.stage_id == Stage.id)
        .outerjoin(Company, Deal.company_id == Company.id)
        .where(Deal.status == "open")
        .order_by(Deal.id)
    ).all()
    out = []
    for row in rows:
        touches = (row[7], activity.get(row[0]), moved.get(row[0]))
        out.append(_OpenDeal(*row, last_touch=max(t for t in touches if t is not None)))
    return out


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=dates.local_tz()).astimezone(UTC)


def _deal_items(session: Session, now: datetime, closing_days: int) -> list[DueItem]:
    today = now.astimezone(dates.local_tz()).date()
    horizon = today + timedelta(days=closing_days)
    items = []
    for deal in _open_deals(session):
        rotting_due = (
            deal.last_touch + timedelta(days=deal.rotting_days) if deal.rotting_days else None
        )
        rotting = rotting_due is not None and rotting_due <= now
        closing = deal.close_date is not None and deal.close_date <= horizon
        if not (rotting or closing):
            continue  # most open deals: not due, so not worth their money formatting
        value, probability = _weighted(deal)
        title = deal.title + (f" ({deal.company})" if deal.company else "")
        stake = _money_at(deal, probability)
        common = {
            "entity": "deal",
            "entity_id": deal.id,
            "deal_id": deal.id,
            "value": value,
            "currency": deal.currency,
            "stake": stake or None,
        }
        if rotting:
            idle = _days(now - deal.last_touch)
            why = f"no activity for {idle} days, {deal.stage} rots after {deal.rotting_days}"
            items.append(
                DueItem.from_row(
                    {
                        "key": f"rotting:{deal.id}",
                        "group": "rotting",
                        "due_at": rotting_due,
                        "title": title,
                        "detail": why,
                        **common,
                    }
                )
            )
        if closing:
            assert deal.close_date is not None
            days = (deal.close_date - today).days
            if days < 0:
                when = f"expected close date passed {-days} days ago ({deal.close_date})"
            elif days == 0:
                when = "expected to close today"
            else:
                when = f"expected to close in {days} days ({deal.close_date})"
            items.append(
                DueItem.from_row(
                    {
                        "key": f"closing:{deal.id}",
                        "group": "closing",
                        "due_at": _local_midnight(deal.close_date),
                        "title": title,
                        "detail": when,
                        **common,
                    }
                )
            )
    return items


def due_items(
    store: Store, *, now: datetime | None = None, closing_days: int | None = None
) -> list[DueItem]:
    """Everything due now, in group order (see ``GROUPS``), oldest first within a group.

    "Today" and "overdue" follow the user's local day (``TZ``). ``closing_days``
    defaults to the config file's ``remind.closing_days`` (7).
    """
    now = now or utcnow()
    if closing_days is None:
        from tinycrm.config import current_config

        closing_days = current_config().closing_days
    _, day_end = local_day(now)
    with store.read() as session:
        items = _tasks(session, now, day_end)
        items += _cadences(session, now)
        items += _deal_items(session, now, closing_days)
    order = list(GROUPS)
    return sorted(items, key=lambda i: (order.index(i.group), i.due_at, i.key))


def claim_items(
    store: Store, items: list[DueItem], *, run_id: str, now: datetime | None = None
) -> list[DueItem]:
    """Claim the items no run has announced (or is announcing); return this run's share.

    Claims left by a run that died more than 15 minutes ago are released first.
    """
    now = now or utcnow()
    with store.write() as session:
        session.execute(
            delete(Announcement).where(
                Announcement.announced_at.is_(None), Announcement.claimed_at < now - STALE_CLAIM
            )
        )
        unique = {(i.key, i.due_at): i for i in items}
        if unique:
            insert = _insert_ignoring_duplicates(store)
            rows = [{"key": k, "due_at": d, "run_id": run_id, "claimed_at": now} for k, d in unique]
            for start in range(0, len(rows), 500):
                session.execute(insert, rows[start : start + 500])
        mine = set(
            session.execute(
                select(Announcement.key, Announcement.due_at).where(Announcement.run_id == run_id)
            ).all()
        )
    return [item for item in items if (item.key, item.due_at) in mine]


def _insert_ignoring_duplicates(store: Store):  # type: ignore[no-untyped-def]
    table = Announcement.__table__
    if store.backend == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing(index_elements=["key", "due_at"])


def confirm_run(store: Store, run_id: str, *, now: datetime | None = None) -> None:
    """The run delivered its items: they stay announced."""
    with store.write() as session:
        session.execute(
            update(Announcement)
            .where(Announcement.run_id == run_id)
            .values(announced_at=now or utcnow())
        )


def release_run(store: Store, run_id: str) -> None:
    """The run could not deliver: its items go back, for the next run to announce."""
    with store.write() as session:
        session.execute(
            delete(Announcement).where(
                Announcement.run_id == run_id, Announcement.announced_at.is_(None)
            )
        )


WEIGHTS = {
    "overdue": 3.0,
    "today": 2.5,
    "reminder": 2.0,
    "rotting": 2.0,
    "closing": 2.0,
    "keep_in_touch": 1.5,
    "no_next_step": 1.0,
}


def _score(kind: str, due_at: datetime | None, value: Decimal | None, now: datetime) -> float:
    """How much an item weighs: a week late doubles it; each tenfold of stake adds one."""
    late = 0.0 if due_at is None else max(0.0, (now - due_at).total_seconds() / 86400)
    stake = float(value or 0)
    return WEIGHTS[kind] * (1 + min(late, 90) / 7) * (1 + math.log10(1 + stake / 1000))


def next_actions(
    store: Store, *, now: datetime | None = None, limit: int | None = 20
) -> list[NextAction]:
    """One queue of what needs attention, most pressing first, each with its reasons.

    Due tasks, lapsed cadences, rotting deals, deals closing soon and open deals
    with no open task; a deal's several reasons make one line. The score weighs
    lateness against the weighted value at stake (see ``_score``).
    """
    now = now or utcnow()
    items = due_items(store, now=now)
    with store.read() as session:
        deals = {deal.id: deal for deal in _open_deals(session)}
        with_task = set(
            session.scalars(
                select(Activity.deal_id).where(
                    Activity.kind == "task",
                    Activity.done_at.is_(None),
                    Activity.deal_id.is_not(None),
                )
            )
        )
    entries: dict[tuple[str, int], dict] = {}  # type: ignore[type-arg]
    for item in items:
        value = item.value
        if item.entity == "activity" and item.deal_id in deals:
            value = _weighted(deals[item.deal_id])[0]
        key = (item.entity, item.entity_id)
        entry = entries.setdefault(
            key, {"title": item.title, "reasons": [], "score": 0.0, "kinds": [], "due": item.due_at}
        )
        entry["reasons"].append(item.detail)
        entry["score"] += _score(item.group, item.due_at, value, now)
        entry["kinds"].append(item.group)
        entry["due"] = min(entry["due"], item.due_at)
    for deal_id, deal in deals.items():
        if deal_id in with_task:
            continue
        value = _weighted(deal)[0]
        key = ("deal", deal_id)
        entry = entries.setdefault(
            key,
            {
                "title": deal.title + (f" ({deal.company})" if deal.company else ""),
                "reasons": [],
                "score": 0.0,
                "kinds": [],
                "due": None,
            },
        )
        entry["reasons"].append("no next step (no open task)")
        entry["score"] += _score("no_next_step", None, value, now)
        entry["kinds"].append("no_next_step")
    for (entity, entity_id), entry in entries.items():
        if entity == "deal":  # the stake is said once, at the front of the line
            deal = deals[entity_id]
            stake = _money_at(deal, _weighted(deal)[1])
            if stake:
                entry["reasons"].insert(0, stake)
    ranked = sorted(entries.items(), key=lambda kv: (-kv[1]["score"], kv[0]))
    if limit:
        ranked = ranked[:limit]
    return [
        NextAction(
            rank=n,
            title=entry["title"],
            reason=", ".join(entry["reasons"]),
            score=round(entry["score"], 2),
            kinds=entry["kinds"],
            entity=entity,
            entity_id=entity_id,
            due_at=entry["due"],
        )
        for n, ((entity, entity_id), entry) in enumerate(ranked, start=1)
    ]

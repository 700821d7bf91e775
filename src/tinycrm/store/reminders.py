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
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    cast,
    delete,
    func,
    literal,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.dml import Insert
from sqlmodel import Session, col

from tinycrm import dates, money, repeat
from tinycrm.dates import local_day
from tinycrm.store import validate
from tinycrm.store.engine import Store, chunks
from tinycrm.store.log_models import Announcement, StageChange
from tinycrm.store.models import (
    Activity,
    Company,
    Contact,
    Deal,
    ReadModel,
    Stage,
    effective_probability,
    table_of,
)
from tinycrm.store.types import Number, utcnow

GROUPS = {
    "overdue": "Overdue tasks",
    "today": "Due today",
    "reminder": "Reminders",
    "keep_in_touch": "Keep in touch",
    "rotting": "Rotting deals",
    "closing": "Closing soon",
    "renewal": "Contracts: notice deadlines and ends",
    "quote_expiring": "Quotes about to expire",
    "sla_breached": "Cases past their SLA",
    "sla_at_risk": "Cases about to breach their SLA",
}
_IN = 500  # ids or rows per statement
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
    value: Number | None = None  # weighted deal value at stake (amount × probability)
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


def _told(now: datetime) -> ColumnElement[bool]:
    """An announcement that counts: delivered, or claimed by a run that may still be
    delivering (see ``_stale``: a dead run's claim is taken over)."""
    return or_(col(Announcement.announced_at).is_not(None), not_(_stale(now)))


def _stale(now: datetime) -> ColumnElement[bool]:
    """A claim no live run holds: made more than ``STALE_CLAIM`` ago, or more than that
    ahead of ``now`` (the clock was set back since; a few minutes ahead is another
    machine's clock, a run that may be delivering)."""
    claimed = col(Announcement.claimed_at)
    return or_(claimed < now - STALE_CLAIM, claimed > now + STALE_CLAIM)


def _announced(kind: str, due: Any, now: datetime) -> ColumnElement[bool]:
    """The task item ``kind:<id>`` was told at due time ``due``: a probe of the
    (key, due_at) unique index."""
    key = literal(f"{kind}:", String) + cast(Activity.id, String)
    told = select(col(Announcement.id)).where(
        col(Announcement.key) == key, col(Announcement.due_at) == due, _told(now)
    )
    return told.exists()


def _seen(session: Session, kind: str, now: datetime) -> set[tuple[str, datetime]]:
    """(key, due time) of every item of a kind (``cadence``, ``rotting``, ...) that was
    told: a pass over the (key, due_at) unique index. (A prefix, not a key range: a
    range would follow the database's collation, which need not compare bytes.)"""
    rows = session.connection().execute(
        select(col(Announcement.key), col(Announcement.due_at)).where(
            col(Announcement.key).startswith(f"{kind}:"), _told(now)
        )
    )
    return set(rows.all())  # type: ignore[arg-type]


def _tasks(session: Session, now: datetime, day_end: datetime, new_only: bool) -> list[DueItem]:
    person, account, opportunity = aliased(Contact), aliased(Company), aliased(Deal)
    is_due = col(Activity.due_at) < day_end
    reminder = and_(col(Activity.due_at) >= day_end, col(Activity.remind_at) <= now)
    if new_only:
        is_due = and_(is_due, ~_announced("task", col(Activity.due_at), now))
        reminder = and_(reminder, ~_announced("remind", Activity.remind_at, now))
    query = (
        select(
            col(Activity.id),
            col(Activity.subject),
            col(Activity.due_at),
            col(Activity.remind_at),
            col(Activity.deal_id),
            col(person.name),
            col(account.name),
            col(opportunity.title),
        )
        .outerjoin(person, col(Activity.contact_id) == col(person.id))
        .outerjoin(account, col(Activity.company_id) == col(account.id))
        .outerjoin(opportunity, col(Activity.deal_id) == col(opportunity.id))
        .where(
            col(Activity.kind) == "task",
            col(Activity.done_at).is_(None),
            or_(is_due, reminder),
        )
        .order_by(col(Activity.due_at))
    )
    rows = session.connection().execute(query)
    zone = dates.local_tz()
    items = []
    when: datetime | None
    for task_id, subject, due, remind_at, deal_id, contact, company, deal in rows:
        assert due is not None  # the query's due_at bounds exclude NULL
        about = " · ".join(x for x in (deal, contact, company) if x)
        if due < now:
            group, key, when = "overdue", f"task:{task_id}", due
            detail = f"was due {dates.humanize(due, now=now, tz=zone)}"
        elif due < day_end:
            group, key, when = "today", f"task:{task_id}", due
            detail = f"due {dates.format_local(due, tz=zone)[-5:]}"
        else:
            group, key, when = "reminder", f"remind:{task_id}", remind_at
            detail = f"due {dates.format_local(due, tz=zone)}"
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


def _untouched_since(link: Any, owner: Any, cutoff: datetime) -> ColumnElement[bool]:
    """No interaction logged after ``cutoff`` whose ``link`` (``Activity.contact_id`` or
    ``Activity.deal_id``) is ``owner``: one probe of an (id, occurred_at) index."""
    later = select(col(Activity.id)).where(link == owner, col(Activity.occurred_at) > cutoff)
    return ~later.exists()


def _cadences(session: Session, now: datetime, new_only: bool) -> list[DueItem]:
    # A cadence runs from the last interaction with the contact; only a contact with none
    # counts from when the cadence was set (or from its creation): see repeat.next_touch.
    # So a contact is due when nothing was logged after now - cadence and either something
    # was logged before or the cadence started before it. Cadences are a handful of
    # distinct values, so each gets its own cutoff and the test is a range of
    # ix_contact_cadence plus index probes per contact; only the contacts that are due come
    # back, and only those not told yet are read in full.
    conn = session.connection()
    cadences = conn.scalars(
        select(col(Contact.cadence_days)).where(col(Contact.cadence_days) > 0).distinct()
    ).all()
    if not cadences:
        return []
    started = func.coalesce(col(Contact.cadence_since), col(Contact.created_at))
    interacted = (
        select(col(Activity.id))
        .where(col(Activity.contact_id) == col(Contact.id), col(Activity.occurred_at).is_not(None))
        .exists()
    )
    lapsed = []
    for cadence in cadences:
        assert cadence is not None  # cadence_days > 0
        cutoff = now - timedelta(days=cadence)
        lapsed.append(
            and_(
                col(Contact.cadence_days) == cadence,
                _untouched_since(Activity.contact_id, Contact.id, cutoff),
                or_(started <= cutoff, interacted),
            )
        )
    last_touch = (
        select(func.max(Activity.occurred_at))
        .where(col(Activity.contact_id) == col(Contact.id))
        .correlate(Contact)
        .scalar_subquery()
    )
    rows = conn.execute(
        select(
            col(Contact.id),
            col(Contact.cadence_days),
            col(Contact.created_at),
            col(Contact.cadence_since),
            last_touch,
        ).where(col(Contact.cadence_days) > 0, or_(*lapsed))
    ).all()
    seen = _seen(session, "cadence", now) if new_only else set()
    due = {}
    for contact_id, cadence, created_at, cadence_since, last in rows:
        assert contact_id is not None and cadence is not None  # cadence_days > 0
        since = last if last is not None else (cadence_since or created_at)
        when = repeat.next_touch(cadence, started=cadence_since or created_at, last=last)
        if when is None or when > now:  # pragma: no cover - the query's test, once more
            continue
        if (f"cadence:{contact_id}", when) not in seen:
            due[contact_id] = (when, cadence, since, last)
    names: dict[int | None, tuple[str, str | None]] = {}
    for ids in chunks(sorted(due), _IN):
        named = select(col(Contact.id), col(Contact.name), col(Company.name)).outerjoin(
            Company, col(Contact.company_id) == col(Company.id)
        )
        names.update(
            (i, (name, company))
            for i, name, company in conn.execute(named.where(col(Contact.id).in_(ids)))
        )
    items = []
    for contact_id, (when, cadence, since, last) in due.items():
        name, company = names[contact_id]
        ago = "never contacted" if last is None else f"last contact {_days(now - since)} days ago"
        items.append(
            DueItem.from_row(
                {
                    "key": f"cadence:{contact_id}",
                    "group": "keep_in_touch",
                    "due_at": when,
                    "title": name + (f" ({company})" if company else ""),
                    "detail": f"{ago}; keep in touch every {cadence} days",
                    "entity": "contact",
                    "entity_id": contact_id,
                    "deal_id": None,
                    "value": None,
                    "currency": None,
                    "stake": None,
                }
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


def _last_moves() -> tuple[Any, Any]:
    """A deal's latest logged activity and latest move, as correlated subqueries."""
    activity = (
        select(func.max(Activity.occurred_at))
        .where(col(Activity.deal_id) == col(Deal.id))
        .correlate(Deal)
        .scalar_subquery()
    )
    moved = (
        select(func.max(StageChange.at))
        .where(col(StageChange.deal_id) == col(Deal.id))
        .correlate(Deal)
        .scalar_subquery()
    )
    return activity, moved


def _open_deals(session: Session, *where: ColumnElement[bool]) -> list[_OpenDeal]:
    """Open deals (those that also meet ``where``) with their stage, company name and
    last touch: the latest logged activity or completed task (completing a task sets
    its ``occurred_at``), move, or creation. Each latest time is one index descent."""
    activity, moved = _last_moves()
    columns = (
        col(Deal.id),
        col(Deal.title),
        col(Deal.amount_minor),
        col(Deal.currency),
        col(Deal.probability),
        col(Deal.status),
        col(Deal.close_date),
        col(Deal.created_at),
        col(Stage.name),
        col(Stage.probability),
        col(Stage.rotting_days),
        col(Company.name),
    )
    rows = session.connection().execute(
        select(*columns, activity, moved)
        .join(Stage, col(Deal.stage_id) == col(Stage.id))
        .outerjoin(Company, col(Deal.company_id) == col(Company.id))
        .where(col(Deal.status) == "open", *where)
        .order_by(col(Deal.id))
    )
    out = []
    for *row, touched, moved_at in rows:
        touches = (row[7], touched, moved_at)
        last_touch = max(t for t in touches if t is not None)
        # row: the 12 columns before last_touch, which mypy cannot count in *row
        out.append(_OpenDeal(*row, last_touch=last_touch))  # type: ignore[misc]
    return out


def _due_deals(
    session: Session, now: datetime, horizon: date, zone: tzinfo, seen: set[tuple[str, datetime]]
) -> list[tuple[_OpenDeal, datetime | None, datetime | None]]:
    """Open deals that rot (untouched for longer than their stage allows) or close by
    ``horizon``, each with its rotting and closing due times (None: not due, or told
    at that time already, per ``seen``).

    Each rotting stage gets its own cutoff, so the test is in SQL: an index probe for
    a later activity or move, not a pass over the deal's history. Only the deals with
    something to tell are then read in full.
    """
    conn = session.connection()
    stages = conn.execute(
        select(col(Stage.id), col(Stage.rotting_days)).where(col(Stage.rotting_days) > 0)
    )
    due = [col(Deal.close_date) <= horizon]
    for stage_id, days in stages:
        assert days is not None  # rotting_days > 0
        cutoff = now - timedelta(days=days)
        moved_since = select(col(StageChange.id)).where(
            col(StageChange.deal_id) == col(Deal.id), col(StageChange.at) > cutoff
        )
        due.append(
            and_(
                col(Deal.stage_id) == stage_id,
                col(Deal.created_at) <= cutoff,
                _untouched_since(col(Activity.deal_id), col(Deal.id), cutoff),
                ~moved_since.exists(),
            )
        )
    activity, moved = _last_moves()
    rows = conn.execute(
        select(
            col(Deal.id),
            col(Deal.created_at),
            col(Deal.close_date),
            col(Stage.rotting_days),
            activity,
            moved,
        )
        .join(Stage, col(Deal.stage_id) == col(Stage.id))
        .where(col(Deal.status) == "open", or_(*due))
    )
    when = {}
    for deal_id, created_at, close_date, rotting_days, touched, moved_at in rows:
        last = max(t for t in (created_at, touched, moved_at) if t is not None)
        rotting = last + timedelta(days=rotting_days) if rotting_days else None
        if rotting is not None and (rotting > now or (f"rotting:{deal_id}", rotting) in seen):
            rotting = None
        closing = None
        if close_date is not None and close_date <= horizon:
            closing = dates.local_midnight(close_date, zone)
            if (f"closing:{deal_id}", closing) in seen:
                closing = None
        if rotting or closing:
            when[deal_id] = (rotting, closing)
    deals = []
    for ids in chunks(sorted(when), _IN):
        deals += _open_deals(session, col(Deal.id).in_(ids))
    return [(deal, *when[deal.id]) for deal in deals]


def _deal_items(
    session: Session, now: datetime, closing_days: int, new_only: bool
) -> list[DueItem]:
    zone = dates.local_tz()
    today = now.astimezone(zone).date()
    horizon = today + timedelta(days=closing_days)
    seen = _seen(session, "rotting", now) | _seen(session, "closing", now) if new_only else set()
    items = []
    for deal, rotting_due, closing_due in _due_deals(session, now, horizon, zone, seen):
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
        if rotting_due is not None:
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
        if closing_due is not None:
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
                        "due_at": closing_due,
                        "title": title,
                        "detail": when,
                        **common,
                    }
                )
            )
    return items


def due_items(
    store: Store,
    *,
    now: datetime | None = None,
    closing_days: int | None = None,
    new_only: bool = False,
) -> list[DueItem]:
    """Everything due now, in group order (see ``GROUPS``), oldest first within a group.

    "Today" and "overdue" follow the user's local day (``TZ``). ``closing_days``
    defaults to the config file's ``remind.closing_days`` (7). ``new_only`` leaves out
    what a run of ``remind`` announced (or is announcing) under the same due time, so
    cron's usual run reads index probes, not thousands of items it will not tell.
    """
    now = now or utcnow()
    if closing_days is None:
        closing_days = store.settings().closing_days
    _, day_end = local_day(now)
    with store.read() as session:
        items = _tasks(session, now, day_end, new_only)
        items += _cadences(session, now, new_only)
        items += _deal_items(session, now, closing_days, new_only)
        items += _after_sale_items(store, session, now, new_only)
    order = list(GROUPS)
    return sorted(items, key=lambda i: (order.index(i.group), i.due_at, i.key))


def _after_sale_items(
    store: Store, session: Session, now: datetime, new_only: bool
) -> list[DueItem]:
    """Contracts whose notice deadline or end is near (``store.renewals``), sent quotes
    about to expire and support cases about to breach or past their SLA
    (``store.after_sale_items``)."""
    from tinycrm.store.after_sale_items import case_items, quote_items
    from tinycrm.store.renewals import contract_items

    settings = store.settings()
    seen = None
    if new_only:
        seen = set()
        for kind in ("notice", "contract-end", "quote-expiry", "case-response", "case-resolution"):
            seen |= _seen(session, kind, now)
        for kind in ("case-response-risk", "case-resolution-risk"):
            seen |= _seen(session, kind, now)
    rows = contract_items(session, now, settings.contracts.remind_days, seen)
    rows += quote_items(session, now, settings.quotes.remind_days, seen)
    rows += case_items(session, now, settings.support, seen)
    return [DueItem.from_row(row) for row in rows]


def claim_items(
    store: Store, items: list[DueItem], *, run_id: str, now: datetime | None = None
) -> list[DueItem]:
    """Claim the items no run has announced (or is announcing); return this run's share.

    Claims left by a run that died more than 15 minutes ago (or stamped more than that
    ahead: the clock was set back since) are released first.
    """
    now = now or utcnow()
    with store.write() as session:
        session.execute(
            delete(Announcement).where(
                col(Announcement.announced_at).is_(None),
                _stale(now),
            )
        )
        wanted = {(i.key, i.due_at) for i in items}
        # Read which of them earlier runs announced (a probe of the unique index per
        # key) rather than attempt and ignore an insert for each.
        for keys in chunks(sorted({key for key, _ in wanted}), _IN):
            known = session.execute(
                select(col(Announcement.key), col(Announcement.due_at)).where(
                    col(Announcement.key).in_(keys)
                )
            )
            wanted -= set(known.all())
        if not wanted:
            return []
        insert = _insert_ignoring_duplicates(store)
        rows = [{"key": k, "due_at": d, "run_id": run_id, "claimed_at": now} for k, d in wanted]
        for chunk in chunks(rows, _IN):
            session.execute(insert, chunk)
        # A run racing this one may have taken some first: ours are the rows we wrote.
        mine = set(
            session.execute(
                select(col(Announcement.key), col(Announcement.due_at)).where(
                    col(Announcement.run_id) == run_id
                )
            ).all()
        )
    return [item for item in items if (item.key, item.due_at) in mine]


def _insert_ignoring_duplicates(store: Store) -> Insert:
    table, keys = table_of(Announcement), ["key", "due_at"]
    if store.backend == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing(index_elements=keys)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing(index_elements=keys)


def confirm_run(
    store: Store,
    run_id: str,
    *,
    items: list[DueItem] | None = None,
    now: datetime | None = None,
) -> None:
    """The run delivered its items: they stay announced.

    ``items``, the run's share as ``claim_items`` returned it: those whose claims a later
    run took over (this one stalled past ``STALE_CLAIM``) are marked announced all the
    same, so that the later run giving them back does not make a third run tell them.
    """
    from tinycrm.store.announcements import forget_told

    now = now or utcnow()
    with store.write() as session:
        session.execute(
            update(Announcement).where(col(Announcement.run_id) == run_id).values(announced_at=now)
        )
        forget_told(session, (i.key for i in items or []))
        if items:
            upsert = _insert_marking_announced(store, now)
            rows = [
                {
                    "key": i.key,
                    "due_at": i.due_at,
                    "run_id": run_id,
                    "claimed_at": now,
                    "announced_at": now,
                }
                for i in items
            ]
            for chunk in chunks(rows, _IN):
                session.execute(upsert, chunk)


def _insert_marking_announced(store: Store, now: datetime) -> Insert:
    """Insert announced rows; one there already (told, or claimed by another run) is
    marked announced, keeping its first announcement time."""
    table, keys = table_of(Announcement), ["key", "due_at"]
    if store.backend == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    announced = func.coalesce(table.c.announced_at, now)
    return insert(table).on_conflict_do_update(
        index_elements=keys, set_={"announced_at": announced}
    )


def release_run(
    store: Store,
    run_id: str,
    *,
    told: dict[str, list[DueItem]] | None = None,
    now: datetime | None = None,
) -> None:
    """The run could not deliver: its items go back, for the next run to announce.

    ``told``: the channels that had some of them all the same (``stdout``, ``mail:ADDRESS``,
    ...) and their items; the next run does not tell those there again (``told_on``)."""
    from tinycrm.store.announcements import record_told

    with store.write() as session:
        if told:
            pairs = {channel: [(i.key, i.due_at) for i in items] for channel, items in told.items()}
            record_told(store, session, pairs, now or utcnow())
        session.execute(
            delete(Announcement).where(
                col(Announcement.run_id) == run_id, col(Announcement.announced_at).is_(None)
            )
        )


WEIGHTS = {
    "overdue": 3.0,
    "today": 2.5,
    "reminder": 2.0,
    "rotting": 2.0,
    "closing": 2.0,
    "renewal": 2.0,
    "quote_expiring": 2.0,
    "sla_breached": 3.0,
    "sla_at_risk": 2.5,
    "keep_in_touch": 1.5,
    "no_next_step": 1.0,
}


def _score(kind: str, due_at: datetime | None, value: Decimal | None, now: datetime) -> float:
    """How much an item weighs: a week late doubles it; each tenfold of stake adds one."""
    late = 0.0 if due_at is None else max(0.0, (now - due_at).total_seconds() / 86400)
    stake = float(value or 0)
    return WEIGHTS[kind] * (1 + min(late, 90) / 7) * (1 + math.log10(1 + stake / 1000))


def _said_once(reasons: list[str], reason: str) -> str:
    """``reason`` without the head (``urgent: ``) the line's first reason says already:
    a case past both its targets reads "urgent: first response was due 2h ago,
    resolution was due 1h ago"."""
    if reasons and ": " in reasons[0]:
        head = reasons[0].split(": ", 1)[0] + ": "
        if reason.startswith(head):
            return reason[len(head) :]
    return reason


def next_actions(
    store: Store, *, now: datetime | None = None, limit: int | None = 20
) -> list[NextAction]:
    """One queue of what needs attention, most pressing first, each with its reasons.

    Due tasks, lapsed cadences, rotting deals, deals closing soon and open deals
    with no open task; a deal's several reasons make one line. The score weighs
    lateness against the weighted value at stake (see ``_score``).
    """
    limit = validate.limit(limit)
    now = now or utcnow()
    items = due_items(store, now=now)
    with store.read() as session:
        deals = {deal.id: deal for deal in _open_deals(session)}
        with_task = set(
            session.scalars(
                select(col(Activity.deal_id)).where(
                    col(Activity.kind) == "task",
                    col(Activity.done_at).is_(None),
                    col(Activity.deal_id).is_not(None),
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
        entry["reasons"].append(_said_once(entry["reasons"], item.detail))
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

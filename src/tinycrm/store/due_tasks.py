"""Due tasks, task reminders and lapsed keep-in-touch cadences, as ``DueItem``s."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from tinycrm import dates, repeat
from tinycrm.store import odd_dates
from tinycrm.store.engine import chunks
from tinycrm.store.models import Activity, Company, Contact, Deal
from tinycrm.store.reminder_claims import announced_items, is_announced
from tinycrm.store.reminder_items import DueItem, days_text, untouched_since, whole_days

_IN = 500  # ids per statement


def task_items(session: Session, now: datetime, day_end: datetime, new_only: bool) -> list[DueItem]:
    odd_dates.unremindable(session)  # what its SQL cannot compare: named, not passed over
    person, account, opportunity = aliased(Contact), aliased(Company), aliased(Deal)
    is_due = col(Activity.due_at) < day_end
    reminder = and_(col(Activity.due_at) >= day_end, col(Activity.remind_at) <= now)
    if new_only:
        is_due = and_(is_due, ~is_announced("task", col(Activity.due_at), now))
        reminder = and_(reminder, ~is_announced("remind", Activity.remind_at, now))
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
        if due is None:  # text other SQL wrote that SQL compared: odd_dates named it
            continue
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


def cadence_items(session: Session, now: datetime, new_only: bool) -> list[DueItem]:
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
                untouched_since(Activity.contact_id, Contact.id, cutoff),
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
    seen = announced_items(session, "cadence", now) if new_only else set()
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
        ago = (
            "never contacted"
            if last is None
            else f"last contact {days_text(whole_days(now - since))} ago"
        )
        every = "day" if cadence == 1 else f"{cadence} days"
        items.append(
            DueItem.from_row(
                {
                    "key": f"cadence:{contact_id}",
                    "group": "keep_in_touch",
                    "due_at": when,
                    "title": name + (f" ({company})" if company else ""),
                    "detail": f"{ago}; keep in touch every {every}",
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

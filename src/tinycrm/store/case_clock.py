"""A case's resolution clock stops while the case is pending (waiting on the customer).

Every status change of a case records an event at the moment of the change (its summary
ends ``: open → pending``), so the times a case went pending and came back are read from
its events: no column keeps them. The resolution due time stored on the case is the one
of the clock as it has run so far:

- while the case is pending, the due time stands as it was when the case went pending,
  and the case is *paused* (``resolution_paused``): the time it waits does not bring the
  due time nearer, and a case that was not breached when it went pending is not breached
  while it waits;
- when it leaves pending (for open, new, resolved or closed), the working time that was
  left when it went pending starts again from then: the stored due time moves later by
  the working time it waited (``resume``), so a case resolved while waiting met its
  target;
- a target missed before the case went pending stays missed, and the first-response
  target never pauses (the first reply meets it, or a resolution without one).

Working time is ``[support]``'s business hours: a case pending from Friday 16:00 to
Monday 10:00 gets two hours back. Kept apart from ``store.cases`` for ``remind``'s run,
which reads a few rows and has no use for the contacts' and filters' modules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from tinycrm.business_hours import BusinessHours
from tinycrm.store.models import Event
from tinycrm.vocab import CASE_STATUSES

PAUSED = "pending"
MOVE_ACTIONS = ("updated", "reopened", "resolved", "closed")
"""The actions of the events ``store.cases._move`` records for a status change."""
_MOVE = re.compile(r"case #(\d+) .*: (\w+) → (\w+)", re.DOTALL)

Pause = tuple[datetime, datetime | None]
"""When a case went pending and when it left (None: it is pending still)."""


def move_summary(case_id: int | None, subject: str, before: str, after: str) -> str:
    """The summary of a status change's event, which ``pauses_of`` reads back."""
    return f"case #{case_id} {subject}: {before} → {after}"


def pauses_of(session: Session, ids: Iterable[int]) -> dict[int, list[Pause]]:
    """The times each case of ``ids`` was pending, oldest first, from its events (cases
    that never were are left out)."""
    from tinycrm.store.engine import chunks

    wanted = sorted(set(ids))
    moves: dict[int, list[tuple[datetime, str, str]]] = {}
    for part in chunks(wanted, 2000):
        rows = session.execute(
            select(col(Event.entity_id), col(Event.at), col(Event.summary))
            .where(
                col(Event.entity) == "case",
                col(Event.entity_id).in_(part),
                col(Event.action).in_(MOVE_ACTIONS),
                col(Event.summary).like(f"%{PAUSED}%"),
            )
            .order_by(col(Event.at), col(Event.id))
        )
        for case_id, at, summary in rows:
            m = _MOVE.fullmatch(summary)
            if m is None or int(m[1]) != case_id:
                continue  # an edit's or a reply's summary: no status change
            before, after = m[2], m[3]
            if before in CASE_STATUSES and after in CASE_STATUSES:
                moves.setdefault(case_id, []).append((at, before, after))
    found: dict[int, list[Pause]] = {}
    for case_id, changes in moves.items():
        spans: list[Pause] = []
        start: datetime | None = None
        for at, before, after in changes:
            if after == PAUSED:
                start = at
            elif before == PAUSED and start is not None:
                spans.append((start, at))
                start = None
        if start is not None:
            spans.append((start, None))
        if spans:
            found[case_id] = spans
    return found


def paused_since(session: Session, cases: Sequence[Any]) -> dict[int, datetime]:
    """When each pending case of ``cases`` (rows with ``id``, ``status`` and
    ``updated_at``) went pending. A pending case whose events do not say (a database
    edited by hand) is taken as pending since its last change."""
    pending = [c for c in cases if c.status == PAUSED and c.id is not None]
    if not pending:
        return {}
    spans = pauses_of(session, (c.id for c in pending))
    found: dict[int, datetime] = {}
    for case in pending:
        mine = spans.get(case.id) or []
        last = mine[-1] if mine else None
        found[case.id] = last[0] if last is not None and last[1] is None else case.updated_at
    return found


def is_paused(due: datetime | None, since: datetime | None) -> bool:
    """Whether a resolution target due at ``due`` is paused by a pause since ``since``:
    the case is pending and had not missed it when it went pending."""
    return due is not None and since is not None and since <= due


def resume(due: datetime, start: datetime, end: datetime, hours: BusinessHours) -> datetime:
    """The due time after a pause from ``start`` to ``end``: the working time that was
    left at ``start`` counted from ``end`` (a target missed before the pause: ``due``)."""
    if start > due:
        return due
    return max(due, hours.add(end, hours.between(start, due)))


def give_back(due: datetime, spans: Iterable[Pause], hours: BusinessHours) -> datetime:
    """``due`` moved later by every finished pause in ``spans`` (oldest first): a due time
    worked out again from the opening (a new priority) keeps the time pending out."""
    for start, end in spans:
        if end is None or start > due:
            break
        due = resume(due, start, end, hours)
    return due


def pending_time(
    spans: Iterable[Pause], start: datetime, end: datetime, hours: BusinessHours
) -> timedelta:
    """The working time from ``start`` to ``end`` that the case spent pending."""
    total = timedelta(0)
    for lo, hi in spans:
        total += hours.between(max(lo, start), min(hi or end, end))
    return total

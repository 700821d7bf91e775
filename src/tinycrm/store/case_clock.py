"""A case's resolution clock stops while the case is pending (waiting on the customer)
and while it is resolved or closed, until it is reopened.

Every status change of a case records an event at the moment of the change (its summary
ends ``: open → pending``), so the times a case's clock stopped and started again are
read from its events: no column keeps them. The resolution due time stored on the case
is the one of the clock as it has run so far:

- while the case is pending, the due time stands as it was when the clock stopped,
  and the case is *paused* (``resolution_paused``): the time it waits does not bring the
  due time nearer, and a case that was not breached when its clock stopped is not
  breached while it waits;
- when it leaves pending (for open, new, resolved or closed), the working time that was
  left when the clock stopped starts again from then: the stored due time moves later by
  the working time it waited (``resume``), so a case resolved while waiting met its
  target;
- a resolved or closed case was told it is solved: reopened (to new or open), the time
  it spent resolved or closed is given back the same way, and reopened to pending, its
  clock stays stopped from its resolution until it leaves pending (as in Zendesk or
  Freshdesk, where solved time does not count);
- a target missed before the clock stopped stays missed, and the first-response target
  never pauses (the first reply meets it, or a resolution without one).

Only the due time is stored (lists, ``--breached`` and ``remind`` compare it); paused,
breached and the time left are worked out when read. Due times moved under an older
tinycrm (which did not stop the clock while pending, or while resolved) are not worked
out again: ``[support]``'s hours and targets live in the config file, not the database,
the stored due time does not say whether a stop was given back already, and events
written before the stops were read from them carry the time of writing rather than the
time given to the store; a new priority (``store.cases.edit_case``) re-derives one case.

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
STOPPED = (PAUSED, "resolved", "closed")
"""The statuses in which a case's resolution clock does not run."""
MOVE_ACTIONS = ("updated", "reopened", "resolved", "closed")
"""The actions of the events ``store.cases._move`` records for a status change."""
_MOVE = re.compile(r"case #(\d+) .*: (\w+) → (\w+)", re.DOTALL)

Pause = tuple[datetime, datetime | None]
"""When a case's clock stopped and when it started again or its due time was moved
(None: it is stopped still)."""


def move_summary(case_id: int | None, subject: str, before: str, after: str) -> str:
    """The summary of a status change's event, which ``pauses_of`` reads back."""
    return f"case #{case_id} {subject}: {before} → {after}"


def ends_pause(before: str, after: str) -> bool:
    """Whether a move from ``before`` to ``after`` moves the stored due time
    (``resume``): leaving pending, or a resolved or closed case reopened to new or open.
    A resolved case closed, or reopened to pending, keeps its clock stopped."""
    return before == PAUSED or (before in STOPPED and after not in STOPPED)


def pauses_of(session: Session, ids: Iterable[int]) -> dict[int, list[Pause]]:
    """The times each case of ``ids`` had its resolution clock stopped (pending,
    resolved or closed), oldest first, from its events (cases that never had are left
    out). A stop ends where the due time was moved (``ends_pause``): pending then
    resolved is two stops, resolved then closed one. The events are read in the order
    they were written, so moves given out-of-order times (a clock set back) make no
    stop end before it starts."""
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
            )
            .order_by(col(Event.id))
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
            if start is not None and ends_pause(before, after):
                spans.append((start, max(start, at)))
                start = None
            if after in STOPPED and start is None:
                start = at
        if start is not None:
            spans.append((start, None))
        if spans:
            found[case_id] = spans
    return found


def stopped_since(session: Session, cases: Sequence[Any]) -> dict[int, datetime]:
    """When the clock of each case of ``cases`` (rows with ``id``, ``status``,
    ``resolved_at``, ``closed_at`` and ``updated_at``) that is pending, resolved or
    closed stopped (or its due time last moved). A case whose events do not say (a
    database edited by hand) is taken as stopped since its resolution, its closing or
    else its last change."""
    stopped = [c for c in cases if c.status in STOPPED and c.id is not None]
    if not stopped:
        return {}
    spans = pauses_of(session, (c.id for c in stopped))
    found: dict[int, datetime] = {}
    for case in stopped:
        mine = spans.get(case.id) or []
        last = mine[-1] if mine else None
        if last is not None and last[1] is None:
            found[case.id] = last[0]
        elif case.status == PAUSED:
            found[case.id] = case.updated_at
        else:
            found[case.id] = case.resolved_at or case.closed_at or case.updated_at
    return found


def paused_since(session: Session, cases: Sequence[Any]) -> dict[int, datetime]:
    """When the clock of each pending case of ``cases`` stopped (``stopped_since``): when
    it went pending, or was resolved before it was reopened to pending."""
    return stopped_since(session, [c for c in cases if c.status == PAUSED])


def is_paused(due: datetime | None, since: datetime | None) -> bool:
    """Whether a resolution target due at ``due`` is paused by a pause since ``since``:
    the case is pending and had not missed it when it went pending."""
    return due is not None and since is not None and since <= due


def left_hours(due: datetime, since: datetime, hours: BusinessHours) -> float:
    """The working time, in hours, a resolution clock stopped at ``since`` has left
    before ``due``: what it counts down from when it starts again."""
    return round(hours.between(since, due).total_seconds() / 3600, 4)


def support_hours(store: Any) -> BusinessHours | None:
    """``[support]``'s business hours of ``store`` (None: the config file's), or None
    when the configuration is broken (a read still shows the case, without the time
    left on its clock)."""
    from tinycrm.config import ConfigError, current_config

    try:
        config = current_config() if store is None else store.settings()
        return config.support.hours
    except ConfigError:
        return None


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
    """The working time from ``start`` to ``end`` that the case's clock was stopped
    (pending, or resolved or closed before it was reopened)."""
    total = timedelta(0)
    for lo, hi in spans:
        total += hours.between(max(lo, start), min(hi or end, end))  # zero if reversed
    return total

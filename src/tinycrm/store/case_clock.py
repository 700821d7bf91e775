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

The working time a clock had left when it stopped is written at the end of the event
that stopped it (``: open → pending (32h left to resolve)``; a new priority while it is
stopped writes the new one on its own event): a paused case keeps it, and it runs again
from its resumption, also when ``[support]``'s business hours changed meanwhile (a stop
whose events do not say it, written by an older tinycrm, has the working time from its
start to the due time in the hours of now).

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
from typing import Any, NamedTuple

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
_LEFT = re.compile(r"(.*) \(((?:\d+[hms] ?)+) left to resolve\)", re.DOTALL)
_PART = re.compile(r"(\d+)([hms])")
_UNIT = {"h": 3600, "m": 60, "s": 1}

Pause = tuple[datetime, datetime | None]
"""When a case's clock stopped and when it started again or its due time was moved
(None: it is stopped still)."""


class Stop(NamedTuple):
    """A case's clock stopped still: since when, and the working time it had left then
    (None: its events do not say, an older tinycrm wrote them)."""

    since: datetime
    left: timedelta | None = None


def left_text(left: timedelta) -> str:
    """``32h``, ``7h 30m``, ``45m 10s``: working time left, to the second."""
    seconds = max(0, round(left.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if n]
    return " ".join(parts) or "0h"


def with_left(summary: str, left: timedelta | None) -> str:
    """``summary`` saying the working time a stopped clock has left (``pauses_of`` reads
    it back), or as it is when there is none to say."""
    return summary if left is None else f"{summary} ({left_text(left)} left to resolve)"


def _split_left(summary: str) -> tuple[str, timedelta | None]:
    """An event's summary without its ``(… left to resolve)``, and that time."""
    m = _LEFT.fullmatch(summary)
    if m is None:
        return summary, None
    seconds = sum(int(n) * _UNIT[unit] for n, unit in _PART.findall(m[2]))
    return m[1], timedelta(seconds=seconds)


def move_summary(
    case_id: int | None, subject: str, before: str, after: str, left: timedelta | None = None
) -> str:
    """The summary of a status change's event, which ``pauses_of`` reads back; ``left``:
    the working time the clock it stops has left."""
    return with_left(f"case #{case_id} {subject}: {before} → {after}", left)


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
    return {case_id: spans for case_id, (spans, _left) in _stops(session, ids).items()}


def _stops(session: Session, ids: Iterable[int]) -> dict[int, tuple[list[Pause], timedelta | None]]:
    """``pauses_of``, with the working time left that the events of its last stop, when
    it is not over, say last (None: they do not)."""
    from tinycrm.store.engine import chunks

    wanted = sorted(set(ids))
    moves: dict[int, list[tuple[datetime, str | None, str | None, timedelta | None]]] = {}
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
            core, left = _split_left(summary)
            m = _MOVE.fullmatch(core)
            if m is None or int(m[1]) != case_id:
                if left is not None:  # a new priority while stopped: its time left
                    moves.setdefault(case_id, []).append((at, None, None, left))
                continue  # an edit's or a reply's summary: no status change
            before, after = m[2], m[3]
            if before in CASE_STATUSES and after in CASE_STATUSES:
                moves.setdefault(case_id, []).append((at, before, after, left))
    found: dict[int, tuple[list[Pause], timedelta | None]] = {}
    for case_id, changes in moves.items():
        spans: list[Pause] = []
        start: datetime | None = None
        kept: timedelta | None = None
        for at, before, after, left in changes:
            if before is None or after is None:
                kept = left if start is not None else kept
                continue
            if start is not None and ends_pause(before, after):
                spans.append((start, max(start, at)))
                start = None
            if after in STOPPED and start is None:
                start, kept = at, left
        if start is not None:
            spans.append((start, None))
        if spans:
            found[case_id] = (spans, kept if start is not None else None)
    return found


def stopped_since(session: Session, cases: Sequence[Any]) -> dict[int, Stop]:
    """When the clock of each case of ``cases`` (rows with ``id``, ``status``,
    ``resolved_at``, ``closed_at`` and ``updated_at``) that is pending, resolved or
    closed stopped (or its due time last moved), and the working time it had left then
    as its events say it. A case whose events do not say when (a database edited by
    hand) is taken as stopped since its resolution, its closing or else its last
    change."""
    stopped = [c for c in cases if c.status in STOPPED and c.id is not None]
    if not stopped:
        return {}
    stops = _stops(session, (c.id for c in stopped))
    found: dict[int, Stop] = {}
    for case in stopped:
        mine, left = stops.get(case.id) or ([], None)
        last = mine[-1] if mine else None
        if last is not None and last[1] is None:
            found[case.id] = Stop(last[0], left)
        elif case.status == PAUSED:
            found[case.id] = Stop(case.updated_at)
        else:
            found[case.id] = Stop(case.resolved_at or case.closed_at or case.updated_at)
    return found


def paused_since(session: Session, cases: Sequence[Any]) -> dict[int, Stop]:
    """When the clock of each pending case of ``cases`` stopped (``stopped_since``): when
    it went pending, or was resolved before it was reopened to pending."""
    return stopped_since(session, [c for c in cases if c.status == PAUSED])


def is_paused(due: datetime | None, stop: Stop | None) -> bool:
    """Whether a resolution target due at ``due`` is paused by ``stop``: the case is
    pending and had not missed it when it went pending."""
    return due is not None and stop is not None and stop.since <= due


def time_left(due: datetime, stop: Stop, hours: BusinessHours) -> timedelta:
    """The working time a resolution clock stopped by ``stop`` had left before ``due``:
    what it counts down from when it starts again. The one its events say (to the
    second), unless ``hours`` give the same: then theirs, to the microsecond."""
    worked_out = hours.between(stop.since, due)
    if stop.left is None or abs(stop.left - worked_out) < timedelta(seconds=1):
        return worked_out
    return stop.left  # the business hours changed since


def left_hours(due: datetime, stop: Stop, hours: BusinessHours) -> float:
    """``time_left`` in hours."""
    return round(time_left(due, stop, hours).total_seconds() / 3600, 4)


def support_hours(store: Any) -> BusinessHours | None:
    """``[support]``'s business hours of ``store`` (as the API gave them when it opened
    it), or None when the config file is broken (a read still shows the case, without
    the time left on its clock). The store reads no config file itself."""
    from tinycrm.errors import TinyCrmError

    try:
        hours: BusinessHours = store.given.support_settings().hours
    except TinyCrmError:  # the config's error (ConfigError), as support_settings raises it
        return None
    return hours


def resume(due: datetime, start: datetime, end: datetime, hours: BusinessHours) -> datetime:
    """The due time after a pause from ``start`` to ``end``: the working time that was
    left at ``start`` counted from ``end`` (a target missed before the pause: ``due``)."""
    return resume_stop(due, Stop(start), end, hours)


def resume_stop(due: datetime, stop: Stop, end: datetime, hours: BusinessHours) -> datetime:
    """``resume`` of a clock stopped by ``stop``, its working time left as ``time_left``
    (in new business hours, a due time earlier than the one it had is possible). A stop
    that ends before it starts (times given out of order) gives nothing back."""
    if stop.since > due or end <= stop.since:
        return due
    left = time_left(due, stop, hours)
    moved = hours.add(end, left)
    return moved if left is stop.left else max(due, moved)


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

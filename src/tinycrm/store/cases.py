"""Support cases: a customer's problem, its thread, its SLA targets and satisfaction.

A case is opened for a contact (and their company) with a priority; its two SLA targets,
the first response and the resolution, are due a given working time after it was
opened (``[support]`` in the config file: working days, hours and time zone, a target
per priority; see ``tinycrm.business_hours``). The due times are worked out once, when
the case is opened (or its priority changes), and stored, so lists and reminders compare
columns. The first reply sets the first-response time. A target is breached when it
was met late, or is still open past its due time. The resolution clock stops while a
case is pending (waiting on the customer; ``store.case_clock``) and while it is resolved
or closed, until it is reopened: that time, in working hours, does not count against its
resolution target. A case resolved without a
reply meets its first-response target by its resolution, so a verdict, once the case is
resolved, no longer changes with the time of day. A resolved case can carry a CSAT
score 1-5.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from tinycrm.business_hours import PRIORITIES, BusinessHours, SupportSettings
from tinycrm.store import case_clock, validate
from tinycrm.store.companies import keep_company, resolve_company
from tinycrm.store.contacts import link_contact, resolve_contact
from tinycrm.store.engine import Store
from tinycrm.store.errors import Conflict, Invalid
from tinycrm.store.filter_sql import resolve_where
from tinycrm.store.models import Company, Contact
from tinycrm.store.records import record_event
from tinycrm.store.refs import lock_row, resolve_id
from tinycrm.store.service_models import (
    CaseMessage,
    CaseMessageRead,
    CaseRead,
    CaseView,
    SupportCase,
)
from tinycrm.store.types import utcnow
from tinycrm.vocab import CASE_CHANNELS, CASE_STATUSES, CASE_UNRESOLVED

ENTITY = "case"
STATUSES = CASE_STATUSES
UNRESOLVED = CASE_UNRESOLVED
CHANNELS = CASE_CHANNELS
MESSAGE_KINDS = ("customer", "reply", "note")


# --------------------------------------------------------------------------- reading


def describe(case: SupportCase) -> str:
    return f"#{case.id} {case.subject}"


def resolve_case(session: Session, ref: str | int) -> SupportCase:
    """The case a REF names: its id (``12`` or ``#12``)."""
    return resolve_id(session, SupportCase, ref, what="case")


def responded_at(case: Any) -> datetime | None:
    """When the first-response target was met: the first reply, else the resolution
    (a case resolved without a reply, on the phone say, stops that clock too)."""
    return case.first_response_at if case.first_response_at is not None else case.resolved_at


def is_breached(case: Any, now: datetime, paused: datetime | None = None) -> bool:
    """A target met late, or still open past its due time. ``paused``: when the case,
    pending, went pending (``case_clock.paused_since``): its resolution clock stopped
    then, so the resolution is late only if it was late then."""
    for due, met in (
        (case.response_due_at, responded_at(case)),
        (case.resolution_due_at, case.resolved_at or paused),
    ):
        if due is not None and (met if met is not None else now) > due:
            return True
    return False


def breached_clause(now: datetime) -> Any:
    """``is_breached`` in SQL, with the clock running on for a pending case: every case
    ``is_breached`` finds, and pending ones that are not (``list_cases`` leaves them out)."""
    responded = func.coalesce(col(SupportCase.first_response_at), col(SupportCase.resolved_at))
    return or_(
        and_(responded.is_(None), col(SupportCase.response_due_at) < now),
        responded > col(SupportCase.response_due_at),
        and_(col(SupportCase.resolved_at).is_(None), col(SupportCase.resolution_due_at) < now),
        col(SupportCase.resolved_at) > col(SupportCase.resolution_due_at),
    )


def _read(
    case: Any,
    contact: str | None,
    company: str | None,
    now: datetime,
    paused: case_clock.Stop | None = None,
    hours: BusinessHours | None = None,
) -> CaseRead:
    stopped = case_clock.is_paused(case.resolution_due_at, paused)
    left = None
    if stopped and hours is not None:
        assert paused is not None
        left = case_clock.left_hours(case.resolution_due_at, paused, hours)
    return CaseRead.from_row(
        {
            "id": case.id,
            "subject": case.subject,
            "status": case.status,
            "priority": case.priority,
            "channel": case.channel,
            "contact": contact,
            "contact_id": case.contact_id,
            "company": company,
            "company_id": case.company_id,
            "owner": case.owner,
            "opened_at": case.opened_at,
            "response_due_at": case.response_due_at,
            "resolution_due_at": None if stopped else case.resolution_due_at,
            "resolution_paused": stopped,
            "resolution_left_hours": left,
            "first_response_at": case.first_response_at,
            "resolved_at": case.resolved_at,
            "closed_at": case.closed_at,
            "breached": is_breached(case, now, paused.since if paused else None),
            "csat": stored_csat(case),
            "csat_comment": case.csat_comment,
            "created_at": case.created_at,
            "updated_at": case.updated_at,
        }
    )


def to_read(
    session: Session, case: Any, now: datetime | None = None, store: Store | None = None
) -> CaseRead:
    """The read model of one case row, its names resolved. ``store``: whose ``[support]``
    business hours say the working time a paused case has left (None: not said)."""
    contact = session.get(Contact, case.contact_id) if case.contact_id else None
    company = session.get(Company, case.company_id) if case.company_id else None
    paused = case_clock.paused_since(session, [case]).get(case.id)
    return _read(
        case,
        contact.name if contact else None,
        company.name if company else None,
        now or utcnow(),
        paused,
        case_clock.support_hours(store) if paused is not None and store is not None else None,
    )


def _thread(session: Session, case_id: int) -> list[CaseMessageRead]:
    rows = session.scalars(
        select(CaseMessage)
        .where(col(CaseMessage.case_id) == case_id)
        .order_by(col(CaseMessage.at), col(CaseMessage.id))
    )
    return [
        CaseMessageRead(
            id=m.id, case_id=m.case_id, kind=m.kind, author=m.author, body=m.body, at=m.at
        )
        for m in rows
    ]


def case_view(store: Store, ref: str | int, *, now: datetime | None = None) -> CaseView:
    """A case with its whole thread, oldest message first."""
    with store.read() as session:
        case = resolve_case(session, ref)
        assert case.id is not None
        read = to_read(session, case, now, store)
        return CaseView(case=read, thread=_thread(session, case.id))


def _statuses(status: str | Sequence[str] | None) -> list[str] | None:
    if status is None:
        return None
    wanted = [status] if isinstance(status, str) else list(status)
    out: list[str] = []
    for one in wanted:
        one = validate.text(one, "status")
        if one.strip().lower() == "all":
            return None
        if one.strip().lower() == "unresolved":
            out += UNRESOLVED
            continue
        out.append(validate.choice(one, (*STATUSES, "unresolved", "all"), "status") or "")
    return [s for s in out if s]


def list_cases(
    store: Store,
    *,
    status: str | Sequence[str] | None = "unresolved",
    priority: str | None = None,
    owner: str | None = None,
    breached: bool = False,
    contact: str | None = None,
    company: str | None = None,
    contact_id: int | None = None,
    company_id: int | None = None,
    where: str | None = None,
    limit: int | None = None,
    now: datetime | None = None,
) -> list[CaseRead]:
    """Cases, most urgent first (priority, then the soonest due target). ``status``: one,
    several, ``unresolved`` (new, open, pending: the default) or None / ``all``;
    ``breached``: only those past a target; ``where``: the filter language."""
    validate.filters_given(
        status=status, priority=priority, owner=owner, contact=contact, company=company
    )
    limit = validate.limit(limit)
    breached = validate.flag(breached, "breached")
    now = now or utcnow()
    wanted = _statuses(status)
    level = validate.choice(priority, PRIORITIES, "priority") if priority else None
    with store.read() as session:
        person, account = aliased(Contact), aliased(Company)
        query = (
            select(SupportCase, col(person.name), col(account.name))
            .outerjoin(person, col(SupportCase.contact_id) == col(person.id))
            .outerjoin(account, col(SupportCase.company_id) == col(account.id))
        )
        if wanted is not None:
            query = query.where(col(SupportCase.status).in_(wanted))
        if level:
            query = query.where(col(SupportCase.priority) == level)
        if owner and owner.strip():
            query = query.where(col(SupportCase.owner) == owner.strip())
        if breached:
            query = query.where(breached_clause(now))  # and the paused ones, dropped below
        if contact:
            contact_id = resolve_contact(session, contact).id
        if company:
            company_id = resolve_company(session, company).id
        if contact_id is not None:
            query = query.where(col(SupportCase.contact_id) == contact_id)
        if company_id is not None:
            query = query.where(col(SupportCase.company_id) == company_id)
        query = query.where(resolve_where(store, session, ENTITY, where=where, now=now))
        rows = session.execute(query).all()
        paused = case_clock.paused_since(session, [c for c, _p, _a in rows])
        hours = case_clock.support_hours(store) if paused else None
        out = [_read(c, p, a, now, paused.get(c.id), hours) for c, p, a in rows]
    if breached:
        out = [c for c in out if c.breached]
    rank = {p: i for i, p in enumerate(reversed(PRIORITIES))}
    far = datetime.max.replace(tzinfo=now.tzinfo)

    def urgency(c: CaseRead) -> tuple[Any, ...]:
        due = c.resolution_due_at if c.first_response_at else c.response_due_at
        done = c.status not in UNRESOLVED
        return (done, rank.get(c.priority, 9), due or far, c.id)

    out.sort(key=urgency)
    return out[:limit] if limit else out


# --------------------------------------------------------------------------- writing


def set_targets(
    case: SupportCase, support: SupportSettings, pauses: list[case_clock.Pause] | None = None
) -> None:
    """Work out the case's SLA due times from when it was opened and its priority, the
    resolution's moved later by the time it spent ``pauses`` (``case_clock``)."""
    hours = support.hours
    try:
        case.response_due_at = hours.add(case.opened_at, support.response[case.priority])
        due = hours.add(case.opened_at, support.resolution[case.priority])
        case.resolution_due_at = case_clock.give_back(due, pauses or [], hours)
    except ValueError as exc:  # no working day within ten years: a broken [support]
        raise Invalid(f"cannot work out the SLA due times: {exc}") from exc


def _message(
    session: Session, case_id: int, kind: str, author: str, body: str, at: datetime
) -> None:
    session.add(CaseMessage(case_id=case_id, kind=kind, author=author, body=body, at=at))


def stored_csat(case: Any, *, named: bool = True) -> int | None:
    """``case``'s CSAT as stored: a whole number 1-5, or None. One other SQL stored as
    none (``1e20``, ``7``, text) reads as none, the case named in a warning (``named``)."""
    value = case.csat
    if value is None or (
        isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5
    ):
        return value
    if named:
        from tinycrm.errors import warn

        warn(
            f"case #{case.id} {case.subject}: its CSAT is stored as {repr(value)[:40]}, not a "
            "score 1-5 (written by other SQL?): shown without one; give it again (tinycrm "
            f"case resolve {case.id} --csat N)"
        )
    return None


def _csat(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise Invalid(f"csat must be a whole number 1-5, not {value!r}", field="csat")
    return value


def _priority(value: str) -> str:
    """A priority given: one of ``PRIORITIES``; an empty one is refused (a case always
    has one: not left out unsaid)."""
    level = validate.choice(value, PRIORITIES, "priority")
    if not level:
        raise Invalid(
            f"priority must not be empty (choose from {', '.join(PRIORITIES)})",
            field="priority",
        )
    return level


def add_case(
    store: Store,
    *,
    subject: str,
    contact: str | int,
    company: str | None = None,
    priority: str | None = None,
    body: str | None = None,
    channel: str | None = None,
    owner: str | None = None,
    now: datetime | None = None,
) -> CaseRead:
    """Open a case for ``contact`` (a REF; its company unless ``company`` is given), with
    the customer's ``body`` as the first message of its thread. Priority: normal."""
    support = store.given.support_settings()
    clean_subject = validate.name(subject, "subject")
    level = "normal" if priority is None else _priority(priority)
    how = validate.choice(channel, CHANNELS, "channel")
    text = validate.optional_text(body, "body", multiline=True)
    who = validate.optional_text(owner, "owner") or store.user
    with store.write() as session:
        person = link_contact(session, str(contact))  # neither deleted meanwhile
        account = resolve_company(session, company) if company else None
        if account is None and person.company_id:
            account = session.get(Company, person.company_id)
        account = keep_company(session, account) if account is not None else None
        stamp = now or utcnow()
        case = SupportCase(
            subject=clean_subject,
            contact_id=person.id,
            company_id=account.id if account else None,
            priority=level,
            status="new",
            channel=how,
            owner=who,
            opened_at=stamp,
            created_at=stamp,
            updated_at=stamp,
        )
        set_targets(case, support)
        session.add(case)
        session.flush()
        assert case.id is not None
        if text:
            _message(session, case.id, "customer", person.name, text, stamp)
        record_event(
            store,
            session,
            action="created",
            entity=ENTITY,
            entity_id=case.id,
            summary=f"opened case {describe(case)} ({level}) for {person.name}",
        )
        return to_read(session, case, stamp, store)


def get_case_for_write(store: Store, ref: str | int) -> CaseRead:
    """One case by REF, read for a write: inside ``store.write()`` its row stays locked
    until that transaction ends (``lock_row``), so a check made on what this returns
    still holds when the write commits."""
    with store.write() as session:
        _writable(store, session, ref)
        return case_view(store, ref).case


def _writable(store: Store, session: Session, ref: str | int) -> SupportCase:
    """The case a REF names, locked until the transaction ends (``lock_row``): one
    deleted by the ``case rm`` it waited for is ``NotFound``."""
    case = resolve_case(session, ref)
    return lock_row(session, case, "case", case.subject)


def reply_case(
    store: Store, ref: str | int, text: str, *, note: bool = False, now: datetime | None = None
) -> CaseRead:
    """Add a reply to the thread (``note``: an internal note, which is no response). The
    first reply sets the first-response time and moves a new case to open; a resolved
    or closed case must be reopened first."""
    note = validate.flag(note, "note")  # "no" is no note (bool("no") is True)
    body = validate.optional_text(text, "text", multiline=True)
    if not body:
        raise Invalid("a reply needs some text", field="text")
    with store.write() as session:
        case = _writable(store, session, ref)
        assert case.id is not None
        if case.status not in UNRESOLVED:
            raise Conflict(f"case {describe(case)} is {case.status}; reopen it first")
        stamp = now or utcnow()
        kind = "note" if note else "reply"
        _message(session, case.id, kind, store.user, body, stamp)
        first = not note and case.first_response_at is None
        if first:
            case.first_response_at = stamp
        if not note and case.status == "new":
            case.status = "open"
        case.updated_at = stamp
        what = "noted on" if note else ("first response to" if first else "replied to")
        record_event(
            store,
            session,
            action="noted" if note else "replied",
            entity=ENTITY,
            entity_id=case.id,
            summary=f"{what} case {describe(case)}",
        )
        session.flush()
        return to_read(session, case, stamp, store)


def set_case_status(
    store: Store, ref: str | int, status: str, *, now: datetime | None = None
) -> CaseRead:
    """Move a case to ``status``: resolved stamps the resolution time (a closed case keeps
    its own), closed the closing time (and the resolution, when there was none); back to
    new, open or pending clears them (a reopened case's resolution clock starts again
    with the working time it had left when it was resolved, ``case_clock``, and a
    resolution without a reply stays its first response)."""
    target = validate.choice(status, STATUSES, "status")
    if target is None:
        raise Invalid(f"give a status ({', '.join(STATUSES)})", field="status")
    with store.write() as session:
        case = _writable(store, session, ref)
        return _move(store, session, case, target, now or utcnow())


def _move(
    store: Store, session: Session, case: SupportCase, target: str, stamp: datetime
) -> CaseRead:
    before = case.status
    if before == target:
        raise Conflict(f"case {describe(case)} is {target} already")
    if case_clock.ends_pause(before, target) and case.resolution_due_at is not None:
        # the clock starts again (or, resolved from pending, its verdict is taken): what
        # was left when it stopped (pending, resolved or closed), from now
        assert case.id is not None
        stop = case_clock.stopped_since(session, [case])[case.id]
        hours = store.given.support_settings().hours
        try:
            case.resolution_due_at = case_clock.resume_stop(
                case.resolution_due_at, stop, stamp, hours
            )
        except ValueError as exc:  # no working day within ten years: a broken [support]
            raise Invalid(f"cannot work out the SLA due times: {exc}") from exc
    left = None
    if target in case_clock.STOPPED and (
        before not in case_clock.STOPPED or case_clock.ends_pause(before, target)
    ):
        left = _left_at(store, case, stamp)  # the clock stops: what it has left, kept
    if target in UNRESOLVED:
        if case.first_response_at is None and case.resolved_at is not None:
            # a resolution without a reply answered the case: reopened, it stays answered
            case.first_response_at = case.resolved_at
        case.resolved_at = case.closed_at = None
        if before in ("resolved", "closed"):
            case.csat = case.csat_comment = None
    if target == "resolved":  # a closed case set back to resolved was resolved already
        case.resolved_at = case.resolved_at if before == "closed" and case.resolved_at else stamp
        case.closed_at = None
    if target == "closed":
        case.resolved_at = case.resolved_at or stamp
        case.closed_at = stamp
    case.status = target
    case.updated_at = stamp
    action = {"resolved": "resolved", "closed": "closed"}.get(target, "updated")
    if before in ("resolved", "closed") and target in UNRESOLVED:
        action = "reopened"
    event = record_event(
        store,
        session,
        action=action,
        entity=ENTITY,
        entity_id=case.id,
        summary=case_clock.move_summary(case.id, case.subject, before, target, left),
    )
    event.at = stamp.astimezone(UTC)  # when it went pending or came back: case_clock reads it
    session.flush()
    return to_read(session, case, stamp, store)


def _left_at(store: Store, case: SupportCase, at: datetime) -> timedelta | None:
    """The working time the case's resolution clock has left at ``at``, when it stops
    then (None: no target, missed already, or a broken ``[support]``)."""
    due = case.resolution_due_at
    hours = case_clock.support_hours(store)
    if due is None or at > due or hours is None:
        return None
    return hours.between(at, due)


def resolve_support_case(
    store: Store,
    ref: str | int,
    *,
    csat: int | None = None,
    comment: str | None = None,
    now: datetime | None = None,
) -> CaseRead:
    """Resolve a case, with the customer's CSAT score (1-5) and comment when known. A
    case resolved already takes a score given later (``csat``), once."""
    score = _csat(csat)
    said = validate.optional_text(comment, "comment", multiline=True)
    if said and score is None:
        raise Invalid("a CSAT comment comes with a score (--csat 1-5)", field="comment")
    with store.write() as session:
        case = _writable(store, session, ref)
        stamp = now or utcnow()
        if case.status in ("resolved", "closed"):
            if score is None:
                raise Conflict(f"case {describe(case)} is {case.status} already")
            if stored_csat(case, named=False) is not None:  # one stored as none: given again
                raise Conflict(f"case {describe(case)} has a CSAT score already ({case.csat})")
            rate_case(store, session, case, score, said, stamp)
            session.flush()
            return to_read(session, case, stamp, store)
        case.csat, case.csat_comment = score, said
        return _move(store, session, case, "resolved", stamp)


def rate_case(
    store: Store,
    session: Session,
    case: SupportCase,
    score: int,
    comment: str | None,
    stamp: datetime,
) -> None:
    """Give a resolved or closed case its CSAT score and comment, with the ``rated`` event
    (in the caller's transaction): a score given later, one by one or from a file."""
    before = stored_csat(case, named=False)
    case.csat, case.csat_comment = score, comment
    case.updated_at = stamp
    was = f" (was {before}/5)" if before is not None and before != score else ""
    record_event(
        store,
        session,
        action="rated",
        entity=ENTITY,
        entity_id=case.id,
        summary=f"CSAT {score}/5 for case {describe(case)}{was}",
    )


def reopen_case(store: Store, ref: str | int, *, now: datetime | None = None) -> CaseRead:
    """Reopen a resolved or closed case (to open); its CSAT score goes with the resolution."""
    with store.write() as session:
        case = _writable(store, session, ref)
        if case.status in UNRESOLVED:
            raise Conflict(f"case {describe(case)} is {case.status}: not resolved or closed")
        return _move(store, session, case, "open", now or utcnow())


def edit_case(
    store: Store,
    ref: str | int,
    *,
    subject: str | None = None,
    priority: str | None = None,
    owner: str | None = None,
    now: datetime | None = None,
) -> CaseRead:
    """Change a case's subject, priority (its SLA due times are worked out again from when
    it was opened) or owner (empty: you). Values it has already change nothing: the
    case as it is, and no event."""
    support = store.given.support_settings() if priority else None
    with store.write() as session:
        case = _writable(store, session, ref)
        changes = []
        if subject is not None and (clean := validate.name(subject, "subject")) != case.subject:
            case.subject = clean
            changes.append("subject")
        if priority is not None:
            level = _priority(priority)
            if level != case.priority:
                case.priority = level
                assert support is not None and case.id is not None
                set_targets(case, support, case_clock.pauses_of(session, [case.id]).get(case.id))
                changes.append("priority")
        if owner is not None:
            who = validate.optional_text(owner, "owner") or store.user  # "": you
            if who != case.owner:
                case.owner = who
                changes.append("owner")
        if not changes:  # every value given is the case's already: no event
            return to_read(session, case, now, store)
        case.updated_at = now or utcnow()
        summary = f"updated case {describe(case)}: {', '.join(changes)}"
        if "priority" in changes and case.status in case_clock.STOPPED:
            # its stopped clock has the new priority's time left: kept as the stop's
            assert case.id is not None
            stop = case_clock.stopped_since(session, [case])[case.id]
            summary = case_clock.with_left(summary, _left_at(store, case, stop.since))
        record_event(
            store, session, action="updated", entity=ENTITY, entity_id=case.id, summary=summary
        )
        session.flush()
        return to_read(session, case, now, store)


def remove_case(store: Store, ref: str | int) -> CaseRead:
    """Delete a case and its thread."""
    with store.write() as session:
        case = _writable(store, session, ref)
        read = to_read(session, case, store=store)
        session.execute(delete(CaseMessage).where(col(CaseMessage.case_id) == case.id))
        session.delete(case)
        record_event(
            store,
            session,
            action="deleted",
            entity=ENTITY,
            entity_id=read.id,
            summary=f"deleted case #{read.id} {read.subject}",
        )
        return read

"""Sequences: drip follow-ups. Enrolling a contact schedules each step as a task;
stopping (or winning a deal with the contact) cancels the steps not yet done."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlmodel import Session, col

from tinycrm import placeholders
from tinycrm.store import validate
from tinycrm.store.activity_rows import new_activity_row
from tinycrm.store.automation_models import FollowUpSequence, SequenceEnrollment, SequenceStep
from tinycrm.store.code_points import code_points
from tinycrm.store.contacts import link_contact, resolve_contact
from tinycrm.store.engine import Store
from tinycrm.store.errors import Conflict, Invalid
from tinycrm.store.models import (
    Activity,
    Company,
    Contact,
    ReadModel,
)
from tinycrm.store.records import record_event
from tinycrm.store.refs import resolve
from tinycrm.store.types import utcnow
from tinycrm.vocab import plural

PLACEHOLDERS = ("name", "first_name", "company")


class StepRead(ReadModel):
    position: int
    day_offset: int
    text: str


class SequenceRead(ReadModel):
    id: int
    name: str
    steps: list[StepRead]
    active: int  # contacts enrolled and not stopped


class EnrollmentRead(ReadModel):
    id: int
    sequence: str
    contact: str
    contact_id: int
    tasks: int
    started_at: datetime
    stopped_at: datetime | None
    stop_reason: str | None


def resolve_sequence(session: Session, ref: str | int) -> FollowUpSequence:
    return resolve(
        session,
        FollowUpSequence,
        ref,
        what="sequence",
        keys=[(FollowUpSequence.name_key, validate.key)],
        describe=lambda s: f"#{s.id} {s.name}",
        near=validate.sql_folded(FollowUpSequence.name_key),
        spelt=FollowUpSequence.name_key,
    )


def _steps(session: Session, sequence_id: int) -> list[SequenceStep]:
    return list(
        session.scalars(
            select(SequenceStep)
            .where(col(SequenceStep.sequence_id) == sequence_id)
            .order_by(col(SequenceStep.position))
        )
    )


def _read(session: Session, sequence: FollowUpSequence) -> SequenceRead:
    assert sequence.id is not None
    active = session.scalar(
        select(func.count())
        .select_from(SequenceEnrollment)
        .where(
            col(SequenceEnrollment.sequence_id) == sequence.id,
            col(SequenceEnrollment.stopped_at).is_(None),
        )
    )
    return SequenceRead(
        id=sequence.id,
        name=sequence.name,
        steps=[
            StepRead(position=s.position, day_offset=s.day_offset, text=s.text)
            for s in _steps(session, sequence.id)
        ],
        active=active or 0,
    )


def _check_text(text: str) -> str:
    clean = validate.name(text, "step text")
    typos = placeholders.unknown(clean, PLACEHOLDERS)
    if typos:
        raise Invalid(
            f"unknown placeholder {{{typos[0]}}} in {clean!r} "
            f"(use {', '.join('{' + p + '}' for p in PLACEHOLDERS)})"
        )
    return clean


def add_sequence(store: Store, *, name: str, steps: Sequence[tuple[int, str]]) -> SequenceRead:
    """Create a sequence of (day offset, task text) steps, in day order."""
    if not steps:
        raise Invalid("a sequence needs at least one step (--step DAYS:TEXT)")
    with store.write() as session:
        clean = validate.name(name, "sequence name")
        if session.scalars(
            select(FollowUpSequence).where(col(FollowUpSequence.name_key) == validate.key(clean))
        ).first():
            raise Conflict(f"a sequence named {clean!r} already exists")
        sequence = FollowUpSequence(name=clean, name_key=validate.key(clean), created_at=utcnow())
        session.add(sequence)
        session.flush()
        assert sequence.id is not None
        ordered = sorted(((int(d), _check_text(t)) for d, t in steps), key=lambda s: s[0])
        for position, (offset, text) in enumerate(ordered):
            if not 0 <= offset <= 3650:
                raise Invalid(f"step day offset must be between 0 and 3650, not {offset}")
            session.add(
                SequenceStep(
                    sequence_id=sequence.id, position=position, day_offset=offset, text=text
                )
            )
        session.flush()
        record_event(
            store,
            session,
            action="created",
            entity="sequence",
            entity_id=sequence.id,
            summary=f"created sequence {clean} ({len(ordered)} steps)",
        )
        return _read(session, sequence)


def list_sequences(store: Store) -> list[SequenceRead]:
    """Every sequence with its steps and how many contacts are in it."""
    with store.read() as session:
        rows = session.scalars(
            select(FollowUpSequence).order_by(code_points(FollowUpSequence.name_key))
        )
        return [_read(session, s) for s in rows]


def enroll_contacts(
    store: Store, sequence: str, contacts: Sequence[str], *, start: datetime | None = None
) -> list[EnrollmentRead]:
    """Enroll contacts: each step becomes a task due ``day_offset`` days after ``start``
    (calendar days in the user's zone: the same time of day, across a change of summer
    time too)."""
    from tinycrm.dates import local_tz

    if not contacts:
        raise Invalid("name at least one contact to enroll")
    begin = start or utcnow()
    # wall-clock arithmetic: an aware datetime plus days keeps its time of day in its zone
    local_begin = begin.astimezone(local_tz())
    with store.write() as session:
        seq = resolve_sequence(session, sequence)
        assert seq.id is not None
        steps = _steps(session, seq.id)
        out = []
        named: set[int] = set()  # a contact named twice (by name, id or email) is one
        for ref in contacts:
            contact = link_contact(session, ref)  # not deleted before it is enrolled
            assert contact.id is not None
            if contact.id in named:
                continue
            named.add(contact.id)
            active = session.scalars(
                select(SequenceEnrollment).where(
                    col(SequenceEnrollment.sequence_id) == seq.id,
                    col(SequenceEnrollment.contact_id) == contact.id,
                    col(SequenceEnrollment.stopped_at).is_(None),
                )
            ).first()
            if active is not None:
                raise Conflict(f"{contact.name} is already in sequence {seq.name}")
            company = session.get(Company, contact.company_id) if contact.company_id else None
            enrollment = SequenceEnrollment(
                sequence_id=seq.id, contact_id=contact.id, started_at=begin
            )
            session.add(enrollment)
            session.flush()
            values = {
                "name": contact.name,
                "first_name": contact.name.split()[0],
                "company": company.name if company else "",
            }
            stamp = utcnow()
            for step in steps:
                columns = {
                    "kind": "task",
                    "subject": _subject(step.text, values),
                    "contact_id": contact.id,
                    "company_id": contact.company_id,
                    "due_at": (local_begin + timedelta(days=step.day_offset)).astimezone(UTC),
                    "enrollment_id": enrollment.id,
                    "owner": contact.owner,
                }
                row = new_activity_row(None, columns, owner=store.user, stamp=stamp)
                session.add(Activity(**row))
            record_event(
                store,
                session,
                action="enrolled",
                entity="contact",
                entity_id=contact.id,
                summary=f"enrolled {contact.name} in sequence {seq.name} "
                f"({plural(len(steps), 'task')})",
            )
            session.flush()
            out.append(_enrollment(session, enrollment, seq.name, contact))
        return out


SUBJECT_MAX = 300  # characters of a task's subject (validate.name)


def _subject(text: str, values: dict[str, str]) -> str:
    """A step's task subject: ``text`` filled in, on one line, cut with … to the 300
    characters a subject holds at most (a long name and company fill a step past it,
    into a task whose export would not import again)."""
    subject = " ".join(placeholders.fill(text, values).split())
    if len(subject) <= SUBJECT_MAX:
        return subject
    return subject[: SUBJECT_MAX - 1].rstrip() + "…"


def _enrollment(
    session: Session, enrollment: SequenceEnrollment, sequence: str, contact: Contact
) -> EnrollmentRead:
    tasks = session.scalar(
        select(func.count())
        .select_from(Activity)
        .where(col(Activity.enrollment_id) == enrollment.id)
    )
    return EnrollmentRead(
        id=enrollment.id,
        sequence=sequence,
        contact=contact.name,
        contact_id=contact.id,
        tasks=tasks or 0,
        started_at=enrollment.started_at,
        stopped_at=enrollment.stopped_at,
        stop_reason=enrollment.stop_reason,
    )


def stop_enrollments(
    store: Store,
    session: Session,
    *,
    contact_id: int,
    reason: str,
    sequence_id: int | None = None,
) -> int:
    """Stop a contact's active enrollments (in one sequence, or all): open step tasks go.

    Runs inside the caller's transaction (winning a deal calls it). Returns how
    many enrollments stopped.
    """
    query = select(SequenceEnrollment).where(
        col(SequenceEnrollment.contact_id) == contact_id,
        col(SequenceEnrollment.stopped_at).is_(None),
    )
    if sequence_id is not None:
        query = query.where(col(SequenceEnrollment.sequence_id) == sequence_id)
    stopped = 0
    for enrollment in session.scalars(query).all():
        removed = cast(
            CursorResult[Any],
            session.execute(
                delete(Activity).where(
                    col(Activity.enrollment_id) == enrollment.id, col(Activity.done_at).is_(None)
                )
            ),
        ).rowcount
        enrollment.stopped_at = utcnow()
        enrollment.stop_reason = reason
        seq = session.get(FollowUpSequence, enrollment.sequence_id)
        contact = session.get(Contact, contact_id)
        record_event(
            store,
            session,
            action="stopped",
            entity="contact",
            entity_id=contact_id,
            summary=f"stopped sequence {seq.name if seq else '?'} for "
            f"{contact.name if contact else contact_id} "
            f"({reason}; {plural(removed, 'open task')} removed)",
        )
        stopped += 1
    return stopped


def stop_sequence(store: Store, sequence: str, contacts: Sequence[str]) -> int:
    """Take contacts out of a sequence; their open step tasks are removed."""
    with store.write() as session:
        seq = resolve_sequence(session, sequence)
        total = 0
        for ref in contacts:
            contact = resolve_contact(session, ref)
            assert contact.id is not None
            count = stop_enrollments(
                store, session, contact_id=contact.id, reason="stopped", sequence_id=seq.id
            )
            if count == 0:
                raise Conflict(f"{contact.name} is not in sequence {seq.name}")
            total += count
        return total


def list_enrollments(store: Store, sequence: str) -> list[EnrollmentRead]:
    """Who is (or was) in a sequence."""
    with store.read() as session:
        seq = resolve_sequence(session, sequence)
        rows = session.execute(
            select(SequenceEnrollment, Contact)
            .join(Contact, col(SequenceEnrollment.contact_id) == col(Contact.id))
            .where(col(SequenceEnrollment.sequence_id) == seq.id)
            .order_by(col(SequenceEnrollment.started_at), col(SequenceEnrollment.id))
        ).all()
        return [_enrollment(session, e, seq.name, c) for e, c in rows]

"""Correcting and removing tasks and logged activities: ``task edit``, ``task reopen``,
``task rm``, ``activity edit`` and ``activity rm``.

Tasks and logged calls, emails, meetings and notes share one table and one id sequence:
each command here takes the one it is for, and says what an id of the other is. Each
write records one ``activity`` event (``updated``, ``reopened``, ``deleted``), so hooks
and webhooks get the record with its changes, or as it was."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from tinycrm import dates, repeat
from tinycrm.store import validate
from tinycrm.store.activities import (
    Links,
    _keep_links,
    _subject_body,
    _task,
    to_read,
)
from tinycrm.store.activity_rows import check_happened
from tinycrm.store.companies import resolve_company
from tinycrm.store.contacts import resolve_contact
from tinycrm.store.deals import resolve_deal
from tinycrm.store.engine import Store
from tinycrm.store.errors import Conflict, Invalid, NotFound
from tinycrm.store.mail_tombstones import bury
from tinycrm.store.models import Activity, ActivityRead, Company, Contact, Deal
from tinycrm.store.records import UNSET, Unset, changed_summary, is_set, record_event
from tinycrm.store.refs import get_by_id, lock_row
from tinycrm.store.touches import LastTouch, lock_touched
from tinycrm.store.types import utcnow
from tinycrm.vocab import LOG_KINDS

_NAMES = {"due_at": "due", "remind_at": "reminder", "occurred_at": "time",
          "contact_id": "contact", "company_id": "company", "deal_id": "deal"}  # fmt: skip


def _logged(session: Session, activity_id: int) -> Activity:
    """The logged call, email, meeting or note ``activity_id``; a task's id is refused,
    naming it (they share their ids)."""
    activity = get_by_id(session, Activity, activity_id)
    if activity is None:
        raise NotFound(f"no activity with id {activity_id}")
    if activity.kind == "task":
        raise NotFound(
            f"#{activity_id} is a task, not a logged activity "
            "(tinycrm task edit and task rm take tasks)"
        )
    return activity


class _Changes:
    """The columns an edit changed, in the words its event names them."""

    def __init__(self, row: Activity) -> None:
        self.row = row
        self.names: list[str] = []

    def put(self, attr: str, value: Any) -> None:
        if getattr(self.row, attr) != value:
            setattr(self.row, attr, value)
            name = _NAMES.get(attr, attr)
            if name not in self.names:
                self.names.append(name)

    def text(self, text: str | Unset, body: str | Unset | None) -> None:
        """``text``'s first line is the subject, the lines after it the body (with
        ``body`` after them), as ``log`` and ``task add`` take them; a ``body`` of ""
        (or None) clears it. What is not given is kept."""
        extra = None
        if is_set(text):
            subject, extra = _subject_body(text, None)
            self.put("subject", subject)
        if is_set(body) or extra is not None:
            parts = [p for p in (extra, body if is_set(body) else None) if p and p.strip()]
            self.put("body", validate.body("\n".join(parts)) if parts else None)

    def finish(self, store: Store, session: Session, what: str) -> ActivityRead:
        """Stamp the row and record one ``updated`` event naming what changed (none when
        nothing did: every value given was the row's already)."""
        row = self.row
        if self.names:
            row.updated_at = utcnow()
            record_event(
                store,
                session,
                action="updated",
                entity="activity",
                entity_id=row.id,
                summary=changed_summary("updated", what, f"#{row.id} {row.subject}", self.names),
            )
        session.flush()
        return to_read(session, row)


def _relinked(
    session: Session,
    task: Activity,
    given: dict[str, str | Unset | None],
) -> dict[str, int | None]:
    """The task's ``contact_id``, ``company_id`` and ``deal_id`` after an edit naming some
    of them (``""`` or None: no longer linked). As ``task add`` links them, a deal's contact
    and company, and a contact's company, fill the links left empty and not named."""
    models: dict[str, type[Contact] | type[Company] | type[Deal]] = {
        "contact": Contact, "company": Company, "deal": Deal}  # fmt: skip
    resolvers = {"contact": resolve_contact, "company": resolve_company, "deal": resolve_deal}
    links = Links(session)
    named: set[str] = set()
    for kind, model in models.items():
        value = given[kind]
        if not is_set(value):
            row_id = getattr(task, f"{kind}_id")
            setattr(links, kind, session.get(model, row_id) if row_id else None)
            continue
        named.add(kind)
        if value is None or not value.strip():
            setattr(links, kind, None)
        else:
            setattr(links, kind, resolvers[kind](session, value))
    cleared = {kind for kind in named if getattr(links, kind) is None}
    links.complete()
    for kind in cleared:  # cleared on purpose: not filled in again
        setattr(links, kind, None)
    return links.ids()


def edit_task(
    store: Store,
    task_id: int,
    *,
    text: str | Unset = UNSET,
    due: datetime | Unset = UNSET,
    body: str | Unset | None = UNSET,
    contact: str | Unset | None = UNSET,
    company: str | Unset | None = UNSET,
    deal: str | Unset | None = UNSET,
) -> ActivityRead:
    """Change a task: its text (subject; lines after the first are its body), due time,
    body and the contact, company or deal it is about (``""`` or None: none). What is
    left out is kept. A new due time moves the reminder with it (as far before), and a
    repeating task's series follows the new due time."""
    with store.write() as session:
        task = _task(session, task_id)
        _keep_links(session, task)
        task = lock_row(session, task, "task", task.subject, edit=True)
        changes = _Changes(task)
        changes.text(text, body)
        if is_set(due):
            if due is None:
                raise Invalid("a task's due time must not be empty", field="due")
            if due != task.due_at:
                if task.remind_at is not None and task.due_at is not None:
                    was_due, was_reminded = task.due_at, task.remind_at
                    changes.put(
                        "remind_at",
                        repeat.reminder_for(due, was_due=was_due, was_reminded=was_reminded),
                    )
                changes.put("due_at", due)
                if task.repeat and task.done_at is None:  # a done one's series lives on
                    task.repeat_anchor = due  # in its next occurrence (see reopen_task)
        given = {"contact": contact, "company": company, "deal": deal}
        if any(is_set(value) for value in given.values()):
            for column, value in _relinked(session, task, given).items():
                changes.put(column, value)
        return changes.finish(store, session, "task")


class ReopenedTask(ActivityRead):
    """A task open again; ``next_removed``: the id of the next occurrence its completion
    made, taken back with it (open and never changed), ``next_kept`` that of one that
    stays (done or changed since)."""

    next_removed: int | None = None
    next_kept: int | None = None


def reopen_task(store: Store, task_id: int) -> ReopenedTask:
    """A done task open again (done by mistake). A repeating task's next occurrence,
    made when it was done, goes with the completion while it is as it was made (open,
    never edited); otherwise it stays, and the event and the result say which. A series
    whose task was given another due time while done (``edit_task``) follows it from
    then on: the next completion counts from the time the user set."""
    with store.write() as session:
        task = _task(session, task_id)
        _keep_links(session, task)
        task = lock_row(session, task, "task", task.subject, edit=True)
        if task.done_at is None:
            raise Conflict(f"task #{task_id} {task.subject} is not done")
        following = _next_occurrence(session, task)
        task.done_at = task.occurred_at = None
        task.updated_at = utcnow()
        _follow_due(task)
        said = f" (due {dates.format_local(task.due_at)})" if task.due_at else ""
        removed = kept = None
        if following is not None:
            untouched = following.done_at is None and following.updated_at == following.created_at
            if untouched:  # its own event: hooks and webhooks heard of its creation
                gone = to_read(session, following)
                removed = gone.id
                session.delete(following)
                record_event(store, session, action="deleted", entity="activity",
                             entity_id=gone.id, summary=removed_summary(gone))  # fmt: skip
            else:
                kept = following.id
            said += f"; its next occurrence #{following.id} " + (
                "removed" if untouched else "stays"
            )
        record_event(
            store,
            session,
            action="reopened",
            entity="activity",
            entity_id=task.id,
            summary=f"reopened task: {task.subject}{said}",
        )
        session.flush()
        read = to_read(session, task)
        return ReopenedTask(**read.model_dump(), next_removed=removed, next_kept=kept)


def _follow_due(task: Activity) -> None:
    """A repeating task due at a time its series does not give (moved by ``edit_task``
    while done, which left the series to its next occurrence) starts its series there."""
    anchor = task.repeat_anchor or task.due_at
    if not task.repeat or task.due_at is None or anchor is None:
        return
    due = task.due_at
    try:
        on_series = (
            repeat.next_occurrence(due - timedelta(seconds=1), task.repeat, anchor=anchor) == due
        )
    except ValueError:  # a rule this version does not read: left as it is
        return
    if not on_series:
        task.repeat_anchor = due


def _next_occurrence(session: Session, task: Activity) -> Activity | None:
    """The occurrence of a repeating ``task`` its completion made: a task of the same
    series (rule and first due time) made at the moment it was done."""
    if not task.repeat or task.done_at is None:
        return None
    return session.scalars(
        select(Activity)
        .where(
            col(Activity.kind) == "task",
            col(Activity.id) > task.id,
            col(Activity.repeat) == task.repeat,
            col(Activity.repeat_anchor) == (task.repeat_anchor or task.due_at),
            col(Activity.created_at) == task.done_at,
        )
        .order_by(col(Activity.id))
        .limit(1)
    ).first()


def edit_activity(
    store: Store,
    activity_id: int,
    *,
    text: str | Unset = UNSET,
    body: str | Unset | None = UNSET,
    at: datetime | Unset = UNSET,
    kind: str | Unset = UNSET,
) -> ActivityRead:
    """Change a logged call, email, meeting or note: its text (subject; lines after the
    first are its body), body (``""``: none), time (not ahead of now, as ``log`` takes
    it) and kind (one ``log`` takes). An email logged from a mailbox (``tinycrm mail``)
    keeps its time, body and kind, by which the next import knows it: only its subject
    changes."""
    clean_kind = validate.activity_kind(kind, LOG_KINDS) if is_set(kind) else None
    with store.write() as session:
        activity = _logged(session, activity_id)
        if is_set(at):
            lock_touched(session, activity)  # its last touch may follow (contact rm's order)
        activity = lock_row(session, activity, "activity", activity.subject, edit=True)
        if activity.mail_key is not None:
            # a text's lines after its first are a body (as log takes it): a change too
            more = is_set(text) and _subject_body(text, None)[1] is not None
            _keep_mail(activity, body=body if is_set(body) or not more else "", at=at,
                       kind=clean_kind)  # fmt: skip
        changes = _Changes(activity)
        if clean_kind is not None:
            changes.put("kind", clean_kind)
        if is_set(at):
            if at is None:
                raise Invalid("the time must not be empty", field="at")
            check_happened(activity.kind, at, utcnow())
            touch = LastTouch(session, activity)
            changes.put("occurred_at", at)
            session.flush()
            touch.after()  # the contact's last touch follows a touch moved
        changes.text(text, body)
        return changes.finish(store, session, activity.kind)


def _keep_mail(
    activity: Activity, *, body: str | Unset | None, at: datetime | Unset, kind: str | None
) -> None:
    """``Invalid`` for a change to a mailbox email's time, body or kind."""
    changed = {"time": is_set(at) and at != activity.occurred_at, "body": is_set(body),
               "kind": kind not in (None, activity.kind)}  # fmt: skip
    asked = [name for name, on in changed.items() if on]
    if asked:
        raise Invalid(
            f"#{activity.id} was logged from a mailbox (tinycrm mail): its "
            f"{', '.join(asked)} stay as the message has them, so that the next mail import "
            "knows it; change its subject, or remove it",
            field=asked[0],
        )


class RemovedActivity(ActivityRead):
    """A task or activity as it was when deleted; ``mailbox``: an email logged from a
    mailbox, which the next ``mail sync`` or ``mail import`` does not log again."""

    mailbox: bool = False


def remove_activity(store: Store, activity_id: int, *, task: bool) -> RemovedActivity:
    """Delete a task (``task``) or a logged call, email, meeting or note; the id of the
    other is refused, naming it. The event says what went: the kind, subject, whom it was
    about and when; hooks and webhooks get the record as it was, body and all. An email
    logged from a mailbox leaves a tombstone (:mod:`~tinycrm.store.mail_tombstones`)."""
    with store.write() as session:
        row = _task(session, activity_id) if task else _logged(session, activity_id)
        lock_touched(session, row)  # its last touch may follow (contact rm's order)
        row = lock_row(session, row, row.kind, row.subject)
        mailbox = bury(session, row)  # not logged again by the next sync or import
        read = RemovedActivity(**to_read(session, row).model_dump(), mailbox=mailbox)
        LastTouch(session, row).after(gone=True)  # and its last touch one deleted
        session.delete(row)
        record_event(
            store,
            session,
            action="deleted",
            entity="activity",
            entity_id=activity_id,
            summary=removed_summary(read, mail=row.mail_key is not None),
        )
        session.flush()
        return read


def removed_summary(read: ActivityRead, *, mail: bool = False) -> str:
    """``deleted call #3 with Ada Lovelace: Pricing call (Dec 1, 2026 10:00)``, or for a
    task ``deleted task #4 for deal Renewal: Send contract (due …, done …)``."""
    about = f"deal {read.deal}" if read.deal else (read.contact or read.company or "")
    if read.kind == "task":
        when = [f"due {dates.format_local(read.due_at)}"] if read.due_at else []
        when += [f"done {dates.format_local(read.done_at)}"] if read.done_at else []
        whom = f" for {about}" if about else ""
    else:
        at = read.occurred_at or read.created_at
        when = [dates.format_local(at)] + (["logged from a mailbox"] if mail else [])
        whom = f" with {about}" if about else ""
    said = f" ({', '.join(when)})" if when else ""
    return f"deleted {read.kind} #{read.id}{whom}: {read.subject}{said}"

"""The activity forms: a logged call, email, meeting or note; a task; and their corrections
(``edit_task_form``, ``edit_activity_form``). ``screens.forms`` runs them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from tinycrm.api import Crm
from tinycrm.api.models import ActivityRead
from tinycrm.tui import format as fmt
from tinycrm.tui.screens.form_conflicts import refuse_unseen, stored_now
from tinycrm.tui.screens.form_fields import FormField
from tinycrm.tui.screens.form_values import parse_when, plain
from tinycrm.tui.screens.forms import FormScreen
from tinycrm.vocab import LOG_KINDS

# --------------------------------------------------------------------------- activities, tasks


def log_form(kind: str, record_id: int, label: str) -> FormScreen:
    """Log a call, email, meeting or note about the record ``kind`` ``record_id``."""

    def save(crm: Crm, v: dict[str, Any]) -> ActivityRead:
        return crm.activities.log(
            v["kind"], None, v["text"], at=v["when"], **{kind: str(record_id)}
        )

    return FormScreen(
        f"Log activity · {label}",
        [
            FormField(
                "kind",
                "Kind",
                "call",
                choices=[(k, k) for k in LOG_KINDS],
                required=True,
                words=("kind",),
            ),
            FormField(
                "text",
                "What happened",
                "",
                "Walked through the proposal",
                required=True,
                words=("text", "subject"),
            ),
            FormField(
                "when",
                "When",
                "",
                "now; or yesterday 15:00, -2d",
                parse=parse_when,
                words=("when", "time"),
            ),
        ],
        save,
        submit_label="Log",
        id="log-form",
    )


def task_form(kind: str | None, record_id: int | None, label: str) -> FormScreen:
    """Add a task, about a record or on its own (``kind`` None)."""

    def save(crm: Crm, v: dict[str, Any]) -> ActivityRead:
        about = {kind: str(record_id)} if kind and record_id is not None else {}
        return crm.tasks.add(v["text"], due=v["due"], **about)

    title = f"Add task · {label}" if label else "Add task"
    return FormScreen(
        title,
        [
            FormField(
                "text", "Task", "", "Send the contract", required=True, words=("text", "subject")
            ),
            FormField(
                "due",
                "Due",
                "tomorrow 9:00",
                "tomorrow 9:00, +3d, 2026-12-01 14:00",
                required=True,
                parse=parse_when,
                words=("due", "time", "date"),
            ),
        ],
        save,
        submit_label="Add task",
        id="task-form",
    )


# --------------------------------------------------------------------------- corrections


def _changed_text(before: str | None, after: str | None) -> bool:
    return (before or None) != (after or None)


def _when_shown(moment: datetime | None) -> str | None:
    """A time as its field shows it (to the minute, local): what counts as changed."""
    return fmt.local(moment) if moment is not None else None


def _happened(activity: ActivityRead) -> datetime | None:
    return activity.occurred_at or activity.created_at  # None: unreadable


_TASK_SHOWN: dict[str, Callable[[ActivityRead], object]] = {
    "text": lambda t: t.subject,
    "due": lambda t: _when_shown(t.due_at),
    "body": lambda t: t.body or None,
    "contact": lambda t: t.contact,
    "company": lambda t: t.company,
    "deal": lambda t: t.deal,
}
"""A task's value behind each field of its edit form, as the form's error shows it."""


def _task_changes(task: ActivityRead, v: dict[str, Any]) -> dict[str, Any]:
    """What the task form's values change, as ``crm.tasks.edit`` takes them ("" clears a
    link or the notes)."""
    changes: dict[str, Any] = {}
    if v["text"] != task.subject:
        changes["text"] = v["text"]
    if _when_shown(v["due"]) != _when_shown(task.due_at):
        changes["due"] = v["due"]
    if _changed_text(task.body, v["body"]):
        changes["body"] = v["body"] or ""
    for name in ("contact", "company", "deal"):
        if _changed_text(getattr(task, name), v[name]):
            changes[name] = v[name] or ""
    return changes


def edit_task_form(task: ActivityRead) -> FormScreen:
    """Correct a task: its text, due time, notes and the contact, company or deal it is
    about (blank: none); a value changed elsewhere since the form opened is not
    overwritten unseen (``form_conflicts``)."""
    told: dict[str, object] = {}

    def save(crm: Crm, v: dict[str, Any]) -> ActivityRead:
        changes = _task_changes(task, v)
        # an edit of nothing: the task locked in the write and read, no event
        now = stored_now(lambda task_id: crm.tasks.edit(task_id), task.id, "task")
        refuse_unseen(task, now, changes, told, _TASK_SHOWN)
        return crm.tasks.edit(task.id, **changes)

    return FormScreen(
        f"Edit task · {task.subject}",
        [
            FormField(
                "text", "Task", task.subject, "Send the contract", required=True,
                words=("text", "subject"),
            ),
            FormField(
                "due", "Due", _when_shown(task.due_at) or "", "tomorrow 9:00, +3d",
                required=True, parse=parse_when, words=("due", "time", "date"),
            ),
            FormField(
                "body", "Notes", plain(task.body), "", words=("body", "notes"), multiline=True
            ),
            FormField(
                "contact", "Contact", plain(task.contact), "name or email",
                words=("contact",), complete="contact",
            ),
            FormField(
                "company", "Company", plain(task.company), "name or domain",
                words=("company",), complete="company",
            ),
            FormField("deal", "Deal", plain(task.deal), "title", words=("deal",)),
        ],
        save,
        id="edit-task-form",
    )  # fmt: skip


_ACTIVITY_SHOWN: dict[str, Callable[[ActivityRead], object]] = {
    "kind": lambda a: a.kind,
    "text": lambda a: a.subject,
    "at": lambda a: _when_shown(_happened(a)),
    "body": lambda a: a.body or None,
}
"""A logged activity's value behind each field of its edit form."""


def _activity_changes(activity: ActivityRead, v: dict[str, Any]) -> dict[str, Any]:
    """What the activity form's values change, as ``crm.activities.edit`` takes them."""
    changes: dict[str, Any] = {}
    if v["text"] != activity.subject:
        changes["text"] = v["text"]
    if "kind" in v and v["kind"] != activity.kind:
        changes["kind"] = v["kind"]
    if "at" in v and _when_shown(v["at"]) != _when_shown(_happened(activity)):
        changes["at"] = v["at"]
    if "body" in v and _changed_text(activity.body, v["body"]):
        changes["body"] = v["body"] or ""
    return changes


def edit_activity_form(activity: ActivityRead, *, from_mailbox: bool = False) -> FormScreen:
    """Correct a logged call, email, meeting or note: kind, text, when and notes. An email
    logged from a mailbox (``from_mailbox``) offers its subject only: its time, body and
    kind stay as the message has them (the API refuses to change them)."""
    told: dict[str, object] = {}

    def save(crm: Crm, v: dict[str, Any]) -> ActivityRead:
        changes = _activity_changes(activity, v)
        now = stored_now(lambda activity_id: crm.activities.edit(activity_id), activity.id,
                         activity.kind)  # fmt: skip
        refuse_unseen(activity, now, changes, told, _ACTIVITY_SHOWN)
        return crm.activities.edit(activity.id, **changes)

    text = FormField(
        "text", "Subject" if from_mailbox else "What happened", activity.subject,
        "Walked through the proposal", required=True, words=("text", "subject"),
    )  # fmt: skip
    if from_mailbox:
        title, fields = f"Edit email from a mailbox (its subject) · {activity.subject}", [text]
    else:
        title = f"Edit {activity.kind} · {activity.subject}"
        fields = [
            FormField(
                "kind", "Kind", activity.kind, choices=[(k, k) for k in LOG_KINDS],
                required=True, words=("kind",),
            ),
            text,
            FormField(
                "at", "When", _when_shown(_happened(activity)) or "", "yesterday 15:00, -2d",
                required=True, parse=parse_when, words=("time", "when", "ahead"),
            ),
            FormField(
                "body", "Notes", plain(activity.body), "", words=("body", "notes"),
                multiline=True,
            ),
        ]  # fmt: skip
    return FormScreen(title, fields, save, id="edit-activity-form")

"""The activity forms: a logged call, email, meeting or note; a task (``screens.forms`` runs
them)."""

from __future__ import annotations

from typing import Any

from tinycrm.api import Crm
from tinycrm.api.models import ActivityRead
from tinycrm.tui.screens.form_fields import FormField
from tinycrm.tui.screens.form_values import parse_when
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

"""Correcting a task or a logged call, email, meeting or note, from any screen showing
one (the tasks screen, a record's tasks and timeline, the activity view): edit it in its
form (``activity_forms``: a task's text, due time, notes and links; an activity's kind,
text, time and notes; an email logged from a mailbox, its subject only), mark a done task
open again, delete either after a yes (``ConfirmScreen``). Writes go to the app's writer;
every screen reloads once one is saved (the app's change check)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from tinycrm.api.models import ActivityRead, ReopenedTask
from tinycrm.errors import NotFound, TinyCrmError
from tinycrm.tui.base import CrmScreen
from tinycrm.tui.screens.forms import FormScreen

Host = CrmScreen[Any]
After = Callable[[ActivityRead], Any]


def _noun(kind: str) -> str:
    return kind if kind == "task" else kind or "activity"


def _failed(host: Host, noun: str, label: str) -> Callable[[TinyCrmError], None]:
    """A refused write (``label``) said by name: one deleted elsewhere meanwhile is not "no
    task with id 5" (an id the user never saw)."""

    def failed(error: TinyCrmError) -> None:
        from tinycrm.tui.writer import WriteCancelled, refusal

        if isinstance(error, NotFound):
            host.notify(f"this {noun} was deleted elsewhere", severity="warning")
        elif not isinstance(error, WriteCancelled):
            host.notify(refusal(label, error), title="Not saved", severity="error")

    return failed


def edit(host: Host, activity_id: int, *, after: After | None = None) -> None:
    """Open the edit form of the task or activity ``activity_id``, read afresh (in a
    worker: the keys typed meanwhile go to the form)."""
    host.crm_app.hold_keys()
    host.run_worker(
        partial(_read_form, host, activity_id, after),
        thread=True,
        group="activity-edit",
        exit_on_error=False,
    )


def _read_form(host: Host, activity_id: int, after: After | None) -> None:
    from tinycrm.tui.screens.activity_forms import edit_activity_form, edit_task_form

    form: FormScreen | None = None
    crm = host.crm
    try:
        activity = crm.activities.get(activity_id)
        if activity.kind == "task":
            form = edit_task_form(activity)
        else:
            mailbox = activity.kind == "email" and crm.activities.from_mailbox(activity_id)
            form = edit_activity_form(activity, from_mailbox=mailbox)
    except NotFound:  # not "no activity with id 5": an id the user never saw
        message = "this task or activity was deleted elsewhere"
        host.app.call_from_thread(host.notify, message, severity="warning")
    except TinyCrmError as exc:
        host.app.call_from_thread(host.notify, str(exc), severity="error")
    finally:  # the keys held act again, in the form when it opens
        host.app.call_from_thread(_open_form, host, form, after)


def _open_form(host: Host, form: FormScreen | None, after: After | None) -> None:
    typed = host.crm_app.held_keys()
    if form is None or not host.is_attached:
        return
    form.type_ahead(typed)

    def saved(result: ActivityRead | None) -> None:
        if result is not None:
            host.notify(f"Saved: {result.subject}")
            if after is not None:
                after(result)

    host.app.push_screen(form, saved)


def reopen(host: Host, task_id: int, subject: str, *, after: After | None = None) -> None:
    """Mark the done task ``task_id`` open again; the notice says what became of the next
    occurrence a repeating task's completion made (taken back, or kept: changed since)."""

    def done(task: ReopenedTask) -> None:
        said = f"Open again: {task.subject}"
        if task.next_removed is not None:
            said += "; its next occurrence, made when it was done, is removed"
        elif task.next_kept is not None:
            said += "; its next occurrence stays (changed since it was made)"
        host.notify(said)
        if after is not None:
            after(task)

    label = f"reopen task {subject}"
    host.crm_app.run_write(
        partial(host.crm.tasks.reopen, task_id),
        done=done,
        failed=_failed(host, "task", label),
        label=label,
    )


def delete(
    host: Host, activity_id: int, kind: str, subject: str, *, after: After | None = None
) -> None:
    """Ask, then delete the task or logged activity ``activity_id`` (``kind``)."""
    from tinycrm.tui.screens.confirm import ConfirmScreen

    noun = _noun(kind)
    remove = host.crm.tasks.remove if kind == "task" else host.crm.activities.remove

    def done(removed: ActivityRead) -> None:
        host.notify(f"Deleted {noun}: {removed.subject}")
        if after is not None:
            after(removed)

    def answered(yes: bool | None) -> None:
        if yes:
            label = f"delete {noun} {subject}"
            host.crm_app.run_write(
                partial(remove, activity_id),
                done=done,
                failed=_failed(host, noun, label),
                label=label,
            )

    question = f"Delete {noun} “{subject}”? This cannot be undone."
    host.app.push_screen(ConfirmScreen(question), answered)

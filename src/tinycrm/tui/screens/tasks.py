"""What needs you now, then every open task.

The top list is ``tinycrm next``: the same ranked queue (``crm.next()``), in the
same order and with the same reasons (an overdue task's with the time it was due).
Below it, open tasks grouped Overdue / Today / Upcoming. Tab switches between the
two; the keys act on the highlighted row of the focused list: ``d`` (or space)
completes a task, ``l`` logs a call, email, meeting or note about the row's deal or
contact, ``t`` adds a task for it (in the task list: a task of its own), enter opens
its record. A task is corrected in place: ``e`` edits it, delete deletes it (after a
yes), and ``o`` opens again one of the tasks done lately, listed last (done by
mistake). After a write both lists reload, so an item that was dealt with leaves
the queue or drops down it.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from tinycrm.api.models import ActivityRead, NextAction
from tinycrm.errors import TinyCrmError
from tinycrm.tui import format as fmt
from tinycrm.tui.base import CrmScreen
from tinycrm.tui.messages import DataChanged, RowChosen
from tinycrm.tui.widgets.keybar import KeyBar
from tinycrm.tui.widgets.rows import Part, Row, RowList

UPCOMING_LIMIT = 500
NEXT_LIMIT = 20
"""How many items of the ``tinycrm next`` queue the screen shows (the command's default)."""
DONE_LIMIT = 10
"""How many of the tasks done last the task list shows, under the open ones (``o`` opens
one again)."""

KINDS: dict[str, Part] = {
    "overdue": ("overdue", "error"),
    "today": ("due today", "warning"),
    "reminder": ("reminder", "warning"),
    "rotting": ("rotting", "warning"),
    "closing": ("closing", "accent"),
    "keep_in_touch": ("keep in touch", "accent"),
    "renewal": ("contract", "accent"),
    "quote_expiring": ("quote expires", "warning"),
    "sla_at_risk": ("SLA soon", "warning"),
    "sla_breached": ("SLA breached", "error"),
    "no_next_step": ("no next step", "muted"),
}
"""A queue item's reasons (``NextAction.kinds``) as badges, flush right."""

Groups = tuple[list[ActivityRead], list[ActivityRead], list[ActivityRead], list[ActivityRead]]
"""The task list's groups: overdue, today, upcoming, done lately."""

Target = tuple[str, int, str]
"""The record a row is about: kind (deal, contact, company), id, name for form titles."""


def _about(task: ActivityRead) -> str:
    return " · ".join(p for p in (task.deal, task.contact, task.company) if p)


def _due(task: ActivityRead, now: datetime, role: str) -> list[Part]:
    """``2026-11-24 09:00``, then ``  tomorrow`` when that says more than the date: two parts,
    so a narrow row leaves out the second first."""
    if task.due_at is None:
        return []
    when, off = fmt.due(task.due_at, now)
    return [(when, role), (f"  {off}" if off else "", role)]


def _task_target(task: ActivityRead | None) -> Target | None:
    """The record a task is about: its deal, else its contact, else its company."""
    if task is None:
        return None
    for kind, value, name in (
        ("deal", task.deal_id, task.deal),
        ("contact", task.contact_id, task.contact),
        ("company", task.company_id, task.company),
    ):
        if value is not None:
            return kind, value, name or ""
    return None


def _queue_key(action: NextAction) -> str:
    kind = "task" if action.entity == "activity" else action.entity
    return f"{kind}:{action.entity_id}"


def _queue_reason(action: NextAction, now: datetime) -> str:
    """``tinycrm next``'s reason, with an overdue task's due time: its reason says when the
    task was due as ``tinycrm next`` does, "was due yesterday", "was due 2026-11-27", which
    on a screen of due times read as due at no time in particular (or at midnight)."""
    reason = action.reason
    if action.entity != "activity" or action.due_at is None or "overdue" not in action.kinds:
        return reason
    relative = fmt.relative(action.due_at, now)
    said = f"was due {relative}"
    if not reason.startswith(said) or relative.endswith((" h ago", " min ago", "just now")):
        return reason
    when = fmt.local(action.due_at)
    shown = when if when.startswith(relative) else f"{when} ({relative})"
    return f"was due {shown}{reason[len(said) :]}"


def _queue_row(action: NextAction, now: datetime) -> Row:
    badges: list[Part] = []
    for kind in dict.fromkeys(action.kinds):
        if badges:
            badges.append((" · ", "muted"))
        badges.append(KINDS.get(kind, (kind, "muted")))
    return Row.of(
        _queue_key(action),
        (f"{action.rank:>2}  ", "muted"),
        (action.title, "strong"),
        (f"   {_queue_reason(action, now)}", ""),
        right=badges,
    )


def _is_done(task: ActivityRead | None) -> bool:
    return task is not None and task.done_at is not None


def _subject(task: ActivityRead | None) -> str:
    """A task as a message names it: its subject, as the list shows it."""
    return task.subject if task is not None else "the task"


class TasksScreen(CrmScreen[None]):
    """The ``tinycrm next`` queue above every open task, grouped by when it is due."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="tasks.back"),
        Binding("d,space", "complete", "Done", id="tasks.done"),
        # priority: the keys read with them go to the form (see BoardScreen.BINDINGS)
        Binding("l", "log", "Log activity", id="tasks.log", priority=True),
        Binding("t", "add", "Add task", id="tasks.add", priority=True),
        Binding("e", "edit", "Edit", id="tasks.edit", priority=True),  # opens a form
        Binding("o", "reopen", "Reopen", id="tasks.reopen"),
        Binding("delete", "delete", "Delete", key_display="del", id="tasks.delete"),
        Binding("tab", "switch", "Next up/tasks", id="tasks.switch"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="tasks-screen")
        self.tasks: dict[int, ActivityRead] = {}
        self.queue: dict[str, NextAction] = {}
        self._acted = False

    def compose(self) -> ComposeResult:
        yield Static(" Tasks", id="list-title")
        yield Static("Next up", id="next-title", classes="section-title")
        yield RowList(id="next-list", empty="Nothing needs your attention right now.")
        yield Static("Open tasks", id="task-title", classes="section-title")
        yield RowList(id="task-list", empty="No open tasks. t adds one.")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#next-list", RowList).focus()
        self.reload()

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="tasks-load", exit_on_error=False)
    def _load(self) -> None:
        tasks_of = self.crm.tasks
        now = self.crm_app.now()
        try:
            queue = self.crm.next(now=now, limit=NEXT_LIMIT)
            overdue = tasks_of.list("overdue", now=now)
            today = tasks_of.list("today", now=now)
            upcoming = tasks_of.list("upcoming", now=now, limit=UPCOMING_LIMIT)
            done = tasks_of.list("done", now=now, limit=DONE_LIMIT)
            known = {t.id for t in (*overdue, *today, *upcoming)}
            # A task the queue names (a reminder due past the upcoming limit) but not loaded:
            if any(a.entity == "activity" and a.entity_id not in known for a in queue):
                all_open = tasks_of.list("open", now=now)
            else:
                all_open = []
        except TinyCrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        late = {t.id for t in overdue}
        today = [t for t in today if t.id not in late]
        tasks = {t.id: t for t in (*all_open, *overdue, *today, *upcoming, *done)}
        groups = (overdue, today, upcoming, done)
        self.app.call_from_thread(self._apply, queue, tasks, groups, now)

    def _apply(
        self,
        queue: list[NextAction],
        tasks: dict[int, ActivityRead],
        groups: Groups,
        now: datetime,
    ) -> None:
        if self not in self.app.screen_stack:
            return
        self.tasks = tasks
        self.queue = {_queue_key(a): a for a in queue}
        # After acting on an item, the cursor stays where it was: the next item moves up
        # under it. Otherwise (a change from elsewhere) it stays on the item it was on.
        keep = "" if self._acted else None
        self._acted = False
        self.query_one("#next-list", RowList).set_rows(
            [_queue_row(a, now) for a in queue], keep=keep
        )
        title = f"Next up ({len(queue)}) · most pressing first" if queue else "Next up"
        self.query_one("#next-title", Static).update(title)
        self.query_one("#task-list", RowList).set_rows(self._task_rows(groups, now), keep=keep)
        self.refresh_bindings()

    def _task_rows(
        self,
        groups: Groups,
        now: datetime,
    ) -> list[Row]:
        rows: list[Row] = []
        for title, tasks, role in zip(
            ("Overdue", "Today", "Upcoming"), groups[:3], ("error", "warning", "muted"), strict=True
        ):
            if not tasks:
                continue
            rows.append(Row.heading(f"{title} ({len(tasks)})"))
            for task in tasks:
                rows.append(
                    Row.of(
                        f"task:{task.id}",
                        ("☐ ", "muted"),
                        (task.subject, "strong"),
                        (f"   {_about(task)}" if _about(task) else "", "muted"),
                        right=_due(task, now, role),
                    )
                )
        if groups[3]:
            if not rows:  # the list's own "No open tasks" is not shown above these
                rows.append(Row(None, ((("No open tasks  (t adds one)", "muted"),),)))
            rows.append(Row.heading("Done lately  (o opens one again)"))
            for task in groups[3]:
                when = task.done_at or task.created_at
                rows.append(
                    Row.of(
                        f"task:{task.id}",
                        ("☑ ", "muted"),
                        (task.subject, "muted"),
                        (f"   {_about(task)}" if _about(task) else "", "muted"),
                        right=[(f"done {fmt.relative(when, now)}", "muted")],
                    )
                )
        return rows

    def on_data_changed(self, message: DataChanged) -> None:
        self.reload()

    # ------------------------------------------------------------------ the highlighted row

    def _list(self) -> RowList | None:
        """The list the keys act on: the focused one (the queue when neither is).

        None before the screen is composed (bindings are checked that early).
        """
        focused = self.focused
        if isinstance(focused, RowList):
            return focused
        return next(iter(self.query("#next-list").results(RowList)), None)

    def _current_key(self) -> str | None:
        rows = self._list()
        return rows.current_key if rows is not None else None

    def _task_id(self, key: str | None) -> int | None:
        kind, _, value = (key or "").partition(":")
        return int(value) if kind == "task" else None

    def _target(self, key: str | None) -> Target | None:
        """The record the row ``key`` is about (a task's: its deal, contact or company)."""
        if key is None:
            return None
        task_id = self._task_id(key)
        if task_id is not None:
            return _task_target(self.tasks.get(task_id))
        kind, _, value = key.partition(":")
        if kind not in ("deal", "contact", "company"):
            return None  # a contract or a support case: enter opens it, nothing to log on
        action = self.queue.get(key)
        return kind, int(value), action.title if action else ""

    def _highlighted_task(self) -> tuple[int, ActivityRead | None] | None:
        """The task under the cursor (its id, and what the screen read of it)."""
        task_id = self._task_id(self._current_key())
        return None if task_id is None else (task_id, self.tasks.get(task_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        key = self._current_key()
        task = self._highlighted_task()
        if action == "complete":
            return True if task is not None and not _is_done(task[1]) else None
        if action in ("edit", "delete"):
            return True if task is not None else None
        if action == "reopen":
            return task is not None and _is_done(task[1])
        if action == "log":
            return True if self._target(key) is not None else None
        return True

    # ------------------------------------------------------------------ actions

    def on_row_chosen(self, message: RowChosen) -> None:
        message.stop()
        kind, _, value = message.key.partition(":")
        if kind in ("case", "contract"):
            self.crm_app.open_record(kind, int(value))
            return
        target = self._target(message.key)
        if target is None:
            self.notify("This task is not about a record.")
            return
        self.crm_app.open_record(target[0], target[1])

    def on_row_highlighted(self) -> None:
        self.refresh_bindings()

    def action_switch(self) -> None:
        rows = self._list()
        other = "#task-list" if rows is None or rows.id == "next-list" else "#next-list"
        self.query_one(other, RowList).focus()

    def action_complete(self) -> None:
        task = self._highlighted_task()
        if task is None or _is_done(task[1]):
            return
        task_id = task[0]
        self.crm_app.run_write(
            partial(self.crm.tasks.done, task_id),
            done=self._done,
            label=f"complete task {_subject(self.tasks.get(task_id))}",  # not its id: unseen
        )

    def _done(self, task: ActivityRead) -> None:
        self.notify(f"Done: {task.subject}")
        self._acted = True
        self.reload()

    def action_log(self) -> None:
        from tinycrm.tui.screens.activity_forms import log_form

        target = self._target(self._current_key())
        if target is None:
            return
        kind, record_id, label = target
        self.app.push_screen(log_form(kind, record_id, label), self._saved("Logged"))

    def action_add(self) -> None:
        """A task for the queue item's record; in the task list, a task of its own."""
        from tinycrm.tui.screens.activity_forms import task_form

        rows = self._list()
        in_queue = rows is not None and rows.id == "next-list"
        target = self._target(self._current_key()) if in_queue else None
        kind, record_id, label = target if target is not None else (None, None, "")
        form = task_form(kind, record_id, label)
        self.app.push_screen(form, self._saved("Added task"))

    def _saved(self, verb: str) -> Any:
        def done(result: Any) -> None:
            if result is not None:
                self.notify(f"{verb}: {result.subject}")
                self._acted = True
                self.reload()

        return done

    def _changed(self, _task: ActivityRead) -> None:
        self._acted = True
        self.reload()

    def action_edit(self) -> None:
        from tinycrm.tui.screens import activity_actions

        if (task := self._highlighted_task()) is not None:
            activity_actions.edit(self, task[0], after=self._changed)

    def action_reopen(self) -> None:
        from tinycrm.tui.screens import activity_actions

        task = self._highlighted_task()
        if task is not None and _is_done(task[1]):
            activity_actions.reopen(self, task[0], _subject(task[1]), after=self._changed)

    def action_delete(self) -> None:
        from tinycrm.tui.screens import activity_actions

        task = self._highlighted_task()
        if task is None:
            return
        subject = _subject(task[1])
        if task[1] is None and (action := self.queue.get(f"task:{task[0]}")) is not None:
            subject = action.title
        activity_actions.delete(self, task[0], "task", subject, after=self._changed)

    def action_back(self) -> None:
        self.app.pop_screen()

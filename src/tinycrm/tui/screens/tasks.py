"""Open tasks: overdue, due today, upcoming. ``d`` (or space) completes the highlighted one."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tinycrm.store import activities
from tinycrm.store.errors import StoreError
from tinycrm.store.models import ActivityRead
from tinycrm.tui import format as fmt
from tinycrm.tui.messages import DataChanged, RowChosen
from tinycrm.tui.widgets.keybar import KeyBar
from tinycrm.tui.widgets.rows import Row, RowList

UPCOMING_LIMIT = 500


def _about(task: ActivityRead) -> str:
    return " · ".join(p for p in (task.deal, task.contact, task.company) if p)


def _due(task: ActivityRead, now: datetime) -> str:
    """``2026-11-24 09:00  tomorrow``; the relative part only when it says more than the date."""
    when = fmt.local(task.due_at)
    relative = fmt.relative(task.due_at, now)
    return when if when.startswith(relative) else f"{when}  {relative}"


class TasksScreen(Screen[None]):
    """Every open task, grouped by when it is due."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="tasks.back"),
        Binding("d,space", "complete", "Done", id="tasks.done"),
        Binding("t", "add", "Add task", id="tasks.add"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="tasks-screen")
        self.tasks: dict[str, ActivityRead] = {}

    @property
    def crm(self) -> Any:
        return self.app

    def compose(self) -> ComposeResult:
        yield Static(" Tasks", id="list-title")
        yield RowList(id="task-list", empty="No open tasks. t adds one.")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(RowList).focus()
        self.reload()

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="tasks-load", exit_on_error=False)
    def _load(self) -> None:
        store = self.crm.store
        now = self.crm.now()
        try:
            overdue = activities.list_tasks(store, scope="overdue", now=now)
            today = activities.list_tasks(store, scope="today", now=now)
            upcoming = activities.list_tasks(store, scope="upcoming", now=now, limit=UPCOMING_LIMIT)
        except StoreError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        late = {t.id for t in overdue}
        today = [t for t in today if t.id not in late]
        self.app.call_from_thread(self._apply, overdue, today, upcoming, now)

    def _apply(
        self,
        overdue: list[ActivityRead],
        today: list[ActivityRead],
        upcoming: list[ActivityRead],
        now: datetime,
    ) -> None:
        if self not in self.app.screen_stack:
            return
        rows: list[Row] = []
        self.tasks = {}
        for title, tasks, role in (
            ("Overdue", overdue, "error"),
            ("Today", today, "warning"),
            ("Upcoming", upcoming, "muted"),
        ):
            if not tasks:
                continue
            rows.append(Row.heading(f"{title} ({len(tasks)})"))
            for task in tasks:
                key = f"task:{task.id}"
                self.tasks[key] = task
                rows.append(
                    Row.of(
                        key,
                        ("☐ ", "muted"),
                        (task.subject, "strong"),
                        (f"   {_about(task)}" if _about(task) else "", "muted"),
                        right=[
                            (f"{fmt.local(task.due_at)}  {fmt.relative(task.due_at, now)}", role)
                        ],
                    )
                )
        self.query_one(RowList).set_rows(rows)

    def on_data_changed(self, message: DataChanged) -> None:
        self.reload()

    def on_row_chosen(self, message: RowChosen) -> None:
        message.stop()
        task = self.tasks.get(message.key)
        if task is None:
            return
        for kind, value in (
            ("deal", task.deal_id),
            ("contact", task.contact_id),
            ("company", task.company_id),
        ):
            if value is not None:
                self.crm.open_record(kind, value)
                return
        self.notify("This task is not about a record.")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "complete":
            return True if self.query_one(RowList).current_key else None
        return True

    def action_complete(self) -> None:
        key = self.query_one(RowList).current_key
        if key is None:
            return
        task_id = int(key.partition(":")[2])
        self.crm.run_write(
            partial(activities.complete_task, self.crm.store, task_id),
            done=self._done,
        )

    def _done(self, task: ActivityRead) -> None:
        self.notify(f"Done: {task.subject}")
        self.reload()

    def action_add(self) -> None:
        from tinycrm.tui.screens.forms import task_form

        def added(task: Any) -> None:
            if task is not None:
                self.notify(f"Added task: {task.subject}")
                self.reload()

        self.app.push_screen(task_form(self.crm.store, None, None, ""), added)

    def action_back(self) -> None:
        self.app.pop_screen()

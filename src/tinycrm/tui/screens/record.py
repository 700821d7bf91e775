"""Record views: what a deal's, a contact's and a company's view share.

From here a user logs a call, email, meeting or note (``l``), adds a task
(``t``), completes the highlighted task (``d``) and edits the record (``e``);
the highlighted task (of the open tasks) or activity (of the timeline) is edited
with ``E``, deleted with delete (after a yes), and a done one opened again with ``o``;
the deal's view (``deal_record``) moves, wins, loses and reopens it, the
contact's and the company's (``contact_company_records``) list what they are
linked to.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tinycrm.api.models import ActivityRead
from tinycrm.errors import NotFound, TinyCrmError
from tinycrm.tui import format as fmt
from tinycrm.tui.base import CrmScreen
from tinycrm.tui.messages import DataChanged, RowChosen, RowHighlighted
from tinycrm.tui.screens.forms import FormScreen
from tinycrm.tui.screens.timeline import timeline_rows
from tinycrm.tui.widgets.keybar import KeyBar
from tinycrm.tui.widgets.rows import Part, Row, RowList
from tinycrm.tui.widgets.text import Details, Folded, whole_pieces

NBSP = "\u00a0"
"""Joins the words of "in 2 days": a row cuts a part between words ("in 2…"), not at it."""

DETAIL_LIMIT = 2000
"""The most characters of one value the details show: a value of 50,000 characters (an
import, another program) laid out whole took seconds to open the view."""


def _detail(value: Any) -> Folded:
    """One value of the details: escaped, and cut to ``DETAIL_LIMIT`` characters; a word
    wider than the column (an email, a link) folded where it still reads as itself."""
    if isinstance(value, Text):
        return Folded(value)
    shown = fmt.block(value)
    if len(shown) > DETAIL_LIMIT:
        whole = value if isinstance(value, str) else shown
        shown = f"{shown[:DETAIL_LIMIT]}… ({len(whole):,} characters)"
    return Folded(Text(shown))


def record_details(rows: list[tuple[str, Any]]) -> Details:
    return Details(
        [
            (Text(fmt.text(label)), _detail(value))
            for label, value in rows
            if value not in (None, "", [], {})
        ]
    )


def _task_rows(tasks: list[ActivityRead], now: datetime) -> list[Row]:
    """Two lines a task: its subject, then when it is due as the tasks screen says it
    (``fmt.due``): "overdue 2026-11-20 14:30", "due 2026-12-04 09:00  tomorrow"; how far
    off is left out whole where the column has no room for it."""
    rows = []
    for task in tasks:
        if task.due_at is None:
            due: tuple[Part, ...] = (("  no due date", "muted"),)
        else:
            overdue = task.due_at < now
            when, off = fmt.due(task.due_at, now)
            due = (
                (f"  {'overdue' if overdue else 'due'} {when}", "error" if overdue else "muted"),
                (f"  {off.replace(' ', NBSP)}" if off else "", "muted"),  # whole or not at all
            )
        rows.append(Row(f"task:{task.id}", ((("☐ ", "muted"), (task.subject, "")), due)))
    return rows


class RecordScreen(CrmScreen[None]):
    """What every record view shares: layout, loading, tasks, timeline, logging."""

    kind: ClassVar[str] = ""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (70, "-wide")]
    """Under 70 columns the timeline goes under the details (the stylesheet's -narrow)."""

    BINDINGS = [
        Binding("escape,backspace", "back", "Back", id="record.back"),
        # The keys that open a form have priority: the keys read with them go to the form
        # (see BoardScreen.BINDINGS).
        # The key bar's words are short, so the keys for what is highlighted fit in 80
        # columns (E Edit item and del Delete were left out); ? says them in full (tooltip).
        Binding("l", "log", "Log", tooltip="Log activity", id="record.log", priority=True),
        Binding("t", "add_task", "Task", tooltip="Add task", id="record.task", priority=True),
        Binding("d,space", "complete_task", "Done", tooltip="Task done", id="record.done"),
        Binding("e", "edit", "Edit", id="record.edit", priority=True),
        Binding("v", "read", "Read", id="record.read"),
        Binding("E", "edit_item", "Edit item", id="record.edit_item", priority=True),
        Binding("o", "reopen_task", "Reopen task", id="record.reopen_task"),
        Binding(
            "delete",
            "delete_item",
            "Delete",
            tooltip="Delete item",
            key_display="del",
            id="record.delete",
        ),
    ]
    KEYS_FIRST: ClassVar[tuple[str, ...]] = (
        "record.edit",
        "record.done",
        "record.log",
        "record.task",
        "record.edit_item",
        "record.delete",
        "record.read",
    )
    """The keys a narrow key bar keeps first (``KeyBar.first``): those for what the view
    shows (its record, its tasks, its timeline), edit the first (the most used here), then
    the highlighted item's, v Read the last (⏎ on an activity of the timeline reads it
    too); ⏎ Open and esc Back after."""

    _title: tuple[str, str, str, str] = ("", "", "", "")

    def __init__(self, record_id: int) -> None:
        super().__init__(classes="record-screen")
        self.record_id = record_id
        self.view: Any = None
        self.targets: dict[str, tuple[str, int]] = {}
        self._deleted = False
        """Deleted elsewhere while under another view: closes when shown again."""

    @property
    def label(self) -> str:
        return ""

    def compose(self) -> ComposeResult:
        yield Static("Loading…", id="record-title")
        with Horizontal(id="record-body"):
            with Vertical(id="record-side"):
                with VerticalScroll(id="record-details-box"):
                    yield Static(id="record-details")
                yield Static("Linked records", classes="section-title")
                yield RowList(id="linked", empty="Nothing linked")
                yield Static("Open tasks", classes="section-title")
                yield RowList(id="tasks", row_height=2, empty="No open tasks  (t adds one)")
            with Vertical(id="record-main"):
                yield Static("Timeline", classes="section-title")
                yield RowList(
                    id="timeline", empty="Nothing yet  (l logs a call, email, meeting or note)"
                )
        yield KeyBar(first=self.KEYS_FIRST)

    def on_mount(self) -> None:
        for rows in self.query(RowList):
            rows.choosable = lambda key: self._chosen(key) is not None
        self.query_one("#timeline").focus()
        self.reload()

    # ------------------------------------------------------------------ loading

    def fetch(self) -> Any:
        raise NotImplementedError

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="record-load", exit_on_error=False)
    def _load(self) -> None:
        try:
            view = self.fetch()
        except NotFound as exc:
            self.app.call_from_thread(self._gone, exc)
            return
        except TinyCrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._apply, view)

    def _gone(self, error: TinyCrmError) -> None:
        """The record was deleted elsewhere: close its view and what is open on it (a
        form, an activity, the keys), and say so in one line, naming it as the view did
        (not "no deal matches '1'": an id the user never typed). Under another record's
        view, it closes when shown again (``on_screen_resume``)."""
        stack = self.app.screen_stack
        if self not in stack:
            return
        above = stack[stack.index(self) + 1 :]
        if not all(isinstance(screen, ModalScreen) for screen in above):
            self._deleted = True
            return
        for _ in above:
            self.app.pop_screen()
        self._close_deleted(form=any(isinstance(screen, FormScreen) for screen in above))

    def _close_deleted(self, *, form: bool = False) -> None:
        name = self.label or f"this {self.kind or 'record'}"
        said = f"{name} was deleted elsewhere"
        if form:
            said += "; the form open on it was closed, nothing in it saved"
        self.notify(said, severity="warning")
        self.dismiss(None)

    def on_screen_resume(self) -> None:
        if self._deleted:
            self._close_deleted()

    def _apply(self, view: Any) -> None:
        if self not in self.app.screen_stack:
            return
        self.view = view
        now = self.crm_app.now()
        title, details = self.describe(view)
        self.query_one("#record-title", Static).update(title)
        self.query_one("#record-details", Static).update(details)
        self.query_one("#linked", RowList).set_rows(self.linked(view))
        self.query_one("#tasks", RowList).set_rows(_task_rows(view.open_tasks, now))
        rows, targets = timeline_rows(view.activities, view.events, now, self.kind, self.label)
        self.targets = targets
        self.query_one("#timeline", RowList).set_rows(rows)
        self.refresh_bindings()

    def describe(self, view: Any) -> tuple[Text, Details]:
        raise NotImplementedError

    def linked(self, view: Any) -> list[Row]:
        return []

    def on_data_changed(self, message: DataChanged) -> None:
        self.reload()

    def title_line(self, kind: str, name: str, extra: str = "", role: str = "") -> Text:
        """The name, then as many whole pieces of ``extra`` as fit (``whole_pieces``)."""
        self._title = (kind, name, extra, role)
        text = Text()
        text.append(f" {kind} ", style="reverse")
        text.append(f" {fmt.text(name)}", style="bold")
        room = (self.size.width or 1_000_000) - text.cell_len - 2
        if extra and (shown := whole_pieces(extra, room)):
            text.append(f"  {shown}", style={"success": "green", "error": "red"}.get(role, "dim"))
        return text

    def on_resize(self) -> None:
        if self.view is not None:
            self.query_one("#record-title", Static).update(self.title_line(*self._title))

    # ------------------------------------------------------------------ actions

    def on_row_chosen(self, message: RowChosen) -> None:
        message.stop()
        if (choose := self._chosen(message.key)) is not None:
            choose()

    def _chosen(self, key: str) -> Callable[[], None] | None:
        """What enter does on the row ``key``: open the record it leads to, read an
        activity about this record; None where it does nothing (an event, an open task,
        this record itself), and the key bar dims ``⏎ Open`` there."""
        kind, _, value = key.partition(":")
        target: tuple[str, int]
        if kind in ("deal", "contact", "company"):
            target = (kind, int(value))
        elif kind == "case":
            return partial(self.crm_app.open_case, int(value))
        elif kind in ("item", "quote") and value.partition(":")[2]:
            target = ("deal", int(value.partition(":")[2]))  # its deal
        elif key in self.targets:
            target = self.targets[key]
            if target == (self.kind, self.record_id) and kind == "activity":
                return partial(self._read, int(value))  # about this record: enter reads it
        else:
            return None
        if target == (self.kind, self.record_id):
            return None
        return partial(self.crm_app.open_record, *target)

    def on_row_highlighted(self, message: RowHighlighted) -> None:
        self.refresh_bindings()

    def _timeline_activity(self) -> int | None:
        """The activity under the timeline's cursor, when the timeline has the focus."""
        timeline = self.query_one("#timeline", RowList)
        kind, _, value = (timeline.current_key or "").partition(":")
        return int(value) if self.focused is timeline and kind == "activity" else None

    def _item(self) -> ActivityRead | None:
        """The task or activity under the cursor of the focused list (the open tasks or the
        timeline), as the view read it."""
        focused = self.focused
        if (
            self.view is None
            or not isinstance(focused, RowList)
            or focused.id
            not in (
                "tasks",
                "timeline",
            )
        ):
            return None
        kind, _, value = (focused.current_key or "").partition(":")
        if kind not in ("task", "activity"):
            return None
        wanted = int(value)
        items = (*self.view.open_tasks, *self.view.activities)
        return next((item for item in items if item.id == wanted), None)

    def action_edit_item(self) -> None:
        from tinycrm.tui.screens import activity_actions

        if (item := self._item()) is not None:
            activity_actions.edit(self, item.id, after=lambda _item: self.reload())

    def action_reopen_task(self) -> None:
        from tinycrm.tui.screens import activity_actions

        item = self._item()
        if item is not None and item.kind == "task" and item.done_at is not None:
            activity_actions.reopen(self, item.id, item.subject, after=lambda _t: self.reload())

    def action_delete_item(self) -> None:
        from tinycrm.tui.screens import activity_actions

        if (item := self._item()) is not None:
            activity_actions.delete(
                self, item.id, item.kind, item.subject, after=lambda _item: self.reload()
            )

    def action_read(self) -> None:
        if (activity_id := self._timeline_activity()) is not None:
            self._read(activity_id)

    def _read(self, activity_id: int) -> None:
        from tinycrm.tui.screens.activity_view import ActivityScreen

        self.app.push_screen(ActivityScreen(activity_id, here=(self.kind, self.record_id)))

    def action_back(self) -> None:
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "complete_task":
            return True if self.query_one("#tasks", RowList).current_key else None
        if action in ("log", "add_task", "edit"):
            return True if self.view is not None else None
        if action == "read":
            return self._timeline_activity() is not None
        if action in ("edit_item", "delete_item"):
            return self._item() is not None
        if action == "reopen_task":
            item = self._item()
            return item is not None and item.kind == "task" and item.done_at is not None
        return True

    def action_log(self) -> None:
        from tinycrm.tui.screens.activity_forms import log_form

        if self.view is None:
            return
        form = log_form(self.kind, self.record_id, self.label)
        self.app.push_screen(form, self._saved("Logged"))

    def action_add_task(self) -> None:
        from tinycrm.tui.screens.activity_forms import task_form

        if self.view is None:
            return
        form = task_form(self.kind, self.record_id, self.label)
        self.app.push_screen(form, self._saved("Added task"))

    def _then(self, say: Callable[[Any], str]) -> Callable[[Any], None]:
        """What to do when a write is done: say what happened, show it."""

        def done(result: Any) -> None:
            self.notify(say(result))
            self.reload()

        return done

    def _saved(self, verb: str) -> Any:
        def done(result: Any) -> None:
            if result is not None:
                self.notify(f"{verb}: {getattr(result, 'subject', '')}".rstrip(": "))
                self.reload()

        return done

    def action_complete_task(self) -> None:
        key = self.query_one("#tasks", RowList).current_key
        if not key:
            return
        task_id = int(key.partition(":")[2])
        task = next((t for t in self.view.open_tasks if t.id == task_id), None)
        self.crm_app.run_write(
            partial(self.crm.tasks.done, task_id),
            done=self._then(lambda task: f"Done: {task.subject}"),
            label=f"complete task {task.subject if task else 'the task'}",  # not its id: unseen
        )

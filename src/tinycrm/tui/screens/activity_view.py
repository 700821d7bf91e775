"""Reading one activity: a call's, an email's, a meeting's or a note's whole text.

The feed and a record's timeline show an activity's kind and subject on one line; ``v``
there (and enter on a timeline's activity of the record itself) opens this view over
the screen: when, by whom, about what, and the body, scrollable. The body is shown as
stored with its controls escaped (``tinycrm.safetext``), and as plain text (never read
as markup); a word wider than the view (a link, an email) folds where it still reads as
itself, as a record's details fold it (``Folded``). Enter opens the record it is about, esc closes
(the key bar under it says so). ``e`` corrects it in its form, delete deletes it (after a
yes) and ``o`` opens a done task again (``activity_actions``).
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from tinycrm.api.models import ActivityRead
from tinycrm.errors import NotFound, TinyCrmError
from tinycrm.tui import format as fmt
from tinycrm.tui.base import CrmModalScreen
from tinycrm.tui.widgets.keybar import KeyBar
from tinycrm.tui.widgets.text import Folded, fit, whole_pieces

LINK_KINDS = ("deal", "contact", "company")


def target_of(activity: ActivityRead) -> tuple[str, int, str] | None:
    """The record enter opens from the activity: its deal, else contact, else company."""
    for kind in LINK_KINDS:
        record_id = getattr(activity, f"{kind}_id")
        if record_id is not None:
            return kind, record_id, getattr(activity, kind) or f"{kind} {record_id}"
    return None


class ActivityScreen(CrmModalScreen[None]):
    """One activity, read from the database by id (in a worker), body and all.

    ``here`` is the record the view was opened from: enter does not open it again.
    """

    BINDINGS = [
        Binding("escape,q,v", "close", "Close", id="activity.close"),
        Binding("enter", "open", "Open record", id="activity.open"),
        Binding("e", "edit", "Edit", id="activity.edit", priority=True),  # opens a form
        Binding("o", "reopen", "Reopen task", id="activity.reopen"),
        Binding("delete", "delete", "Delete", key_display="del", id="activity.delete"),
    ]

    VERTICAL_BREAKPOINTS = [(0, "-short"), (15, "-tall")]
    """Under 15 lines (-short) the view drops its padding and hint: in 8 lines they and
    the details took every line, and the text could not be scrolled to."""

    def __init__(self, activity_id: int, *, here: tuple[str, int] | None = None) -> None:
        super().__init__(classes="activity-screen")
        self.activity_id = activity_id
        self.here = here
        self.activity: ActivityRead | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="activity"):
            yield Static("Loading…", id="activity-title", classes="form-title", markup=False)
            with VerticalScroll(id="activity-body"):  # the details scroll with the text
                yield Static("", id="activity-details")
                yield Static("", id="activity-text", markup=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#activity-body").focus()
        self._load()

    @work(thread=True, exclusive=True, group="activity-load", exit_on_error=False)
    def _load(self) -> None:
        try:
            activity = self.crm.activities.get(self.activity_id)
        except TinyCrmError as exc:
            self.app.call_from_thread(self._failed, exc)
            return
        self.app.call_from_thread(self._show, activity)

    def _failed(self, error: TinyCrmError) -> None:
        if isinstance(error, NotFound):  # not "no activity matches '5'": an id never typed
            self.notify("this activity was deleted elsewhere", severity="warning")
        else:
            self.notify(fmt.message(error), severity="error")
        self.dismiss(None)

    def _show(self, activity: ActivityRead) -> None:
        self.activity = activity
        now = self.crm_app.now()
        width = max(20, self.query_one("#activity-title").size.width or 60)
        self.query_one("#activity-title", Static).update(
            fit(f"{activity.kind} · {activity.subject}", width)
        )
        when = activity.occurred_at or activity.done_at or activity.created_at
        # "(2026-11-20)" after "2026-11-20 14:30" says nothing; no time: other SQL's text
        at, ago = fmt.due(when, now) if when is not None else ("unreadable", "")
        rows: list[tuple[str, str]] = [
            ("When", f"{at}  ({ago})" if ago else at),
            ("By", activity.owner),
        ]
        if activity.due_at is not None:
            rows.append(("Due", fmt.local(activity.due_at)))
        rows += [(kind.title(), getattr(activity, kind)) for kind in LINK_KINDS]
        table = Table.grid(padding=(0, 2))
        labels = max((len(label) for label, value in rows if value), default=0)
        # how long ago whole or not at all: at 40 columns it read "(8 mi"
        rows[0] = ("When", whole_pieces(rows[0][1], width - labels - 2, "  "))
        # the labels whole (at 40 columns 'Co…' was the contact and the company), the values
        # cut with an ellipsis (Rich's table cuts a no-wrap cell without one)
        table.add_column(style="dim", no_wrap=True, min_width=labels)
        table.add_column(no_wrap=True)
        for label, value in rows:
            if value:
                table.add_row(label, Text(fit(fmt.text(value), width - labels - 2)))
        self.query_one("#activity-details", Static).update(table)
        body = fmt.block(activity.body).strip("\n")
        text = Text(body) if body else Text("No text beyond the subject.", style="dim")
        self.query_one("#activity-text", Static).update(Folded(text))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open":
            if self.activity is None:
                return None
            target = target_of(self.activity)
            return target is not None and target[:2] != self.here
        if action in ("edit", "delete"):
            return True if self.activity is not None else None
        if action == "reopen":
            return (
                self.activity is not None
                and self.activity.done_at is not None
                and (self.activity.kind == "task")
            )
        return True

    def action_open(self) -> None:
        if self.activity is None or (target := target_of(self.activity)) is None:
            return
        if target[:2] == self.here:
            return
        self.dismiss(None)
        self.crm_app.open_record(target[0], target[1])

    def action_edit(self) -> None:
        from tinycrm.tui.screens import activity_actions

        if self.activity is not None:
            activity_actions.edit(self, self.activity.id, after=self._show)

    def action_reopen(self) -> None:
        from tinycrm.tui.screens import activity_actions

        activity = self.activity
        if activity is not None and activity.kind == "task" and activity.done_at is not None:
            activity_actions.reopen(self, activity.id, activity.subject, after=self._show)

    def action_delete(self) -> None:
        from tinycrm.tui.screens import activity_actions

        activity = self.activity
        if activity is not None:
            activity_actions.delete(
                self, activity.id, activity.kind, activity.subject, after=self._deleted
            )

    def _deleted(self, _activity: ActivityRead) -> None:
        if self.app.screen is self:  # the question was answered: this view is on top again
            self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)

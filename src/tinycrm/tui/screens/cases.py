"""Support cases: every unresolved case by status and priority, with the highlighted
case's targets and thread below.

Grouped New / Open / Pending (``a`` adds the resolved and closed ones), most urgent
first within a group: priority, then the soonest due target. The keys act on the
highlighted case: ``r`` replies (the first reply is its first response), ``s`` changes
its status, ``v`` resolves it with the customer's CSAT score, ``o`` reopens a resolved
or closed one; enter opens its contact.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tinycrm.api import Crm
from tinycrm.api.models import CaseRead, CaseView
from tinycrm.business_hours import format_hours
from tinycrm.errors import TinyCrmError
from tinycrm.tui import format as fmt
from tinycrm.tui.base import CrmScreen
from tinycrm.tui.messages import DataChanged, RowChosen
from tinycrm.tui.screens.form_conflicts import attributes, refuse_unseen, stored_now
from tinycrm.tui.screens.form_fields import FormField
from tinycrm.tui.screens.forms import FormScreen
from tinycrm.tui.widgets.keybar import KeyBar
from tinycrm.tui.widgets.rows import Part, Row, RowList
from tinycrm.tui.widgets.text import Details, Folded
from tinycrm.vocab import CASE_STATUSES

GROUPS = ("new", "open", "pending", "resolved", "closed")
PRIORITY_ROLES = {"urgent": "error", "high": "warning", "normal": "", "low": "muted"}
THREAD_SHOWN = 6
"""How many of the newest messages the detail pane shows."""


def _key(case: CaseRead) -> str:
    return f"case:{case.id}"


def _next_due(case: CaseRead) -> datetime | None:
    if case.status not in ("new", "open", "pending"):
        return None
    return case.resolution_due_at if case.first_response_at else case.response_due_at


def _left(case: CaseRead) -> str:
    """``, 32h left``: the working time a paused case's clock has when it resumes."""
    left = case.resolution_left_hours
    return f", {format_hours(left)} left" if left is not None else ""


def case_row(case: CaseRead, now: datetime) -> Row:
    """One case: priority, subject, who, and flush right its next due time or breach."""
    right: list[Part] = []
    due = _next_due(case)
    if case.breached:
        right.append(("breached", "error"))
    if due is not None:
        if right:
            right.append((" · ", "muted"))
        what = "reply" if case.first_response_at is None else "resolve"
        right.append((f"{what} {fmt.relative(due, now)}", "warning" if due <= now else "muted"))
    elif case.first_response_at is not None and case.resolution_paused:
        right += [(" · ", "muted")] if right else []
        right.append((f"resolve: paused{_left(case)}", "muted"))
    if case.csat is not None:
        right += [(" · ", "muted")] if right else []
        right.append((f"CSAT {case.csat}/5", "success" if case.csat >= 4 else "muted"))
    who = case.company or case.contact or ""
    return Row.of(
        _key(case),
        (f"{case.priority:<7} ", PRIORITY_ROLES.get(case.priority, "")),
        (case.subject, "strong"),
        (f"   {who}" if who else "", "muted"),
        right=right,
    )


def case_rows(cases: list[CaseRead], now: datetime) -> list[Row]:
    """The cases grouped by status (in ``GROUPS`` order), a heading per group."""
    rows: list[Row] = []
    for status in GROUPS:
        mine = [c for c in cases if c.status == status]
        if mine:
            rows.append(Row.heading(f"{status.capitalize()} ({len(mine)})"))
            rows += [case_row(c, now) for c in mine]
    return rows


def _detail(view: CaseView | None) -> RenderableType:
    """The case's heading, its targets (each value wrapping in its own column beside its
    label, under it where the window leaves it no room: ``Details``) and its thread."""
    if view is None:
        return Text("No case selected", style="dim")
    case = view.case
    heading = Text()
    heading.append(f"#{case.id} ", style="dim")
    heading.append(fmt.text(case.subject), style="bold")
    heading.append(f"  {case.priority} · {case.status}", style="dim")
    rows = [
        (Text(label, style="bold cyan"), Folded(Text(fmt.text(str(value)))))
        for label, value in (
            ("contact", case.contact),
            ("company", case.company),
            ("opened", fmt.local(case.opened_at)),
            ("response due", fmt.local(case.response_due_at)),
            ("first response", fmt.local(case.first_response_at)),
            (
                "resolution due",
                f"paused (waiting on the customer){_left(case)}"
                if case.resolution_paused
                else fmt.local(case.resolution_due_at),
            ),
            ("resolved", fmt.local(case.resolved_at)),
            ("SLA", "breached" if case.breached else "within targets"),
            ("CSAT", f"{case.csat}/5" if case.csat is not None else None),
        )
        if value
    ]
    thread = Text()
    for message in view.thread[-THREAD_SHOWN:]:  # a blank line before each
        thread.append(
            f"\n\n{fmt.local(message.at)}  " if thread else f"\n{fmt.local(message.at)}  ",
            style="dim",
        )
        thread.append(fmt.text(message.author), style="bold")
        thread.append(f"  {message.kind}", style="dim")
        thread.append("\n" + fmt.block(message.body))  # its lines kept, controls escaped
    hidden = len(view.thread) - THREAD_SHOWN
    if hidden > 0:
        thread.append(f"\n\n… {hidden} earlier (tinycrm case show {case.id})", style="dim")
    return Group(heading, Details(rows, label_style=""), thread)


# --------------------------------------------------------------------------- forms


def reply_form(case_id: int, subject: str) -> FormScreen:
    """A reply to the customer (or, with kind "note", an internal note)."""
    return FormScreen(
        f"Reply · {subject}",
        [
            FormField(
                "text",
                "Reply",
                "",
                "What you tell the customer",
                required=True,
                words=("text", "reply"),
            ),
            FormField(
                "kind",
                "Kind",
                "reply",
                choices=[("reply (a response)", "reply"), ("internal note", "note")],
                required=True,
            ),
        ],
        lambda crm, v: crm.cases.reply(case_id, v["text"], note=v["kind"] == "note"),
        submit_label="Send",
        id="reply-form",
    )


def status_form(case_id: int, subject: str, current: str) -> FormScreen:
    """Move a case to another status: the form says the status now, and offers the next
    one (new → open → pending → resolved → closed; a closed case: open). A status
    changed elsewhere while the form was open is not overwritten unseen: the form says
    what it is now, and a second save puts the form's in."""
    others = [(s, s) for s in CASE_STATUSES if s != current]
    later = CASE_STATUSES[CASE_STATUSES.index(current) + 1 :] if current in CASE_STATUSES else ()
    offered = later[0] if later else "open"
    told: dict[str, object] = {}

    def save(crm: Crm, v: dict[str, Any]) -> CaseRead:
        now = stored_now(crm.cases.lock, case_id, "case")  # locked in the write
        before = SimpleNamespace(status=current)
        refuse_unseen(before, now, {"status": v["status"]}, told, attributes("status"))
        return crm.cases.set_status(case_id, v["status"])

    return FormScreen(
        f"Status · {subject} · now {current}",
        [FormField("status", "Status", offered, choices=others, required=True, words=("status",))],
        save,
        submit_label="Change",
        id="status-form",
    )


def _csat(text: str) -> int | None:
    clean = text.strip()
    if not clean:
        return None
    if clean not in ("1", "2", "3", "4", "5"):
        raise ValueError("CSAT is a whole number 1-5")
    return int(clean)


def resolve_form(case_id: int, subject: str) -> FormScreen:
    """Resolve a case, with the customer's satisfaction score when known."""
    return FormScreen(
        f"Resolve · {subject}",
        [
            FormField(
                "csat", "CSAT (1-5)", "", "empty: not known yet", parse=_csat, words=("csat",)
            ),
            FormField("comment", "Comment", "", "what the customer said", words=("comment",)),
        ],
        lambda crm, v: crm.cases.resolve(case_id, csat=v["csat"], comment=v["comment"] or None),
        submit_label="Resolve",
        id="resolve-form",
    )


# --------------------------------------------------------------------------- the screen


class CasesScreen(CrmScreen[None]):
    """Support cases by status and priority, the highlighted one's thread below."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="cases.back"),
        # priority: the keys read with them go to the form (see BoardScreen.BINDINGS)
        Binding("r", "reply", "Reply", id="cases.reply", priority=True),
        Binding("s", "status", "Status", id="cases.status", priority=True),
        Binding("v", "resolve", "Resolve", id="cases.resolve", priority=True),
        Binding("o", "reopen", "Reopen", id="cases.reopen"),
        Binding("a", "toggle_all", "All/unresolved", id="cases.all"),
    ]

    def __init__(self, focus_case: int | None = None) -> None:
        super().__init__(classes="cases-screen")
        self.cases: dict[int, CaseRead] = {}
        self.show_all = False
        self.focus_case = focus_case
        self.view: CaseView | None = None

    def compose(self) -> ComposeResult:
        yield Static(" Cases", id="list-title")
        yield RowList(id="case-list", empty="No open cases.")
        with VerticalScroll(id="case-detail-box"):
            yield Static(id="case-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#case-list", RowList).focus()
        self.reload()

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="cases-load", exit_on_error=False)
    def _load(self) -> None:
        try:
            cases = self.crm.cases.list(status=None if self.show_all else "unresolved")
        except TinyCrmError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._apply, cases)

    def _apply(self, cases: list[CaseRead]) -> None:
        if self not in self.app.screen_stack:
            return
        self.cases = {c.id: c for c in cases}
        keep = f"case:{self.focus_case}" if self.focus_case is not None else None
        self.focus_case = None
        rows = self.query_one("#case-list", RowList)
        rows.set_rows(case_rows(cases, self.crm_app.now()), keep=keep)
        unresolved = sum(c.status in ("new", "open", "pending") for c in cases)
        breached = sum(c.breached for c in cases if c.status in ("new", "open", "pending"))
        title = f" Cases · {unresolved} unresolved" + (f", {breached} breached" if breached else "")
        self.query_one("#list-title", Static).update(title + ("  (all)" if self.show_all else ""))
        self._load_detail(self._current())
        self.refresh_bindings()

    @work(thread=True, exclusive=True, group="case-detail", exit_on_error=False)
    def _load_detail(self, case_id: int | None) -> None:
        view = None
        if case_id is not None:
            try:
                view = self.crm.cases.show(case_id)
            except TinyCrmError:
                view = None
        self.app.call_from_thread(self._show_detail, view)

    def _show_detail(self, view: CaseView | None) -> None:
        if self not in self.app.screen_stack:
            return
        self.view = view
        self.query_one("#case-detail", Static).update(_detail(view))

    def on_data_changed(self, message: DataChanged) -> None:
        self.reload()

    # ------------------------------------------------------------------ the highlighted case

    def _current(self) -> int | None:
        rows = next(iter(self.query("#case-list").results(RowList)), None)
        key = rows.current_key if rows is not None else None
        kind, _, value = (key or "").partition(":")
        return int(value) if kind == "case" else None

    def _case(self) -> CaseRead | None:
        case_id = self._current()
        return self.cases.get(case_id) if case_id is not None else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        case = self._case()
        unresolved = case is not None and case.status in ("new", "open", "pending")
        if action in ("reply", "resolve"):
            return True if unresolved else None
        if action == "reopen":
            return True if case is not None and not unresolved else None
        if action == "status":
            return True if case is not None else None
        return True

    def on_row_highlighted(self) -> None:
        self.refresh_bindings()
        self._load_detail(self._current())

    def on_row_chosen(self, message: RowChosen) -> None:
        message.stop()
        case = self._case()
        if case is not None and case.contact_id is not None:
            self.crm_app.open_record("contact", case.contact_id)

    # ------------------------------------------------------------------ actions

    def _after(self, verb: str) -> Any:
        def done(result: Any) -> None:
            if result is not None:
                self.notify(f"{verb}: #{result.id} {result.subject}")
                self.reload()

        return done

    def action_reply(self) -> None:
        case = self._case()
        if case is not None:
            self.app.push_screen(reply_form(case.id, case.subject), self._after("Replied"))

    def action_status(self) -> None:
        case = self._case()
        if case is not None:
            form = status_form(case.id, case.subject, case.status)
            self.app.push_screen(form, self._after("Status changed"))

    def action_resolve(self) -> None:
        case = self._case()
        if case is not None:
            self.app.push_screen(resolve_form(case.id, case.subject), self._after("Resolved"))

    def action_reopen(self) -> None:
        case = self._case()
        if case is None:
            return
        self.crm_app.run_write(
            lambda: self.crm.cases.reopen(case.id),
            done=self._after("Reopened"),
            label=f"reopen case #{case.id}",
        )

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.reload()

    def action_back(self) -> None:
        self.app.pop_screen()

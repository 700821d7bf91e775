"""Record views: a deal, a contact or a company with its details, links, tasks and timeline.

From here a user logs a call, email, meeting or note (``l``), adds a task
(``t``), completes the highlighted task (``d``), edits the record (``e``) and,
on a deal, moves it (``<`` ``>``), wins it (``w``), loses it (``x``) or
reopens it (``r``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from tinycrm.api.models import (
    ActivityRead,
    CaseRead,
    CompanyView,
    ContactView,
    ContractRead,
    DealItemRead,
    DealItems,
    DealRead,
    DealView,
    EventRead,
    QuoteRead,
)
from tinycrm.errors import NotFound, TinyCrmError
from tinycrm.tui import format as fmt
from tinycrm.tui.base import CrmScreen
from tinycrm.tui.messages import DataChanged, RowChosen, RowHighlighted
from tinycrm.tui.moves import move_from
from tinycrm.tui.widgets.keybar import KeyBar
from tinycrm.tui.widgets.rows import Row, RowList
from tinycrm.tui.widgets.text import Details, Folded, whole_pieces

STATUS_ROLES = {"open": "accent", "won": "success", "lost": "error"}


def record_screen(kind: str, record_id: int) -> RecordScreen:
    """The screen that shows a record of ``kind``."""
    screen_type = {"deal": DealScreen, "contact": ContactScreen, "company": CompanyScreen}[kind]
    return screen_type(record_id)


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


def _details(rows: list[tuple[str, Any]]) -> Details:
    return Details(
        [
            (Text(fmt.text(label)), _detail(value))
            for label, value in rows
            if value not in (None, "", [], {})
        ]
    )


def _task_rows(tasks: list[ActivityRead], now: datetime) -> list[Row]:
    rows = []
    for task in tasks:
        overdue = task.due_at is not None and task.due_at < now
        due = fmt.relative(task.due_at, now) if task.due_at else ""
        rows.append(
            Row.of(
                f"task:{task.id}",
                ("☐ ", "muted"),
                (task.subject, ""),
                right=[
                    (("overdue " if overdue else "due ") + due, "error" if overdue else "muted")
                ],
            )
        )
    return rows


def _event_text(event: EventRead, here: str, name: str) -> str:
    """An event's summary without its action (the row's label) and without the record
    shown (``here``, named ``name``): "moved deal Acme renewal: Lead-in → Qualified" is
    "Lead-in → Qualified" on that deal's timeline. A name the record no longer has stays."""
    summary = event.summary
    if summary.startswith(event.action + " "):  # "moved deal X: A → B" under "moved"
        summary = summary[len(event.action) + 1 :]
    own = f"{here} {name}"
    if event.entity == here and name and summary.startswith(own):
        rest = summary[len(own) :]
        if not rest or rest[0] in " :;,":
            summary = rest.lstrip(" :;,")
    return summary


def _timeline(
    items: list[ActivityRead],
    events: list[EventRead],
    now: datetime,
    here: str,
    name: str = "",
) -> tuple[list[Row], dict[str, tuple[str, int]]]:
    """Activities and events merged, newest first; with where each row leads.

    ``here`` is the kind of record the timeline belongs to, ``name`` its name: neither is
    repeated on each row.
    """
    entries: list[tuple[datetime, Row]] = []
    targets: dict[str, tuple[str, int]] = {}
    for item in items:
        when = item.occurred_at or item.done_at or item.created_at
        label = "task ✓" if item.kind == "task" and item.done_at else item.kind
        key = f"activity:{item.id}"
        links = {"deal": item.deal, "contact": item.contact, "company": item.company}
        about = " · ".join(name for kind, name in links.items() if name and kind != here)
        entries.append(
            (
                when,
                Row.of(
                    key,
                    (f"{label:<8}", "accent"),
                    (item.subject, "strong"),
                    (f"  {about}" if about else "", "muted"),
                    right=[(fmt.relative(when, now), "muted")],
                ),
            )
        )
        for kind, value in (
            ("deal", item.deal_id),
            ("contact", item.contact_id),
            ("company", item.company_id),
        ):
            if value is not None:
                targets.setdefault(key, (kind, value))
    for event in events:
        key = f"event:{event.id}"
        summary = _event_text(event, here, name)
        entries.append(
            (
                event.at,
                Row.of(
                    key,
                    (f"{event.action:<8}", STATUS_ROLES.get(event.action, "muted")),
                    (summary, ""),
                    (f"  {event.actor}", "muted"),
                    right=[(fmt.relative(event.at, now), "muted")],
                ),
            )
        )
    entries.sort(key=lambda pair: pair[0], reverse=True)
    return [row for _, row in entries], targets


class RecordScreen(CrmScreen[None]):
    """What every record view shares: layout, loading, tasks, timeline, logging."""

    kind: ClassVar[str] = ""

    BINDINGS = [
        Binding("escape,backspace", "back", "Back", id="record.back"),
        Binding("l", "log", "Log activity", id="record.log"),
        Binding("t", "add_task", "Add task", id="record.task"),
        Binding("d,space", "complete_task", "Task done", id="record.done"),
        Binding("e", "edit", "Edit", id="record.edit"),
        Binding("v", "read", "Read", id="record.read"),
    ]
    KEYS_FIRST: ClassVar[tuple[str, ...]] = (
        "record.edit",
        "record.done",
        "record.log",
        "record.task",
        "record.read",
    )
    """The keys a narrow key bar keeps first (``KeyBar.first``): those for what the view
    shows (its record, its tasks, its timeline), edit the first (the most used here), v Read
    the last (⏎ on an activity of the timeline reads it too); ⏎ Open and esc Back after."""

    _title: tuple[str, str, str, str] = ("", "", "", "")

    def __init__(self, record_id: int) -> None:
        super().__init__(classes="record-screen")
        self.record_id = record_id
        self.view: Any = None
        self.targets: dict[str, tuple[str, int]] = {}

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
                yield RowList(id="tasks", empty="No open tasks  (t adds one)")
            with Vertical(id="record-main"):
                yield Static("Timeline", classes="section-title")
                yield RowList(
                    id="timeline", empty="Nothing yet  (l logs a call, email, meeting or note)"
                )
        yield KeyBar(first=self.KEYS_FIRST)

    def on_mount(self) -> None:
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
        if self in self.app.screen_stack:
            self.notify(f"{error} (deleted elsewhere?)", severity="warning")
            if self.app.screen is self:
                self.app.pop_screen()

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
        rows, targets = _timeline(view.activities, view.events, now, self.kind, self.label)
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
        key = message.key
        kind, _, value = key.partition(":")
        if kind in ("deal", "contact", "company"):
            self.crm_app.open_record(kind, int(value))
        elif kind == "case":
            self.crm_app.open_case(int(value))
        elif kind in ("item", "quote") and value.partition(":")[2]:
            self.crm_app.open_record("deal", int(value.partition(":")[2]))  # its deal
        elif key in self.targets:
            target_kind, target_id = self.targets[key]
            if (target_kind, target_id) != (self.kind, self.record_id):
                self.crm_app.open_record(target_kind, target_id)
            elif kind == "activity":  # about this record: enter reads it
                self._read(int(value))

    def on_row_highlighted(self, message: RowHighlighted) -> None:
        self.refresh_bindings()

    def _timeline_activity(self) -> int | None:
        """The activity under the timeline's cursor, when the timeline has the focus."""
        timeline = self.query_one("#timeline", RowList)
        kind, _, value = (timeline.current_key or "").partition(":")
        return int(value) if self.focused is timeline and kind == "activity" else None

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
        self.crm_app.run_write(
            partial(self.crm.tasks.done, task_id),
            done=self._then(lambda task: f"Done: {task.subject}"),
            label=f"complete task #{task_id}",
        )


@dataclass(frozen=True)
class DealPage:
    """A deal's view, with its pipeline's stage ids in order (what < and > step through)."""

    whole: DealView
    stage_ids: list[int]
    items: DealItems | None = None
    quotes: list[QuoteRead] = field(default_factory=list)
    stage_names: list[str] = field(default_factory=list)

    @property
    def deal(self) -> DealRead:
        return self.whole.deal

    @property
    def history(self) -> list[Any]:
        return self.whole.history

    @property
    def open_tasks(self) -> list[ActivityRead]:
        return self.whole.open_tasks

    @property
    def activities(self) -> list[ActivityRead]:
        return self.whole.activities

    @property
    def events(self) -> list[EventRead]:
        return self.whole.events


class DealScreen(RecordScreen):
    kind = "deal"

    BINDINGS = [
        Binding(
            "shift+left,less_than_sign",
            "move(-1)",
            "Move back",
            key_display="⇧← <",
            id="deal.move_back",
        ),
        Binding(
            "shift+right,greater_than_sign",
            "move(1)",
            "Move on",
            key_display="⇧→ >",
            id="deal.move_on",
        ),
        Binding("w", "win", "Won", id="deal.won"),
        Binding("x", "lose", "Lost", id="deal.lost"),
        Binding("r", "reopen", "Reopen", id="deal.reopen"),
    ]
    KEYS_FIRST = (
        "record.edit",
        "deal.won",
        "deal.lost",
        "deal.reopen",
        *RecordScreen.KEYS_FIRST[1:],
        "deal.move_on",
        "deal.move_back",
    )

    @property
    def deal(self) -> DealRead | None:
        return self.view.deal if self.view else None

    @property
    def label(self) -> str:
        return self.deal.title if self.deal else ""

    def fetch(self) -> DealPage:
        view = self.crm.deals.show(self.record_id)
        pipeline = self.crm.pipelines.get(view.deal.pipeline_id)
        items = self.crm.deals.items.list(view.deal.id)
        quotes = self.crm.quotes.list(deal=str(view.deal.id))
        stages = pipeline.stages
        return DealPage(view, [s.id for s in stages], items, quotes, [s.name for s in stages])

    def describe(self, view: DealPage) -> tuple[Text, Details]:
        deal = view.deal
        money = fmt.amount(deal.amount, deal.currency)
        status = deal.status if deal.status != "open" else deal.stage
        title = self.title_line(
            "DEAL",
            deal.title,
            f"{status} · {money}".strip(" ·"),
            "success" if deal.status == "won" else "error" if deal.status == "lost" else "",
        )
        stage = Text(fmt.text(f"{deal.stage} ({deal.pipeline})"))
        prob = f"{deal.probability}%" + (" (set on the deal)" if deal.probability_override else "")
        rows: list[tuple[str, Any]] = [
            ("stage", stage),
            ("status", Text(deal.status, style=STATUS_ROLES_STYLE.get(deal.status, ""))),
            ("amount", money + (" (its line items)" if view.items and view.items.items else "")),
            *_recurring(view.items),
            ("probability", prob),
            ("close date", deal.close_date.isoformat() if deal.close_date else ""),
            ("contact", deal.contact),
            ("company", deal.company),
            ("lost reason", deal.lost_reason),
            ("closed", fmt.local(deal.closed_at) if deal.closed_at else ""),
            ("owner", deal.owner),
            ("tags", ", ".join(deal.tags)),
        ]
        rows += [(f"· {k}", v) for k, v in deal.fields.items()]
        rows += [("created", fmt.local(deal.created_at)), ("updated", fmt.local(deal.updated_at))]
        history = [
            f"{fmt.local(h.at)}  {h.from_stage or '—'} → {h.to_stage or '—'} ({h.to_status})"
            for h in view.history
        ]
        if history:
            rows.append(("history", "\n".join(history[-6:])))
        return title, _details(rows)

    def linked(self, view: DealPage) -> list[Row]:
        deal = view.deal
        rows = []
        if deal.contact_id:
            rows.append(
                Row.of(
                    f"contact:{deal.contact_id}", ("contact  ", "muted"), (deal.contact or "", "")
                )
            )
        if deal.company_id:
            rows.append(
                Row.of(
                    f"company:{deal.company_id}", ("company  ", "muted"), (deal.company or "", "")
                )
            )
        items = view.items.items if view.items else []
        return rows + _sales_rows(items, view.quotes)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        deal = self.deal
        if action in ("move", "win", "lose"):
            return True if deal is not None and deal.status == "open" else None
        if action == "reopen":
            return bool(deal is not None and deal.status != "open")
        return super().check_action(action, parameters)

    def action_move(self, delta: int) -> None:
        deal = self.deal
        if deal is None or deal.status != "open":
            return
        ids = self.view.stage_ids
        index = ids.index(deal.stage_id) + delta if deal.stage_id in ids else -1
        if not 0 <= index < len(ids):
            edge = "first" if delta < 0 else "last"
            self.notify(f"{deal.title} is in the {edge} stage", timeout=3)
            return
        self.crm_app.run_write(
            partial(
                move_from,
                self.crm,
                deal.id,
                deal.stage_id,
                ids[index],
                self.view.stage_names[index],
            ),
            done=self._then(lambda moved: f"Moved to {moved.stage}"),
            label=f"move {deal.title} to the {'next' if delta > 0 else 'previous'} stage",
        )

    def action_win(self) -> None:
        deal = self.deal
        if deal is not None and deal.status == "open":
            self.crm_app.run_write(
                partial(self.crm.deals.win, deal.id),
                done=self._then(lambda won: f"Won {won.title}"),
                label=f"mark {deal.title} won",
            )

    def action_lose(self) -> None:
        from tinycrm.tui.screens.deal_forms import lost_form

        deal = self.deal
        if deal is not None and deal.status == "open":
            self.app.push_screen(lost_form(deal.id, deal.title), self._saved("Marked lost"))

    def action_reopen(self) -> None:
        deal = self.deal
        if deal is not None and deal.status != "open":
            self.crm_app.run_write(
                partial(self.crm.deals.reopen, deal.id),
                done=self._then(lambda deal: f"Reopened in {deal.stage}"),
                label=f"reopen {deal.title}",
            )

    def action_edit(self) -> None:
        from tinycrm.tui.screens.deal_forms import edit_deal_form

        if self.deal is not None:
            self.app.push_screen(edit_deal_form(self.deal), self._saved("Saved"))


STATUS_ROLES_STYLE = {"open": "bold", "won": "bold green", "lost": "bold red"}


@dataclass(frozen=True)
class AfterSale:
    """A contact's or company's view with its contracts and open cases beside it."""

    view: Any
    contracts: list[ContractRead]
    cases: list[CaseRead]
    items: list[DealItemRead] = field(default_factory=list)
    quotes: list[QuoteRead] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.view, name)


def _recurring(items: DealItems | None) -> list[tuple[str, Any]]:
    if items is None or items.arr is None:
        return []
    mrr, arr = fmt.amount(items.mrr, items.currency), fmt.amount(items.arr, items.currency)
    return [("recurring", f"MRR {mrr} · ARR {arr}")]


def _sales_rows(items: list[DealItemRead], quotes: list[QuoteRead]) -> list[Row]:
    """A deal's line items and quotes (choosing one opens its deal)."""
    rows = []
    for item in items:
        every = f" / {item.recurring}" if item.recurring else ""
        rows.append(
            Row.of(
                f"item:{item.id}:{item.deal_id}",
                ("item     ", "muted"),
                (f"{item.quantity} × {item.product}", ""),
                (f"  {item.deal}", "muted"),
                right=[(fmt.amount(item.net, item.currency) + every, "muted")],
            )
        )
    for quote in quotes:
        role = {"accepted": "success", "declined": "error", "expired": "warning"}
        rows.append(
            Row.of(
                f"quote:{quote.id}:{quote.deal_id or ''}",
                ("quote    ", "muted"),
                (quote.number, ""),
                (f"  {quote.status}", role.get(quote.status, "muted")),
                right=[(fmt.amount(quote.total, quote.currency), "muted")],
            )
        )
    return rows


def _after_sale_rows(page: AfterSale) -> list[Row]:
    rows = _sales_rows(page.items, page.quotes)
    for contract in page.contracts:
        renews = "renews" if contract.auto_renew else "ends"
        rows.append(
            Row.of(
                f"contract:{contract.id}",
                ("contract ", "muted"),
                (contract.title, ""),
                (f"  {contract.status}", "success" if contract.status == "active" else "muted"),
                right=[(f"{renews} {contract.end_date}", "muted")],
            )
        )
    for case in page.cases:
        role = "error" if case.breached else ("warning" if case.priority == "urgent" else "muted")
        rows.append(
            Row.of(
                f"case:{case.id}",
                ("case     ", "muted"),
                (case.subject, ""),
                (f"  {case.priority} · {case.status}", role),
                right=[("breached", "error")] if case.breached else [],
            )
        )
    return rows


class ContactScreen(RecordScreen):
    kind = "contact"

    @property
    def label(self) -> str:
        return self.view.contact.name if self.view else ""

    def fetch(self) -> AfterSale:
        view = self.crm.contacts.show(self.record_id)
        key = str(self.record_id)
        deal_ids = [deal.id for deal in view.deals]
        return AfterSale(
            view,
            self.crm.contracts.list(contact=key),
            self.crm.cases.list(contact=key),
            self.crm.deals.items.of_deals(deal_ids),
            self.crm.quotes.of_deals(deal_ids),
        )

    def describe(self, view: ContactView) -> tuple[Text, Details]:
        c = view.contact
        title = self.title_line("CONTACT", c.name, " · ".join(p for p in (c.title, c.company) if p))
        rows: list[tuple[str, Any]] = [
            ("email", c.email),
            ("phone", c.phone),
            ("title", c.title),
            ("role", c.role),
            ("company", c.company),
            ("lifecycle", c.lifecycle),
            ("source", c.source),
            ("owner", c.owner),
            ("tags", ", ".join(c.tags)),
        ]
        rows += [(f"· {k}", v) for k, v in c.fields.items()]
        rows += [("notes", c.notes), ("created", fmt.local(c.created_at))]
        return title, _details(rows)

    def linked(self, view: AfterSale) -> list[Row]:
        rows = []
        if view.company is not None:
            rows.append(
                Row.of(
                    f"company:{view.company.id}", ("company  ", "muted"), (view.company.name, "")
                )
            )
        rows += [_deal_row(deal) for deal in view.deals]
        return rows + _after_sale_rows(view)

    def action_edit(self) -> None:
        from tinycrm.tui.screens.contact_company_forms import edit_contact_form

        if self.view is not None:
            form = edit_contact_form(self.view.contact)
            self.app.push_screen(form, self._saved("Saved"))


class CompanyScreen(RecordScreen):
    kind = "company"

    @property
    def label(self) -> str:
        return self.view.company.name if self.view else ""

    def fetch(self) -> AfterSale:
        view = self.crm.companies.show(self.record_id)
        key = str(self.record_id)
        deal_ids = [deal.id for deal in view.deals]
        return AfterSale(
            view,
            self.crm.contracts.list(company=key),
            self.crm.cases.list(company=key),
            self.crm.deals.items.of_deals(deal_ids),
            self.crm.quotes.of_deals(deal_ids),
        )

    def describe(self, view: CompanyView) -> tuple[Text, Details]:
        c = view.company
        where = ", ".join(p for p in (c.city, c.country) if p)
        title = self.title_line("COMPANY", c.name, " · ".join(p for p in (c.industry, where) if p))
        rows: list[tuple[str, Any]] = [
            ("domain", c.domain),
            ("industry", c.industry),
            ("size", f"{c.size:,}" if c.size is not None else None),
            ("phone", c.phone),
            ("address", c.address),
            ("city", c.city),
            ("country", c.country),
            ("owner", c.owner),
            ("tags", ", ".join(c.tags)),
        ]
        rows += [(f"· {k}", v) for k, v in c.fields.items()]
        rows += [("created", fmt.local(c.created_at))]
        return title, _details(rows)

    def linked(self, view: AfterSale) -> list[Row]:
        rows = [
            Row.of(
                f"contact:{person.id}",
                ("contact  ", "muted"),
                (person.name, ""),
                (f"  {person.title}" if person.title else "", "muted"),
            )
            for person in view.contacts
        ]
        rows += [_deal_row(deal) for deal in view.deals]
        return rows + _after_sale_rows(view)

    def action_edit(self) -> None:
        from tinycrm.tui.screens.contact_company_forms import edit_company_form

        if self.view is not None:
            form = edit_company_form(self.view.company)
            self.app.push_screen(form, self._saved("Saved"))


def _deal_row(deal: DealRead) -> Row:
    where = deal.stage if deal.status == "open" else deal.status
    return Row.of(
        f"deal:{deal.id}",
        ("deal     ", "muted"),
        (deal.title, ""),
        (f"  {where}", STATUS_ROLES.get(deal.status, "muted")),
        right=[(fmt.amount(deal.amount, deal.currency), "muted")],
    )

"""A deal's view: its details, line items and quotes; ``<`` ``>`` move it, ``w`` wins it,
``x`` loses it and ``r`` reopens it."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from rich.text import Text
from textual.binding import Binding

from tinycrm.api.models import (
    ActivityRead,
    DealItemRead,
    DealItems,
    DealRead,
    DealView,
    EventRead,
    QuoteRead,
)
from tinycrm.errors import TinyCrmWarning
from tinycrm.tui import format as fmt
from tinycrm.tui.moves import move_from, on_deal
from tinycrm.tui.screens.record import RecordScreen, record_details
from tinycrm.tui.widgets.rows import Row
from tinycrm.tui.widgets.text import Details


@dataclass(frozen=True)
class DealPage:
    """A deal's view, with its pipeline's stage ids in order (what < and > step through)."""

    whole: DealView
    stage_ids: list[int]
    items: DealItems | None = None
    quotes: list[QuoteRead] = field(default_factory=list)
    stage_names: list[str] = field(default_factory=list)
    amount_warning: str | None = None
    """What the store said of an amount it could not read (other SQL wrote ``1e20``): the
    deal shows none, and its view says why."""

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
        Binding("x", "lose", "Lost", id="deal.lost", priority=True),  # opens a form
        Binding("r", "reopen", "Reopen", id="deal.reopen"),
    ]
    _amount_told: str | None = None
    """The unreadable amount already said (``DealPage.amount_warning``)."""

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
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", TinyCrmWarning)
            view = self.crm.deals.show(self.record_id)
        said = [str(w.message) for w in caught if issubclass(w.category, TinyCrmWarning)]
        odd = next((message for message in said if "amount is stored as" in message), None)
        pipeline = self.crm.pipelines.get(view.deal.pipeline_id)
        items = self.crm.deals.items.list(view.deal.id)
        quotes = self.crm.quotes.list(deal=str(view.deal.id))
        stages = pipeline.stages
        names = [s.name for s in stages]
        warning = odd if view.deal.amount is None else None
        return DealPage(view, [s.id for s in stages], items, quotes, names, warning)

    def _apply(self, view: Any) -> None:
        super()._apply(view)
        said = view.amount_warning
        if said and said != self._amount_told and self in self.app.screen_stack:
            self._amount_told = said  # once, not at each reload; the store's line names the deal
            self.notify(fmt.text(said), severity="warning", timeout=10)

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
            ("amount", _amount_shown(view, money)),
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
        return title, record_details(rows)

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
        return rows + sales_rows(items, view.quotes)

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
                deal.title,
            ),
            done=self._then(lambda moved: f"Moved to {moved.stage}"),
            label=f"move {deal.title} to the {'next' if delta > 0 else 'previous'} stage",
        )

    def action_win(self) -> None:
        deal = self.deal
        if deal is not None and deal.status == "open":
            self.crm_app.run_write(
                partial(
                    on_deal, self.crm, deal.id, deal.title, partial(self.crm.deals.win, deal.id)
                ),
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
                partial(
                    on_deal, self.crm, deal.id, deal.title, partial(self.crm.deals.reopen, deal.id)
                ),
                done=self._then(lambda deal: f"Reopened in {deal.stage}"),
                label=f"reopen {deal.title}",
            )

    def action_edit(self) -> None:
        from tinycrm.tui.screens.deal_forms import edit_deal_form

        if self.deal is not None:
            self.app.push_screen(edit_deal_form(self.deal), self._saved("Saved"))


STATUS_ROLES_STYLE = {"open": "bold", "won": "bold green", "lost": "bold red"}


def _recurring(items: DealItems | None) -> list[tuple[str, Any]]:
    if items is None or items.arr is None:
        return []
    mrr, arr = fmt.amount(items.mrr, items.currency), fmt.amount(items.arr, items.currency)
    return [("recurring", f"MRR {mrr} · ARR {arr}")]


def sales_rows(items: list[DealItemRead], quotes: list[QuoteRead]) -> list[Row]:
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


def _amount_shown(view: DealPage, money: str) -> Any:
    """The amount row: the amount (from the line items, when it is their sum), or that the
    stored one is unreadable."""
    if view.amount_warning:
        return Text("amount is unreadable: give it again (e)", style="bold yellow")
    return money + (" (its line items)" if view.items and view.items.items else "")

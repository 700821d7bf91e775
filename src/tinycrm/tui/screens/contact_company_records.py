"""A contact's and a company's view: their details, and the deals, line items, quotes,
contracts and support cases they are linked to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.text import Text

from tinycrm.api.models import (
    CaseRead,
    CompanyView,
    ContactView,
    ContractRead,
    DealItemRead,
    DealRead,
    QuoteRead,
)
from tinycrm.tui import format as fmt
from tinycrm.tui.screens.deal_record import sales_rows
from tinycrm.tui.screens.record import RecordScreen, record_details
from tinycrm.tui.screens.timeline import STATUS_ROLES
from tinycrm.tui.widgets.rows import Row
from tinycrm.tui.widgets.text import Details


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


def _after_sale_rows(page: AfterSale) -> list[Row]:
    rows = sales_rows(page.items, page.quotes)
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
        return title, record_details(rows)

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
        return title, record_details(rows)

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

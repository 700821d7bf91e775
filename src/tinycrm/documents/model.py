"""What a rendered quote holds: text ready to print, no database rows."""

from __future__ import annotations

from dataclasses import dataclass, field

HEADERS = ("#", "Description", "Qty", "Unit price", "Discount", "Tax", "Net")
"""The columns of a quote's table of lines."""


@dataclass(frozen=True)
class Party:
    """The seller or the customer: a name and the lines under it."""

    name: str | None
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentLine:
    position: int
    description: str  # the product, its SKU and period
    quantity: str  # "3 seat"
    unit_price: str
    discount: str  # "10%" or ""
    tax: str  # "19%"
    net: str

    def cells(self) -> tuple[str, ...]:
        """The row under :data:`HEADERS`."""
        return (
            str(self.position),
            self.description,
            self.quantity,
            self.unit_price,
            self.discount,
            self.tax,
            self.net,
        )


@dataclass(frozen=True)
class TaxRow:
    label: str  # "Tax 19% on €267.30"
    amount: str


@dataclass(frozen=True)
class QuoteDocument:
    number: str
    status: str
    issued: str  # the day it was made
    valid_until: str
    currency: str
    seller: Party
    customer: Party
    deal: str
    lines: tuple[DocumentLine, ...]
    subtotal: str
    discount: str | None  # None: no discounts
    net: str
    taxes: tuple[TaxRow, ...]
    total: str
    notes: str | None = None
    payment_terms: str | None = None
    footer: tuple[str, ...] = field(default=())  # e.g. the seller's tax id

    def title(self) -> str:
        return f"Quote {self.number}"

    def facts(self) -> list[tuple[str, str]]:
        """The header's label and value pairs."""
        return [
            ("Quote", self.number),
            ("Date", self.issued),
            ("Valid until", self.valid_until),
            ("Currency", self.currency),
            ("For", self.deal),
        ]

    def totals(self) -> list[tuple[str, str]]:
        """The lines under the table, down to the total."""
        rows = [("Subtotal", self.subtotal)]
        if self.discount is not None:
            rows.append(("Discounts", self.discount))
            rows.append(("Net", self.net))
        rows += [(t.label, t.amount) for t in self.taxes]
        rows.append(("Total", self.total))
        return rows

"""Products, deal line items and quotes: their tables and the read models the store returns.

Amounts are integers of the currency's minor units (``*_minor``); quantities and
percentages integers of thousandths (``tinycrm.pricing.stored``). A deal item is the
product as it was when added (name, price, tax), editable; a quote's lines and customer
are frozen copies, so later changes to the deal or the catalogue never change a quote.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, case
from sqlmodel import Field, col

from tinycrm.store.models import IDS_NEVER_REUSED, ReadModel, TableModel
from tinycrm.store.sums import exact_sum
from tinycrm.store.types import MinorUnits, Number, StoredDate, UTCDateTime, utcnow


def _fk(target: str, ondelete: str, *, nullable: bool = True, index: bool = True) -> Column:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


def _minor(nullable: bool = False) -> Column:
    return Column(BigInteger, nullable=nullable)


def _stamp() -> Column:
    return Column(UTCDateTime(), nullable=False, default=utcnow)


# --------------------------------------------------------------------------- tables


class Product(TableModel, table=True):
    """An item of the catalogue: a price in one currency, a tax rate, maybe recurring."""

    __table_args__ = IDS_NEVER_REUSED

    id: int | None = Field(default=None, primary_key=True)
    name: str
    name_key: str = Field(unique=True)
    sku: str | None = Field(default=None, unique=True)
    description: str | None = None
    # None: other SQL stored no whole number of minor units (MinorUnits; named when read)
    price_minor: int | None = Field(sa_column=Column(MinorUnits("product"), nullable=False))
    currency: str
    tax_rate: int = 0  # thousandths of a percent: 19% is 19000
    unit: str | None = None
    recurring: str | None = None  # month, year, or None (one-off)
    archived_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(sa_column=_stamp())
    updated_at: datetime = Field(sa_column=_stamp())


class DealItem(TableModel, table=True):
    """A line item of a deal: a product, how many, at what price and discount."""

    __tablename__ = "deal_item"
    # The next position is the largest + 1: one step down this index (0030).
    __table_args__ = (Index("ix_deal_item_deal_position", "deal_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(sa_column=_fk("deal.id", "CASCADE", nullable=False, index=False))
    product_id: int = Field(sa_column=_fk("product.id", "RESTRICT", nullable=False))
    position: int
    name: str
    sku: str | None = None
    unit: str | None = None
    recurring: str | None = None
    quantity: int = Field(sa_column=_minor())  # thousandths
    unit_price_minor: int = Field(sa_column=_minor())
    discount: int = 0  # thousandths of a percent
    tax_rate: int = 0  # thousandths of a percent
    net_minor: int = Field(sa_column=_minor())  # gross − discount, rounded (tinycrm.pricing)
    created_at: datetime = Field(sa_column=_stamp())
    updated_at: datetime = Field(sa_column=_stamp())


def line_key(line: DealItem | QuoteLine) -> tuple[int, int, int, int, int]:
    """What a deal's item and a quote's line are compared by: the product, quantity,
    price, discount and tax (a quote matches its deal while the sorted keys are equal)."""
    product = -1 if line.product_id is None else line.product_id
    return (product, line.quantity, line.unit_price_minor, line.discount, line.tax_rate)


def annual_sum() -> Any:
    """SQL: the exact sum (``exact_sum``, read with ``whole``) of deal items' ARR in minor
    units (monthly × 12, yearly, else 0); here beside the table, so a report sums it
    without the items' write module. Multiplied inside the exact sum: a net × 12 in SQL
    passes 64 bits for amounts of four decimals (CLF 10**14 a month)."""
    factor = case(
        (col(DealItem.recurring) == "month", 12),
        (col(DealItem.recurring) == "year", 1),
        else_=0,
    )
    return exact_sum(col(DealItem.net_minor), factor)


class QuoteCounter(TableModel, table=True):
    """The last quote number handed out in a year: numbers are never reused."""

    __tablename__ = "quote_counter"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class Quote(TableModel, table=True):
    """A numbered quote: the deal's items, customer and totals frozen when it was made."""

    __table_args__ = IDS_NEVER_REUSED

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True)  # Q-2026-0001
    year: int
    deal_id: int | None = Field(default=None, sa_column=_fk("deal.id", "SET NULL"))
    status: str = Field(default="draft", index=True)  # draft, sent, accepted, declined
    currency: str
    valid_until: date = Field(sa_column=Column(StoredDate(), nullable=False, index=True))
    notes: str | None = None
    deal_title: str
    company: str | None = None
    company_address: str | None = None
    contact: str | None = None
    contact_email: str | None = None
    subtotal_minor: int = Field(sa_column=_minor())
    discount_minor: int = Field(sa_column=_minor())
    net_minor: int = Field(sa_column=_minor())
    tax_minor: int = Field(sa_column=_minor())
    total_minor: int = Field(sa_column=_minor())
    owner: str
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    decided_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(sa_column=_stamp())
    updated_at: datetime = Field(sa_column=_stamp())


class QuoteLine(TableModel, table=True):
    """One frozen line of a quote with its rounded figures."""

    __tablename__ = "quote_line"

    id: int | None = Field(default=None, primary_key=True)
    quote_id: int = Field(sa_column=_fk("quote.id", "CASCADE", nullable=False))
    product_id: int | None = Field(default=None, sa_column=_fk("product.id", "RESTRICT"))
    position: int
    name: str
    sku: str | None = None
    unit: str | None = None
    recurring: str | None = None
    quantity: int = Field(sa_column=_minor())
    unit_price_minor: int = Field(sa_column=_minor())
    discount: int = 0
    tax_rate: int = 0
    gross_minor: int = Field(sa_column=_minor())
    discount_minor: int = Field(sa_column=_minor())
    net_minor: int = Field(sa_column=_minor())
    tax_minor: int = Field(sa_column=_minor())


# --------------------------------------------------------------------------- read models


class ProductRead(ReadModel):
    id: int
    name: str
    sku: str | None
    description: str | None
    price: Number | None  # None: other SQL stored no whole number of minor units
    currency: str
    tax: Number  # percent
    unit: str | None
    recurring: str | None
    archived: bool
    archived_at: datetime | None
    created_at: datetime | None  # None: unreadable (other SQL wrote no time)
    updated_at: datetime | None


class DealItemRead(ReadModel):
    id: int
    deal_id: int
    deal: str
    position: int
    product_id: int
    product: str
    sku: str | None
    unit: str | None
    recurring: str | None
    quantity: Number
    unit_price: Number
    discount: Number  # percent
    tax: Number  # percent
    net: Number  # quantity × price − discount, rounded to the currency's minor unit
    currency: str


class DealItems(ReadModel):
    """A deal's line items with what they add up to (the deal's amount and MRR/ARR)."""

    deal_id: int
    deal: str
    currency: str
    items: list[DealItemRead]
    amount: Number | None  # Σ net, None without items
    mrr: Number | None  # None without recurring items
    arr: Number | None


class QuoteLineRead(ReadModel):
    position: int
    product_id: int | None
    name: str
    sku: str | None
    unit: str | None
    recurring: str | None
    quantity: Number
    unit_price: Number
    discount: Number  # percent
    tax: Number  # percent
    gross: Number
    discount_amount: Number
    net: Number
    tax_amount: Number


class QuoteTaxRead(ReadModel):
    rate: Number  # percent
    base: Number
    tax: Number


class QuoteRead(ReadModel):
    id: int
    number: str
    status: str  # draft, sent, accepted, declined, or expired (past valid_until, undecided)
    deal_id: int | None
    deal: str
    currency: str
    valid_until: date
    notes: str | None
    company: str | None
    company_address: str | None
    contact: str | None
    contact_email: str | None
    subtotal: Number
    discount: Number
    net: Number
    tax: Number
    total: Number
    taxes: list[QuoteTaxRead]
    lines: list[QuoteLineRead]
    owner: str
    sent_at: datetime | None
    decided_at: datetime | None
    created_at: datetime | None  # None: unreadable (other SQL wrote no time)
    updated_at: datetime | None


class QuoteHeadRead(ReadModel):
    """A quote without its lines and taxes: what ``quote list`` shows as a table or CSV
    (``QuoteRead``'s fields in its order, less ``taxes`` and ``lines``)."""

    id: int
    number: str
    status: str
    deal_id: int | None
    deal: str
    currency: str
    valid_until: date
    notes: str | None
    company: str | None
    company_address: str | None
    contact: str | None
    contact_email: str | None
    subtotal: Number
    discount: Number
    net: Number
    tax: Number
    total: Number
    owner: str
    sent_at: datetime | None
    decided_at: datetime | None
    created_at: datetime | None  # None: unreadable (other SQL wrote no time)
    updated_at: datetime | None

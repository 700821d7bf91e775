"""The demo's catalogue: a few products, line items on some open deals and quotes.

Planned like the rest of the demo (each write at its moment, in time order). The items
on a deal add up to the amount it already had (a services line at that price), so every
figure the rest of the demo shows stays as it was.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from tinycrm.demo.data import STAGES
from tinycrm.store import deal_items, products, quotes

PRODUCTS = (
    # name, price, currency, sku, tax %, unit, recurring, description
    ("Core plan", "49", "EUR", "CORE-M", "19", "seat", "month", "The CRM platform, per seat"),
    ("Analytics add-on", "190", "EUR", "ANA-Y", "19", "seat", "year", "Dashboards and exports"),
    ("Onboarding workshop", "1500", "EUR", "ONB-1", "19", "day", None, "On site, one day"),
    ("Implementation services", "950", "EUR", "IMPL", "19", "day", None, "Consulting days"),
    ("Core plan (US)", "55", "USD", "CORE-US", "0", "seat", "month", None),
)
QUOTED_DEALS = 3
LATE_STAGES = (STAGES.index("Proposal"), STAGES.index("Negotiation"))


def plan_catalogue(builder: Any) -> None:
    """Schedule on ``builder`` (``tinycrm.demo.builder.Builder``): the products 60 days
    ago, then on the first open EUR deals in late stages a services item at the deal's
    amount and a quote (the first one sent)."""
    store, now = builder.store, builder.now
    for row in PRODUCTS:
        builder.later(now - timedelta(days=60), partial(_add_product, store, *row))
    late = [
        d
        for d in builder.deals
        if d.outcome == "open" and d.stage in LATE_STAGES and d.account.currency == "EUR"
    ]
    for number, deal in enumerate(late[:QUOTED_DEALS]):
        moment = builder.after(now - timedelta(days=6 - number), deal.closed, 90)
        builder.later(moment, partial(_quote, store, deal, now.date(), number == 0))


def _add_product(store: Any, *row: Any) -> None:
    name, price, code, sku, tax, unit, every, about = row
    products.add_product(
        store,
        name=name,
        price=price,
        currency=code,
        sku=sku,
        tax=tax,
        unit=unit,
        recurring_every=every,
        description=about,
    )


def _quote(store: Any, deal: Any, today: Any, send: bool) -> None:
    deal_items.add_item(store, deal.id, "IMPL", price=str(deal.amount))
    quote = quotes.create_quote(store, deal.id, today=today, notes="Prices net, plus VAT.")
    if send:
        quotes.send_quote(store, quote.id, today=today)

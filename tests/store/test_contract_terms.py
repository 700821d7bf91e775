"""A renewal deal won renews its contract taking locks in the order ``contract renew``
and ``contact rm`` take them (the deal, the customers, then the contract), so none of
them waits for another on PostgreSQL (SQLite writes one transaction at a time)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event

from tinycrm.store.companies import add_company
from tinycrm.store.contacts import add_contact, get_contact
from tinycrm.store.contracts import add_contract, renew_contract
from tinycrm.store.deals import add_deal, win_deal
from tinycrm.store.renewals import process_renewals


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@contextmanager
def locks(store) -> Iterator[list[str]]:
    """The tables of the rows locked (``SELECT … FOR …``), in order, first lock of each."""
    seen: list[str] = []

    def spy(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if re.search(r" FOR (NO KEY )?UPDATE\b| FOR (KEY )?SHARE\b", statement):
            table = re.search(r"\bFROM (\w+)", statement)
            if table and table.group(1) not in seen:
                seen.append(table.group(1))

    event.listen(store.engine, "before_cursor_execute", spy)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", spy)


def _ended_with_renewal_deal(store, freeze_clock: Callable[[datetime], None], company: bool) -> int:
    """A 6-month contract from 2025-01-01 (a company-only one, or Ann's), its renewal deal
    opened, ended and its customer churned on 2025-07-10. Returns the renewal deal."""
    freeze_clock(at(date(2025, 1, 1)))
    if company:
        add_company(store, name="Acme")
        add_contact(
            store, name="Ann", email="ann@example.com", company="Acme", lifecycle="customer"
        )
        deal = add_deal(store, title="Acme platform", amount=12000, company="Acme", currency="USD")
    else:
        add_contact(store, name="Ann", email="ann@example.com")
        deal = add_deal(store, title="Acme platform", amount=12000, contact="Ann", currency="USD")
    win_deal(store, deal.id)
    add_contract(store, deal=deal.id, start=date(2025, 1, 1), term="6m")
    freeze_clock(at(date(2025, 5, 5)))
    [renewal] = process_renewals(store, now=at(date(2025, 5, 5))).renewal_deals
    freeze_clock(at(date(2025, 7, 10)))
    assert process_renewals(store, now=at(date(2025, 7, 10))).churned == [1]
    freeze_clock(at(date(2025, 7, 20)))
    return renewal


@pytest.mark.parametrize("company", [True, False], ids=["company-only", "contact"])
def test_a_won_renewal_deal_locks_the_customers_before_the_contract(
    store, freeze_clock, company: bool
) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writes one transaction at a time: no row locks")
    renewal = _ended_with_renewal_deal(store, freeze_clock, company)
    with locks(store) as won_order:
        win_deal(store, renewal)
    assert get_contact(store, "Ann").lifecycle == "customer"
    assert [t for t in won_order if t in ("deal", "contact", "contract")] == [
        "deal",
        "contact",
        "contract",
    ]
    with locks(store) as renew_order:
        renew_contract(store, 1, now=at(date(2025, 7, 20)))
    # contract renew takes its renewal deal (won now: none open) only when it has one
    assert [t for t in renew_order if t in ("contact", "contract")] == ["contact", "contract"]

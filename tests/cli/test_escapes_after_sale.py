"""Escape sequences stored in products, quotes, contracts and support cases (an old
import, another program writing to the database) never reach the terminal raw: every
list and show of them, each a process of its own, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from tests.hostile import HOSTILE, raw_controls

COLUMNS: dict[str, tuple[str, ...]] = {
    "product": ("name", "sku", "description", "unit"),
    "deal_item": ("name", "sku", "unit"),
    "quote": (
        "notes",
        "deal_title",
        "company",
        "company_address",
        "contact",
        "contact_email",
        "owner",
    ),
    "quote_line": ("name", "sku", "unit"),
    "contract": ("title", "cancel_reason", "owner"),
    "support_case": ("subject", "owner", "csat_comment"),
    "case_message": ("author", "body"),
}

COMMANDS = [
    ("product", "list"),
    ("product", "show", "1"),
    ("deal", "item", "list", "1"),
    ("quote", "list"),
    ("quote", "show", "1"),
    ("contract", "list"),
    ("contract", "show", "1"),
    ("case", "list", "--status", "all"),
    ("case", "show", "1"),
    ("case", "show", "2"),
    ("next",),  # what is due (if anything): no leak, whatever it shows
    ("remind", "--all"),
]


@pytest.fixture
def hostile_after_sale(store: Any) -> Any:
    from tinycrm.store.cases import add_case, reply_case, resolve_support_case
    from tinycrm.store.companies import add_company
    from tinycrm.store.contacts import add_contact
    from tinycrm.store.contracts import add_contract, cancel_contract
    from tinycrm.store.deal_items import add_item
    from tinycrm.store.deals import add_deal, win_deal
    from tinycrm.store.products import add_product
    from tinycrm.store.quotes import create_quote

    add_company(store, name="Acme", address="Main St 1")
    add_contact(store, name="Ada", email="ada@acme.de", company="Acme")
    add_product(store, name="Widget", price="10", sku="W-1", unit="pc", description="d")
    add_deal(store, title="Big", contact="Ada")
    add_item(store, "Big", "Widget", quantity="2")
    create_quote(store, "Big", notes="thanks")
    win_deal(store, "Big")
    contract = add_contract(store, deal="Big", start=date.today())
    cancel_contract(store, contract.id, reason="budget")
    add_case(store, subject="Broken", contact="Ada", body="It broke")
    reply_case(store, 1, "Looking into it")
    add_case(store, subject="Again", contact="Ada", body="Again")
    resolve_support_case(store, 2, csat=4, comment="ok")
    with store.engine.begin() as conn:
        for table, columns in COLUMNS.items():
            sets = ", ".join(f"{c} = COALESCE({c}, '') || :h" for c in columns)
            conn.execute(text(f"UPDATE {table} SET {sets}"), {"h": HOSTILE})
    return store


def test_no_raw_control_reaches_the_terminal(hostile_after_sale: Any, forked: Any) -> None:
    env = {"TINYCRM_DB": hostile_after_sale.url, "COLUMNS": "200"}
    leaks, failures = [], []
    for command in COMMANDS:
        run = forked(*command, env=env)
        for stream, shown in (("stdout", run.stdout), ("stderr", run.stderr)):
            found = raw_controls(shown)
            if found:
                leaks.append(f"{' '.join(command)!r} {stream}: {', '.join(found)}")
        if run.exit_code != 0:
            failures.append(f"{' '.join(command)!r} exit {run.exit_code}: {run.stderr[-300:]}")
        elif command[0] not in ("next", "remind") and "\\x1b]0;pwned\\x07" not in run.stdout:
            failures.append(f"{' '.join(command)!r}: the stored text is not shown escaped")
    assert not leaks, "\n".join(leaks)
    assert not failures, "\n".join(failures)

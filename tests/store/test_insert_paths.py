"""One insert path per noun: ``add``, ``tinycrm import`` and ``bulk_add_contacts`` make
the same row from the same values (``contacts.new_contact_row``,
``companies.new_company_row``, ``deals.new_deal_row``), and refuse the same bad values."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import select

from tinycrm.formats.csvfile import open_csv
from tinycrm.formats.mapping import build_mapping, mapped_rows
from tinycrm.store.bulk import bulk_add_contacts
from tinycrm.store.companies import add_company, remove_company
from tinycrm.store.contacts import add_contact, check_contact, remove_contact
from tinycrm.store.deals import add_deal, remove_deal
from tinycrm.store.errors import Invalid
from tinycrm.store.imports import import_records
from tinycrm.store.models import Company, Contact, Deal

VARYING = {"id", "uid", "created_at", "updated_at"}


def _import(store: Any, kind: str, text: str, *, created: int = 1) -> None:
    table = open_csv(io.BytesIO(text.encode()), name=f"{kind}.csv")
    rows = mapped_rows(table.records(), build_mapping(kind, table.header))
    rejected: list[Any] = []
    summary = import_records(
        store, kind=kind, rows=rows, source=f"{kind}.csv",
        on_reject=lambda *args: rejected.append(args),
    )  # fmt: skip
    assert summary.created == created and not rejected, rejected


def _taken(store: Any, model: Any, remove: Any) -> dict[str, Any]:
    """The one row of ``model``'s table (what varies left out), removed afterwards."""
    with store.read() as session:
        (row,) = session.execute(select(model.__table__))
    remove(store, row.id)
    return {k: v for k, v in row._mapping.items() if k not in VARYING}


def test_a_contact_added_imported_or_bulk_loaded_is_the_same_row(store) -> None:
    values = {"name": "  Ada   Lovelace ", "email": "Ada@Example.com", "phone": "+49 30 1234567",
              "title": "Engineer", "notes": "Met at\nthe fair", "source": "LinkedIn"}  # fmt: skip
    add_contact(store, **values)
    added = _taken(store, Contact, remove_contact)
    header = ",".join(values)
    cells = ",".join(f'"{v}"' for v in values.values())
    _import(store, "contacts", f"{header}\n{cells}\n")
    imported = _taken(store, Contact, remove_contact)
    assert bulk_add_contacts(store, [values]) == 1
    loaded = _taken(store, Contact, remove_contact)
    assert added == imported == loaded
    assert added["lead_status"] == "new" and added["lifecycle"] == "lead"
    assert added["search_key"] == "ada lovelace ada@example.com +49 30 1234567 engineer"
    with pytest.raises(Invalid) as refused:
        check_contact({"name": "Ada", "lifecycle": "bogus"})
    with pytest.raises(Invalid) as refused_bulk:
        bulk_add_contacts(store, [{"name": "Bo", "lifecycle": "bogus"}])
    assert str(refused.value) in str(refused_bulk.value)


def test_a_company_added_or_imported_is_the_same_row(store) -> None:
    values = {"name": " Analytical  Engines ", "domain": "Engines.example",
              "industry": "Machines", "size": "40", "city": "London"}  # fmt: skip
    add_company(store, **{**values, "size": 40})
    added = _taken(store, Company, remove_company)
    _import(store, "companies", ",".join(values) + "\n" + ",".join(values.values()) + "\n")
    assert _taken(store, Company, remove_company) == added
    assert added["name"] == "Analytical Engines" and added["domain"] == "engines.example"


def test_a_deal_added_or_imported_is_the_same_row(store) -> None:
    add_company(store, name="Analytical Engines")
    values = {"title": " Engine   order ", "amount": "18500.50", "currency": "EUR",
              "company": "Analytical Engines", "probability": "40"}  # fmt: skip
    add_deal(store, **{**values, "probability": 40})
    added = _taken(store, Deal, remove_deal)
    _import(store, "deals", ",".join(values) + "\n" + ",".join(values.values()) + "\n")
    assert _taken(store, Deal, remove_deal) == added
    assert added["title"] == "Engine order" and added["amount_minor"] == 1850050
    assert added["status"] == "open" and added["probability"] == 40


def test_an_activity_and_a_task_logged_or_imported_are_the_same_rows(store) -> None:
    from datetime import UTC, datetime

    from tinycrm.store.activities import add_task, log_activity
    from tinycrm.store.models import Activity

    add_contact(store, name="Ada", email="ada@example.com")
    at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    log_activity(store, kind="call", text="Discussed the order", contact="ada@example.com",
                 at=at)  # fmt: skip
    add_task(store, text="Send the contract", due=at, contact="ada@example.com")

    def activities(session: Any) -> list[dict[str, Any]]:
        found = session.execute(select(Activity.__table__).order_by("id"))
        return [{k: v for k, v in row._mapping.items() if k not in VARYING} for row in found]

    with store.write() as session:
        rows = activities(session)
        session.execute(Activity.__table__.delete())
    _import(store, "activities", "kind,subject,contact_email,occurred_at,due_at\n"
            f"call,Discussed the order,ada@example.com,{at.isoformat()},\n"
            f"task,Send the contract,ada@example.com,,{at.isoformat()}\n", created=2)  # fmt: skip
    with store.read() as session:
        assert activities(session) == rows
    assert rows[0]["occurred_at"] == at and rows[1]["due_at"] == at and rows[1]["kind"] == "task"

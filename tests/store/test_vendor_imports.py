"""Vendors' own conventions on import: Google's ``:::`` cells and system groups, kept
through an export and an import back (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from tinycrm.formats.csvfile import open_csv
from tinycrm.formats.mapping import build_mapping, mapped_rows
from tinycrm.store.contacts import get_contact
from tinycrm.store.imports import import_records

IMPORTS = Path(__file__).resolve().parent.parent / "fixtures" / "import"


def run(store: Any, kind: str, data: bytes, name: str = "test.csv") -> tuple[Any, list]:
    rejects: list = []
    table = open_csv(io.BytesIO(data), name=name)
    mapping = build_mapping(kind, table.header)
    summary = import_records(
        store,
        kind=kind,
        rows=mapped_rows(table.records(), mapping),
        source=name,
        on_reject=lambda line, reason, raw: rejects.append((line, reason)),
    )
    return summary, rejects


def test_google_csv_multi_value_cells_are_split_and_system_groups_left_out(store) -> None:
    summary, rejects = run(store, "contacts", (IMPORTS / "google-contacts.csv").read_bytes())
    assert rejects == [] and summary.created == 4
    ada = get_contact(store, "ada@analytical.example")
    assert (ada.email, ada.phone) == ("ada@analytical.example", "+44 7700 900123")
    assert ada.fields == {
        "email.2": "ada.l@home.example",
        "email.3": "countess@lovelace.example",
        "phone.2": "+44 7700 900456",
        "phone.3": "+44 20 7946 0000",
    }
    assert ada.tags == ["clients"]  # not starred, myContacts or friends
    hana = get_contact(store, "hana@tallinncloud.ee")
    assert hana.tags == ["clients", "nordics"]


def test_google_legacy_export_multi_value_cells(store) -> None:
    data = (IMPORTS / "google-contacts-legacy.csv").read_bytes()
    summary, rejects = run(store, "contacts", data)
    assert rejects == [] and summary.created == 3
    grace = get_contact(store, "grace@navy.example")
    assert (grace.name, grace.phone, grace.company) == (
        "Grace Hopper",
        "+1 202 555 0101",
        "US Navy",
    )
    assert grace.fields == {"email.2": "amazing.grace@home.example", "phone.2": "+1 202 555 0199"}
    assert grace.tags == ["clients", "navy"]

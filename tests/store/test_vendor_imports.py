"""Vendors' own conventions on import: Google's ``:::`` cells and system groups, kept
through an export and an import back (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from tinycrm.formats.csvfile import open_csv
from tinycrm.formats.mapping import build_mapping, mapped_rows
from tinycrm.store.contacts import get_contact, list_contacts
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
    assert ada.fields == {  # named by Google's label columns ("* Work" labels both values)
        "email.work": "ada.l@home.example",
        "email.other": "countess@lovelace.example",
        "phone.mobile": "+44 7700 900456",
        "phone.work": "+44 20 7946 0000",
    }
    assert ada.tags == ["clients"]  # not starred, myContacts or friends
    hana = get_contact(store, "hana@tallinncloud.ee")
    assert hana.tags == ["clients", "nordics"]


def test_google_labels_name_the_values_they_belong_to(store) -> None:
    data = (IMPORTS / "google-contacts-labels.csv").read_bytes()
    summary, rejects = run(store, "contacts", data)
    assert rejects == [] and summary.created == 2
    ada = get_contact(store, "ada@analytical.example")
    assert (ada.email, ada.phone) == ("ada@analytical.example", "+44 7700 900123")
    assert ada.fields == {
        "email.home": "ada.l@home.example",
        "email.other": "countess@lovelace.example",
        "phone.home": "+44 20 7946 0001",
        "phone.work": "+44 20 7946 0000",
    }
    linus = get_contact(store, "linus@home.example")  # one label for both: home, then home 2
    assert linus.fields == {"email.home": "linus@other.example"}
    table = open_csv(io.BytesIO(data), name="google.csv")
    described = dict((h, w) for h, w, _ in build_mapping("contacts", table.header).describe())
    assert described["E-mail 1 - Label"] == "labels of E-mail 1 - Value"
    assert "E-mail 1 - Label" not in build_mapping("contacts", table.header).unmapped


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
    assert grace.fields == {  # the older export's Type columns name them
        "email.work": "amazing.grace@home.example",
        "phone.mobile": "+1 202 555 0199",
    }
    assert grace.tags == ["clients", "navy"]


def import_cards(store: Any, text: str, **kwargs: Any) -> tuple[Any, list]:
    from tinycrm.formats.vcard import read_vcards

    rejects: list = []
    summary = import_records(
        store,
        kind="contacts",
        rows=read_vcards(io.BytesIO(text.encode()), name="cards.vcf"),
        source="cards.vcf",
        on_reject=lambda line, reason, raw: rejects.append((line, reason)),
        **kwargs,
    )
    return summary, rejects


CARD = """BEGIN:VCARD\r
VERSION:3.0\r
UID:urn:uuid:0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b\r
FN:Ada Lovelace\r
EMAIL:{email}\r
TITLE:{title}\r
END:VCARD\r
"""


def test_an_imported_card_keeps_its_uid_and_a_known_uid_updates_that_contact(store) -> None:
    summary, rejects = import_cards(store, CARD.format(email="ada@x.example", title="Countess"))
    assert rejects == [] and summary.created == 1
    ada = get_contact(store, "ada@x.example")
    assert ada.uid == "urn:uuid:0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b"
    # the same card, edited in another address book: a new email, a new title
    changed = CARD.format(email="ada@new.example", title="Analyst")
    summary, rejects = import_cards(store, changed, overwrite=True)
    assert rejects == [] and (summary.created, summary.updated) == (0, 1)
    again = get_contact(store, ada.id)
    assert (again.title, again.uid) == ("Analyst", ada.uid)
    assert len(list_contacts(store)) == 1


def test_cards_tinycrm_exports_come_back_to_the_contacts_they_came_from(store) -> None:
    from tinycrm.formats.vcard_write import contact_card
    from tinycrm.store.contacts import add_contact

    ada = add_contact(store, name="Ada Lovelace", email="ada@x.example")
    bob = add_contact(store, name="Bob")  # no email: only the UID can find him
    assert ada.uid and bob.uid and ada.uid != bob.uid
    cards = contact_card(ada) + contact_card(bob).replace("FN:Bob", "FN:Robert")
    summary, rejects = import_cards(store, cards, overwrite=True)
    assert rejects == [] and (summary.created, summary.updated) == (0, 1)
    assert [c.name for c in list_contacts(store)] == ["Ada Lovelace", "Robert"]
    assert get_contact(store, bob.id).uid == bob.uid


def test_a_uid_another_contact_has_is_refused_by_add_contact(store) -> None:
    from tinycrm.store import Conflict
    from tinycrm.store.contacts import add_contact

    add_contact(store, name="Ada", uid="abc-1")
    with pytest.raises(Conflict, match="UID abc-1 already belongs to"):
        add_contact(store, name="Eve", uid="abc-1")


DEALS = """Deal Name,Amount,Currency
Manama fit-out,1.500,BHD
Berlin rollout,1.500,EUR
Lisbon pilot,"2,5",EUR
"""


@pytest.mark.parametrize(
    ("decimal", "expected", "refused"),
    [
        # no decimal mark known: dinars have three decimals; 1.500 euros is ambiguous
        (None, {"Manama fit-out": 1500, "Lisbon pilot": 250}, [3]),
        (",", {"Manama fit-out": 1500000, "Berlin rollout": 150000, "Lisbon pilot": 250}, []),
    ],
)
def test_amounts_follow_the_currency_and_the_files_decimal_mark(
    store, decimal, expected, refused
) -> None:
    from sqlmodel import select

    from tinycrm.store.models import Deal

    table = open_csv(io.BytesIO(DEALS.encode()), name="deals.csv")
    rejects: list = []
    import_records(
        store,
        kind="deals",
        rows=mapped_rows(table.records(), build_mapping("deals", table.header)),
        source="deals.csv",
        on_reject=lambda line, reason, raw: rejects.append((line, reason)),
        decimal=decimal,
    )
    assert [line for line, _ in rejects] == refused
    assert all("amount '1.500' is ambiguous" in reason for _, reason in rejects)
    with store.read() as session:
        found = {d.title: d.amount_minor for d in session.exec(select(Deal))}
    assert found == expected  # minor units: fils (1/1000 dinar), cents

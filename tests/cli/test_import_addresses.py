"""A Google Contacts or Outlook CSV's addresses and birthdays land where a vCard's do."""

from __future__ import annotations

import csv
import io
from pathlib import Path

GOOGLE = [
    "First Name", "Middle Name", "Last Name", "Nickname", "File As", "Organization Name",
    "Organization Title", "Organization Department", "Birthday", "Notes", "Labels",
    "E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label", "Phone 1 - Value",
    "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City",
    "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code",
    "Address 1 - Country", "Address 1 - Extended Address", "Address 2 - Label",
    "Address 2 - Formatted", "Address 2 - Street", "Address 2 - City", "Address 2 - PO Box",
    "Address 2 - Region", "Address 2 - Postal Code", "Address 2 - Country",
    "Address 2 - Extended Address",
]  # fmt: skip
OUTLOOK = [
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department",
    "Job Title", "Business Street", "Business Street 2", "Business Street 3", "Business City",
    "Business State", "Business Postal Code", "Business Country/Region", "Home Street",
    "Home Street 2", "Home Street 3", "Home City", "Home State", "Home Postal Code",
    "Home Country/Region", "Business Phone", "Mobile Phone", "Birthday", "E-mail Address",
    "E-mail Type", "E-mail Display Name", "Notes",
]  # fmt: skip


def _file(path: Path, header: list[str], rows: list[dict[str, str]], **kw: str) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\r\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), **kw)  # type: ignore[arg-type]
    return path


def _fields_after_import(cli, source: Path, email: str, *left_out: str) -> dict[str, str]:
    """The custom fields of the contact ``email`` once ``source`` is imported, the
    summary naming none of ``left_out`` among the columns not imported."""
    result = cli("import", "contacts", str(source))
    assert result.exit_code == 0, result.stderr
    assert not [word for word in left_out if word in result.stdout]
    return cli("contact", "show", email, "--json").json()["fields"]  # type: ignore[no-any-return]


def test_a_google_csv_brings_its_addresses_and_birthdays(cli, tmp_path: Path) -> None:
    """Google's address and birthday columns were left out ('Columns not imported') unless
    --keep-extra was given; they are the contact's address and birthday, as a vCard's."""
    source = _file(
        tmp_path / "contacts.csv",
        GOOGLE,
        [
            {
                "First Name": "Hana", "Last Name": "Nakamura", "Birthday": "1985-03-14",
                "E-mail 1 - Label": "* Work", "E-mail 1 - Value": "hana@tallinncloud.ee",
                "Address 1 - Label": "Work",
                "Address 1 - Formatted": "Narva mnt 5\nTallinn 10117\nEstonia",
                "Address 1 - Street": "Narva mnt 5", "Address 1 - City": "Tallinn",
                "Address 1 - Postal Code": "10117", "Address 1 - Country": "Estonia",
                "Address 2 - Label": "Home", "Address 2 - Street": "Pikk 1",
                "Address 2 - City": "Tartu",
            },
            {
                "First Name": "Linus", "Last Name": "Torvalds", "Birthday": "--12-28",
                "E-mail 1 - Value": "linus@home.example",
            },
        ],
        encoding="utf-8",
    )  # fmt: skip
    hana = _fields_after_import(cli, source, "hana@tallinncloud.ee", "Birthday", "Address")
    assert hana == {
        "birthday": "1985-03-14",
        "address_type": "Work",
        "label": "Narva mnt 5\nTallinn 10117\nEstonia",
        "street": "Narva mnt 5",
        "city": "Tallinn",
        "postcode": "10117",
        "country": "Estonia",
        "other.address_type": "Home",
        "other.street": "Pikk 1",
        "other.city": "Tartu",
    }
    linus = cli("contact", "show", "linus@home.example", "--json").json()["fields"]
    assert linus == {"birthday": "--12-28"}
    card = cli("export", "contacts", "--format", "vcard", "--search", "Hana").stdout
    assert "BDAY:1985-03-14" in card
    assert "ADR;TYPE=WORK" in card and "Narva mnt 5;Tallinn;;10117;Estonia" in card


def test_an_outlook_csv_brings_its_addresses_and_birthdays(cli, tmp_path: Path) -> None:
    """Outlook's business and home addresses and its birthday: as a vCard's work (the
    contact's own) and home address and birthday, not left out."""
    source = _file(
        tmp_path / "contacts.csv",
        OUTLOOK,
        [
            {
                "First Name": "François", "Last Name": "Lefèvre",
                "Company": "Cap Ouest Transports",
                "Business Street": "25 boulevard de la Prairie-au-Duc",
                "Business Street 2": "Bâtiment B", "Business City": "Nantes",
                "Business Postal Code": "44200", "Business Country/Region": "France",
                "Home Street": "3 rue Kervégan", "Home City": "Nantes",
                "Home Postal Code": "44000", "Birthday": "3/14/1985",
                "E-mail Address": "f.lefevre@capouest-transports.fr", "E-mail Type": "SMTP",
            },
        ],
        encoding="cp1252",
    )  # fmt: skip
    email = "f.lefevre@capouest-transports.fr"
    assert _fields_after_import(cli, source, email, "Street", "Birthday") == {
        "street": "25 boulevard de la Prairie-au-Duc",
        "street2": "Bâtiment B",
        "city": "Nantes",
        "postcode": "44200",
        "country": "France",
        "home.street": "3 rue Kervégan",
        "home.city": "Nantes",
        "home.postcode": "44000",
        "birthday": "3/14/1985",
    }
    card = cli("export", "contacts", "--format", "vcard", "--search", "Lefèvre").stdout
    assert "ADR;TYPE=HOME:;;3 rue Kervégan;Nantes;;44000;" in card


def test_outlooks_no_birthday_is_none(cli, tmp_path: Path) -> None:
    """Outlook writes '0/0/00' (German Outlook '00.00.00') as the Birthday of a contact
    that has none: not a birthday to keep on every contact it exports."""
    rows = [
        {"First Name": "Ada", "E-mail Address": "ada@x.io", "Birthday": "0/0/00"},
        {"First Name": "Bob", "E-mail Address": "bob@x.io", "Birthday": "00.00.00"},
        {"First Name": "Cy", "E-mail Address": "cy@x.io", "Birthday": "12/10/1815"},
    ]
    source = _file(tmp_path / "contacts.csv", OUTLOOK, rows, encoding="cp1252")
    assert _fields_after_import(cli, source, "ada@x.io") == {}
    assert cli("contact", "show", "bob@x.io", "--json").json()["fields"] == {}
    assert cli("contact", "show", "cy@x.io", "--json").json()["fields"] == {
        "birthday": "12/10/1815"
    }

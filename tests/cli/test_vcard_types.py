"""The type of a contact's own phone and email (mobile, home) survives a vCard round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

CARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Aoife Byrne\r\nN:Byrne;Aoife;;;\r\n"
    "EMAIL;TYPE=home:aoife@example.ie\r\nEMAIL;TYPE=work:aoife@byrne.ie\r\n"
    "TEL;TYPE=cell:+353 87 123 4567\r\nTEL;TYPE=work:+353 1 555 0000\r\nEND:VCARD\r\n"
)


def _lines(text: str, prop: str) -> list[str]:
    return [line for line in text.splitlines() if line.split(";")[0].split(":")[0] == prop]


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_the_main_phone_and_email_keep_their_type(cli, tmp_path: Path, version: str) -> None:
    """A mobile as the first phone came back as TEL;TYPE=WORK,PREF (and a home email as
    INTERNET,PREF): a person's mobile was filed as their office line."""
    db = str(tmp_path / "a.db")
    (tmp_path / "in.vcf").write_text(CARD)
    assert cli("--db", db, "import", "contacts", str(tmp_path / "in.vcf")).exit_code == 0
    out = tmp_path / "out.vcf"
    args = ["--db", db, "export", "contacts", "--format", "vcard", "--out", str(out)]
    assert cli(*args, "--vcard-version", version).exit_code == 0
    text = out.read_text()
    tels, emails = _lines(text, "TEL"), _lines(text, "EMAIL")
    if version == "3.0":
        assert tels == ["TEL;TYPE=CELL,PREF:+353 87 123 4567", "TEL;TYPE=WORK:+353 1 555 0000"]
        assert emails == [
            "EMAIL;TYPE=INTERNET,HOME,PREF:aoife@example.ie",
            "EMAIL;TYPE=WORK:aoife@byrne.ie",
        ]
    else:
        assert tels == ["TEL;PREF=1;TYPE=cell:+353 87 123 4567", "TEL;TYPE=work:+353 1 555 0000"]
        assert emails[0] == "EMAIL;PREF=1;TYPE=home:aoife@example.ie"
    # and back again: the same contact, the type still a field, not an extra line
    db2 = str(tmp_path / "b.db")
    assert cli("--db", db2, "import", "contacts", str(out)).exit_code == 0
    [one] = cli("--db", db2, "contact", "list", "--json").json()
    [before] = cli("--db", db, "contact", "list", "--json").json()
    assert one["phone"] == before["phone"] == "+353 87 123 4567"
    assert one["fields"] == before["fields"]


def test_a_main_phone_of_no_known_type_is_not_called_work(cli, tmp_path: Path) -> None:
    """Every main phone was exported as WORK in vCard 3.0, whatever it was."""
    db = str(tmp_path / "a.db")
    added = cli("--db", db, "contact", "add", "Nuala Kelly", "--phone", "+353 86 000 1111")
    assert added.exit_code == 0
    out = tmp_path / "out.vcf"
    args = ["--db", db, "export", "contacts", "--format", "vcard", "--out", str(out)]
    assert cli(*args).exit_code == 0
    assert _lines(out.read_text(), "TEL") == ["TEL;TYPE=PREF:+353 86 000 1111"]


def test_a_new_number_does_not_inherit_the_old_ones_type(cli, tmp_path: Path) -> None:
    """The main phone's type is kept beside it (phone_type); after `contact edit --phone`
    the new number went out as TYPE=CELL too, a type nobody gave it. A new phone or
    email drops the old type (unless the same edit sets one); the other keeps its own."""
    db = str(tmp_path / "a.db")
    (tmp_path / "in.vcf").write_text(CARD)
    assert cli("--db", db, "import", "contacts", str(tmp_path / "in.vcf")).exit_code == 0
    edited = cli("--db", db, "contact", "edit", "Aoife Byrne", "--phone", "+353 1 777 0000")
    assert edited.exit_code == 0, edited.stderr
    [contact] = cli("--db", db, "contact", "list", "--json").json()
    assert "phone_type" not in contact["fields"]
    assert contact["fields"]["email_type"] == "home"
    again = [
        "contact",
        "edit",
        "Aoife Byrne",
        "--email",
        "a@byrne.ie",
        "--field",
        "email_type=work",
    ]
    assert cli("--db", db, *again).exit_code == 0
    [contact] = cli("--db", db, "contact", "list", "--json").json()
    assert contact["fields"]["email_type"] == "work"

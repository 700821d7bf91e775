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


def _card(uid: str, *lines: str) -> str:
    body = "".join(line + "\r\n" for line in lines)
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}\r\nFN:Aoife Byrne\r\n{body}END:VCARD\r\n"


def test_an_import_that_replaces_the_number_does_not_keep_the_old_ones_type(
    cli, tmp_path: Path
) -> None:
    """A card merged into a contact (its UID, --overwrite) gave the contact a new number
    but kept phone_type=cell from the old one: exported as TYPE=CELL, a type nobody gave
    it. As `contact edit --phone`: the card's type wins, else the old type goes; a number
    the update does not take (no --overwrite) lends its type to nobody."""
    db = str(tmp_path / "a.db")
    vcf = tmp_path / "in.vcf"

    def imported(*lines: str, overwrite: bool = True) -> dict:
        vcf.write_text(_card("aoife-1", *lines))
        args = ["--db", db, "import", "contacts", str(vcf)]
        done = cli(*args, *(["--overwrite"] if overwrite else []))
        assert done.exit_code == 0, done.stderr
        [contact] = cli("--db", db, "contact", "list", "--json").json()
        return contact

    first = imported("TEL;TYPE=cell:+353 87 123 4567", "EMAIL;TYPE=home:aoife@example.ie")
    assert first["fields"] == {"phone_type": "cell", "email_type": "home"}
    again = imported("TEL:+353 1 555 0000", "EMAIL;TYPE=home:aoife@example.ie")
    assert again["phone"] == "+353 1 555 0000"
    assert again["fields"] == {"email_type": "home"}  # the email is the same one
    typed = imported("TEL;TYPE=work:+353 1 555 0001")
    assert (typed["phone"], typed["fields"]["phone_type"]) == ("+353 1 555 0001", "work")
    kept = imported("TEL;TYPE=cell:+353 87 999 9999", overwrite=False)
    assert (kept["phone"], kept["fields"]["phone_type"]) == ("+353 1 555 0001", "work")
    # a contact without a type: a number the update does not take brings none either
    assert cli("--db", db, "contact", "edit", "1", "--phone", "+353 1 555 0002").exit_code == 0
    untyped = imported("TEL;TYPE=cell:+353 87 999 9999", overwrite=False)
    assert untyped["phone"] == "+353 1 555 0002" and "phone_type" not in untyped["fields"]
    same = imported("TEL;TYPE=work:+353 1 555 0002", overwrite=False)  # its own number
    assert same["fields"]["phone_type"] == "work"
    # the email is never replaced: a card's other address lends it no type
    assert cli("--db", db, "contact", "edit", "1", "--unset-field", "email_type").exit_code == 0
    other = imported("EMAIL;TYPE=work:aoife@byrne.ie")
    assert other["email"] == "aoife@example.ie" and "email_type" not in other["fields"]
    # and undo puts the old type back
    back = imported("TEL:+353 1 555 0003")
    assert "phone_type" not in back["fields"]
    assert cli("--db", db, "import", "undo").exit_code == 0
    [undone] = cli("--db", db, "contact", "list", "--json").json()
    assert (undone["phone"], undone["fields"]["phone_type"]) == ("+353 1 555 0002", "work")


def _round_trip(cli, tmp_path: Path, card: str, version: str = "3.0") -> tuple[str, dict]:
    """``card`` imported into a new database and exported: (the export, the contact)."""
    db = str(tmp_path / f"rt-{version}.db")
    (tmp_path / "card.vcf").write_text(card)
    done = cli("--db", db, "import", "contacts", str(tmp_path / "card.vcf"))
    assert done.exit_code == 0, done.stderr
    out = tmp_path / "out.vcf"
    args = ["--db", db, "export", "contacts", "--format", "vcard", "--out", str(out)]
    assert cli(*args, "--vcard-version", version).exit_code == 0
    [contact] = cli("--db", db, "contact", "list", "--json").json()
    return out.read_text(), contact


def test_every_type_of_a_second_phone_comes_back(cli, tmp_path: Path) -> None:
    """A second phone marked TYPE=work,cell came back as TYPE=WORK (the address book
    showed an office line, not a work mobile), a home fax as a FAX of no place. The key
    stays the one it always was (phone.work, phone.fax: an old export imported again
    meets the same fields); the other types go in phone_type.work, phone_type.fax."""
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Aoife Byrne\r\nUID:aoife-1\r\n"
        "TEL;TYPE=cell,pref:+353 87 123 4567\r\nTEL;TYPE=work,cell:+353 87 765 4321\r\n"
        "TEL;TYPE=home,fax:+353 1 555 0001\r\nTEL;TYPE=WORK,VOICE:+353 1 555 0002\r\n"
        "END:VCARD\r\n"
    )
    text, contact = _round_trip(cli, tmp_path, card)
    assert contact["fields"] == {
        "phone_type": "cell",
        "phone.work": "+353 87 765 4321",
        "phone_type.work": "work,cell",
        "phone.fax": "+353 1 555 0001",
        "phone_type.fax": "home,fax",
        "phone.work.2": "+353 1 555 0002",  # work and voice: a work line, nothing to add
    }
    assert _lines(text, "TEL") == [
        "TEL;TYPE=CELL,PREF:+353 87 123 4567",
        "TEL;TYPE=HOME,FAX:+353 1 555 0001",
        "TEL;TYPE=WORK,CELL:+353 87 765 4321",
        "TEL;TYPE=WORK:+353 1 555 0002",  # a second work line, not labelled work.2
    ]
    assert "X-TINYCRM-FIELD" not in text  # as TEL types, not as fields
    v4, _ = _round_trip(cli, tmp_path, card, "4.0")
    assert "TEL;TYPE=work,cell:+353 87 765 4321" in _lines(v4, "TEL")


def test_a_label_in_another_script_comes_back(cli, tmp_path: Path) -> None:
    """Apple's label of one's own in Cyrillic or Japanese ('Рабочий', '職場') was filed
    under phone.other / email.other and the label was lost: the address book showed
    'other'. The key stays; the label's text is kept in phone_label.other (as is an
    accented one, 'Büro', whose key is phone.buro) and export writes it back."""
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ivan Petrov\r\nUID:ivan-1\r\n"
        "TEL;type=pref:+7 495 000 0000\r\nEMAIL;type=pref:ivan@example.ru\r\n"
        "item1.TEL:+7 495 000 0001\r\nitem1.X-ABLabel:Рабочий\r\n"
        "item2.EMAIL;type=INTERNET:ivan@shokuba.example\r\nitem2.X-ABLabel:職場\r\n"
        "item3.TEL:+49 30 555 0101\r\nitem3.X-ABLabel:Büro\r\nEND:VCARD\r\n"
    )
    text, contact = _round_trip(cli, tmp_path, card)
    fields = contact["fields"]
    assert (fields["phone.other"], fields["phone_label.other"]) == ("+7 495 000 0001", "Рабочий")
    assert (fields["email.other"], fields["email_label.other"]) == ("ivan@shokuba.example", "職場")
    assert (fields["phone.buro"], fields["phone_label.buro"]) == ("+49 30 555 0101", "Büro")
    labels = [line.split(":", 1)[1] for line in text.splitlines() if "X-ABLABEL" in line]
    assert sorted(labels) == sorted(["Рабочий", "職場", "Büro"])
    assert "X-TINYCRM-FIELD" not in text
    _, back = _round_trip(cli, tmp_path, text, "4.0")
    assert back["fields"] == fields


def test_a_number_that_is_also_the_fax_keeps_both_lines(cli, tmp_path: Path) -> None:
    """One number listed as the voice line and again as the fax (Outlook, small offices):
    the second was dropped as a repeat of the contact's phone, so the fax was gone after
    a round trip. A repeat is dropped only when its types add nothing."""
    card = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Klaus Weber\r\nUID:klaus-1\r\n"
        "TEL;WORK;VOICE:+49 89 555 0100\r\nTEL;WORK;FAX:+49 89 555 0100\r\n"
        "TEL;WORK:+49 89 555 0100\r\nEND:VCARD\r\n"
    )
    text, contact = _round_trip(cli, tmp_path, card)
    assert contact["phone"] == "+49 89 555 0100"
    assert contact["fields"] == {
        "phone_type": "work,voice",
        "phone.fax": "+49 89 555 0100",
        "phone_type.fax": "work,fax",
    }
    assert _lines(text, "TEL") == [
        "TEL;TYPE=WORK,VOICE,PREF:+49 89 555 0100",
        "TEL;TYPE=WORK,FAX:+49 89 555 0100",
    ]
    _, back = _round_trip(cli, tmp_path, text, "4.0")
    assert back["fields"] == contact["fields"]


def test_an_update_that_does_not_take_the_cards_email_says_so(cli, tmp_path: Path) -> None:
    """A card updating a contact (its UID) with another email: the contact keeps its
    email (never replaced), and the card's was dropped without a word; the summary said
    '1 updated'. Now it counts them and names the contacts, in --json too."""
    db = str(tmp_path / "a.db")
    vcf = tmp_path / "in.vcf"
    vcf.write_text(_card("aoife-1", "EMAIL:aoife@example.ie"))
    assert cli("--db", db, "import", "contacts", str(vcf)).exit_code == 0
    vcf.write_text(_card("aoife-1", "EMAIL:aoife@byrne.ie", "TITLE:CEO"))
    done = cli("--db", db, "import", "contacts", str(vcf))
    assert done.exit_code == 0, done.stderr
    assert "1 updated" in done.stdout
    assert (
        "Kept the email of 1 contact the file gave another (an update never replaces one): "
        "#1 Aoife Byrne (aoife@byrne.ie not taken)"
    ) in " ".join(done.stdout.split())
    vcf.write_text(_card("aoife-1", "EMAIL:AOIFE@example.ie"))  # the same, in capitals
    same = cli("--db", db, "import", "contacts", str(vcf), "--json")
    assert same.json()["emails_not_taken"] == []
    vcf.write_text(_card("aoife-1", "EMAIL:aoife@byrne.ie"))
    other = cli("--db", db, "import", "contacts", str(vcf), "--json", "--overwrite")
    assert other.json()["emails_not_taken"] == [
        {"contact_id": 1, "name": "Aoife Byrne", "email": "aoife@byrne.ie"}
    ]
    [contact] = cli("--db", db, "contact", "list", "--json").json()
    assert contact["email"] == "aoife@example.ie"


def test_a_category_with_a_comma_or_semicolon_comes_back(cli, tmp_path: Path) -> None:
    """CATEGORIES:Sales\\, EMEA (a category holding a comma, as Apple and Google write
    one) became the tag 'sales emea', a tag holding neither, and went back out as that:
    the address book's group 'Sales, EMEA' was gone. The category as the card gave it is
    kept in the field categories, and export writes it in place of its tag."""
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nUID:ada-1\r\n"
        "CATEGORIES:Sales\\, EMEA,R\\;D,VIP\r\nEND:VCARD\r\n"
    )
    text, contact = _round_trip(cli, tmp_path, card)
    assert sorted(contact["tags"]) == ["r d", "sales emea", "vip"]
    assert contact["fields"] == {"categories": "R;D\nSales, EMEA"}
    [categories] = _lines(text, "CATEGORIES")
    assert "Sales\\, EMEA" in categories and "R\\;D" in categories and "sales emea" not in text
    assert "X-TINYCRM-FIELD" not in text
    _, back = _round_trip(cli, tmp_path, text, "4.0")
    assert (sorted(back["tags"]), back["fields"]) == (sorted(contact["tags"]), contact["fields"])


def test_a_second_choice_stays_second(cli, tmp_path: Path) -> None:
    """vCard 4's PREF=2 (the second choice after PREF=1) was dropped: the address came
    back ranked no better than one never preferred. Kept in email_pref.other, written
    back as PREF in 4.0 (3.0 has no rank: there it goes as a field)."""
    card = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Zoë Martin\r\nUID:zoe-1\r\n"
        "EMAIL;PREF=2:second@x.io\r\nEMAIL;TYPE=home;PREF=1:first@x.io\r\nEMAIL:third@x.io\r\n"
        "TEL;TYPE=cell;PREF=1:+33 6 00\r\nTEL;TYPE=work;PREF=3:+33 1 00\r\nEND:VCARD\r\n"
    )
    text, contact = _round_trip(cli, tmp_path, card, "4.0")
    assert contact["fields"] == {
        "email_type": "home",
        "email.other": "second@x.io",
        "email_pref.other": "2",
        "email.other.2": "third@x.io",
        "phone_type": "cell",
        "phone.work": "+33 1 00",
        "phone_pref.work": "3",
    }
    emails = [line for line in text.splitlines() if "EMAIL" in line]
    assert "EMAIL;PREF=2:second@x.io" in emails  # no TYPE=other the card did not give
    assert "TEL;PREF=3;TYPE=work:+33 1 00" in _lines(text, "TEL")
    assert "X-TINYCRM-FIELD" not in text
    _, back = _round_trip(cli, tmp_path, text, "4.0")
    assert back["fields"] == contact["fields"]


def test_the_label_of_the_contacts_own_phone_in_another_script_comes_back(
    cli, tmp_path: Path
) -> None:
    """The contact's own phone labelled 'Рабочий' came back with no label at all (its
    type is the label's letters, and Cyrillic has none a-z). Kept in phone_label, which
    follows the number as phone_type does: a new number drops it."""
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ivan Petrov\r\nUID:ivan-2\r\n"
        "item1.TEL;type=pref:+7 495 000 0000\r\nitem1.X-ABLabel:Рабочий\r\n"
        "item2.EMAIL;type=INTERNET;type=pref:ivan@example.ru\r\nitem2.X-ABLabel:職場\r\n"
        "END:VCARD\r\n"
    )
    text, contact = _round_trip(cli, tmp_path, card)
    assert contact["fields"] == {"phone_label": "Рабочий", "email_label": "職場"}
    labels = [line.split(":", 1)[1] for line in text.splitlines() if "X-ABLABEL" in line]
    assert sorted(labels) == sorted(["Рабочий", "職場"]) and "X-TINYCRM-FIELD" not in text
    db = str(tmp_path / "rt-3.0.db")
    assert cli("--db", db, "contact", "edit", "1", "--phone", "+7 495 000 0009").exit_code == 0
    [edited] = cli("--db", db, "contact", "list", "--json").json()
    assert edited["fields"] == {"email_label": "職場"}
    # and an import that replaces the number: the label was the old number's
    (tmp_path / "new.vcf").write_text(_card("ivan-2", "TEL:+7 495 000 0010"))
    args = ["--db", db, "import", "contacts", str(tmp_path / "new.vcf"), "--overwrite"]
    assert cli("--db", db, "contact", "edit", "1", "--field", "phone_label=Рабочий").exit_code == 0
    assert cli(*args).exit_code == 0
    [replaced] = cli("--db", db, "contact", "list", "--json").json()
    assert replaced["phone"] == "+7 495 000 0010" and "phone_label" not in replaced["fields"]


def _props(text: str) -> list[str]:
    """The TEL and EMAIL lines of a card with the X-ABLabel of each, group names left
    out ('TEL:+1 2 | Assistant'), in the card's order."""
    lines = text.splitlines()
    labels = {}
    for line in lines:
        head, _, value = line.partition(":")
        if head.upper().endswith(".X-ABLABEL"):
            labels[head.split(".")[0]] = value
    found = []
    for line in lines:
        head, _, value = line.partition(":")
        group, _, name = head.rpartition(".")
        if name.split(";")[0].upper() in ("TEL", "EMAIL"):
            label = labels.get(group) if group else None
            found.append(f"{name}:{value}" + (f" | {label}" if label else ""))
    return found


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_an_apple_label_of_ones_own_goes_back_as_apple_wrote_it(
    cli, tmp_path: Path, version: str
) -> None:
    """An Apple label that is a word of our keys ('Assistant', 'Büro') went back out as a
    TYPE nobody wrote: 'TEL;TYPE=ASSISTANT' (the label lost: Contacts showed 'other'),
    'item1.TEL;TYPE=BURO' beside X-ABLabel:Büro, on the contact's own phone too. Now it
    is the label alone, in its own letters, as Apple wrote it; the key stays."""
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iOS 17.1//EN\r\n"
        "FN:Jürgen Müller\r\nUID:jm-1\r\n"
        "item1.TEL;type=pref:+49 30 555 0100\r\nitem1.X-ABLabel:Zentrale\r\n"
        "item2.TEL:+49 30 555 0101\r\nitem2.X-ABLabel:Büro\r\n"
        "item3.TEL:+49 30 555 0102\r\nitem3.X-ABLabel:Assistant\r\n"
        "EMAIL;type=INTERNET;type=pref:jm@example.de\r\n"
        "item4.EMAIL;type=INTERNET:j@example.de\r\nitem4.X-ABLabel:Straße\r\n"
        "item5.TEL;type=FAX:+49 30 555 0103\r\nitem5.X-ABLabel:_$!<HomeFAX>!$_\r\n"
        "END:VCARD\r\n"
    )
    text, contact = _round_trip(cli, tmp_path, card, version)
    fields = contact["fields"]
    assert fields["phone.assistant"] == "+49 30 555 0102"
    assert fields["phone.buro"] == "+49 30 555 0101"
    assert fields["email.strasse"] == "j@example.de"
    assert "phone_type" not in fields and fields["phone_label"] == "Zentrale"
    pref = "TYPE=PREF" if version == "3.0" else "PREF=1"
    fax = "TYPE=FAX" if version == "3.0" else "TYPE=fax"
    assert sorted(_props(text)) == sorted([
        f"TEL;{pref}:+49 30 555 0100 | Zentrale",
        "TEL:+49 30 555 0101 | Büro",
        "TEL:+49 30 555 0102 | Assistant",
        f"TEL;{fax}:+49 30 555 0103 | _$!<HomeFAX>!$_",
        "EMAIL:j@example.de | Straße",
        "EMAIL;TYPE=INTERNET,PREF:jm@example.de" if version == "3.0"
        else "EMAIL;PREF=1:jm@example.de",
    ])  # fmt: skip
    assert "X-TINYCRM-FIELD" not in text
    _, back = _round_trip(cli, tmp_path, text, version)
    assert (back["phone"], back["fields"]) == (contact["phone"], fields)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_a_second_number_of_a_type_goes_out_as_that_type(cli, tmp_path: Path, version: str) -> None:
    """A second work phone (phone.work.2) went out as 'item2.TEL;TYPE=WORK' labelled
    'work.2': Apple and Google showed a label 'work.2'. Now it is a TYPE=WORK line like
    the first, and reading numbers it again (phone.work.2); a numbered key the reading
    would not give back (phone.home.2 without phone.home) keeps its label."""
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Aoife Byrne\r\nUID:aoife-1\r\n"
        "TEL;TYPE=cell,pref:+353 87 123 4567\r\n"
        + "".join(f"TEL;TYPE=WORK:+353 1 555 000{n}\r\n" for n in range(1, 4))
        + "EMAIL;TYPE=pref:a@x.ie\r\nEMAIL;TYPE=home:b@x.ie\r\nEMAIL;TYPE=home:c@x.ie\r\n"
        "END:VCARD\r\n"
    )
    text, contact = _round_trip(cli, tmp_path, card, version)
    assert {k: v for k, v in contact["fields"].items() if "." in k} == {
        "phone.work": "+353 1 555 0001",
        "phone.work.2": "+353 1 555 0002",
        "phone.work.3": "+353 1 555 0003",
        "email.home": "b@x.ie",
        "email.home.2": "c@x.ie",
    }
    assert "X-ABLABEL" not in text and "X-TINYCRM-FIELD" not in text
    work = "TEL;TYPE=WORK" if version == "3.0" else "TEL;TYPE=work"
    assert [t for t in _props(text) if t.startswith(work)] == [
        f"{work}:+353 1 555 000{n}" for n in range(1, 4)
    ]
    _, back = _round_trip(cli, tmp_path, text, version)
    assert back["fields"] == contact["fields"]
    # a second home email with no first one: its label keeps the key
    db = str(tmp_path / f"rt-{version}.db")
    assert cli("--db", db, "contact", "edit", "1", "--unset-field", "email.home").exit_code == 0
    out = tmp_path / "out.vcf"
    args = ["--db", db, "export", "contacts", "--format", "vcard", "--out", str(out)]
    assert cli(*args, "--vcard-version", version).exit_code == 0
    home = "EMAIL;TYPE=HOME" if version == "3.0" else "EMAIL;TYPE=home"
    assert f"{home}:c@x.ie | home.2" in _props(out.read_text())
    db2 = str(tmp_path / "again.db")
    assert cli("--db", db2, "import", "contacts", str(out)).exit_code == 0
    [again] = cli("--db", db2, "contact", "list", "--json").json()
    assert again["fields"]["email.home.2"] == "c@x.ie" and "email.home" not in again["fields"]


def test_a_web_page_type_follows_its_web_page(cli, tmp_path: Path) -> None:
    """The website's type and label (website_type, website_label: kept from a card's
    URL;TYPE=HOME or Apple's label) stayed when the website changed: `contact edit --field
    website=…`, an import replacing it and a merge all left the old page's type on the
    new address, exported as URL;TYPE=HOME. Now they follow the page, as a phone's type
    does: they go with the old one unless the same edit (or card) gives new ones; the
    other pages' too (website_type.blog with website.blog)."""
    db = str(tmp_path / "a.db")

    def fields(ref: str = "Aoife Byrne") -> dict[str, str]:
        return cli("--db", db, "contact", "show", ref, "--json").json()["fields"]

    def imported(*lines: str, overwrite: bool = True) -> dict[str, str]:
        (tmp_path / "in.vcf").write_text(_card("aoife-1", *lines))
        args = ["--db", db, "import", "contacts", str(tmp_path / "in.vcf")]
        assert cli(*args, *(["--overwrite"] if overwrite else [])).exit_code == 0
        return fields()

    first = imported("URL;TYPE=HOME:https://old.example", "item1.URL:https://b.example",
                     "item1.X-ABLabel:Blog", "item2.URL;TYPE=work:https://c.example",
                     "item2.X-ABLabel:Büro")  # fmt: skip
    assert first["website_type"] == "home" and first["website_label.buro"] == "Büro"
    edit = ["--db", db, "contact", "edit", "Aoife Byrne", "--field", "website=https://new.example"]
    assert cli(*edit, "--field", "website.buro=https://d.example").exit_code == 0
    after = fields()
    assert "website_type" not in after and "website_type.buro" not in after
    assert "website_label.buro" not in after and after["website.blog"] == "https://b.example"
    out = tmp_path / "out.vcf"
    export = ["--db", db, "export", "contacts", "--format", "vcard", "-o", str(out)]
    assert cli(*export).exit_code == 0
    assert "URL:https://new.example" in out.read_text().splitlines()
    # the same edit setting the type keeps it; an edit of another field leaves it
    assert (
        cli(*edit[:-1], "website=https://x.example", "--field", "website_type=work").exit_code == 0
    )
    assert fields()["website_type"] == "work"
    assert cli(*edit[:-1], "title_note=x").exit_code == 0
    assert fields()["website_type"] == "work"
    # an import that replaces the page: the card's type, else none; one not taken lends none
    assert imported("URL:https://y.example")["website"] == "https://y.example"
    assert "website_type" not in fields()
    kept = imported("URL;TYPE=home:https://z.example", overwrite=False)
    assert kept["website"] == "https://y.example" and "website_type" not in kept
    # a merge: OTHER's page type goes with OTHER's page when KEEP's page stays
    assert cli("--db", db, "contact", "add", "Aoife B", "--field", "website=https://o.example",
               "--field", "website_type=home").exit_code == 0  # fmt: skip
    assert cli("--db", db, "contact", "merge", "Aoife Byrne", "Aoife B").exit_code == 0
    merged = fields()
    assert merged["website"] == "https://y.example" and "website_type" not in merged

"""vCards tinycrm writes: what other address books see, and what comes back."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tinycrm.formats.vcard import read_vcards
from tinycrm.formats.vcard_write import contact_card


def read_text(text: str, **options: Any) -> list[dict[str, str]]:
    """The values of each card in ``text`` (``read_vcards``' options as given)."""
    return [
        values for _, values, _ in read_vcards(io.BytesIO(text.encode()), name="x.vcf", **options)
    ]


def fields_of(values: dict[str, str]) -> dict[str, str]:
    return {k.removeprefix("field:"): v for k, v in values.items() if k.startswith("field:")}


def contact(name: str = "Ada Lovelace", **given: Any) -> dict[str, Any]:
    """A contact as export hands it to ``contact_card``."""
    base = {"name": name, "email": None, "phone": None, "company": None, "title": None,
            "notes": None, "tags": [], "fields": {}}  # fmt: skip
    return base | given


def lines(text: str, prop: str) -> list[str]:
    """The lines of property ``prop`` (in a group or not), unfolded."""
    unfolded = text.replace("\r\n ", "")
    return [line for line in unfolded.split("\r\n")
            if line.split(";")[0].split(":")[0].rsplit(".", 1)[-1] == prop]  # fmt: skip


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_an_email_or_phone_of_no_type_goes_out_with_none(version: str) -> None:
    """A second EMAIL, TEL or URL the card gave no TYPE (filed as email.other) went out as
    TYPE=OTHER, a type no address book wrote and some show as a label 'OTHER'; now with no
    TYPE, as it came. One the card did call OTHER keeps it."""
    text = (
        f"BEGIN:VCARD\r\nVERSION:{version}\r\nFN:Ada\r\nEMAIL;TYPE=work:ada@x.example\r\n"
        "EMAIL:ada@home.example\r\nEMAIL;TYPE=other:ada@old.example\r\n"
        "TEL;TYPE=cell:+44 7700 900000\r\nTEL:+44 20 7946 0000\r\n"
        "URL:https://x.example\r\nURL:https://blog.example\r\nEND:VCARD\r\n"
    )
    [read] = read_text(text)
    assert read["field:email.other"] == "ada@home.example"
    written = contact_card(contact(email=read["email"], phone=read["phone"],
                                   fields=fields_of(read)), version=version)  # fmt: skip
    emails = lines(written, "EMAIL")
    assert [e for e in emails if e.endswith(":ada@home.example")] == ["EMAIL:ada@home.example"]
    old = [e for e in emails if e.endswith(":ada@old.example")]
    assert old and "other" in old[0].lower().split(":")[0]
    assert "TEL:+44 20 7946 0000" in lines(written, "TEL")
    assert "URL:https://blog.example" in lines(written, "URL")
    [again] = read_text(written)
    assert fields_of(again) == fields_of(read)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_a_street_of_two_lines_keeps_its_line_break(version: str) -> None:
    """Apple and Google write a street of two lines with an escaped line break
    (ADR:;;12 Main St\\nFlat 3;…): it came in as '12 Main St, Flat 3' and went out so, and
    a street typed on two lines went out as the ADR and again as X-TINYCRM-FIELD. Now the
    street keeps its break, and goes out once, as the ADR with the break escaped."""
    text = (
        f"BEGIN:VCARD\r\nVERSION:{version}\r\nFN:Ada\r\n"
        "item1.ADR;TYPE=HOME:;Suite 4\\n Floor 2;12 Main St\\nFlat 3;Town;;;\r\n"
        "item1.X-ABADR:gb\r\nEND:VCARD\r\n"
    )
    [read] = read_text(text)
    assert read["field:street"] == "12 Main St\nFlat 3"
    assert read["field:street2"] == "Suite 4\nFloor 2"  # each line trimmed
    written = contact_card(contact(fields=fields_of(read)), version=version)
    assert lines(written, "ADR")[0].endswith(":;Suite 4\\nFloor 2;12 Main St\\nFlat 3;Town;;;")
    assert "X-TINYCRM-FIELD" not in written
    [again] = read_text(written)
    assert fields_of(again) == fields_of(read)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_kind_geo_class_and_label_kept_by_keep_extra_go_out_as_themselves(version: str) -> None:
    """--keep-extra kept KIND, GEO, CLASS and LABEL as the fields kind, geo, class, label,
    and export wrote them as X-TINYCRM-FIELD, which no address book reads. Now each goes
    out as itself where the version has it (KIND in 4.0, X-KIND in 3.0 as khard writes;
    GEO in the version's own form; CLASS and LABEL in 3.0), when its value is one the
    property takes: a field kind=customer or geo=EMEA someone typed stays a field."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nGEO:37.386013;-122.082932\r\n"
        "CLASS:PRIVATE\r\nLABEL;TYPE=HOME:1 Main St\\nTown\r\nX-KIND:group\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bo\r\nKIND:location\r\n"
        "GEO:geo:48.2,16.37\r\nEND:VCARD\r\n"
    )
    ada, bo = read_text(text, keep_extra=True)
    assert fields_of(ada) == {"geo": "37.386013;-122.082932", "class": "PRIVATE",
                              "label": "1 Main St\nTown", "label_type": "home",
                              "kind": "group"}  # fmt: skip
    assert fields_of(bo) == {"kind": "location", "geo": "geo:48.2,16.37"}
    for read, kind in ((ada, "group"), (bo, "location")):
        written = contact_card(contact(read["name"], fields=fields_of(read)), version=version)
        if version == "4.0":
            assert lines(written, "KIND") == [f"KIND:{kind}"]
            assert len(lines(written, "GEO")) == 1 and lines(written, "GEO")[0].startswith(
                "GEO:geo:"
            )
        else:
            assert lines(written, "X-KIND") == [f"X-KIND:{kind}"]
            assert ";" in lines(written, "GEO")[0] and "\\;" not in lines(written, "GEO")[0]
        [again] = read_text(written)
        assert fields_of(again) == fields_of(read)
    written = contact_card(contact("Ada", fields=fields_of(ada)), version=version)
    if version == "3.0":
        assert lines(written, "GEO") == ["GEO:37.386013;-122.082932"]
        assert lines(written, "CLASS") == ["CLASS:PRIVATE"]
        assert lines(written, "LABEL") == ["LABEL;TYPE=home:1 Main St\\nTown"]
        assert "X-TINYCRM-FIELD" not in written
    else:
        assert lines(written, "GEO")[0] == "GEO:geo:37.386013,-122.082932"
    typed = {"kind": "customer", "geo": "EMEA", "class": "VIP; gold", "x-kind": "org",
             "x-abshowas": "COMPANY"}  # fmt: skip
    written = contact_card(contact("Cy", company="Acme", fields=typed), version=version)
    assert not lines(written, "KIND") + lines(written, "GEO") + lines(written, "CLASS")
    assert not lines(written, "X-KIND") + lines(written, "X-ABSHOWAS")
    [again] = read_text(written)
    assert fields_of(again) == typed and again["name"] == "Cy"


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_a_company_card_goes_out_as_an_organisation(version: str) -> None:
    """A contact that is a company (its name is its company's: what a card with no person
    imports as) went out with a made-up person's name, N:Corp;Acme, so Apple, Google and
    khard listed a person 'Acme Corp'. Now it is an organisation's card: N:;;;; and
    KIND:org (4.0) or X-ABShowAs:COMPANY (3.0, as Apple and khard write), and comes back
    the same. A person at a company is a person's card still."""
    acme = contact("Acme Corp", company="Acme Corp", phone="+1 555 0100",
                   fields={"city": "Springfield"})  # fmt: skip
    written = contact_card(acme, version=version)
    assert lines(written, "N") == ["N:;;;;"] and lines(written, "ORG") == ["ORG:Acme Corp"]
    assert lines(written, "FN") == ["FN:Acme Corp"]
    if version == "4.0":
        assert lines(written, "KIND") == ["KIND:org"] and not lines(written, "X-ABSHOWAS")
    else:
        assert lines(written, "X-ABSHOWAS") == ["X-ABSHOWAS:COMPANY"] and not lines(written, "KIND")
    unread: dict[str, int] = {}
    [again] = read_text(written, unread=unread)
    assert (again["name"], again["company"], again["phone"]) == (
        "Acme Corp",
        "Acme Corp",
        "+1 555 0100",
    )
    assert fields_of(again) == {"city": "Springfield"} and not unread
    person = contact_card(contact("Ada Lovelace", company="Acme Corp"), version=version)
    assert lines(person, "N") == ["N:Lovelace;Ada;;;"]
    assert not lines(person, "KIND") + lines(person, "X-ABSHOWAS")


def test_company_cards_from_address_books_are_read_as_the_company() -> None:
    """Apple's company card (X-ABShowAs:COMPANY, N:;;;;), khard's (X-KIND:org too) and
    vCard 4's KIND:org are read as the organisation: the contact is named after it and
    is at it, an FN that says more kept as name.2; the markers are read, not named in the
    summary as properties left out, and no person's name is made of the N."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nFN:Acme Corp\r\nORG:Acme Corp;\r\n"
        "X-ABShowAs:COMPANY\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Initech;;;;\r\nFN:Initech\r\nORG:Initech\r\n"
        "X-KIND:org\r\nX-ABSHOWAS:COMPANY\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:org\r\nFN:Globex Support\r\nORG:Globex;Support\r\n"
        "END:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:individual\r\nFN:Bo Li\r\nORG:Globex\r\nEND:VCARD\r\n"
    )
    unread: dict[str, int] = {}
    acme, initech, globex, bo = read_text(text, unread=unread)
    assert (acme["name"], acme["company"]) == ("Acme Corp", "Acme Corp")
    assert (initech["name"], initech["company"]) == ("Initech", "Initech")
    assert "field:name_parts" not in initech
    assert (globex["name"], globex["company"]) == ("Globex", "Globex")
    assert globex["field:name.2"] == "Globex Support"
    assert (bo["name"], bo["company"]) == ("Bo Li", "Globex")
    assert unread == {}
    for read in (acme, initech, globex):
        fields = fields_of(read)
        written = contact_card(contact(read["name"], company=read["company"], fields=fields))
        [again] = read_text(written)
        assert {k: v for k, v in again.items() if k != "uid"} == read


def test_a_card_of_thousands_of_values_is_read_and_written_in_one_pass() -> None:
    """A card of 1,000 addresses took 51 s to import and 55 s more to export (each one
    numbered home, home.2, … by scanning every field for every number); 20,000 emails
    took 53 s: one such card in a file held the import up for minutes. Each number is
    now looked up where the last one was found. (A hang guard, not a timing: it takes
    well under a second.)"""
    import signal

    body = "".join(
        f"ADR;TYPE=home:;;{i} Main St;Town;;;\r\nEMAIL:a{i}@x.example\r\n"
        f"item{i}.TEL:+1 555 {i}\r\nitem{i}.X-ABLabel:Desk\r\nNICKNAME:n{i}\r\n"
        for i in range(2000)
    )
    text = f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Many\r\n{body}END:VCARD\r\n"

    def too_slow(*_: object) -> None:
        raise TimeoutError("reading and writing took more than 20 s")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.setitimer(signal.ITIMER_REAL, 20)
    try:
        [read] = read_text(text, keep_extra=True)
        written = contact_card(contact("Many", email=read["email"], fields=fields_of(read)))
        [again] = read_text(written)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert read["field:home.1999.street"] == "1999 Main St"  # the first is the own one
    assert read["field:phone.desk.1999"] == "+1 555 1999"
    assert read["field:nickname.2000"] == "n1999"
    assert fields_of(again) == fields_of(read)


def test_label_goes_out_in_vcard_4_as_the_label_of_its_address() -> None:
    """vCard 4 has no LABEL property: the address as printed is ADR's LABEL parameter,
    and LABEL went out as X-TINYCRM-FIELD;NAME=label, which no address book reads. Now it
    is the LABEL of the ADR of its type (one of no parts when there is none), and it
    comes back, from tinycrm's card and from other apps' 4.0 cards; CLASS, which vCard 4
    has none of, stays X-TINYCRM-FIELD, and 3.0 to 4.0 to 3.0 gives back the same."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nCLASS:PRIVATE\r\n"
        "ADR;TYPE=WORK:;;2 Work Rd;Town;;;\r\nLABEL;TYPE=HOME:1 Main St\\nTown\r\n"
        "LABEL;TYPE=WORK:Acme\\n2 Work Rd\r\nEND:VCARD\r\n"
    )
    [ada] = read_text(text, keep_extra=True)
    assert fields_of(ada) == {"class": "PRIVATE", "street": "2 Work Rd", "city": "Town",
                              "label": "1 Main St\nTown", "label_type": "home",
                              "label.2": "Acme\n2 Work Rd", "label_type.2": "work"}  # fmt: skip
    four = contact_card(contact("Ada", fields=fields_of(ada)), version="4.0")
    assert lines(four, "ADR") == [  # in the order of their keys, which reading gives
        "ADR;LABEL=1 Main St\\nTown;TYPE=home:;;;;;;",
        "ADR;LABEL=Acme\\n2 Work Rd;TYPE=work:;;2 Work Rd;Town;;;",
    ]
    assert not lines(four, "LABEL") + lines(four, "CLASS")
    assert lines(four, "X-TINYCRM-FIELD") == ["X-TINYCRM-FIELD;NAME=class:PRIVATE"]
    [again] = read_text(four)
    assert fields_of(again) == fields_of(ada)
    three = contact_card(contact("Ada", fields=fields_of(again)), version="3.0")
    assert lines(three, "CLASS") == ["CLASS:PRIVATE"]
    assert sorted(lines(three, "LABEL")) == ["LABEL;TYPE=home:1 Main St\\nTown",
                                             "LABEL;TYPE=work:Acme\\n2 Work Rd"]  # fmt: skip
    [back] = read_text(three)
    assert fields_of(back) == fields_of(ada)


def test_a_vcard_4_address_label_from_another_app_is_kept() -> None:
    """ADR;LABEL=… (RFC 6350's form, a line break as \\n, or RFC 6868's ^n, a double
    quote ^') was read as the address alone, its label lost without a word."""
    text = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bo\r\n"
        'ADR;TYPE=work;LABEL="Acme\\n1 Main St":;;1 Main St;Town;;;\r\n'
        "ADR;TYPE=home;LABEL=Flat 3^n^'The Mews^'^^:;;9 Mews;Town;;;\r\nEND:VCARD\r\n"
    )
    [bo] = read_text(text)
    assert fields_of(bo) == {
        "street": "1 Main St", "city": "Town", "home.street": "9 Mews", "home.city": "Town",
        "label": "Acme\n1 Main St", "label_type": "work",
        "label.2": "Flat 3\n\"The Mews\"^", "label_type.2": "home",
    }  # fmt: skip
    written = contact_card(contact("Bo", fields=fields_of(bo)), version="4.0")
    assert "X-TINYCRM-FIELD" not in written
    [again] = read_text(written)
    assert fields_of(again) == fields_of(bo)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_a_web_pages_label_of_a_type_word_comes_back_as_its_label_alone(version: str) -> None:
    """A contact's web page labelled 'WORK' (website_label, as Apple's card gave it) went
    out as an Apple label, which reads as the TYPE work: export then import gave it a
    website_type field it never had. Now such a label stays a field, as an email's and
    a phone's do, and the contact comes back as it was."""
    fields = {"website": "https://ada.example", "website_label": "WORK", "phone.work": "0"}
    text = contact_card(contact(fields=fields, uid="ada-1"), version=version)
    [(_, values, _)] = read_vcards(io.BytesIO(text.encode()), name="x.vcf")
    assert {
        k.removeprefix("field:"): v for k, v in values.items() if k.startswith("field:")
    } == fields

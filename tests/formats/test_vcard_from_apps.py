"""vCards as address books and phones write them, read and written back: every value
the card gave comes back from tinycrm's own export the same."""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinycrm.formats.vcard import read_vcards
from tinycrm.formats.vcard_write import contact_card


def read_text(text: str, **options: Any) -> list[dict[str, str]]:
    read = read_vcards(io.BytesIO(text.encode()), name="x.vcf", **options)
    return [values for _, values, _ in read]


def as_contact(values: dict[str, str]) -> dict[str, Any]:
    """The values read from a card as the contact import makes of them."""
    fields = {k.removeprefix("field:"): v for k, v in values.items() if k.startswith("field:")}
    tags = [t for t in values.get("tags", "").split(",") if t]
    keys = ("name", "email", "phone", "company", "title", "notes", "uid")
    return {**{k: values.get(k) for k in keys}, "tags": tags, "fields": fields}


def written_back(values: dict[str, str], version: str) -> dict[str, str]:
    """``values`` written as tinycrm's card and read again."""
    [again] = read_text(contact_card(as_contact(values), version=version))
    return again


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_a_comma_in_a_text_value_is_kept(version: str) -> None:
    """vCard 2.1 does not escape a comma (Outlook, older phones), and many 3.0 writers do
    not either: 'NOTE:Met at CES, wants a demo' was read as 'Met at CES', the rest of the
    note (and of a title, a name, a quoted-printable note) dropped without a word."""
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Müller;Jürgen\r\nFN:Müller, Jürgen\r\n"
        "TITLE:Head of Sales, EMEA\r\nNOTE:Met at CES, wants a demo; call in May\r\n"
        "EMAIL;INTERNET:jm@example.de\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ada Lovelace\r\n"
        "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:First line=0D=0ASecond, with a =\r\n"
        "soft break =C3=A4=C3=B6=C3=BC\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\n"
        "NOTE:unescaped, in 3.0\\, and escaped\\; too\r\nEND:VCARD\r\n"
    )
    jm, ada, grace = read_text(text)
    assert jm["name"] == "Müller, Jürgen"
    assert jm["title"] == "Head of Sales, EMEA"
    assert jm["notes"] == "Met at CES, wants a demo; call in May"
    assert ada["notes"] == "First line\nSecond, with a soft break äöü"
    assert grace["notes"] == "unescaped, in 3.0, and escaped; too"
    for card in (jm, ada, grace):
        assert {k: v for k, v in written_back(card, version).items() if k != "uid"} == card


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_a_comma_in_an_organisation_or_address_is_kept(version: str) -> None:
    """'ORG:Smith, Jones & Co' made the company "['Smith', ' Jones & Co']" (a Python list
    as text), and 'ADR:;;Main St, Suite 5;…' the street 'Main St  Suite 5'."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Smith\r\nN:Smith;Ann;;;\r\n"
        "ORG:Smith, Jones & Co;R&D, Labs\r\n"
        "ADR;TYPE=WORK:;;Main St, Suite 5;Springfield;;;\r\n"
        "ADR;TYPE=HOME:;;Elm St\\, Apt 2\\;b;Town;;;\r\nEND:VCARD\r\n"
    )
    [card] = read_text(text)
    assert card["company"] == "Smith, Jones & Co"
    assert card["field:department"] == "R&D, Labs"
    assert card["field:street"] == "Main St, Suite 5"
    assert card["field:home.street"] == "Elm St, Apt 2;b"
    assert {k: v for k, v in written_back(card, version).items() if k != "uid"} == card


def test_a_card_without_its_end_does_not_take_the_next_card_with_it() -> None:
    """A card whose END:VCARD is missing (a file cut and pasted together) swallowed the
    card after it: both were rejected as one, 'Component VCARD was never closed', and the
    good card was not imported. A BEGIN:VCARD starts the next card, as the end of the
    file ends the last one."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No End\r\nEMAIL:noend@x.example\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Second\r\nEMAIL:second@x.example\r\nEND:VCARD\r\n"
    )
    read = list(read_vcards(io.BytesIO(text.encode()), name="x.vcf"))
    assert [(line, values.get("name"), values.get("email")) for line, values, _ in read] == [
        (1, "No End", "noend@x.example"),
        (5, "Second", "second@x.example"),
    ]


def test_an_agents_card_inside_a_card_is_left_out_and_named() -> None:
    """vCard 2.1's AGENT holds another person's card inside the card (Outlook, Nokia):
    the outer card ended at the agent's END:VCARD, so it was rejected as never closed and
    its properties after the agent were lost. Now the agent's card is left out, as a
    photo is, and named among the properties not imported."""
    text = (
        "BEGIN:VCARD\nVERSION:2.1\nFN:Agent Boss\nEMAIL:boss@x.example\nAGENT:\n"
        "BEGIN:VCARD\nVERSION:2.1\nFN:Agent Smith\nTEL:+1 555\nEND:VCARD\n"
        "NOTE:after the agent\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:2.1\nFN:Next One\nEND:VCARD\n"
    )
    unread: dict[str, int] = {}
    read = list(read_vcards(io.BytesIO(text.encode()), name="x.vcf", unread=unread))
    [(_, boss, _), (_, nxt, _)] = read
    assert (boss["name"], boss["email"], boss["notes"]) == (
        "Agent Boss",
        "boss@x.example",
        "after the agent",
    )
    assert "phone" not in boss and nxt["name"] == "Next One"
    assert unread == {"AGENT": 1}


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_lines_ended_by_a_carriage_return_alone_are_lines(version: str) -> None:
    """A file of CRLF, LF and lone CR line ends (old Mac address books, files stitched
    together): a property after a lone CR was read as part of the line before, so the
    email went into the note ('one\\nEMAIL:mix@x.example') and the contact had none."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\nFN:Mixed Lines\r\nNOTE:one\r\n  two\n\tthree\r"
        "EMAIL:mix@x.example\rTEL:+1 555 0100\r\nEND:VCARD\n"
        "BEGIN:VCARD\rVERSION:3.0\rFN:Old Mac\rEMAIL:mac@x.example\rEND:VCARD\r"
    )
    read = list(read_vcards(io.BytesIO(text.encode()), name="x.vcf"))
    assert [line for line, _, _ in read] == [1, 10]
    [(_, mixed, _), (_, mac, _)] = read
    assert (mixed["notes"], mixed["email"], mixed["phone"]) == (
        "one twothree",
        "mix@x.example",
        "+1 555 0100",
    )
    assert (mac["name"], mac["email"]) == ("Old Mac", "mac@x.example")
    for card in (mixed, mac):
        assert {k: v for k, v in written_back(card, version).items() if k != "uid"} == card


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_googles_escaped_colons_are_colons(version: str) -> None:
    """Google Contacts writes a web page as 'URL:https\\://ada.example' (a colon
    escaped, which vCard does not ask for): the website was kept as 'https\\://…', a
    link that opens nothing, and went out again as 'https\\\\://…'."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\n"
        "item1.URL:https\\://ada.example/blog\r\nitem1.X-ABLabel:blog\r\n"
        "NOTE:ratio 2\\:1\\, a backslash \\\\: kept\r\nEND:VCARD\r\n"
    )
    [card] = read_text(text)
    assert card["field:website"] == "https://ada.example/blog"
    assert card["notes"] == "ratio 2:1, a backslash \\: kept"
    assert {k: v for k, v in written_back(card, version).items() if k != "uid"} == card


def test_a_birthday_that_is_not_a_date_is_text_in_vcard_4() -> None:
    """vCard 4's BDAY is a date unless VALUE=text says otherwise: 'BDAY;VALUE=text:circa
    1980' (Nextcloud, CardBook) went out as 'BDAY:circa 1980', a card CardDAV servers
    refuse as invalid. A date stays a date; 3.0 has no VALUE=text and is left as it was."""
    text = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ann Doe\r\nBDAY;VALUE=text:circa 1980\r\n"
        "END:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bo Doe\r\nBDAY:--0412\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Cy Doe\r\nBDAY:19800412T102200Z\r\nEND:VCARD\r\n"
    )
    ann, bo, cy = read_text(text)
    assert ann["field:birthday"] == "circa 1980"
    out = contact_card(as_contact(ann), version="4.0")
    assert "BDAY;VALUE=text:circa 1980\r\n" in out
    assert "BDAY:--0412\r\n" in contact_card(as_contact(bo), version="4.0")
    assert "BDAY:19800412T102200Z\r\n" in contact_card(as_contact(cy), version="4.0")
    for card in (ann, bo, cy):
        assert {k: v for k, v in written_back(card, "4.0").items() if k != "uid"} == card


def test_a_photo_of_many_megabytes_on_one_line_is_read_once(monkeypatch) -> None:
    """vCard 4 writes a photo as one data: line (Nextcloud, CardBook: several MB of
    base64, unfolded). Each 64 KiB read split the whole line so far again: 20 MB took
    48 s to import, four times as long for twice the photo. Each byte is now looked at
    once for line ends."""
    import tinycrm.formats.vcard_decode as vcard

    scanned = []
    ends = vcard._ends

    def counting(text: Any, *args: Any) -> Any:
        scanned.append(len(text))
        return ends(text, *args)

    monkeypatch.setattr(vcard, "_ends", counting)
    photo = "A" * (3 * 1024 * 1024)
    text = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Big Photo\r\n"
        f"PHOTO:data:image/jpeg;base64,{photo}\r\nEMAIL:big@x.example\r\nEND:VCARD\r\n"
    )
    [card] = read_text(text)
    assert (card["name"], card["email"]) == ("Big Photo", "big@x.example")
    assert len(text) <= sum(scanned) <= 2 * len(text)


_WORDS = ["work", "home", "cell", "mobile", "fax", "other", "2", "assistant", "Work", "a_b",
          "x.y", "main", "iphone", "homefax", "blog", "work.2", "home.2", "other.2"]  # fmt: skip
_KEYS = ["phone.", "email.", "website.", "phone_type.", "email_label.", "phone_label.",
         "email_pref.", "nickname", "x-skype", "impp", "related_type", "x-abdate_label",
         "phone_type", "email_type", "phone_label", "name_parts", "categories",
         "address_type", "department", "job_role", "home.city", "street", "work.city",
         "home.2.city", "website_type", "website_label", "website_type.",
         "website_label.", "label", "label.", "label_type", "label_type."]  # fmt: skip
_VALUES = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), max_codepoint=0x3000)
    | st.sampled_from([",", ";", "\\", ":", "\n", " "]),
    min_size=1,
    max_size=12,
)


@st.composite
def _fields(draw: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for _ in range(draw(st.integers(0, 8))):
        key = draw(st.sampled_from(_KEYS))
        key += draw(st.sampled_from(_WORDS)) if key.endswith(".") else ""
        if key.lower() not in {k.lower() for k in out}:
            out[key] = draw(_VALUES)
    return out


@settings(max_examples=300, deadline=None)
@given(_fields(), st.sampled_from(["3.0", "4.0"]), st.booleans(), st.booleans(), st.booleans())
def test_every_custom_field_comes_back_from_tinycrms_own_card(
    fields: dict[str, str], version: str, phone: bool, email: bool, website: bool
) -> None:
    """Whatever custom fields a contact has (phones, emails and pages under any key, their
    types, labels and ranks, properties --keep-extra kept), its card reads back as the
    same fields, none more: phone.homefax came back with a label field it never had."""
    fields = {**fields, **({"website": "https://w.example"} if website else {})}
    contact = {"name": "Ada Lovelace", "email": "a@x.example" if email else None,
               "phone": "+1 555 0100" if phone else None, "company": None, "title": None,
               "notes": None, "tags": [], "fields": fields, "uid": "ada-1"}  # fmt: skip
    [card] = read_text(contact_card(contact, version=version))
    assert as_contact(card)["fields"] == fields
    assert (card.get("email"), card.get("phone")) == (contact["email"], contact["phone"])


@pytest.mark.parametrize(
    "fields",
    [{"label.2": "0"}, {"label.3": "z", "label.2": "y"}, {"label": " ", "label.2": "x"},
     {"label": "a", "label.3": "c"}, {"label": "a", "label.2": "b"}],
)  # fmt: skip
def test_address_labels_numbered_with_a_gap_come_back_under_their_own_keys(
    fields: dict[str, str],
) -> None:
    """A vCard 4 card wrote 'label.2' (no 'label') as an ADR's LABEL, which reading
    numbers 'label', and as X-TINYCRM-FIELD too: the contact came back with a 'label' it
    never had. Labels after a gap in the numbers stay fields (found by hypothesis)."""
    contact = {"name": "Ada", "email": None, "phone": None, "company": None, "title": None,
               "notes": None, "tags": [], "fields": fields, "uid": "ada-1"}  # fmt: skip
    [card] = read_text(contact_card(contact, version="4.0"))
    assert as_contact(card)["fields"] == fields


def test_a_card_indented_as_a_whole_is_read() -> None:
    """A card pasted from a mail or a document with every line indented ('  BEGIN:VCARD',
    '  FN:Ada') was rejected with 'VCARD VERSION:3.0 FN:ADA … component wasn't closed':
    each indented line read as the folded rest of the BEGIN line. The BEGIN line's
    indent is now taken off each line of its card, so a fold (one more space) is still
    a fold; a line indented less is read as it is."""
    text = (
        "  BEGIN:VCARD\n  VERSION:3.0\n  FN:Ada Lovelace\n  NOTE:a long note\n   folded here\n"
        "  EMAIL:ada@x.io\n  END:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Bo\n NOTE:not a note\nEND:VCARD\n"
    )
    ada, bo = read_text(text)
    assert (ada["name"], ada["email"], ada["notes"]) == (
        "Ada Lovelace",
        "ada@x.io",
        "a long notefolded here",
    )
    assert bo["name"] == "BoNOTE:not a note"  # a fold, as the file has it


@pytest.mark.parametrize("at", [0, 64 * 1024 - 40, 64 * 1024 - 37, 64 * 1024 - 34])
def test_a_fold_that_splits_a_character_keeps_the_character(at: int) -> None:
    """Writers that fold at 75 bytes blindly split a character's UTF-8 bytes over the
    fold ('Ren\\xc3' CRLF ' \\xa9'): the name came in as 'RenÃ©', and when such a fold
    was in the file's first 64 KiB the whole file was read as Windows-1252, every
    accent in it wrong. The fold is now taken out before the bytes are decoded, where
    it straddles two reads of the file too."""
    padding = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Pad\r\nNOTE:" + "x" * at + "\r\nEND:VCARD\r\n"
    data = (
        (padding if at else "").encode()
        + b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ren\xc3\r\n \xa9 Dupont\r\n"
        + b"TITLE:\xe6\x97\r\n \xa5\xe6\x9c\xac\r\nNOTE:Zo\xc3\xab\r\n  two\r\nEND:VCARD\r\n"
    )
    *_, (_, rene, _) = read_vcards(io.BytesIO(data), name="x.vcf")
    assert (rene["name"], rene["title"]) == ("René Dupont", "日本")
    assert rene["notes"] == "Zoë two"  # a fold after a whole character is a fold

"""vCards from phones and address books: folded lines, quoted-printable, photos, types."""

from __future__ import annotations

import io
import signal
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinycrm.formats import FormatError
from tinycrm.formats.mapping import ROW_ERROR
from tinycrm.formats.vcard import read_vcards
from tinycrm.formats.vcard_write import contact_card

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "vcard"


def cards(name: str) -> list[tuple[int, dict[str, str], str]]:
    with (FIXTURES / name).open("rb") as handle:
        return list(read_vcards(handle, name=name))


def read_text(text: str, **options: Any) -> list[dict[str, str]]:
    """The values of each card in ``text`` (``read_vcards``' options as given)."""
    read = read_vcards(io.BytesIO(text.encode()), name="x.vcf", **options)
    return [values for _, values, _ in read]


def test_iphone_export_groups_labels_folding_and_photo() -> None:
    (line, jm, text), (_, ada, _) = cards("iphone-export.vcf")
    assert line == 1 and "PHOTO" not in text
    assert jm["name"] == "Dr. Jürgen Müller"
    assert jm["email"] == "jm@acme.de"  # type=pref
    assert jm["field:email.home"] == "juergen@example.de"  # X-ABLabel _$!<Home>!$_
    assert jm["phone"] == "+49 170 1234567"
    assert jm["field:phone.work"] == "+49 30 1234567"
    assert jm["field:phone.assistant"] == "+49 30 7654321"  # a custom Apple label
    assert jm["company"] == "Acme GmbH" and jm["field:department"] == "Vertrieb"
    assert jm["title"] == "Geschäftsführer"
    assert jm["notes"].startswith("Met at Hannover Messe. Interested in the maintenance contract,")
    assert jm["notes"].endswith("\nSecond line of the note.")  # folded and escaped
    assert jm["tags"] == "Kunden,VIP"
    assert (jm["field:street"], jm["field:city"], jm["field:postcode"]) == (
        "Hauptstraße 1", "Berlin", "10115"
    )  # fmt: skip
    assert jm["field:home.city"] == "Potsdam" and jm["field:home.region"] == "Brandenburg"
    assert jm["field:website"] == "https://acme.de" and jm["field:birthday"] == "1970-03-14"
    assert ada == {"name": "Ada Lovelace", "email": "ada@analytical.co.uk"}


def test_android_21_quoted_printable_soft_breaks_and_bare_types() -> None:
    [(_, card, _)] = cards("android-2.1.vcf")
    assert card["name"] == "Ayşe Öztürk"
    assert card["company"] == "İstanbul Lojistik A.Ş."
    assert card["email"] == "ayse.ozturk@istanbul-lojistik.com.tr"  # WORK;PREF
    assert card["field:email.home"] == "ayse@example.com.tr"
    assert card["phone"] == "+90 532 000 00 00"  # CELL;PREF
    assert card["field:phone.work"] == "+90 212 000 00 00"
    assert card["field:phone.fax"] == "+90 212 000 00 01"
    assert card["notes"] == (
        "Line one\nLine two is long enough that the phone breaks it with a soft line break "
        "and goes on."
    )


def test_vcard_4_type_lists_pref_and_tel_uris() -> None:
    [(_, card, _)] = cards("vcard4.vcf")
    assert card["email"] == "zoe@lumiere-retail.fr"
    assert card["field:email.home"] == "zoe@example.org"
    assert card["phone"] == "+33-6-12-34-56-78"
    assert card["field:phone.work"] == "+33-1-42-00-00-00"
    assert card["tags"] == "vip,retail"
    assert card["field:street"] == "18 rue du Faubourg Saint-Honoré"
    assert card["notes"] == "Met in Paris, twice."


def test_google_and_a_broken_card_in_a_windows_1252_file() -> None:
    [(_, hana, _)] = cards("google-export.vcf")
    assert hana["email"] == "hana@tallinncloud.ee" and hana["tags"] == "myContacts,Clients"
    found = cards("outlook-2.1-cp1252.vcf")
    assert [line for line, _, _ in found] == [1, 10, 15]
    assert found[0][1]["name"] == "Amélie Dubois"
    assert found[0][1]["email"] == "amelie@atelier-numerique.fr"
    assert "THIS LINE IS NOT A PROPERTY" in found[1][1][ROW_ERROR]
    assert found[2][1]["name"] == "Inès Weiß"


def test_a_file_without_cards_is_refused() -> None:
    with pytest.raises(FormatError, match="no vCard"):
        list(read_vcards(io.BytesIO(b"Name,Email\nAda,a@b.c\n"), name="x.vcf"))


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_written_cards_read_back_the_same(version: str) -> None:
    contact = SimpleNamespace(
        name="Jürgen Müller", email="jm@acme.de", phone="+49 30 1", company="Acme, GmbH; Berlin",
        title="CEO", notes="Two lines;\nwith, punctuation", tags=["vip", "partner"],
        role="buyer", lifecycle="customer", source="referral", owner="sam",
        fields={"email.home": "jm@home.de", "phone.mobile": "+49 170 1",
                "street": "Hauptstr. 1", "city": "Berlin", "country": "Germany",
                "home.city": "Potsdam", "plan": "pro, yearly"},
        uid="urn:uuid:5b0a1c9e-0d5c-4a8e-9f5b-2f1d1e6c7a10",
        updated_at=datetime(2026, 12, 5, 11, 30, 15, tzinfo=UTC),
    )  # fmt: skip
    text = contact_card(contact, version=version)
    assert f"VERSION:{version}" in text
    assert "UID:urn:uuid:5b0a1c9e-0d5c-4a8e-9f5b-2f1d1e6c7a10\r\n" in text
    assert "REV:20261205T113015Z\r\n" in text
    [(_, card, _)] = read_vcards(io.BytesIO(text.encode()), name="x.vcf")
    assert card == {
        "name": "Jürgen Müller", "email": "jm@acme.de", "phone": "+49 30 1",
        "company": "Acme, GmbH; Berlin", "title": "CEO", "notes": "Two lines;\nwith, punctuation",
        "tags": "vip,partner", "role": "buyer", "lifecycle": "customer", "source": "referral",
        "owner": "sam", "field:email.home": "jm@home.de", "field:phone.mobile": "+49 170 1",
        "field:street": "Hauptstr. 1", "field:city": "Berlin", "field:country": "Germany",
        "field:home.city": "Potsdam", "field:plan": "pro, yearly",
        "uid": "urn:uuid:5b0a1c9e-0d5c-4a8e-9f5b-2f1d1e6c7a10",
    }  # fmt: skip


def test_a_card_without_a_uid_of_its_own_gets_the_same_one_at_every_export() -> None:
    contact = {"id": 7, "name": "Ada", "email": None, "phone": None, "company": None,
               "title": None, "notes": None, "tags": [], "fields": {},
               "created_at": datetime(2026, 1, 2, tzinfo=UTC)}  # fmt: skip
    first, again = contact_card(contact), contact_card(dict(contact))
    uid = [line for line in first.splitlines() if line.startswith("UID:")]
    assert len(uid) == 1 and len(uid[0]) > 30 and uid[0] in again.splitlines()


@given(
    st.one_of(
        st.binary(max_size=600),
        st.builds(
            lambda junk, at: (FIXTURES / "iphone-export.vcf").read_bytes()[:at] + junk,
            st.binary(max_size=40),
            st.integers(0, 3200),
        ),
    )
)
@settings(max_examples=150, deadline=None)
def test_any_bytes_give_cards_rejected_cards_or_one_clear_error(data: bytes) -> None:
    try:
        found = list(read_vcards(io.BytesIO(data), name="fuzz.vcf"))
    except FormatError as exc:
        assert "\n" not in str(exc)
        return
    for line, values, _ in found:
        assert line >= 1
        assert ROW_ERROR in values or "name" in values


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_what_vcard_has_no_property_for_travels_as_x_tinycrm_properties(version: str) -> None:
    from datetime import UTC, datetime

    contact = {
        "name": "Zoë Ångström", "email": "zoe@x.io", "phone": None, "title": None,
        "company": None, "notes": "two\nlines", "tags": [], "role": "buyer",
        "lifecycle": "lead", "lead_status": "working", "source": "referral",
        "last_touch": "webinar", "owner": "ana", "cadence_days": 14, "unsubscribed": True,
        "do_not_contact": False, "created_at": datetime(2025, 3, 1, 9, 30, tzinfo=UTC),
        "score": 12, "fields": {"plan": "pro"},
    }  # fmt: skip
    text = contact_card(contact, version=version)
    assert "X-TINYCRM-UNSUBSCRIBED:true" in text
    assert "X-TINYCRM-DO-NOT-CONTACT" not in text  # a flag not set is not written
    [(_, values, _)] = list(read_vcards(io.BytesIO(text.encode()), name="z.vcf"))
    assert {k: values.get(k) for k in (
        "lead_status", "unsubscribed", "do_not_contact", "cadence_days", "last_touch",
        "created_at", "role", "lifecycle", "source", "owner", "notes", "field:plan",
    )} == {
        "lead_status": "working", "unsubscribed": "true", "do_not_contact": None,
        "cadence_days": "14", "last_touch": "webinar", "created_at": "2025-03-01T09:30:00+00:00",
        "role": "buyer", "lifecycle": "lead", "source": "referral", "owner": "ana",
        "notes": "two\nlines", "field:plan": "pro",
    }  # fmt: skip


def test_custom_keys_of_extra_emails_and_phones_come_back_as_they_were() -> None:
    import io

    from tinycrm.formats.vcard import read_vcards
    from tinycrm.formats.vcard_write import contact_card

    fields = {"email.2": "b@x.example", "email.home.2": "c@x.example", "phone.work2": "+1 2",
              "phone.mobile": "+1 3", "email.home": "d@x.example"}  # fmt: skip
    contact = {"name": "Ada Lovelace", "email": "a@x.example", "phone": "+1 1", "fields": fields,
               "company": None, "title": None, "notes": None, "tags": []}  # fmt: skip
    for version in ("3.0", "4.0"):
        text = contact_card(contact, version=version)
        assert "item1.X-ABLABEL:2" in text  # Apple's way of a label of one's own
        [(_, values, _)] = list(read_vcards(io.BytesIO(text.encode()), name="a.vcf"))
        kept = {k.removeprefix("field:"): v for k, v in values.items() if k.startswith("field:")}
        assert kept == fields


def test_vcard_4_pref_1_is_preferred_to_pref_2_whatever_the_order() -> None:
    """PREF=1 is the most preferred value (RFC 6350 5.3); any PREF made a value the
    contact's, so a card listing its PREF=2 address first gave the contact that one."""
    text = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Zoë\r\n"
        "EMAIL;PREF=2:second@x.io\r\nEMAIL;TYPE=home;PREF=1:first@x.io\r\nEMAIL:third@x.io\r\n"
        "TEL;VALUE=uri;PREF=50:tel:+33-1-00\r\nTEL;VALUE=uri;TYPE=cell;PREF=3:tel:+33-6-00\r\n"
        "ADR;TYPE=home;PREF=2:;;Home St 1;Lyon;;69001;France\r\n"
        "ADR;TYPE=work;PREF=1:;;Work St 2;Paris;;75008;France\r\n"
        "END:VCARD\r\n"
    )
    [card] = read_text(text)
    assert card["email"] == "first@x.io"
    assert card["field:email.other"] == "second@x.io"
    assert card["field:email.other.2"] == "third@x.io"
    assert card["phone"] == "+33-6-00" and card["field:phone.other"] == "+33-1-00"
    assert card["field:city"] == "Paris" and card["field:home.city"] == "Lyon"


def test_a_second_note_or_url_is_kept_not_dropped() -> None:
    """Only the first NOTE and URL were read; a card's second note (Android writes one per
    note) and its other web pages were dropped without a word."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\n"
        "NOTE:Met at the fair.\r\nNOTE:Prefers calls\\, not mail.\r\n"
        "URL;TYPE=work:https://acme.example\r\nURL;TYPE=home:https://ada.example\r\n"
        "URL:https://blog.example\r\nURL:https://acme.example\r\n"
        "END:VCARD\r\n"
    )
    [card] = read_text(text)
    assert card["notes"] == "Met at the fair.\n\nPrefers calls, not mail."
    assert card["field:website"] == "https://acme.example"
    assert card["field:website.home"] == "https://ada.example"
    assert card["field:website.other"] == "https://blog.example"
    assert "field:website.other.2" not in card  # the same page twice is one


def test_properties_without_a_field_are_counted_or_kept_on_request() -> None:
    """A NICKNAME, IMPP or X-SKYPE was dropped without a word; now each is counted once a
    card (the import names them), and --keep-extra keeps those holding text as custom
    fields named after them."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nNICKNAME:Countess\r\nNICKNAME:Ada L\r\n"
        "X-SKYPE:ada.l\r\nIMPP:xmpp:ada@x.example\r\nitem1.ADR:;;Main St 1;;;;\r\n"
        "item1.X-ABADR:us\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob\r\nNICKNAME:Bobby\r\nEND:VCARD\r\n"
    )
    unread: dict[str, int] = {}
    read = read_text(text, unread=unread)
    assert unread == {"NICKNAME": 2, "X-SKYPE": 1, "IMPP": 1}
    assert "field:nickname" not in read[0]
    unread.clear()
    [ada, bob] = read_text(text, keep_extra=True, unread=unread)
    assert unread == {}
    assert (ada["field:nickname"], ada["field:nickname.2"]) == ("Countess", "Ada L")
    assert ada["field:x-skype"] == "ada.l" and ada["field:impp"] == "xmpp:ada@x.example"
    assert bob["field:nickname"] == "Bobby"


def test_a_broken_line_with_many_parameters_is_rejected_at_once() -> None:
    """vobject's pattern for a property line backtracks exponentially when a line with
    parameters does not match (a stray ';' before the ':'): 24 parameters took 27 s, 40
    would take days, so one such card hung the import. It is one rejected card."""
    broken = "TEL" + ";TYPE=a" * 40 + ";:+1 555 0100"
    many = "EMAIL" + ";TYPE=internet,work" * 200 + ';X-LABEL="a:b;c":ada@x.io'
    text = (
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\n{broken}\r\nEND:VCARD\r\n"
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\n{many}\r\nEND:VCARD\r\n"
    )

    def too_slow(*_: object) -> None:
        raise TimeoutError("reading took more than 5 s")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.setitimer(signal.ITIMER_REAL, 5)
    try:
        (_, first, _), (_, second, _) = read_vcards(io.BytesIO(text.encode()), name="x.vcf")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert first[ROW_ERROR].startswith("cannot read this vCard: At line 4: Failed to parse line")
    assert second["email"] == "ada@x.io"


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_a_contact_without_a_phone_or_email_keeps_its_second_one_as_it_was(version: str) -> None:
    """A contact with no phone but a ``phone.2`` came back with that number as its phone
    (and ``email.2`` as its email): a card that names no preferred value has its first
    one read as the contact's. tinycrm's own cards say which is the contact's (PREF), so
    one of them that prefers none has none."""
    fields = {"phone.2": "+1 555 0102", "email.2": "b2@x.example", "phone.mobile": "+1 3"}
    contact = {"name": "Bob Phoneless", "email": None, "phone": None, "fields": fields,
               "company": None, "title": None, "notes": None, "tags": []}  # fmt: skip
    text = contact_card(contact, version=version)
    assert "PRODID:-//tinycrm//" in text
    [values] = read_text(text)
    assert "phone" not in values and "email" not in values
    kept = {k.removeprefix("field:"): v for k, v in values.items() if k.startswith("field:")}
    assert kept == fields
    # An earlier export (no PRODID) is known by its X-TINYCRM-CREATED
    older = text.replace(next(ln for ln in text.splitlines() if ln.startswith("PRODID")), "")
    older = older.replace("END:VCARD", "X-TINYCRM-CREATED:2026-01-02T00:00:00+00:00\r\nEND:VCARD")
    [values] = read_text(older.replace("\r\n\r\n", "\r\n"))
    assert "phone" not in values and values["field:phone.2"] == "+1 555 0102"
    # A card from elsewhere that prefers none: its first value is the contact's
    other = text.replace("-//tinycrm//", "-//Other//")
    [values] = read_text(other)
    assert values["phone"] and values["email"] == "b2@x.example"


def test_a_photo_left_out_is_named_among_the_properties_not_imported() -> None:
    """A card's PHOTO (KEY, LOGO, SOUND) was dropped without a word: the summary of
    properties not imported named NICKNAME but not the photo the card held."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Johnny Appleseed\r\nNICKNAME:J\r\n"
        "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ\r\n AAAQABAAD\r\n"
        "item1.KEY:http://example.com/key.asc\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Google Person\r\n"
        "PHOTO:https://lh3.googleusercontent.com/abc\r\nEND:VCARD\r\n"
    )
    unread: dict[str, int] = {}
    [one, two] = read_text(text, unread=unread)
    assert one["name"] == "Johnny Appleseed" and two["name"] == "Google Person"
    assert unread == {"NICKNAME": 1, "PHOTO": 2, "KEY": 1}


def test_quoted_printable_in_the_windows_code_page_without_a_charset() -> None:
    """Outlook and old phones write vCard 2.1 quoted-printable in the Windows code page
    with no CHARSET: vobject took the bytes for UTF-8 and the whole card was rejected
    ('utf-8' codec can't decode byte 0xe9), name, phones and all."""
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:M\xfcller;J\xfcrgen\r\nFN:J\xfcrgen M\xfcller\r\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE:First line=0D=0ASecond line caf=E9 =\r\n"
        "and =80 more\r\nTEL;WORK;VOICE:+49 30 1\r\nTEL;CELL;PREF:+49 170 2\r\n"
        "ADR;HOME;ENCODING=QUOTED-PRINTABLE:;;Stra=DFe 1;K=F6ln;;50667;\r\n"
        "EMAIL;PREF;INTERNET;ENCODING=QUOTED-PRINTABLE:jm=40example.de\r\nEND:VCARD\r\n"
    )
    read = read_vcards(io.BytesIO(text.encode("cp1252")), name="outlook.vcf")
    [(_, card, _)] = list(read)
    assert ROW_ERROR not in card
    assert card["name"] == "Jürgen Müller" and card["email"] == "jm@example.de"
    assert card["notes"] == "First line\nSecond line café and € more"
    assert card["phone"] == "+49 170 2" and card["field:phone.work"] == "+49 30 1"
    assert card["field:street"] == "Straße 1" and card["field:city"] == "Köln"


def test_the_extended_address_and_po_box_come_back() -> None:
    """ADR's post office box and extended address (RFC 6350's 'Suite D2-630') were
    dropped on import: the card came back without the suite or the box."""
    text = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Simon Perreault\r\n"
        "ADR;TYPE=work:PO Box 12;Suite D2-630;2875 Laurier;Quebec;QC;G1V 2M2;Canada\r\n"
        "ADR;TYPE=home:;Apt 4;1 Rue;Montreal;;;\r\nEND:VCARD\r\n"
    )
    [card] = read_text(text)
    assert card["field:pobox"] == "PO Box 12" and card["field:street2"] == "Suite D2-630"
    assert card["field:street"] == "2875 Laurier" and card["field:home.street2"] == "Apt 4"
    contact = {"name": "Simon Perreault", "email": None, "phone": None, "company": None,
               "title": None, "notes": None, "tags": [],
               "fields": {k.removeprefix("field:"): v for k, v in card.items()
                          if k.startswith("field:")}}  # fmt: skip
    for version in ("3.0", "4.0"):
        [again] = read_text(contact_card(contact, version=version))
        assert {k: v for k, v in again.items() if k != "uid"} == card


def test_an_apple_label_on_the_main_phone_and_email_is_their_type() -> None:
    """Apple files a label in a group (item1.TEL + item1.X-ABLabel:_$!<Mobile>!$_): on
    the contact's own phone and email it was lost, the export a TYPE-less number."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Johnny Appleseed\r\n"
        "item1.TEL;type=pref:+1 408 555 0100\r\nitem1.X-ABLabel:_$!<Mobile>!$_\r\n"
        "item2.EMAIL;type=INTERNET:j@apple.example\r\nitem2.X-ABLabel:_$!<Home>!$_\r\n"
        "item3.TEL:+1 408 555 0199\r\nitem3.X-ABLabel:Assistant\r\nEND:VCARD\r\n"
    )
    [card] = read_text(text)
    assert card["field:phone_type"] == "cell" and card["field:email_type"] == "home"
    assert card["field:phone.assistant"] == "+1 408 555 0199"
    contact = SimpleNamespace(
        name="Johnny Appleseed", email=card["email"], phone=card["phone"], company=None,
        title=None, notes=None, tags=[],
        fields={k.removeprefix("field:"): v for k, v in card.items() if k.startswith("field:")},
    )  # fmt: skip
    out = contact_card(contact)
    assert "TEL;TYPE=CELL,PREF:+1 408 555 0100" in out
    assert "EMAIL;TYPE=INTERNET,HOME,PREF:j@apple.example" in out


def test_an_apple_label_with_accented_letters_keeps_its_letters() -> None:
    """A label of one's own in another language: 'Büro' was filed as phone.b-ro (each
    letter outside a-z a dash), 'Zweitwohnung Köln' as phone.zweitwohnung-k-ln."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jürgen Müller\r\n"
        "TEL;type=pref:+49 30 555 0100\r\n"
        "item1.TEL:+49 30 555 0101\r\nitem1.X-ABLabel:Büro\r\n"
        "item2.TEL:+49 221 555 0102\r\nitem2.X-ABLabel:Zweitwohnung Köln\r\n"
        "EMAIL;type=pref:jm@example.de\r\n"
        "item3.EMAIL:j@example.de\r\nitem3.X-ABLabel:Straße\r\nEND:VCARD\r\n"
    )
    [card] = read_text(text)
    assert card["field:phone.buro"] == "+49 30 555 0101"
    assert card["field:phone.zweitwohnung-koln"] == "+49 221 555 0102"
    assert card["field:email.strasse"] == "j@example.de"


def test_a_family_name_of_more_than_one_word_and_honorifics_come_back() -> None:
    """N was rebuilt from the name's last word: 'N:García Márquez;Gabriel;;;' came back as
    'N:Márquez;Gabriel García;;;' (sorted under M by every address book), a
    'van der Berg' under Berg, and N's prefix and suffix (Dr., PhD) were lost."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Gabriel García Márquez\r\n"
        "N:García Márquez;Gabriel;José;Dr.;PhD,M.Sc.\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\nEND:VCARD\r\n"
    )
    [card, plain] = read_text(text)
    assert plain == {"name": "Ada Lovelace"}  # N as the name says it: nothing to keep
    base = {"email": None, "phone": None, "company": None, "title": None, "notes": None,
            "tags": []}  # fmt: skip
    fields = {k.removeprefix("field:"): v for k, v in card.items() if k.startswith("field:")}
    contact = {**base, "name": card["name"], "fields": fields}
    for version in ("3.0", "4.0"):
        out = contact_card(contact, version=version)
        assert "N:García Márquez;Gabriel;José;Dr.;PhD,M.Sc.\r\n" in out
        [again] = read_text(out)
        assert {k: v for k, v in again.items() if k != "uid"} == card
    # renamed since: the name's own split, the old parts kept as a field
    out = contact_card({**contact, "name": "Gabo Smith"})
    assert "N:Smith;Gabo;;;\r\n" in out


def test_a_second_address_of_the_same_type_is_kept() -> None:
    """Two home addresses (or Apple's two 'other' ones): the second was dropped without a
    word, each of its parts already taken by the first's."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Two Homes\r\n"
        "ADR;TYPE=work:;;1 Office Rd;Dublin;;D02;Ireland\r\n"
        "ADR;TYPE=home:;;2 Town St;Cork;;T12;Ireland\r\n"
        "ADR;TYPE=home:;;3 Beach Ln;Dingle;;V92;Ireland\r\nEND:VCARD\r\n"
    )
    [card] = read_text(text)
    assert card["field:home.city"] == "Cork" and card["field:home.2.city"] == "Dingle"
    assert card["field:home.2.street"] == "3 Beach Ln"
    fields = {k.removeprefix("field:"): v for k, v in card.items() if k.startswith("field:")}
    contact = {"name": "Two Homes", "email": None, "phone": None, "company": None,
               "title": None, "notes": None, "tags": [], "fields": fields}  # fmt: skip
    for version in ("3.0", "4.0"):
        out = contact_card(contact, version=version)
        assert "ADR;TYPE=HOME:;;3 Beach Ln" in out or "ADR;TYPE=home:;;3 Beach Ln" in out
        [again] = read_text(out)
        assert {k: v for k, v in again.items() if k != "uid"} == card


def test_a_card_whose_only_address_is_home_does_not_come_back_as_work() -> None:
    """The first address is the contact's (``street``, ``city``): export wrote it as
    ADR;TYPE=WORK, so a person's only, home address came back as their office."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Home Body\r\n"
        "ADR;TYPE=home:;;2 Town St;Cork;;T12;Ireland\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Office Body\r\n"
        "ADR:;;1 Office Rd;Dublin;;D02;Ireland\r\nEND:VCARD\r\n"
    )
    [home, office] = read_text(text)
    assert home["field:city"] == "Cork" and home["field:address_type"] == "home"
    assert "field:address_type" not in office  # no TYPE: work, as RFC 2426 has it
    for card, kind in ((home, "HOME"), (office, "WORK")):
        fields = {k.removeprefix("field:"): v for k, v in card.items() if k.startswith("field:")}
        contact = {"name": card["name"], "email": None, "phone": None, "company": None,
                   "title": None, "notes": None, "tags": [], "fields": fields}  # fmt: skip
        out = contact_card(contact)
        assert f"ADR;TYPE={kind}:;;" in out and "address_type" not in out
        [again] = read_text(out)
        assert {k: v for k, v in again.items() if k != "uid"} == card


def test_a_role_beside_a_title_is_kept() -> None:
    """ROLE was read only as the title of a card without TITLE: beside one ('TITLE:CTO',
    'ROLE:Decision maker') it was dropped, and named nowhere."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Role Player\r\nTITLE:CTO\r\n"
        "ROLE:Decision maker\r\nEND:VCARD\r\n"
    )
    [card] = read_text(text)
    assert card["title"] == "CTO" and card["field:job_role"] == "Decision maker"
    contact = {"name": "Role Player", "email": None, "phone": None, "company": None,
               "title": "CTO", "notes": None, "tags": [],
               "fields": {"job_role": "Decision maker"}}  # fmt: skip
    out = contact_card(contact)
    assert "ROLE:Decision maker\r\n" in out and "job_role" not in out
    [again] = read_text(out)
    assert {k: v for k, v in again.items() if k != "uid"} == card


def test_every_unit_of_an_organisation_is_kept() -> None:
    """ORG:Acme;Sales;EMEA kept Acme and Sales: the third unit was dropped unsaid."""
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Unit Person\r\nORG:Acme;Sales;EMEA\r\nEND:VCARD\r\n"
    [card] = read_text(text)
    assert card["company"] == "Acme" and card["field:department"] == "Sales;EMEA"
    contact = {"name": "Unit Person", "email": None, "phone": None, "company": "Acme",
               "title": None, "notes": None, "tags": [],
               "fields": {"department": "Sales;EMEA"}}  # fmt: skip
    out = contact_card(contact)
    assert "ORG:Acme;Sales;EMEA\r\n" in out
    [again] = read_text(out)
    assert {k: v for k, v in again.items() if k != "uid"} == card


def test_a_second_title_or_organisation_is_kept() -> None:
    """A card's second TITLE or ORG (LinkedIn-style 'CEO' and 'Founder', two employers)
    was dropped, and named nowhere: only the first of each was read."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Two Hats\r\nTITLE:CEO\r\nTITLE:Founder\r\n"
        "ORG:Acme;Sales\r\nORG:Beta Ltd\r\nEND:VCARD\r\n"
    )
    [card] = read_text(text)
    assert (card["title"], card["field:title.2"]) == ("CEO", "Founder")
    assert (card["company"], card["field:company.2"]) == ("Acme", "Beta Ltd")
    assert card["field:department"] == "Sales"
    fields = {k.removeprefix("field:"): v for k, v in card.items() if k.startswith("field:")}
    contact = {"name": "Two Hats", "email": None, "phone": None, "company": "Acme",
               "title": "CEO", "notes": None, "tags": [], "fields": fields}  # fmt: skip
    [again] = read_text(contact_card(contact))
    assert {k: v for k, v in again.items() if k != "uid"} == card


def test_a_company_card_without_a_name_is_named_after_its_organisation() -> None:
    """A company's card (Apple's X-ABShowAs:COMPANY, an empty FN and N) was rejected
    whole, 'name must not be empty', its phone with it."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nFN:\r\nORG:Acme Widgets;\r\n"
        "X-ABShowAs:COMPANY\r\nTEL;type=WORK:+1 555 1000\r\nEND:VCARD\r\n"
    )
    [card] = read_text(text)
    assert (card["name"], card["company"], card["phone"]) == (
        "Acme Widgets", "Acme Widgets", "+1 555 1000"
    )  # fmt: skip


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_a_tel_uri_with_an_extension_is_a_number_and_its_extension(version: str) -> None:
    """vCard 4's ``TEL;VALUE=uri:tel:+1-555-555-5555;ext=5555`` (RFC 6350, RFC 3966) was
    kept as the text ``+1-555-555-5555;ext=5555`` (and ``TEL:`` in capitals whole): now the
    number with its extension as a person writes it, which reads as the same line."""
    from tinycrm.phones import normalise

    text = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada\r\n"
        "TEL;VALUE=uri;PREF=1;TYPE=work:tel:+1-555-555-5555;ext=5555\r\n"
        "TEL;VALUE=uri;TYPE=home:TEL:+1-555-555-0000\r\n"
        "TEL;VALUE=uri;TYPE=cell:tel:+1-555-555-0001;isub=7;EXT=12\r\n"
        "TEL;VALUE=uri;TYPE=fax:tel:863-1234;phone-context=+1-914-555\r\nEND:VCARD\r\n"
    )
    [card] = read_text(text)
    assert card["phone"] == "+1-555-555-5555 ext. 5555"
    assert normalise(card["phone"]) == "+15555555555;ext=5555"
    assert card["field:phone.home"] == "+1-555-555-0000"
    assert card["field:phone.mobile"] == "+1-555-555-0001 ext. 12;isub=7"  # kept, not lost
    assert normalise(card["field:phone.fax"]) == "+19145558631234"  # its local context
    fields = {k.removeprefix("field:"): v for k, v in card.items() if k.startswith("field:")}
    contact = {"name": "Ada", "email": None, "phone": card["phone"], "company": None,
               "title": None, "notes": None, "tags": [], "fields": fields}  # fmt: skip
    [again] = read_text(contact_card(contact, version=version))
    assert {k: v for k, v in again.items() if k != "uid"} == card


def test_a_second_name_birthday_or_role_is_kept() -> None:
    """A card's second FN (vCard 4's name in another script, ALTID/LANGUAGE), second BDAY
    or second ROLE was dropped, and named nowhere: only the first of each was read. Kept
    as title.2 is: name.2, birthday.2, job_role.2; a repeat of the same value is one."""
    text = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN;ALTID=1;LANGUAGE=ja:山田太郎\r\n"
        "FN;ALTID=1;LANGUAGE=en:Taro Yamada\r\nFN:山田太郎\r\nN:Yamada;Taro;;;\r\n"
        "BDAY:19800412\r\nBDAY;VALUE=text:circa 1980\r\nTITLE:CTO\r\n"
        "ROLE:Architect\r\nROLE:Mentor\r\nROLE:CTO\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:\r\nFN:Bo Li\r\nBDAY:\r\nBDAY:1990-01-02\r\n"
        "ROLE:Buyer\r\nROLE:Approver\r\nEND:VCARD\r\n"
    )
    [taro, bo] = read_text(text)
    assert (taro["name"], taro["field:name.2"]) == ("山田太郎", "Taro Yamada")
    assert (taro["field:birthday"], taro["field:birthday.2"]) == ("19800412", "circa 1980")
    assert (taro["field:job_role"], taro["field:job_role.2"]) == ("Architect", "Mentor")
    assert not {"field:name.3", "field:job_role.3"} & taro.keys()
    assert (bo["name"], bo["field:birthday"]) == ("Bo Li", "1990-01-02")
    assert (bo["title"], bo["field:job_role"]) == ("Buyer", "Approver")
    assert not {"field:name.2", "field:birthday.2"} & bo.keys()
    for card in (taro, bo):
        fields = {k.removeprefix("field:"): v for k, v in card.items() if k.startswith("field:")}
        contact = {"name": card["name"], "email": None, "phone": None, "company": None,
                   "title": card["title"], "notes": None, "tags": [], "fields": fields}  # fmt: skip
        for version in ("3.0", "4.0"):
            [again] = read_text(contact_card(contact, version=version))
            assert {k: v for k, v in again.items() if k != "uid"} == card


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_an_apple_birthday_without_a_year_stays_without_one(version: str) -> None:
    """Apple writes a birthday without a year as 1604 with X-APPLE-OMIT-YEAR=1604: it was
    kept as 1604-04-12 and exported without the parameter, so the contact came back born
    in 1604. Now it is --04-12, the form vCard 4 and Google give a date without a year."""
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nBDAY;X-APPLE-OMIT-YEAR=1604:1604-04-12\r\n"
        "BDAY;X-APPLE-OMIT-YEAR=1604:16040501\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bo\r\nBDAY;X-APPLE-OMIT-YEAR=1604:1980-04-12\r\n"
        "END:VCARD\r\n"
    )
    [ada, bo] = read_text(text)
    assert (ada["field:birthday"], ada["field:birthday.2"]) == ("--04-12", "--0501")
    assert bo["field:birthday"] == "1980-04-12"  # a year Apple did not omit
    fields = {k.removeprefix("field:"): v for k, v in ada.items() if k.startswith("field:")}
    contact = {"name": "Ada", "email": None, "phone": None, "company": None,
               "title": None, "notes": None, "tags": [], "fields": fields}  # fmt: skip
    written = contact_card(contact, version=version)
    assert "1604" not in written and "BDAY:--04-12" in written
    [again] = read_text(written)
    assert {k: v for k, v in again.items() if k != "uid"} == ada


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_custom_fields_written_as_vcard_properties_come_back_as_stored(version: str) -> None:
    """The fields export writes as vCard properties came back bent: a street of two lines
    (a Google CSV's) as one line joined by ', ', spaces at either end gone, a department
    'Sales; EMEA' as 'Sales;EMEA', a second address equal to the main one dropped. Round
    trips keep custom fields as stored: such a value goes as X-TINYCRM-FIELD as well."""
    fields = {"street": "Main St 1\nFloor 2", "city": " Köln ", "department": "Sales; EMEA",
              "email.work": "ada@x.example", "website": "https://x.example ",
              "birthday": "1980-04-12", "postcode": "50667"}  # fmt: skip
    contact = {"name": "Ada", "email": "ada@x.example", "phone": None, "company": "Acme",
               "title": None, "notes": None, "tags": [], "fields": fields}  # fmt: skip
    written = contact_card(contact, version=version)
    [again] = read_text(written)
    assert {k.removeprefix("field:"): v for k, v in again.items() if k.startswith("field:")} == (
        fields
    )
    assert "NAME=postcode" not in written and "NAME=birthday" not in written  # as they were


def test_a_text_value_in_base64_is_read_as_text() -> None:
    """vCard 2.1 lets any value be base64 (ENCODING=BASE64; 3.0's ENCODING=b), as some
    phones write a name or note of accented letters: the bytes' Python form came in,
    the name "b'Ada'", the note "b'M\\xc3\\xbcller'". Now the bytes are text in the
    value's CHARSET (else UTF-8, else Windows-1252), and a value that is not base64
    rejects the card, where it came in as "b''"."""
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;ENCODING=BASE64:QWRh\r\n"
        "NOTE;CHARSET=UTF-8;ENCODING=BASE64:TcO8bGxlcg==\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN;ENCODING=b:Qm8=\r\n"
        "NOTE;ENCODING=b;CHARSET=ISO-8859-1:R3L832U=\r\nTITLE;ENCODING=b:/GJlcg==\r\n"
        "END:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cy\r\nNOTE;ENCODING=b:!!!\r\nEND:VCARD\r\n"
    )
    ada, bo, cy = read_text(text)
    assert (ada["name"], ada["notes"]) == ("Ada", "Müller")
    assert (bo["name"], bo["notes"], bo["title"]) == ("Bo", "Grüße", "über")
    assert cy[ROW_ERROR] == "cannot read this vCard: NOTE is not base64, as its ENCODING says"


def test_a_soft_break_at_the_end_of_a_value_does_not_swallow_the_next_property() -> None:
    """A quoted-printable value whose last line ends in '=' (a soft line break with
    nothing after it, as broken writers leave it) took the next property into itself,
    as vobject and khard read it: the email was lost inside the name, and 'BDAY' made
    '=BD', a byte no UTF-8 holds, so the whole card was read as Windows-1252 ('MÃ¼ller').
    A line that starts a property is a property: the value ends before it."""
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen=\r\n"
        "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller=\r\n"
        "EMAIL;INTERNET:jm@acme.de\r\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE:Gr=C3=BC=C3=9Fe, a long note that the phone=\r\n"
        " breaks=3D with a soft break=\r\n"
        "item1.TEL;CELL:+49 170 2\r\n"
        "TITLE;ENCODING=QUOTED-PRINTABLE:Gesch=C3=A4ftsf=C3=BChrer=\r\n"
        "BDAY:1970-01-02\r\nORG;ENCODING=QUOTED-PRINTABLE:Acme=\r\n"
        "PHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRgABAQ\r\n  AAAQABAAD\r\n\r\n"
        "END:VCARD\r\n"
    )
    [card] = read_text(text)
    assert ROW_ERROR not in card
    assert card["name"] == "Jürgen Müller" and card["email"] == "jm@acme.de"
    assert card["notes"] == "Grüße, a long note that the phone breaks= with a soft break"
    assert card["phone"] == "+49 170 2" and card["title"] == "Geschäftsführer"
    assert card["field:birthday"] == "1970-01-02" and card["company"] == "Acme"
    assert "name_parts" not in str(card)


def test_a_soft_break_still_joins_a_line_that_only_looks_like_a_property() -> None:
    """The line after a soft break is the value's rest unless it starts a property a
    vCard has (in capitals, as writers spell them) or an X- one: text such as
    'Note: call' or 'to:' goes on with the value, as quoted-printable says."""
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ann Lee\r\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE:First=0D=0A=\r\n"
        "Note: call=\r\n"
        "to:ann=\r\n"
        "=C3=BC\r\nEND:VCARD\r\n"
    )
    [card] = read_text(text)
    assert card["notes"] == "First\nNote: callto:annü"


def test_quoted_printable_named_in_lowercase_is_decoded() -> None:
    """vobject takes ENCODING=QUOTED-PRINTABLE in capitals only: a writer that spells
    parameters in lowercase ('encoding=quoted-printable', or the 2.1 bare
    'quoted-printable') had its names come in as 'M=C3=BCller'. Parameter values are
    case-insensitive: each is decoded."""
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "N;CHARSET=utf-8;encoding=quoted-printable:M=C3=BCller;J=C3=BCrgen\r\n"
        "FN;Encoding=Quoted-Printable:J=C3=BCrgen M=C3=BCller\r\n"
        "NOTE;quoted-printable:caf=E9 =\r\nau lait\r\n"
        "TITLE:a=3Db quoted-printable:x\r\nEND:VCARD\r\n"
    )
    [card] = read_text(text)
    assert card["name"] == "Jürgen Müller" and card["notes"] == "café au lait"
    assert card["title"] == "a=3Db quoted-printable:x"


def test_a_soft_break_at_the_end_of_a_value_does_not_swallow_a_lowercase_property() -> None:
    """vCard names are case-insensitive and some writers spell them in lowercase
    ('email;internet:'): after a stray '=' the lowercase line was taken into the value
    (the email inside the name, 'bday' after '=' the byte 0xBD). A writer that spells the
    soft-broken property's name in lowercase spells the next one so: it starts there. In
    a card whose names are in capitals, lowercase text ('email: me') still goes on."""
    text = (
        "begin:vcard\r\nversion:2.1\r\n"
        "n;charset=utf-8;encoding=quoted-printable:M=C3=BCller;J=C3=BCrgen=\r\n"
        "fn;charset=utf-8;encoding=quoted-printable:J=C3=BCrgen M=C3=BCller=\r\n"
        "email;internet:jm@acme.de\r\n"
        "title;encoding=quoted-printable:Gesch=C3=A4ftsf=C3=BChrer=\r\n"
        "bday:1970-01-02\r\nitem1.tel;cell:+49 170 2\r\n"
        "org;encoding=quoted-printable:Acme=\r\n"
        "x-custom:kept\r\nend:vcard\r\n"
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ann Lee\r\n"
        "NOTE;ENCODING=QUOTED-PRINTABLE:Write=\r\n"
        "email: me\r\nEND:VCARD\r\n"
    )
    jm, ann = read_text(text)
    assert ROW_ERROR not in jm
    assert jm["name"] == "Jürgen Müller" and jm["email"] == "jm@acme.de"
    assert jm["title"] == "Geschäftsführer" and jm["field:birthday"] == "1970-01-02"
    assert jm["phone"] == "+49 170 2" and jm["company"] == "Acme"
    assert ann["notes"] == "Writeemail: me"


def test_a_quoted_printable_value_cut_mid_character_keeps_its_card() -> None:
    """A value cut short in a character's escapes ('J=C3=B' at its end: a phone's
    truncated field) rejected the whole card ("'utf-8' codec can't decode byte 0xc3"),
    its name, email and the rest with it; with no CHARSET it came in as 'AnnÃ=B'. The
    card is kept, the value read up to the cut character, and each such value named."""
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen\r\n"
        "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=B\r\n"
        "EMAIL;INTERNET:jm@acme.de\r\n"
        "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:caf=C3=A9 =\r\nau l=C3=\r\n"
        "END:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;ENCODING=QUOTED-PRINTABLE:Ann=C3=B\r\n"
        "TITLE;ENCODING=QUOTED-PRINTABLE:caf=E9\r\nEND:VCARD\r\n"
    )
    cut: list[str] = []
    jm, ann = read_text(text, cut=cut)
    assert ROW_ERROR not in jm and jm["email"] == "jm@acme.de"
    assert jm["name"] == "Jürgen M" and jm["notes"] == "café au l"
    assert ann["name"] == "Ann" and ann["title"] == "café"  # Windows-1252, whole: as it was
    assert cut == ["FN (card on line 1)", "NOTE (card on line 1)", "FN (card on line 9)"]


def test_each_quoted_printable_value_without_a_charset_is_read_in_its_own() -> None:
    """A card whose quoted-printable values name no charset, one in UTF-8 (Android) and
    one in the Windows code page, was read as Windows-1252 whole, as soon as one value
    was not UTF-8: the UTF-8 name came out as 'MÃ¼ller'. Each value is now read in its
    own: UTF-8 when its bytes are, else Windows-1252."""
    text = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nFN;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=\r\n"
        "=BCller\r\nNOTE;ENCODING=QUOTED-PRINTABLE:caf=E9 =80\r\nEND:VCARD\r\n"
    )
    [card] = read_text(text)
    assert card["name"] == "Jürgen Müller" and card["notes"] == "café €"

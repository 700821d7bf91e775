"""vCards from Apple, Google, Outlook, Thunderbird and Nextcloud imported, exported and
imported again: every value comes back, and other address books read the export."""

from __future__ import annotations

from pathlib import Path


def _round_trip(cli, tmp_path: Path, card: str, *options: str, version: str = "3.0") -> tuple:
    """``card`` imported (with ``options``), exported, and the export imported into a
    second database without options: (the export, the contact, the contact again)."""
    db, db2 = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    (tmp_path / "in.vcf").write_text(card)
    done = cli("--db", db, "import", "contacts", str(tmp_path / "in.vcf"), *options)
    assert done.exit_code == 0, done.stderr
    out = tmp_path / "out.vcf"
    args = ["--db", db, "export", "contacts", "--format", "vcard", "--out", str(out)]
    assert cli(*args, "--vcard-version", version).exit_code == 0
    assert cli("--db", db2, "import", "contacts", str(out)).exit_code == 0
    [contact] = cli("--db", db, "contact", "list", "--json").json()
    [again] = cli("--db", db2, "contact", "list", "--json").json()
    return out.read_text(), contact, again


def test_properties_kept_by_keep_extra_go_back_out_as_themselves(cli, tmp_path: Path) -> None:
    """--keep-extra keeps NICKNAME, IMPP, ANNIVERSARY, RELATED, X-SKYPE as custom fields,
    and export wrote them as X-TINYCRM-FIELD;NAME=nickname: Apple, Google and khard read
    none of them back, and the nickname, chat handles and anniversary were gone there.
    Now each goes out as the property it came from, and tinycrm's own card reads them
    back as the fields without --keep-extra."""
    card = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada Lovelace\r\nUID:ada-1\r\n"
        "NICKNAME:Countess\r\nNICKNAME:Ada L\r\nANNIVERSARY:18350708\r\n"
        "IMPP:xmpp:ada@jabber.example\r\nIMPP:skype:ada.lovelace\r\n"
        "RELATED;VALUE=text:William King\r\nX-SKYPE:ada.l\r\nEND:VCARD\r\n"
    )
    for version in ("3.0", "4.0"):
        text, contact, again = _round_trip(cli, tmp_path, card, "--keep-extra", version=version)
        assert contact["fields"] == {
            "nickname": "Countess", "nickname.2": "Ada L", "anniversary": "18350708",
            "impp": "xmpp:ada@jabber.example", "impp.2": "skype:ada.lovelace",
            "related": "William King", "x-skype": "ada.l",
        }  # fmt: skip
        lines = text.splitlines()
        for line in ("NICKNAME:Countess", "NICKNAME:Ada L", "ANNIVERSARY:18350708",
                     "IMPP:xmpp:ada@jabber.example", "IMPP:skype:ada.lovelace",
                     "RELATED:William King", "X-SKYPE:ada.l"):  # fmt: skip
            assert line in lines
        assert "X-TINYCRM-FIELD" not in text
        assert again["fields"] == contact["fields"]
        for db in ("a.db", "b.db"):
            (tmp_path / db).unlink()


def test_a_second_of_a_property_without_a_first_is_not_made_the_first(cli, tmp_path: Path) -> None:
    """A field nickname.2 alone goes out as X-TINYCRM-FIELD, not as a NICKNAME that would
    come back as nickname (a field nobody had)."""
    db, db2 = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    added = cli("--db", db, "contact", "add", "Ada", "--field", "nickname.2=Ada L")
    assert added.exit_code == 0, added.stderr
    out = tmp_path / "out.vcf"
    assert (
        cli("--db", db, "export", "contacts", "--format", "vcard", "--out", str(out)).exit_code == 0
    )
    assert cli("--db", db2, "import", "contacts", str(out)).exit_code == 0
    [again] = cli("--db", db2, "contact", "list", "--json").json()
    assert again["fields"] == {"nickname.2": "Ada L"}


def test_every_web_page_goes_out_as_a_url(cli, tmp_path: Path) -> None:
    """Only the first web page went out as URL; the others (website.home, a page Apple
    or Google labelled 'blog') were written as X-TINYCRM-FIELD, which no address book
    reads: there the contact had one web page. Now each is a URL with its type or
    label, and comes back under its key."""
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nUID:ada-1\r\n"
        "URL;TYPE=WORK:https://analytical.example\r\nURL;TYPE=HOME:https://ada.example\r\n"
        "item1.URL:https://ada.example/blog\r\nitem1.X-ABLabel:blog\r\n"
        "item2.URL:https://ada.example/old\r\nitem2.X-ABLabel:_$!<HomePage>!$_\r\n"
        "URL:https://other.example\r\nEND:VCARD\r\n"
    )
    for version in ("3.0", "4.0"):
        text, contact, again = _round_trip(cli, tmp_path, card, version=version)
        assert contact["fields"] == {
            "website": "https://analytical.example",
            "website_type": "work",
            "website.home": "https://ada.example",
            "website.blog": "https://ada.example/blog",
            "website.homepage": "https://ada.example/old",
            "website.other": "https://other.example",
        }
        urls = [line for line in text.splitlines() if "URL" in line.split(":")[0]]
        assert len(urls) == 5 and "X-TINYCRM-FIELD" not in text
        assert again["fields"] == contact["fields"]
        for db in ("a.db", "b.db"):
            (tmp_path / db).unlink()


def test_the_labels_and_types_of_properties_kept_by_keep_extra_come_back(
    cli, tmp_path: Path
) -> None:
    """Apple files an anniversary and a spouse's name as X-ABDATE / X-ABRELATEDNAMES
    labelled _$!<Anniversary>!$_ and _$!<Spouse>!$_; vCard 4 says RELATED;TYPE=spouse,
    Nextcloud X-SOCIALPROFILE;TYPE=twitter. --keep-extra kept the values and dropped the
    label and type: the anniversary came back as a date of no kind, the spouse as a
    name of nobody, the Twitter handle as a profile of no service. Now the type is kept
    in x-abdate_type (related_type.2, …), the label in x-abdate_label, and export
    writes both back."""
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nUID:ada-1\r\n"
        "item1.X-ABDATE;type=pref:1835-07-08\r\nitem1.X-ABLabel:_$!<Anniversary>!$_\r\n"
        "item2.X-ABRELATEDNAMES;type=pref:William King\r\nitem2.X-ABLabel:_$!<Spouse>!$_\r\n"
        "item3.X-ABRELATEDNAMES:Mary Somerville\r\nitem3.X-ABLabel:Tutor\r\n"
        "RELATED;TYPE=spouse;VALUE=text:William King\r\n"
        "X-SOCIALPROFILE;TYPE=twitter:https://twitter.com/ada\r\n"
        "IMPP;TYPE=work:xmpp:ada@jabber.example\r\nEND:VCARD\r\n"
    )
    for version in ("3.0", "4.0"):
        text, contact, again = _round_trip(cli, tmp_path, card, "--keep-extra", version=version)
        assert contact["fields"] == {
            "x-abdate": "1835-07-08", "x-abdate_type": "pref",
            "x-abdate_label": "Anniversary",
            "x-abrelatednames": "William King", "x-abrelatednames_type": "pref",
            "x-abrelatednames_label": "Spouse",
            "x-abrelatednames.2": "Mary Somerville", "x-abrelatednames_label.2": "Tutor",
            "related": "William King", "related_type": "spouse",
            "x-socialprofile": "https://twitter.com/ada", "x-socialprofile_type": "twitter",
            "impp": "xmpp:ada@jabber.example", "impp_type": "work",
        }  # fmt: skip
        assert "_$!<Anniversary>!$_" in text and "_$!<Spouse>!$_" in text
        assert "X-TINYCRM-FIELD" not in text
        assert again["fields"] == contact["fields"]
        for db in ("a.db", "b.db"):
            (tmp_path / db).unlink()


def test_keys_the_reading_would_spell_otherwise_come_back_as_they_were(cli, tmp_path: Path) -> None:
    """A phone or email under a key the card's label reads back otherwise (phone.Work,
    email.Home, phone.a_b: import files them as phone.work, email.home, phone.a-b) was
    written twice, as the TEL and as X-TINYCRM-FIELD: importing the export refused the
    contact ('email.home' and 'email.Home' are one custom field) or gave it a field
    more (phone.a-b beside phone.a_b). The TEL now names its key, which import takes."""
    db, db2 = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    fields = {"phone.Work": "+1 555 0102", "email.Home": "h@x.example",
              "phone.a_b": "+1 555 0103", "website.Blog": "https://b.example",
              "email.home.2": "h2@x.example"}  # fmt: skip
    args = [f"--field={key}={value}" for key, value in fields.items()]
    added = cli("--db", db, "contact", "add", "Ada", "--phone", "+1 555 0101", *args)
    assert added.exit_code == 0, added.stderr
    assert cli("--db", db, "contact", "edit", "1", "--field", "website=https://a.example")
    for version in ("3.0", "4.0"):
        out = tmp_path / "out.vcf"
        args = ["--db", db, "export", "contacts", "--format", "vcard", "--out", str(out)]
        assert cli(*args, "--vcard-version", version).exit_code == 0
        text = out.read_text()
        assert "X-TINYCRM-FIELD" not in text
        done = cli("--db", db2, "import", "contacts", str(out))
        assert done.exit_code == 0 and "1 created" in done.stdout, done.stdout
        [again] = cli("--db", db2, "contact", "list", "--json").json()
        assert again["fields"] == {**fields, "website": "https://a.example"}
        (tmp_path / "b.db").unlink()


def test_the_type_and_label_of_a_web_page_come_back(cli, tmp_path: Path) -> None:
    """The website's TYPE (Thunderbird's URL;TYPE=work) and Apple's or Google's label on
    it (item1.URL with X-ABLabel:blog) were dropped: the page came back of no kind, and
    another page's TYPE=work,pref as TYPE=WORK. Kept as an email's are (website_type,
    website_label, website_type.home) and written back."""
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nUID:ada-1\r\n"
        "item1.URL;TYPE=work:https://ada.example/blog\r\nitem1.X-ABLabel:Blog\r\n"
        "URL;TYPE=home,x-personal:https://ada.example\r\nEND:VCARD\r\n"
    )
    for version in ("3.0", "4.0"):
        text, contact, again = _round_trip(cli, tmp_path, card, version=version)
        assert contact["fields"] == {
            "website": "https://ada.example/blog",
            "website_type": "work",
            "website_label": "Blog",
            "website.home": "https://ada.example",
            "website_type.home": "home,x-personal",
        }
        assert "X-TINYCRM-FIELD" not in text
        assert again["fields"] == contact["fields"]
        for db in ("a.db", "b.db"):
            (tmp_path / db).unlink()


def test_label_and_class_come_back_through_a_vcard_4_export(cli, tmp_path: Path) -> None:
    """An Outlook 2.1 card's LABEL (the address as printed) and CLASS, kept by
    --keep-extra, went out in vCard 4 as X-TINYCRM-FIELD: no address book showed the
    label. Now the label is the LABEL of its ADR, CLASS (not in vCard 4) a field, and a
    3.0 export of the second database gives back the LABEL and CLASS lines."""
    card = (
        "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Lovelace;Ada\r\nFN:Ada Lovelace\r\nCLASS:PRIVATE\r\n"
        "ADR;WORK:;;1 Main St;Town;;;\r\n"
        "LABEL;WORK;ENCODING=QUOTED-PRINTABLE:Acme=0D=0A1 Main St\r\nEND:VCARD\r\n"
    )
    text, contact, again = _round_trip(cli, tmp_path, card, "--keep-extra", version="4.0")
    assert contact["fields"] == {"class": "PRIVATE", "street": "1 Main St", "city": "Town",
                                 "label": "Acme\n1 Main St", "label_type": "work"}  # fmt: skip
    assert "ADR;LABEL=Acme\\n1 Main St;TYPE=work:;;1 Main St;Town;;;" in text.splitlines()
    assert again["fields"] == contact["fields"]
    out = tmp_path / "three.vcf"
    args = ["--db", str(tmp_path / "b.db"), "export", "contacts", "--format", "vcard"]
    assert cli(*args, "--out", str(out)).exit_code == 0
    lines = out.read_text().splitlines()
    assert "CLASS:PRIVATE" in lines and "LABEL;TYPE=work:Acme\\n1 Main St" in lines


def test_an_outlook_label_is_kept_as_its_address_is(cli, tmp_path: Path) -> None:
    """An Outlook 2.1 card's LABEL (its address as printed) was left out ('vCard
    properties not imported: LABEL') unless --keep-extra was given, while its ADR and a
    vCard 4 ADR;LABEL were kept: now it is kept as label, as a Google CSV's
    'Address 1 - Formatted' is."""
    source = tmp_path / "outlook.vcf"
    source.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nN:M\xfcller;J\xfcrgen\r\nFN:J\xfcrgen M\xfcller\r\n"
        b"ADR;WORK;PREF;ENCODING=QUOTED-PRINTABLE;CHARSET=Windows-1252:;;Hauptstra=DFe 1;"
        b"Berlin;;10115;Deutschland\r\nLABEL;WORK;PREF;ENCODING=QUOTED-PRINTABLE;"
        b"CHARSET=Windows-1252:Hauptstra=DFe 1=0D=0A10115 Berlin\r\n"
        b"EMAIL;PREF;INTERNET:jm@acme.de\r\nEND:VCARD\r\n"
    )
    result = cli("import", "contacts", str(source))
    assert result.exit_code == 0, result.stderr
    assert "LABEL" not in result.stdout
    fields = cli("contact", "show", "jm@acme.de", "--json").json()["fields"]
    assert fields["label"] == "Hauptstraße 1\n10115 Berlin"
    assert fields["street"] == "Hauptstraße 1"

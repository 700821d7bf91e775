"""Companies and contacts: uniqueness, REFs, tags, custom fields, search, deletes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.store.races import at_once, refused
from tinycrm.store import Ambiguous, Conflict, Invalid, NotFound
from tinycrm.store.activities import add_task, log_activity
from tinycrm.store.campaigns import add_campaign, add_members
from tinycrm.store.cases import add_case
from tinycrm.store.companies import (
    add_company,
    edit_company,
    get_company,
    list_companies,
    remove_company,
)
from tinycrm.store.contacts import (
    add_contact,
    edit_contact,
    get_contact,
    list_contacts,
    remove_contact,
)
from tinycrm.store.contracts import add_contract
from tinycrm.store.deals import add_deal, edit_deal, list_deals, remove_deal, win_deal
from tinycrm.store.events import list_events
from tinycrm.store.views import company_view, contact_view


def test_company_names_are_unique_case_insensitively(store) -> None:
    add_company(store, name="Acme GmbH", domain="https://www.Acme.de/about")
    with pytest.raises(Conflict, match="already exists"):
        add_company(store, name="  ACME   gmbh ")
    assert get_company(store, "acme.de").name == "Acme GmbH"
    assert get_company(store, "acme gmbh").domain == "acme.de"


@pytest.mark.parametrize(
    "typed", ["ACME.DE", "acme.de.", "https://www.Acme.de/about", "http://acme.de:443", "acme.de"]
)
def test_a_company_domain_names_one_company(store, typed: str) -> None:
    acme = add_company(store, name="Acme GmbH", domain="acme.de")
    events = len(list_events(store))
    message = rf"a company with domain acme.de already exists: Acme GmbH \(#{acme.id}\)"
    with pytest.raises(Conflict, match=message):
        add_company(store, name="Acme Inc", domain=typed)
    assert [c.name for c in list_companies(store)] == ["Acme GmbH"]
    other = add_company(store, name="Globex", domain="globex.com")
    with pytest.raises(Conflict, match=message):
        edit_company(store, other.id, domain=typed)
    assert get_company(store, other.id).domain == "globex.com"
    assert len(list_events(store)) == events + 1  # Globex's creation only
    assert edit_company(store, acme.id, domain=typed).domain == "acme.de"  # its own: fine
    assert edit_company(store, other.id, domain="").domain is None
    assert add_company(store, name="Initech").domain is None  # any number without one


def test_an_international_domain_is_kept_as_typed_and_named_by_either_form(store) -> None:
    """müller.de is a domain, as jm@müller.de is an address: kept as it was typed (lower
    case, without scheme and www.), and its xn-- form names the same company: in REFs,
    in the one-company-a-domain check, in filters and when a lead's email finds its
    company."""
    from tinycrm.store.leads import convert_lead

    mueller = add_company(store, name="Müller GmbH", domain="https://www.MÜLLER.de/")
    assert mueller.domain == "müller.de"
    assert get_company(store, "xn--mller-kva.de").id == mueller.id
    assert get_company(store, "Müller.DE").id == mueller.id
    with pytest.raises(Conflict, match=r"a company with domain müller.de already exists"):
        add_company(store, name="Other", domain="xn--mller-kva.de")
    baecker = add_company(store, name="Bäckerei", domain="XN--BCKER-GRA.de")
    assert baecker.domain == "xn--bcker-gra.de"
    assert get_company(store, "bäcker.de").id == baecker.id
    with pytest.raises(Conflict, match=r"a company with domain müller.de already exists"):
        add_company(store, name="Wide", domain="ｍüller．de")  # full width: the same domain
    with pytest.raises(Conflict, match=r"a company with domain xn--bcker-gra.de already"):
        edit_company(store, mueller.id, domain="Bäcker.de")
    jo = add_contact(store, name="Jo", email="jo@xn--mller-kva.de", company="müller.de")
    assert jo.company_id == mueller.id
    for email, company in (("lee@müller.de", mueller), ("kim@bäcker.de", baecker)):
        lead = add_contact(store, name=email, email=email, lifecycle="lead")
        converted = convert_lead(store, lead.id)
        assert converted.company is not None and converted.company.id == company.id, email
    assert [c.name for c in list_companies(store, where="domain=xn--mller-kva.de")] == [
        "Müller GmbH"
    ]
    assert [c.name for c in list_companies(store, where="domain=BÄCKER.DE")] == ["Bäckerei"]
    assert [c.name for c in list_companies(store, where='domain="http://www.müller.de/x"')] == [
        "Müller GmbH"
    ]
    assert {c.name for c in list_contacts(store, where='company="https://www.MÜLLER.de/"')} == {
        "Jo",
        "lee@müller.de",
    }
    assert {c.name for c in list_contacts(store, where="company=xn--mller-kva.de")} == {
        "Jo",
        "lee@müller.de",
    }
    # an import row with the other spelling is that company's row (and a contact's
    # company column by domain finds it too), not a new company nor a refusal
    import io

    from tinycrm.formats.csvfile import open_csv
    from tinycrm.formats.mapping import build_mapping, mapped_rows
    from tinycrm.store.imports import import_records

    for kind, text in (
        ("companies", "Name,Domain,City\nMüller GmbH,XN--MLLER-KVA.DE,Köln\n"),
        ("contacts", "Name,Email,Company Domain\nUrs,urs@x.ch,bäcker.de\n"),
    ):
        table = open_csv(io.BytesIO(text.encode()), name="c.csv")
        summary = import_records(
            store,
            kind=kind,
            rows=mapped_rows(table.records(), build_mapping(kind, table.header)),
            source="c.csv",
        )
        assert summary.rejected == 0, kind
    assert get_company(store, mueller.id).city == "Köln"
    assert get_contact(store, "urs@x.ch").company_id == baecker.id
    assert len(list_companies(store)) == 2
    for bad in ("mül ler.de", "-müller.de", "xn--zz.de", "müller", "ü.de\x1b[2J"):
        with pytest.raises(Invalid, match="invalid domain"):
            add_company(store, name="Bad", domain=bad)


def test_an_import_never_gives_one_domain_to_two_companies(store) -> None:
    """A row that would give a company a domain another company has is rejected, with the
    same message as ``company add`` (the import matches companies by domain first)."""
    import io

    from tinycrm.formats.csvfile import open_csv
    from tinycrm.formats.mapping import build_mapping, mapped_rows
    from tinycrm.store.imports import import_records

    foo = add_company(store, name="Foo")
    bar = add_company(store, name="Bar")
    rejected: list[tuple[int, str]] = []
    text = "Name,Domain\nFoo,new.de\nBar,NEW.de\nZed,https://www.new.de/x\n"
    table = open_csv(io.BytesIO(text.encode()), name="c.csv")
    summary = import_records(
        store,
        kind="companies",
        rows=mapped_rows(table.records(), build_mapping("companies", table.header)),
        source="c.csv",
        on_reject=lambda line, reason, raw: rejected.append((line, reason)),
    )
    # Zed is new: created (with the domain) before the rows that update companies merge
    domains = {c.name: (c.domain, c.id) for c in list_companies(store)}
    zed = domains["Zed"][1]
    taken = f"a company with domain new.de already exists: Zed (#{zed})"
    assert rejected == [(2, taken), (3, taken)]
    assert (summary.created, summary.updated, summary.rejected) == (1, 0, 2)
    assert domains == {"Foo": (None, foo.id), "Bar": (None, bar.id), "Zed": ("new.de", zed)}
    text = "Name,Domain\nFoo,foo.de\nBar,FOO.DE\n"  # rows of one file, one after the other
    table = open_csv(io.BytesIO(text.encode()), name="d.csv")
    rejected.clear()
    import_records(
        store,
        kind="companies",
        rows=mapped_rows(table.records(), build_mapping("companies", table.header)),
        source="d.csv",
        on_reject=lambda line, reason, raw: rejected.append((line, reason)),
    )
    assert rejected == [(3, f"a company with domain foo.de already exists: Foo (#{foo.id})")]
    assert get_company(store, "foo.de").name == "Foo"
    assert get_company(store, bar.id).domain is None


def test_company_fields_tags_and_owner(store) -> None:
    company = add_company(
        store,
        name="Globex",
        industry="Energy",
        size=5000,
        city="Springfield",
        country="US",
        tags=["Enterprise", "enterprise", "partner"],
        fields={"plan": "pro"},
    )
    assert company.owner == "tester"
    assert company.tags == ["enterprise", "partner"]
    assert company.fields == {"plan": "pro"}
    edited = edit_company(
        store,
        "Globex",
        size=None,
        city="",
        add_tags=["vip"],
        remove_tags=["partner"],
        set_fields={"tier": "gold"},
        unset_fields=["plan"],
    )
    assert (edited.size, edited.city) == (None, None)
    assert edited.tags == ["enterprise", "vip"]
    assert edited.fields == {"tier": "gold"}
    assert edited.updated_at >= edited.created_at
    assert [c.name for c in list_companies(store, tags=["vip"])] == ["Globex"]
    assert list_companies(store, tags=["partner"]) == []
    assert [c.name for c in list_companies(store, field=("tier", "gold"))] == ["Globex"]
    assert list_companies(store, field=("tier", "silver")) == []
    # --field tier=GOLD finds what --where field:tier=GOLD finds (any case), not nothing
    assert [c.name for c in list_companies(store, field=("tier", "GOLD"))] == ["Globex"]
    assert [c.name for c in list_companies(store, where="field:tier=GOLD")] == ["Globex"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "  "}, "must not be empty"),
        ({"name": "X", "domain": "not a domain"}, "invalid domain"),
        ({"name": "X", "size": -1}, "must not be negative"),
        ({"name": "X", "tags": ["a,b"]}, "must not contain"),
        ({"name": "X", "fields": {"bad key": "v"}}, "invalid custom field"),
    ],
)
def test_company_validation_writes_nothing(store, kwargs, message) -> None:
    with pytest.raises(Invalid, match=message):
        add_company(store, **kwargs)
    assert list_companies(store) == []
    assert list_events(store) == []


def test_contact_email_unique_in_any_case_and_kept_as_typed(store) -> None:
    ada = add_contact(store, name="Ada Lovelace", email="Ada@Example.COM")
    assert ada.email == "Ada@Example.COM"
    with pytest.raises(Conflict, match="already belongs to"):
        add_contact(store, name="Other Ada", email="ADA@example.com")
    add_contact(store, name="No Email")
    add_contact(store, name="No Email Either")  # NULL emails never clash
    assert get_contact(store, "ADA@EXAMPLE.COM").id == ada.id


@pytest.mark.parametrize("email", ["ada", "ada@", "@x.com", "a b@x.com", "ada@x"])
def test_contact_email_shape(store, email) -> None:
    with pytest.raises(Invalid, match="invalid email"):
        add_contact(store, name="Ada", email=email)


def test_contact_company_link_creates_missing_company(store) -> None:
    contact = add_contact(store, name="Jürgen Müller", company="Müller GmbH", role="Decision Maker")
    assert contact.company == "Müller GmbH"
    assert contact.role == "decision-maker"
    assert contact.lifecycle == "lead"
    assert [c.name for c in list_companies(store)] == ["Müller GmbH"]
    other = add_contact(store, name="Eva", company="müller gmbh")
    assert other.company_id == contact.company_id
    with pytest.raises(NotFound):
        add_contact(store, name="Bob", company="#999")


def test_a_contact_naming_a_new_domain_makes_the_company_with_that_domain(store) -> None:
    """``--company globex.com`` (no company has it) made a company *named* globex.com
    without a domain, so the next contact, import row or lead at globex.com made another
    company: the domain typed is the new company's domain too."""
    from tinycrm.store.leads import convert_lead

    eve = add_contact(store, name="Eve", company="Globex.com")
    made = get_company(store, eve.company_id)
    assert (made.name, made.domain) == ("Globex.com", "globex.com")
    lead = add_contact(store, name="Lee", email="lee@globex.com", lifecycle="lead")
    converted = convert_lead(store, lead.id)
    assert converted.company is not None and converted.company.id == made.id
    assert len(list_companies(store)) == 1  # not a second company for globex.com
    # a lead converted with --company naming a new domain, likewise
    kim = add_contact(store, name="Kim", email="kim@gmail.com", lifecycle="lead")
    initech = convert_lead(store, kim.id, company="Initech.io").company
    assert initech is not None and (initech.name, initech.domain) == ("Initech.io", "initech.io")
    # a name that is not a domain stays a name only
    assert (
        get_company(store, add_contact(store, name="Al", company="Acme AG").company_id).domain
        is None
    )


def test_contact_role_and_lifecycle_are_checked(store) -> None:
    with pytest.raises(Invalid, match="invalid role"):
        add_contact(store, name="Ada", role="boss")
    with pytest.raises(Invalid, match="invalid lifecycle"):
        add_contact(store, name="Ada", lifecycle="hot")
    assert list_contacts(store) == []


def test_ambiguous_name_lists_candidates(store) -> None:
    a = add_contact(store, name="Sam Smith", email="sam1@x.com")
    b = add_contact(store, name="Sam Smith", email="sam2@x.com")
    with pytest.raises(Ambiguous) as err:
        get_contact(store, "sam smith")
    assert f"#{a.id}" in str(err.value) and f"#{b.id}" in str(err.value)
    assert len(err.value.candidates) == 2
    assert get_contact(store, str(b.id)).email == "sam2@x.com"
    assert get_contact(store, f"#{a.id}").email == "sam1@x.com"
    with pytest.raises(NotFound, match="no contact matches 'nobody'"):
        get_contact(store, "nobody")


def test_search_is_case_insensitive_for_any_script(store) -> None:
    add_contact(store, name="Jürgen Müller", email="jm@mueller.de", title="CEO")
    add_contact(store, name="Zoë Lefèvre", phone="+33 1 23 45")
    add_contact(store, name="Ada Lovelace", email="ada@example.com")
    names = lambda q: [c.name for c in list_contacts(store, search=q)]  # noqa: E731
    assert names("MÜLLER") == ["Jürgen Müller"]
    assert names("müll") == ["Jürgen Müller"]
    assert names("LEFÈVRE") == ["Zoë Lefèvre"]
    assert names("ceo") == ["Jürgen Müller"]
    assert names("example.com") == ["Ada Lovelace"]
    assert names("ü") == ["Jürgen Müller"]  # short queries scan
    assert names("e") == ["Ada Lovelace", "Jürgen Müller", "Zoë Lefèvre"]
    assert names('"; drop table contact; --') == []
    assert names("100%") == []
    edit_contact(store, "Ada Lovelace", name="Augusta King")
    assert names("lovelace") == []
    assert names("augusta") == ["Augusta King"]


def test_list_search_folds_letters_as_tinycrm_search_does(store) -> None:
    """``--search soren`` finds Søren, ``lodz`` Łódź, ``strasse`` Straße, typed either way,
    on contacts (the index for three letters or more, a scan below), companies (name,
    domain, city), deals (title), products and the filter's bare words and ``name~``."""
    from tinycrm.store.deals import add_deal, list_deals
    from tinycrm.store.products import add_product, list_products

    add_contact(store, name="Søren Kierkegaard", title="Philosoph")
    add_contact(store, name="Anna Łódź", email="anna@straße.de")
    add_contact(store, name="Soren Plain", title="Ｆｉｌｅ ﬁler")
    add_contact(store, name="Bob Other")
    names = lambda q, **kw: sorted(c.name for c in list_contacts(store, search=q, **kw))  # noqa: E731
    assert names("soren") == ["Soren Plain", "Søren Kierkegaard"]
    assert names("SØREN") == ["Soren Plain", "Søren Kierkegaard"]
    assert names("lodz") == ["Anna Łódź"]
    assert names("ŁÓDŹ") == ["Anna Łódź"]
    assert names("strasse") == ["Anna Łódź"]  # in the email's domain
    assert names("file filer") == ["Soren Plain"]
    assert names("sø") == ["Soren Plain", "Søren Kierkegaard"]  # short: a scan, folded too
    assert names("ł") == ["Anna Łódź", "Soren Plain", "Søren Kierkegaard"]  # "l"
    edit_contact(store, "Bob Other", name="Bjørn Other")
    assert names("bjorn") == ["Bjørn Other"]
    where = lambda w: sorted(c.name for c in list_contacts(store, where=w))  # noqa: E731
    assert where("soren") == ["Soren Plain", "Søren Kierkegaard"]
    assert where("name~lodz") == ["Anna Łódź"]
    assert where("contact:bjorn") == ["Bjørn Other"]

    add_company(store, name="Łódź Logistics", city="Zürich")
    add_company(store, name="Straße AG", domain="straße.de")
    add_company(store, name="Plain Co")
    companies = lambda q: sorted(c.name for c in list_companies(store, search=q))  # noqa: E731
    assert companies("lodz") == ["Łódź Logistics"]
    assert companies("zurich") == ["Łódź Logistics"]
    assert companies("STRASSE") == ["Straße AG"]
    assert companies("strasse.de") == ["Straße AG"]
    assert sorted(c.name for c in list_companies(store, where="lodz")) == ["Łódź Logistics"]

    add_deal(store, title="Große Straße renewal", company="Łódź Logistics")
    add_deal(store, title="Other deal")
    deals = lambda **kw: [d.title for d in list_deals(store, **kw)]  # noqa: E731
    assert deals(search="grosse strasse") == ["Große Straße renewal"]
    assert deals(where="lodz") == ["Große Straße renewal"]  # by its company's name
    assert deals(where="title~GROSSE") == ["Große Straße renewal"]

    add_product(store, name="Größe XL", price="10", currency="EUR")
    add_product(store, name="Small", price="5", currency="EUR")
    assert [p.name for p in list_products(store, search="grosse")] == ["Größe XL"]


def test_accented_names_sort_among_their_letters_not_after_z(store) -> None:
    """``contact list`` and ``company list`` by the folded name (Ångström among the A's,
    Élodie among the E's), ties by id; kept through edits, imports and restores."""
    import io

    from tinycrm.formats.csvfile import open_csv
    from tinycrm.formats.mapping import build_mapping, mapped_rows
    from tinycrm.store.imports import import_records, undo_import

    for name in ("Zeta", "Ångström", "Zoe", "Élodie", "Adam", "Eve", "Øyvind", "ewan", "Adam"):
        add_contact(store, name=name)
    for name in ("Zeta AG", "Ångström AB", "Élan SA", "Acme", "Łódź Sp"):
        add_company(store, name=name)
    contacts = lambda: [c.name for c in list_contacts(store)]  # noqa: E731
    companies = lambda: [c.name for c in list_companies(store)]  # noqa: E731
    assert contacts() == ["Adam", "Adam", "Ångström", "Élodie", "Eve", "ewan", "Øyvind",
                          "Zeta", "Zoe"]  # fmt: skip
    first, second = (c.id for c in list_contacts(store) if c.name == "Adam")
    assert first < second  # ties by id
    assert companies() == ["Acme", "Ångström AB", "Élan SA", "Łódź Sp", "Zeta AG"]
    assert [c.name for c in list_contacts(store, limit=2, search="e")] == ["Élodie", "Eve"]
    edit_contact(store, "Zoe", name="Åsa")
    edit_company(store, "Zeta AG", name="Ärzte GmbH")
    assert contacts()[:4] == ["Adam", "Adam", "Ångström", "Åsa"]
    assert companies()[:3] == ["Acme", "Ångström AB", "Ärzte GmbH"]

    def load(kind: str, text: str) -> Any:
        table = open_csv(io.BytesIO(text.encode()), name="n.csv")
        rows = mapped_rows(table.records(), build_mapping(kind, table.header))
        return import_records(store, kind=kind, rows=rows, source="n.csv", overwrite=True)

    batch = load("contacts", "Name,Email,Company\nÉmile,emile@x.io,Ève SARL\n")
    assert contacts()[4:7] == ["Élodie", "Émile", "Eve"]
    assert companies()[3:5] == ["Élan SA", "Ève SARL"]
    renamed = load("contacts", "Name,Email\nÉmile Zola,emile@x.io\n")  # a name changed
    assert contacts()[4:7] == ["Élodie", "Émile Zola", "Eve"]
    undo_import(store, renamed.batch_id)  # the name as it was, its key with it
    assert contacts()[4:7] == ["Élodie", "Émile", "Eve"]
    undo_import(store, batch.batch_id)
    load("companies", "Name,Domain\nÖl AG,oel.de\n")
    assert companies()[-2:] == ["Łódź Sp", "Öl AG"]
    from sqlalchemy import text

    from tinycrm.store.validate import folded

    with store.read() as session:  # every write path keeps the key: the name folded
        for table in ("contact", "company"):
            rows = session.connection().execute(text(f"SELECT name, sort_key FROM {table}"))
            assert all(key == folded(name) for name, key in rows), table


def test_the_lists_read_their_order_from_an_index_not_a_sort(store) -> None:
    """The first screen of a list over many contacts or companies streams in order from
    ix_contact_sort_key / ix_company_sort_key: no sort of every row first (SQLite's plan)."""
    if not store.is_sqlite:
        pytest.skip("SQLite's query plan")
    from sqlalchemy import select
    from sqlmodel import col

    from tinycrm.store.contacts import contacts_query
    from tinycrm.store.models import Company

    with store.read() as session:
        queries = (
            contacts_query(store, session, limit=50),
            select(Company).order_by(col(Company.sort_key), col(Company.id)).limit(50),
        )
        for query in queries:
            sql = str(query.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
            plan = " | ".join(
                row[3] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")
            )
            assert "TEMP B-TREE" not in plan and "_sort_key" in plan, plan


def test_contact_filters_combine(store) -> None:
    add_contact(store, name="A", company="Acme", lifecycle="customer", tags=["vip"])
    add_contact(store, name="B", company="Acme", lifecycle="lead", tags=["vip", "eu"])
    add_contact(store, name="C", company="Other", lifecycle="customer", tags=["eu"])
    names = lambda **kw: [c.name for c in list_contacts(store, **kw)]  # noqa: E731
    assert names(company="Acme") == ["A", "B"]
    assert names(lifecycle="customer") == ["A", "C"]
    assert names(tags=["vip", "eu"]) == ["B"]
    assert names(tags=["eu"], lifecycle="customer") == ["C"]
    with pytest.raises(NotFound):
        names(company="Nope")


def test_edit_contact_records_what_changed(store) -> None:
    add_contact(store, name="Ada", email="ada@x.com")
    edit_contact(store, "ada@x.com", phone="123", lifecycle="prospect", add_tags=["vip"])
    event = list_events(store, limit=1)[0]
    assert event.action == "updated"
    assert event.summary == "updated contact Ada: phone, lifecycle, +vip"
    assert event.actor == "tester"
    edit_contact(store, "Ada", phone="123")  # no change, no event
    assert list_events(store, limit=1)[0].id == event.id


def test_edit_to_a_taken_email_changes_nothing(store) -> None:
    add_contact(store, name="Ada", email="ada@x.com")
    add_contact(store, name="Bob", email="bob@x.com")
    with pytest.raises(Conflict):
        edit_contact(store, "Bob", email="ada@x.com", phone="999")
    assert get_contact(store, "Bob").phone is None


def test_remove_company_keeps_contacts_unlinked(store) -> None:
    add_contact(store, name="Ada", company="Acme", tags=["x"])
    removed = remove_company(store, "Acme")
    assert removed.name == "Acme"
    assert get_contact(store, "Ada").company is None
    assert list_events(store, limit=1)[0].summary == "deleted company Acme"


def test_remove_contact_and_views(store) -> None:
    contact = add_contact(store, name="Ada", company="Acme", fields={"k": "v"})
    view = contact_view(store, "Ada")
    assert view.contact.fields == {"k": "v"}
    assert view.company is not None and view.company.name == "Acme"
    assert company_view(store, "Acme").contacts[0].id == contact.id
    remove_contact(store, "Ada")
    with pytest.raises(NotFound):
        get_contact(store, contact.id)
    assert company_view(store, "Acme").contacts == []


def test_tags_and_fields_in_use(store) -> None:
    from tinycrm.store.tags import list_field_keys, list_tags

    add_company(store, name="Acme", tags=["vip"], fields={"plan": "pro"})
    add_contact(store, name="Ada", tags=["vip", "eu"], fields={"plan": "free"})
    add_contact(store, name="Bob", tags=["vip"])
    assert [(t.entity, t.name, t.count) for t in list_tags(store)] == [
        ("company", "vip", 1),
        ("contact", "eu", 1),
        ("contact", "vip", 2),
    ]
    assert [(t.name, t.count) for t in list_tags(store, entity="contact")] == [
        ("eu", 1),
        ("vip", 2),
    ]
    assert [(f.entity, f.key, f.count) for f in list_field_keys(store)] == [
        ("company", "plan", 1),
        ("contact", "plan", 1),
    ]
    with pytest.raises(Invalid):
        list_tags(store, entity="task")


def test_lifecycle_history(store) -> None:
    from sqlalchemy import select

    from tinycrm.store.models import LifecycleChange

    ada = add_contact(store, name="Ada")
    edit_contact(store, "Ada", lifecycle="customer")
    edit_contact(store, "Ada", phone="1")  # no lifecycle change, no row
    edit_contact(store, "Ada", lifecycle="churned")
    with store.read() as session:
        rows = session.execute(
            select(LifecycleChange.from_lifecycle, LifecycleChange.to_lifecycle)
            .where(LifecycleChange.contact_id == ada.id)
            .order_by(LifecycleChange.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        (None, "lead"),
        ("lead", "customer"),
        ("customer", "churned"),
    ]


def test_import_all_of_an_older_dump_gives_a_shared_domain_to_one_company(store, tmp_path) -> None:
    """A dump made before domains were unique may hold one domain on several companies,
    in any case: the restore keeps it on the lowest id and the others' in a custom field."""
    from tests.store.test_ids import _fresh
    from tinycrm.store.dump import dump_database, restore_database

    add_company(store, name="Acme GmbH", domain="acme.de")
    add_company(store, name="ACME Inc", domain="acme.com")
    add_company(store, name="Acme Old", fields={"duplicate_domain": "x"})
    dumped = dump_database(store)
    first, second, third = dumped["tables"]["company"]
    first["domain"], second["domain"], third["domain"] = "HTTPS://Acme.de/", "ACME.DE", "acme.de"
    target = _fresh(store, tmp_path)
    try:
        restore_database(target, dumped)
        found = {c.name: (c.domain, c.fields) for c in list_companies(target)}
        assert found == {
            "Acme GmbH": ("acme.de", {}),
            "ACME Inc": (None, {"duplicate_domain": "ACME.DE"}),
            "Acme Old": (None, {"duplicate_domain": "x", "duplicate_domain_2": "acme.de"}),
        }
        with pytest.raises(Conflict, match=r"acme\.de already exists: Acme GmbH"):
            add_company(target, name="New", domain="Acme.DE")
    finally:
        target.close()


def test_a_ref_that_names_nothing_suggests_records_whose_names_hold_it(store) -> None:
    """Names are matched whole: "Zoë" names no one, but the contact it was meant for is
    offered (at most three, in id order); text that is in no name gets the plain error."""
    from tinycrm.store.deals import add_deal, get_deal

    add_contact(store, name="Zoë O'Brien", email="zoe@example.ie")
    add_contact(store, name="Zoë Adams")
    add_contact(store, name="Zoë Baker")
    add_contact(store, name="Zoë Carter")
    add_company(store, name="Éire Widgets Ltd", domain="eire.example")
    add_deal(store, title="Éire platform 2027")
    with pytest.raises(NotFound) as caught:
        get_contact(store, "o'brien")
    assert str(caught.value) == (
        "no contact matches \"o'brien\" (did you mean #1 Zoë O'Brien <zoe@example.ie>?)"
    )
    with pytest.raises(NotFound) as caught:
        get_contact(store, "ZOË")
    assert str(caught.value) == (
        "no contact matches 'ZOË' (did you mean #1 Zoë O'Brien <zoe@example.ie>; "
        "#2 Zoë Adams; #3 Zoë Baker; …?)"
    )
    with pytest.raises(NotFound, match=r"^no company matches 'widgets' \(did you mean #1 Éire "
                       r"Widgets Ltd \(eire\.example\)\?\)$"):  # fmt: skip
        get_company(store, "widgets")
    with pytest.raises(NotFound, match=r"^no deal matches 'platform' \(did you mean #1"):
        get_deal(store, "platform")
    with pytest.raises(NotFound, match=r"^no contact matches 'zoe' \(did you mean #1 Zoë"):
        get_contact(store, "zoe")  # accents folded, as search folds them
    with pytest.raises(NotFound, match=r"^no deal matches 'eire' \(did you mean #1 Éire"):
        get_deal(store, "eire")
    with pytest.raises(NotFound) as caught:
        get_contact(store, "Nobody")
    assert str(caught.value) == "no contact matches 'Nobody'"
    with pytest.raises(NotFound) as caught:
        get_contact(store, "%")  # a LIKE wildcard is text here
    assert str(caught.value) == "no contact matches '%'"


def test_a_log_ref_that_names_nothing_suggests_records_of_every_kind(store) -> None:
    """`tinycrm log` takes a contact, a company or a deal: one that names nothing offers
    what its names hold, each with its kind, as `contact show` does. Before, it said only
    "no contact, company or deal matches 'engine'"."""
    add_contact(store, name="Ada Lovelace", email="ada@example.com")
    add_company(store, name="Analytical Engines")
    add_deal(store, title="Engine order")
    with pytest.raises(NotFound) as caught:
        log_activity(store, kind="call", ref="engine", text="hi")
    assert str(caught.value) == (
        "no contact, company or deal matches 'engine' (did you mean "
        "company #1 Analytical Engines; deal #1 Engine order (open)?)"
    )
    with pytest.raises(NotFound) as caught:
        log_activity(store, kind="call", ref="nobody", text="hi")
    assert str(caught.value) == "no contact, company or deal matches 'nobody'"


def _linked_while_deleted(store, monkeypatch, delete, link) -> BaseException | None:  # type: ignore[no-untyped-def]
    """``link`` run while ``delete`` has deleted its record but not committed yet (its
    event written, it waits half a second): the error ``link`` raised, if any."""
    import threading
    import time

    from tinycrm.store import companies, contacts

    deleted = threading.Event()
    for module in (contacts, companies):
        original = module.record_event

        def paused(store, session, *, original=original, **kwargs):  # type: ignore[no-untyped-def]
            original(store, session, **kwargs)
            if kwargs["action"] == "deleted":
                session.flush()
                deleted.set()
                time.sleep(0.5)

        monkeypatch.setattr(module, "record_event", paused)
    thread = threading.Thread(target=delete)
    thread.start()
    assert deleted.wait(10)
    try:
        link()
    except BaseException as exc:
        return exc
    finally:
        thread.join()
    return None


LINKS_TO_A_CONTACT = {
    "deal add": lambda store, n: add_deal(store, title=f"New {n}", contact=f"Person {n}"),
    "deal edit": lambda store, n: edit_deal(store, f"Deal {n}", contact=f"Person {n}"),
    "activity log": lambda store, n: log_activity(
        store, kind="call", text="Hi", contact=f"Person {n}"
    ),
    "task add": lambda store, n: add_task(
        store, text="Call back", due=datetime(2030, 1, 1, tzinfo=UTC), contact=f"Person {n}"
    ),
    "case add": lambda store, n: add_case(store, subject="Broken", contact=f"Person {n}"),
    "contract add": lambda store, n: add_contract(store, deal=f"Won {n}"),
    "campaign members": lambda store, n: add_members(store, "Spring", contacts=[f"Person {n}"]),
}


@pytest.mark.parametrize("link", list(LINKS_TO_A_CONTACT))
def test_a_contact_deleted_while_it_is_linked_is_gone_or_linked_never_an_error(
    store, monkeypatch, link: str
) -> None:
    """``contact rm`` at the moment another writer links that contact: the link is refused
    (``NotFound``: the contact was deleted just now) or made first (and then unlinked by
    the delete, or refusing it), never a foreign-key error from the database."""
    add_campaign(store, name="Spring", channel="email")
    add_company(store, name="Firm 0")
    add_contact(store, name="Person 0", company="Firm 0")
    add_deal(store, title="Deal 0")
    win_deal(store, add_deal(store, title="Won 0", contact="Person 0", amount=5).id)
    error = _linked_while_deleted(
        store,
        monkeypatch,
        lambda: remove_contact(store, "Person 0"),
        lambda: LINKS_TO_A_CONTACT[link](store, 0),
    )
    assert error is None or isinstance(error, NotFound), repr(error)
    if isinstance(error, NotFound):
        assert "Person 0" in str(error)


LINKS_TO_A_COMPANY = {
    "deal add": lambda store, n: add_deal(store, title=f"New {n}", company=f"Firm {n}"),
    "deal edit": lambda store, n: edit_deal(store, f"Deal {n}", company=f"Firm {n}"),
    "contact add": lambda store, n: add_contact(store, name=f"Other {n}", company=f"Firm {n}"),
    "contact edit": lambda store, n: edit_contact(store, f"Person {n}", company=f"Firm {n}"),
    "activity log": lambda store, n: log_activity(
        store, kind="note", text="Hi", company=f"Firm {n}"
    ),
    "case add": lambda store, n: add_case(
        store, subject="Broken", contact=f"Person {n}", company=f"Firm {n}"
    ),
}


@pytest.mark.parametrize("link", list(LINKS_TO_A_COMPANY))
def test_a_company_deleted_while_it_is_linked_is_gone_or_linked_never_an_error(
    store, monkeypatch, link: str
) -> None:
    """``company rm`` at the moment another writer links that company: refused
    (``NotFound``) or linked first, never a foreign-key error from the database."""
    add_company(store, name="Firm 0")
    add_contact(store, name="Person 0")
    add_deal(store, title="Deal 0")
    error = _linked_while_deleted(
        store,
        monkeypatch,
        lambda: remove_company(store, "Firm 0"),
        lambda: LINKS_TO_A_COMPANY[link](store, 0),
    )
    assert error is None or isinstance(error, NotFound), repr(error)
    if isinstance(error, NotFound):
        assert "Firm 0" in str(error)


EDITED_WHILE_DELETED = {
    "contact": (
        lambda store, n: add_contact(store, name=f"Person {n}"),
        lambda store, n: edit_contact(store, f"Person {n}", title="CEO", add_tags=["vip"]),
        lambda store, n: remove_contact(store, f"Person {n}"),
        lambda store: list_contacts(store),
    ),
    "company": (
        lambda store, n: add_company(store, name=f"Firm {n}"),
        lambda store, n: edit_company(store, f"Firm {n}", city="Cork", add_tags=["vip"]),
        lambda store, n: remove_company(store, f"Firm {n}"),
        lambda store: list_companies(store),
    ),
    "deal": (
        lambda store, n: add_deal(store, title=f"Deal {n}"),
        lambda store, n: edit_deal(store, f"Deal {n}", amount=5, add_tags=["vip"]),
        lambda store, n: remove_deal(store, f"Deal {n}"),
        lambda store: list_deals(store),
    ),
}


@pytest.mark.parametrize("noun", list(EDITED_WHILE_DELETED))
def test_a_record_edited_while_it_is_deleted_is_edited_first_or_not_found(store, noun: str) -> None:
    """``contact edit`` and ``contact rm`` of one contact at once (a company's, a deal's): the
    edit comes first (and the delete after it), or it is refused with one line (the
    record was deleted just now), never the ORM's StaleDataError; no tag of it is left."""
    from tinycrm.store.models import Tag

    add, edit, remove, listed = EDITED_WHILE_DELETED[noun]
    rounds = 6
    for n in range(rounds):
        add(store, n)
    for n in range(rounds):
        outcomes = at_once(
            lambda n=n: edit(store, n), lambda n=n: remove(store, n), expected=(NotFound,)
        )
        assert refused(outcomes[1:]) == 0
        if refused(outcomes):
            assert f" {n}" in str(outcomes[0]) and "\n" not in str(outcomes[0])
    assert listed(store) == []
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Tag)) == 0


def test_deleting_a_contact_says_what_goes_and_keeps_a_case_only_when_confirmed(store) -> None:
    from tinycrm.store.sequences import add_sequence, enroll_contacts

    add_contact(store, name="Bob", tags=["vip"], fields={"plan": "pro"})
    add_deal(store, title="Deal", contact="Bob")
    log_activity(store, kind="call", text="Hello", contact="Bob")
    log_activity(store, kind="note", text="Met", contact="Bob")
    log_activity(store, kind="call", text="About the deal", deal="Deal")  # kept: the deal's
    add_task(store, text="Call back", due=datetime(2030, 1, 1, tzinfo=UTC), contact="Bob")
    add_campaign(store, name="Spring", channel="email")
    add_members(store, "Spring", contacts=["Bob"])
    add_sequence(store, name="Nurture", steps=[(1, "Ping")])
    enroll_contacts(store, "Nurture", ["Bob"])  # one step task
    add_case(store, subject="Broken login", contact="Bob")
    before = len(list_events(store))
    with pytest.raises(Conflict, match=r"^contact Bob has case #1 Broken login: deleting"):
        remove_contact(store, "Bob")
    assert get_contact(store, "Bob").name == "Bob" and len(list_events(store)) == before
    removed = remove_contact(store, "Bob", unlink_contracts_and_cases=True)
    assert removed.name == "Bob"
    gone = removed.removed
    assert (gone.activities_deleted, gone.tasks_deleted, gone.activities_unlinked) == (2, 2, 1)
    assert (gone.deals_unlinked, gone.cases_unlinked, gone.contracts_unlinked) == (1, 1, 0)
    assert (gone.tags_deleted, gone.fields_deleted) == (1, 1)
    assert (gone.campaign_memberships_deleted, gone.sequence_enrollments_deleted) == (1, 1)
    assert gone.kept == ["case #1 Broken login"]
    assert list_events(store, limit=1)[0].summary == (
        "deleted contact Bob; case #1 Broken login kept, unlinked"
    )
    # a contact with nothing linked goes as before, asked nothing
    plain = remove_contact(store, add_contact(store, name="Plain").id)
    assert plain.removed.kept == [] and plain.removed.deals_unlinked == 0


def test_deleting_a_company_says_what_goes_and_keeps_a_contract_only_when_confirmed(
    store,
) -> None:
    add_company(store, name="Acme", tags=["eu"])
    add_contact(store, name="Ann", company="Acme")
    won = win_deal(store, add_deal(store, title="Platform", contact="Ann", amount=5).id)
    add_contract(store, deal=won.id)
    log_activity(store, kind="note", text="Org chart", company="Acme")
    with pytest.raises(Conflict, match=r"^company Acme has contract #1 Platform \(active"):
        remove_company(store, "Acme")
    removed = remove_company(store, "Acme", unlink_contracts_and_cases=True).removed
    assert (removed.contacts_unlinked, removed.deals_unlinked) == (1, 1)
    assert (removed.contracts_unlinked, removed.activities_deleted) == (1, 1)
    assert removed.tags_deleted == 1
    assert removed.kept == ["contract #1 Platform"]


def test_a_company_deleted_while_its_people_are_merged_never_deadlocks(store) -> None:
    """``company rm`` and ``contact merge`` of two of its people at once: the delete locks
    the company's deals and contacts, the merge the two contacts, each in id order, so one
    waits for the other (the merge's contacts lose their company, or the delete comes
    after the merge), never PostgreSQL's deadlock. The older contact is edited last, so
    its row lies after the newer one's on disk, where a scan without an order meets it."""
    from tinycrm.store.dupes import merge_contacts

    rounds = 8
    for n in range(rounds):
        add_company(store, name=f"Firm {n}")
        add_contact(store, name=f"Keep {n}", company=f"Firm {n}")
        add_contact(store, name=f"Other {n}", company=f"Firm {n}")
        edit_contact(store, f"Keep {n}", title="CEO")
    for n in range(rounds):
        outcomes = at_once(
            lambda n=n: remove_company(store, f"Firm {n}"),
            lambda n=n: merge_contacts(store, f"Other {n}", f"Keep {n}"),
            expected=(NotFound,),
        )
        assert refused(outcomes) == 0, outcomes
    assert list_companies(store) == []
    assert sorted(c.name for c in list_contacts(store)) == [f"Other {n}" for n in range(rounds)]

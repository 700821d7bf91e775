"""The lists of companies and contacts: search that folds case and accents as
`tinycrm search` does, their sort order, and that the order is read from an index."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tinycrm.store.companies import (
    add_company,
    edit_company,
    list_companies,
)
from tinycrm.store.contacts import (
    add_contact,
    edit_contact,
    list_contacts,
)
from tinycrm.store.deals import add_deal, list_deals


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

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

from ..conftest import PG_URL


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


# Names whose order a language's collation (en_US, ICU's en-US) sees otherwise than byte
# order: punctuation it passes over or puts first, an emoji, digits, case, accents.
HOSTILE_NAMES = ("~tilde", "_under", "-dash", "!bang", "#hash", "😀 smile", "9 nine", "a b",
                 "a-b", "a_b", "A c", "a1", "a10", "a2", "ab", "Ångström", "émile", "Emile b",
                 "ß strasse", "ss a", "Ωmega", "中文", "zed")  # fmt: skip


def _in_code_point_order(names: Any) -> list[str]:
    """``names`` in the lists' order on SQLite: the folded name's code points, ties by id."""
    from tinycrm.store.validate import folded

    return [name for _, _, name in sorted((folded(n), i, n) for i, n in enumerate(names))]


def _check_hostile_order(store: Any) -> None:
    from tinycrm.store.record_search import complete_name

    for name in HOSTILE_NAMES:
        add_contact(store, name=name)
        add_company(store, name=name)
    expected = _in_code_point_order(HOSTILE_NAMES)
    assert [c.name for c in list_contacts(store)] == expected
    assert [c.name for c in list_companies(store)] == expected
    assert [c.name for c in list_contacts(store, limit=5)] == expected[:5]  # the first screen
    assert complete_name(store, kind="contact", prefix="a") == "a b"
    assert complete_name(store, kind="company", prefix="A_") == "a_b"


def test_hostile_names_sort_in_one_order_on_every_database(store) -> None:
    """Punctuation, digits, case, accents, an emoji: the lists order by the folded name's
    code points, ties by id, whatever the database (SQLite and PostgreSQL alike)."""
    _check_hostile_order(store)


@pytest.mark.skipif(not PG_URL, reason="TINYCRM_TEST_PG_URL not set")
def test_a_postgresql_database_with_a_language_collation_sorts_as_sqlite_does() -> None:
    """A PostgreSQL server set up in en_US (the default of many installers) collates text
    by the language: '_under' and '~tilde' came before '0', the emoji among the symbols,
    so `contact list` ordered the same names otherwise than on SQLite. The lists' key is
    compared in code point order there too, still read from its index."""
    from tinycrm.store.engine import open_store

    from .migration_helpers import language_collated_database

    with language_collated_database("tinycrm_lists") as url:
        store = open_store(url, user="tester")
        try:
            _check_hostile_order(store)
            with store.read() as session:
                conn = session.connection()
                conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
                for table in ("contact", "company"):
                    plan = " | ".join(
                        row[0]
                        for row in conn.exec_driver_sql(
                            f"EXPLAIN SELECT id FROM {table} ORDER BY sort_key, id LIMIT 5"
                        )
                    )
                    assert f"ix_{table}_sort_key" in plan and "Sort" not in plan, plan
        finally:
            store.close()

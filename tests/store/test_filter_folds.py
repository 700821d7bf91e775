"""A filter folds each text of a record once, however many conditions look into it: 199
``name~pN`` folded every name 199 times (10 s for 10,000 contacts on SQLite, 33 s on
PostgreSQL), and the MCP server's only turn was held that long."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from tinycrm.store.companies import add_company, list_companies
from tinycrm.store.contacts import add_contact, list_contacts
from tinycrm.store.deals import add_deal, list_deals
from tinycrm.store.filter_sql import compile_filter
from tinycrm.store.models import Company, Contact, Deal
from tinycrm.store.segments import save_segment

MANY = " or ".join(f"name~p{n}" for n in range(1, 200))


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
@pytest.mark.parametrize(
    ("kind", "table", "where", "folds"),
    [
        ("contact", Contact, MANY, 1),
        ("contact", Contact, f"({MANY[:1500]}) and not (name~x or lifecycle=lead)", 1),
        ("company", Company, MANY, 1),
        ("company", Company, " or ".join(f"acme{n}" for n in range(50)), 3),  # name, domain, city
        ("deal", Deal, " or ".join(f"title~t{n}" for n in range(50)), 1),
    ],
)
def test_each_text_is_folded_once_a_row(
    kind: str, table: Any, where: str, folds: int, dialect: Any
) -> None:
    sql = str(select(table.id).where(compile_filter(kind, where)).compile(dialect=dialect))
    assert sql.count("tinycrm_fold_text(") == folds


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()])
def test_a_text_folded_for_one_condition_is_folded_where_it_is_used(dialect: Any) -> None:
    """No EXISTS around a filter that folds each text once: it would keep the database
    from the index of the email."""
    clause = compile_filter("contact", "name~ada and email=ada@example.com")
    sql = str(select(Contact.id).where(clause).compile(dialect=dialect))
    assert "EXISTS" not in sql and "tinycrm_fold_0 LIKE" not in sql
    assert sql.count("tinycrm_fold_text(contact.name_key)") == 1
    clause = compile_filter("company", "acme and owner=sam")  # name, domain, city: once each
    sql = str(select(Company.id).where(clause).compile(dialect=dialect))
    assert "EXISTS" not in sql and sql.count("tinycrm_fold_text(") == 3


def test_the_same_records_match_folded_once(store: Any) -> None:
    for name in ("Pat One", "Søren Straße", "p12 Lee", "P199", "Ångström p7"):
        add_contact(store, name=name)
    for name, city in (("Acme p1", None), ("Zeta", "Köln"), ("Nope", None)):
        add_company(store, name=name, city=city)
    add_deal(store, title="P3 licence", company="Zeta")
    add_deal(store, title="Other", company="Acme p1")
    save_segment(store, name="ps", expression="name~p1 or name~straße")

    def contacts(where: str) -> list[str]:
        return [c.name for c in list_contacts(store, where=where)]

    assert contacts(MANY) == ["Ångström p7", "p12 Lee", "P199"]
    assert contacts("name~soren and not name~p") == ["Søren Straße"]
    assert contacts("name~soren") == ["Søren Straße"]
    assert contacts("segment:ps or name~ONE") == ["p12 Lee", "P199", "Pat One", "Søren Straße"]
    assert contacts("not (name~p1 or name~p7)") == ["Pat One", "Søren Straße"]
    assert [c.name for c in list_companies(store, where="p1 or koln")] == ["Acme p1", "Zeta"]
    assert [d.title for d in list_deals(store, where="title~p3 or title~oth or zeta")] == [
        "P3 licence",
        "Other",
    ]
    # 199 words, each three columns of a company (a chain of 597 ORs was too deep for SQLite)
    words = " or ".join(["koln", *(f"zz{n}" for n in range(198))])
    assert [c.name for c in list_companies(store, where=words)] == ["Zeta"]
    assert [d.title for d in list_deals(store, where=words.replace("koln", "licence"))] == [
        "P3 licence"
    ]
    assert contacts(" and ".join(["not name~zz", *(f"not name~q{n}" for n in range(198))])) == [
        "Ångström p7",
        "p12 Lee",
        "P199",
        "Pat One",
        "Søren Straße",
    ]


def test_not_finds_the_records_a_text_is_missing_from(store: Any) -> None:
    """``not contact:zz`` left out every contact without an email, ``not acme`` every
    company without a domain or a city: the missing text made the condition unknown (NULL),
    and NOT unknown is unknown, never true."""
    add_contact(store, name="P199")
    add_contact(store, name="Bob Lee", email="b@x.io")
    add_company(store, name="Zeta")
    add_company(store, name="Acme", domain="acme.io", city="Köln")
    assert [c.name for c in list_contacts(store, where="not contact:zz")] == ["Bob Lee", "P199"]
    assert [c.name for c in list_contacts(store, where="not contact:lee")] == ["P199"]
    assert [c.name for c in list_companies(store, where="not acme")] == ["Zeta"]
    assert [c.name for c in list_companies(store, where="not koln and not zz")] == ["Zeta"]
    assert [c.name for c in list_companies(store, where="not acme.io")] == ["Zeta"]

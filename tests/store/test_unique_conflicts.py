"""A write the database's unique index refuses is a ``Conflict`` naming the value.

The store checks unique keys before it writes; these tests reach the index itself (an
UPDATE that skips the check, as a second writer that passed the check at the same moment
would), on SQLite and PostgreSQL. ``tests/cli/test_concurrent_writers.py`` races two
real processes.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from tinycrm.store.activities import log_activity
from tinycrm.store.companies import add_company
from tinycrm.store.contacts import add_contact
from tinycrm.store.errors import Conflict
from tinycrm.store.models import Activity, Company, Contact, Pipeline
from tinycrm.store.pipelines import add_pipeline


def test_an_email_the_index_refuses_names_the_contact_that_has_it(store) -> None:
    ada = add_contact(store, name="Ada", email="ada@x.com")
    add_contact(store, name="Eve", email="eve@x.com")
    with pytest.raises(Conflict) as caught, store.write() as session:
        session.execute(update(Contact).where(Contact.name == "Eve").values(email="ada@x.com"))
    assert str(caught.value) == f"email ada@x.com already belongs to #{ada.id} Ada <ada@x.com>"


def test_a_domain_the_index_refuses_names_the_company_that_has_it(store) -> None:
    acme = add_company(store, name="Acme", domain="acme.de")
    add_company(store, name="Initech")
    with pytest.raises(Conflict) as caught, store.write() as session:
        session.execute(update(Company).where(Company.name == "Initech").values(domain="acme.de"))
    assert str(caught.value) == f"a company with domain acme.de already exists: Acme (#{acme.id})"


def test_a_company_name_the_index_refuses(store) -> None:
    acme = add_company(store, name="Acme")
    add_company(store, name="Initech")
    with pytest.raises(Conflict) as caught, store.write() as session:
        session.execute(update(Company).where(Company.name == "Initech").values(name_key="acme"))
    assert str(caught.value) == f"a company named 'Acme' already exists (#{acme.id})"


def test_other_unique_names_the_index_refuses(store) -> None:
    add_pipeline(store, name="Hiring")
    with pytest.raises(Conflict) as caught, store.write() as session:
        session.execute(update(Pipeline).where(Pipeline.name == "Hiring").values(name_key="sales"))
    assert str(caught.value) == "a pipeline named 'sales' already exists"


def test_any_other_unique_key_names_its_table_with_the_right_article(store) -> None:
    """Two mail imports at once on PostgreSQL met the mail key's index: 'a activity …'."""
    add_contact(store, name="Ada", email="ada@x.com")
    first = log_activity(store, kind="email", text="Hello", contact="Ada")
    log_activity(store, kind="email", text="Again", contact="Ada")
    with store.write() as session:
        session.execute(update(Activity).where(Activity.id == first.id).values(mail_key="k1"))
    with pytest.raises(Conflict) as caught, store.write() as session:
        session.execute(update(Activity).where(Activity.id != first.id).values(mail_key="k1"))
    assert str(caught.value).startswith("an activity with that mail_key k1")


def test_nothing_is_written_when_the_index_refuses(store) -> None:
    add_contact(store, name="Ada", email="ada@x.com")
    with pytest.raises(Conflict), store.write() as session:
        session.add(Contact(name="Zed", name_key="zed", owner="tester"))
        session.flush()
        session.execute(update(Contact).where(Contact.name == "Zed").values(email="ada@x.com"))
    with store.read() as session:
        assert session.scalars(select(Contact).where(Contact.name == "Zed")).first() is None

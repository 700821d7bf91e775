"""``tinycrm db normalise``: phone numbers read again once ``[phone] region`` is set, email
keys refreshed; idempotent, one event, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from tinycrm.config import Config
from tinycrm.store.contacts import add_contact, list_contacts
from tinycrm.store.dupes import find_duplicates
from tinycrm.store.events import list_events
from tinycrm.store.models import Contact
from tinycrm.store.normalise import normalise_contacts

from .settings_helpers import use_config


def test_national_numbers_typed_before_the_region_are_read_once_it_is_set(store) -> None:
    with pytest.warns(UserWarning, match="then run tinycrm db normalise"):
        add_contact(store, name="Hans Meier", phone="030 1234567")
    add_contact(store, name="Other", phone="+49 30 1234567", email="Other@Example.DE")
    add_contact(store, name="Nobody", phone="call me")
    first = normalise_contacts(store)
    assert (first.phones, first.emails, first.unread) == (0, 0, 2)
    assert [e.action for e in list_events(store)].count("normalised") == 0  # nothing changed
    use_config(store, Config(path=Path("config.toml"), exists=True, phone_region="DE"))
    preview = normalise_contacts(store, dry_run=True)
    assert (preview.phones, preview.dry_run) == (1, True)
    assert list_contacts(store, search="+49301234567")[0].name == "Other"  # not written
    done = normalise_contacts(store)
    assert done.summary == (
        "1 phone number and 0 email keys normalised (3 contacts checked; "
        "1 phone number still not readable)"
    )
    assert {c.name for c in list_contacts(store, search="+49301234567")} == {"Hans Meier", "Other"}
    assert [d.reasons for d in find_duplicates(store)] == [
        ["same phone (030 1234567 / +49 30 1234567)"]
    ]
    again = normalise_contacts(store)
    assert (again.phones, again.emails) == (0, 0)
    assert [e.action for e in list_events(store)].count("normalised") == 1


def test_email_keys_are_refreshed_from_the_address_as_typed(store) -> None:
    add_contact(store, name="Ada", email="Ada@Example.COM")
    add_contact(store, name="Bea", email="bea@example.com")
    with store.write() as session:  # keys as an older tinycrm (or a hand edit) left them
        session.execute(update(Contact).values(email_key=None))
        session.execute(
            update(Contact).where(Contact.name == "Bea").values(email="ADA@example.com")
        )
    done = normalise_contacts(store)
    assert (done.emails, done.clashes) == (1, ["ADA@example.com (#2; #1 has it)"])
    assert [c.name for c in list_contacts(store, search="ada@example.com")] == ["Ada"]
    assert normalise_contacts(store).emails == 0

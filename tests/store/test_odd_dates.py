"""A date or time other SQL stored as no date or time (SQLite keeps any value in any
column) read as none, its record named; it ended lists and shows in a ``ValueError``."""

from __future__ import annotations

import warnings

import pytest
from sqlalchemy import text

from tinycrm.api import Crm
from tinycrm.errors import TinyCrmWarning


@pytest.fixture
def crm(store) -> Crm:
    return Crm(store)


def _odd(store, *statements: str) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("only SQLite keeps text in a date or time column")
    with store.engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def test_a_deal_and_a_task_with_no_date_are_read_saying_which_value(crm, store) -> None:
    crm.deals.add("Odd", amount="5", currency="EUR", close="2026-12-31")
    crm.deals.add("Fine", amount="7", currency="EUR", close="2026-12-31")
    crm.tasks.add("Call back", due="2026-12-20 09:00", deal="Odd")
    _odd(
        store,
        "UPDATE deal SET close_date = 'not a date' WHERE title = 'Odd'",
        "UPDATE activity SET due_at = 'soon' WHERE subject = 'Call back'",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        listed = {d.title: d for d in crm.deals.list()}
        shown = crm.deals.get("Odd")
        tasks = crm.tasks.list()
    assert listed["Odd"].close_date is None and listed["Odd"].unreadable == ["close_date"]
    assert listed["Fine"].close_date is not None and listed["Fine"].unreadable == []
    assert shown.unreadable == ["close_date"]
    assert [(t.due_at, t.unreadable) for t in tasks] == [(None, ["due_at"])]
    assert "unreadable" not in listed["Fine"].model_dump()  # JSON as ever when readable
    said = [str(w.message) for w in caught if issubclass(w.category, TinyCrmWarning)]
    assert (
        "deal #1 Odd: its close date is stored as 'not a date', no date or time (written "
        "by other SQL?): shown as unreadable; give it again (tinycrm deal edit 1 --close)"
    ) in said
    due = "activity #1 Call back: its due time is stored as 'soon'"
    assert any(s.startswith(due) for s in said)


def test_a_closing_time_with_no_time_says_how_to_close_the_deal_again(crm, store) -> None:
    """Its hint was ``tinycrm deal show 1``, which repairs nothing."""
    crm.deals.add("Odd", amount="5", currency="EUR")
    crm.deals.win("Odd")
    _odd(store, "UPDATE deal SET closed_at = 'bad'")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert crm.deals.get("Odd").unreadable == ["closed_at"]
    assert [str(w.message) for w in caught] == [
        "deal #1 Odd: its closing time is stored as 'bad', no date or time (written by other "
        "SQL?): shown as unreadable; give it again (tinycrm deal reopen 1, then won or lost "
        "again)"
    ]


def test_a_contact_and_a_company_with_no_time_are_read_saying_which_value(crm, store) -> None:
    crm.companies.add("Acme")
    crm.contacts.add("Ada", company="Acme")
    crm.contacts.add("Bob")
    _odd(
        store,
        "UPDATE contact SET created_at = 'not a date' WHERE name = 'Ada'",
        "UPDATE company SET updated_at = 'bad'",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        listed = {c.name: c for c in crm.contacts.list()}
        streamed = {c.name: c for c in crm.contacts.stream()}
        shown = crm.contacts.get("Ada")
        companies = crm.companies.list()
        company = crm.companies.get("Acme")
    for ada in (listed["Ada"], streamed["Ada"], shown):
        assert ada.created_at is None and ada.unreadable == ["created_at"]
    for bob in (listed["Bob"], streamed["Bob"]):
        assert bob.created_at is not None and bob.unreadable == []
        assert "unreadable" not in bob.model_dump()
    assert [(c.updated_at, c.unreadable) for c in companies] == [(None, ["updated_at"])]
    assert company.unreadable == ["updated_at"]
    said = {str(w.message) for w in caught if issubclass(w.category, TinyCrmWarning)}
    assert said == {
        "contact #1 Ada: its creation time is stored as 'not a date', no date or time "
        "(written by other SQL?): shown as unreadable; give it again (UPDATE contact SET "
        "created_at = CURRENT_TIMESTAMP WHERE id = 1, or the time it was)",
        "company #1 Acme: its last change time is stored as 'bad', no date or time (written "
        "by other SQL?): shown as unreadable; give it again (UPDATE company SET updated_at = "
        "CURRENT_TIMESTAMP WHERE id = 1, or the time it was)",
    }


def test_a_readable_contact_reads_as_ever(crm) -> None:
    """On every database: nothing unreadable, nothing said."""
    crm.contacts.add("Ada")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [c.unreadable for c in crm.contacts.list()] == [[]]
        assert [c.unreadable for c in crm.contacts.stream()] == [[]]
        assert crm.contacts.get("Ada").created_at is not None

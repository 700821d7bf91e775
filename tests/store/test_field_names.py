"""Custom field names ignore case: ``Plan`` and ``plan`` are one field (records.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tinycrm.store import Invalid
from tinycrm.store.companies import add_company, edit_company, get_company, list_companies
from tinycrm.store.contacts import add_contact, edit_contact, get_contact, list_contacts
from tinycrm.store.deals import add_deal, edit_deal, get_deal, list_deals
from tinycrm.store.exports import stream_contacts
from tinycrm.store.models import FieldValue

from .test_imports import run


def test_a_second_spelling_updates_the_field_the_first_one_made(store) -> None:
    add_contact(store, name="Ada", fields={"Plan": "pro"})
    ada = edit_contact(store, "Ada", set_fields={"plan": "basic"})
    assert ada.fields == {"Plan": "basic"}  # the first spelling stays
    ada = edit_contact(store, "Ada", set_fields={"PLAN": ""})  # KEY= removes it
    assert ada.fields == {}
    add_company(store, name="Acme", fields={"Tier": "gold"})
    assert edit_company(store, "Acme", unset_fields=["tier"]).fields == {}
    add_deal(store, title="Renewal", fields={"source": "web"})
    assert edit_deal(store, "Renewal", set_fields={"Source": "event"}).fields == {"source": "event"}


def test_one_write_naming_a_field_twice_is_refused(store) -> None:
    with pytest.raises(Invalid, match="'Plan' and 'plan' are one custom field"):
        add_contact(store, name="Ada", fields={"Plan": "pro", "plan": "basic"})
    assert list_contacts(store) == []


@pytest.mark.parametrize("kind", ["contact", "company", "deal"])
def test_filters_match_a_field_in_any_case(store, kind: str) -> None:
    lister: Any = {"contact": list_contacts, "company": list_companies, "deal": list_deals}[kind]
    if kind == "contact":
        add_contact(store, name="A", fields={"Plan": "pro"})
        add_contact(store, name="B")
    elif kind == "company":
        add_company(store, name="A", fields={"Plan": "pro"})
        add_company(store, name="B")
    else:
        add_deal(store, title="A", fields={"Plan": "pro"})
        add_deal(store, title="B")

    def names(**filters: Any) -> list[str]:
        return [getattr(r, "title", None) or r.name for r in lister(store, **filters)]

    assert names(field=("plan", "pro")) == ["A"]
    assert names(field=("PLAN", None)) == ["A"]
    assert names(where="field:plan=pro") == ["A"]
    assert names(where="field:pLaN") == ["A"]
    assert names(where="field:plan!=pro") == ["B"]
    assert names(where="field:plan~pr") == ["A"]


@pytest.mark.parametrize("kind", ["contact", "company", "deal"])
def test_an_empty_field_filter_means_not_set_as_the_where_form_does(store, kind: str) -> None:
    """``--field plan=`` found nothing, where ``--where 'field:plan=""'`` finds the records
    without the field: both now find the records where it is not set (or empty)."""
    lister: Any = {"contact": list_contacts, "company": list_companies, "deal": list_deals}[kind]
    if kind == "contact":
        add_contact(store, name="A", fields={"plan": "pro"})
        add_contact(store, name="B")
    elif kind == "company":
        add_company(store, name="A", fields={"plan": "pro"})
        add_company(store, name="B")
    else:
        add_deal(store, title="A", fields={"plan": "pro"})
        add_deal(store, title="B")

    def names(**filters: Any) -> list[str]:
        return [getattr(r, "title", None) or r.name for r in lister(store, **filters)]

    assert names(field=("plan", "")) == ["B"] == names(where='field:plan=""')
    assert names(field=("Plan", "")) == ["B"]


def _legacy_second_spelling(store: Any, entity: str, entity_id: int, key: str, value: str) -> None:
    """A record made before names ignored case may hold two spellings of one field."""
    with store.write() as session:
        session.add(FieldValue(entity=entity, entity_id=entity_id, key=key, value=value))


def test_a_record_holding_two_spellings_keeps_both(store) -> None:
    ada = add_contact(store, name="Ada", email="ada@x.io", fields={"Plan": "pro"})
    _legacy_second_spelling(store, "contact", ada.id, "plan", "basic")
    assert get_contact(store, "Ada").fields == {"Plan": "pro", "plan": "basic"}
    (_keys, field_names), [row] = list(stream_contacts(store))
    assert field_names == ["Plan", "plan"]
    assert row[-1] == {"Plan": "pro", "plan": "basic"}
    # a write touches the spelling typed when the record has it, else the first one
    assert edit_contact(store, "Ada", set_fields={"plan": "team"}).fields == {
        "Plan": "pro",
        "plan": "team",
    }
    assert edit_contact(store, "Ada", set_fields={"PLAN": "max"}).fields == {
        "Plan": "max",
        "plan": "team",
    }
    assert edit_contact(store, "Ada", unset_fields=["plan"]).fields == {"Plan": "max"}
    assert [c.name for c in list_contacts(store, field=("plan", "max"))] == ["Ada"]


def test_imports_match_a_field_in_any_case(store) -> None:
    add_contact(store, name="Ada", email="ada@x.io", fields={"Plan": "pro"})
    summary, rejects = run(store, "contacts", "Email,field.plan\nada@x.io,basic\n", overwrite=True)
    assert rejects == [] and summary.updated == 1
    assert get_contact(store, "ada@x.io").fields == {"Plan": "basic"}
    run(store, "contacts", "Email,field.PLAN\nada@x.io,\n", overwrite=True)
    assert get_contact(store, "ada@x.io").fields == {}
    add_company(store, name="Acme", fields={"Tier": "gold"})
    run(store, "companies", "Name,field.tier\nAcme,silver\n")  # fills empty fields only
    assert get_company(store, "Acme").fields == {"Tier": "gold"}
    add_deal(store, title="Renewal")
    run(store, "deals", "Title,field.Source,field.source\nRenewal,web,event\n")
    assert get_deal(store, "Renewal").fields == {}  # the row names one field twice

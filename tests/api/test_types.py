"""A value of the wrong type passed to a keyword (a number where text goes, a float or
text where a whole number goes, a bool for a count) is ``Invalid`` with its field,
nothing written: it was a raw TypeError or AttributeError from deep inside, a pydantic
ValidationError after the row was written, or (a bool) taken as 1. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import tinycrm
from tinycrm.api import Crm


@pytest.fixture
def crm(store) -> Crm:
    return Crm(store)


CALLS: list[tuple[str, Callable[[Crm], Any]]] = [
    ("name", lambda crm: crm.contacts.add(5)),
    ("email", lambda crm: crm.contacts.add("Bo", email=5)),
    ("title", lambda crm: crm.contacts.add("Bo", title=["CEO"])),
    ("tags", lambda crm: crm.contacts.add("Bo", tags=[1])),
    ("fields", lambda crm: crm.contacts.add("Bo", fields={1: "x"})),
    ("currency", lambda crm: crm.deals.add("Deal", currency=5)),
    ("probability", lambda crm: crm.deals.add("Deal", probability=50.5)),
    ("probability", lambda crm: crm.deals.add("Deal", probability="50")),
    ("probability", lambda crm: crm.deals.add("Deal", probability=True)),
    ("size", lambda crm: crm.companies.add("Acme", size=1.5)),
    ("size", lambda crm: crm.companies.add("Acme", size="10")),
    ("cadence", lambda crm: crm.contacts.edit("Ada", cadence=1.5)),
    ("cadence", lambda crm: crm.contacts.edit("Ada", cadence=True)),
    ("search", lambda crm: crm.search(5)),
    ("search", lambda crm: crm.contacts.list(search=5)),
]


@pytest.mark.parametrize(("field", "call"), CALLS)
def test_a_value_of_the_wrong_type_is_invalid(
    crm: Crm, field: str, call: Callable[[Crm], Any]
) -> None:
    ada = crm.contacts.add("Ada")
    before = [e.id for e in crm.feed(limit=None)]
    with pytest.raises(tinycrm.Invalid) as caught:
        call(crm)
    assert caught.value.field == field
    assert [e.id for e in crm.feed(limit=None)] == before
    assert crm.contacts.get(ada.id).cadence_days is None

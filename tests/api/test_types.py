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
    ("where", lambda crm: crm.contacts.list(where=5)),
    ("where", lambda crm: crm.deals.list(where=["amount>1"])),
    ("where", lambda crm: crm.board.check_filter(5)),
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


@pytest.mark.parametrize("bad", [True, None, "1", 1.0, b"1"])
def test_an_id_is_a_whole_number(crm: Crm, bad: object) -> None:
    """``tasks.done(True)`` completed task 1 (a bool is an int to Python and SQL); None,
    text or bytes were a raw TypeError."""
    task = crm.tasks.add("Call back", due="+1d")
    assert task.id == 1
    with pytest.raises(tinycrm.Invalid) as caught:
        crm.tasks.done(bad)  # type: ignore[arg-type]
    assert caught.value.field == "id"
    with pytest.raises(tinycrm.Invalid):
        crm.imports.undo(bad if bad is not None else True)  # type: ignore[arg-type]
    assert [t.id for t in crm.tasks.list("open")] == [1]


@pytest.mark.parametrize("flag", ["unsubscribed", "do_not_contact"])
@pytest.mark.parametrize("bad", ["no", "false", 0, 1])
def test_a_consent_flag_is_a_bool(crm: Crm, flag: str, bad: object) -> None:
    """``unsubscribed="no"`` unsubscribed the contact (``bool("no")`` is True)."""
    ada = crm.contacts.add("Ada")
    with pytest.raises(tinycrm.Invalid) as caught:
        crm.contacts.edit(ada.id, **{flag: bad})
    assert caught.value.field == flag
    assert getattr(crm.contacts.get(ada.id), flag) is False
    assert getattr(crm.contacts.edit(ada.id, **{flag: True}), flag) is True
    assert getattr(crm.contacts.edit(ada.id, **{flag: None}), flag) is False


def test_a_custom_field_of_none_is_refused_not_stored_as_the_text_none(crm: Crm) -> None:
    ada = crm.contacts.add("Ada", fields={"plan": "pro"})
    with pytest.raises(tinycrm.Invalid) as caught:
        crm.contacts.add("Bo", fields={"plan": None})
    assert caught.value.field == "fields"
    with pytest.raises(tinycrm.Invalid):
        crm.contacts.edit(ada.id, fields={"plan": None})
    with pytest.raises(tinycrm.Invalid):
        crm.deals.add("Deal", fields={"plan": None})
    assert [c.name for c in crm.contacts.list()] == ["Ada"]
    assert crm.contacts.get(ada.id).fields == {"plan": "pro"}
    assert crm.contacts.edit(ada.id, unset_fields=["plan"]).fields == {}


def test_search_kinds_as_one_word_is_one_kind(crm: Crm) -> None:
    """``kinds="contacts"`` was read letter by letter ("cannot search 'c'"), where every
    other list of names (``tags="vip"``) takes a lone string as one."""
    crm.contacts.add("Ada Lovelace")
    crm.companies.add("Ada Labs")
    assert [hit.label for hit in crm.search("ada", kinds="contacts")] == ["Ada Lovelace"]
    assert [hit.label for hit in crm.search("ada", kinds=["companies"])] == ["Ada Labs"]


def _csat() -> Any:
    import io

    return io.BytesIO(b"case,csat\n1,5\n")


AFTER_SALE_FLAGS: list[tuple[str, Callable[[Crm], Any]]] = [
    ("win_deal", lambda crm: crm.quotes.accept(1, win_deal="no")),
    ("auto_renew", lambda crm: crm.contracts.add(deal="Won", auto_renew="no")),
    ("note", lambda crm: crm.cases.reply(1, "Sorted?", note="no")),
    ("archived", lambda crm: crm.products.list(archived="no")),
    ("recurring", lambda crm: crm.products.list(recurring=0)),
    ("breached", lambda crm: crm.cases.list(breached="no")),
    ("archived", lambda crm: crm.products.edit("Plan", archived="no")),
    ("overwrite", lambda crm: crm.cases.import_csat(_csat(), overwrite="no")),
    ("dry_run", lambda crm: crm.cases.import_csat(_csat(), dry_run="no")),
    ("renewing", lambda crm: crm.contracts.list(renewing=1.5)),
    ("renewing", lambda crm: crm.contracts.list(renewing=True)),
    ("renewing", lambda crm: crm.contracts.list(renewing=["30"])),
    ("priority", lambda crm: crm.cases.add("Down", contact="Ada", priority=1)),
    ("channel", lambda crm: crm.cases.add("Down", contact="Ada", channel=5)),
    ("status", lambda crm: crm.cases.set_status(1, 3)),
    ("status", lambda crm: crm.cases.list(status=["open", 5])),
    ("priority", lambda crm: crm.cases.list(priority=5)),
    ("status", lambda crm: crm.quotes.list(status=5)),
    ("status", lambda crm: crm.contracts.list(status=5)),
    ("search", lambda crm: crm.products.list(search=5)),
]


@pytest.mark.parametrize(("field", "call"), AFTER_SALE_FLAGS)
def test_an_after_sale_flag_is_a_bool_a_day_count_a_number_and_a_choice_text(
    crm: Crm, field: str, call: Callable[[Crm], Any]
) -> None:
    """``quotes.accept(1, win_deal="no")`` won the deal and ``cases.reply(…, note="no")``
    wrote an internal note (``bool("no")`` is True), ``contracts.add(auto_renew="no")``
    was the database driver's StatementError after the checks, ``contracts.list(renewing=
    1.5)`` an AttributeError and ``renewing=True`` one day, and a number for a status,
    priority or channel (or a search) an AttributeError: now each is ``Invalid`` naming
    its field, nothing written."""
    crm.contacts.add("Ada", email="ada@example.com")
    crm.products.add("Plan", price="10")
    crm.deals.add("Open")
    crm.deals.items.add("Open", "Plan")
    crm.quotes.create("Open")
    crm.deals.add("Won", amount="100")
    crm.deals.win("Won")
    crm.cases.add("Down", contact="Ada")
    crm.cases.resolve(1, csat=2)
    before = [e.id for e in crm.feed(limit=None)]
    with pytest.raises(tinycrm.Invalid) as caught:
        call(crm)
    assert caught.value.field == field
    assert [e.id for e in crm.feed(limit=None)] == before
    assert crm.deals.get("Open").status == "open" and crm.contracts.list() == []
    assert crm.cases.show(1).thread == [] and crm.cases.get(1).csat == 2
    assert not crm.products.get("Plan").archived

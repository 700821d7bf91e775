"""One rule for ``limit`` (and ``offset``) across the public API, on SQLite and PostgreSQL.

``None`` is every row; a whole number from 1 to 2**63 - 1 is at most that many. 0, a
negative number, a number past 64 bits, a bool, a float or text is ``Invalid`` with
``field="limit"``: never every row on one database and a DataError on the other, an
OverflowError from the driver, or a TypeError from deep inside.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

import tinycrm
from tinycrm.api import Crm

MAX_INT = 2**63 - 1
BAD_LIMITS = [0, -1, -(2**63), 2**63, 2**64, True, False, 1.5, "3", "all"]


@pytest.fixture
def crm(store) -> Crm:
    return Crm(store)


def _seed(crm: Crm) -> None:
    """Two of everything the lists below count on."""
    crm.companies.add("Acme")
    crm.companies.add("Apex")
    crm.contacts.add("Ada Lovelace", email="ada@example.com", company="Acme")
    crm.contacts.add("Ada Byron", email="byron@example.com", company="Acme")
    crm.deals.add("Ada deal one", contact="ada@example.com", amount=100)
    crm.deals.add("Ada deal two", contact="ada@example.com", amount=200)
    crm.log("call", "ada@example.com", "Ada called", at=datetime.now() - timedelta(days=1))
    crm.log("note", "ada@example.com", "Ada wrote", at=datetime.now() - timedelta(hours=1))
    crm.tasks.add("First task", due="+1d", contact="ada@example.com")
    crm.tasks.add("Second task", due="+2d", contact="ada@example.com")
    crm.products.add("Widget", price=10)
    crm.products.add("Gadget", price=20)


def _rows(stream: Any) -> list[Any]:
    """The rows of an export's stream: its chunks after the header, one list."""
    return [row for part in list(stream)[1:] for row in part]


def _column(crm: Crm) -> str:
    return next(c.key for c in crm.board.load().columns if c.count)


# Every API call that takes ``limit``: the rows it returns for that ``limit`` (a stream
# read whole), and whether ``_seed`` gives it at least two rows to cut.
CALLS: dict[str, tuple[Callable[[Crm, Any], list[Any]], bool]] = {
    "contacts.list": (lambda crm, n: crm.contacts.list(limit=n), True),
    "contacts.stream": (lambda crm, n: list(crm.contacts.stream(limit=n)), True),
    "contacts.dupes": (lambda crm, n: crm.contacts.dupes(limit=n), False),
    "contacts.show": (lambda crm, n: crm.contacts.show("Ada Lovelace", limit=n).activities, True),
    "companies.list": (lambda crm, n: crm.companies.list(limit=n), True),
    "companies.show": (lambda crm, n: crm.companies.show("Acme", limit=n).events, False),
    "deals.list": (lambda crm, n: crm.deals.list(limit=n), True),
    "deals.show": (lambda crm, n: crm.deals.show("Ada deal one", limit=n).events, False),
    "activities.list": (lambda crm, n: crm.activities.list(limit=n), True),
    "tasks.list": (lambda crm, n: crm.tasks.list(limit=n), True),
    "products.list": (lambda crm, n: crm.products.list(limit=n), True),
    "quotes.list": (lambda crm, n: crm.quotes.list(limit=n), False),
    "contracts.list": (lambda crm, n: crm.contracts.list(limit=n), False),
    "cases.list": (lambda crm, n: crm.cases.list(limit=n), False),
    "leads.list": (lambda crm, n: crm.leads.list(limit=n), True),
    "imports.history": (lambda crm, n: crm.imports.history(limit=n), False),
    "exports.contacts": (lambda crm, n: _rows(crm.exports.contacts(limit=n)), True),
    "webhooks.failed": (lambda crm, n: crm.webhooks.failed(limit=n), False),
    "webhooks.pending": (lambda crm, n: crm.webhooks.pending(limit=n), False),
    "webhooks.deliver": (lambda crm, n: [crm.webhooks.deliver(limit=n)], False),
    "feed": (lambda crm, n: crm.feed(limit=n), True),
    "next": (lambda crm, n: crm.next(limit=n), True),
    "search": (lambda crm, n: crm.search("ada", limit=n), True),
    "board.cards": (lambda crm, n: crm.board.cards(_column(crm), limit=n).cards, True),
    "board.feed": (lambda crm, n: crm.board.feed(limit=n), True),
}


@pytest.mark.parametrize("name", CALLS)
def test_a_limit_that_is_not_a_positive_64_bit_count_is_invalid(crm: Crm, name: str) -> None:
    _seed(crm)
    call, _ = CALLS[name]
    for bad in BAD_LIMITS:
        with pytest.raises(tinycrm.Invalid) as caught:
            call(crm, bad)
        assert caught.value.field == "limit", (name, bad)
        assert "\n" not in str(caught.value)


@pytest.mark.parametrize("name", CALLS)
def test_none_is_every_row_and_a_count_at_most_that_many(crm: Crm, name: str) -> None:
    _seed(crm)
    call, cut = CALLS[name]
    every = call(crm, None)
    assert call(crm, MAX_INT) == every
    assert call(crm, 1) == every[:1]
    if cut:
        assert len(every) >= 2, name


def test_board_offsets_and_per_column_are_whole_numbers(crm: Crm) -> None:
    _seed(crm)
    column = _column(crm)
    assert [c.cards for c in crm.board.load(per_column=0).columns if c.count] == [[]]
    assert len(crm.board.cards(column, offset=1).cards) == 1
    assert crm.board.cards(column, offset=MAX_INT).cards == []
    for bad in (-1, 2**63, True, 1.5, "1"):
        with pytest.raises(tinycrm.Invalid) as caught:
            crm.board.cards(column, offset=bad)
        assert caught.value.field == "offset"
        with pytest.raises(tinycrm.Invalid) as caught:
            crm.board.load(per_column=bad)
        assert caught.value.field == "per_column"

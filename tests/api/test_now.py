"""``now=``: every API call that answers as of another moment takes a WHEN, as
``tasks.list`` does: an aware ``datetime``, a naive one (local time), a ``date`` or text
such as ``tomorrow 9:00``. A naive one was a raw StatementError from the store, text an
AttributeError; run on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

import tinycrm
from tinycrm import dates
from tinycrm.api import Crm
from tinycrm.api.reports import Reports


@pytest.fixture
def crm(store) -> Crm:
    return Crm(store)


REPORTS = sorted(name for name in vars(Reports) if not name.startswith("_"))
"""Every report of the API: one added later is checked too."""


def _report(name: str) -> Callable[[Crm, Any], Any]:
    return lambda crm, now: getattr(crm.reports, name)(now=now)


CALLS: dict[str, Callable[[Crm, Any], Any]] = {
    "next": lambda crm, now: crm.next(now=now),
    "tasks.list": lambda crm, now: crm.tasks.list("overdue", now=now),
    "board.load": lambda crm, now: crm.board.load(now=now, where="close<+3d"),
    "board.cards": lambda crm, now: crm.board.cards("stage:1", now=now),
    "board.check_filter": lambda crm, now: crm.board.check_filter("close<+3d", now=now),
    **{f"reports.{name}": _report(name) for name in REPORTS},
}


@pytest.mark.parametrize("name", CALLS)
def test_now_is_a_when_as_everywhere_else(crm: Crm, name: str) -> None:
    crm.contacts.add("Ada", email="ada@example.com")
    crm.deals.add("Engine", contact="ada@example.com", amount=100, close="+2d")
    crm.tasks.add("Call back", due="+1d", contact="ada@example.com")
    call = CALLS[name]
    naive = datetime(2030, 1, 2, 9, 30)
    aware = naive.replace(tzinfo=dates.local_tz())
    assert call(crm, naive) == call(crm, aware)
    assert call(crm, "2030-01-02 09:30") == call(crm, aware)
    with pytest.raises(tinycrm.Invalid) as caught:
        call(crm, 5)
    assert caught.value.field == "now"

"""A WHEN a script passes (``at=``, ``due=``, ``since=``, ``now=``): a ``datetime`` at the
edge of Python's range, naive (local time) or in another zone, that does not fit in UTC
is ``Invalid`` with the field, whatever the local time zone: it was a raw OverflowError
(``datetime.min`` east of UTC, ``datetime.max`` west of it). Run on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import tinycrm
from tinycrm.api import Crm


@pytest.fixture
def crm(store) -> Crm:
    return Crm(store)


@pytest.mark.parametrize(
    ("zone", "moment"),
    [
        ("Asia/Tokyo", datetime.min),
        ("America/Los_Angeles", datetime.max),
        ("UTC", datetime.max.replace(tzinfo=timezone(timedelta(hours=-5)))),
        ("UTC", datetime.min.replace(tzinfo=timezone(timedelta(hours=5)))),
    ],
)
def test_a_moment_past_the_edge_of_utc_is_invalid(
    crm: Crm, monkeypatch: pytest.MonkeyPatch, zone: str, moment: datetime
) -> None:
    monkeypatch.setenv("TZ", zone)
    ada = crm.contacts.add("Ada")
    calls = {
        "at": lambda: crm.log("call", "Ada", "Called", at=moment),
        "due": lambda: crm.tasks.add("Call", due=moment, contact="Ada"),
        "since": lambda: crm.feed(since=moment),
        "now": lambda: crm.tasks.list(now=moment),
    }
    for field, call in calls.items():
        with pytest.raises(tinycrm.Invalid) as caught:
            call()
        assert caught.value.field == field
        assert "out of range" in str(caught.value)
    assert crm.contacts.show(ada.id).activities == []

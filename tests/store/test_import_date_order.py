"""Dates like 03/04/2026 in an import: one way for a whole column (store/imports/date_order.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.store.test_imports import run
from tinycrm.dates import local_tz
from tinycrm.store import Invalid
from tinycrm.store.activities import list_activities
from tinycrm.store.deals import list_deals
from tinycrm.store.imports import list_imports
from tinycrm.store.imports.date_order import DateOrder


def _closes(store: Any) -> dict[str, str]:
    return {d.title: str(d.close_date) for d in list_deals(store)}


def test_a_date_only_day_first_reads_makes_the_column_day_first_above_it_too(store) -> None:
    # a comma-separated file, so month first where nothing says; its 13/01 says day first
    text = "Deal Name,Close Date\nAlpha,03/04/2026\nBeta,05/06/2026\nGamma,13/01/2026\n"
    summary, rejects = run(store, "deals", text)
    assert (summary.created, rejects) == (3, [])
    assert _closes(store) == {
        "Alpha": "2026-04-03",
        "Beta": "2026-06-05",
        "Gamma": "2026-01-13",
    }


def test_a_date_only_month_first_reads_makes_a_semicolon_file_month_first(store) -> None:
    text = "Deal Name;Close Date\nAlpha;03/04/2026\nBeta;12/31/2026\n"
    run(store, "deals", text, usual_day_first=True)  # the command line's: a ;-separated file
    assert _closes(store) == {"Alpha": "2026-03-04", "Beta": "2026-12-31"}


def test_a_column_of_dates_of_either_order_reads_the_usual_way(store) -> None:
    run(store, "deals", "Deal Name,Close Date\nAlpha,03/04/2026\n")
    run(store, "deals", "Deal Name,Close Date\nBeta,03/04/2026\n", usual_day_first=True)
    assert _closes(store) == {"Alpha": "2026-03-04", "Beta": "2026-04-03"}


def test_each_column_is_decided_by_its_own_dates(store) -> None:
    text = (
        "Subject,Type,Date,due_at,Contact\n"
        "Call one,call,03/04/2026,,Ada Lovelace\n"
        "Todo,task,,03/04/2026,Ada Lovelace\n"
        "Call two,call,25/04/2026,,Ada Lovelace\n"
    )
    _, rejects = run(store, "activities", text)
    assert rejects == []
    days = {
        a.subject: (a.occurred_at or a.due_at).astimezone(local_tz()).date().isoformat()
        for a in list_activities(store, limit=None)
    }
    assert days["Call one"] == "2026-04-03"  # the Date column is day first (25/04)
    assert days["Todo"] == "2026-03-04"  # the due_at column said nothing: month first


def test_both_orders_in_one_column_refuse_the_file(store) -> None:
    text = "Deal Name,Close Date\nAlpha,03/04/2026\nBeta,13/01/2026\nGamma,01/13/2026\n"
    with pytest.raises(Invalid) as caught:
        run(store, "deals", text)
    assert str(caught.value) == (
        "the close date column has dates only day first reads ('13/01/2026', line 3) and "
        "dates only month first reads ('01/13/2026', line 4): say which way the file's "
        "dates read with --day-first or --month-first (rows that cannot be read that way "
        "are then rejected)"
    )
    assert list_deals(store) == [] and list_imports(store) == []


def test_an_order_the_user_gives_wins_and_rejects_the_dates_it_cannot_read(store) -> None:
    text = "Deal Name,Close Date\nAlpha,03/04/2026\nBeta,13/01/2026\nGamma,01/13/2026\n"
    _, rejects = run(store, "deals", text, day_first=True)
    assert rejects == [
        (4, "close date '01/13/2026' cannot be read day first (--day-first): only month first")
    ]
    assert _closes(store) == {"Alpha": "2026-04-03", "Beta": "2026-01-13"}
    _, rejects = run(store, "deals", "Deal Name,Close Date\nDelta,03/04/2026\n", day_first=False)
    assert rejects == [] and _closes(store)["Delta"] == "2026-03-04"


def test_rows_keep_their_order_while_a_column_waits() -> None:
    order = DateOrder(("close_date",), None, usual=False)
    rows = [
        (2, {"close_date": "03/04/2026"}, None),
        (3, {"close_date": ""}, None),
        (4, {"close_date": "2026-01-01"}, None),
        (5, {"close_date": "20/04/2026"}, None),
        (6, {"close_date": "03/04/2026"}, None),
    ]
    seen = []
    for line, values, _ in order.rows(rows):
        seen.append(line)
        if values["close_date"] == "03/04/2026":
            assert order.day_first("close_date", values["close_date"])  # decided when read
    assert seen == [2, 3, 4, 5, 6]


def test_a_file_that_decides_early_is_passed_on_row_by_row() -> None:
    order = DateOrder(("close_date",), None, usual=False)
    pulled: list[int] = []

    def source():
        for line in range(2, 10_000):
            pulled.append(line)
            yield (line, {"close_date": "20/04/2026" if line == 2 else "03/04/2026"}, None)

    rows = order.rows(source())
    next(rows)
    next(rows)
    assert pulled == [2, 3]  # nothing held back once the column is known


def test_rows_held_while_a_column_waits_do_not_all_stay_in_memory(monkeypatch) -> None:
    """A file whose dates all read either way until its last row held every row in
    memory until then: a file of millions of rows, all of them. Past a bound the rows
    held wait in a temporary file, and come back in the file's order, broken rows too."""
    from tinycrm.formats.csvfile import BrokenRecord
    from tinycrm.store.imports import date_order

    monkeypatch.setattr(date_order, "HELD_IN_MEMORY", 3)
    order = DateOrder(("close_date",), None, usual=False)
    most = 0

    def source():
        nonlocal most
        for line in range(2, 40):
            if order.held is not None:
                most = max(most, order.held.in_memory)
            broken = line == 7
            values = {"!error": "a quote"} if broken else {"close_date": "03/04/2026"}
            raw = BrokenRecord(["x"], "a quote") if broken else [str(line)]
            yield (line, values, raw)
        yield (40, {"close_date": "20/04/2026"}, ["40"])  # decides: day first
        for line in range(41, 45):
            yield (line, {"close_date": "03/04/2026"}, [str(line)])

    seen = list(order.rows(source()))
    assert [line for line, _, _ in seen] == list(range(2, 45))
    assert [raw for _, _, raw in seen][:3] == [["2"], ["3"], ["4"]]
    assert seen[5][2].reason == "a quote"  # line 7: a BrokenRecord still
    assert 0 < most <= 3
    assert order.day_first("close_date", "03/04/2026")

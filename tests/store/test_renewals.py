"""``remind``'s contract items read only contracts that can still be due: not the ones
that ended (without renewing by themselves) or were cancelled, which pile up for ever."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tinycrm.dates import local_tz
from tinycrm.store import renewals
from tinycrm.store.contacts import add_contact
from tinycrm.store.contracts import add_contract, cancel_contract
from tinycrm.store.deals import add_deal, win_deal
from tinycrm.store.reminders import due_items

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def local_date(moment: datetime) -> date:
    return moment.astimezone(local_tz()).date()


def _signed(store, n: int, **contract) -> int:
    add_contact(store, name=f"C{n}", email=f"c{n}@example.com")
    deal = add_deal(store, title=f"Deal {n}", amount=1200, contact=f"C{n}", currency="USD")
    win_deal(store, deal.id)
    made = add_contract(store, deal=deal.id, now=NOW, **contract)
    assert made.id is not None
    return made.id


def test_remind_reads_only_contracts_that_can_still_be_due(store, monkeypatch) -> None:
    ended = _signed(store, 1, start=date(2024, 1, 1), term="12m", notice="30d")
    cancelled = _signed(store, 2, start=date(2026, 1, 1), term="12m")
    cancel_contract(store, cancelled, on=date(2026, 11, 1), now=NOW)
    # auto-renewing, past its written end (remind late for years): its term holding today
    # ends 2026-12-09 (notice by 2026-11-26), both due
    rolling = _signed(store, 3, start=date(2023, 12, 10), term="12m", auto_renew=True, notice="14d")
    ending = _signed(store, 4, start=date(2026, 1, 1), term="12m", notice="30d")  # 12-31
    today_end = _signed(store, 5, start=date(2025, 11, 24), end=date(2026, 11, 23))
    later = _signed(store, 6, start=date(2026, 6, 1), term="24m")  # not due yet, still live
    read: list[int] = []
    state_on = renewals.state_on

    def counting(contract, today):  # type: ignore[no-untyped-def]
        read.append(contract.id)
        return state_on(contract, today)

    monkeypatch.setattr(renewals, "state_on", counting)
    items = due_items(store, now=NOW)
    assert sorted(read) == sorted([rolling, ending, today_end, later])
    assert ended not in read and cancelled not in read
    due = {(i.key, local_date(i.due_at).isoformat()) for i in items if i.group == "renewal"}
    assert due == {  # within remind_days (30) of today; the end of #4 is not yet
        (f"notice:{rolling}", "2026-11-26"),
        (f"contract-end:{rolling}", "2026-12-09"),
        (f"notice:{ending}", "2026-12-02"),
        (f"contract-end:{today_end}", "2026-11-23"),
    }


@pytest.mark.parametrize("days_late", [0, 3])
def test_a_contract_ending_today_is_due_also_when_remind_runs_late(store, days_late: int) -> None:
    """One that ended days before the run is past its end: not due any more (as before)."""
    signed = _signed(store, 1, start=date(2025, 11, 24), end=date(2026, 11, 23))
    run = datetime(2026, 11, 23 + days_late, 10, tzinfo=UTC)
    keys = {i.key for i in due_items(store, now=run) if i.group == "renewal"}
    assert keys == ({f"contract-end:{signed}"} if days_late == 0 else set())

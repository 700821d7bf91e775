"""Items due on a calendar day (a deal's close date, a contract's notice deadline and end)
are told once per day, whatever the time zone of the run: cron's zone and the
terminal's can differ, and a laptop travels."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tinycrm.store.contracts import add_contract
from tinycrm.store.deals import add_deal, win_deal
from tinycrm.store.reminders import claim_items, confirm_run, due_items

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 11:00 in Berlin, 05:00 in New York


def _tell(store, run_id: str) -> list[str]:
    """One remind run: what it claims (and so tells), confirmed."""
    mine = claim_items(store, due_items(store, now=NOW, new_only=True), run_id=run_id, now=NOW)
    confirm_run(store, run_id, items=mine, now=NOW)
    return sorted(i.key for i in mine)


def _day_items(store) -> set[str]:
    deal = add_deal(store, title="Acme renewal", close_date=date(2026, 11, 26))
    won = add_deal(store, title="Platform")
    win_deal(store, won.id)
    contract = add_contract(
        store, deal=won.id, start=date(2025, 12, 1), end=date(2026, 11, 30), notice="3 days"
    )
    return {f"closing:{deal.id}", f"contract-end:{contract.id}", f"notice:{contract.id}"}


@pytest.mark.parametrize(
    "zones",
    [("Europe/Berlin", "America/New_York"), ("Pacific/Auckland", "Pacific/Honolulu"),
     ("UTC", "Asia/Kolkata")],
    ids=["berlin-new-york", "auckland-honolulu", "utc-kolkata"],
)  # fmt: skip
def test_a_day_item_told_in_one_zone_is_not_told_again_in_another(
    store, monkeypatch: pytest.MonkeyPatch, zones: tuple[str, str]
) -> None:
    """`remind` from the terminal (TZ=Europe/Berlin) told "Acme renewal: expected to
    close in 3 days"; cron's run (the system's zone, UTC) or one after a flight told it
    again: its due time was the local midnight of the close date, another instant in
    another zone. Now a day's item is the same item in every zone."""
    first, second = zones
    monkeypatch.setenv("TZ", first)
    expected = _day_items(store)
    assert set(_tell(store, "run-1")) >= expected
    monkeypatch.setenv("TZ", second)
    assert not set(_tell(store, "run-2")) & expected
    monkeypatch.setenv("TZ", first)
    assert not set(_tell(store, "run-3")) & expected


def test_a_day_item_is_told_again_for_another_day(store, monkeypatch) -> None:
    """The close date moved: a new day, told again (in any zone)."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    deal = add_deal(store, title="Acme renewal", close_date=date(2026, 11, 26))
    assert _tell(store, "run-1") == [f"closing:{deal.id}"]
    from tinycrm.store.deals import edit_deal

    edit_deal(store, deal.id, close_date=date(2026, 11, 27))
    monkeypatch.setenv("TZ", "America/New_York")
    assert _tell(store, "run-2") == [f"closing:{deal.id}"]


def test_a_day_item_told_before_the_upgrade_is_not_told_again(store, monkeypatch) -> None:
    """A claim written before claims held the day holds the local midnight: it is
    taken as its day, so upgrading tells nothing twice."""
    from tinycrm.dates import local_midnight
    from tinycrm.store.log_models import Announcement

    monkeypatch.setenv("TZ", "Europe/Berlin")
    deal = add_deal(store, title="Acme renewal", close_date=date(2026, 11, 26))
    with store.write() as session:
        session.add(
            Announcement(
                key=f"closing:{deal.id}",
                due_at=local_midnight(date(2026, 11, 26)),
                run_id="before",
                claimed_at=NOW,
                announced_at=NOW,
            )
        )
    assert _tell(store, "run-1") == []

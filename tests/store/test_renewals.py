"""``remind``'s contract items read only contracts that can still be due: not the ones
that ended (without renewing by themselves) or were cancelled, which pile up for ever."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tinycrm.dates import local_tz
from tinycrm.store import renewals
from tinycrm.store.contacts import add_contact
from tinycrm.store.contracts import add_contract, cancel_contract
from tinycrm.store.deals import add_deal, win_deal
from tinycrm.store.reminders import (
    claim_items,
    confirm_run,
    due_items,
    next_actions,
    release_run,
)
from tinycrm.store.renewals import process_renewals

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
    """One that ended days before the run (cron did not run) is due late, within
    ``LATE_DAYS`` (7); ``next`` leaves a passed one out."""
    signed = _signed(store, 1, start=date(2025, 11, 24), end=date(2026, 11, 23))
    run = datetime(2026, 11, 23 + days_late, 10, tzinfo=UTC)
    items = [i for i in due_items(store, now=run) if i.group == "renewal"]
    assert [(i.key, i.late) for i in items] == [(f"contract-end:{signed}", days_late > 0)]
    later = datetime(2026, 12, 1, 10, tzinfo=UTC)  # 8 days on: beyond the look-back
    assert [i for i in due_items(store, now=later) if i.group == "renewal"] == []
    queue = next_actions(store, now=run)
    assert any(a.entity == "contract" for a in queue) is (days_late == 0)


FRIDAY = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _run(store, run_id: str, now: datetime) -> list:
    mine = claim_items(store, due_items(store, now=now, new_only=True), run_id=run_id, now=now)
    confirm_run(store, run_id, items=mine, now=now)
    return [i for i in mine if i.group == "renewal"]


def test_a_notice_deadline_that_fell_while_cron_did_not_run_is_told_once_late(store) -> None:
    """A run on Friday, none at the weekend: Monday's run tells Saturday's notice deadline
    (and the end of a contract that ended on Saturday), once, marked late."""
    assert _run(store, "friday", FRIDAY) == []
    # entered on Friday after cron's run: notice by Sat 2026-12-05, end 2026-12-31
    notice = _signed(store, 1, start=date(2026, 1, 1), term="12m", notice="27d")
    ended = _signed(store, 2, start=date(2025, 12, 6), end=date(2026, 12, 5))
    # a week and more before Monday: beyond the look-back, never told
    _signed(store, 3, start=date(2025, 11, 29), end=date(2026, 11, 28))
    process_renewals(store, now=MONDAY)  # remind's first step: records #2 as ended
    told = {i.key: i for i in _run(store, "monday", MONDAY)}
    assert set(told) == {f"notice:{notice}", f"contract-end:{notice}", f"contract-end:{ended}"}
    late = told[f"notice:{notice}"]
    assert late.late is True
    assert late.detail == "notice deadline 2026-12-05 passed (2 days ago)"
    assert told[f"contract-end:{notice}"].late is False
    assert told[f"contract-end:{ended}"].late is True
    assert told[f"contract-end:{ended}"].detail == "ended after 2026-12-05 (2 days ago)"
    assert _run(store, "monday-again", MONDAY + timedelta(hours=1)) == []
    # next is about what can still be done: a passed deadline is not in its queue
    assert all(
        a.entity != "contract" or "passed" not in a.reason for a in next_actions(store, now=MONDAY)
    )


def test_a_notice_deadline_told_ahead_is_not_told_again_once_passed(store) -> None:
    _signed(store, 1, start=date(2026, 1, 1), term="12m", notice="27d")
    assert {i.key for i in _run(store, "friday", FRIDAY)} == {"notice:1", "contract-end:1"}
    assert _run(store, "monday", MONDAY) == []


def test_an_auto_renewing_contracts_last_term_is_told_late_after_it_rolled(store) -> None:
    """Its end fell on Saturday, with a notice deadline on the same day; Monday's run
    rolls it forward first, then tells the passed term's days."""
    assert _run(store, "friday", FRIDAY) == []
    rolling = _signed(store, 1, start=date(2025, 12, 6), term="12m", auto_renew=True, notice="0d")
    process_renewals(store, now=MONDAY)
    told = {i.key: i.detail for i in _run(store, "monday", MONDAY)}
    assert told == {
        f"notice:{rolling}": "notice deadline 2026-12-05 passed (2 days ago)",
        f"contract-end:{rolling}": "renewed automatically after 2026-12-05 (2 days ago)",
    }
    assert _run(store, "monday-again", MONDAY) == []


def test_a_notice_deadline_that_fell_while_the_machine_was_off_for_weeks_is_told(store) -> None:
    """remind ran on Friday 2026-11-13, then the machine that runs it was off three weeks,
    while a contract was entered (a shared database): Monday's run looks back to that run,
    not only a week, and tells its notice deadline of 11-21 (was: beyond the 7-day
    look-back, never told, and the contract renewed unsaid)."""
    assert _run(store, "before", FRIDAY - timedelta(days=21)) == []
    notice = _signed(store, 1, start=date(2026, 1, 1), term="12m", notice="41d")  # 11-21
    told = {i.key: i for i in _run(store, "monday", MONDAY)}
    assert told[f"notice:{notice}"].late is True
    assert told[f"notice:{notice}"].detail.startswith("notice deadline 2026-11-21 passed")
    assert _run(store, "monday-again", MONDAY + timedelta(hours=1)) == []


def test_the_look_back_to_the_last_run_is_capped(store) -> None:
    """A database remind last ran on a year ago does not tell a year of history: it looks
    back ``LATE_DAYS_MAX`` (90) days."""
    from tinycrm.store.reminder_items import LATE_DAYS_MAX

    assert _run(store, "long-ago", MONDAY - timedelta(days=365)) == []
    old = _signed(store, 1, start=date(2025, 12, 7), end=date(2026, 6, 1))
    recent = _signed(store, 2, start=date(2025, 12, 7), end=MONDAY.date() - timedelta(days=80))
    process_renewals(store, now=MONDAY)
    assert LATE_DAYS_MAX == 90
    assert {i.key for i in _run(store, "monday", MONDAY)} == {f"contract-end:{recent}"}
    assert old


def test_a_day_a_failed_run_gave_back_is_told_though_an_overlapping_run_succeeded(store) -> None:
    """Three weeks off; at boot two runs overlap: a claims the passed notice deadline, b
    (started while a held it) tells nothing and confirms after a gave its claim back (its
    mail failed). The next run still looks back far enough to tell it."""
    _run(store, "before", FRIDAY - timedelta(days=21))
    notice = _signed(store, 1, start=date(2026, 1, 1), term="12m", notice="41d")  # 11-21
    mine = claim_items(store, due_items(store, now=MONDAY), run_id="a", now=MONDAY)
    assert {i.key for i in mine if i.group == "renewal"} == {
        f"notice:{notice}",
        f"contract-end:{notice}",
    }
    started = MONDAY + timedelta(seconds=1)
    assert due_items(store, now=started, new_only=True) == []  # a holds it
    release_run(store, "a", now=MONDAY + timedelta(seconds=2))
    confirm_run(store, "b", items=[], now=MONDAY + timedelta(seconds=3), started=started)
    later = MONDAY + timedelta(hours=1)
    assert {i.key for i in _run(store, "c", later)} == {
        f"notice:{notice}",
        f"contract-end:{notice}",
    }


def test_a_day_a_killed_run_held_is_told_by_the_run_that_takes_it_over(store) -> None:
    """As above, but a was killed (kill -9): its claim goes stale, and the run that takes
    it over, after b recorded a later run, tells it."""
    _run(store, "before", FRIDAY - timedelta(days=21))
    notice = _signed(store, 1, start=date(2026, 1, 1), term="12m", notice="41d")  # 11-21
    assert claim_items(store, due_items(store, now=MONDAY), run_id="killed", now=MONDAY)
    assert _run(store, "b", MONDAY + timedelta(minutes=1)) == []
    later = MONDAY + timedelta(minutes=20)
    assert {i.key for i in _run(store, "c", later)} == {
        f"notice:{notice}",
        f"contract-end:{notice}",
    }


def _told(store, run_id: str, now: datetime) -> list[tuple[str, str, bool, date]]:
    return sorted((i.key, i.detail, i.late, local_date(i.due_at)) for i in _run(store, run_id, now))


def test_every_term_a_monthly_contract_renewed_while_remind_did_not_run_is_told_once(
    store,
) -> None:
    """remind last ran 60 days ago; meanwhile a monthly auto-renewing contract renewed
    twice (after 10-09 and 11-09), with notice deadlines on 11-05 and 12-05. Only the last
    passed term was told (its end and its deadline): the renewal after 10-09 went unsaid.
    Now the passed ends are one item naming each renewal, and the passed deadlines one
    naming each, both late; the term ahead is told as before; no later run tells any of
    it again."""
    assert _run(store, "before", MONDAY - timedelta(days=60)) == []
    monthly = _signed(store, 1, start=date(2026, 9, 10), term="1m", auto_renew=True, notice="5d")
    process_renewals(store, now=MONDAY)
    assert _told(store, "monday", MONDAY) == [
        (
            f"contract-end:{monthly}",
            "renewed automatically 2 times, after 2026-10-09 and 2026-11-09 (28 days ago)",
            True,
            date(2026, 11, 9),
        ),
        (
            f"contract-end:{monthly}",
            "renews automatically after 2026-12-09 (in 2 days)",
            False,
            date(2026, 12, 9),
        ),
        (
            f"notice:{monthly}",
            "2 notice deadlines passed: 2026-11-05 and 2026-12-05 (2 days ago)",
            True,
            date(2026, 12, 5),
        ),
    ]
    assert _run(store, "monday-again", MONDAY + timedelta(hours=1)) == []
    # after the renewal of 12-09, the new term's days ahead: nothing of the past again
    assert [
        (key, late, day) for key, _, late, day in _told(store, "thu", MONDAY + timedelta(3))
    ] == [
        (f"contract-end:{monthly}", False, date(2027, 1, 9)),
        (f"notice:{monthly}", False, date(2027, 1, 5)),
    ]


def test_a_weekly_contracts_many_missed_terms_are_one_item_told_once(store) -> None:
    """A month off with weekly terms: five renewals and five deadlines passed, each said
    in one item; the runs after it, whose look-back still holds some of those days, tell
    none of them again, nor the term ahead."""
    assert _run(store, "before", MONDAY - timedelta(days=30)) == []
    weekly = _signed(store, 1, start=date(2026, 10, 5), term="1w", auto_renew=True, notice="2d")
    process_renewals(store, now=MONDAY)
    assert [(key, detail) for key, detail, *_ in _told(store, "monday", MONDAY)] == [
        (
            f"contract-end:{weekly}",
            "renewed automatically 5 times, after each term from 2026-11-08 to 2026-12-06 "
            "(yesterday)",
        ),
        (f"contract-end:{weekly}", "renews automatically after 2026-12-13 (in 6 days)"),
        (
            f"notice:{weekly}",
            "5 notice deadlines passed, from 2026-11-07 to 2026-12-05 (2 days ago)",
        ),
        (f"notice:{weekly}", "notice deadline 2026-12-12 (in 5 days)"),
    ]
    for days in (1, 3):
        assert _run(store, f"later-{days}", MONDAY + timedelta(days=days)) == []


def test_renewals_a_failed_run_gave_back_are_all_told_though_an_overlapping_run_succeeded(
    store,
) -> None:
    """As above, with the renewals of a monthly contract that two months off left
    untold: run a claims them (one item naming both) and gives it back after b, which
    started while a held it, recorded its run. The next run looked back only to the last
    renewal (11-09), and told it alone: the one after 10-09 went unsaid. Now the run's
    record goes back to the day before the first of them."""
    _run(store, "before", MONDAY - timedelta(days=60))
    monthly = _signed(store, 1, start=date(2026, 9, 10), term="1m", auto_renew=True)
    process_renewals(store, now=MONDAY)
    mine = claim_items(store, due_items(store, now=MONDAY, new_only=True), run_id="a", now=MONDAY)
    assert len([i for i in mine if i.group == "renewal"]) == 2
    started = MONDAY + timedelta(seconds=1)
    assert due_items(store, now=started, new_only=True) == []  # a holds them
    confirm_run(store, "b", items=[], now=MONDAY + timedelta(seconds=2), started=started)
    release_run(store, "a", now=MONDAY + timedelta(seconds=3))
    later = MONDAY + timedelta(hours=1)
    assert [(key, detail) for key, detail, *_ in _told(store, "c", later)] == [
        (
            f"contract-end:{monthly}",
            "renewed automatically 2 times, after 2026-10-09 and 2026-11-09 (28 days ago)",
        ),
        (f"contract-end:{monthly}", "renews automatically after 2026-12-09 (in 2 days)"),
    ]


def test_a_cancelled_contract_has_no_notice_deadline_to_tell(store) -> None:
    """Cancelled as of the day after its end (it does not renew), its notice deadline
    of 2026-12-02 was told by remind and next ('notice deadline 2026-12-02 (in 9 days)')
    though notice was given: cancelling it was that. Its end is still told."""
    signed = _signed(store, 1, start=date(2026, 1, 1), term="12m", notice="30d")
    cancel_contract(store, signed, on=date(2027, 1, 1), now=NOW)
    items = [i for i in due_items(store, now=NOW) if i.group == "renewal"]
    assert items == []
    queue = [a for a in next_actions(store, now=NOW) if a.entity == "contract"]
    assert all("notice" not in a.reason for a in queue)
    late = datetime(2026, 12, 20, 10, tzinfo=UTC)
    items = [i for i in due_items(store, now=late) if i.group == "renewal"]
    assert [(i.key, i.detail) for i in items] == [
        (f"contract-end:{signed}", "ends after 2026-12-31 (in 11 days)")
    ]


def test_a_contract_cancelled_within_its_term_is_told_to_end_the_day_before(store) -> None:
    """Cancelled as of 2026-12-15, its term running to 2026-12-31: remind said 'ends
    after 2026-12-31 (in 30 days)', while it ends after 2026-12-14."""
    signed = _signed(store, 1, start=date(2026, 1, 1), term="12m")
    cancel_contract(store, signed, on=date(2026, 12, 15), now=NOW)
    items = [i for i in due_items(store, now=NOW) if i.group == "renewal"]
    assert [(i.key, i.detail) for i in items] == [
        (f"contract-end:{signed}", "ends after 2026-12-14 (in 21 days)")
    ]
    assert local_date(items[0].due_at) == date(2026, 12, 14)

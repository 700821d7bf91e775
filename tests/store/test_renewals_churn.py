"""A late renewal without a gap is a renewal, not churn: the churn ``remind`` recorded
when the contract ended is withdrawn, and the churn report counts none."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tinycrm.store.companies import add_company
from tinycrm.store.contacts import add_contact, get_contact
from tinycrm.store.contracts import add_contract, renew_contract
from tinycrm.store.deals import add_deal, win_deal
from tinycrm.store.events import list_events
from tinycrm.store.renewals import process_renewals
from tinycrm.store.reports import churn_report


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _quarters(store, now: datetime) -> dict[str, tuple[int, int, int, int]]:
    report = churn_report(
        store, by="quarter", start=date(2025, 1, 1), end=date(2025, 12, 31), now=now
    )
    return {
        line.period: (
            line.customers_at_start,
            line.new_customers,
            line.churned,
            line.customers_at_end,
        )
        for line in report.rows
    }


def _ended_contract(store, freeze_clock, *, company: bool = False) -> None:
    """Ann's contract ran 2025-01-01 to 2025-06-30 (she became a customer then); remind
    ran on 2025-07-10 and churned her as of 2025-07-01."""
    freeze_clock(at(date(2025, 1, 1)))
    if company:
        add_company(store, name="Acme")
        add_contact(
            store, name="Ann", email="ann@example.com", company="Acme", lifecycle="customer"
        )
        deal = add_deal(store, title="Acme platform", amount=12000, company="Acme", currency="USD")
    else:
        add_contact(store, name="Ann", email="ann@example.com")
        deal = add_deal(store, title="Acme platform", amount=12000, contact="Ann", currency="USD")
    win_deal(store, deal.id)
    add_contract(store, deal=deal.id, start=date(2025, 1, 1), term="6m")
    freeze_clock(at(date(2025, 7, 10)))
    run = process_renewals(store, now=at(date(2025, 7, 10)))
    assert run.churned == [get_contact(store, "Ann").id]
    assert get_contact(store, "Ann").lifecycle == "churned"


def test_a_late_renewal_without_a_gap_withdraws_the_churn(store, freeze_clock) -> None:
    _ended_contract(store, freeze_clock)
    before = _quarters(store, at(date(2025, 7, 20)))
    assert before["2025-Q3"] == (1, 0, 1, 0)
    freeze_clock(at(date(2025, 7, 20)))
    renewed = renew_contract(store, 1, now=at(date(2025, 7, 20)))
    assert (renewed.start_date, renewed.status) == (date(2025, 7, 1), "active")
    assert get_contact(store, "Ann").lifecycle == "customer"
    after = _quarters(store, at(date(2025, 7, 20)))
    # a renewal: no churn, no new customer, one customer throughout
    assert after["2025-Q3"] == (1, 0, 0, 1)
    assert after["2025-Q1"] == (0, 1, 0, 1) and after["2025-Q2"] == (1, 0, 0, 1)
    events = [e.summary for e in list_events(store, entity="contact", entity_id=1)]
    assert any("churn" in s and "withdrawn" in s for s in events)
    # the contract ends again later without renewal: she churns once, then
    freeze_clock(at(date(2026, 1, 10)))
    process_renewals(store, now=at(date(2026, 1, 10)))
    assert get_contact(store, "Ann").lifecycle == "churned"
    report = churn_report(
        store,
        by="quarter",
        start=date(2025, 1, 1),
        end=date(2026, 3, 31),
        now=at(date(2026, 1, 10)),
    )
    churned = {line.period: line.churned for line in report.rows}
    assert churned == {"2025-Q1": 0, "2025-Q2": 0, "2025-Q3": 0, "2025-Q4": 0, "2026-Q1": 1}


def test_a_company_contracts_late_renewal_brings_its_customers_back_without_churn(
    store, freeze_clock
) -> None:
    _ended_contract(store, freeze_clock, company=True)
    freeze_clock(at(date(2025, 7, 20)))
    renew_contract(store, 1, now=at(date(2025, 7, 20)))
    assert get_contact(store, "Ann").lifecycle == "customer"
    assert _quarters(store, at(date(2025, 7, 20)))["2025-Q3"] == (1, 0, 0, 1)


def test_a_churned_customer_changed_since_is_a_customer_again_as_before(
    store, freeze_clock
) -> None:
    """Her lifecycle changed after the churn (set to lead by hand): that history stands,
    and the renewal makes her a customer again as a new contract would."""
    from tinycrm.store.contacts import edit_contact

    _ended_contract(store, freeze_clock)
    freeze_clock(at(date(2025, 7, 12)))
    edit_contact(store, "Ann", lifecycle="lead")
    freeze_clock(at(date(2025, 7, 20)))
    renew_contract(store, 1, now=at(date(2025, 7, 20)))
    assert get_contact(store, "Ann").lifecycle == "customer"
    assert _quarters(store, at(date(2025, 7, 20)))["2025-Q3"] == (1, 1, 1, 1)


def test_a_renewal_deal_won_after_the_end_withdraws_the_churn(store, freeze_clock) -> None:
    freeze_clock(at(date(2025, 1, 1)))
    add_contact(store, name="Ann", email="ann@example.com")
    deal = add_deal(store, title="Acme platform", amount=12000, contact="Ann", currency="USD")
    win_deal(store, deal.id)
    add_contract(store, deal=deal.id, start=date(2025, 1, 1), term="6m")
    freeze_clock(at(date(2025, 5, 5)))
    [renewal] = process_renewals(store, now=at(date(2025, 5, 5))).renewal_deals
    freeze_clock(at(date(2025, 7, 10)))
    assert process_renewals(store, now=at(date(2025, 7, 10))).churned == [1]
    freeze_clock(at(date(2025, 7, 20)))
    win_deal(store, renewal)  # signed late: the deal is won, the contract renewed
    assert get_contact(store, "Ann").lifecycle == "customer"
    assert _quarters(store, at(date(2025, 7, 20)))["2025-Q3"] == (1, 0, 0, 1)


def test_renewing_one_of_two_ended_contracts_covers_the_churn_of_the_later_end(
    store, freeze_clock
) -> None:
    """Ann's first contract ended on June 30, her second on August 31 (she churned as of
    September 1); the first renewed from July 1 covers that day: no churn."""
    freeze_clock(at(date(2025, 1, 1)))
    add_contact(store, name="Ann", email="ann@example.com")
    for title, end in (("First", date(2025, 6, 30)), ("Second", date(2025, 8, 31))):
        deal = add_deal(store, title=title, amount=100, contact="Ann", currency="USD")
        win_deal(store, deal.id)
        add_contract(store, deal=deal.id, start=date(2025, 1, 1), end=end)
    freeze_clock(at(date(2025, 9, 10)))
    run = process_renewals(store, now=at(date(2025, 9, 10)))
    assert run.lapsed == [1, 2] and run.churned == [1]
    renewed = renew_contract(store, 1, end=date(2026, 6, 30), now=at(date(2025, 9, 10)))
    assert renewed.start_date == date(2025, 7, 1)
    assert get_contact(store, "Ann").lifecycle == "customer"
    assert _quarters(store, at(date(2025, 9, 10)))["2025-Q3"] == (1, 0, 0, 1)


def test_a_customer_churns_the_day_after_their_last_contract_ended_when_remind_runs_late(
    store, freeze_clock
) -> None:
    """Her contracts ended on June 30 and August 31; remind ran only on September 10:
    she churned as of September 1 (the first day without any), not July 1."""
    freeze_clock(at(date(2025, 1, 1)))
    add_contact(store, name="Ann", email="ann@example.com")
    for title, end in (("First", date(2025, 6, 30)), ("Second", date(2025, 8, 31))):
        deal = add_deal(store, title=title, amount=100, contact="Ann", currency="USD")
        win_deal(store, deal.id)
        add_contract(store, deal=deal.id, start=date(2025, 1, 1), end=end)
    freeze_clock(at(date(2025, 9, 10)))
    assert process_renewals(store, now=at(date(2025, 9, 10))).churned == [1]
    report = churn_report(
        store, by="month", start=date(2025, 6, 1), end=date(2025, 9, 30), now=at(date(2025, 9, 10))
    )
    churned = {line.period: line.churned for line in report.rows}
    assert churned == {"2025-06": 0, "2025-07": 0, "2025-08": 0, "2025-09": 1}
    events = [e.summary for e in list_events(store, entity="contact", entity_id=1)]
    assert any("contract #2 Second ended on 2025-09-01" in s for s in events)


def _new_deal(store, title: str = "Acme platform 2", *, company: bool = False) -> int:
    owner = {"company": "Acme"} if company else {"contact": "Ann"}
    deal = add_deal(store, title=title, amount=15000, currency="USD", **owner)
    win_deal(store, deal.id)
    return deal.id


def test_a_new_contract_starting_the_day_after_the_old_ends_is_no_churn(
    store, freeze_clock
) -> None:
    """Ann's contract ended June 30 and remind churned her as of July 1; she then signed
    a new deal, its contract from July 1 (contract add, not renew): she was counted
    churned and new in Q3. No day went by without a contract: the churn is withdrawn,
    as a late renewal withdraws it, and she is no new customer."""
    _ended_contract(store, freeze_clock)
    freeze_clock(at(date(2025, 7, 20)))
    made = add_contract(
        store, deal=_new_deal(store), start=date(2025, 7, 1), now=at(date(2025, 7, 20))
    )
    assert (made.start_date, made.status) == (date(2025, 7, 1), "active")
    assert get_contact(store, "Ann").lifecycle == "customer"
    assert _quarters(store, at(date(2025, 7, 20)))["2025-Q3"] == (1, 0, 0, 1)
    events = [e.summary for e in list_events(store, entity="contact", entity_id=1)]
    assert any("churn of Ann on 2025-07-01 withdrawn" in s and "contract #2" in s for s in events)


def test_a_new_contract_covering_the_churn_day_from_before_is_no_churn(store, freeze_clock) -> None:
    """A new contract backdated to June 15 (overlapping the old one) covers July 1 too."""
    _ended_contract(store, freeze_clock)
    freeze_clock(at(date(2025, 7, 20)))
    add_contract(store, deal=_new_deal(store), start=date(2025, 6, 15), now=at(date(2025, 7, 20)))
    assert get_contact(store, "Ann").lifecycle == "customer"
    assert _quarters(store, at(date(2025, 7, 20)))["2025-Q3"] == (1, 0, 0, 1)


def test_a_company_only_new_contract_without_a_gap_brings_its_customers_back(
    store, freeze_clock
) -> None:
    _ended_contract(store, freeze_clock, company=True)
    freeze_clock(at(date(2025, 7, 20)))
    add_contract(
        store,
        deal=_new_deal(store, company=True),
        start=date(2025, 7, 1),
        now=at(date(2025, 7, 20)),
    )
    assert get_contact(store, "Ann").lifecycle == "customer"
    assert _quarters(store, at(date(2025, 7, 20)))["2025-Q3"] == (1, 0, 0, 1)


def test_a_new_contract_after_a_gap_is_churn_and_a_new_customer(store, freeze_clock) -> None:
    """A day without a contract (July 1) stands: churned, then a customer again."""
    _ended_contract(store, freeze_clock)
    freeze_clock(at(date(2025, 7, 20)))
    add_contract(store, deal=_new_deal(store), start=date(2025, 7, 2), now=at(date(2025, 7, 20)))
    assert get_contact(store, "Ann").lifecycle == "customer"
    assert _quarters(store, at(date(2025, 7, 20)))["2025-Q3"] == (1, 1, 1, 1)


def test_a_new_contract_that_ended_before_the_churn_day_does_not_withdraw_it(
    store, freeze_clock
) -> None:
    _ended_contract(store, freeze_clock)
    freeze_clock(at(date(2025, 7, 20)))
    add_contract(
        store,
        deal=_new_deal(store),
        start=date(2024, 1, 1),
        end=date(2024, 12, 31),
        now=at(date(2025, 7, 20)),
    )
    assert _quarters(store, at(date(2025, 7, 20)))["2025-Q3"] == (1, 1, 1, 1)


def test_a_new_contract_added_before_remind_runs_leaves_nothing_to_churn(
    store, freeze_clock
) -> None:
    freeze_clock(at(date(2025, 1, 1)))
    add_contact(store, name="Ann", email="ann@example.com")
    deal = add_deal(store, title="Acme platform", amount=12000, contact="Ann", currency="USD")
    win_deal(store, deal.id)
    add_contract(store, deal=deal.id, start=date(2025, 1, 1), term="6m")
    freeze_clock(at(date(2025, 6, 20)))
    add_contract(store, deal=_new_deal(store), start=date(2025, 7, 1), now=at(date(2025, 6, 20)))
    freeze_clock(at(date(2025, 7, 10)))
    assert process_renewals(store, now=at(date(2025, 7, 10))).churned == []
    assert _quarters(store, at(date(2025, 7, 10)))["2025-Q3"] == (1, 0, 0, 1)


def test_a_colleagues_new_contract_for_the_company_without_a_gap_is_no_churn(
    store, freeze_clock
) -> None:
    """Ann's contract (hers and Acme's) ended June 30 and she churned as of July 1; Bob,
    her colleague, signed Acme's next contract from July 1. remind would not have churned
    her had it run after (a contract of her company ran that day), so the churn is
    withdrawn now too; Bob is a new customer."""
    freeze_clock(at(date(2025, 1, 1)))
    add_company(store, name="Acme")
    add_contact(store, name="Ann", email="ann@example.com", company="Acme")
    add_contact(store, name="Bob", email="bob@example.com", company="Acme")
    deal = add_deal(store, title="Acme platform", amount=100, contact="Ann", company="Acme")
    win_deal(store, deal.id)
    add_contract(store, deal=deal.id, start=date(2025, 1, 1), term="6m")
    freeze_clock(at(date(2025, 7, 10)))
    assert process_renewals(store, now=at(date(2025, 7, 10))).churned == [1]
    freeze_clock(at(date(2025, 7, 20)))
    nxt = add_deal(store, title="Acme 2", amount=100, contact="Bob", company="Acme")
    win_deal(store, nxt.id)
    add_contract(store, deal=nxt.id, start=date(2025, 7, 1), now=at(date(2025, 7, 20)))
    assert [get_contact(store, n).lifecycle for n in ("Ann", "Bob")] == ["customer"] * 2
    assert _quarters(store, at(date(2025, 7, 20)))["2025-Q3"] == (1, 1, 0, 2)

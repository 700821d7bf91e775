"""Contracts: made from won deals, status on any day, renewals once, churn on the day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.store.races import at_once
from tinycrm.store import Conflict, Invalid
from tinycrm.store.contacts import add_contact, get_contact
from tinycrm.store.contracts import (
    add_contract,
    cancel_contract,
    get_contract,
    list_contracts,
    renew_contract,
)
from tinycrm.store.deal_items import add_item
from tinycrm.store.deals import (
    add_deal,
    list_deals,
    win_deal,
)
from tinycrm.store.events import list_events
from tinycrm.store.models import Deal, Event
from tinycrm.store.products import add_product
from tinycrm.store.reminders import claim_items, confirm_run, due_items, next_actions
from tinycrm.store.renewals import process_renewals
from tinycrm.store.reports import churn_report
from tinycrm.store.service_models import Contract, ContractRead

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # 11:00 in Berlin (TZ set by conftest)


def won(store, title: str = "Acme platform", amount: int | None = 12000, who: str = "Ann"):
    add_contact(store, name=who, email=f"{who.lower()}@example.com")
    deal = add_deal(store, title=title, amount=amount, contact=who, currency="USD")
    return win_deal(store, deal.id)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_a_contract_takes_the_won_deals_value_and_currency(store) -> None:
    deal = won(store)
    contract = add_contract(store, deal=deal.id, start=date(2026, 1, 31), notice="30d", now=NOW)
    assert (contract.value, contract.currency) == (Decimal(12000), "USD")
    assert (contract.start_date, contract.end_date) == (date(2026, 1, 31), date(2027, 1, 30))
    assert contract.term == "12m" and contract.notice_deadline == date(2027, 1, 1)
    assert contract.status == "active" and contract.contact == "Ann"
    assert get_contact(store, "Ann").lifecycle == "customer"
    [event] = list_events(store, entity="contract", entity_id=contract.id)
    assert event.action == "created"


def test_an_open_deal_and_a_second_contract_are_refused(store) -> None:
    add_deal(store, title="Open one", amount=10)
    with pytest.raises(Conflict, match="is open; a contract is made from a won deal"):
        add_contract(store, deal="Open one")
    deal = won(store)
    add_contract(store, deal=deal.id)
    with pytest.raises(Conflict, match="has contract #1 already"):
        add_contract(store, deal=deal.id)
    won(store, "Second", who="Bob")
    with pytest.raises(Invalid, match="before the start"):
        add_contract(store, deal="Second", start=date(2026, 5, 1), end=date(2026, 4, 30))
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Contract)) == 1


@pytest.mark.parametrize("term", ["12 parsecs", "0d", "1000y"])
def test_a_bad_term_writes_nothing(store, term: str) -> None:
    deal = won(store)
    with pytest.raises(Invalid, match="term"):
        add_contract(store, deal=deal.id, term=term)
    assert list_contracts(store) == []


def test_status_on_any_day(store) -> None:
    won(store, "Fixed")
    won(store, "Rolling", who="Bob")
    fixed = add_contract(store, deal="Fixed", start=date(2025, 1, 1), end=date(2025, 12, 31))
    rolling = add_contract(
        store, deal="Rolling", start=date(2025, 1, 31), term="1m", auto_renew=True
    )
    assert get_contract(store, fixed.id, now=at(date(2025, 12, 31))).status == "active"
    assert get_contract(store, fixed.id, now=at(date(2026, 1, 1))).status == "ended"
    later = get_contract(store, rolling.id, now=at(date(2026, 3, 15)))
    assert later.status == "active"
    # counted from January 31: February's missing 31st starts a term on March 1
    assert (later.start_date, later.end_date) == (date(2026, 3, 1), date(2026, 3, 30))
    assert later.renewals == 13
    ended = list_contracts(store, status="ended", now=at(date(2026, 1, 1)))
    assert [c.id for c in ended] == [fixed.id]


def test_renew_and_cancel(store) -> None:
    won(store)
    contract = add_contract(store, deal=1, start=date(2026, 1, 1), now=NOW)
    renewed = renew_contract(store, contract.id, value="15000", now=NOW)
    assert (renewed.start_date, renewed.end_date) == (date(2027, 1, 1), date(2027, 12, 31))
    assert renewed.value == Decimal(15000) and renewed.renewals == 1
    cancelled = cancel_contract(store, contract.id, reason="budget", now=NOW)
    assert cancelled.status == "cancelled" and cancelled.cancelled_on == date(2026, 11, 23)
    with pytest.raises(Conflict, match="cancelled already"):
        cancel_contract(store, contract.id, now=NOW)
    with pytest.raises(Conflict, match="is cancelled"):
        renew_contract(store, contract.id, now=NOW)


def test_renew_if_ends_refuses_a_retry_and_writes_nothing(store) -> None:
    won(store)
    add_contract(store, deal=1, start=date(2026, 1, 1), now=NOW)
    renewed = renew_contract(store, 1, if_ends=date(2026, 12, 31), now=NOW)
    assert renewed.end_date == date(2027, 12, 31)
    with pytest.raises(Conflict, match="ends on 2027-12-31, not 2026-12-31: not renewed"):
        renew_contract(store, 1, if_ends=date(2026, 12, 31), now=NOW)  # the retry
    again = get_contract(store, 1, now=NOW)
    assert (again.end_date, again.renewals) == (date(2027, 12, 31), 1)
    assert [e.action for e in list_events(store, entity="contract", entity_id=1)].count(
        "renewed"
    ) == 1


def test_renewing_lists_active_contracts_ending_soon(store) -> None:
    won(store, "Soon")
    won(store, "Later", who="Bob")
    add_contract(store, deal="Soon", start=date(2026, 1, 1))
    add_contract(store, deal="Later", start=date(2026, 6, 1))
    soon = list_contracts(store, renewing_days=90, now=NOW)
    assert [c.title for c in soon] == ["Soon"]


def _renewal_deals(store) -> list[str]:
    return [d.title for d in list_deals(store, status=None) if d.title.startswith("Renewal:")]


def test_the_renewal_deal_opens_once_lead_days_before_the_end(store) -> None:
    won(store)
    contract = add_contract(store, deal=1, start=date(2026, 1, 1), now=NOW)  # ends Dec 31
    assert process_renewals(store, now=at(date(2026, 10, 31))).renewal_deals == []
    run = process_renewals(store, now=at(date(2026, 11, 1)))  # 60 days before
    assert len(run.renewal_deals) == 1
    for _ in range(3):  # cron, again and again
        assert process_renewals(store, now=at(date(2026, 11, 2))).renewal_deals == []
    assert _renewal_deals(store) == ["Renewal: Acme platform"]
    [deal] = [d for d in list_deals(store) if d.id == run.renewal_deals[0]]
    assert (deal.amount, deal.currency, deal.close_date) == (
        Decimal(12000),
        "USD",
        date(2026, 12, 31),
    )
    assert get_contract(store, contract.id, now=NOW).renewal_deal_id == deal.id


def test_the_renewal_deal_opens_once_under_two_concurrent_runs(store) -> None:
    for n in range(4):
        won(store, f"Deal {n}", who=f"Person{n}")
        add_contract(store, deal=f"Deal {n}", start=date(2026, 1, 1))
    at_once(lambda: process_renewals(store, now=NOW), lambda: process_renewals(store, now=NOW))
    assert sorted(_renewal_deals(store)) == [f"Renewal: Deal {n}" for n in range(4)]
    with store.read() as session:
        opened = session.scalar(
            select(func.count()).select_from(Event).where(Event.summary.like("opened renewal%"))
        )
    assert opened == 4


def test_auto_renewing_contracts_roll_forward_once_with_an_event(store) -> None:
    won(store)
    contract = add_contract(
        store, deal=1, start=date(2026, 1, 31), term="1m", auto_renew=True, notice="7d"
    )
    run = process_renewals(store, now=at(date(2026, 4, 10)))
    assert run.rolled == [contract.id] and run.renewal_deals == []
    assert process_renewals(store, now=at(date(2026, 4, 10))).rolled == []
    with store.read() as session:
        row = session.get(Contract, contract.id)
        assert (row.start_date, row.end_date, row.renewals) == (
            date(2026, 3, 31),
            date(2026, 4, 30),
            2,
        )
    rolls = [e for e in list_events(store, entity="contract") if e.action == "renewed"]
    assert [e.summary.rsplit(" automatically", 1)[1] for e in rolls] == [
        " (2 terms): 2026-03-31 to 2026-04-30"
    ]
    process_renewals(store, now=at(date(2026, 5, 1)))  # the next end: one term, one event
    rolls = [e for e in list_events(store, entity="contract") if e.action == "renewed"]
    assert rolls[0].summary.endswith("automatically: 2026-05-01 to 2026-05-30")


def test_notice_and_end_are_announced_once_across_cron_runs(store) -> None:
    won(store)
    add_contract(store, deal=1, start=date(2026, 1, 1), notice="30d", now=NOW)  # notice Dec 1
    for run_id in ("a", "b", "c"):
        items = due_items(store, now=NOW, new_only=True)
        mine = claim_items(store, items, run_id=run_id, now=NOW)
        confirm_run(store, run_id, now=NOW)
        told = sorted(i.key for i in mine)
        assert told == (["notice:1"] if run_id == "a" else [])
    # --all still sees it; the end comes within 30 days later, once too
    assert {i.key for i in due_items(store, now=NOW) if i.group == "renewal"} == {"notice:1"}
    december = at(date(2026, 12, 2))
    assert [i.key for i in due_items(store, now=december, new_only=True)] == ["contract-end:1"]
    renew_contract(store, 1, now=NOW)
    later = at(date(2027, 11, 23))
    assert {i.key for i in due_items(store, now=later, new_only=True)} >= {"notice:1"}
    queue = next_actions(store, now=NOW)
    assert any(a.entity == "contract" for a in queue) is False  # renewed: nothing near now


def test_a_customer_whose_last_contract_ended_is_churned_on_that_day(store, freeze_clock) -> None:
    freeze_clock(at(date(2026, 1, 1)))
    won(store)
    won(store, "Bob deal", who="Bob")
    add_contract(store, deal=1, start=date(2026, 1, 1), end=date(2026, 3, 31))
    add_contract(store, deal="Bob deal", start=date(2026, 1, 1), end=date(2026, 12, 31))
    freeze_clock(at(date(2026, 6, 5)))
    run = process_renewals(store, now=at(date(2026, 6, 5)))
    ann = get_contact(store, "Ann")
    assert run.lapsed == [1] and run.churned == [ann.id]
    assert ann.lifecycle == "churned" and get_contact(store, "Bob").lifecycle == "customer"
    assert process_renewals(store, now=at(date(2026, 6, 6))).lapsed == []
    report = churn_report(
        store, by="month", start=date(2026, 1, 1), end=date(2026, 6, 30), now=at(date(2026, 6, 5))
    )
    churned = {line.period: line.churned for line in report.rows}
    assert churned["2026-04"] == 1 and sum(churned.values()) == 1


def test_a_cancelled_contract_churns_on_its_cancel_day_and_a_renewal_brings_back(store) -> None:
    won(store)
    add_contract(store, deal=1, start=date(2026, 1, 1), now=NOW)
    cancel_contract(store, 1, on=date(2026, 11, 1), now=NOW)
    run = process_renewals(store, now=NOW)
    assert run.lapsed == [1]
    assert get_contract(store, 1, now=NOW).status == "cancelled"
    with store.read() as session:
        deal_count = session.scalar(select(func.count()).select_from(Deal))
    assert deal_count == 1  # no renewal deal for a cancelled contract
    assert get_contact(store, "Ann").lifecycle == "churned"


def test_hooks_see_contract_records(store) -> None:
    won(store)
    contract = add_contract(store, deal=1, start=date(2026, 1, 1), now=NOW)
    from tinycrm.store.commits import _readers

    model, read = _readers()["contract"]
    with store.read() as session:
        assert read(session, session.get(model, contract.id)).title == "Acme platform"


def test_recurring_items_give_the_value_per_term_and_the_arr(store) -> None:
    from tinycrm.store.deal_items import add_item
    from tinycrm.store.products import add_product

    add_contact(store, name="Ann", email="ann@example.com")
    add_deal(store, title="SaaS", contact="Ann", currency="EUR")
    add_product(store, name="Seat", price="9.99", currency="EUR", recurring_every="month")
    add_product(store, name="Support", price="1000", currency="EUR", recurring_every="year")
    add_product(store, name="Setup", price="500", currency="EUR")
    for product, qty in (("Seat", "5"), ("Support", "1"), ("Setup", "1")):
        add_item(store, "SaaS", product, quantity=qty)
    win_deal(store, "SaaS")
    contract = add_contract(store, deal="SaaS", start=date(2026, 1, 1), term="6m", now=NOW)
    # ARR = 5 × 9.99 × 12 + 1000 = 1599.40; six months of it: 799.70; setup is one-off
    assert (contract.arr, contract.mrr) == (Decimal("1599.40"), Decimal("133.28"))
    assert contract.value == Decimal("799.70")


def test_a_terms_share_of_the_arr_too_large_to_keep_is_refused(store) -> None:
    # ARR €960 trillion × 100 years was 9.6 * 10**19 cents: an OverflowError traceback
    # (SQLite) or a DataError (PostgreSQL) as the contract was written.
    from tinycrm.store.deal_items import add_item
    from tinycrm.store.products import add_product

    add_deal(store, title="Big", currency="EUR")
    add_product(store, name="Plan", price="80000000000000", recurring_every="month")
    add_item(store, "Big", "Plan")
    win_deal(store, "Big")
    with pytest.raises(Invalid, match="share of deal Big's ARR would be more than €1,000,000,"):
        add_contract(store, deal="Big", term="100y", now=NOW)
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Contract)) == 0
    given = add_contract(store, deal="Big", term="100y", value="1000000", now=NOW)
    assert given.value == Decimal(1000000)


def test_a_renewal_of_another_length_keeps_the_price_not_the_sum(store) -> None:
    """$12,000 for 12 months renewed with --term 1m stayed $12,000 for the month (and its
    renewal deal asked $12,000 a month: twelve times the price); renewed to a last day
    two years on, $12,000 for the two. Now the value per term follows the term's length,
    at the same price: months to months, else days to days; --value still sets it."""
    deal = won(store)
    add_contract(store, deal=deal.id, start=date(2026, 1, 1), now=NOW)  # to 2026-12-31
    month = renew_contract(store, 1, term="1m", now=NOW)  # 2027-01
    assert (month.end_date, month.value) == (date(2027, 1, 31), Decimal("1000.00"))
    again = renew_contract(store, 1, now=NOW)  # its own term again: the same value
    assert (again.end_date, again.value) == (date(2027, 2, 28), Decimal("1000.00"))
    two_years = renew_contract(store, 1, end=date(2029, 2, 28), now=NOW)
    assert two_years.value == Decimal("24000.00")
    days = renew_contract(store, 1, term="73d", now=NOW)  # 731 days (2028-02-29) to 73
    assert days.value == Decimal("2396.72")  # 24,000 × 73 ÷ 731
    told = renew_contract(store, 1, term="12m", value="9000", now=NOW)
    assert told.value == Decimal("9000")
    events = [e.summary for e in list_events(store, entity="contract", entity_id=1)]
    assert any("value per term $1,000.00 (was $12,000.00)" in s for s in events), events


def test_a_renewal_after_one_to_a_last_day_is_priced_by_the_term_it_follows(store) -> None:
    """A monthly contract renewed to a last day a year on is $12,000 for the year; its
    next renewal, a month again (its own term), was priced from the month it is, not the
    year it followed: $12,000 for one month. Now a month at the year's price: $1,000."""
    deal = won(store, amount=1000)
    add_contract(store, deal=deal.id, start=date(2026, 1, 1), term="1m", now=NOW)  # January
    year = renew_contract(store, 1, end=date(2027, 1, 31), now=NOW)  # 2026-02 to 2027-01
    assert (year.term, year.value) == ("1m", Decimal("12000.00"))
    month = renew_contract(store, 1, now=NOW)
    assert (month.start_date, month.end_date) == (date(2027, 2, 1), date(2027, 2, 28))
    assert month.value == Decimal("1000.00")
    # a first term to a last day is priced per its term, as add priced it: still a month
    add_product(store, name="Plan", price="500", currency="USD", recurring_every="month")
    monthly = won(store, title="Plan deal", amount=None, who="Bob")
    add_item(store, monthly.id, "Plan")
    first = add_contract(store, deal=monthly.id, start=date(2026, 1, 1), end=date(2026, 12, 31),
                         term="1m", now=NOW)  # fmt: skip
    assert first.value == Decimal("500.00")
    assert renew_contract(store, first.id, now=NOW).value == Decimal("500.00")


def test_a_renewal_value_in_another_currency_names_the_contracts(store) -> None:
    """--value '500 EUR' on a USD contract said 'the currency given is USD', where the
    user gave none: now it says the contract is in USD, and nothing is written."""
    deal = won(store)
    add_contract(store, deal=deal.id, start=date(2026, 1, 1), now=NOW)
    with pytest.raises(Invalid, match=r"^value: contract #1 Acme platform is in USD, not EUR: "):
        renew_contract(store, 1, value="500 EUR", now=NOW)
    kept = get_contract(store, 1, now=NOW)
    assert (kept.end_date, kept.value, kept.renewals) == (date(2026, 12, 31), Decimal(12000), 0)


def test_a_renewal_of_another_length_of_a_contract_without_a_value_has_none(store) -> None:
    deal = won(store, amount=None)
    add_contract(store, deal=deal.id, start=date(2026, 1, 1), now=NOW)
    assert renew_contract(store, 1, term="1m", now=NOW).value is None


def test_a_contract_not_started_yet_is_upcoming_and_its_contact_not_a_customer_yet(
    store, freeze_clock
) -> None:
    freeze_clock(NOW)
    won(store)
    contract = add_contract(store, deal=1, start=date(2027, 1, 1), now=NOW)
    assert contract.status == "upcoming"
    assert get_contact(store, "Ann").lifecycle != "customer"
    assert list_contracts(store, status="active", now=NOW) == []
    assert [c.id for c in list_contracts(store, status="upcoming", now=NOW)] == [contract.id]
    assert get_contract(store, contract.id, now=at(date(2027, 1, 1))).status == "active"
    # remind makes them a customer on its first day, as of that day
    assert process_renewals(store, now=NOW).lapsed == []
    assert get_contact(store, "Ann").lifecycle != "customer"
    freeze_clock(at(date(2027, 1, 2)))
    process_renewals(store, now=at(date(2027, 1, 2)))
    assert get_contact(store, "Ann").lifecycle == "customer"
    report = churn_report(
        store, by="month", start=date(2026, 11, 1), end=date(2027, 1, 31), now=at(date(2027, 1, 2))
    )
    lines = {line.period: line for line in report.rows}
    assert lines["2026-12"].customers_at_end == 0  # signed, not started: not a customer yet
    assert lines["2027-01"].new_customers == 1


def test_a_next_contract_after_a_gap_churns_then_brings_back(store, freeze_clock) -> None:
    freeze_clock(at(date(2026, 1, 1)))
    won(store)
    win_deal(store, add_deal(store, title="Next", amount=9000, contact="Ann", currency="USD").id)
    add_contract(store, deal=1, start=date(2026, 1, 1), end=date(2026, 3, 31))
    add_contract(store, deal="Next", start=date(2026, 5, 1), end=date(2026, 12, 31))
    assert get_contact(store, "Ann").lifecycle == "customer"
    freeze_clock(at(date(2026, 4, 2)))
    run = process_renewals(store, now=at(date(2026, 4, 2)))
    assert run.lapsed == [1] and get_contact(store, "Ann").lifecycle == "churned"
    freeze_clock(at(date(2026, 5, 3)))
    process_renewals(store, now=at(date(2026, 5, 3)))
    assert get_contact(store, "Ann").lifecycle == "customer"


def test_a_next_contract_without_a_gap_is_no_churn(store, freeze_clock) -> None:
    freeze_clock(at(date(2026, 1, 1)))
    won(store)
    win_deal(store, add_deal(store, title="Next", amount=9000, contact="Ann", currency="USD").id)
    add_contract(store, deal=1, start=date(2026, 1, 1), end=date(2026, 3, 31))
    add_contract(store, deal="Next", start=date(2026, 4, 1), end=date(2026, 12, 31))
    assert get_contract(store, 2).status == "upcoming"
    freeze_clock(at(date(2026, 4, 2)))
    run = process_renewals(store, now=at(date(2026, 4, 2)))
    assert run.lapsed == [1] and run.churned == []
    assert get_contact(store, "Ann").lifecycle == "customer"


def test_a_start_more_than_ten_years_ahead_is_refused_and_writes_nothing(store) -> None:
    """``contract add --start +99999d`` made a contract that starts in the year 2300 (a
    typo of a day or a year): signed business starts within ten years, as a quote is
    valid for at most ten. Nothing is written and the contact stays as they were."""
    won(store)
    with pytest.raises(Invalid, match="more than 3,650 days ahead"):
        add_contract(store, deal=1, start=date(2300, 9, 21), now=NOW)
    assert list_contracts(store) == []
    assert get_contact(store, "Ann").lifecycle != "customer"
    last = add_contract(store, deal=1, start=NOW.date() + timedelta(days=3650), now=NOW)
    assert last.status == "upcoming"


def test_a_contract_not_started_yet_is_not_renewed(store, freeze_clock) -> None:
    """Renewing a contract before its first day showed it active at once (its second
    term on the books, as for a renewal added ahead) and wrote a term no one had run.
    Now it is refused with one line until its first day; nothing is written."""
    freeze_clock(NOW)
    won(store)
    add_contract(store, deal=1, start=date(2027, 1, 1), now=NOW)
    with pytest.raises(Conflict, match="has not started yet"):
        renew_contract(store, 1, now=NOW)
    again = get_contract(store, 1, now=NOW)
    assert (again.status, again.renewals, again.end_date) == ("upcoming", 0, date(2027, 12, 31))


def test_no_renewal_deal_opens_for_a_contract_not_started_yet(store, freeze_clock) -> None:
    """A 30-day contract starting in ten days ends within the 60 lead days: remind opened
    its renewal deal before it had run a day, and winning it renewed a term no one had
    run (the contract then showed active). Now the deal opens once it runs."""
    freeze_clock(NOW)
    won(store)
    add_contract(store, deal=1, start=date(2026, 12, 3), term="30d", now=NOW)
    assert process_renewals(store, now=NOW).renewal_deals == []
    assert _renewal_deals(store) == []
    freeze_clock(at(date(2026, 12, 3)))
    assert len(process_renewals(store, now=at(date(2026, 12, 3))).renewal_deals) == 1


def test_an_end_more_than_a_hundred_years_after_the_start_is_refused(store) -> None:
    """``--term`` stops at 100 years, but ``contract add --end 9998-12-31`` made a
    contract 7,000 years long (and ``contract renew --end`` a term as long). Now an end
    gives at most what a term may: 36,600 days from the start, both days included."""
    won(store)
    with pytest.raises(Invalid, match="more than 100 years"):
        add_contract(store, deal=1, start=date(2026, 1, 1), end=date(9998, 12, 31), now=NOW)
    assert list_contracts(store) == []
    made = add_contract(store, deal=1, start=date(2026, 1, 1), end=date(2026, 12, 31), now=NOW)
    with pytest.raises(Invalid, match="more than 100 years"):
        renew_contract(store, made.id, end=date(2128, 1, 1), now=NOW)
    assert get_contract(store, made.id, now=NOW).renewals == 0
    longest = date(2027, 1, 1) + timedelta(days=36_599)
    assert renew_contract(store, made.id, end=longest, now=NOW).end_date == longest


def test_a_year_from_february_29_renews_as_years_without_drifting(store, freeze_clock) -> None:
    """A contract from 2028-02-29 to 2029-02-28 (a year as contracts count it: the 29th
    has no day in 2029, so the year ends with February) renewed through its renewal deal
    for its 366 days, to 2030-03-01, then 2031-03-02: a day later each year. And January
    31 to February 29 (a month, to the month's end) renewed for 30 days, to March 30.
    Both are whole months now: the next terms end on February 28 and (counted from
    January 31, whose next anniversary is March 31) March 30, at the same value per term."""

    def renewed_by_its_deal(contract_id: int, day: date) -> ContractRead:
        freeze_clock(at(day))
        [deal_id] = process_renewals(store, now=at(day)).renewal_deals
        win_deal(store, deal_id)
        return get_contract(store, contract_id, now=at(day))

    freeze_clock(at(date(2028, 2, 10)))
    won(store)
    add_contract(store, deal=1, start=date(2028, 2, 29), end=date(2029, 2, 28))
    won(store, title="Monthly", who="Bob")
    made = add_contract(store, deal="Monthly", start=date(2028, 1, 31), end=date(2028, 2, 29))
    month = renewed_by_its_deal(made.id, date(2028, 2, 10))
    assert (month.start_date, month.end_date) == (date(2028, 3, 1), date(2028, 3, 30))
    assert month.value == Decimal(12000)
    first = renewed_by_its_deal(1, date(2029, 1, 10))
    assert (first.start_date, first.end_date) == (date(2029, 3, 1), date(2030, 2, 28))
    second = renewed_by_its_deal(1, date(2030, 1, 10))
    assert (second.start_date, second.end_date) == (date(2030, 3, 1), date(2031, 2, 28))
    assert second.value == Decimal(12000)


def test_a_contract_cancelled_as_of_a_day_to_come_is_not_renewing(store) -> None:
    # contract list --renewing 90d listed a contract cancelled as of the day after its
    # end (it 'stops renewing', as contract cancel says) among those up for renewal
    won(store)
    kept = add_contract(store, deal=1, start=date(2026, 1, 1), now=NOW)
    won(store, "Bob platform", who="Bob")
    going = add_contract(store, deal="Bob platform", start=date(2026, 1, 1), now=NOW)
    cancel_contract(store, going.id, on=date(2027, 1, 1), now=NOW)
    soon = list_contracts(store, renewing_days=90, now=NOW)
    assert [c.id for c in soon] == [kept.id]
    assert {c.id for c in list_contracts(store, status="active", now=NOW)} == {kept.id, going.id}


def test_a_cancelled_contract_has_no_notice_deadline(store) -> None:
    # contract show --json gave 'notice_deadline' for a contract cancelled as of a day to
    # come: cancelling it was the notice, there is no deadline left to meet
    won(store)
    contract = add_contract(store, deal=1, start=date(2026, 1, 1), notice="30d", now=NOW)
    assert contract.notice_deadline == date(2026, 12, 2)
    cancel_contract(store, contract.id, on=date(2027, 1, 1), now=NOW)
    assert get_contract(store, contract.id, now=NOW).notice_deadline is None
    [listed] = list_contracts(store, now=NOW)
    assert listed.notice_deadline is None


def test_a_leap_day_term_and_its_end_agree(store) -> None:
    """A 12-month term from 2028-02-29 ends on 2029-02-28, the day before its missing
    anniversary, and --end 2029-02-28 is that same term: 12 months of the ARR's value
    (--end 2029-02-27 is not whole months). Renewed, each next term counts from the first
    start: 2029-03-01 to 2030-02-28."""
    won(store)
    by_term = add_contract(store, deal=1, start=date(2028, 2, 29), term="12m", now=NOW)
    assert by_term.end_date == date(2029, 2, 28)
    won(store, title="Beta", who="Bob")
    by_end = add_contract(store, deal=2, start=date(2028, 2, 29), end=date(2029, 2, 28), now=NOW)
    assert by_end.end_date == date(2029, 2, 28)
    again = renew_contract(store, by_end.id, term="12m", now=at(date(2029, 1, 10)))
    assert (again.start_date, again.end_date) == (date(2029, 3, 1), date(2030, 2, 28))
    again = renew_contract(store, by_term.id, now=at(date(2029, 1, 10)))
    assert (again.start_date, again.end_date) == (date(2029, 3, 1), date(2030, 2, 28))


def test_monthly_renewals_from_january_31_count_from_the_first_start(store, freeze_clock) -> None:
    """A month from January 31 (--term 1m, or --end February 28 without a term) ends on
    February 28; renewals (by hand, by a won renewal deal, or automatically) count from
    January 31, not from the last end, so the days do not drift: March 1 to 30, March 31
    to April 30, May 1 to 30."""
    expected = [
        (date(2027, 3, 1), date(2027, 3, 30)),
        (date(2027, 3, 31), date(2027, 4, 30)),
        (date(2027, 5, 1), date(2027, 5, 30)),
    ]
    won(store)
    won(store, title="Beta", who="Bob")
    won(store, title="Gamma", who="Cy")
    freeze_clock(at(date(2027, 2, 10)))
    by_term = add_contract(store, deal=1, start=date(2027, 1, 31), term="1m", now=NOW)
    by_end = add_contract(store, deal=2, start=date(2027, 1, 31), end=date(2027, 2, 28), now=NOW)
    rolling = add_contract(
        store, deal=3, start=date(2027, 1, 31), term="1m", auto_renew=True, now=NOW
    )
    assert by_term.end_date == by_end.end_date == rolling.end_date == date(2027, 2, 28)
    seen = []
    for _ in expected:
        renewed = renew_contract(store, by_term.id, now=at(date(2027, 2, 10)))
        seen.append((renewed.start_date, renewed.end_date))
    assert seen == expected
    for first, last in expected:  # (before remind writes the terms it rolled into)
        state = get_contract(store, rolling.id, now=at(first))
        assert (state.start_date, state.end_date) == (first, last)
    seen = []
    for first, _ in expected:
        day = first - timedelta(days=20)
        freeze_clock(at(day))
        process_renewals(store, now=at(day))
        deal_id = get_contract(store, by_end.id, now=at(day)).renewal_deal_id
        assert deal_id is not None
        win_deal(store, deal_id)
        renewed = get_contract(store, by_end.id, now=at(day))
        seen.append((renewed.start_date, renewed.end_date))
    assert seen == expected


def test_an_auto_renewing_contract_stored_under_the_old_month_end_rule_rolls_without_a_gap(
    store,
) -> None:
    """A monthly contract from January 31 written before the anniversary rule ended its
    first term on February 27 (the old rule); counted from January 31 now, the next term
    would start on March 1, and February 28 would belong to no term. It continues from
    the day after its stored end instead: February 28 is in a term, and terms meet."""
    won(store)
    made = add_contract(store, deal=1, start=date(2026, 1, 31), term="1m", auto_renew=True, now=NOW)
    with store.write() as session:
        session.get(Contract, made.id).end_date = date(2026, 2, 27)  # as the old rule wrote
    on_28th = get_contract(store, made.id, now=at(date(2026, 2, 28)))
    assert (on_28th.status, on_28th.start_date) == ("active", date(2026, 2, 28))
    later = get_contract(store, made.id, now=at(date(2026, 4, 15)))
    assert later.renewals == 2 and later.start_date <= date(2026, 4, 15) <= later.end_date
    process_renewals(store, now=at(date(2026, 4, 15)))
    with store.read() as session:
        row = session.get(Contract, made.id)
        assert (row.start_date, row.end_date) == (later.start_date, later.end_date)
    ends = [get_contract(store, made.id, now=at(date(2026, m, 15))) for m in (5, 6)]
    assert ends[0].start_date == later.end_date + timedelta(days=1)
    assert ends[1].start_date == ends[0].end_date + timedelta(days=1)


def test_add_takes_its_default_term_and_reads_no_config(store, monkeypatch) -> None:
    """add_contract read ``[contracts] default_term`` itself (config below the API layer);
    now it is given (crm.contracts passes the config's, 12m by default)."""
    won(store)
    # the store has no config of its own to read: what it follows is given as values
    assert not hasattr(store, "settings") and not hasattr(store, "config")
    made = add_contract(store, deal=1, start=date(2026, 1, 1), now=NOW, default_term="3m")
    assert (made.term, made.end_date) == ("3m", date(2026, 3, 31))

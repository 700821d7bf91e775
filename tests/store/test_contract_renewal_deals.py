"""Renewal deals: the deal remind opens before a contract ends, won or lost, and the
races between renewals, cancellations and deletions of the records they touch."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.store.races import at_once, refused
from tests.store.test_contracts import NOW, _renewal_deals, at, won
from tinycrm.store import Conflict, Invalid, NotFound
from tinycrm.store.contacts import add_contact, get_contact
from tinycrm.store.contracts import (
    add_contract,
    cancel_contract,
    get_contract,
    list_contracts,
    renew_contract,
)
from tinycrm.store.deals import (
    add_deal,
    edit_deal,
    get_deal,
    lose_deal,
    reopen_deal,
    win_deal,
)
from tinycrm.store.events import list_events
from tinycrm.store.models import Deal
from tinycrm.store.reminders import next_actions
from tinycrm.store.renewals import process_renewals
from tinycrm.store.service_models import Contract


def _open_renewal(store) -> tuple[int, int]:
    """Ann's contract (2026, ends Dec 31) and the renewal deal remind opened for it."""
    won(store)
    contract = add_contract(store, deal=1, start=date(2026, 1, 1), now=NOW)
    [deal_id] = process_renewals(store, now=at(date(2026, 11, 1))).renewal_deals
    return contract.id, deal_id


def test_winning_the_renewal_deal_renews_the_contract_once(store) -> None:
    contract_id, deal_id = _open_renewal(store)
    edit_deal(store, deal_id, amount="13500")
    win_deal(store, deal_id)
    renewed = get_contract(store, contract_id, now=NOW)
    assert (renewed.start_date, renewed.end_date) == (date(2027, 1, 1), date(2027, 12, 31))
    assert renewed.value == Decimal(13500) and renewed.renewals == 1
    [event] = [
        e
        for e in list_events(store, entity="contract", entity_id=contract_id)
        if e.action == "renewed"
    ]
    assert event.summary == (
        f"renewed contract #{contract_id} Acme platform ($13,500.00): 2027-01-01 to "
        f"2027-12-31 (won renewal deal #{deal_id})"
    )
    # its old end passes: it did not end "without renewal", Ann stays a customer
    run = process_renewals(store, now=at(date(2027, 1, 5)))
    assert run.lapsed == [] and run.churned == []
    assert get_contact(store, "Ann").lifecycle == "customer"
    # the term its win added is in force: reopening it (to lose it) is refused until the
    # contract is cancelled, as for the deal a contract was made from
    with pytest.raises(
        Conflict,
        match=rf"deal Renewal: Acme platform renewed active contract #{contract_id} Acme "
        r"platform \(to 2027-12-31\): cancel it first",
    ):
        reopen_deal(store, deal_id)
    assert get_contract(store, contract_id, now=NOW).end_date == date(2027, 12, 31)
    # the next term gets its own renewal deal, 60 days before the new end
    assert len(process_renewals(store, now=at(date(2027, 11, 1))).renewal_deals) == 1


def test_the_renewal_deal_asks_the_value_of_the_term_it_renews_for(store) -> None:
    """A monthly contract renewed to a last day a year on is $12,000 for that year; its
    renewal deal, for the month that follows, asked $12,000, and winning it made the
    month $12,000. Now it asks a month at the year's price, $1,000."""
    won(store, amount=1000)
    add_contract(store, deal=1, start=date(2025, 12, 1), term="1m", now=NOW)
    renew_contract(store, 1, end=date(2026, 12, 31), now=at(date(2025, 12, 20)))
    [deal_id] = process_renewals(store, now=at(date(2026, 12, 1))).renewal_deals
    assert get_deal(store, deal_id).amount == Decimal(1000)
    win_deal(store, deal_id)
    month = get_contract(store, 1, now=at(date(2026, 12, 1)))
    assert (month.end_date, month.value) == (date(2027, 1, 31), Decimal(1000))


def test_a_lost_renewal_deal_lets_the_contract_end_and_the_customer_churn(store) -> None:
    contract_id, deal_id = _open_renewal(store)
    lose_deal(store, deal_id, reason="went elsewhere")
    assert get_contract(store, contract_id, now=NOW).end_date == date(2026, 12, 31)
    run = process_renewals(store, now=at(date(2027, 1, 5)))
    assert run.lapsed == [contract_id]
    assert get_contact(store, "Ann").lifecycle == "churned"


def test_a_renewal_deal_won_after_a_renewal_by_hand_or_a_cancel_renews_nothing(store) -> None:
    contract_id, deal_id = _open_renewal(store)
    renew_contract(store, contract_id, now=NOW)  # renewed by hand first: that wins the deal
    with pytest.raises(Conflict, match="is already won"):
        win_deal(store, deal_id)
    with pytest.raises(Conflict, match="renewed active contract"):
        reopen_deal(store, deal_id)
    contract = get_contract(store, contract_id, now=NOW)
    assert contract.end_date == date(2027, 12, 31) and contract.renewals == 1

    won(store, "Bob platform", who="Bob")
    bobs = add_contract(store, deal="Bob platform", start=date(2026, 1, 1), now=NOW)
    [bob_deal] = process_renewals(store, now=at(date(2026, 11, 1))).renewal_deals
    cancel_contract(store, bobs.id, on=date(2026, 12, 1), now=NOW)  # that loses the deal
    reopen_deal(store, bob_deal)
    win_deal(store, bob_deal)
    assert get_contract(store, bobs.id, now=NOW).renewals == 0


def test_a_renewal_deal_in_another_currency_or_of_a_contract_without_a_term(store) -> None:
    won(store)
    contract = add_contract(
        store, deal=1, start=date(2026, 1, 1), end=date(2026, 12, 15), now=NOW
    )  # no term: 349 days, and so is the next
    [deal_id] = process_renewals(store, now=at(date(2026, 11, 1))).renewal_deals
    edit_deal(store, deal_id, amount="9000", currency="EUR")
    win_deal(store, deal_id)
    renewed = get_contract(store, contract.id, now=NOW)
    assert (renewed.start_date, renewed.end_date) == (date(2026, 12, 16), date(2027, 11, 29))
    assert (renewed.value, renewed.currency) == (Decimal(12000), "USD")  # kept


def test_a_cancellation_before_the_current_terms_first_day_is_refused(store) -> None:
    won(store)
    won(store, "Ahead", who="Bob")
    contract = add_contract(store, deal=1, start=date(2026, 1, 1), now=NOW)
    for day in (date(1900, 1, 1), date(2025, 12, 31)):
        with pytest.raises(Invalid, match="before 2026-01-01, the first day of its current term"):
            cancel_contract(store, contract.id, on=day, now=NOW)
    assert get_contract(store, contract.id, now=NOW).cancelled_on is None
    cancelled = cancel_contract(store, contract.id, on=date(2026, 1, 1), now=NOW)
    assert cancelled.cancelled_on == date(2026, 1, 1)
    # renewed ahead: its stored term starts 2027-01-01, today is in the term before it
    ahead = add_contract(store, deal="Ahead", start=date(2026, 1, 1), now=NOW)
    renew_contract(store, ahead.id, now=NOW)
    with pytest.raises(Invalid, match="before 2026-11-23, the first day of its current term or"):
        cancel_contract(store, ahead.id, on=date(2026, 11, 22), now=NOW)
    assert cancel_contract(store, ahead.id, on=NOW.date(), now=NOW).status == "cancelled"


def test_a_notice_longer_than_the_term_is_refused(store) -> None:
    won(store)
    with pytest.raises(Invalid, match="notice 13m is longer than the term 12m"):
        add_contract(store, deal=1, start=date(2026, 1, 1), term="12m", notice="13m", now=NOW)
    with pytest.raises(Invalid, match=r"notice 40d is longer than the term \(2026-01-01 to"):
        add_contract(
            store, deal=1, start=date(2026, 1, 1), end=date(2026, 1, 31), notice="40d", now=NOW
        )
    assert list_contracts(store) == []
    contract = add_contract(store, deal=1, start=date(2026, 1, 1), notice="12m", now=NOW)
    assert contract.notice_deadline == date(2026, 1, 1)  # notice on its first day
    with pytest.raises(Invalid, match="notice 12m is longer than the term 1m"):
        renew_contract(store, contract.id, term="1m", now=NOW)
    assert get_contract(store, contract.id, now=NOW).end_date == date(2026, 12, 31)


def test_next_says_a_contracts_end_once_when_its_notice_deadline_and_end_are_both_near(
    store,
) -> None:
    won(store)
    add_contract(store, deal=1, start=date(2025, 12, 20), notice="10d", now=NOW)
    december = at(date(2026, 12, 6))
    [line] = [a for a in next_actions(store, now=december) if a.entity == "contract"]
    assert line.reason == (
        "notice deadline 2026-12-10 (in 4 days), ends after 2026-12-19 (in 13 days)"
    )
    # further off, the notice alone says what happens after the end
    won(store, "Later", who="Bob")
    add_contract(store, deal="Later", start=date(2026, 2, 1), notice="40d", now=NOW)
    mid_december = at(date(2026, 12, 15))
    [line] = [a for a in next_actions(store, now=mid_december) if a.title == "Later"]
    assert line.reason == "notice deadline 2026-12-23 (in 8 days); ends after 2027-01-31"


def test_renewing_into_a_term_that_is_over_already_is_refused(store) -> None:
    won(store)
    add_contract(store, deal=1, start=date(2024, 1, 1), now=NOW)  # ended 2024-12-31
    process_renewals(store, now=NOW)
    assert get_contact(store, "Ann").lifecycle == "churned"
    with pytest.raises(Invalid, match=r"its next term, 2025-01-01 to 2025-12-31, is over"):
        renew_contract(store, 1, now=NOW)
    assert get_contract(store, 1, now=NOW).end_date == date(2024, 12, 31)
    assert get_contact(store, "Ann").lifecycle == "churned"
    renewed = renew_contract(store, 1, end=date(2027, 6, 30), now=NOW)
    assert (renewed.status, renewed.start_date) == ("active", date(2025, 1, 1))
    assert get_contact(store, "Ann").lifecycle == "customer"


def test_deleting_a_deal_with_a_contract_is_refused_unless_confirmed(store) -> None:
    from tinycrm.store.deals import get_deal, remove_deal

    deal = won(store)
    contract = add_contract(store, deal=deal.id, start=date(2026, 1, 1), now=NOW)
    with pytest.raises(Conflict, match=r"has contract #1 Acme platform \(active, 2026-01-01 to"):
        remove_deal(store, deal.id)
    assert get_deal(store, deal.id).title == "Acme platform"
    assert get_contract(store, contract.id, now=NOW).deal_id == deal.id
    remove_deal(store, deal.id, unlink_contracts=True)
    kept = get_contract(store, contract.id, now=NOW)
    assert (kept.deal_id, kept.status) == (None, "active")
    [event] = [e for e in list_events(store, entity="deal") if e.action == "deleted"]
    assert event.summary == "deleted deal Acme platform; contract #1 Acme platform kept, unlinked"
    # a deal without a contract goes as before, asked nothing
    add_deal(store, title="Plain", amount=5)
    remove_deal(store, "Plain")


def test_reopening_a_won_deal_with_an_active_contract_is_refused_until_cancelled(store) -> None:
    deal = won(store)
    contract = add_contract(store, deal=deal.id, start=date(2026, 1, 1), now=NOW)
    with pytest.raises(
        Conflict,
        match=r"deal Acme platform has active contract #1 Acme platform \(2026-01-01 to "
        r"2026-12-31\): cancel it first \(tinycrm contract cancel 1\)",
    ):
        reopen_deal(store, deal.id)
    with store.read() as session:
        assert session.get(Deal, deal.id).status == "won"
    # once the contract is cancelled (or has ended), the deal can be reopened and lost
    cancel_contract(store, contract.id, now=NOW)
    assert reopen_deal(store, deal.id).status == "open"
    assert lose_deal(store, deal.id, reason="never paid").status == "lost"
    # a lost deal with no contract reopens as before
    assert reopen_deal(store, deal.id).status == "open"


def test_renewing_by_hand_wins_the_open_renewal_deal_of_that_term(store) -> None:
    from tinycrm.store.deals import get_deal

    contract_id, deal_id = _open_renewal(store)
    renewed = renew_contract(store, contract_id, value="14000", now=NOW)
    assert (renewed.end_date, renewed.renewals) == (date(2027, 12, 31), 1)
    deal = get_deal(store, deal_id)
    assert deal.status == "won"  # the pipeline no longer shows a renewal that happened
    assert deal.amount == Decimal(14000)  # at the value it was renewed at
    events = list_events(store, entity="deal", entity_id=deal_id)
    assert [e.action for e in events].count("won") == 1
    assert get_contract(store, contract_id, now=NOW).end_date == date(2027, 12, 31)  # once
    # a renewal deal lost first stays lost: renewing by hand does not rewrite it
    won(store, "Bob platform", who="Bob")
    bobs = add_contract(store, deal="Bob platform", start=date(2026, 1, 1), now=NOW)
    [bob_deal] = process_renewals(store, now=at(date(2026, 11, 1))).renewal_deals
    lose_deal(store, bob_deal, reason="said no")
    renew_contract(store, bobs.id, now=NOW)
    assert get_deal(store, bob_deal).status == "lost"


def test_renewing_by_hand_for_another_length_wins_the_renewal_deal_at_the_new_value(
    store,
) -> None:
    # $12,000 a year renewed with --term 1m is $1,000 for the month: its renewal deal was
    # won at $12,000, so the won pipeline and revenue counted twelve times the renewal
    from tinycrm.store.deals import get_deal

    contract_id, deal_id = _open_renewal(store)
    assert get_deal(store, deal_id).amount == Decimal(12000)
    renewed = renew_contract(store, contract_id, term="1m", now=NOW)
    assert (renewed.end_date, renewed.value) == (date(2027, 1, 31), Decimal(1000))
    deal = get_deal(store, deal_id)
    assert (deal.status, deal.amount) == ("won", Decimal(1000))
    # the same length keeps the amount the deal was given (a price agreed on it stands)
    won(store, "Bob platform", who="Bob")
    bobs = add_contract(store, deal="Bob platform", start=date(2026, 1, 1), now=NOW)
    [bob_deal] = process_renewals(store, now=at(date(2026, 11, 1))).renewal_deals
    edit_deal(store, bob_deal, amount="11500")
    renew_contract(store, bobs.id, now=NOW)
    assert get_deal(store, bob_deal).amount == Decimal(11500)


def test_cancelling_a_contract_loses_its_open_renewal_deal(store) -> None:
    from tinycrm.store.deals import get_deal

    contract_id, deal_id = _open_renewal(store)
    cancel_contract(store, contract_id, on=date(2026, 12, 1), reason="budget cut", now=NOW)
    deal = get_deal(store, deal_id)
    assert (deal.status, deal.lost_reason) == (
        "lost",
        f"contract #{contract_id} cancelled as of 2026-12-01: budget cut",
    )
    # reopened and won anyway: a cancelled contract renews nothing
    reopen_deal(store, deal_id)
    win_deal(store, deal_id)
    assert get_contract(store, contract_id, now=NOW).renewals == 0


def test_two_writers_making_a_contract_of_one_deal_at_once_make_one(store) -> None:
    rounds = 4
    for n in range(rounds):
        won(store, f"Deal {n}", who=f"Person{n}")
    for n in range(rounds):
        make = lambda n=n: add_contract(store, deal=f"Deal {n}", now=NOW)  # noqa: E731
        assert refused(at_once(make, make, expected=(Conflict,))) == 1
    with store.read() as session:
        assert session.scalar(select(func.count()).select_from(Contract)) == rounds


def test_a_renewal_deal_won_after_its_next_term_is_over_is_refused(store) -> None:
    won(store)
    add_contract(store, deal=1, start=date(2024, 1, 1), now=NOW)  # ended 2024-12-31
    [deal_id] = process_renewals(store, now=at(date(2024, 11, 5))).renewal_deals
    process_renewals(store, now=NOW)  # lapsed, Ann churned
    with pytest.raises(
        Conflict,
        match=r"its next term, 2025-01-01 to 2025-12-31, is over already: renew it by hand "
        r"with its new last day \(tinycrm contract renew 1 --end DATE\)",
    ):
        win_deal(store, deal_id)
    with store.read() as session:
        assert session.get(Deal, deal_id).status == "open"
    assert get_contract(store, 1, now=NOW).end_date == date(2024, 12, 31)
    assert get_contact(store, "Ann").lifecycle == "churned"
    # renewed by hand to a day ahead: that wins the deal, Ann is a customer again
    renew_contract(store, 1, end=date(2099, 6, 30), now=NOW)
    with store.read() as session:
        assert session.get(Deal, deal_id).status == "won"
    assert get_contact(store, "Ann").lifecycle == "customer"


def test_a_contract_with_stored_controls_still_gets_its_renewal_deal(store) -> None:
    """A title or owner holding control characters (an old import, another program) does
    not stop remind: the renewal deal's title and owner show them as visible escapes."""
    from sqlalchemy import text

    from tests.hostile import HOSTILE
    from tinycrm import safetext

    won(store)
    add_contract(store, deal=1, start=date(2026, 1, 1), now=NOW)
    with store.engine.begin() as conn:
        conn.execute(
            text("UPDATE contract SET title = title || :h, owner = owner || :h"), {"h": HOSTILE}
        )
    [deal_id] = process_renewals(store, now=at(date(2026, 11, 1))).renewal_deals
    with store.read() as session:
        deal = session.get(Deal, deal_id)
        assert deal.title == safetext.display(f"Renewal: Acme platform{HOSTILE}")
        assert deal.owner == safetext.display(f"tester{HOSTILE}")


def test_the_deals_own_currency_given_keeps_the_terms_share_of_the_arr(store) -> None:
    # --currency EUR on a EUR deal made the value the deal's amount (one-off setup
    # included: €600 for a 12-month term of €100 a month plus €500 setup) instead of
    # the term's share of its ARR (€1,200), as without --currency.
    from tinycrm.store.deal_items import add_item
    from tinycrm.store.products import add_product

    add_contact(store, name="Ann", email="ann@example.com")
    add_product(store, name="Hosting", price="100", currency="EUR", recurring_every="month")
    add_product(store, name="Install", price="500", currency="EUR")
    for title in ("Plain", "Told"):
        add_deal(store, title=title, contact="Ann", currency="EUR")
        add_item(store, title, "Hosting")
        add_item(store, title, "Install")
        win_deal(store, title)
    plain = add_contract(store, deal="Plain", term="12m", now=NOW)
    told = add_contract(store, deal="Told", term="12m", currency="eur", now=NOW)
    assert plain.value == told.value == Decimal("1200.00")
    assert told.arr == plain.arr == Decimal("1200.00")


def test_an_end_a_whole_number_of_months_away_takes_months_of_the_arr(store) -> None:
    # --start 2026-01-01 --end 2026-06-30 was 181 days ÷ 365 of the ARR, €595.07 where
    # --term 6m gives €600.00; a year to 2028-02-29 was 366/365 of it, €1,203.29.
    # Now an end that closes whole months from the start takes months ÷ 12, as a term
    # in months does; any other end still days ÷ 365.
    from tinycrm.store.deal_items import add_item
    from tinycrm.store.products import add_product

    add_contact(store, name="Ann", email="ann@example.com")
    add_product(store, name="Hosting", price="100", currency="EUR", recurring_every="month")
    spans = {
        "Half": (date(2026, 1, 1), date(2026, 6, 30), "600.00"),
        "Leap": (date(2027, 3, 1), date(2028, 2, 29), "1200.00"),
        "MonthEnd": (date(2026, 1, 31), date(2026, 2, 28), "100.00"),  # as a 1m term
        "NotAMonth": (date(2026, 1, 31), date(2026, 2, 27), "92.05"),  # 28/365 of 1,200
        "Days": (date(2026, 1, 1), date(2026, 1, 10), "32.88"),  # 10/365 of 1,200
    }
    for title, (first, last, value) in spans.items():
        add_deal(store, title=title, contact="Ann", currency="EUR")
        add_item(store, title, "Hosting")
        win_deal(store, title)
        made = add_contract(store, deal=title, start=first, end=last, now=NOW)
        assert made.value == Decimal(value), title


def test_a_contract_in_another_currency_than_its_deal_needs_a_value(store) -> None:
    deal = won(store)  # $12,000
    with pytest.raises(Invalid, match=r"deal Acme platform is in USD: a contract in EUR needs"):
        add_contract(store, deal=deal.id, currency="EUR", now=NOW)
    assert list_contracts(store) == []
    made = add_contract(store, deal=deal.id, currency="EUR", value="11000", now=NOW)
    assert (made.value, made.currency) == (Decimal(11000), "EUR")
    assert made.arr is None  # the deal's ARR is in dollars


def test_renewing_by_hand_while_the_renewal_deal_is_won_renews_once(store) -> None:
    """Two writers at once, one renewing the contract by hand and one winning its renewal
    deal, take turns (no deadlock on PostgreSQL): each does what it says, once."""
    rounds = 4
    pairs = []
    for n in range(rounds):
        won(store, f"Deal {n}", who=f"Person{n}")
        contract = add_contract(store, deal=f"Deal {n}", start=date(2026, 1, 1), now=NOW)
        pairs.append(contract.id)
    opened = process_renewals(store, now=at(date(2026, 11, 1))).renewal_deals
    for contract_id, deal_id in zip(pairs, opened, strict=True):
        at_once(
            lambda c=contract_id: renew_contract(store, c, now=NOW),
            lambda d=deal_id: win_deal(store, d),
            expected=(Conflict,),  # the deal was won by the renewal already
        )
    for contract_id, deal_id in zip(pairs, opened, strict=True):
        # renewed by hand first: that won the deal; won first: the renewal by hand adds
        # one more term after the one the win added
        renewed = get_contract(store, contract_id, now=NOW)
        assert (renewed.end_date, renewed.renewals) in (
            (date(2027, 12, 31), 1),
            (date(2028, 12, 31), 2),
        )
        with store.read() as session:
            assert session.get(Deal, deal_id).status == "won"


def test_a_deal_deleted_while_its_contract_is_made_is_refused_or_has_none(store) -> None:
    """``deal rm`` and ``contract add`` of one deal at once: the delete never unlinks a
    contract without a word (it is refused), or the contract is refused (no deal)."""
    from tinycrm.store.deals import remove_deal
    from tinycrm.store.errors import NotFound

    rounds = 6
    for n in range(rounds):
        won(store, f"Deal {n}", who=f"Person{n}")
    for n in range(rounds):
        at_once(
            lambda n=n: remove_deal(store, f"Deal {n}"),
            lambda n=n: add_contract(store, deal=f"Deal {n}", now=NOW),
            expected=(Conflict, NotFound),
        )
    assert [c.title for c in list_contracts(store) if c.deal_id is None] == []


def test_an_open_renewal_deal_deleted_is_opened_again_by_the_next_run(store) -> None:
    """Deleting the open renewal deal of an active contract does not mean "no renewal":
    the next ``remind`` opens a new one for that term (a lost one stays: that is a no)."""
    from tinycrm.store.deals import lose_deal, remove_deal

    won(store)
    contract = add_contract(store, deal=1, start=date(2026, 1, 1), now=NOW)  # ends Dec 31
    [first] = process_renewals(store, now=at(date(2026, 11, 1))).renewal_deals
    remove_deal(store, first)
    [event] = [e for e in list_events(store, entity="deal") if e.action == "deleted"]
    assert event.summary == (
        "deleted deal Renewal: Acme platform; the next run of tinycrm remind opens a new "
        "renewal deal for contract #1 Acme platform"
    )
    assert get_contract(store, contract.id, now=NOW).renewal_deal_id is None
    [again] = process_renewals(store, now=at(date(2026, 11, 2))).renewal_deals
    assert again != first and _renewal_deals(store) == ["Renewal: Acme platform"]
    assert get_contract(store, contract.id, now=NOW).renewal_deal_id == again
    assert process_renewals(store, now=at(date(2026, 11, 3))).renewal_deals == []
    # a lost renewal deal is the customer's no: deleting it opens none
    lose_deal(store, again, reason="too expensive")
    remove_deal(store, again)
    assert process_renewals(store, now=at(date(2026, 11, 4))).renewal_deals == []


def test_a_renewal_deal_opened_while_its_customer_is_deleted_is_opened_first_or_without(
    store,
) -> None:
    """``remind`` opening renewal deals while ``contact rm --yes`` deletes the customer
    (keeping the contract, unlinked): the deal is opened first (the delete unlinks it),
    or opened without the contact, never a deadlock or foreign-key error."""
    from tinycrm.store.contacts import remove_contact

    rounds = 4
    for n in range(rounds):
        won(store, f"Deal {n}", who=f"Person{n}")
        add_contract(store, deal=f"Deal {n}", start=date(2026, 1, 1), now=NOW)
        at_once(
            lambda: process_renewals(store, now=NOW),
            lambda n=n: remove_contact(store, f"Person{n}", unlink_contracts_and_cases=True),
        )
    assert sorted(_renewal_deals(store)) == [f"Renewal: Deal {n}" for n in range(rounds)]
    with store.read() as session:
        assert session.scalar(select(func.count()).where(Deal.contact_id.is_not(None))) == 0


def test_a_contract_lapsing_while_its_customer_is_deleted_lapses_first_or_without(
    store,
) -> None:
    """``remind`` ending a contract (and churning its customer) while ``contact rm --yes``
    deletes that customer: one goes first, never a deadlock."""
    from tinycrm.store.contacts import remove_contact

    rounds = 4
    for n in range(rounds):
        won(store, f"Deal {n}", who=f"Person{n}")
        add_contract(store, deal=f"Deal {n}", start=date(2024, 1, 1), now=NOW)
        at_once(
            lambda: process_renewals(store, now=NOW),
            lambda n=n: remove_contact(store, f"Person{n}", unlink_contracts_and_cases=True),
        )
    with store.read() as session:
        lapsed = session.scalars(select(Contract.lapsed_on)).all()
    assert lapsed == [date(2025, 1, 1)] * rounds


def test_an_ended_contract_renewed_while_its_customer_is_deleted_is_renewed_first_or_without(
    store,
) -> None:
    """``contract renew`` of an ended contract (its churned customer a customer again)
    while ``contact rm --yes`` deletes that customer: the renewal goes first (the delete
    then unlinks it) or renews it without the customer, never a deadlock."""
    from tinycrm.store.contacts import list_contacts, remove_contact

    rounds = 6
    for n in range(rounds):
        won(store, f"Deal {n}", who=f"Person{n}")
        add_contract(store, deal=f"Deal {n}", start=date(2024, 1, 1), now=NOW)
    process_renewals(store, now=NOW)  # ended 2024-12-31: each customer churned
    for n in range(rounds):
        at_once(
            lambda n=n: renew_contract(store, n + 1, end=date(2027, 12, 31), now=NOW),
            lambda n=n: remove_contact(store, f"Person{n}", unlink_contracts_and_cases=True),
        )
    assert list_contacts(store) == []
    contracts = list_contracts(store, now=NOW)
    assert [(c.end_date, c.contact_id) for c in contracts] == [(date(2027, 12, 31), None)] * rounds


def test_a_contract_cancelled_or_renewed_while_its_renewal_deal_is_deleted_is_so(
    store,
) -> None:
    """``contract cancel`` (or ``renew``) while ``deal rm`` deletes its open renewal deal:
    the contract is cancelled (renewed) either way, as one after the other (the deal lost
    or won, then deleted; or deleted, then the contract changed), never refused because
    the deal went meanwhile (PostgreSQL)."""
    from tinycrm.store.deals import remove_deal

    rounds = 6
    for n in range(rounds):
        won(store, f"Deal {n}", who=f"Person{n}")
        add_contract(store, deal=f"Deal {n}", start=date(2026, 1, 1), now=NOW)
    opened = process_renewals(store, now=at(date(2026, 11, 1))).renewal_deals
    assert len(opened) == rounds
    for n, deal_id in enumerate(opened):
        change = cancel_contract if n % 2 else renew_contract
        outcomes = at_once(
            lambda n=n, change=change: change(store, n + 1, now=NOW),
            lambda deal_id=deal_id: remove_deal(store, deal_id),
            expected=(Conflict, NotFound),
        )
        assert refused(outcomes) == 0, outcomes
    contracts = sorted(list_contracts(store, now=NOW), key=lambda c: c.id)
    assert [(c.status, c.renewals) for c in contracts] == [
        ("active", 1) if n % 2 == 0 else ("cancelled", 0) for n in range(rounds)
    ]
    assert _renewal_deals(store) == []


def test_a_renewal_deal_of_a_contract_of_whole_months_renews_whole_months(
    store, freeze_clock
) -> None:
    """A contract made with --end for January (no term) renewed through its renewal deal
    for 31 days: February 1 to March 3, a month and three days at a month's value. A
    term of whole months renews for as many months (to February 28); one of other
    lengths for as many days, as before."""
    freeze_clock(at(date(2027, 1, 10)))
    won(store)
    contract = add_contract(
        store, deal=1, start=date(2027, 1, 1), end=date(2027, 1, 31), now=at(date(2027, 1, 10))
    )
    [deal_id] = process_renewals(store, now=at(date(2027, 1, 10))).renewal_deals
    win_deal(store, deal_id)
    renewed = get_contract(store, contract.id, now=at(date(2027, 1, 10)))
    assert (renewed.start_date, renewed.end_date) == (date(2027, 2, 1), date(2027, 2, 28))
    assert renewed.value == Decimal(12000)


def test_a_renewal_deal_of_a_contract_not_started_yet_is_not_won(store) -> None:
    """A contract that has not started (``upcoming``) cannot be renewed (``contract
    renew`` refuses it): winning its renewal deal is refused the same way, with one line
    saying when it can be won, and nothing is written (the deal stays open, the contract
    keeps its one term)."""
    won(store)
    add_contract(store, deal=1, start=date(2030, 1, 1), now=NOW)  # runs 2030, upcoming today
    [deal_id] = process_renewals(store, now=at(date(2030, 11, 5))).renewal_deals
    with pytest.raises(Conflict, match=r"runs from 2030-01-01"):
        renew_contract(store, 1, now=NOW)
    with pytest.raises(
        Conflict,
        match=r"^deal Renewal: Acme platform renews contract #1 Acme platform, which has not "
        r"started yet \(it runs from 2030-01-01\): win it once the contract runs$",
    ):
        win_deal(store, deal_id)
    with store.read() as session:
        assert session.get(Deal, deal_id).status == "open"
    contract = get_contract(store, 1, now=NOW)
    assert (contract.status, contract.renewals) == ("upcoming", 0)
    assert (contract.start_date, contract.end_date) == (date(2030, 1, 1), date(2030, 12, 31))
    assert "renewed" not in [e.action for e in list_events(store, entity="contract", entity_id=1)]


def test_the_lead_days_are_given_not_read_from_the_config(store, monkeypatch) -> None:
    """``process_renewals`` read ``[contracts] renewal_lead_days`` itself (config below
    the API layer); now it is given (crm.contracts passes the config's, 60 by default)."""
    won(store)
    add_contract(store, deal=1, start=date(2026, 1, 1), now=NOW)
    # the store has no config of its own to read: what it follows is given as values
    assert not hasattr(store, "settings") and not hasattr(store, "config")
    assert process_renewals(store, now=at(date(2026, 11, 1)), lead_days=30).renewal_deals == []
    assert len(process_renewals(store, now=at(date(2026, 11, 1))).renewal_deals) == 1


def test_a_contract_is_not_made_from_a_renewal_deal_that_renewed_one(store) -> None:
    """A won renewal deal renewed its contract for the next term; ``contract add --deal``
    of it made a second contract for the same customer and year, so the recurring
    revenue, the renewals report and remind counted the term twice. Now it is refused,
    naming the contract it renewed, nothing written."""
    contract_id, deal_id = _open_renewal(store)
    win_deal(store, deal_id)
    with pytest.raises(Conflict, match=rf"renewed contract #{contract_id} already"):
        add_contract(store, deal=deal_id, now=NOW)
    assert [c.id for c in list_contracts(store, now=NOW)] == [contract_id]

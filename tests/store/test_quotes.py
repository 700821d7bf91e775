"""Quotes: hand-computed totals, numbering under concurrent writers, expiry, accept-wins."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tests.store.races import at_once, refused
from tinycrm.store import Conflict, Invalid, NotFound
from tinycrm.store.deal_items import add_item, edit_item
from tinycrm.store.deals import add_deal, get_deal, lose_deal, remove_deal, reopen_deal
from tinycrm.store.engine import open_store
from tinycrm.store.products import add_product, edit_product, list_products, remove_product
from tinycrm.store.quotes import (
    accept_quote,
    create_quote,
    decline_quote,
    get_quote,
    iter_quotes,
    list_quotes,
    send_quote,
)
from tinycrm.store.reminders import claim_items, confirm_run, due_items, next_actions

TODAY = date(2026, 12, 5)


def _eur_deal(store) -> None:
    add_product(store, name="Setup", price="1,200.50", tax="7")
    add_product(store, name="Plan", price="99", tax="19", recurring_every="month")
    add_product(store, name="Cable", price="0.35", tax="19")
    add_product(store, name="Book", price="19.99", tax="7.5")
    add_deal(store, title="Acme")
    add_item(store, "Acme", "Setup", quantity="2", discount="5")
    add_item(store, "Acme", "Plan", quantity="3")
    add_item(store, "Acme", "Cable", quantity="7", discount="12.5")
    add_item(store, "Acme", "Book", quantity="1")


def test_totals_by_hand_with_discounts_several_rates_and_per_line_rounding(store) -> None:
    _eur_deal(store)
    quote = create_quote(store, "Acme", today=TODAY)
    assert quote.number == "Q-2026-0001" and quote.status == "draft"
    # Setup: 2 × 1200.50 = 2401.00; 5% = 120.05; net 2280.95; 7% = 159.6665 → 159.67
    # Plan:  3 × 99.00 = 297.00; net 297.00; 19% = 56.43
    # Cable: 7 × 0.35 = 2.45; 12.5% = 0.30625 → 0.31; net 2.14; 19% = 0.4066 → 0.41
    # Book:  19.99; 7.5% = 1.49925 → 1.50
    lines = [(x.gross, x.discount_amount, x.net, x.tax_amount) for x in quote.lines]
    assert lines == [
        (Decimal("2401.00"), Decimal("120.05"), Decimal("2280.95"), Decimal("159.67")),
        (Decimal("297.00"), Decimal("0.00"), Decimal("297.00"), Decimal("56.43")),
        (Decimal("2.45"), Decimal("0.31"), Decimal("2.14"), Decimal("0.41")),
        (Decimal("19.99"), Decimal("0.00"), Decimal("19.99"), Decimal("1.50")),
    ]
    assert quote.subtotal == Decimal("2720.44")
    assert quote.discount == Decimal("120.36")
    assert quote.net == Decimal("2600.08")
    taxes = [(t.rate, t.base, t.tax) for t in quote.taxes]
    assert taxes == [
        (Decimal("7"), Decimal("2280.95"), Decimal("159.67")),
        (Decimal("7.5"), Decimal("19.99"), Decimal("1.50")),
        (Decimal("19"), Decimal("299.14"), Decimal("56.84")),
    ]
    assert quote.tax == Decimal("218.01")
    assert quote.total == Decimal("2818.09")
    assert get_deal(store, "Acme").amount == quote.net  # the deal's amount: net, before tax


def test_zero_and_three_decimal_currencies(store) -> None:
    add_product(store, name="Yen", price="333 JPY", tax="10")
    add_product(store, name="Fils", price="0.333", currency="BHD", tax="10")
    add_deal(store, title="Tokyo", currency="JPY")
    add_deal(store, title="Manama", currency="BHD")
    add_item(store, "Tokyo", "Yen", quantity="1.5", discount="10")
    add_item(store, "Manama", "Fils", quantity="2.5", discount="5")
    yen = create_quote(store, "Tokyo", today=TODAY)
    # 333 × 1.5 = 499.5 → 500; 10% = 50; net 450; tax 45; total 495
    assert (yen.subtotal, yen.discount, yen.net, yen.tax, yen.total) == tuple(
        Decimal(v) for v in ("500", "50", "450", "45", "495")
    )
    dinar = create_quote(store, "Manama", today=TODAY)
    # 0.333 × 2.5 = 0.8325 → 0.833; 5% = 0.04165 → 0.042; net 0.791; tax 0.0791 → 0.079
    assert (dinar.subtotal, dinar.discount, dinar.net, dinar.tax, dinar.total) == tuple(
        Decimal(v) for v in ("0.833", "0.042", "0.791", "0.079", "0.870")
    )
    assert (yen.number, dinar.number) == ("Q-2026-0001", "Q-2026-0002")


def test_the_tax_per_rate_is_the_tax_on_its_base_in_every_minor_unit(store) -> None:
    # Three cables at 2 cents, 19%: each line's own tax is 0.0038 (0.00), so the quote
    # said "Tax 19% on €0.06: €0.00", where 19% of €0.06 is €0.01; three ¥5 lines at
    # 10% (0.5 each, ¥1 each) said "Tax 10% on ¥15: ¥3", where 10% of ¥15 is ¥2 (1.5).
    # The tax at a rate is the tax on its base, shared among its lines (each a rounding
    # of its own, the largest remainders up, the first of equal ones first); the lines
    # still add up to it.
    add_product(store, name="Cable", price="0.02", tax="19")
    add_product(store, name="Bolt", price="5 JPY", tax="10")
    add_deal(store, title="Cables")
    add_deal(store, title="Bolts", currency="JPY")
    for _ in range(3):
        add_item(store, "Cables", "Cable")
        add_item(store, "Bolts", "Bolt")
    cables = create_quote(store, "Cables", today=TODAY)
    assert [(t.rate, t.base, t.tax) for t in cables.taxes] == [
        (Decimal("19"), Decimal("0.06"), Decimal("0.01"))
    ]
    assert [x.tax_amount for x in cables.lines] == [Decimal("0.01"), Decimal("0"), Decimal("0")]
    assert (cables.tax, cables.total) == (Decimal("0.01"), Decimal("0.07"))
    bolts = create_quote(store, "Bolts", today=TODAY)
    assert [(t.rate, t.base, t.tax) for t in bolts.taxes] == [
        (Decimal("10"), Decimal("15"), Decimal("2"))
    ]
    assert [x.tax_amount for x in bolts.lines] == [Decimal("1"), Decimal("1"), Decimal("0")]
    assert (bolts.tax, bolts.total) == (Decimal("2"), Decimal("17"))


def test_issued_quote_never_changes_and_numbers_run_per_year(store) -> None:
    _eur_deal(store)
    first = create_quote(store, "Acme", today=TODAY)
    edit_item(store, 1, quantity="10")
    edit_product(store, "Plan", price="1", tax="0", name="Plan renamed")
    assert get_quote(store, "q-2026-0001", today=TODAY) == first
    assert get_quote(store, first.id, today=TODAY) == first
    second = create_quote(store, "Acme", today=TODAY)
    assert second.total != first.total
    next_year = create_quote(store, "Acme", today=date(2027, 1, 2))
    assert next_year.number == "Q-2027-0001"
    assert remove_product(store, "Setup").archived  # on a quote: archived
    remove_deal(store, "Acme")
    kept = get_quote(store, first.number, today=TODAY)
    assert kept.deal_id is None and kept.deal == "Acme" and kept.total == first.total
    with pytest.raises(NotFound):
        get_quote(store, "Q-2026-0099")


def test_refusals(store) -> None:
    add_deal(store, title="Empty")
    with pytest.raises(Conflict, match="no line items"):
        create_quote(store, "Empty", today=TODAY)
    add_product(store, name="P", price="1")
    add_item(store, "Empty", "P")
    with pytest.raises(Invalid, match="in the past"):
        create_quote(store, "Empty", valid_until=TODAY - timedelta(days=1), today=TODAY)


def test_status_expiry_and_accept_wins_the_deal(store) -> None:
    _eur_deal(store)
    quote = create_quote(store, "Acme", valid_until=TODAY + timedelta(days=2), today=TODAY)
    assert send_quote(store, quote.number, today=TODAY).status == "sent"
    with pytest.raises(Conflict, match="already sent"):
        send_quote(store, quote.number, today=TODAY)
    later = TODAY + timedelta(days=3)
    assert get_quote(store, quote.number, today=later).status == "expired"
    assert [q.number for q in list_quotes(store, status="expired", today=later)] == [quote.number]
    assert list_quotes(store, status="sent", today=later) == []
    assert [q.status for q in list_quotes(store, status="sent", today=TODAY)] == ["sent"]
    with pytest.raises(Conflict, match="expired on 2026-12-08"):
        accept_quote(store, quote.number, today=later)
    accepted = accept_quote(store, quote.number, today=TODAY + timedelta(days=2))
    assert accepted.status == "accepted"
    assert get_deal(store, "Acme").status == "won"
    # accepted stays accepted after its day
    assert get_quote(store, quote.number, today=later).status == "accepted"
    with pytest.raises(Conflict, match="is accepted"):
        decline_quote(store, quote.number, today=TODAY)


def test_accept_without_winning_and_decline(store) -> None:
    _eur_deal(store)
    one = create_quote(store, "Acme", today=TODAY)
    two = create_quote(store, "Acme", today=TODAY)
    assert decline_quote(store, one.number, today=TODAY).status == "declined"
    accept_quote(store, two.number, wins_deal=False, today=TODAY)
    assert get_deal(store, "Acme").status == "open"
    assert [q.number for q in list_quotes(store, deal="Acme")] == [two.number, one.number]


@pytest.mark.parametrize("writers", [2])
def test_two_concurrent_writers_get_distinct_numbers(store, writers: int) -> None:
    """Two stores (connections) making quotes at once: every number once, none skipped."""
    _eur_deal(store)
    url = store.engine.url.render_as_string(hide_password=False)
    per_writer = 6
    numbers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write() -> None:
        other = open_store(url, user="other", migrate=False)
        try:
            start.wait()
            for _ in range(per_writer):
                numbers.append(create_quote(other, "Acme", today=TODAY).number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            other.close()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    expected = [f"Q-2026-{n:04d}" for n in range(1, writers * per_writer + 1)]
    assert sorted(numbers) == expected


def test_filter_language_reaches_products_and_quotes(store) -> None:
    _eur_deal(store)
    add_product(store, name="Yen box", price="500 JPY")
    cheap = list_products(store, where="price<1")  # in each product's own currency
    assert [p.name for p in cheap] == ["Cable"]
    assert [p.name for p in list_products(store, where="price>=500")] == ["Setup", "Yen box"]
    assert [p.name for p in list_products(store, where="recurring=month")] == ["Plan"]
    quote = create_quote(store, "Acme", today=TODAY)
    send_quote(store, quote.number, today=TODAY)
    assert [q.number for q in list_quotes(store, where="status=sent and total>2800")] == [
        quote.number
    ]
    assert list_quotes(store, where="total>3000") == []
    # status as shown: past its valid-until day a sent quote is expired, as --status says
    later = TODAY + timedelta(days=40)
    assert list_quotes(store, where="status=sent", today=later) == []
    expired = list_quotes(store, where="status=expired", today=later)
    assert [q.number for q in expired] == [quote.number]
    assert [q.number for q in list_quotes(store, status="expired", today=later)] == [quote.number]
    assert list_quotes(store, where="status!=expired", today=later) == []
    assert list_quotes(store, where="status=expired", today=TODAY) == []
    with pytest.raises(Invalid, match="unknown field 'price' for quotes"):
        list_quotes(store, where="price>1")


def test_quotes_are_read_a_chunk_at_a_time_with_or_without_their_lines(store) -> None:
    """quote list read every line of every quote at once (10,000 quotes of 20 lines: 930
    MB for a table that shows none of them); iter_quotes reads a chunk at a time, its
    lines with it, or none with lines=False, and gives what list_quotes gave."""
    _eur_deal(store)
    add_product(store, name="Yen", price="333 JPY", tax="10")
    add_deal(store, title="Tokyo", currency="JPY")
    add_item(store, "Tokyo", "Yen", quantity="1.5", discount="10")
    for title in ("Acme", "Tokyo", "Acme", "Acme", "Tokyo"):
        create_quote(store, title, today=TODAY)
    whole = [get_quote(store, n, today=TODAY) for n in range(5, 0, -1)]
    assert [len(q.lines) for q in whole] == [1, 4, 4, 1, 4]
    assert list(iter_quotes(store, today=TODAY, chunk=2)) == whole
    assert list_quotes(store, today=TODAY) == whole
    heads = list(iter_quotes(store, today=TODAY, chunk=2, lines=False))
    assert [type(h).__name__ for h in heads] == ["QuoteHeadRead"] * 5
    shown = [q.model_dump(exclude={"taxes", "lines"}) for q in whole]
    assert [h.model_dump() for h in heads] == shown
    assert [q.number for q in iter_quotes(store, deal="Tokyo", limit=1, chunk=1)] == [
        whole[0].number
    ]
    with pytest.raises(NotFound):  # the filters are read before the first quote is asked for
        iter_quotes(store, deal="Nobody")
    with pytest.raises(Invalid):
        iter_quotes(store, status="lost")
    stopped = iter_quotes(store, chunk=2)
    next(stopped)
    stopped.close()  # a pager that quit: the read ends, the next write is not held up
    add_product(store, name="After", price="1")


def test_a_quote_head_is_a_quote_without_its_lines_and_taxes() -> None:
    from tinycrm.store.sales_models import QuoteHeadRead, QuoteRead

    whole = [f for f in QuoteRead.model_fields if f not in ("taxes", "lines")]
    assert list(QuoteHeadRead.model_fields) == whole  # the CSV's columns, in order
    for name in whole:
        kind = QuoteRead.model_fields[name].annotation
        assert QuoteHeadRead.model_fields[name].annotation == kind, name


def _on(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)  # 11:00 in Berlin


def test_remind_tells_of_a_sent_quote_about_to_expire_once(store) -> None:
    _eur_deal(store)
    sent = create_quote(store, "Acme", valid_until=TODAY + timedelta(days=10), today=TODAY)
    send_quote(store, sent.number, today=TODAY)
    create_quote(store, "Acme", valid_until=TODAY + timedelta(days=3), today=TODAY)  # a draft
    add_deal(store, title="Gone")
    add_item(store, "Gone", "Setup")
    gone = create_quote(store, "Gone", valid_until=TODAY + timedelta(days=3), today=TODAY)
    send_quote(store, gone.number, today=TODAY)
    lose_deal(store, "Gone", reason="budget")

    def quotes(day: date, new_only: bool = False) -> list[str]:
        items = due_items(store, now=_on(day), new_only=new_only)
        return [i.key for i in items if i.group == "quote_expiring"]

    assert quotes(TODAY) == []  # 10 days left: more than [quotes] remind_days (7)
    day = TODAY + timedelta(days=4)
    [item] = [i for i in due_items(store, now=_on(day)) if i.group == "quote_expiring"]
    assert (item.key, item.entity, item.title) == (f"quote-expiry:{sent.id}", "deal", "Acme")
    # (sent on the real clock's day)
    assert item.detail.startswith(f"quote {sent.number} valid until 2026-12-15 (in 6 days), sent ")
    assert item.value == sent.total and item.stake == "€2,818.09"
    for run_id in ("a", "b"):
        items = due_items(store, now=_on(day), new_only=True)  # the run's clock throughout
        mine = claim_items(store, items, run_id=run_id, now=_on(day))
        confirm_run(store, run_id, now=_on(day))
        told = [i.key for i in mine if i.group == "quote_expiring"]
        assert told == ([item.key] if run_id == "a" else [])
    assert quotes(TODAY + timedelta(days=9), new_only=True) == []  # told once
    assert quotes(TODAY + timedelta(days=11), new_only=True) == []  # expired: told already
    assert quotes(TODAY + timedelta(days=18), new_only=True) == []  # told already
    # a run on day 12: on day 20 it looks back to it (at least a week), not to day 10
    confirm_run(store, "day-12", now=_on(TODAY + timedelta(days=12)))
    assert quotes(TODAY + timedelta(days=20)) == []  # expired before: not due
    [action] = [a for a in next_actions(store, now=_on(day)) if a.entity == "deal"]
    assert "quote_expiring" in action.kinds and sent.number in action.reason


def test_a_quote_that_expired_while_cron_did_not_run_is_told_once_late(store) -> None:
    _eur_deal(store)
    sent = create_quote(store, "Acme", valid_until=TODAY + timedelta(days=2), today=TODAY)
    send_quote(store, sent.number, today=TODAY)
    run = _on(TODAY + timedelta(days=4))  # the first run since: two days after its last day
    for run_id in ("a", "b"):
        mine = claim_items(store, due_items(store, now=run, new_only=True), run_id=run_id, now=run)
        confirm_run(store, run_id, items=mine, now=run)
        told = [i for i in mine if i.group == "quote_expiring"]
        if run_id == "a":
            [item] = told
            assert item.late is True
            assert item.detail.startswith(
                f"quote {sent.number} valid until {TODAY + timedelta(days=2)} (expired 2 days ago)"
            )
        else:
            assert told == []


def test_remind_says_when_a_sent_quote_no_longer_matches_its_deal(store) -> None:
    """10 licences quoted and sent, then the deal's item edited to 12: the quote can no
    longer be accepted, and remind said it was expiring as if all were well. Now its line
    says so, and what to do (the same line goes to the terminal, the mail, the webhook and
    the desktop); the same for a deal in another currency now, or with no items."""
    from tinycrm.store.deal_items import list_items, remove_item
    from tinycrm.store.deals import edit_deal

    add_product(store, name="Licence", price="1000", tax="19")
    add_deal(store, title="Acme")
    add_item(store, "Acme", "Licence", quantity="10")
    sent = create_quote(store, "Acme", valid_until=TODAY + timedelta(days=3), today=TODAY)
    send_quote(store, sent.number, today=TODAY)

    def line() -> str:
        [item] = [i for i in due_items(store, now=_on(TODAY)) if i.group == "quote_expiring"]
        return item.line()

    fine = line()
    assert "cannot be accepted" not in fine
    item = list_items(store, "Acme").items[0].id
    edit_item(store, item, quantity="12")
    assert line() == (
        f"{fine}; cannot be accepted: the deal's items come to €12,000.00 net now, "
        "quoted €10,000.00: make a new quote (tinycrm quote create 1)"
    )
    edit_item(store, item, quantity="12.5", discount="20")
    assert line() == (
        f"{fine}; cannot be accepted: the deal's items changed since (the same net, other "
        "lines): make a new quote (tinycrm quote create 1)"
    )
    remove_item(store, item)
    assert line() == (
        f"{fine}; cannot be accepted: the deal has no items now: make a new quote "
        "(tinycrm quote create 1)"
    )
    edit_deal(store, "Acme", currency="USD")
    assert line() == (
        f"{fine}; cannot be accepted: the deal is in USD now: make a new quote "
        "(tinycrm quote create 1)"
    )


def test_a_quote_of_a_lost_deal_or_of_a_deal_won_with_another_quote_cannot_be_accepted(
    store,
) -> None:
    _eur_deal(store)
    one = create_quote(store, "Acme", today=TODAY)
    two = create_quote(store, "Acme", today=TODAY)
    lose_deal(store, "Acme", reason="budget")
    with pytest.raises(Conflict, match=r"deal Acme is lost: reopen it \(tinycrm deal reopen 1\)"):
        accept_quote(store, one.number, today=TODAY)
    assert get_quote(store, one.number, today=TODAY).status == "draft"
    assert get_deal(store, "Acme").status == "lost"
    reopen_deal(store, "Acme")
    accept_quote(store, one.number, today=TODAY)
    assert get_deal(store, "Acme").status == "won"
    with pytest.raises(Conflict, match=f"deal Acme was won with quote {one.number}"):
        accept_quote(store, two.number, today=TODAY)
    assert get_quote(store, two.number, today=TODAY).status == "draft"
    assert decline_quote(store, two.number, today=TODAY).status == "declined"


def test_a_draft_quote_of_a_lost_deal_cannot_be_sent(store) -> None:
    # a quote cannot be made for a lost deal; one made before the deal was lost could
    # still be marked sent, an offer on a sale that is over
    _eur_deal(store)
    draft = create_quote(store, "Acme", today=TODAY)
    lose_deal(store, "Acme", reason="budget")
    with pytest.raises(Conflict, match=r"deal Acme is lost: reopen it \(tinycrm deal reopen 1\)"):
        send_quote(store, draft.number, today=TODAY)
    assert get_quote(store, draft.number, today=TODAY).status == "draft"
    assert decline_quote(store, draft.number, today=TODAY).status == "declined"  # still can
    reopen_deal(store, "Acme")
    again = create_quote(store, "Acme", today=TODAY)
    assert send_quote(store, again.number, today=TODAY).status == "sent"


def test_a_quote_in_another_currency_than_its_deal_now_cannot_be_sent_or_accepted(
    store,
) -> None:
    # A EUR quote, then the deal's items taken off and the deal moved to dollars with
    # dollar items: accepting the EUR quote won the deal at its dollar amount, a price
    # the customer never saw, in a currency the quote is not in.
    from tinycrm.store.deal_items import list_items, remove_item
    from tinycrm.store.deals import edit_deal

    _eur_deal(store)
    sent = create_quote(store, "Acme", today=TODAY)
    send_quote(store, sent.number, today=TODAY)
    draft = create_quote(store, "Acme", today=TODAY)
    for item in list_items(store, "Acme").items:
        remove_item(store, item.id)
    edit_deal(store, "Acme", currency="USD")
    add_product(store, name="Dollar plan", price="50 USD")
    add_item(store, "Acme", "Dollar plan")
    for move, quote in ((accept_quote, sent), (send_quote, draft), (accept_quote, draft)):
        with pytest.raises(Conflict, match=rf"quote {quote.number} is in EUR, deal Acme is in"):
            move(store, quote.number, today=TODAY)
    assert get_deal(store, "Acme").status == "open"
    assert [get_quote(store, q.number, today=TODAY).status for q in (sent, draft)] == [
        "sent",
        "draft",
    ]
    assert decline_quote(store, sent.number, today=TODAY).status == "declined"  # still can
    fresh = create_quote(store, "Acme", today=TODAY)
    assert accept_quote(store, fresh.number, today=TODAY).status == "accepted"
    assert get_deal(store, "Acme").status == "won"


def test_a_quote_whose_figures_pass_what_tinycrm_keeps_is_refused(store) -> None:
    # each line is within the cap (its net even 0), their gross sum is not: 93 such lines
    # passed 64 bits and failed as the row was written (a traceback on SQLite)
    add_product(store, name="Huge", price="999999999999999")
    add_deal(store, title="Huge deal")
    for _ in range(2):
        add_item(store, "Huge deal", "Huge", discount="100")
    with pytest.raises(
        Invalid, match=r"the quote's subtotal would be €1,999,999,999,999,998\.00, more than"
    ):
        create_quote(store, "Huge deal", today=TODAY)
    assert list_quotes(store, today=TODAY) == []


@pytest.mark.parametrize(
    ("price", "shown", "most"),
    [("1000000000000000", "€1,190,000,000,000,000.00", "€1,000,000,000,000,000.00"),
     ("1000000000000000 JPY", "¥1,190,000,000,000,000", "¥1,000,000,000,000,000"),
     ("1000000000000000 BHD", "BHD 1,190,000,000,000,000.000",
      "BHD 1,000,000,000,000,000.000")],
)  # fmt: skip
def test_a_deal_at_the_most_tinycrm_keeps_with_tax_is_refused_saying_the_limit(
    store, price: str, shown: str, most: str
) -> None:
    """A deal at the largest amount tinycrm keeps (its net), with 19% tax on top: its
    quote's total would pass the limit. Refused in one line saying the total, the limit
    and what to do (it was 'the quote's total would be more than €1,000,…', which did
    not say the total was the tax's doing); nothing is written."""
    add_product(store, name="Max", price=price, tax="19")
    add_deal(store, title="Max deal", currency=price.split()[-1] if " " in price else "EUR")
    add_item(store, "Max deal", "Max")
    with pytest.raises(Invalid) as refused:
        create_quote(store, "Max deal", today=TODAY)
    assert str(refused.value) == (
        f"the quote's total with tax would be {shown}, more than the most tinycrm keeps "
        f"({most}): lower a quantity, a price or the tax rate"
    )
    assert "\n" not in str(refused.value)
    assert list_quotes(store, today=TODAY) == []


def test_a_filter_amount_reads_as_each_currency_would_write_it(store) -> None:
    # "1.234" is one dinar and 234 fils, as --price reads it, but ambiguous in euros
    add_product(store, name="Dinar oil", price="1.234", currency="KWD")
    add_product(store, name="Euro oil", price="1234")
    add_product(store, name="Cheap", price="1.23")
    with pytest.raises(Invalid, match=r"ambiguous: write 1234 if '\.' separates thousands"):
        list_products(store, where="price=1.234")
    assert [p.name for p in list_products(store, where="price=1.2340")] == ["Dinar oil"]
    assert [p.name for p in list_products(store, where="price=1234")] == ["Euro oil"]
    assert [p.name for p in list_products(store, where="price<2")] == ["Cheap", "Dinar oil"]
    add_deal(store, title="Kuwait", currency="KWD")
    add_item(store, "Kuwait", "Dinar oil", quantity="7", discount="12.5")  # 7.558 KWD
    quote = create_quote(store, "Kuwait", today=TODAY)
    assert [q.number for q in list_quotes(store, where="total=7.5580", today=TODAY)] == [
        quote.number
    ]


def test_two_quotes_of_one_deal_accepted_at_once_win_it_once(store) -> None:
    """Two writers accept two quotes of one deal (or one quote twice) at the same moment:
    one is accepted and wins the deal; the other is refused (on PostgreSQL as on SQLite)."""
    add_product(store, name="Plan", price="99")
    rounds = 6
    for n in range(rounds):
        add_deal(store, title=f"Deal {n}")
        add_item(store, f"Deal {n}", "Plan")
        create_quote(store, f"Deal {n}", today=TODAY)
        create_quote(store, f"Deal {n}", today=TODAY)
    for n in range(rounds):
        first, second = 2 * n + 1, 2 * n + 2
        pair = (first, second) if n % 2 else (first, first)
        outcomes = at_once(
            *[lambda ref=ref: accept_quote(store, ref, today=TODAY) for ref in pair],
            expected=(Conflict,),
        )
        assert refused(outcomes) == 1, outcomes
    accepted = list_quotes(store, status="accepted", today=TODAY)
    assert len(accepted) == rounds
    with store.read() as session:
        from sqlalchemy import func, select

        from tinycrm.store.models import Event

        wins = session.scalar(select(func.count()).select_from(Event).where(Event.action == "won"))
        accepts = session.scalar(
            select(func.count()).select_from(Event).where(Event.action == "accepted")
        )
    assert (wins, accepts) == (rounds, rounds)


def test_a_quote_made_while_its_deal_is_deleted_is_made_first_or_not_found(store) -> None:
    """``quote create`` and ``deal rm`` of one deal at once: the quote is made first (and
    kept, unlinked, by the delete), or refused with one line (the deal was deleted just
    now), never the database's foreign-key error."""
    add_product(store, name="Plan", price="99")
    rounds = 6
    for n in range(rounds):
        add_deal(store, title=f"Deal {n}")
        add_item(store, f"Deal {n}", "Plan")
    for n in range(rounds):
        outcomes = at_once(
            lambda n=n: create_quote(store, f"Deal {n}", today=TODAY),
            lambda n=n: remove_deal(store, f"Deal {n}"),
            expected=(NotFound,),
        )
        assert refused(outcomes[1:]) == 0
        if refused(outcomes):
            assert f"Deal {n}" in str(outcomes[0])
    assert all(q.deal_id is None for q in list_quotes(store, today=TODAY))


def test_a_quote_accepted_while_its_deal_is_deleted_is_accepted(store) -> None:
    """``quote accept`` and ``deal rm`` of its deal at once: the quote is accepted either
    way, as in either order one after the other (first: the deal won, then deleted; or
    the deal deleted, the quote kept unlinked, then accepted), never refused because the
    deal went meanwhile and never left undecided."""
    add_product(store, name="Plan", price="99")
    rounds = 6
    for n in range(rounds):
        add_deal(store, title=f"Deal {n}")
        add_item(store, f"Deal {n}", "Plan")
        create_quote(store, f"Deal {n}", today=TODAY)
    for n in range(rounds):
        outcomes = at_once(
            lambda n=n: accept_quote(store, n + 1, today=TODAY),
            lambda n=n: remove_deal(store, f"Deal {n}"),
            expected=(NotFound, Conflict),
        )
        assert refused(outcomes) == 0, outcomes
        assert outcomes[0].status == "accepted"
    quotes = list_quotes(store, today=TODAY)
    assert [(q.status, q.deal_id) for q in quotes] == [("accepted", None)] * rounds
    with store.read() as session:
        from sqlalchemy import func, select

        from tinycrm.store.models import Event

        accepts = session.scalar(
            select(func.count()).select_from(Event).where(Event.action == "accepted")
        )
    assert accepts == rounds


def test_a_quote_whose_deal_items_changed_since_cannot_be_sent_or_accepted(store) -> None:
    # 10 licences quoted (€10,000), then the deal's item edited to 12: accepting the quote
    # won the deal at €12,000, a figure the customer never accepted (the won amount, the
    # win rate's value and the revenue all said €12,000)
    from tinycrm.store.deal_items import list_items
    from tinycrm.store.reports.sales import winrate_report

    add_product(store, name="Licence", price="1000", tax="19")
    add_deal(store, title="Acme")
    add_item(store, "Acme", "Licence", quantity="10")
    sent = create_quote(store, "Acme", today=TODAY)
    send_quote(store, sent.number, today=TODAY)
    draft = create_quote(store, "Acme", today=TODAY)
    item = list_items(store, "Acme").items[0].id
    edit_item(store, item, quantity="12")
    told = (
        rf"quote {sent.number} comes to €10,000.00 net, deal Acme's items to €12,000.00 "
        r"now: put the items back as quoted \(tinycrm deal item list 1\) or make a new "
        r"quote \(tinycrm quote create 1\) to accept it, or decline this one"
    )
    with pytest.raises(Conflict, match=told):
        accept_quote(store, sent.number, today=TODAY)
    with pytest.raises(Conflict, match=rf"quote {draft.number} comes to .* to send it"):
        send_quote(store, draft.number, today=TODAY)
    # not accepted, not won, nothing moved
    assert [get_quote(store, q.number, today=TODAY).status for q in (sent, draft)] == [
        "sent",
        "draft",
    ]
    deal = get_deal(store, "Acme")
    assert (deal.status, deal.amount) == ("open", Decimal("12000.00"))
    # the same net from other lines (a discount instead of fewer licences) is still not
    # what was quoted: the lines are told apart, not only the sum
    edit_item(store, item, quantity="12.5", discount="20")
    with pytest.raises(Conflict, match=r"deal Acme's items changed since \(the same net"):
        accept_quote(store, sent.number, today=TODAY)
    # with the items as quoted again it is accepted, and every figure is the quote's
    edit_item(store, item, quantity="10", discount="0")
    accepted = accept_quote(store, sent.number, today=TODAY)
    assert accepted.status == "accepted"
    deal = get_deal(store, "Acme")
    assert (deal.status, deal.amount) == ("won", accepted.net)
    report = winrate_report(store, now=datetime.now(UTC))
    assert report.total.won == 1 and report.total.won_value == {"EUR": accepted.net}
    assert decline_quote(store, draft.number, today=TODAY).status == "declined"


def test_a_quote_accepted_without_winning_must_match_its_deal_too(store) -> None:
    # accept_wins_deal = false: the deal is won by hand later, at its amount then; a quote
    # that is not what the deal holds is refused as when it wins the deal
    from tinycrm.store.deal_items import list_items

    add_product(store, name="Licence", price="1000")
    add_deal(store, title="Acme")
    add_item(store, "Acme", "Licence", quantity="10")
    quote = create_quote(store, "Acme", today=TODAY)
    edit_item(store, list_items(store, "Acme").items[0].id, quantity="12")
    with pytest.raises(Conflict, match=r"comes to €10,000\.00 net"):
        accept_quote(store, quote.number, wins_deal=False, today=TODAY)
    assert get_quote(store, quote.number, today=TODAY).status == "draft"


def test_a_quote_accepted_while_its_deal_item_is_edited_wins_at_the_quote_or_not(store) -> None:
    """``quote accept`` and ``deal item edit`` of its deal at the same moment: either the
    quote is accepted first (the deal won at its net, the edit refused) or the item is
    edited first (the accept refused, the deal open): never a deal won at a figure the
    quote does not say (on PostgreSQL as on SQLite)."""
    from tinycrm.store.deal_items import list_items

    add_product(store, name="Plan", price="100")
    rounds = 6
    for n in range(rounds):
        add_deal(store, title=f"Deal {n}")
        add_item(store, f"Deal {n}", "Plan", quantity="10")
        create_quote(store, f"Deal {n}", today=TODAY)
    for n in range(rounds):
        item = list_items(store, f"Deal {n}").items[0].id
        quote, edited = at_once(
            lambda n=n: accept_quote(store, n + 1, today=TODAY),
            lambda item=item: edit_item(store, item, quantity="12"),
            expected=(Conflict,),
        )
        assert refused([quote, edited]) == 1, (quote, edited)
        deal = get_deal(store, f"Deal {n}")
        if isinstance(edited, Conflict):
            assert (deal.status, deal.amount) == ("won", quote.net)
        else:
            assert (deal.status, deal.amount) == ("open", Decimal("1200.00"))


def test_a_validity_past_ten_years_is_refused_and_writes_nothing(store) -> None:
    """``quote create --valid +9999d`` (or 9999-12-31) made a quote valid until 2054 (or
    the year 9999): an offer no one means. The last valid day is at most 3,650 days
    ahead, as ``[quotes] valid_days`` is."""
    add_deal(store, title="Acme")
    add_product(store, name="P", price="1")
    add_item(store, "Acme", "P")
    for day in (TODAY + timedelta(days=3651), date(9999, 12, 31)):
        with pytest.raises(Invalid, match="more than 3,650 days ahead"):
            create_quote(store, "Acme", valid_until=day, today=TODAY)
    assert list_quotes(store) == []
    last = create_quote(store, "Acme", valid_until=TODAY + timedelta(days=3650), today=TODAY)
    assert last.valid_until == TODAY + timedelta(days=3650)


def test_the_store_follows_the_quote_rules_it_is_given_not_the_config(store) -> None:
    """Configuration belongs above the store: ``[quotes] valid_days`` and
    ``accept_wins_deal`` come in from the API layer (``crm.quotes``) as arguments; the
    store read them from ``store.config`` itself. A store given a config saying 5 days
    and no winning keeps its own defaults (30 days, accepting wins) unless told."""
    from tinycrm.config import parse_config

    from .settings_helpers import use_config

    use_config(
        store,
        parse_config("[quotes]\nvalid_days = 5\naccept_wins_deal = false\n", Path("config.toml")),
    )
    add_product(store, name="Licence", price="1000")
    for title in ("Acme", "Beta"):
        add_deal(store, title=title)
        add_item(store, title, "Licence")
    plain = create_quote(store, "Acme", today=TODAY)
    assert plain.valid_until == TODAY + timedelta(days=30)
    told = create_quote(store, "Beta", valid_days=5, today=TODAY)
    assert told.valid_until == TODAY + timedelta(days=5)
    accept_quote(store, plain.number, today=TODAY)
    assert get_deal(store, "Acme").status == "won"
    accept_quote(store, told.number, wins_deal=False, today=TODAY)
    assert get_deal(store, "Beta").status == "open"

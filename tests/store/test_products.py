"""Products and deal line items: exact prices, the deal's amount in step, MRR/ARR."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event

from tests.store.races import at_once
from tinycrm.store import Conflict, Invalid, NotFound
from tinycrm.store.deal_items import add_item, edit_item, list_items, remove_item
from tinycrm.store.deals import add_deal, edit_deal, get_deal, remove_deal
from tinycrm.store.events import list_events
from tinycrm.store.products import (
    add_product,
    edit_product,
    get_product,
    list_products,
    remove_product,
)
from tinycrm.store.reports.pipeline import pipeline_report


def test_prices_are_exact_per_currency(store) -> None:
    eur = add_product(store, name="Setup", price="1,200.50", tax="7.5", sku="SET-1")
    yen = add_product(store, name="Yen box", price="500 JPY")
    dinar = add_product(store, name="Dinar box", price="1.250", currency="BHD")
    assert (eur.price, eur.currency, eur.tax) == (Decimal("1200.50"), "EUR", Decimal("7.5"))
    assert (yen.price, yen.currency) == (Decimal("500"), "JPY")
    assert (dinar.price, dinar.currency) == (Decimal("1.250"), "BHD")
    with pytest.raises(Invalid, match="JPY amounts have no decimal places"):
        add_product(store, name="Bad yen", price="1.5", currency="JPY")
    with pytest.raises(Invalid, match="between 0 and 100"):
        add_product(store, name="Bad tax", price="1", tax="120")
    with pytest.raises(Invalid, match="needs a price"):
        add_product(store, name="No price", price=None)
    with pytest.raises(Conflict, match="already exists"):
        add_product(store, name="SETUP", price="1")
    with pytest.raises(Conflict, match="SKU SET-1"):
        add_product(store, name="Other", price="1", sku="SET-1")
    assert get_product(store, "SET-1").id == eur.id  # by SKU; by name case-insensitively
    assert get_product(store, "setup").id == eur.id
    assert [p.name for p in list_products(store, currency="JPY")] == ["Yen box"]


def test_items_keep_the_deal_amount_in_step(store) -> None:
    add_product(store, name="Plan", price="99", tax="19", recurring_every="month")
    add_product(store, name="Setup", price="1,200.50", tax="7.5")
    add_product(store, name="Care", price="1000", recurring_every="year")
    add_deal(store, title="Acme", amount="5")
    first = add_item(store, "Acme", "Plan", quantity="3", discount="10")
    # 3 × 99.00 = 297.00, less 10% = 29.70: 267.30
    assert first.net == Decimal("267.30")
    assert get_deal(store, "Acme").amount == Decimal("267.30")
    add_item(store, "Acme", "Setup", quantity="1.5")  # 1800.75
    add_item(store, "Acme", "Care")
    items = list_items(store, "Acme")
    assert items.amount == Decimal("267.30") + Decimal("1800.75") + Decimal("1000.00")
    assert get_deal(store, "Acme").amount == items.amount
    # ARR: 267.30 × 12 + 1000.00 = 4207.60; MRR: 350.6333… → 350.63
    assert (items.arr, items.mrr) == (Decimal("4207.60"), Decimal("350.63"))
    with pytest.raises(Conflict, match="amount is the sum of its 3 line items"):
        edit_deal(store, "Acme", amount="10")
    # (before: the same words about its amount, to a user who changed its currency)
    with pytest.raises(Conflict, match="currency is its 3 line items' currency, EUR"):
        edit_deal(store, "Acme", currency="USD")
    edit_item(store, first.id, quantity="2", price="100", discount="12.5")  # 175.00
    assert get_deal(store, "Acme").amount == Decimal("175.00") + Decimal("2800.75")
    for item in list_items(store, "Acme").items:
        remove_item(store, item.id)
    assert get_deal(store, "Acme").amount is None
    assert edit_deal(store, "Acme", amount="10").amount == Decimal("10")  # by hand again
    summaries = [e.summary for e in list_events(store, limit=None) if e.entity == "deal"]
    assert any("added 3 × Plan to deal Acme (amount €267.30)" in s for s in summaries)
    with pytest.raises(NotFound):
        edit_item(store, 999, quantity="1")


def test_items_refuse_other_currencies_and_archived_products(store) -> None:
    add_product(store, name="Yen box", price="500 JPY")
    add_product(store, name="Plan", price="10")
    add_deal(store, title="Acme")
    with pytest.raises(Conflict, match="priced in JPY, deal Acme is in EUR"):
        add_item(store, "Acme", "Yen box")
    with pytest.raises(Invalid, match="price is in USD"):
        add_item(store, "Acme", "Plan", price="$5")
    with pytest.raises(Invalid, match="quantity must be more than 0"):
        add_item(store, "Acme", "Plan", quantity="0")
    add_item(store, "Acme", "Plan")
    archived = remove_product(store, "Plan")  # on a deal: archived, not deleted
    assert archived.archived
    assert [p.name for p in list_products(store)] == ["Yen box"]
    assert [p.name for p in list_products(store, archived=True)] == ["Plan", "Yen box"]
    with pytest.raises(Conflict, match="archived"):
        add_item(store, "Acme", "Plan")
    assert not edit_product(store, "Plan", archived=False).archived
    deleted = remove_product(store, "Yen box")
    assert not deleted.archived
    with pytest.raises(NotFound):
        get_product(store, "Yen box")
    remove_deal(store, "Acme")  # its items go with it
    assert not remove_product(store, "Plan").archived


def test_zero_and_three_decimal_currencies_round_per_line(store) -> None:
    add_product(store, name="Yen", price="333 JPY")
    add_product(store, name="Fils", price="0.333", currency="BHD")
    add_deal(store, title="Tokyo", currency="JPY")
    add_deal(store, title="Manama", currency="BHD")
    # 333 × 1.5 = 499.5 → 500 (half-up); less 10% (50) = 450
    assert add_item(store, "Tokyo", "Yen", quantity="1.5", discount="10").net == Decimal("450")
    # 0.333 × 2.5 = 0.8325 → 0.833; less 5% (0.04165 → 0.042) = 0.791
    assert add_item(store, "Manama", "Fils", quantity="2.5", discount="5").net == Decimal("0.791")


def test_items_too_large_to_keep_are_refused_and_nothing_is_written(store) -> None:
    # 10**9 × €10**15 was 10**26 cents: the row failed to be written with an OverflowError
    # traceback (SQLite) or a DataError (PostgreSQL) instead of one line.
    add_product(store, name="Huge", price="1000000000000000")
    add_product(store, name="Plan", price="100000000000000", recurring_every="month")
    add_deal(store, title="Acme")
    with pytest.raises(Invalid, match=r"item Huge \(quantity × price\) would be more than €1,0"):
        add_item(store, "Acme", "Huge", quantity="1000000000")
    first = add_item(store, "Acme", "Huge")
    with pytest.raises(Invalid, match="deal Acme's amount \\(the sum of its items\\) would be"):
        add_item(store, "Acme", "Huge")
    with pytest.raises(Invalid, match="quantity × price"):
        edit_item(store, first.id, quantity="2")
    remove_item(store, first.id)
    with pytest.raises(Invalid, match="deal Acme's ARR would be more than"):
        add_item(store, "Acme", "Plan", quantity="1")  # ARR: 12 × €10**14
    assert list_items(store, "Acme").items == []
    assert get_deal(store, "Acme").amount is None


def test_an_arr_past_64_bits_is_refused_in_a_currency_of_four_decimals(store) -> None:
    """CLF has four decimals: a monthly item of CLF 10**14 is 10**18 minor units, twelve
    of them pass 64 bits. The database's net × 12 overflowed (SQLite: a float the sum
    skipped, so the item was added with an ARR of CLF 0.0000; PostgreSQL: an error). Now
    the ARR is summed exactly and the item refused as too large, as in euros."""
    add_product(store, name="Plan", price="99999999999999.9999", currency="CLF",
                recurring_every="month")  # fmt: skip
    add_deal(store, title="Acme", currency="CLF")
    with pytest.raises(Invalid, match="deal Acme's ARR would be more than"):
        add_item(store, "Acme", "Plan")
    assert list_items(store, "Acme").items == []


def test_pipeline_report_sums_recurring_revenue(store) -> None:
    add_product(store, name="Plan", price="100", recurring_every="month")
    add_product(store, name="Care", price="1200", recurring_every="year")
    add_deal(store, title="A")
    add_deal(store, title="B", stage="Proposal")
    add_item(store, "A", "Plan")
    add_item(store, "B", "Care")
    report = pipeline_report(store)
    by_stage = {r.stage: r for r in report.rows}
    assert by_stage["Lead-in"].mrr == {"EUR": Decimal("100.00")}
    assert by_stage["Proposal"].arr == {"EUR": Decimal("1200.00")}
    assert report.total.arr == {"EUR": Decimal("2400.00")}
    assert report.total.mrr == {"EUR": Decimal("200.00")}


def test_renaming_onto_another_products_name_or_sku_names_it(store) -> None:
    add_product(store, name="Oil", price="1", sku="OIL-1")
    add_product(store, name="Gas", price="2", sku="GAS-1")
    with pytest.raises(Conflict, match=r"^a product named Oil already exists: #1$"):
        edit_product(store, "Gas", name="OIL")
    with pytest.raises(Conflict, match=r"^SKU OIL-1 is already product #1 Oil$"):
        edit_product(store, "Gas", sku="OIL-1")
    gas = get_product(store, "Gas")
    assert (gas.name, gas.sku) == ("Gas", "GAS-1")


def test_restoring_a_product_that_is_not_archived_is_refused(store) -> None:
    add_product(store, name="Plan", price="10")
    with pytest.raises(Conflict, match="product Plan is not archived"):
        edit_product(store, "Plan", archived=False, price="99")
    assert get_product(store, "Plan").price == Decimal(10)  # nothing written
    assert [e.action for e in list_events(store, entity="product")] == ["created"]


def test_items_added_by_two_writers_at_once_are_both_in_the_amount(store) -> None:
    add_product(store, name="Plan", price="10")
    rounds = 4
    for n in range(rounds):
        add_deal(store, title=f"D{n}")

    for n in range(rounds):
        add = lambda n=n: add_item(store, f"D{n}", "Plan")  # noqa: E731
        at_once(add, add)
    for n in range(rounds):
        items = list_items(store, f"D{n}")
        assert sorted(i.position for i in items.items) == [1, 2]
        assert get_deal(store, f"D{n}").amount == Decimal(20)


def test_a_product_removed_while_it_is_added_to_a_deal_is_archived_or_not_found(
    store,
) -> None:
    """``product rm`` and ``deal item add`` of it at once: the product is archived (a deal
    has it) or the item is refused (no such product), never a database error."""
    rounds = 6
    for n in range(rounds):
        add_product(store, name=f"P{n}", price="10")
        add_deal(store, title=f"D{n}")
    for n in range(rounds):
        at_once(
            lambda n=n: remove_product(store, f"P{n}"),
            lambda n=n: add_item(store, f"D{n}", f"P{n}"),
            expected=(NotFound, Conflict),
        )


def test_an_amount_edited_while_an_item_is_added_never_hides_the_items_sum(store) -> None:
    """``deal edit --amount`` and ``deal item add`` at once: the edit is refused (the deal
    has items) or comes first and the item's sum then wins; never an amount by hand on a
    deal with items."""
    add_product(store, name="Plan", price="10")
    rounds = 6
    for n in range(rounds):
        add_deal(store, title=f"D{n}")

    for n in range(rounds):
        at_once(
            lambda n=n: edit_deal(store, f"D{n}", amount="999"),
            lambda n=n: add_item(store, f"D{n}", "Plan"),
            expected=(Conflict,),  # the item came first
        )
    for n in range(rounds):
        assert get_deal(store, f"D{n}").amount == Decimal(10)


def _statements_of(store, work) -> list[str]:
    """The SQL statements ``work()`` sends to the database."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, _params, _context, _many) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(store.engine, "before_cursor_execute", note)
    try:
        work()
    finally:
        event.remove(store.engine, "before_cursor_execute", note)
    return seen


def _item_rows_read(statements: list[str]) -> list[str]:
    """The statements that bring deal items back a row per item (no aggregate, no
    LIMIT, not one item by its id)."""
    return [
        s
        for s in statements
        if s.upper().startswith("SELECT")
        and "FROM deal_item" in s
        and not any(word in s for word in ("max(", "LIMIT", "deal_item.id ="))
    ]


def test_adding_editing_and_removing_an_item_reads_no_other_items(store) -> None:
    # Each item added read every item of its deal back to add their nets up again:
    # building a deal of 10,000 items took about 6 minutes (quadratic). Now the deal's
    # amount moves by the item's net: the same statements for 3 items or 60, and none
    # reads the deal's items a row each.
    add_product(store, name="Plan", price="9.99", tax="19", recurring_every="month")
    add_deal(store, title="Small")
    add_deal(store, title="Big")
    for _ in range(3):
        add_item(store, "Small", "Plan")
    for _ in range(60):
        add_item(store, "Big", "Plan", quantity="1.5", discount="12.5")
    few = _statements_of(store, lambda: add_item(store, "Small", "Plan"))
    many = _statements_of(store, lambda: add_item(store, "Big", "Plan"))
    assert len(many) == len(few) <= 10
    assert _item_rows_read(many) == []
    last = list_items(store, "Big").items[-1]
    edits = _statements_of(store, lambda: edit_item(store, last.id, quantity="7"))
    removal = _statements_of(store, lambda: remove_item(store, last.id))
    assert len(edits) <= 10 and len(removal) <= 10
    assert _item_rows_read(edits) == _item_rows_read(removal) == []
    # and the sums are exactly those of the items, line by line
    for title in ("Small", "Big"):
        items = list_items(store, title)
        assert items.amount == sum(i.net for i in items.items)
        assert get_deal(store, title).amount == items.amount
    # 9.99 × 1.5 = 14.985 → 14.99, less 12.5% (1.87375 → 1.87) = 13.12, 60 times
    assert get_deal(store, "Big").amount == Decimal("13.12") * 60
    assert [i.position for i in list_items(store, "Big").items] == list(range(1, 61))
    summaries = [e.summary for e in list_events(store, limit=3)]
    assert any("removed item Plan from deal Big (amount €787.20)" in s for s in summaries)


def test_items_edited_and_removed_by_two_writers_at_once_keep_the_amount_exact(store) -> None:
    """The amount moves by each change's net (no sum read back): writers editing and
    removing one deal's items at once take turns on the deal, so it still ends as the
    sum of the items left."""
    add_product(store, name="Plan", price="10.01", recurring_every="month")
    rounds = 3
    for n in range(rounds):
        add_deal(store, title=f"D{n}")
        for _ in range(3):
            add_item(store, f"D{n}", "Plan")
    for n in range(rounds):
        first, second, third = list_items(store, f"D{n}").items
        at_once(
            lambda first=first: remove_item(store, first.id),
            lambda second=second: edit_item(store, second.id, quantity="3", discount="5"),
            lambda third=third: remove_item(store, third.id),
        )
        items = list_items(store, f"D{n}")
        assert [i.net for i in items.items] == [Decimal("28.53")]  # 30.03 less 1.50
        assert get_deal(store, f"D{n}").amount == items.amount == Decimal("28.53")
        remove_item(store, second.id)
        assert get_deal(store, f"D{n}").amount is None


def test_the_items_of_a_deal_won_with_a_quote_stay_as_accepted(store) -> None:
    # 10 licences quoted and accepted (€10,000, the deal won), then an item edited to 12
    # and one added: the won deal said €13,000, its win rate's value and revenue too,
    # while the accepted quote said €10,000
    from tinycrm.store.deals import reopen_deal
    from tinycrm.store.quotes import accept_quote, create_quote

    add_product(store, name="Licence", price="1000")
    add_deal(store, title="Acme")
    item = add_item(store, "Acme", "Licence", quantity="10").id
    accept_quote(store, create_quote(store, "Acme").number)
    told = r"deal Acme was won with quote Q-\d{4}-0001: reopen it \(tinycrm deal reopen 1\)"
    for change in (
        lambda: edit_item(store, item, quantity="12"),
        lambda: add_item(store, "Acme", "Licence"),
        lambda: remove_item(store, item),
    ):
        with pytest.raises(Conflict, match=told):
            change()
    deal = get_deal(store, "Acme")
    assert (deal.status, deal.amount) == ("won", Decimal("10000.00"))
    assert [i.quantity for i in list_items(store, "Acme").items] == [Decimal(10)]
    # reopened, the sale is open again and its items can change
    reopen_deal(store, "Acme")
    assert edit_item(store, item, quantity="12").net == Decimal("12000.00")


def test_pipeline_mrr_adds_up_the_deals_mrr_and_the_total_its_rows(store) -> None:
    """Two deals of €0.06 a year, in two stages: each deal's MRR is €0.01 (0.005 rounded
    half-up, as deal show says), each stage's €0.01, but the total said €0.01 (0.12 ÷ 12)
    under rows of €0.01 and €0.01; and two such deals in one stage made €0.01, not the
    €0.02 of their deal views. Now a stage's MRR is the sum of its deals' and the total
    the sum of its rows, as the weighted value is."""
    add_product(store, name="Tiny", price="0.01", recurring_every="year")
    for title, stage in (("A", "Lead-in"), ("B", "Qualified"), ("C", "Qualified")):
        add_deal(store, title=title, stage=stage)
        add_item(store, title, "Tiny", quantity="6")
        assert list_items(store, title).mrr == Decimal("0.01")
    report = pipeline_report(store)
    by_stage = {r.stage: r for r in report.rows}
    assert by_stage["Lead-in"].mrr == {"EUR": Decimal("0.01")}
    assert by_stage["Qualified"].mrr == {"EUR": Decimal("0.02")}
    assert by_stage["Qualified"].arr == {"EUR": Decimal("0.12")}
    assert report.total.mrr == {"EUR": Decimal("0.03")}
    assert report.total.arr == {"EUR": Decimal("0.18")}

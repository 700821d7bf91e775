"""Sums of money past 64 bits: reports and the board add up what the store holds exactly.

A hundred deals of 999,999,999,999,999.99 EUR (each within the money cap) add up to
more than 2**63 - 1 minor units: SQLite's ``sum()`` stopped with "integer overflow", so
``report pipeline`` and ``report forecast`` could not be shown at all, and PostgreSQL
refused the weighted value ("bigint out of range"). Both databases.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import column, create_engine, select, table

from tinycrm.api import Crm
from tinycrm.store import sums

BIG = Decimal("999999999999999.99")
DEALS = 100
TOTAL = BIG * DEALS  # 99,999,999,999,999,999.00 EUR: 10**19 minor units


@pytest.fixture
def crm(store) -> Crm:
    return Crm(store)


def _big_deals(crm: Crm, *, won: bool = False) -> None:
    for n in range(DEALS):
        deal = crm.deals.add(f"Deal {n}", amount=BIG, currency="EUR", close="2027-01-15")
        if won:
            crm.deals.win(deal.id)


def test_the_pipeline_and_the_forecast_add_up_past_64_bits(crm: Crm) -> None:
    _big_deals(crm)
    pipeline = crm.reports.pipeline()
    assert pipeline.total.value == {"EUR": TOTAL}
    assert pipeline.total.weighted == {"EUR": TOTAL / 10}  # Lead-in: 10%
    lead_in = next(row for row in pipeline.rows if row.stage == "Lead-in")
    assert lead_in.value == {"EUR": TOTAL} and lead_in.deals == DEALS

    forecast = crm.reports.forecast(now="2026-12-06")
    january = next(row for row in forecast.rows if row.period == "2027-01")
    assert january.best_case == {"EUR": TOTAL}
    assert january.weighted == {"EUR": TOTAL / 10}


def test_one_deal_weighted_at_100_percent_is_past_64_bits(crm: Crm) -> None:
    """10**17 minor units × 100: the product alone passes 64 bits."""
    crm.deals.add("Sure thing", amount=BIG, currency="EUR", probability=100, close="2027-01-15")
    assert crm.reports.pipeline().total.weighted == {"EUR": BIG}
    january = next(r for r in crm.reports.forecast(now="2026-12-06").rows if r.period == "2027-01")
    assert (january.weighted, january.commit) == ({"EUR": BIG}, {"EUR": BIG})
    column = next(c for c in crm.board.load().columns if c.name == "Lead-in")
    assert [(t.total, t.weighted) for t in column.totals] == [(BIG, BIG)]


def test_the_boards_column_totals_add_up_past_64_bits(crm: Crm) -> None:
    _big_deals(crm)
    column = next(c for c in crm.board.load().columns if c.name == "Lead-in")
    assert [(t.currency, t.total, t.weighted) for t in column.totals] == [
        ("EUR", TOTAL, TOTAL / 10)
    ]


def test_won_revenue_adds_up_past_64_bits(crm: Crm) -> None:
    _big_deals(crm, won=True)
    board = crm.board.load(closed=True)
    won = next(c for c in board.columns if c.name.lower().startswith("won"))
    assert [(t.total, t.weighted) for t in won.totals] == [(TOTAL, TOTAL)]
    assert crm.reports.winrate().total.won_value == {"EUR": TOTAL}


def _sqlite_sum(values: list[int | None], factors: list[int] | None = None) -> int | None:
    t = table("t", column("v"), column("f"))
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (v INTEGER, f INTEGER)")
        rows = zip(values, factors or [1] * len(values), strict=True)
        if values:
            conn.exec_driver_sql("INSERT INTO t VALUES (?, ?)", list(rows))
        summed = sums.exact_sum(t.c.v) if factors is None else sums.exact_sum(t.c.v, t.c.f)
        return sums.whole(conn.execute(select(summed)).scalar_one())


def test_on_sqlite_it_is_exact_at_any_size_and_sign() -> None:
    assert _sqlite_sum([]) is None  # no rows: NULL, as sum() gives
    assert _sqlite_sum([None, None]) is None
    assert _sqlite_sum([1, None, 2]) == 3
    assert _sqlite_sum([2**63 - 1, 0]) == 2**63 - 1
    assert _sqlite_sum([2**63 - 1, 1]) == 2**63
    assert _sqlite_sum([-(2**63), -1]) == -(2**63) - 1
    assert _sqlite_sum([-(2**63), 2**63 - 1, -5, 3_000_000_001]) == 2_999_999_995
    assert _sqlite_sum([-1_999_999_999, 999_999_999]) == -1_000_000_000
    # minor units × a percentage, multiplied exactly (SQLite's own * would give a real)
    assert _sqlite_sum([2**62, 2**62], [100, 100]) == 2**62 * 200
    assert _sqlite_sum([-(2**62), 7], [100, 3]) == -(2**62) * 100 + 21


@given(st.lists(st.integers(-(2**63), 2**63 - 1) | st.none(), max_size=40))
def test_on_sqlite_it_is_the_sum_python_makes(values: list[int | None]) -> None:
    numbers = [v for v in values if v is not None]
    assert _sqlite_sum(values) == (sum(numbers) if numbers else None)


def test_it_compiles_to_sum_elsewhere() -> None:
    from sqlalchemy.dialects import postgresql

    t = table("deal", column("amount_minor"), column("probability"))
    one = select(sums.exact_sum(t.c.amount_minor)).compile(dialect=postgresql.dialect())
    two = select(sums.exact_sum(t.c.amount_minor, t.c.probability)).compile(
        dialect=postgresql.dialect()
    )
    assert "sum(deal.amount_minor)" in str(one)
    assert "sum(CAST(deal.amount_minor AS NUMERIC) * deal.probability)" in str(two)


def test_an_amount_stored_as_a_float_is_left_out_of_sums_and_the_board_loads(
    crm: Crm, store, request
) -> None:
    """Other SQL wrote ``1e20`` (a REAL) into a deal's amount on SQLite: the pipeline
    report stopped with ``invalid literal for int()`` and the board's columns could not
    be read (it stayed on "Loading…"). Now the deal is carded without an amount and the
    sums leave it out (PostgreSQL's BIGINT column cannot hold one)."""
    if store.engine.dialect.name != "sqlite":
        pytest.skip("only SQLite keeps a REAL in an INTEGER column")
    import warnings

    from sqlalchemy import text

    from tinycrm.errors import TinyCrmWarning
    from tinycrm.store.board import load_board

    crm.deals.add("Odd", amount="5", currency="EUR")
    crm.deals.add("Fine", amount="7", currency="EUR")
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE deal SET amount_minor = 1e20 WHERE title = 'Odd'"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        board = load_board(store)
        pipeline = crm.reports.pipeline()
        got = crm.deals.get("Odd")
    assert got.amount is None
    cards = [card for column in board.columns for card in column.cards]
    assert sorted(card.title for card in cards) == ["Fine", "Odd"]
    assert pipeline.total.value == {"EUR": Decimal("7.00")}
    assert caught and all(issubclass(w.category, TinyCrmWarning) for w in caught)

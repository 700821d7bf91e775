"""Text bars: proportional, eighth-cell precise, and empty for nothing to draw."""

from __future__ import annotations

from decimal import Decimal

from tinycrm.charts import bar, money_tops


def test_bar_fills_the_width_at_the_top_and_scales_below() -> None:
    assert bar(10, 10, width=4) == "████"
    assert bar(5, 10, width=4) == "██"
    assert bar(Decimal("1.25"), 10, width=4) == "▌"  # half a cell: four eighths
    assert bar(1, 1000, width=4) == "▏"  # a value above zero always shows


def test_bar_is_empty_for_nothing_or_negative() -> None:
    assert bar(None, 10) == bar(0, 10) == bar(-3, 10) == bar(3, 0) == bar(3, None) == ""


def test_money_tops_per_currency() -> None:
    rows = [{"EUR": Decimal(5), "USD": Decimal(9)}, {"EUR": Decimal(7)}, {}]
    assert money_tops(rows) == {"EUR": Decimal(7), "USD": Decimal(9)}

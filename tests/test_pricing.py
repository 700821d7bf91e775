"""Quantities and percentages as people type them: exact, and never guessed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import hypothesis
import pytest
from hypothesis import strategies as st

from tinycrm import money, pricing


@pytest.mark.parametrize(
    ("text", "value"),
    [("3", "3"), ("1.5", "1.5"), ("1,5", "1.5"), ("2,50", "2.5"), ("0.125", "0.125")],
)
def test_a_quantity_is_read_exactly(text: str, value: str) -> None:
    assert pricing.parse_quantity(text) == Decimal(value)


@pytest.mark.parametrize(
    ("text", "whole", "point"),
    [("1,000", "1000", "1"), ("12,500", "12500", "12.5"), ("+1,000", "1000", "1")],
)
def test_a_comma_before_three_digits_is_not_guessed(text: str, whole: str, point: str) -> None:
    """1,000 is a thousand to one reader and one to another: refused, saying how to write
    each (the decimal reading with no trailing zeros, which reads one way only), rather
    than stored as either."""
    message = f"is ambiguous: write {whole}, or {point} with a decimal point"
    with pytest.raises(ValueError, match=message):
        pricing.parse_quantity(text)
    with pytest.raises(ValueError, match="ambiguous"):
        pricing.parse_percent(text)


@pytest.mark.parametrize(
    ("text", "whole", "point"),
    [("1.500", "1500", "1.5"), ("2.250", "2250", "2.25"), ("+1.000", "1000", "1")],
)
def test_a_point_before_three_digits_in_a_quantity_is_not_guessed(
    text: str, whole: str, point: str
) -> None:
    """``--qty 1.500``, a thousand and a half to a German reader, was taken as 1.5: an
    order 1,000 times too small, silently. Refused as a price is (``1.500 EUR``), saying
    how to write each. A percentage keeps its point: a reading past 100 is refused
    anyway, so ``7.500`` can only be 7.5."""
    with pytest.raises(ValueError) as refused:
        pricing.parse_quantity(text)
    assert str(refused.value) == (
        f"quantity {text!r} is ambiguous: write {whole}, or {point} with a decimal point"
    )
    assert pricing.parse_percent(text) == Decimal(point)


@pytest.mark.parametrize("text", ["3.333", "3,333", "+1,125"])
def test_an_ambiguous_quantity_of_three_decimals_is_told_a_way_to_write_it(text: str) -> None:
    """``--qty 3.333`` was refused saying 'write 3333, or 3.333 with a decimal point': the
    very text refused, so three and a third hours could not be typed at all from the
    advice. The decimal reading is now told with a fourth decimal (3.3330), which reads
    one way only and is taken."""
    with pytest.raises(ValueError) as refused:
        pricing.parse_quantity(text)
    digits = text.lstrip("+")
    point = digits.replace(",", ".") + "0"
    assert str(refused.value).endswith(f", or {point} with a decimal point")
    assert pricing.parse_quantity(point) == Decimal(point)


@pytest.mark.parametrize(
    ("text", "value"),
    [("0,500", "0.5"), ("0.250", "0.25"), ("1234,500", "1234.5"), ("1234.500", "1234.5")],
)
def test_a_quantity_that_cannot_be_grouped_reads_one_way(text: str, value: str) -> None:
    """As for an amount (``money.parse_amount``): a zero before the mark, or more than
    three digits, cannot be a thousands group, so the mark is the decimal point."""
    assert pricing.parse_quantity(text) == Decimal(value)
    assert money.parse_amount(text) == Decimal(value)


def test_a_percentage_with_a_decimal_comma() -> None:
    assert pricing.parse_percent("7,5 %") == Decimal("7.5")
    assert pricing.parse_percent("19") == Decimal("19")


@pytest.mark.parametrize("value", ["1" + "0" * 30, "-1" + "0" * 30, "9" * 40])
def test_a_number_past_the_decimal_precision_is_refused_with_one_line(value: str) -> None:
    """A quantity or percentage of 30 digits, typed or passed as an int or a Decimal
    (``1E+400`` too), is out of range: a ValueError with one line, never decimal's
    InvalidOperation from counting its decimal places."""
    for given in (value, int(value), Decimal(value), Decimal(value) * Decimal("1E+370")):
        with pytest.raises(ValueError, match=r"^quantity (is too large|must be more than 0)"):
            pricing.parse_quantity(given)
        with pytest.raises(ValueError, match=r"^tax must be between 0 and 100, not "):
            pricing.parse_percent(given, "tax")


def test_recurring_that_is_not_text_is_refused() -> None:
    with pytest.raises(ValueError, match="recurring must be month or year, not 5"):
        pricing.recurring_choice(5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("parse", "text", "what"),
    [
        (pricing.parse_quantity, "1_0", "quantity"),
        (pricing.parse_percent, "1_9", "percentage"),
        (money.parse_amount, "1_000", "amount"),
        (money.parse_amount, "€1_000.50", "amount"),
        (lambda t: money.parse_count(t, "size"), "1_000", "size"),
    ],
)
def test_an_underscore_between_digits_is_refused_by_every_number_a_person_types(
    parse: Any, text: str, what: str
) -> None:
    """1_000 is Python's way to group digits, which no person or spreadsheet writes:
    amounts and counts took it as a thousand while quantities and percentages refused
    it. Now each refuses it with the one same line."""
    with pytest.raises(ValueError) as refused:
        parse(text)
    assert str(refused.value) == (
        f"{what} {text!r} has an underscore, which does not group digits here: "
        f"write {text.replace('_', '')!r}"
    )


_LINE = st.tuples(
    st.integers(1, 10**6).map(lambda n: Decimal(n) / 1000),  # quantity
    st.integers(0, 10**7),  # unit price in minor units
    st.integers(0, 100_000).map(lambda n: Decimal(n) / 1000),  # discount %
    st.sampled_from([Decimal(0), Decimal("5"), Decimal("7.5"), Decimal("19"), Decimal("21.125")]),
)


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(st.lists(_LINE, min_size=1, max_size=30))
def test_the_tax_at_a_rate_is_the_tax_on_its_base_shared_among_its_lines(lines: Any) -> None:
    priced = pricing.price_lines(lines)
    for (q, p, d, t), got in zip(lines, priced, strict=True):
        alone = pricing.price_line(quantity=q, unit_price_minor=p, discount=d, tax=t)
        assert (got.gross, got.discount, got.net) == (alone.gross, alone.discount, alone.net)
        exact = Decimal(got.net) * t / 100
        assert exact - 1 < got.tax < exact + 1  # its own tax, rounded down or up
    totals = pricing.total_lines((a, line[3]) for a, line in zip(priced, lines, strict=True))
    for row in totals.taxes:
        assert row.tax == pricing.round_half_up(Decimal(row.base) * row.rate / 100)
    assert totals.tax == sum(a.tax for a in priced) == sum(r.tax for r in totals.taxes)
    assert totals.total == totals.net + totals.tax

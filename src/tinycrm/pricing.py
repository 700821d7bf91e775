"""The arithmetic of line items and quotes: quantities, percentages, per-line rounding.

Everything is exact: amounts are integers of the currency's minor units (cents, yen,
fils), quantities and percentages are :class:`~decimal.Decimal` with at most three
decimal places (stored as integers of thousandths).

The rounding rule (the one invoices commonly use), applied to each line on its own:

1. gross    = quantity × unit price, rounded half-up to the minor unit;
2. discount = gross × discount %, rounded half-up to the minor unit;
3. net      = gross − discount;
4. tax      = net × tax %, rounded half-up to the minor unit.

A quote's lines are priced together (``price_lines``): the tax at each rate is the tax
on the net of its lines (their net × the rate, rounded half-up), shared among them: each
line's tax is its own rounded down, the largest remainders rounded up (the first of equal
ones first). Rounding each line on its own, three lines of €0.02 at 19% (each 0.0038)
said "Tax 19% on €0.06: €0.00", where 19% of €0.06 is €0.01.

A quote's subtotal, discounts, net and tax are the sums of its lines' figures; the tax
per rate is the sum of the taxes of the lines at that rate (the tax on its base);
total = net + tax. So every figure printed adds up to the cent (yen, fils) with the ones
beside it.

Recurring lines (``month`` or ``year``) give a deal its recurring revenue: ARR is the sum
of monthly nets × 12 and yearly nets; MRR is ARR / 12, rounded half-up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from tinycrm import money

__all__ = [
    "MAX_QUANTITY",
    "RECURRING",
    "LineAmounts",
    "TaxLine",
    "Totals",
    "annual_minor",
    "format_percent",
    "format_quantity",
    "monthly_minor",
    "parse_percent",
    "parse_quantity",
    "price_line",
    "price_lines",
    "recurring_choice",
    "round_half_up",
    "stored",
    "total_lines",
    "unstored",
]

PLACES = 3
"""Decimal places of a quantity or a percentage (stored as integers of thousandths)."""
_SCALE = 10**PLACES
_HUGE = 15
"""Digits before the point of a number past every bound (a quantity, a percentage)."""
MAX_QUANTITY = Decimal(10**9)
RECURRING = ("month", "year")


_THOUSANDS = re.compile(r"[+-]?0*[1-9][0-9]{0,2}([,.])[0-9]{3}")
"""One to three digits (not all zeros) and one mark before exactly three digits: a
decimal mark, or a thousands separator (``1,500``, ``1.500``). As an amount reads it
(``money.parse_amount``): ``0,500`` and ``1234,500`` cannot be a group, so their mark is
the decimal point."""


def round_half_up(value: Decimal) -> int:
    """``value`` to the nearest integer, halves away from zero (2.5 → 3, −2.5 → −3)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _number(text: str | int | Decimal, what: str, *, point_groups: bool = True) -> Decimal:
    """``text`` as an exact number. One mark before three digits (``1,500``) is refused as
    ambiguous; a point (``1.500``) only when ``point_groups`` (a quantity: fifteen hundred
    is one too; a percentage has no reading past 100, so ``7.500`` is 7.5)."""
    if isinstance(text, bool) or not isinstance(text, str | int | Decimal):
        raise TypeError(f"{what} must be text, an int or a Decimal, not {type(text).__name__}")
    if isinstance(text, str):
        money.no_underscore(text, what)
        typed = text.strip().removesuffix("%").strip()
        grouped = _THOUSANDS.fullmatch(typed)
        if grouped and (grouped.group(1) == "," or point_groups):
            # 1,000: a thousand (English) or one (German)?
            bare = typed.lstrip("+")
            whole = bare.replace(grouped.group(1), "")
            point = bare.replace(grouped.group(1), ".").rstrip("0").removesuffix(".")
            if point_groups and _THOUSANDS.fullmatch(point):
                point += "0"  # 3.333 is as ambiguous as 3,333: a fourth decimal is not
            raise ValueError(
                f"{what} {typed!r} is ambiguous: write {whole}, or {point} with a decimal point"
            )
        clean = typed.replace(",", ".")
        if not clean:
            raise ValueError(f"{what} is empty")
        if not all(c.isascii() and (c.isdigit() or c in ".+-") for c in clean):
            raise ValueError(f"{what} must be a number, not {text.strip()[:40]!r}")
        try:
            value = Decimal(clean)
        except InvalidOperation:
            raise ValueError(f"{what} must be a number, not {text.strip()[:40]!r}") from None
    else:
        value = Decimal(text)
    if not value.is_finite():
        raise ValueError(f"{what} must be a finite number")
    if value.adjusted() >= _HUGE:  # past every bound: its caller says which (its decimal
        return value  # places are not counted: quantize would pass decimal's precision)
    if value != value.quantize(Decimal(1).scaleb(-PLACES), rounding=ROUND_HALF_UP):
        raise ValueError(f"{what} has at most {PLACES} decimal places")
    return value


def parse_percent(text: str | int | Decimal, what: str = "percentage") -> Decimal:
    """A percentage from 0 to 100 with at most three decimal places: ``19``, ``7.5``,
    ``"7,5 %"``. Raises ValueError with one line for anything else."""
    value = _number(text, what, point_groups=False)
    if not 0 <= value <= 100:
        raise ValueError(f"{what} must be between 0 and 100, not {_plain(value)}")
    return _plain(value)


def parse_quantity(text: str | int | Decimal) -> Decimal:
    """A quantity above zero with at most three decimal places (``3``, ``1.5`` hours);
    ``1.500`` and ``1,500`` (fifteen hundred, or one and a half?) are refused as
    ambiguous, saying how to write each."""
    value = _number(text, "quantity")
    if value <= 0:
        raise ValueError(f"quantity must be more than 0, not {_plain(value)}")
    if value > MAX_QUANTITY:
        raise ValueError(f"quantity is too large (at most {MAX_QUANTITY:,})")
    return _plain(value)


def recurring_choice(text: str | None) -> str | None:
    """``month``, ``year`` or None (one-off); ``monthly``/``yearly``/``annual`` too."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise ValueError(f"recurring must be month or year, not {text!r}"[:80])
    if not text.strip():
        return None
    word = text.strip().lower()
    word = {"monthly": "month", "yearly": "year", "annual": "year", "annually": "year"}.get(
        word, word
    )
    if word in ("none", "once", "one-off"):
        return None
    if word not in RECURRING:
        import difflib

        close = difflib.get_close_matches(word[:40], [*RECURRING, "monthly", "yearly"], 1, 0.75)
        hint = f", did you mean {close[0].removesuffix('ly')!r}?" if close else ""
        raise ValueError(f"recurring must be month or year, not {text.strip()[:40]!r}{hint}")
    return word


def _plain(value: Decimal) -> Decimal:
    """``7.500`` → ``7.5``, ``19.0`` → ``19`` (never ``1.9E+1``)."""
    normal = value.normalize()
    if normal.adjusted() >= _HUGE:  # 1E+30 as it is (quantize would pass the precision)
        return normal
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def stored(value: Decimal) -> int:
    """A quantity or percentage as the integer of thousandths it is stored as."""
    return int(value * _SCALE)


def unstored(value: int) -> Decimal:
    """Back from thousandths: ``7500`` → ``Decimal("7.5")``."""
    return _plain(Decimal(value) / _SCALE)


def format_percent(value: Decimal) -> str:
    """``19%``, ``7.5%``."""
    return f"{_plain(value)}%"


def format_quantity(value: Decimal) -> str:
    """``3``, ``1.5``."""
    return f"{_plain(value)}"


@dataclass(frozen=True)
class LineAmounts:
    """One line's figures, in minor units (see the module's rounding rule)."""

    gross: int
    discount: int
    net: int
    tax: int


def price_line(
    *, quantity: Decimal, unit_price_minor: int, discount: Decimal, tax: Decimal
) -> LineAmounts:
    """A line's gross, discount, net and tax in minor units, each rounded half-up."""
    gross = round_half_up(quantity * unit_price_minor)
    off = round_half_up(gross * discount / 100)
    net = gross - off
    return LineAmounts(gross=gross, discount=off, net=net, tax=round_half_up(net * tax / 100))


def _half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half-up (halves away from zero), exactly."""
    whole, rest = divmod(abs(numerator), denominator)
    whole += 2 * rest >= denominator
    return whole if numerator >= 0 else -whole


def price_lines(
    lines: Sequence[tuple[Decimal, int, Decimal, Decimal]],
) -> list[LineAmounts]:
    """The figures of ``(quantity, unit price in minor units, discount %, tax %)`` lines
    priced together: each as ``price_line`` prices it, but the tax at each rate is the
    tax on the net of its lines, shared among them (see the module's rounding rule)."""
    priced = [price_line(quantity=q, unit_price_minor=p, discount=d, tax=t) for q, p, d, t in lines]
    scale = 100 * _SCALE  # a rate in thousandths of a percent
    by_rate: dict[int, list[int]] = {}
    for position, (_q, _p, _d, percent) in enumerate(lines):
        by_rate.setdefault(stored(percent), []).append(position)
    for rate, positions in by_rate.items():
        exact = [priced[i].net * rate for i in positions]  # each line's tax × scale
        floors = [e // scale for e in exact]
        up = _half_up(sum(exact), scale) - sum(floors)  # 0 to len(positions)
        largest = sorted(range(len(positions)), key=lambda k: (-(exact[k] % scale), k))
        raised = set(largest[:up])
        for k, i in enumerate(positions):
            amounts = priced[i]
            tax = floors[k] + (k in raised)
            priced[i] = LineAmounts(amounts.gross, amounts.discount, amounts.net, tax)
    return priced


@dataclass(frozen=True)
class TaxLine:
    """The tax at one rate: the net it is on and the tax, in minor units."""

    rate: Decimal
    base: int
    tax: int


@dataclass(frozen=True)
class Totals:
    """A quote's figures in minor units; ``taxes`` one per rate, lowest rate first."""

    subtotal: int
    discount: int
    net: int
    tax: int
    total: int
    taxes: tuple[TaxLine, ...]


def total_lines(lines: Iterable[tuple[LineAmounts, Decimal]]) -> Totals:
    """The totals of ``(amounts, tax rate)`` lines: sums of the lines' rounded figures."""
    subtotal = discount = net = tax = 0
    by_rate: dict[Decimal, list[int]] = {}
    for amounts, rate in lines:
        subtotal += amounts.gross
        discount += amounts.discount
        net += amounts.net
        tax += amounts.tax
        entry = by_rate.setdefault(_plain(rate), [0, 0])
        entry[0] += amounts.net
        entry[1] += amounts.tax
    taxes = tuple(TaxLine(rate, base, t) for rate, (base, t) in sorted(by_rate.items()))
    return Totals(subtotal, discount, net, tax, net + tax, taxes)


def annual_minor(lines: Iterable[tuple[int, str | None]]) -> int:
    """ARR in minor units from ``(net, recurring)`` lines: monthly × 12 plus yearly."""
    total = 0
    for net, recurring in lines:
        if recurring == "month":
            total += net * 12
        elif recurring == "year":
            total += net
    return total


def monthly_minor(annual: int) -> int:
    """MRR from ARR (minor units): ARR / 12, rounded half-up."""
    return round_half_up(Decimal(annual) / 12)

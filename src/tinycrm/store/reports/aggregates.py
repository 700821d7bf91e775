"""SQL and money helpers the reports share: timestamps, day counts, period buckets,
per-currency sums."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Date, Integer, column, extract, func, select, values
from sqlmodel import Session, col

from tinycrm import dates, money
from tinycrm.store.models import Deal, Pipeline, Stage
from tinycrm.store.reports.models import Money, Period
from tinycrm.store.reports.scope import Scope
from tinycrm.store.sums import whole
from tinycrm.store.types import UTCDateTime

# --------------------------------------------------------------------------- SQL helpers


def day_count(scope: Scope, value: Any) -> Any:
    """A timestamp as fractional days since an epoch (differences are durations in days)."""
    if scope.sqlite:
        return func.julianday(value)
    return extract("epoch", value) / 86400.0


def greatest(scope: Scope, *items: Any) -> Any:
    return func.max(*items) if scope.sqlite else func.greatest(*items)


def buckets(spans: Sequence[Period]) -> Any:
    """The periods as a small table: i, start_at/end_at (UTC instants, end excluded) and
    start_day/end_day (local days, end excluded)."""
    rows = [
        (
            i,
            dates.local_midnight(p.start),
            dates.local_midnight(p.end + timedelta(days=1)),
            p.start,
            p.end + timedelta(days=1),
        )
        for i, p in enumerate(spans)
    ]
    return (
        values(
            column("i", Integer),
            column("start_at", UTCDateTime()),
            column("end_at", UTCDateTime()),
            column("start_day", Date()),
            column("end_day", Date()),
            name="bucket",
        )
        .data(rows)
        .cte("bucket")
    )


def probability_expr() -> Any:
    """An open deal's probability: its own override, else its stage's."""
    return func.coalesce(Deal.probability, Stage.probability)


def amount_expr() -> Any:
    return func.coalesce(Deal.amount_minor, 0)


def known(currency: str) -> str:
    """``currency``, or ``Invalid`` when other SQL stored what is no ISO 4217 code in a
    deal's currency (``'XYZ'``): its minor units cannot be summed as money (a report
    stopped with a traceback, ``unknown currency``). The message names the deals."""
    if money.is_currency(currency):
        return currency
    from tinycrm.store import odd_dates
    from tinycrm.store.errors import Invalid
    from tinycrm.store.types import ODD_AMOUNTS

    odd = ODD_AMOUNTS.get()
    raise Invalid(odd_dates.unsummable_currency(odd.session if odd else None, currency))


def minor_unit(currency: str) -> Decimal:
    return Decimal(1).scaleb(-money.currency_exponent(known(currency)))


def to_money(minor: Any, currency: str) -> Decimal:
    """A sum of minor units (an ``exact_sum``) as money."""
    return money.from_minor(whole(minor) or 0, known(currency))


def weighted_money(minor_percent: Any, currency: str) -> Decimal:
    """Σ(minor units × percent) as money, rounded to the currency's minor unit."""
    exact = money.from_minor(whole(minor_percent) or 0, known(currency)).scaleb(-2)
    return exact.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def add_weighted(line: dict[str, Any], currency: str, minor_percent: Any) -> None:
    """Add Σ(minor units × percent) of ``currency`` to ``line["weighted"]``, rounded; a
    sum above nothing that rounds to nothing (10% of €0.01) is noted in
    ``line["weighted_under_unit"]``, so the table shows ``< €0.01``, not ``€0.00``."""
    amount = weighted_money(minor_percent, currency)
    add_money(line["weighted"], currency, amount)
    if not amount and (whole(minor_percent) or 0) > 0:
        line.setdefault("weighted_under_unit", set()).add(currency)


def under_unit(line: dict[str, Any]) -> list[str]:
    """The currencies of ``line``'s weighted values that are above nothing but round to
    nothing: those noted by ``add_weighted`` whose rounded sum is still nothing."""
    noted = line.get("weighted_under_unit", ())
    return sorted(c for c in noted if not line["weighted"].get(c))


def add_money(into: Money, currency: str, amount: Decimal) -> None:
    into[currency] = into.get(currency, Decimal(0)) + amount


def sorted_money(values_: Money) -> Money:
    return {currency: values_[currency] for currency in sorted(values_)}


def percent(part: int, whole: int) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


def rounded(value: Any, places: int = 1) -> float | None:
    return None if value is None else round(float(value), places)


def stages_in_scope(session: Session, scope: Scope) -> list[tuple[int, str, str, int, int]]:
    """(id, pipeline, stage, position, probability) of the stages in scope, in board order."""
    query = (
        select(
            col(Stage.id),
            col(Pipeline.name),
            col(Stage.name),
            col(Stage.position),
            col(Stage.probability),
        )
        .join(Pipeline, col(Stage.pipeline_id) == col(Pipeline.id))
        .order_by(col(Pipeline.position), col(Pipeline.id), col(Stage.position))
    )
    if scope.pipeline_id is not None:
        query = query.where(col(Stage.pipeline_id) == scope.pipeline_id)
    return [tuple(row) for row in session.connection().execute(query)]  # type: ignore[misc]

"""Sums of money that never overflow: ``exact_sum(Deal.amount_minor)``, read by ``whole``.

Amounts are stored in minor units as 64-bit integers, and any one of them fits; a sum of
many need not. PostgreSQL's ``sum(bigint)`` is a ``numeric``, exact at any size, but
SQLite's ``sum()`` stops with "integer overflow" past 2**63 - 1, so a pipeline of a
hundred deals of 10**15 EUR could not be reported at all. On SQLite ``exact_sum(x)``
adds the billions and the rest of each value apart, in SQLite's own ``sum()``s (each
fits for a billion rows), and gives both as ``'billions:rest'``; ``whole`` puts them
together in Python. NULLs are skipped and no rows give NULL, as with ``sum()``.

With a second argument it is the sum of the products (minor units × a percentage),
which pass 64 bits sooner: PostgreSQL multiplies as ``numeric``, SQLite each part apart.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

_SPLIT = 1_000_000_000


class exact_sum(FunctionElement[Any]):  # an SQL function, named like func.sum
    """SQL: the exact sum of an integer expression, or of the products of two; read the
    result with ``whole``."""

    inherit_cache = True
    name = "exact_sum"


@compiles(exact_sum)
def _sum(element: exact_sum, compiler: SQLCompiler, **kw: Any) -> str:
    args = [compiler.process(arg, **kw) for arg in element.clauses]
    if len(args) == 1:
        return f"sum({args[0]})"
    value, factor = args
    return f"sum(CAST({value} AS NUMERIC) * {factor})"


@compiles(exact_sum, "sqlite")
def _sqlite_sum(element: exact_sum, compiler: SQLCompiler, **kw: Any) -> str:
    # Integer division truncates towards zero and % keeps the value's sign, so
    # value = (value / SPLIT) * SPLIT + value % SPLIT for every value, negative included.
    args = [compiler.process(arg, **kw) for arg in element.clauses]
    times = f" * ({args[1]})" if len(args) == 2 else ""
    # a value SQLite keeps as REAL or TEXT (other SQL wrote 1e20 into an amount) is no
    # whole number of minor units: skipped, as the row reads without one (MinorUnits)
    value = f"CASE WHEN typeof({args[0]}) = 'integer' THEN {args[0]} END"
    return f"(sum(({value}) / {_SPLIT}{times}) || ':' || sum(({value}) % {_SPLIT}{times}))"


class held(FunctionElement[bool]):  # an SQL condition on one amount column
    """SQL: the amount column holds a whole number of minor units (not NULL). On SQLite a
    REAL or TEXT other SQL stored there is none (it reads as no amount: MinorUnits), so a
    filter compares it as it compares no amount, not as stored; a PostgreSQL BIGINT holds
    nothing else."""

    inherit_cache = True
    name = "held"
    type = Boolean()


@compiles(held)
def _held(element: held, compiler: SQLCompiler, **kw: Any) -> str:
    [column] = [compiler.process(arg, **kw) for arg in element.clauses]
    return f"({column} IS NOT NULL)"


@compiles(held, "sqlite")
def _sqlite_held(element: held, compiler: SQLCompiler, **kw: Any) -> str:
    [column] = [compiler.process(arg, **kw) for arg in element.clauses]
    return f"(typeof({column}) = 'integer')"


def whole(result: Any) -> int | None:
    """An ``exact_sum`` as the integer it is (None for NULL)."""
    if result is None:
        return None
    if isinstance(result, str):
        billions, _, rest = result.partition(":")
        return int(billions) * _SPLIT + int(rest)
    return int(result)


def warn_left_out(session: Any) -> None:
    """A ``TinyCrmWarning`` for each deal whose amount SQLite holds as no whole number of
    minor units (other SQL wrote ``1e20``): ``exact_sum`` leaves it out of the sums (a
    PostgreSQL BIGINT holds none such)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    import warnings

    from sqlalchemy import text

    from tinycrm.errors import TinyCrmWarning

    odd = session.execute(
        text(
            "SELECT id, title, amount_minor FROM deal WHERE typeof(amount_minor) "
            "NOT IN ('integer', 'null') ORDER BY id LIMIT 20"
        )
    ).all()
    from tinycrm.store.types import ODD_AMOUNTS

    seen = ODD_AMOUNTS.get()
    for deal_id, title, raw in odd:
        if seen is not None:  # named here: not again when the session ends
            seen.named.add(("deal", deal_id))
        warnings.warn(
            f"deal #{deal_id} {title}: its amount is stored as {repr(raw)[:40]}, not a whole "
            f"number of minor units: left out of the sums; give it again (tinycrm deal "
            f"edit {deal_id} --amount)",
            TinyCrmWarning,
            stacklevel=2,
        )

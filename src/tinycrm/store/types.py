"""Column types shared by the tables."""

from __future__ import annotations

import os
import uuid
from contextvars import ContextVar
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import PlainSerializer
from sqlalchemy import BigInteger, Column, Date, DateTime, Table, event
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from tinycrm.clock import utcnow, written_at
from tinycrm.formats import jsonnumbers

Number = Annotated[Decimal, PlainSerializer(jsonnumbers.serialize, when_used="json")]
"""An exact amount, quantity or percentage in a read model: a number in JSON, written
exactly by ``tinycrm.formats.jsonnumbers.dumps`` (``999999999999999.99``)."""


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no time zones: values are stored as naive UTC and come back aware.
    PostgreSQL stores ``timestamptz``. Naive values are refused at the boundary,
    so local time never leaks into the database.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def __init__(self, table: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)  # the migrations give timezone=True
        self.table = table  # the table the column is of: an unreadable value names its record

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        return _lenient(super().result_processor(dialect, coltype), dialect, self.table)

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected datetime, got {type(value).__name__}")
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; convert to UTC first")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _lenient(read: Any, dialect: Dialect, table: str) -> Any:
    """``read`` (a date or time column's reader) reading what is no date or time (text
    such as ``'not a date'`` other SQL wrote into SQLite, which keeps any value in any
    column; a PostgreSQL date or timestamp holds none such) as none, noted in a store
    session so it names the record (``store.odd_dates``), instead of a ``ValueError``
    ending a list or a show."""
    if read is None or dialect.name != "sqlite":
        return read

    def process(value: Any) -> Any:
        try:
            return read(value)
        except (ValueError, TypeError, OverflowError):
            odd = ODD_AMOUNTS.get()
            if odd is not None and table:
                odd.dates.setdefault(table, []).append(value)
                return None
            import warnings

            from tinycrm.errors import TinyCrmWarning

            warnings.warn(
                f"a date or time is stored as {repr(value)[:40]}, no date or time (written "
                "by other SQL?): shown without one; give it again",
                TinyCrmWarning,
                stacklevel=2,
            )
            return None

    return process


class StoredDate(TypeDecorator[date]):
    """A date (``Date``) whose unreadable value (text other SQL wrote into SQLite) reads
    as none, noted as ``UTCDateTime``'s is. ``table``: the table the column is of."""

    impl = Date
    cache_ok = True

    def __init__(self, table: str = "") -> None:
        super().__init__()
        self.table = table

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        return _lenient(super().result_processor(dialect, coltype), dialect, self.table)


@event.listens_for(Column, "after_parent_attach")
def _name_its_table(column: Column[Any], table: Any) -> None:
    """A date or time column knows its table (``UTCDateTime("deal")``) from the table it
    is put in, so an unreadable value in any table names its record (``odd_dates``)."""
    kind = column.type
    if isinstance(kind, UTCDateTime | StoredDate) and not kind.table and isinstance(table, Table):
        kind.table = table.name


class OddAmounts:
    """The amounts a store session read as none (``MinorUnits``), by table, so the
    session names their records when it ends (``store.odd_amounts``) instead of a
    warning that says what is stored but not where."""

    def __init__(self) -> None:
        self.seen: dict[str, list[Any]] = {}
        self.named: set[tuple[str, int]] = set()  # warned of already (a report's sums)
        self.dates: dict[str, list[Any]] = {}  # dates and times read as none, by table
        self.session: Any = None  # the session: what finds the records a value is of


ODD_AMOUNTS: ContextVar[OddAmounts | None] = ContextVar("tinycrm_odd_amounts", default=None)


class MinorUnits(TypeDecorator[int]):
    """An amount in minor units: a 64-bit integer. A value that is none (a float such
    as ``1e20`` or ``12.5``, or text, written into SQLite by other SQL: its INTEGER
    affinity keeps what is not a whole 64-bit number as it came) reads as no amount, so
    no list, show, report or sum crashes on it nor leaves its row out. ``exact_sum``
    skips such values too. Read in a store session, the session warns naming each record
    it read one of (``store.odd_amounts``); read elsewhere, a ``TinyCrmWarning`` says
    what is stored. ``table``: the table the column is of."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, table: str = "") -> None:
        super().__init__()
        self.table = table

    def process_result_value(self, value: Any, dialect: Dialect) -> int | None:
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        odd = ODD_AMOUNTS.get()
        if odd is not None and self.table:
            odd.seen.setdefault(self.table, []).append(value)
            return None
        import warnings

        from tinycrm.errors import TinyCrmWarning

        shown = repr(value)[:40]
        warnings.warn(
            f"an amount is stored as {shown}, not a whole number of minor units (written "
            "by other SQL?): shown without one; give it again",
            TinyCrmWarning,
            stacklevel=2,
        )
        return None


def stored_type(kind: Any) -> Any:
    """The type a column's values are stored as, for code that checks or converts them
    by type (a dump's check, its SQL, an export's decoding): ``MinorUnits``' 64-bit
    integer, ``StoredDate``'s date, else ``kind``."""
    return kind.impl_instance if isinstance(kind, MinorUnits | StoredDate) else kind


# The one clock lives in tinycrm.clock (the command line reads it without the store);
# the store's modules import it from here.
__all__ = [
    "ODD_AMOUNTS",
    "MinorUnits",
    "OddAmounts",
    "StoredDate",
    "UTCDateTime",
    "stored_type",
    "utcnow",
    "written_at",
]


def new_uid() -> str:
    """A new record's UID: what vCards, khard and CardDAV servers know it by, for ever."""
    return str(uuid.uuid4())


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def new_uids(count: int) -> list[str]:
    """``count`` UIDs as ``new_uid`` makes them (random UUIDs, version 4, RFC 4122
    variant), from one read of the system's random source instead of a UUID object
    each: a 100,000-contact import spent 0.3 s on them."""
    raw = os.urandom(16 * count).hex()
    return [
        f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"
        for h in (raw[at : at + 32] for at in range(0, 32 * count, 32))
    ]

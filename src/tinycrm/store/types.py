"""Column types shared by the tables."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no time zones: values are stored as naive UTC and come back aware.
    PostgreSQL stores ``timestamptz``. Naive values are refused at the boundary,
    so local time never leaks into the database.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

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


_written_at: ContextVar[datetime | None] = ContextVar("tinycrm_written_at", default=None)


def utcnow() -> datetime:
    """The current time, aware, in UTC, to the microsecond (or the ``written_at`` moment)."""
    moment = _written_at.get()
    return datetime.now(UTC) if moment is None else moment


@contextmanager
def written_at(moment: datetime) -> Iterator[None]:
    """Inside, the store stamps what it writes (created, updated, moved, closed, done,
    history and events) with ``moment`` instead of the clock: how the demo builds a
    past that reports can read. ``moment`` must be aware."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the store; convert to UTC first")
    token = _written_at.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _written_at.reset(token)

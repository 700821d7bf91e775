"""Turning what a script passes (text or Python values) into what the store takes.

A script may pass ``due="tomorrow 9:00"`` as the command line does, or a
``datetime``; ``cadence="2w"`` or a number of days. Text that cannot be read is
``Invalid`` with the field it concerns.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from tinycrm.errors import Invalid
from tinycrm.store.records import UNSET

When = datetime | date | str


def when(value: When | None, field: str, *, end_of_day: bool = False) -> datetime | None:
    """A moment: an aware ``datetime`` (a naive one is local time), a ``date`` (its local
    midnight, or end of day) or text such as ``tomorrow 9:00`` or ``-2d``; one that does
    not fit in UTC (``datetime.max`` west of it) is ``Invalid``."""
    from tinycrm import dates

    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dates.local_tz())
        try:
            return value.astimezone(UTC)
        except OverflowError:  # datetime.min east of UTC, datetime.max west of it
            raise Invalid(f"{field}: {value.isoformat()} is out of range", field=field) from None
    if isinstance(value, date):
        value = value.isoformat()
    try:
        return dates.parse_when(str(value), end_of_day=end_of_day)
    except ValueError as exc:
        raise Invalid(f"{field}: {exc}", field=field) from exc


def day(value: date | str | None, field: str) -> date | None:
    """A calendar day: a ``date`` or text such as ``+30d`` or ``2026-12-31``."""
    from tinycrm import dates

    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    try:
        return dates.parse_date(str(value))
    except ValueError as exc:
        raise Invalid(f"{field}: {exc}", field=field) from exc


def cadence(value: int | str | None) -> int | None:
    """Keep-in-touch days: a number of days, or ``30d``, ``2w``, ``3m``; None or "none" clears."""
    if not isinstance(value, str):  # a number of days (or None): the store checks it
        return value
    from tinycrm import repeat  # (its date rules: only for a cadence given as text)

    try:
        return repeat.parse_cadence(value)
    except ValueError as exc:
        raise Invalid(str(exc), field="cadence") from exc


def names(value: str | Iterable[str] | None) -> list[str] | None:
    """A tag or a list of tags (a lone string is one tag, not its letters)."""
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


def changes(**values: Any) -> dict[str, Any]:
    """The edit arguments a caller passed: ``UNSET`` means "keep", ``None`` clears."""
    return {key: value for key, value in values.items() if value is not UNSET}

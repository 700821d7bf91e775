"""The one clock: every "now" and "today" tinycrm acts on comes from here.

The store stamps what it writes with :func:`utcnow`; dates typed by a person (``tomorrow``,
``+3d``), repeats, reminders, cadences, reports and the demo measure from it too. Only
durations (timeouts, progress) use ``time.monotonic`` instead.

Tests move this clock with time-machine, which moves ``datetime.now`` in the test process.
A ``tinycrm`` a test starts as a subprocess is not moved by it, so there is one testing
hook: ``TINYCRM_TESTING_CLOCK_SHIFT`` (seconds, may be negative or fractional), read once
when this module is imported, is added to the real time. The test suite sets it for the
tinycrm processes it starts when it runs with the clock moved (``TINYCRM_TEST_NOW``, see
``tests/conftest.py``); it is not meant for anything else.

Kept free of heavy imports: the command line and :mod:`tinycrm.dates` use it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

__all__ = ["SHIFT_ENV", "utcnow", "written_at"]

SHIFT_ENV = "TINYCRM_TESTING_CLOCK_SHIFT"

_written_at: ContextVar[datetime | None] = ContextVar("tinycrm_written_at", default=None)


def _shift_from_env() -> timedelta:
    raw = os.environ.get(SHIFT_ENV)
    if not raw:
        return timedelta(0)
    try:
        return timedelta(seconds=float(raw))
    except (ValueError, OverflowError):
        raise SystemExit(f"{SHIFT_ENV} must be a number of seconds, not {raw!r}") from None


_SHIFT = _shift_from_env()


def utcnow() -> datetime:
    """The current time, aware, in UTC, to the microsecond (or the ``written_at`` moment)."""
    moment = _written_at.get()
    if moment is not None:
        return moment
    return datetime.now(UTC) + _SHIFT


@contextmanager
def written_at(moment: datetime) -> Iterator[None]:
    """Inside, :func:`utcnow` is ``moment``: the store stamps what it writes (created,
    updated, moved, closed, done, history and events) with it instead of the clock: how
    the demo builds a past that reports can read. ``moment`` must be aware."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the store; convert to UTC first")
    token = _written_at.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _written_at.reset(token)

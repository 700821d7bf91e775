"""What ``tinycrm remind`` and ``tinycrm next`` tell of: the groups, one due item, and
the query pieces the kinds of items share (see ``reminders``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlmodel import col

from tinycrm.store.models import Activity, ReadModel
from tinycrm.store.types import Number

GROUPS = {
    "overdue": "Overdue tasks",
    "today": "Due today",
    "reminder": "Reminders",
    "keep_in_touch": "Keep in touch",
    "rotting": "Rotting deals",
    "closing": "Closing soon",
    "renewal": "Contracts: notice deadlines and ends",
    "quote_expiring": "Quotes expiring or just expired",
    "sla_breached": "Cases past their SLA",
    "sla_at_risk": "Cases about to breach their SLA",
}


class DueItem(ReadModel):
    """One thing that is due, with the due time it is announced under."""

    key: str  # task:12, remind:12, cadence:5, rotting:7, closing:9
    group: str  # a key of GROUPS
    due_at: datetime
    title: str
    detail: str
    entity: str  # activity, contact, deal
    entity_id: int
    deal_id: int | None = None
    value: Number | None = None  # weighted deal value at stake (amount × probability)
    currency: str | None = None
    stake: str | None = None  # "€18,500.00 at 75%"
    late: bool = False  # a day that passed before any run told it (see LATE_DAYS)

    @classmethod
    def from_row(cls, values: dict[str, Any]) -> DueItem:
        """As ``ReadModel.from_row``; ``late`` False unless the row says (only a day that
        passed is late): every item has it, in ``--json`` and ``--csv`` too."""
        values.setdefault("late", False)
        return super().from_row(values)

    def line(self) -> str:
        """``title: stake, detail`` as one line."""
        why = ", ".join(x for x in (self.stake, self.detail) if x)
        return f"{self.title}: {why}"


def whole_days(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 86400))


def untouched_since(link: Any, owner: Any, cutoff: datetime) -> ColumnElement[bool]:
    """No interaction logged after ``cutoff`` whose ``link`` (``Activity.contact_id`` or
    ``Activity.deal_id``) is ``owner``: one probe of an (id, occurred_at) index."""
    later = select(col(Activity.id)).where(link == owner, col(Activity.occurred_at) > cutoff)
    return ~later.exists()


LATE_DAYS = 7
"""How far back ``remind`` looks at least for a day that passed untold (a notice deadline,
a contract's end, a quote's last day that fell while cron did not run): told once, late.
It looks back further, to its last run (``reminder_claims.look_back``), and this far on
the first run on a database, so that run does not tell years of history."""

LATE_DAYS_MAX = 90
"""How far back ``remind`` looks at most, however long ago it last ran (a machine off for
a season, cron uninstalled for a year): what passed before is not told."""


def days_text(days: int) -> str:
    """``1 day``, ``2 days``."""
    return "1 day" if days == 1 else f"{days} days"


def ago(day: date, today: date) -> str:
    """``in 3 days``, ``tomorrow``, ``today``, ``yesterday``, ``2 days ago``."""
    days = (day - today).days
    if days >= 0:
        return "today" if days == 0 else ("tomorrow" if days == 1 else f"in {days} days")
    return "yesterday" if days == -1 else f"{-days} days ago"


STALE_CLAIM = timedelta(minutes=15)
"""A claim of a run that died this long ago is taken over (``reminder_claims``); a
claim or a record of a telling stamped more than this after now was made under a
clock set back since, and does not count."""

DAY_KINDS = frozenset({"closing", "quote-expiry", "contract-end", "notice"})
"""The kinds of item due on a calendar day: told once per day, whatever the zone."""


def claim_due(key: str, due_at: datetime, zone: tzinfo | None = None) -> datetime:
    """The due time an item's claim holds: ``due_at``, or for an item due on a day
    (:data:`DAY_KINDS`) that day's UTC midnight. A day item's ``due_at`` is the local
    midnight of its day in ``zone`` (default: the user's), and one already at a UTC
    midnight (a claim, or a local midnight in a zone at UTC) is its day's."""
    if key.partition(":")[0] not in DAY_KINDS:
        return due_at
    at = due_at.astimezone(UTC)
    if at.time() == time():
        return at
    from tinycrm.dates import local_tz

    day = at.astimezone(zone or local_tz()).date()
    return datetime.combine(day, time(), tzinfo=UTC)


def claim_pairs(
    pairs: Iterable[tuple[str, datetime]], zone: tzinfo | None = None
) -> dict[tuple[str, datetime], tuple[str, datetime]]:
    """Each (key, due time) pair by the pair its claim holds (see :func:`claim_due`)."""
    from tinycrm.dates import local_tz

    zone = zone or local_tz()
    return {(key, claim_due(key, due, zone)): (key, due) for key, due in pairs}

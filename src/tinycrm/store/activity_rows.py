"""A new activity's or task's row: the one way one is made, whoever makes it (``tinycrm
log``, ``task add``, a repeating task's next occurrence, an automation rule's task, a
sequence's steps, ``tinycrm import activities``, mail). A base module: the nouns and the
in-transaction effects (rules, sequences) all build on it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from tinycrm.store.errors import Invalid

ACTIVITY_COLUMNS = ("kind", "subject", "body", "contact_id", "company_id", "deal_id",
                    "occurred_at", "due_at", "remind_at", "repeat", "repeat_anchor", "done_at",
                    "campaign_id", "channel", "enrollment_id", "mail_key",
                    "direction")  # fmt: skip


def new_activity_row(
    aid: int | None, columns: Mapping[str, Any], *, owner: str, stamp: Any
) -> dict[str, Any]:
    """A new activity's or task's whole row from checked values: the one way one is
    made (see the module's docstring). It adds
    the defaults (``owner``, ``stamp`` as the creation time); ``aid``: the id an import
    assigns (None: the database's)."""
    row: dict[str, Any] = {"id": aid}
    for key in ACTIVITY_COLUMNS:
        row[key] = columns.get(key)
    row["owner"] = columns.get("owner") or owner
    row["created_at"] = columns.get("created_at") or stamp
    row["updated_at"] = stamp
    if aid is None:
        del row["id"]
    return row


FUTURE_SLACK = timedelta(minutes=5)
"""How far ahead of now a logged activity may be: clocks differ by a little."""


def check_happened(kind: str, at: datetime, now: datetime) -> None:
    """``Invalid`` when a call, email, meeting or note is logged at a time that has not
    come yet (more than :data:`FUTURE_SLACK` ahead of ``now``): it would count as the last
    contact, and in lead scores, before it happens. What is planned is a task, with a due
    time; tinycrm has no planned meetings apart from them."""
    if at - now <= FUTURE_SLACK:
        return
    from tinycrm import dates

    ahead = dates.humanize(at, now=now)
    when = ahead if ahead.startswith("in ") or ahead == "tomorrow" else f"on {ahead}"
    raise Invalid(
        f"that {kind} is {when}: an activity is logged once it has happened; "
        f"a planned {kind} is a task: tinycrm task add TEXT --due WHEN",
        field="at",
    )

"""What is due: tasks, keep-in-touch cadences, rotting deals, deals closing soon.

``due_items`` computes the list from indexed queries (no scanning of
activities in Python): tasks and cadences in ``due_tasks``, deals in ``due_deals``,
contracts, quotes and cases in ``renewals`` and ``after_sale_items``.
``claim_items`` / ``confirm_run`` / ``release_run`` (``reminder_claims``, importable
from here) make ``tinycrm remind`` announce each item once per due time, even when two
runs overlap: a run claims items by inserting (key, due time) rows under a unique
constraint, so the loser of a race simply does not get them, and a failed
delivery releases its claims for the next run. ``next_actions`` ranks all of it,
plus open deals with no next step, into one queue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session, col

from tinycrm.business_hours import SupportSettings, default_support
from tinycrm.dates import local_day, local_tz
from tinycrm.store import validate
from tinycrm.store.due_deals import deal_reminder_items, money_at, open_deals, weighted
from tinycrm.store.due_tasks import cadence_items, task_items
from tinycrm.store.engine import Store
from tinycrm.store.models import Activity, ReadModel
from tinycrm.store.reminder_claims import (
    STALE_CLAIM,
    announced_items,
    claim_items,
    confirm_run,
    look_back,
    release_run,
)
from tinycrm.store.reminder_items import GROUPS, LATE_DAYS, LATE_DAYS_MAX, DueItem
from tinycrm.store.types import utcnow


class NextAction(ReadModel):
    """One line of ``tinycrm next``: what to do, why, and how much it weighs."""

    rank: int
    title: str
    reason: str
    score: float
    kinds: list[str]
    entity: str
    entity_id: int
    due_at: datetime | None


@dataclass(frozen=True)
class RemindSettings:
    """What ``due_items`` and ``next_actions`` look ahead by, given by the API layer from
    the config (the store reads none): ``[remind] closing_days``, ``[contracts]`` and
    ``[quotes]`` ``remind_days``, ``[support]`` (None: Monday to Friday, 09:00-17:00
    local, the default targets). The defaults are the config's defaults."""

    closing_days: int = 7
    contract_days: int = 30
    quote_days: int = 7
    support: SupportSettings | None = None


def due_items(
    store: Store,
    *,
    now: datetime | None = None,
    closing_days: int | None = None,
    new_only: bool = False,
    late: bool = True,
    settings: RemindSettings = RemindSettings(),
) -> list[DueItem]:
    """Everything due now, in group order (see ``GROUPS``), oldest first within a group.

    "Today" and "overdue" follow the user's local day (``TZ``). ``closing_days``
    defaults to ``settings.closing_days`` (7); ``settings``: the look-aheads and
    business hours the API passes from the config. ``new_only`` leaves out
    what a run of ``remind`` announced (or is announcing) under the same due time, so
    cron's usual run reads index probes, not thousands of items it will not tell.
    ``late``: also a day item (a notice deadline, a contract's end, a quote's last day)
    that passed since the last run (``look_back``: at least ``LATE_DAYS``, 7 days, at most
    ``LATE_DAYS_MAX``, 90), marked ``late``: told once by the first run after it when cron
    did not run that day (``next`` leaves them out).
    """
    now = now or utcnow()
    if closing_days is None:
        closing_days = settings.closing_days
    _, day_end = local_day(now)
    with store.read() as session:
        late_days = look_back(session, now.astimezone(local_tz()).date()) if late else 0
        items = task_items(session, now, day_end, new_only)
        items += cadence_items(session, now, new_only)
        items += deal_reminder_items(session, now, closing_days, new_only)
        items += _after_sale_items(session, now, new_only, late_days, settings)
    order = list(GROUPS)
    return sorted(items, key=lambda i: (order.index(i.group), i.due_at, i.key))


def _after_sale_items(
    session: Session, now: datetime, new_only: bool, late_days: int, settings: RemindSettings
) -> list[DueItem]:
    """Contracts whose notice deadline or end is near (``store.renewals``), sent quotes
    about to expire and support cases about to breach or past their SLA
    (``store.after_sale_items``)."""
    from tinycrm.store.after_sale_items import case_items, quote_items
    from tinycrm.store.renewals import contract_items

    support = settings.support or default_support(local_tz())
    seen = None
    if new_only:
        seen = set()
        for kind in ("notice", "contract-end", "quote-expiry", "case-response", "case-resolution"):
            seen |= announced_items(session, kind, now)
        for kind in ("case-response-risk", "case-resolution-risk"):
            seen |= announced_items(session, kind, now)
    rows = contract_items(session, now, settings.contract_days, seen, late_days)
    rows += quote_items(session, now, settings.quote_days, seen, late_days)
    rows += case_items(session, now, support, seen)
    return [DueItem.from_row(row) for row in rows]


WEIGHTS = {
    "overdue": 3.0,
    "today": 2.5,
    "reminder": 2.0,
    "rotting": 2.0,
    "closing": 2.0,
    "renewal": 2.0,
    "quote_expiring": 2.0,
    "sla_breached": 3.0,
    "sla_at_risk": 2.5,
    "keep_in_touch": 1.5,
    "no_next_step": 1.0,
}


def _score(kind: str, due_at: datetime | None, value: Decimal | None, now: datetime) -> float:
    """How much an item weighs: a week late doubles it; each tenfold of stake adds one."""
    late = 0.0 if due_at is None else max(0.0, (now - due_at).total_seconds() / 86400)
    stake = float(value or 0)
    return WEIGHTS[kind] * (1 + min(late, 90) / 7) * (1 + math.log10(1 + stake / 1000))


def _said_once(reasons: list[str], reason: str) -> str:
    """``reason`` without the head (``urgent: ``) the line's first reason says already:
    a case past both its targets reads "urgent: first response was due 2h ago,
    resolution was due 1h ago"."""
    if reasons and ": " in reasons[0]:
        head = reasons[0].split(": ", 1)[0] + ": "
        if reason.startswith(head):
            return reason[len(head) :]
    return reason


def next_actions(
    store: Store,
    *,
    now: datetime | None = None,
    limit: int | None = 20,
    offset: int | None = None,
    settings: RemindSettings = RemindSettings(),
) -> list[NextAction]:
    """One queue of what needs attention, most pressing first, each with its reasons.

    Due tasks, lapsed cadences, rotting deals, deals closing soon and open deals
    with no open task; a deal's several reasons make one line. The score weighs
    lateness against the weighted value at stake (see ``_score``).
    """
    limit = validate.limit(limit)
    skip = validate.offset(offset) or 0
    now = now or utcnow()
    items = due_items(store, now=now, late=False, settings=settings)
    with store.read() as session:
        deals = {deal.id: deal for deal in open_deals(session)}
        with_task = set(
            session.scalars(
                select(col(Activity.deal_id)).where(
                    col(Activity.kind) == "task",
                    col(Activity.done_at).is_(None),
                    col(Activity.deal_id).is_not(None),
                )
            )
        )
    entries: dict[tuple[str, int], dict] = {}  # type: ignore[type-arg]
    for item in items:
        value = item.value
        if item.entity == "activity" and item.deal_id in deals:
            value = weighted(deals[item.deal_id])[0]
        key = (item.entity, item.entity_id)
        entry = entries.setdefault(
            key, {"title": item.title, "reasons": [], "score": 0.0, "kinds": [], "due": item.due_at}
        )
        entry["reasons"].append(_said_once(entry["reasons"], item.detail))
        entry["score"] += _score(item.group, item.due_at, value, now)
        entry["kinds"].append(item.group)
        entry["due"] = min(entry["due"], item.due_at)
    for deal_id, deal in deals.items():
        if deal_id in with_task:
            continue
        value = weighted(deal)[0]
        key = ("deal", deal_id)
        entry = entries.setdefault(
            key,
            {
                "title": deal.title + (f" ({deal.company})" if deal.company else ""),
                "reasons": [],
                "score": 0.0,
                "kinds": [],
                "due": None,
            },
        )
        entry["reasons"].append("no next step (no open task)")
        entry["score"] += _score("no_next_step", None, value, now)
        entry["kinds"].append("no_next_step")
    for (entity, entity_id), entry in entries.items():
        if entity == "deal":  # the stake is said once, at the front of the line
            deal = deals[entity_id]
            stake = money_at(deal, weighted(deal)[1])
            if stake:
                entry["reasons"].insert(0, stake)
    ranked = sorted(entries.items(), key=lambda kv: (-kv[1]["score"], kv[0]))
    ranked = ranked[skip : skip + limit] if limit else ranked[skip:]
    return [
        NextAction(
            rank=n,
            title=entry["title"],
            reason=", ".join(entry["reasons"]),
            score=round(entry["score"], 2),
            kinds=entry["kinds"],
            entity=entity,
            entity_id=entity_id,
            due_at=entry["due"],
        )
        for n, ((entity, entity_id), entry) in enumerate(ranked, start=1)
    ]


__all__ = [
    "GROUPS",
    "LATE_DAYS",
    "LATE_DAYS_MAX",
    "STALE_CLAIM",
    "WEIGHTS",
    "DueItem",
    "NextAction",
    "RemindSettings",
    "claim_items",
    "confirm_run",
    "due_items",
    "next_actions",
    "release_run",
]

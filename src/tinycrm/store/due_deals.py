"""Open deals that rot (untouched longer than their stage allows) or close soon, as
``DueItem``s; and the open-deal rows ``next_actions`` weighs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlmodel import Session, col

from tinycrm import dates, money
from tinycrm.store import odd_dates
from tinycrm.store.engine import chunks
from tinycrm.store.log_models import StageChange
from tinycrm.store.models import Activity, Company, Deal, Stage, effective_probability
from tinycrm.store.reminder_claims import announced_items
from tinycrm.store.reminder_items import (
    DueItem,
    ago,
    days_text,
    untouched_since,
    whole_days,
)

_IN = 500  # ids per statement


@dataclass(frozen=True, slots=True)
class OpenDeal:
    """The columns of an open deal that reminders and the queue need (a plain row)."""

    id: int
    title: str
    amount_minor: int | None
    currency: str
    probability: int | None
    status: str
    close_date: date | None
    created_at: datetime
    stage: str
    stage_probability: int
    rotting_days: int | None
    company: str | None
    last_touch: datetime


def weighted(deal: OpenDeal) -> tuple[Decimal | None, int]:
    probability = effective_probability(deal.status, deal.probability, deal.stage_probability)
    if deal.amount_minor is None:
        return None, probability
    if not money.is_currency(deal.currency):  # other SQL stored 'XYZ': no amount to weigh
        odd_dates.unknown_currency_once(deal.id, deal.title, deal.currency)
        return None, probability
    amount = money.from_minor(deal.amount_minor, deal.currency)
    return amount * probability / 100, probability


def money_at(deal: OpenDeal, probability: int) -> str:
    if deal.amount_minor is None or not money.is_currency(deal.currency):
        return ""  # no amount, or none readable (its currency no ISO 4217 code: named)
    amount = money.format_money(money.from_minor(deal.amount_minor, deal.currency), deal.currency)
    return f"{amount} at {probability}%"


def _last_moves() -> tuple[Any, Any]:
    """A deal's latest logged activity and latest move, as correlated subqueries."""
    activity = (
        select(func.max(Activity.occurred_at))
        .where(col(Activity.deal_id) == col(Deal.id))
        .correlate(Deal)
        .scalar_subquery()
    )
    moved = (
        select(func.max(StageChange.at))
        .where(col(StageChange.deal_id) == col(Deal.id))
        .correlate(Deal)
        .scalar_subquery()
    )
    return activity, moved


def open_deals(session: Session, *where: ColumnElement[bool]) -> list[OpenDeal]:
    """Open deals (those that also meet ``where``) with their stage, company name and
    last touch: the latest logged activity or completed task (completing a task sets
    its ``occurred_at``), move, or creation. Each latest time is one index descent."""
    activity, moved = _last_moves()
    columns = (
        col(Deal.id),
        col(Deal.title),
        col(Deal.amount_minor),
        col(Deal.currency),
        col(Deal.probability),
        col(Deal.status),
        col(Deal.close_date),
        col(Deal.created_at),
        col(Stage.name),
        col(Stage.probability),
        col(Stage.rotting_days),
        col(Company.name),
    )
    rows = session.connection().execute(
        select(*columns, activity, moved)
        .join(Stage, col(Deal.stage_id) == col(Stage.id))
        .outerjoin(Company, col(Deal.company_id) == col(Company.id))
        .where(col(Deal.status) == "open", *where)
        .order_by(col(Deal.id))
    )
    out = []
    for *row, touched, moved_at in rows:
        touches = (row[7], touched, moved_at)
        last_touch = max(t for t in touches if t is not None)
        # row: the 12 columns before last_touch, which mypy cannot count in *row
        out.append(OpenDeal(*row, last_touch=last_touch))  # type: ignore[misc]
    return out


def _due_deals(
    session: Session, now: datetime, horizon: date, zone: tzinfo, seen: set[tuple[str, datetime]]
) -> list[tuple[OpenDeal, datetime | None, datetime | None]]:
    """Open deals that rot (untouched for longer than their stage allows) or close by
    ``horizon``, each with its rotting and closing due times (None: not due, or told
    at that time already, per ``seen``).

    Each rotting stage gets its own cutoff, so the test is in SQL: an index probe for
    a later activity or move, not a pass over the deal's history. Only the deals with
    something to tell are then read in full.
    """
    conn = session.connection()
    stages = conn.execute(
        select(col(Stage.id), col(Stage.rotting_days)).where(col(Stage.rotting_days) > 0)
    )
    due = [col(Deal.close_date) <= horizon]
    for stage_id, days in stages:
        assert days is not None  # rotting_days > 0
        cutoff = now - timedelta(days=days)
        moved_since = select(col(StageChange.id)).where(
            col(StageChange.deal_id) == col(Deal.id), col(StageChange.at) > cutoff
        )
        due.append(
            and_(
                col(Deal.stage_id) == stage_id,
                col(Deal.created_at) <= cutoff,
                untouched_since(col(Activity.deal_id), col(Deal.id), cutoff),
                ~moved_since.exists(),
            )
        )
    activity, moved = _last_moves()
    rows = conn.execute(
        select(
            col(Deal.id),
            col(Deal.created_at),
            col(Deal.close_date),
            col(Stage.rotting_days),
            activity,
            moved,
        )
        .join(Stage, col(Deal.stage_id) == col(Stage.id))
        .where(col(Deal.status) == "open", or_(*due))
    )
    when = {}
    for deal_id, created_at, close_date, rotting_days, touched, moved_at in rows:
        last = max(t for t in (created_at, touched, moved_at) if t is not None)
        rotting = last + timedelta(days=rotting_days) if rotting_days else None
        if rotting is not None and (rotting > now or (f"rotting:{deal_id}", rotting) in seen):
            rotting = None
        closing = None
        if close_date is not None and close_date <= horizon:
            closing = dates.local_midnight(close_date, zone)
            if (f"closing:{deal_id}", closing) in seen:
                closing = None
        if rotting or closing:
            when[deal_id] = (rotting, closing)
    deals = []
    for ids in chunks(sorted(when), _IN):
        deals += open_deals(session, col(Deal.id).in_(ids))
    return [(deal, *when[deal.id]) for deal in deals]


def deal_reminder_items(
    session: Session, now: datetime, closing_days: int, new_only: bool
) -> list[DueItem]:
    zone = dates.local_tz()
    today = now.astimezone(zone).date()
    horizon = today + timedelta(days=closing_days)
    seen = (
        announced_items(session, "rotting", now) | announced_items(session, "closing", now)
        if new_only
        else set()
    )
    items = []
    for deal, rotting_due, closing_due in _due_deals(session, now, horizon, zone, seen):
        value, probability = weighted(deal)
        title = deal.title + (f" ({deal.company})" if deal.company else "")
        stake = money_at(deal, probability)
        common = {
            "entity": "deal",
            "entity_id": deal.id,
            "deal_id": deal.id,
            "value": value,
            "currency": deal.currency,
            "stake": stake or None,
        }
        if rotting_due is not None:
            idle = whole_days(now - deal.last_touch)
            why = f"no activity for {days_text(idle)}, {deal.stage} rots after "
            why += str(deal.rotting_days)
            items.append(
                DueItem.from_row(
                    {
                        "key": f"rotting:{deal.id}",
                        "group": "rotting",
                        "due_at": rotting_due,
                        "title": title,
                        "detail": why,
                        **common,
                    }
                )
            )
        if closing_due is not None:
            assert deal.close_date is not None
            days = (deal.close_date - today).days
            if days < 0:
                when = f"expected close date passed {ago(deal.close_date, today)}"
                when += f" ({deal.close_date})"
            elif days == 0:
                when = "expected to close today"
            else:
                when = f"expected to close {ago(deal.close_date, today)} ({deal.close_date})"
            items.append(
                DueItem.from_row(
                    {
                        "key": f"closing:{deal.id}",
                        "group": "closing",
                        "due_at": closing_due,
                        "title": title,
                        "detail": when,
                        **common,
                    }
                )
            )
    return items

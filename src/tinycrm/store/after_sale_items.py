"""The due items ``tinycrm remind`` and ``tinycrm next`` take from the sales and service
modules: sent quotes about to expire (``quote_items``) and support cases about to breach
or past their SLA (``case_items``); contracts' are ``store.renewals.contract_items``.

Apart from ``store.quotes`` and ``store.cases``, which make and list quotes and cases and
so import the contacts', companies' and deals' modules and the filter language: cron's
run reads a few rows here and has no use for them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from tinycrm import dates, money
from tinycrm.business_hours import SupportSettings
from tinycrm.store.engine import chunks
from tinycrm.store.models import Company, Contact, Deal
from tinycrm.store.reminder_items import ago
from tinycrm.store.sales_models import DealItem, Quote, QuoteLine, line_key
from tinycrm.store.service_models import SupportCase
from tinycrm.vocab import CASE_UNRESOLVED


def quote_items(
    session: Session,
    now: datetime,
    remind_days: int,
    seen: set[tuple[str, datetime]] | None,
    late_days: int = 0,
) -> list[dict[str, object]]:
    """Sent quotes of open deals whose last valid day is within ``remind_days`` of today
    (0: none), or passed within ``late_days`` (``late``: expired before a run told it), as
    due-item rows (``reminders.DueItem`` fields) about their deal, each under its
    valid-until day, so each is told once. ``seen``: (key, due time) told already (None:
    all)."""
    if remind_days <= 0:
        return []
    zone = dates.local_tz()
    today = now.astimezone(zone).date()
    rows = session.execute(
        select(Quote, col(Deal.title), col(Company.name), col(Deal.currency))
        .join(Deal, col(Quote.deal_id) == col(Deal.id))
        .outerjoin(Company, col(Deal.company_id) == col(Company.id))
        .where(
            col(Quote.status) == "sent",
            col(Deal.status) == "open",
            col(Quote.valid_until) >= today - timedelta(days=late_days),
            col(Quote.valid_until) <= today + timedelta(days=remind_days),
        )
        .order_by(col(Quote.valid_until), col(Quote.id))
    ).all()
    rows = [
        row
        for row in rows
        if seen is None
        or (f"quote-expiry:{row[0].id}", dates.local_midnight(row[0].valid_until, zone)) not in seen
    ]
    unlike = _unlike_their_deals(session, [(quote, currency) for quote, _, _, currency in rows])
    items: list[dict[str, object]] = []
    for quote, deal_title, company, _ in rows:
        key, due = f"quote-expiry:{quote.id}", dates.local_midnight(quote.valid_until, zone)
        total = money.from_minor(quote.total_minor, quote.currency)
        late = quote.valid_until < today
        when = ("expired " if late else "") + ago(quote.valid_until, today)
        sent = f", sent {quote.sent_at.astimezone(zone).date()}" if quote.sent_at else ""
        items.append(
            {
                "key": key,
                "group": "quote_expiring",
                "due_at": due,
                "title": deal_title + (f" ({company})" if company else ""),
                "detail": f"quote {quote.number} valid until {quote.valid_until} ({when}){sent}"
                + unlike.get(quote.id, ""),
                "entity": "deal",
                "entity_id": quote.deal_id,
                "deal_id": quote.deal_id,
                "value": total,
                "currency": quote.currency,
                "stake": money.format_money(total, quote.currency) or None,
                "late": late,
            }
        )
    return items


def _unlike_their_deals(
    session: Session, quotes: list[tuple[Quote, str | None]]
) -> dict[int | None, str]:
    """What to add to the line of each quote that no longer matches its deal (the deal in
    another currency now, or its items not the quote's lines: it cannot be accepted, see
    ``quotes._check_not_lost``), by quote id: the deals' items and the quotes' lines read
    in two queries."""
    deal_ids = {quote.deal_id for quote, _ in quotes if quote.deal_id is not None}
    items: dict[int, list[DealItem]] = {}
    lines: dict[int, list[QuoteLine]] = {}
    for chunk in chunks(sorted(deal_ids), 500):
        for item in session.scalars(select(DealItem).where(col(DealItem.deal_id).in_(chunk))):
            items.setdefault(item.deal_id, []).append(item)
    for chunk in chunks(sorted(q.id for q, _ in quotes if q.id is not None), 500):
        for line in session.scalars(select(QuoteLine).where(col(QuoteLine.quote_id).in_(chunk))):
            lines.setdefault(line.quote_id, []).append(line)
    said: dict[int | None, str] = {}
    for quote, currency in quotes:
        mine = items.get(quote.deal_id or 0, [])
        if currency != quote.currency:
            why = f"the deal is in {currency} now"
        elif sorted(map(line_key, mine)) == sorted(map(line_key, lines.get(quote.id or 0, []))):
            continue
        elif not mine:
            why = "the deal has no items now"
        elif (net := sum(i.net_minor for i in mine)) == quote.net_minor:
            why = "the deal's items changed since (the same net, other lines)"
        else:
            code = quote.currency
            now_net = money.format_money(money.from_minor(net, code), code)
            quoted = money.format_money(money.from_minor(quote.net_minor, code), code)
            why = f"the deal's items come to {now_net} net now, quoted {quoted}"
        said[quote.id] = (
            f"; cannot be accepted: {why}: make a new quote (tinycrm quote create {quote.deal_id})"
        )
    return said


_TARGETS = (
    ("response", "first response", "response_due_at", "first_response_at"),
    ("resolution", "resolution", "resolution_due_at", "resolved_at"),
)


def case_items(
    session: Session,
    now: datetime,
    support: SupportSettings,
    seen: set[tuple[str, datetime]] | None,
) -> list[dict[str, object]]:
    """Unresolved cases past a target (``sla_breached``) or with at most ``[support]
    warn`` of working time left before one (``sla_at_risk``), as due-item rows
    (``reminders.DueItem`` fields), each under its target's due time, so each is told
    once (a case back from pending has a later resolution due time: told again). A
    pending case's resolution clock is stopped (``case_clock``): nothing to tell about
    it, unless it was missed before the case went pending. ``seen``: (key, due time)
    told already (None: all)."""
    from tinycrm.business_hours import format_duration
    from tinycrm.store.case_clock import is_paused, paused_since

    rows = session.execute(
        select(SupportCase, col(Contact.name))
        .outerjoin(Contact, col(SupportCase.contact_id) == col(Contact.id))
        .where(col(SupportCase.status).in_(CASE_UNRESOLVED))
        .order_by(col(SupportCase.id))
    ).all()
    paused = paused_since(session, [case for case, _contact in rows])
    items: list[dict[str, object]] = []
    for case, contact in rows:
        title = f"Case #{case.id} {case.subject}" + (f" ({contact})" if contact else "")
        for name, label, due_attr, met_attr in _TARGETS:
            due: datetime | None = getattr(case, due_attr)
            if due is None or getattr(case, met_attr) is not None:
                continue
            if name == "resolution" and is_paused(due, paused.get(case.id)):
                continue
            # what was told is skipped before the working time is worked out: a day at a
            # time through the business hours, milliseconds for a case years late
            if due <= now:
                key, group = f"case-{name}:{case.id}", "sla_breached"
                if seen is not None and (key, due) in seen:
                    continue
                late = support.hours.between(due, now)
                detail = f"{case.priority}: {label} was due {format_duration(late)} ago"
            else:
                key, group = f"case-{name}-risk:{case.id}", "sla_at_risk"
                if seen is not None and (key, due) in seen:
                    continue
                left = support.hours.between(now, due)
                if left > support.warn:
                    continue
                detail = f"{case.priority}: {label} due in {format_duration(left)} (working time)"
            items.append(
                {
                    "key": key,
                    "group": group,
                    "due_at": due,
                    "title": title,
                    "detail": detail,
                    "entity": "case",
                    "entity_id": case.id,
                    "deal_id": None,
                    "value": None,
                    "currency": None,
                    "stake": None,
                }
            )
    return items

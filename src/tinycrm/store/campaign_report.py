"""What a campaign brought in: members by status, response and conversion rates,
leads, cost per lead, and the deals, won revenue and ROI attributed by first touch (a
contact's ``source`` is the campaign's name) and by last touch (its ``last_touch`` is).
Money is per currency and never summed across currencies; ROI counts won revenue in
the budget's currency only."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlmodel import Session, col

from tinycrm import money
from tinycrm.store.campaign_lookup import (
    RESPONDED,
    Amount,
    CampaignRead,
    Ratio,
    resolve_campaign,
    to_read,
)
from tinycrm.store.engine import Store
from tinycrm.store.models import Campaign, CampaignMember, Contact, Deal, ReadModel
from tinycrm.store.reports.aggregates import known
from tinycrm.store.sums import exact_sum, warn_left_out, whole

_RATE = Decimal("0.0001")


class Attribution(ReadModel):
    """Deals whose contact's first (or last) touch is the campaign."""

    model: str  # "first touch" | "last touch"
    contacts: int  # contacts with that touch
    deals: int
    open_deals: int
    won_deals: int
    lost_deals: int
    won_revenue: dict[str, Amount]  # per currency
    open_value: dict[str, Amount]  # per currency, open deals' amounts
    roi: Ratio | None  # (won revenue − budget) ÷ budget, in the budget's currency
    roi_leaves_out: list[str] = []  # currencies of won revenue ROI cannot count


class CampaignReport(ReadModel):
    campaign: CampaignRead
    members: int
    targeted: int
    sent: int
    responded: int
    converted: int
    responses: int  # responded or converted: every member who answered
    response_rate: Ratio | None  # responses ÷ members
    conversion_rate: Ratio | None  # converted ÷ members
    leads: int  # contacts whose first touch is the campaign, or members who answered
    budget: Amount | None
    currency: str
    cost_per_lead: Amount | None
    first_touch: Attribution
    last_touch: Attribution


def touched_by(session: Session, column: Any, name: str) -> ColumnElement[bool]:
    """``column`` (a contact's source or last touch) names the campaign ``name``, in any
    case (older databases stored sources lowercased): one of the touches written in the
    database that casefold as it does. Folded here, not by the database's lower(), which
    on SQLite folds only A-Z (ÖREBRO FAIR is Örebro fair on every database)."""
    fold = name.casefold()
    written: set[str] = set()
    for touch in (col(Contact.source), col(Contact.last_touch)):
        written.update(session.scalars(select(touch).distinct().where(touch.is_not(None))))
    spellings = sorted(t for t in written if t.casefold() == fold)
    return and_(column.is_not(None), column.in_(spellings))


def _ratio(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return money.divide(part, whole, _RATE)  # exact: a ROI may pass 28 digits


def _attribution(
    session: Session, campaign: Campaign, model: str, column: Any, budget: Decimal | None
) -> Attribution:
    touched = touched_by(session, column, campaign.name)
    contacts = session.scalar(select(func.count(col(Contact.id))).where(touched)) or 0
    rows = session.execute(
        select(
            col(Deal.status),
            col(Deal.currency),
            func.count(col(Deal.id)),
            exact_sum(col(Deal.amount_minor)),
        )
        .join(Contact, col(Contact.id) == col(Deal.contact_id))
        .where(touched)
        .group_by(Deal.status, Deal.currency)
    ).all()
    by_status: Counter[str] = Counter()
    won: dict[str, Decimal] = {}
    open_: dict[str, Decimal] = {}
    for status, currency, n, summed in rows:
        by_status[status] += n
        minor = whole(summed)
        if minor is None:
            continue
        amount = money.from_minor(minor, known(currency))  # 'XYZ' from other SQL: one Error
        if status == "won":
            won[currency] = won.get(currency, Decimal(0)) + amount
        elif status == "open":
            open_[currency] = open_.get(currency, Decimal(0)) + amount
    roi = None
    leaves_out: list[str] = []
    if budget:
        revenue = won.get(campaign.currency, Decimal(0))
        roi = _ratio(revenue - budget, budget)
        leaves_out = sorted(c for c in won if c != campaign.currency)
    return Attribution(
        model=model,
        contacts=contacts,
        deals=sum(by_status.values()),
        open_deals=by_status["open"],
        won_deals=by_status["won"],
        lost_deals=by_status["lost"],
        won_revenue=dict(sorted(won.items())),
        open_value=dict(sorted(open_.items())),
        roi=roi,
        roi_leaves_out=leaves_out,
    )


def campaign_report(store: Store, ref: str | int) -> CampaignReport:
    """Members by status, response and conversion rates, leads, cost per lead, and the
    deals, won revenue and ROI attributed by first touch and by last touch.

    Response rate: members who responded or converted ÷ members. Conversion rate:
    converted ÷ members. Leads: contacts whose first touch is the campaign, or
    members who responded or converted (each counted once). Cost per lead: budget ÷
    leads. ROI: (won revenue in the budget's currency − budget) ÷ budget.
    """
    with store.read() as session:
        warn_left_out(session)  # a deal's amount stored as no number: named, not dropped
        campaign = resolve_campaign(session, ref)
        read = to_read(session, campaign)
        answered = read.responded + read.converted
        answered_ids = select(col(CampaignMember.contact_id)).where(
            col(CampaignMember.campaign_id) == campaign.id,
            col(CampaignMember.status).in_(RESPONDED),
        )
        leads = (
            session.scalar(
                select(func.count(col(Contact.id))).where(
                    or_(
                        touched_by(session, col(Contact.source), campaign.name),
                        col(Contact.id).in_(answered_ids),
                    )
                )
            )
            or 0
        )
        budget = read.budget
        cost_per_lead = None
        if budget is not None and leads:
            places = Decimal(1).scaleb(-money.currency_exponent(campaign.currency))
            cost_per_lead = money.divide(budget, leads, places)
        return CampaignReport(
            campaign=read,
            members=read.members,
            targeted=read.targeted,
            sent=read.sent,
            responded=read.responded,
            converted=read.converted,
            responses=answered,
            response_rate=_ratio(answered, read.members),
            conversion_rate=_ratio(read.converted, read.members),
            leads=leads,
            budget=budget,
            currency=campaign.currency,
            cost_per_lead=cost_per_lead,
            first_touch=_attribution(session, campaign, "first touch", Contact.source, budget),
            last_touch=_attribution(session, campaign, "last touch", Contact.last_touch, budget),
        )

"""Campaigns: who was targeted, who responded, and what it brought in.

A campaign has a name, a channel (email, event, ads, social, direct-mail), dates,
a budget in one currency and notes. Its members are contacts, each targeted,
sent, responded or converted. Contacts marked unsubscribed or do-not-contact are
never added: :func:`add_members` leaves them out and says how many.

:func:`campaign_report` attributes deals to a campaign through their contact's
touches: by first touch (the contact's ``source`` is the campaign's name) and by
last touch (its ``last_touch`` is). Money is per currency and never summed
across currencies; ROI counts won revenue in the budget's currency only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Select,
    and_,
    delete,
    false,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlmodel import Session, col

from tinycrm import money
from tinycrm.store import validate
from tinycrm.store.contacts import link_contact, resolve_contact
from tinycrm.store.engine import Store, chunks
from tinycrm.store.errors import Conflict, Invalid, NotFound
from tinycrm.store.filter_sql import resolve_where
from tinycrm.store.models import Campaign, CampaignMember, Company, Contact, Deal, ReadModel
from tinycrm.store.records import UNSET, Unset, is_set, record_event
from tinycrm.store.refs import lock_row, resolve
from tinycrm.store.sums import exact_sum, whole
from tinycrm.store.types import Number, utcnow
from tinycrm.vocab import DEFAULT_CURRENCY, plural

ENTITY = "campaign"
CHANNELS = ("email", "event", "ads", "social", "direct-mail")
MEMBER_STATUSES = ("targeted", "sent", "responded", "converted")
RESPONDED = ("responded", "converted")  # a member who answered (converted ones did too)
_RATE = Decimal("0.0001")


Amount = Number
Ratio = Number  # 0.25 is 25%


# --------------------------------------------------------------------------- read models


class CampaignRead(ReadModel):
    id: int
    name: str
    channel: str
    starts_on: date | None
    ends_on: date | None
    budget: Amount | None
    currency: str
    notes: str | None
    members: int = 0
    targeted: int = 0
    sent: int = 0
    responded: int = 0
    converted: int = 0
    created_at: datetime


class MemberRead(ReadModel):
    contact_id: int
    name: str
    email: str | None
    company: str | None
    status: str
    unsubscribed: bool
    do_not_contact: bool
    added_at: datetime
    updated_at: datetime


class CampaignView(ReadModel):
    campaign: CampaignRead
    members: list[MemberRead]


class MembersAdded(ReadModel):
    """What ``campaign add-members`` did."""

    campaign: str
    added: int
    already: int  # were members before
    left_out: int  # unsubscribed or do-not-contact (a contact with both counts once)
    unsubscribed: int
    do_not_contact: int
    left_out_named: list[str] = []  # contacts named by REF that were left out


class MembersChanged(ReadModel):
    """What ``campaign status`` or ``campaign remove-members`` did."""

    campaign: str
    status: str | None  # the new status (None: removed)
    changed: int
    unchanged: int


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


# --------------------------------------------------------------------------- helpers


def resolve_campaign(session: Session, ref: str | int) -> Campaign:
    """The campaign a REF names: id or name (case-insensitive)."""
    return resolve(
        session,
        Campaign,
        ref,
        what="campaign",
        keys=[(Campaign.name_key, validate.key)],
        describe=lambda c: f"#{c.id} {c.name}",
    )


def _locked(session: Session, ref: str | int, *, edit: bool = False, key: bool = False) -> Campaign:
    """The campaign a REF names, locked until the transaction ends (``lock_row``; with
    ``edit`` as an edit locks it, with ``key`` only kept from being deleted): one deleted
    by the ``campaign rm`` it waited for is ``NotFound``."""
    campaign = resolve_campaign(session, ref)
    return lock_row(session, campaign, "campaign", campaign.name, edit=edit, key=key)


def _channel(value: str | None) -> str:
    found = validate.choice(value, CHANNELS, "channel")
    if found is None:
        raise Invalid(f"a campaign needs a channel ({', '.join(CHANNELS)})")
    return found


def _status(value: str) -> str:
    found = validate.choice(value, MEMBER_STATUSES, "member status")
    if found is None:
        raise Invalid(f"member status must not be empty ({', '.join(MEMBER_STATUSES)})")
    return found


def _budget(
    budget: Decimal | str | int | None, currency: str | None, fallback: str = DEFAULT_CURRENCY
) -> tuple[int | None, str | None]:
    """Minor units and currency of a budget: the currency written with the amount
    (``"$5,000"``), else ``currency``, else ``fallback``; the two may not disagree."""
    if budget is None or (isinstance(budget, str) and not budget.strip()):
        return None, validate.currency(currency) if currency else None
    return validate.money_minor(budget, currency, default=fallback, field="budget")


def _dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise Invalid(f"the campaign ends ({ends_on}) before it starts ({starts_on})")


def _counts(session: Session, ids: Sequence[int] | None) -> dict[int, Counter[str]]:
    query = select(
        col(CampaignMember.campaign_id), col(CampaignMember.status), func.count()
    ).group_by(col(CampaignMember.campaign_id), col(CampaignMember.status))
    if ids is not None:
        query = query.where(col(CampaignMember.campaign_id).in_(ids))
    out: dict[int, Counter[str]] = {}
    for campaign_id, status, n in session.execute(query):
        out.setdefault(campaign_id, Counter())[status] = n
    return out


def _read(campaign: Campaign, counts: Counter[str] | None = None) -> CampaignRead:
    counts = counts or Counter()
    assert campaign.id is not None
    budget = (
        money.from_minor(campaign.budget_minor, campaign.currency)
        if campaign.budget_minor is not None
        else None
    )
    return CampaignRead(
        id=campaign.id,
        name=campaign.name,
        channel=campaign.channel,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        budget=budget,
        currency=campaign.currency,
        notes=campaign.notes,
        members=sum(counts.values()),
        created_at=campaign.created_at,
        **{status: counts.get(status, 0) for status in MEMBER_STATUSES},
    )


def to_read(session: Session, campaign: Campaign) -> CampaignRead:
    assert campaign.id is not None
    return _read(campaign, _counts(session, [campaign.id]).get(campaign.id))


def _check_name(session: Session, name: str, exclude: int | None = None) -> str:
    key = validate.key(name)
    query = select(Campaign).where(col(Campaign.name_key) == key)
    if exclude is not None:
        query = query.where(col(Campaign.id) != exclude)
    other = session.scalars(query).first()
    if other is not None:
        raise Conflict(f"a campaign named {other.name} already exists (#{other.id})")
    return key


# --------------------------------------------------------------------------- campaigns


def add_campaign(
    store: Store,
    *,
    name: str,
    channel: str,
    starts_on: date | None = None,
    ends_on: date | None = None,
    budget: Decimal | str | int | None = None,
    currency: str | None = None,
    notes: str | None = None,
) -> CampaignRead:
    """Create a campaign. The name is unique (case-insensitive); the budget is an
    amount in ``currency`` (default: the one written with it, else EUR)."""
    clean_name = validate.name(name, "campaign name")
    clean_channel = _channel(channel)
    _dates(starts_on, ends_on)
    budget_minor, code = _budget(budget, currency)
    with store.write() as session:
        key = _check_name(session, clean_name)
        now = utcnow()
        campaign = Campaign(
            name=clean_name,
            name_key=key,
            channel=clean_channel,
            starts_on=starts_on,
            ends_on=ends_on,
            budget_minor=budget_minor,
            currency=code or DEFAULT_CURRENCY,
            notes=validate.optional_text(notes, "notes", multiline=True),
            created_at=now,
        )
        session.add(campaign)
        session.flush()
        shown = money.format_money(
            money.from_minor(budget_minor, campaign.currency) if budget_minor is not None else None,
            campaign.currency,
        )
        record_event(
            store,
            session,
            action="created",
            entity=ENTITY,
            entity_id=campaign.id,
            summary=f"created {clean_channel} campaign {clean_name}"
            + (f" (budget {shown})" if shown else ""),
        )
        return to_read(session, campaign)


def edit_campaign(
    store: Store,
    ref: str | int,
    *,
    name: str | Unset = UNSET,
    channel: str | Unset | None = UNSET,
    starts_on: date | Unset | None = UNSET,
    ends_on: date | Unset | None = UNSET,
    budget: Decimal | int | str | Unset | None = UNSET,
    currency: str | Unset | None = UNSET,
    notes: str | Unset | None = UNSET,
) -> CampaignRead:
    """Change a campaign. Parameters left out are kept; ``None`` clears dates, budget
    and notes. A new currency without a new budget keeps the amount as written."""
    with store.write() as session:
        campaign = _locked(session, ref, edit=True)  # a campaign rm: waited for, NotFound
        changes: list[str] = []

        def put(attr: str, value: Any, label: str) -> None:
            if getattr(campaign, attr) != value:
                setattr(campaign, attr, value)
                changes.append(label)

        if is_set(name):
            clean = validate.name(name, "campaign name")
            campaign.name_key = _check_name(session, clean, exclude=campaign.id)
            put("name", clean, "name")
        if is_set(channel):
            put("channel", _channel(channel), "channel")
        if is_set(starts_on):
            put("starts_on", starts_on, "start")
        if is_set(ends_on):
            put("ends_on", ends_on, "end")
        _dates(campaign.starts_on, campaign.ends_on)
        if is_set(budget) or is_set(currency):
            code = currency if is_set(currency) and currency else None
            if is_set(budget):
                minor, found = _budget(budget, code, fallback=campaign.currency)
            else:  # the same amount, now in another currency
                old = campaign.budget_minor
                amount = money.from_minor(old, campaign.currency) if old is not None else None
                minor, found = _budget(amount, code, fallback=campaign.currency)
            put("budget_minor", minor, "budget")
            put("currency", found or campaign.currency, "currency")
        if is_set(notes):
            put("notes", validate.optional_text(notes, "notes", multiline=True), "notes")
        if changes:
            record_event(
                store,
                session,
                action="updated",
                entity=ENTITY,
                entity_id=campaign.id,
                summary=f"updated campaign {campaign.name}: {', '.join(changes)}",
            )
        session.flush()
        return to_read(session, campaign)


def remove_campaign(store: Store, ref: str | int) -> CampaignRead:
    """Delete a campaign and its member list. Contacts, their touches (source, last
    touch) and activities stay."""
    with store.write() as session:
        campaign = _locked(session, ref)  # members added meanwhile go with it
        read = to_read(session, campaign)
        session.execute(
            delete(CampaignMember).where(col(CampaignMember.campaign_id) == campaign.id)
        )
        session.delete(campaign)
        record_event(
            store,
            session,
            action="deleted",
            entity=ENTITY,
            entity_id=read.id,
            summary=f"deleted campaign {read.name} ({plural(read.members, 'member')})",
        )
        return read


def list_campaigns(store: Store) -> list[CampaignRead]:
    """Every campaign, newest start first (undated ones last), with member counts."""
    with store.read() as session:
        rows = list(session.scalars(select(Campaign)))
        counts = _counts(session, None)
        rows.sort(
            key=lambda c: (
                c.starts_on is None,
                -(c.starts_on or date.min).toordinal(),
                c.name_key,
            )
        )
        return [_read(c, counts.get(c.id or 0)) for c in rows]


def get_campaign(store: Store, ref: str | int) -> CampaignRead:
    """One campaign by id or name."""
    with store.read() as session:
        return to_read(session, resolve_campaign(session, ref))


def campaign_view(store: Store, ref: str | int, *, status: str | None = None) -> CampaignView:
    """A campaign with its members (by name), optionally only those with ``status``."""
    with store.read() as session:
        campaign = resolve_campaign(session, ref)
        query: Select[*tuple[Any, ...]] = (
            select(
                col(CampaignMember.contact_id),
                col(Contact.name),
                col(Contact.email),
                col(Company.name).label("company"),
                col(CampaignMember.status),
                col(Contact.unsubscribed),
                col(Contact.do_not_contact),
                col(CampaignMember.added_at),
                col(CampaignMember.updated_at),
            )
            .join(Contact, col(Contact.id) == col(CampaignMember.contact_id))
            .outerjoin(Company, col(Company.id) == col(Contact.company_id))
            .where(col(CampaignMember.campaign_id) == campaign.id)
            .order_by(col(Contact.sort_key), col(Contact.id))
        )
        if status:
            query = query.where(col(CampaignMember.status) == _status(status))
        result = session.execute(query)
        keys = list(result.keys())
        members = [MemberRead(**dict(zip(keys, row, strict=True))) for row in result]
        return CampaignView(campaign=to_read(session, campaign), members=members)


# --------------------------------------------------------------------------- members


def add_members(
    store: Store,
    ref: str | int,
    *,
    contacts: Iterable[str | int] = (),
    where: str | None = None,
    segment: str | None = None,
) -> MembersAdded:
    """Add contacts (by REF, and/or every contact matching ``where`` and ``segment``)
    as targeted members. Contacts marked unsubscribed or do-not-contact are never
    added: the result says how many were left out. Members already there keep
    their status. One event."""
    refs = list(contacts)
    if not refs and where is None and segment is None:
        raise Invalid("name contacts to add, or give --segment or --where")
    with store.write() as session:
        campaign = _locked(session, ref, key=True)  # not deleted before they are added
        named = {link_contact(session, r).id for r in refs}  # none deleted meanwhile
        chosen: ColumnElement[bool] = col(Contact.id).in_(named) if named else false()
        if where is not None or segment is not None:
            chosen = or_(
                chosen, resolve_where(store, session, "contact", where=where, segment=segment)
            )
        candidates = session.execute(
            select(
                col(Contact.id),
                col(Contact.name),
                col(Contact.unsubscribed),
                col(Contact.do_not_contact),
            )
            .where(chosen)
            .with_for_update(read=True, key_share=True)  # a contact rm waits, or goes first
        ).all()
        members = set(
            session.scalars(
                select(col(CampaignMember.contact_id)).where(
                    col(CampaignMember.campaign_id) == campaign.id
                )
            )
        )
        unsubscribed = sum(1 for row in candidates if row.unsubscribed)
        do_not_contact = sum(1 for row in candidates if row.do_not_contact)
        left_out = [row for row in candidates if row.unsubscribed or row.do_not_contact]
        eligible = [row.id for row in candidates if not (row.unsubscribed or row.do_not_contact)]
        new = sorted(set(eligible) - members)
        now = utcnow()
        for part in chunks(new, 2000):
            session.execute(
                insert(CampaignMember),
                [
                    {
                        "campaign_id": campaign.id,
                        "contact_id": contact_id,
                        "status": "targeted",
                        "added_at": now,
                        "updated_at": now,
                    }
                    for contact_id in part
                ],
            )
        result = MembersAdded(
            campaign=campaign.name,
            added=len(new),
            already=len(set(eligible) & members),
            left_out=len(left_out),
            unsubscribed=unsubscribed,
            do_not_contact=do_not_contact,
            left_out_named=[row.name for row in left_out if row.id in named],
        )
        if new:  # nothing written, nothing to record
            summary = f"added {plural(len(new), 'member')} to campaign {campaign.name}"
            if left_out:
                summary += f" ({len(left_out)} left out: unsubscribed or do not contact)"
            record_event(
                store,
                session,
                action="updated",
                entity=ENTITY,
                entity_id=campaign.id,
                summary=summary,
            )
        return result


def _member_ids(session: Session, campaign: Campaign, refs: Sequence[str | int]) -> list[int]:
    """The contact ids REFs name, each of which must be a member of ``campaign``."""
    ids: list[int] = []
    for ref in refs:
        contact = resolve_contact(session, ref)
        found = session.scalar(
            select(col(CampaignMember.id)).where(
                col(CampaignMember.campaign_id) == campaign.id,
                col(CampaignMember.contact_id) == contact.id,
            )
        )
        if found is None:
            raise NotFound(f"{contact.name} is not a member of campaign {campaign.name}")
        assert contact.id is not None
        ids.append(contact.id)
    return ids


def set_member_status(
    store: Store,
    ref: str | int,
    *,
    status: str,
    contacts: Sequence[str | int] = (),
    all_targeted: bool = False,
) -> MembersChanged:
    """Set the status (targeted, sent, responded, converted) of members named by REF,
    and with ``all_targeted`` of every member still targeted (``sent`` after a mailing).

    A member who responds or converts has been touched by the campaign: the
    contact's last touch becomes the campaign's name, and its source (first touch)
    too when it has none. One event.
    """
    clean = _status(status)
    if not contacts and not all_targeted:
        raise Invalid("name the members (contacts) to change, or give --all-targeted")
    with store.write() as session:
        campaign = _locked(session, ref, key=True)  # not deleted meanwhile
        ids = _member_ids(session, campaign, contacts)
        picked: list[ColumnElement[bool]] = [col(CampaignMember.contact_id).in_(ids)] if ids else []
        if all_targeted:
            picked.append(col(CampaignMember.status) == "targeted")
        target = and_(col(CampaignMember.campaign_id) == campaign.id, or_(*picked))
        total = session.scalar(select(func.count()).select_from(CampaignMember).where(target))
        moving = and_(target, col(CampaignMember.status) != clean)
        now = utcnow()
        if clean in RESPONDED:
            _touch(session, campaign, select(col(CampaignMember.contact_id)).where(moving), now)
        changed = cast(
            CursorResult[Any],
            session.execute(
                update(CampaignMember)
                .where(moving)
                .values(status=clean, updated_at=now)
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        if changed:
            record_event(
                store,
                session,
                action="updated",
                entity=ENTITY,
                entity_id=campaign.id,
                summary=f"{plural(changed, 'member')} of campaign {campaign.name} now {clean}",
            )
        return MembersChanged(
            campaign=campaign.name, status=clean, changed=changed, unchanged=(total or 0) - changed
        )


def _touch(session: Session, campaign: Campaign, contact_ids: Any, now: datetime) -> None:
    """The campaign touched these contacts: their last touch, and first when none."""
    ids = contact_ids
    session.execute(
        update(Contact)
        .where(
            col(Contact.id).in_(ids),
            or_(col(Contact.last_touch).is_(None), col(Contact.last_touch) != campaign.name),
        )
        .values(last_touch=campaign.name, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Contact)
        .where(
            col(Contact.id).in_(ids), or_(col(Contact.source).is_(None), col(Contact.source) == "")
        )
        .values(source=campaign.name, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def remove_members(
    store: Store, ref: str | int, *, contacts: Sequence[str | int]
) -> MembersChanged:
    """Take contacts off a campaign's member list (each must be a member). One event."""
    if not contacts:
        raise Invalid("name the members (contacts) to remove")
    with store.write() as session:
        campaign = _locked(session, ref, key=True)  # not deleted meanwhile
        ids = _member_ids(session, campaign, contacts)
        removed = cast(
            CursorResult[Any],
            session.execute(
                delete(CampaignMember)
                .where(
                    col(CampaignMember.campaign_id) == campaign.id,
                    col(CampaignMember.contact_id).in_(ids),
                )
                .execution_options(synchronize_session=False)
            ),
        ).rowcount
        record_event(
            store,
            session,
            action="updated",
            entity=ENTITY,
            entity_id=campaign.id,
            summary=f"removed {plural(removed, 'member')} from campaign {campaign.name}",
        )
        return MembersChanged(campaign=campaign.name, status=None, changed=removed, unchanged=0)


# --------------------------------------------------------------------------- report


def touched_by(column: Any, name: str) -> ColumnElement[bool]:
    """``column`` (a contact's source or last touch) names the campaign ``name``, in any
    case (older databases stored sources lowercased)."""
    exact = sorted({name, name.lower(), name.casefold()})
    return and_(column.is_not(None), or_(column.in_(exact), func.lower(column) == name.lower()))


def _ratio(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(_RATE, rounding=ROUND_HALF_UP)


def _attribution(
    session: Session, campaign: Campaign, model: str, column: Any, budget: Decimal | None
) -> Attribution:
    touched = touched_by(column, campaign.name)
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
        amount = money.from_minor(minor, currency)
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
                        touched_by(col(Contact.source), campaign.name),
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
            cost_per_lead = (budget / leads).quantize(places, rounding=ROUND_HALF_UP)
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


__all__ = [
    "CHANNELS",
    "MEMBER_STATUSES",
    "Attribution",
    "CampaignRead",
    "CampaignReport",
    "CampaignView",
    "MemberRead",
    "MembersAdded",
    "MembersChanged",
    "add_campaign",
    "add_members",
    "campaign_report",
    "campaign_view",
    "edit_campaign",
    "get_campaign",
    "list_campaigns",
    "remove_campaign",
    "remove_members",
    "resolve_campaign",
    "set_member_status",
    "touched_by",
]

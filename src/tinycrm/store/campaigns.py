"""Campaigns: who was targeted, who responded, and what it brought in.

A campaign has a name, a channel (email, event, ads, social, direct-mail), dates,
a budget in one currency and notes. Its members are contacts, each targeted,
sent, responded or converted. Contacts marked unsubscribed or do-not-contact are
never added: :func:`add_members` leaves them out and says how many.

:func:`campaign_report` attributes deals to a campaign through their contact's
touches: by first touch (the contact's ``source`` is the campaign's name) and by
last touch (its ``last_touch`` is). Money is per currency and never summed
across currencies; ROI counts won revenue in the budget's currency only.

This module keeps the campaigns themselves; the members are in ``campaign_members``,
the report in ``campaign_report``, what they share in ``campaign_lookup``. Every name
above is importable from here.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, update
from sqlmodel import Session, col

from tinycrm import filters, money
from tinycrm.store import validate
from tinycrm.store.campaign_lookup import (
    CHANNELS,
    ENTITY,
    MEMBER_STATUSES,
    CampaignRead,
    CampaignRemoval,
    lock_campaign,
    member_counts,
    member_status,
    read_campaign,
    resolve_campaign,
    to_read,
)
from tinycrm.store.campaign_members import (
    MembersAdded,
    MembersChanged,
    add_members,
    remove_members,
    set_member_status,
)
from tinycrm.store.campaign_report import (
    Attribution,
    CampaignReport,
    campaign_report,
    touched_by,
)
from tinycrm.store.engine import Store
from tinycrm.store.errors import Conflict, Invalid
from tinycrm.store.filter_renames import anew, rewrite_filters
from tinycrm.store.models import Campaign, CampaignMember, Company, Contact, ReadModel
from tinycrm.store.records import UNSET, Unset, is_set, record_event
from tinycrm.store.types import utcnow
from tinycrm.vocab import DEFAULT_CURRENCY, plural


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


def _channel(value: str | None) -> str:
    found = validate.choice(value, CHANNELS, "channel")
    if found is None:
        raise Invalid(f"a campaign needs a channel ({', '.join(CHANNELS)})")
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


def _kept_budget(session: Session, campaign: Campaign) -> None:
    """``Invalid`` when ``campaign``'s budget is stored as no whole number of minor units
    (other SQL): a new currency alone keeps the amount, which it cannot."""
    from tinycrm.store.odd_amounts import odd_rows

    for record_id, _, stored in odd_rows(session, "campaign"):
        if record_id == campaign.id:
            raise Invalid(
                f"campaign #{record_id} {campaign.name}: its budget is stored as "
                f"{repr(stored['budget_minor'])[:40]}, not a whole number of minor units "
                "(written by other SQL?): give it with the new currency (--budget)",
                field="budget",
            )


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
    and notes. A new currency without a new budget keeps the amount as written. A new
    name carries the campaign's touches along: contacts whose source or last touch named
    it name it anew."""
    with store.write() as session:
        campaign = lock_campaign(session, ref, edit=True)  # a campaign rm: waited for, NotFound
        changes: list[str] = []

        def put(attr: str, value: Any, label: str) -> None:
            if getattr(campaign, attr) != value:
                setattr(campaign, attr, value)
                changes.append(label)

        if is_set(name):
            clean = validate.name(name, "campaign name")
            campaign.name_key = _check_name(session, clean, exclude=campaign.id)
            was = campaign.name
            put("name", clean, "name")
            if clean != was and (moved := _rename_touches(session, was, clean)):
                changes[-1] += f" (the touches of {plural(moved, 'contact')} follow it)"
            if clean != was:
                key = validate.key(was)
                named = rewrite_filters(
                    session, lambda text: filters.renamed_campaign(text, key, clean, validate.key)
                )
                changes[-1] += anew(named)
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
                if old is None:  # none, or one other SQL stored as no number (named)
                    _kept_budget(session, campaign)
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


def _rename_touches(session: Session, old: str, new: str) -> int:
    """Contacts whose source or last touch names the campaign ``old`` (any case, as the
    report reads them) name it ``new``: a renamed campaign keeps what it brought in.
    How many contacts changed."""
    now = utcnow()
    touched = or_(
        touched_by(session, col(Contact.source), old),
        touched_by(session, col(Contact.last_touch), old),
    )
    count = session.scalar(select(func.count(col(Contact.id))).where(touched)) or 0
    for column in ("source", "last_touch"):
        session.execute(
            update(Contact)
            .where(touched_by(session, getattr(Contact, column), old))
            .values({column: new, "updated_at": now})
            .execution_options(synchronize_session=False)
        )
    return count


def remove_campaign(store: Store, ref: str | int) -> CampaignRemoval:
    """Delete a campaign and its member list. Contacts, their touches (source, last
    touch) and activities stay; saved segments and scoring rules that test it are left
    as they are, and named."""
    with store.write() as session:
        campaign = lock_campaign(session, ref)  # members added meanwhile go with it
        key = validate.key(campaign.name)
        named = rewrite_filters(
            session,
            lambda text: filters.renamed_campaign(text, key, campaign.name, validate.key),
            change=False,
        )
        read = CampaignRemoval(**to_read(session, campaign).model_dump(), still_named_by=named)
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
        counts = member_counts(session, None)
        rows.sort(
            key=lambda c: (
                c.starts_on is None,
                -(c.starts_on or date.min).toordinal(),
                c.name_key,
            )
        )
        return [read_campaign(c, counts.get(c.id or 0)) for c in rows]


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
        if status is not None:
            query = query.where(col(CampaignMember.status) == member_status(status))
        result = session.execute(query)
        keys = list(result.keys())
        members = [MemberRead(**dict(zip(keys, row, strict=True))) for row in result]
        return CampaignView(campaign=to_read(session, campaign), members=members)


__all__ = [
    "CHANNELS",
    "MEMBER_STATUSES",
    "Attribution",
    "CampaignRead",
    "CampaignRemoval",
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

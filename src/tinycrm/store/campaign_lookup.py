"""A campaign found by REF and read with its member counts, and the vocabularies of
campaigns and their members: what ``campaigns``, ``campaign_members`` and
``campaign_report`` share."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from tinycrm import money
from tinycrm.store import validate
from tinycrm.store.errors import Invalid
from tinycrm.store.models import Campaign, CampaignMember, ReadModel
from tinycrm.store.refs import lock_row, resolve
from tinycrm.store.types import Number

ENTITY = "campaign"
CHANNELS = ("email", "event", "ads", "social", "direct-mail")
MEMBER_STATUSES = ("targeted", "sent", "responded", "converted")
RESPONDED = ("responded", "converted")  # a member who answered (converted ones did too)


Amount = Number
Ratio = Number  # 0.25 is 25%


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
    created_at: datetime | None  # None: unreadable (other SQL wrote no time)


class CampaignRemoval(CampaignRead):
    """A campaign as it was when removed, and the saved segments and scoring rules that
    test it still (``segment NAME``, ``scoring rule NAME``): they match nothing now."""

    still_named_by: list[str] = []


def resolve_campaign(session: Session, ref: str | int) -> Campaign:
    """The campaign a REF names: id or name (case-insensitive)."""
    return resolve(
        session,
        Campaign,
        ref,
        what="campaign",
        keys=[(Campaign.name_key, validate.key)],
        describe=lambda c: f"#{c.id} {c.name}",
        near=validate.sql_folded(Campaign.name_key),
        spelt=Campaign.name_key,
    )


def lock_campaign(
    session: Session, ref: str | int, *, edit: bool = False, key: bool = False
) -> Campaign:
    """The campaign a REF names, locked until the transaction ends (``lock_row``; with
    ``edit`` as an edit locks it, with ``key`` only kept from being deleted): one deleted
    by the ``campaign rm`` it waited for is ``NotFound``."""
    campaign = resolve_campaign(session, ref)
    return lock_row(session, campaign, "campaign", campaign.name, edit=edit, key=key)


def member_status(value: str) -> str:
    found = validate.choice(value, MEMBER_STATUSES, "member status")
    if found is None:
        raise Invalid(f"member status must not be empty ({', '.join(MEMBER_STATUSES)})")
    return found


def member_counts(session: Session, ids: Sequence[int] | None) -> dict[int, Counter[str]]:
    query = select(
        col(CampaignMember.campaign_id), col(CampaignMember.status), func.count()
    ).group_by(col(CampaignMember.campaign_id), col(CampaignMember.status))
    if ids is not None:
        query = query.where(col(CampaignMember.campaign_id).in_(ids))
    out: dict[int, Counter[str]] = {}
    for campaign_id, status, n in session.execute(query):
        out.setdefault(campaign_id, Counter())[status] = n
    return out


def read_campaign(campaign: Campaign, counts: Counter[str] | None = None) -> CampaignRead:
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
    return read_campaign(campaign, member_counts(session, [campaign.id]).get(campaign.id))

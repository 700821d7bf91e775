"""Who a campaign targets: adding contacts (never the unsubscribed or do-not-contact),
their status as the campaign goes (targeted, sent, responded, converted), taking them
off. A member who responds touches the contact: its last touch, and first when none."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
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

from tinycrm.store.campaign_lookup import ENTITY, RESPONDED, lock_campaign, member_status
from tinycrm.store.contacts import link_contact, resolve_contact
from tinycrm.store.engine import Store, chunks
from tinycrm.store.errors import Invalid, NotFound
from tinycrm.store.filter_sql import resolve_where
from tinycrm.store.models import Campaign, CampaignMember, Contact, ReadModel
from tinycrm.store.records import record_event
from tinycrm.store.types import utcnow
from tinycrm.vocab import plural


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
        # edit: two of them take turns, the second seeing the members the first added
        campaign = lock_campaign(session, ref, edit=True)
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
    clean = member_status(status)
    if not contacts and not all_targeted:
        raise Invalid("name the members (contacts) to change, or give --all-targeted")
    with store.write() as session:
        campaign = lock_campaign(session, ref, key=True)  # not deleted meanwhile
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
        campaign = lock_campaign(session, ref, key=True)  # not deleted meanwhile
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

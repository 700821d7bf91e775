"""A contact's last touch after one of its touches is deleted or re-timed (``activity
rm``, ``activity edit --at``): what ``leads.record_touch`` set when it was logged, set
again from the touches left, in the edit's transaction.

A touch is an activity logged through a campaign or a channel; the contact's
``last_touch`` is the name of the latest (its campaign's, else its channel). Only a last
touch this touch made is taken back (one typed, imported or set by a campaign send
stays), and a touch moved after the latest becomes the last touch. The first touch
(``source``) is kept: it may have been typed, and it was the first all the same."""

from __future__ import annotations

from contextlib import suppress

from sqlalchemy import select
from sqlmodel import Session, col, or_

from tinycrm.store.models import Activity, Campaign, Contact
from tinycrm.store.types import utcnow

__all__ = ["LastTouch", "lock_touched"]


def _name(session: Session, touch: Activity | None) -> str | None:
    if touch is None:
        return None
    if touch.campaign_id is not None:
        campaign = session.get(Campaign, touch.campaign_id)
        if campaign is not None:
            return campaign.name
    return touch.channel


def _latest(
    session: Session, contact_id: int, *, leaving_out: int | None = None
) -> Activity | None:
    query = select(Activity).where(
        col(Activity.contact_id) == contact_id,
        or_(col(Activity.campaign_id).is_not(None), col(Activity.channel).is_not(None)),
    )
    if leaving_out is not None:
        query = query.where(col(Activity.id) != leaving_out)
    order = (col(Activity.occurred_at).desc(), col(Activity.id).desc())
    return session.scalars(query.order_by(*order).limit(1)).first()


def lock_touched(session: Session, activity: Activity) -> None:
    """Before ``activity`` is locked to change its time or delete it: the contact whose
    last touch may follow, locked as an edit locks it, in the order a ``contact rm``
    takes them (the contact, then its activities), so they take turns instead of
    deadlocking (PostgreSQL). A contact deleted meanwhile is not an error."""
    from tinycrm.store.errors import NotFound
    from tinycrm.store.refs import lock_row

    touch = activity.campaign_id is not None or activity.channel is not None
    if not touch or activity.contact_id is None:
        return
    contact = session.get(Contact, activity.contact_id)
    if contact is not None:
        with suppress(NotFound):
            lock_row(session, contact, "contact", contact.name, edit=True)


class LastTouch:
    """Made before the change of ``activity``, :meth:`after` it (flushed, or with
    ``gone`` for a delete): sets the contact's last touch again when it follows."""

    def __init__(self, session: Session, activity: Activity) -> None:
        self.session, self.activity = session, activity
        touch = activity.campaign_id is not None or activity.channel is not None
        self.contact = (
            session.get(Contact, activity.contact_id)
            if touch and activity.contact_id is not None
            else None
        )
        self.was_last = False
        if self.contact is not None and self.contact.id is not None:
            latest = _latest(session, self.contact.id)
            self.was_last = (
                latest is not None
                and latest.id == activity.id
                and self.contact.last_touch == _name(session, activity)
            )

    def after(self, *, gone: bool = False) -> None:
        contact = self.contact
        if contact is None or contact.id is None:
            return
        latest = _latest(self.session, contact.id, leaving_out=self.activity.id if gone else None)
        if not self.was_last and (gone or latest is None or latest.id != self.activity.id):
            return
        name = _name(self.session, latest)
        if contact.last_touch != name:
            contact.last_touch = name
            contact.updated_at = utcnow()

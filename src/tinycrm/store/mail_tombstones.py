"""Mailbox emails deleted from the CRM stay deleted: ``activity rm`` of an email that
``mail sync`` or ``mail import`` logged leaves a tombstone (:class:`MailTombstone`: the
message's key for that contact, and its Date), and the mail log counts a message under
a tombstone's key as logged (:class:`~tinycrm.store.mail_log.MailLogger`), telling
the run it was deleted rather than logged already. ``mail import --undelete`` logs such
a message again, and lifts its tombstone. A dump (``export all``) carries them, so a
restored database does not log deleted mail again either; a contact's tombstones go
with the contact, and move with its activities when it is merged into another."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlmodel import Session, col

from tinycrm.store.log_models import MailTombstone
from tinycrm.store.mail_text import is_mail_body, sent_on
from tinycrm.store.models import Activity
from tinycrm.store.types import utcnow

__all__ = [
    "burials",
    "buried_dates",
    "buried_pairs",
    "bury",
    "is_buried",
    "lift",
    "move_tombstones",
]


def bury(session: Session, activity: Activity) -> bool:
    """Leave the tombstone of ``activity`` (being deleted) when it is an email logged
    from a mailbox for a contact; whether it is one."""
    if activity.mail_key is None or activity.contact_id is None:
        return False
    found = session.scalars(
        select(col(MailTombstone.id)).where(
            col(MailTombstone.mail_key) == activity.mail_key,
            col(MailTombstone.contact_id) == activity.contact_id,
        )
    ).first()
    if found is None:
        dated = sent_on(activity.occurred_at, activity.body)  # its Date, believed or not
        if dated is None and not is_mail_body(activity.body):
            dated = activity.occurred_at  # its text edited: the date it was logged under
        session.add(
            MailTombstone(
                mail_key=activity.mail_key,
                contact_id=activity.contact_id,
                dated_at=dated,
                deleted_at=utcnow(),
            )
        )
    return True


def buried_pairs(session: Session, keys: Collection[str]) -> Iterable[tuple[str, int]]:
    """(key, contact id) of each tombstone under one of ``keys``."""
    query = select(col(MailTombstone.mail_key), col(MailTombstone.contact_id)).where(
        col(MailTombstone.mail_key).in_(keys)
    )
    return [(key, contact_id) for key, contact_id in session.execute(query)]


def is_buried(session: Session, keys: Collection[str], contact_id: int) -> bool:
    """Whether the contact has a tombstone under one of ``keys``."""
    return (
        session.scalars(
            select(col(MailTombstone.id)).where(
                col(MailTombstone.mail_key).in_(keys), col(MailTombstone.contact_id) == contact_id
            )
        ).first()
        is not None
    )


def buried_dates(session: Session, keys: Collection[str], contact_id: int) -> list[datetime | None]:
    """The Date of each message deleted for the contact under one of ``keys``, believed
    or not (None: one without a Date that reads), as the mail log compares logged ones."""
    return [
        when if when is None or when.tzinfo else when.replace(tzinfo=UTC)
        for when in session.scalars(
            select(col(MailTombstone.dated_at)).where(
                col(MailTombstone.mail_key).in_(keys), col(MailTombstone.contact_id) == contact_id
            )
        )
    ]


def burials(session: Session, key: str, contact_id: int) -> list[datetime]:
    """When each message under ``key`` was deleted for the contact."""
    return [
        when if when.tzinfo else when.replace(tzinfo=UTC)
        for when in session.scalars(
            select(col(MailTombstone.deleted_at)).where(
                col(MailTombstone.mail_key) == key, col(MailTombstone.contact_id) == contact_id
            )
        )
    ]


def lift(session: Session, key: str, contact_id: int) -> None:
    """The tombstone of ``key`` for the contact goes: the message is logged again."""
    session.execute(
        delete(MailTombstone).where(
            col(MailTombstone.mail_key) == key, col(MailTombstone.contact_id) == contact_id
        )
    )


def move_tombstones(session: Session, from_id: int, to_id: int) -> None:
    """A merge: ``from_id``'s tombstones become ``to_id``'s (those it has already stay
    its own), as its mail does."""
    have = select(col(MailTombstone.mail_key)).where(col(MailTombstone.contact_id) == to_id)
    session.execute(
        update(MailTombstone)
        .where(col(MailTombstone.contact_id) == from_id, col(MailTombstone.mail_key).not_in(have))
        .values(contact_id=to_id)
        .execution_options(synchronize_session=False)
    )

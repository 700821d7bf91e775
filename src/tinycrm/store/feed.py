"""The feed and the change marker: the event log as the board's feed shows it, and the
cheap question "did anything change?" that the board polls to stay live while other
processes write."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import and_, func, select
from sqlmodel import Session, col

from tinycrm.store import validate
from tinycrm.store.engine import Store
from tinycrm.store.models import (
    Activity,
    Event,
    ReadModel,
)

RECENT_WINDOW = 1000
"""How many of the newest event ids the change marker counts, to catch a PostgreSQL
sequence gap (an event id taken by a transaction that committed after a later one)."""


class ChangeMarker(ReadModel):
    """A fingerprint of the event log: when it differs, something was written."""

    last_event_id: int
    recent_events: int


class FeedEntry(ReadModel):
    """An event in the feed, with the record that opening it shows."""

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None
    summary: str
    record_kind: str | None
    record_id: int | None


# --------------------------------------------------------------------------- change marker


def marker_of(session: Session) -> ChangeMarker:
    """The change marker read inside a transaction the caller holds."""
    last = session.scalar(select(func.max(Event.id))) or 0
    recent = session.scalar(select(func.count()).where(col(Event.id) > last - RECENT_WINDOW)) or 0
    return ChangeMarker(last_event_id=int(last), recent_events=int(recent))


def change_marker(store: Store) -> ChangeMarker:
    """A cheap fingerprint of the database's writes (two index lookups on the event log).

    Every write records an event, so a different marker means another process (or
    this one) wrote something since the marker was taken.
    """
    with store.read() as session:
        return marker_of(session)


# --------------------------------------------------------------------------- the feed


def list_feed(
    store: Store, *, limit: int | None = 200, after_id: int | None = None
) -> list[FeedEntry]:
    """The newest events, newest first, each with the record it is about.

    A logged activity or task opens the deal it is about, else its contact, else
    its company; a contract or a support case opens itself (the board shows a case on
    its cases screen, a contract on its contact's view); a stage or pipeline change
    opens nothing. ``after_id`` returns
    only events newer than that id (what changed since the last look).
    """
    limit = validate.limit(limit)
    with store.read() as session:
        query = (
            select(
                col(Event.id),
                col(Event.at),
                col(Event.actor),
                col(Event.action),
                col(Event.entity),
                col(Event.entity_id),
                col(Event.summary),
                col(Activity.deal_id),
                col(Activity.contact_id),
                col(Activity.company_id),
            )
            .outerjoin(
                Activity,
                and_(col(Event.entity) == "activity", col(Activity.id) == col(Event.entity_id)),
            )
            .order_by(col(Event.id).desc())
        )
        if after_id is not None:
            query = query.where(col(Event.id) > after_id)
        if limit:
            query = query.limit(limit)
        entries = []
        for (
            eid,
            at,
            actor,
            action,
            entity,
            entity_id,
            summary,
            deal,
            contact,
            company,
        ) in session.execute(query).all():
            kind: str | None = None
            record: int | None = None
            if (
                entity in ("deal", "contact", "company", "contract", "case")
                and entity_id is not None
            ):
                kind, record = entity, entity_id
            elif entity == "activity":
                links = (("deal", deal), ("contact", contact), ("company", company))
                kind, record = next(((k, v) for k, v in links if v is not None), (None, None))
            entries.append(
                FeedEntry(
                    id=eid,
                    at=at if at.tzinfo else at.replace(tzinfo=UTC),
                    actor=actor,
                    action=action,
                    entity=entity,
                    entity_id=entity_id,
                    summary=summary,
                    record_kind=kind,
                    record_id=record,
                )
            )
        return entries

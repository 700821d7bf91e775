"""The event log: what happened, to which record, when and by whom."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import col

from tinycrm.store import validate
from tinycrm.store.engine import Store
from tinycrm.store.models import Event, EventRead


def _read(event: Event) -> EventRead:
    return EventRead(
        id=event.id,
        at=event.at,
        actor=event.actor,
        action=event.action,
        entity=event.entity,
        entity_id=event.entity_id,
        summary=event.summary,
    )


def list_events(
    store: Store,
    *,
    limit: int | None = 50,
    since: datetime | None = None,
    entity: str | None = None,
    entity_id: int | None = None,
    after_id: int | None = None,
    offset: int | None = None,
) -> list[EventRead]:
    """Events newest first; ``since`` and ``after_id`` bound them from below."""
    limit = validate.limit(limit)
    with store.read() as session:
        query = select(Event).order_by(col(Event.at).desc(), col(Event.id).desc())
        if since is not None:
            query = query.where(col(Event.at) >= since)
        if entity is not None:
            query = query.where(col(Event.entity) == entity)
        if entity_id is not None:
            query = query.where(col(Event.entity_id) == entity_id)
        if after_id is not None:
            query = query.where(col(Event.id) > after_id)
        if limit:
            query = query.limit(limit)
        if offset := validate.offset(offset):
            query = query.offset(offset)
        return [_read(e) for e in session.scalars(query)]

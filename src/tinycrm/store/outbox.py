"""The webhook outbox: events waiting to be POSTed, one row per event and endpoint.

``enqueue`` writes the rows inside the event's own transaction (``store.commits``), so
an event that rolled back is never sent and one that committed is never lost. A
deliverer ``claim``s a row before sending it: one ``UPDATE … WHERE`` nobody holds it
(on PostgreSQL the candidates are picked ``FOR UPDATE SKIP LOCKED``; SQLite's writers
queue behind ``BEGIN IMMEDIATE``), so two deliverers never send one event twice. The
claim (``lease_owner`` until ``lease_until``) runs out on its own if a deliverer dies.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select, update
from sqlmodel import Session, col

from tinycrm.formats import jsonnumbers
from tinycrm.store import validate
from tinycrm.store.errors import NotFound
from tinycrm.store.log_models import WebhookDelivery
from tinycrm.store.models import Event, WebhookDeliveryRead, table_of
from tinycrm.store.refs import get_by_id
from tinycrm.store.types import utcnow

if TYPE_CHECKING:
    from tinycrm.store.engine import Store
    from tinycrm.webhooks.endpoints import Endpoint


ITEM_KEYS = ("action", "entity", "id", "record", "changes")


def body_for(payload: dict[str, Any] | list[dict[str, Any]]) -> str:
    """The JSON POSTed for one event: its name (``type``), time, actor, entity, id,
    summary, the record as ``--json`` prints it (amounts exact), and the changes.

    A bulk event (an import, a merge: the hooks get a list) has those of its first
    record, and ``items``: one object per record it touched, each with its ``action``,
    ``entity``, ``id``, ``record`` and ``changes``."""
    items = payload if isinstance(payload, list) else None
    first = items[0] if items else payload
    assert isinstance(first, dict)
    body = {
        "type": first["event"],
        "timestamp": first["at"],
        "event_id": first["event_id"],
        "action": first["action"],
        "entity": first["entity"],
        "id": first["id"],
        "actor": first["actor"],
        "summary": first["summary"],
        "record": first["record"],
        "changes": first["changes"],
    }
    if items is not None:
        body["items"] = [{key: item[key] for key in ITEM_KEYS} for item in items]
    return jsonnumbers.dumps_plain(body, ensure_ascii=False, separators=(",", ":"))


def enqueue(
    session: Session,
    event: Event,
    payload: dict[str, Any] | list[dict[str, Any]],
    endpoints: tuple[Endpoint, ...],
) -> int:
    """One outbox row for ``event`` per endpoint that wants it; how many were written.
    ``payload`` is what the hooks get for it (a list for a bulk event)."""
    from tinycrm.webhooks.endpoints import matching

    assert event.id is not None
    name = f"{event.entity}.{event.action}"
    wanted = matching(endpoints, name)
    if not wanted:
        return 0
    body = body_for(payload)
    now = utcnow()
    for endpoint in wanted:
        session.add(
            WebhookDelivery(
                event_id=event.id,
                endpoint=endpoint.url,
                event_type=name,
                body=body,
                created_at=now,
                next_at=now,
            )
        )
    return len(wanted)


def claim(
    store: Store,
    owner: str,
    *,
    lease: timedelta,
    due_by: datetime | None = None,
    now: datetime | None = None,
) -> Any:
    """Claim the next row due by ``due_by`` (default now) and held by nobody, for
    ``lease``; None when there is none.

    Returns the row's ``id``, ``event_id``, ``endpoint``, ``body`` and ``attempts``."""
    now = now or utcnow()
    due_by = due_by or now
    table = table_of(WebhookDelivery)
    with store.write() as session:
        due = (
            select(table.c.id)
            .where(
                table.c.delivered_at.is_(None),
                table.c.failed_at.is_(None),
                table.c.next_at <= due_by,
                (table.c.lease_until.is_(None)) | (table.c.lease_until < now),
            )
            .order_by(table.c.next_at, table.c.id)
            .limit(1)
        )
        if store.backend == "postgresql":
            due = due.with_for_update(skip_locked=True)
        row_id = session.execute(due).scalar()
        if row_id is None:
            return None
        taken = session.execute(
            update(table)
            .where(
                table.c.id == row_id,
                (table.c.lease_until.is_(None)) | (table.c.lease_until < now),
            )
            .values(lease_owner=owner, lease_until=now + lease)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]  # a CursorResult  # another deliverer was quicker
            return None
        return session.execute(
            select(
                table.c.id, table.c.event_id, table.c.endpoint, table.c.body, table.c.attempts
            ).where(table.c.id == row_id)
        ).one()


def finish(
    store: Store,
    row_id: int,
    owner: str,
    *,
    delivered: bool,
    status: int | None,
    error: str | None,
    retry_in: float | None,
    now: datetime | None = None,
) -> None:
    """Record one try: delivered, to be tried again in ``retry_in`` seconds, or given up
    (``retry_in`` None). Only the deliverer holding the claim can record it."""
    now = now or utcnow()
    table = table_of(WebhookDelivery)
    values: dict[str, Any] = {
        "attempts": table.c.attempts + 1,
        "last_status": status,
        "last_error": None if delivered else (error or "")[:500],
        "lease_owner": None,
        "lease_until": None,
    }
    if delivered:
        values["delivered_at"] = now
    elif retry_in is None:
        values["failed_at"] = now
    else:
        values["next_at"] = now + timedelta(seconds=retry_in)
    with store.write() as session:
        session.execute(
            update(table).where(table.c.id == row_id, table.c.lease_owner == owner).values(**values)
        )


def prune(store: Store, *, delivered_before: datetime) -> int:
    """Forget the deliveries made before ``delivered_before``; how many there were."""
    table = table_of(WebhookDelivery)
    with store.write() as session:
        gone = session.execute(
            delete(table).where(
                table.c.delivered_at.is_not(None), table.c.delivered_at < delivered_before
            )
        )
        return int(gone.rowcount)  # type: ignore[attr-defined]  # a CursorResult


def _read(row: WebhookDelivery) -> WebhookDeliveryRead:
    assert row.id is not None
    return WebhookDeliveryRead(
        id=row.id,
        event_id=row.event_id,
        endpoint=row.endpoint,
        event_type=row.event_type,
        created_at=row.created_at,
        attempts=row.attempts,
        next_at=row.next_at,
        delivered_at=row.delivered_at,
        failed_at=row.failed_at,
        last_status=row.last_status,
        last_error=row.last_error,
    )


def list_deliveries(
    store: Store, *, state: str = "failed", limit: int | None = None
) -> list[WebhookDeliveryRead]:
    """Outbox rows by state: ``failed`` (given up), ``pending`` or ``delivered``; oldest
    first, delivered ones newest first."""
    limit = validate.limit(limit)
    with store.read() as session:
        query = select(WebhookDelivery)
        if state == "failed":
            query = query.where(col(WebhookDelivery.failed_at).is_not(None))
            query = query.order_by(col(WebhookDelivery.id))
        elif state == "pending":
            query = query.where(
                col(WebhookDelivery.failed_at).is_(None),
                col(WebhookDelivery.delivered_at).is_(None),
            ).order_by(col(WebhookDelivery.id))
        else:
            query = query.where(col(WebhookDelivery.delivered_at).is_not(None))
            query = query.order_by(col(WebhookDelivery.id).desc())
        if limit:
            query = query.limit(limit)
        return [_read(row) for row in session.scalars(query)]


def counts(store: Store) -> dict[str, int]:
    """How many rows are pending, delivered and failed."""
    table = table_of(WebhookDelivery)
    with store.read() as session:
        state = select(
            func.count().filter(table.c.delivered_at.is_not(None)),
            func.count().filter(table.c.failed_at.is_not(None)),
            func.count(),
        ).select_from(table)
        delivered, failed, total = session.execute(state).one()
    return {"pending": total - delivered - failed, "delivered": delivered, "failed": failed}


def retry(store: Store, row_id: int | None = None) -> list[WebhookDeliveryRead]:
    """Put a given-up row (or, with None, every one) back in the queue, to go now."""
    now = utcnow()
    with store.write() as session:
        if row_id is None:
            query = select(WebhookDelivery).where(col(WebhookDelivery.failed_at).is_not(None))
            rows = list(session.scalars(query))
        else:  # by id: one past the column's range (2**31 on PostgreSQL) is simply not there
            found = get_by_id(session, WebhookDelivery, row_id)
            if found is None:
                raise NotFound(f"no webhook delivery #{row_id}")
            if found.failed_at is None:
                raise NotFound(f"webhook delivery #{row_id} has not failed (it is not given up)")
            rows = [found]
        for row in rows:
            row.failed_at = None
            row.attempts = 0
            row.next_at = now
            row.lease_owner = None
            row.lease_until = None
        session.flush()
        return [_read(row) for row in rows]

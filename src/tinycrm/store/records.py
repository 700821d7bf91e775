"""What every noun shares: events, tags, custom fields and the "unset" marker.

Used by the per-noun modules inside their transactions; not a public API.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlmodel import Session, col

from tinycrm.store import validate
from tinycrm.store.code_points import code_points
from tinycrm.store.engine import EVENTS_KEY as EVENTS_KEY
from tinycrm.store.engine import Store
from tinycrm.store.models import Activity, Contact, Event, FieldValue, LifecycleChange, Tag
from tinycrm.store.types import utcnow
from tinycrm.unset import UNSET as UNSET  # the edit sentinel, where the nouns find it
from tinycrm.unset import Unset as Unset
from tinycrm.unset import is_set as is_set

Key = tuple[str, int]
CHANGES_KEY = "tinycrm.changes"
"""``session.info`` key, present while the commit is watched: ``{(entity, id): {"tags":
[old, new], "fields": [old, new]}}``, what changed besides the record's own columns."""


BULK_KEY = "tinycrm.bulk"
"""``session.info`` key: this transaction is one bulk job (the demo, an import's undo):
its hooks run once, with a list of every record it wrote."""


IMPORT_BATCH_KEY = "tinycrm.import_batch"
"""``session.info`` key: the import batch this transaction writes (hooks list its rows)."""


def mark_bulk(session: Session) -> None:
    """Call each hook once for this whole transaction, with a list (``store.commits``)."""
    session.info[BULK_KEY] = True


def note_change(
    session: Session, entity: str, entity_id: int, name: str, old: Any, new: Any
) -> None:
    """Keep the first old value and the latest new one, when a hook or webhook wants them."""
    notes = session.info.get(CHANGES_KEY)
    if notes is None:
        return
    record = notes.setdefault((entity, entity_id), {})
    first = record[name][0] if name in record else old
    record[name] = (first, new)


def record_event(
    store: Store,
    session: Session,
    *,
    action: str,
    entity: str,
    entity_id: int | None,
    summary: str,
) -> Event:
    """Append one event to the feed, in the caller's transaction."""
    event = Event(
        at=utcnow(),
        actor=store.user,
        action=action,
        entity=entity,
        entity_id=entity_id,
        summary=summary[:500],
    )
    session.add(event)
    session.info.setdefault(EVENTS_KEY, []).append(event)
    return event


def record_lifecycle(
    store: Store,
    session: Session,
    contact_id: int,
    before: str | None,
    after: str,
    *,
    at: datetime | None = None,
) -> None:
    """Keep the lifecycle history (reports compute churn and lifetime value from it): a
    change from ``before`` to ``after`` at ``at`` (default now)."""
    if before != after:
        session.add(
            LifecycleChange(
                contact_id=contact_id,
                from_lifecycle=before,
                to_lifecycle=after,
                at=at or utcnow(),
                actor=store.user,
            )
        )


def change_lifecycle(
    store: Store,
    session: Session,
    person: Contact,
    after: str,
    *,
    since: datetime | None,
    summary: str,
) -> None:
    """A contact's lifecycle changed to ``after`` as a contract's course made it (a churn,
    a start, a churn withdrawn), in the caller's transaction: the history row of the
    change, dated ``since`` (the day's start it took effect, not now; None: the caller has
    put the history right itself, as a withdrawn churn deletes the churn), the contact's
    new lifecycle, and an ``updated`` event on the contact with ``summary``."""
    assert person.id is not None
    if since is not None:
        record_lifecycle(store, session, person.id, person.lifecycle, after, at=since)
    person.lifecycle = after
    person.updated_at = utcnow()
    record_event(
        store, session, action="updated", entity="contact", entity_id=person.id, summary=summary
    )


def tags_for(session: Session, entity: str, ids: Sequence[int] | None) -> dict[int, list[str]]:
    """Tags of many records in one query (``ids=None``: every record of that kind)."""
    query = select(col(Tag.entity_id), col(Tag.name)).where(col(Tag.entity) == entity)
    if ids is not None:
        if not ids:
            return {}
        query = query.where(col(Tag.entity_id).in_(ids)) if len(ids) < 500 else query
    out: dict[int, list[str]] = defaultdict(list)
    for entity_id, name in session.execute(query.order_by(code_points(Tag.name))):
        out[entity_id].append(name)
    return out


def fields_for(
    session: Session, entity: str, ids: Sequence[int] | None
) -> dict[int, dict[str, str]]:
    """Custom fields of many records in one query."""
    query = select(col(FieldValue.entity_id), col(FieldValue.key), col(FieldValue.value)).where(
        col(FieldValue.entity) == entity
    )
    if ids is not None:
        if not ids:
            return {}
        query = query.where(col(FieldValue.entity_id).in_(ids)) if len(ids) < 500 else query
    out: dict[int, dict[str, str]] = defaultdict(dict)
    for entity_id, k, v in session.execute(query.order_by(code_points(FieldValue.key))):
        out[entity_id][k] = v
    return out


def apply_tags(
    session: Session,
    entity: str,
    entity_id: int,
    *,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
) -> list[str]:
    """Add and remove tags; return the names of what changed, for the event summary."""
    to_add = validate.tags(add)
    to_remove = validate.tags(remove)
    current = set(tags_for(session, entity, [entity_id]).get(entity_id, []))
    before = sorted(current)
    changed: list[str] = []
    for name in to_remove:
        if name in current:
            session.execute(
                delete(Tag).where(
                    col(Tag.entity) == entity,
                    col(Tag.entity_id) == entity_id,
                    col(Tag.name) == name,
                )
            )
            current.discard(name)
            changed.append(f"-{name}")
    for name in to_add:
        if name not in current:
            session.add(Tag(entity=entity, entity_id=entity_id, name=name))
            current.add(name)
            changed.append(f"+{name}")
    if changed:
        note_change(session, entity, entity_id, "tags", before, sorted(current))
    return changed


def apply_fields(
    session: Session,
    entity: str,
    entity_id: int,
    *,
    set_: dict[str, str] | None = None,
    unset: Iterable[str] = (),
) -> list[str]:
    """Set and unset custom fields; return the keys that changed. An empty value (``""``)
    unsets its field, as an empty cell of an export is no value (a space is a value).

    Names ignore case (:func:`stored_key`): ``plan`` sets or unsets the field the record
    holds as ``Plan``, which keeps its first spelling."""
    values = validate.fields(set_)
    removing = [validate.field_key(k) for k in unset]
    removing += [k for k, v in values.items() if v == ""]
    values = {k: v for k, v in values.items() if v != ""}
    existing = {
        row.key: row
        for row in session.scalars(
            select(FieldValue).where(
                col(FieldValue.entity) == entity, col(FieldValue.entity_id) == entity_id
            )
        )
    }
    before = {k: row.value for k, row in sorted(existing.items())}
    changed: list[str] = []
    for typed in removing:
        k = stored_key(existing, typed)
        if k is not None:
            session.delete(existing.pop(k))
            changed.append(k)
    for typed, v in values.items():
        k = stored_key(existing, typed)
        if k is None:
            row = FieldValue(entity=entity, entity_id=entity_id, key=typed, value=v)
            session.add(row)
            existing[typed] = row
            changed.append(typed)
        elif existing[k].value != v:
            existing[k].value = v
            changed.append(k)
    session.flush()
    if changed:
        after = {k: row.value for k, row in sorted(existing.items())}
        note_change(session, entity, entity_id, "fields", before, after)
    return changed


def stored_key(stored: Iterable[str], typed: str) -> str | None:
    """The spelling of custom field ``typed`` a record holds, names ignoring case: ``typed``
    itself if it holds that, else the first (in sort order) of the spellings it holds of
    that name, else None. (A record written before names ignored case may hold two.)"""
    keys = set(stored)
    if typed in keys:
        return typed
    folded = typed.lower()
    return next((k for k in sorted(keys) if k.lower() == folded), None)


def drop_tags_and_fields(session: Session, entity: str, entity_id: int) -> None:
    """Remove what hangs off a record that is being deleted."""
    if session.info.get(CHANGES_KEY) is not None:  # a hook sees the record as it was
        tags = tags_for(session, entity, [entity_id]).get(entity_id, [])
        fields = fields_for(session, entity, [entity_id]).get(entity_id, {})
        note_change(session, entity, entity_id, "tags", tags, [])
        note_change(session, entity, entity_id, "fields", fields, {})
    session.execute(delete(Tag).where(col(Tag.entity) == entity, col(Tag.entity_id) == entity_id))
    session.execute(
        delete(FieldValue).where(
            col(FieldValue.entity) == entity, col(FieldValue.entity_id) == entity_id
        )
    )


LINKS = ("contact_id", "company_id", "deal_id")


def lock_linked(session: Session, model: Any, link: str, record_id: int) -> None:
    """Before a record is deleted: the ``model`` rows linked to it by ``link`` locked
    (PostgreSQL's ``FOR NO KEY UPDATE``), before the record itself, so the delete and a
    writer holding one of them while linking the record take their locks in one order.

    Rows of several kinds are locked in one agreed order, by table, then by id: deals,
    then contacts, then companies (``company rm``; ``contact rm`` and ``contact merge``
    take the part of it they need), so two writers that lock some of the same rows never
    wait for each other in a circle (PostgreSQL's deadlock). The rows here in id order,
    never in the order a scan happens to meet them (a row edited lies after its newer
    neighbours on disk)."""
    column = getattr(model, link)
    session.execute(
        select(model.id)
        .where(column == record_id)
        .order_by(model.id)
        .with_for_update(key_share=True)
    ).all()


def detach_activities(session: Session, link: str, record_id: int) -> None:
    """Before a record is deleted: activities only about it go; the others lose the link."""
    column = getattr(Activity, link)
    only_this = [getattr(Activity, other).is_(None) for other in LINKS if other != link]
    session.execute(delete(Activity).where(column == record_id, *only_this))
    session.execute(update(Activity).where(column == record_id).values({link: None}))


def finish_edit(
    store: Store,
    session: Session,
    row: Any,
    *,
    entity: str,
    label: str,
    changes: list[str],
) -> None:
    """After an edit: stamp ``updated_at`` and write one event naming what changed."""
    if changes:
        row.updated_at = utcnow()
        record_event(
            store,
            session,
            action="updated",
            entity=entity,
            entity_id=row.id,
            summary=changed_summary("updated", entity, label, changes),
        )
    session.flush()


def ids_with_tags(entity: str, names: Iterable[str]) -> Any:
    """A subquery of the ids of ``entity`` records carrying every tag in ``names``."""
    wanted = validate.tags(names)
    query = select(col(Tag.entity_id)).where(col(Tag.entity) == entity, col(Tag.name).in_(wanted))
    if len(wanted) > 1:
        from sqlalchemy import func

        query = query.group_by(col(Tag.entity_id)).having(func.count() == len(wanted))
    return query


def field_rows(entity: str, k: str) -> Any:
    """The ids of ``entity`` records holding custom field ``k`` (its name in any case)."""
    return select(col(FieldValue.entity_id)).where(
        col(FieldValue.entity) == entity,
        func.lower(FieldValue.key) == validate.field_key(k).lower(),
    )


def with_field(entity: str, ids: Any, k: str, v: str | None) -> Any:
    """A condition on the id column ``ids``: the record's custom field ``k`` (its name in
    any case) is set (``v`` None), equals ``v`` in any case, or, for an empty ``v``, is not
    set or empty: what ``--where field:k=v`` (``field:k=""``) finds."""
    from sqlalchemy import not_, or_

    rows = field_rows(entity, k)
    if v is None:
        return ids.in_(rows)
    if not v.strip():
        empty = rows.where(col(FieldValue.value) == "")
        return or_(ids.in_(empty), not_(ids.in_(rows)))
    return ids.in_(rows.where(func.lower(FieldValue.value) == func.lower(v)))


def changed_summary(verb: str, what: str, label: str, changes: list[str]) -> str:
    """``updated contact Ada Lovelace: email, phone``."""
    return f"{verb} {what} {label}" + (f": {', '.join(changes)}" if changes else "")

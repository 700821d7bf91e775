"""Import history and undo: list the batches, take one back."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, delete, func, insert, select, update
from sqlmodel import Session, SQLModel, col

import tinycrm.store.all_tables  # noqa: F401  (every table that points at records counts)
from tinycrm.store import validate
from tinycrm.store.bulk import (
    big_cache,
    contact_search_deferred,
)
from tinycrm.store.engine import Store, chunks
from tinycrm.store.errors import Conflict, NotFound
from tinycrm.store.imports.base import _search_key
from tinycrm.store.imports.common import (
    _IN,
    _MODELS,
    ENTITY,
    ImportBatchRead,
    UndoSummary,
    _json,
    _jsonable,
    _Rollback,
)
from tinycrm.store.imports.contacts import _Contacts
from tinycrm.store.log_models import ImportBatch, ImportChange, StageChange
from tinycrm.store.models import (
    Company,
    Contact,
    FieldValue,
    Pipeline,
    Stage,
    Tag,
)
from tinycrm.store.records import mark_bulk, record_event, record_lifecycle
from tinycrm.store.refs import get_by_id
from tinycrm.store.types import UTCDateTime, stored_type, utcnow
from tinycrm.vocab import plural

_DERIVED = frozenset(_Contacts.derived)  # kept by the store beside what the user gave

# --------------------------------------------------------------------------- history and undo


def _batch_read(batch: ImportBatch) -> ImportBatchRead:
    return ImportBatchRead(
        id=batch.id,
        kind=batch.kind,
        source=batch.source,
        at=batch.at,
        actor=batch.actor,
        created=batch.created,
        updated=batch.updated,
        skipped=batch.skipped,
        rejected=batch.rejected,
        undone_at=batch.undone_at,
    )


def list_imports(store: Store, *, limit: int | None = None) -> list[ImportBatchRead]:
    """Import batches, newest first."""
    limit = validate.limit(limit)
    with store.read() as session:
        query = select(ImportBatch).order_by(col(ImportBatch.id).desc())
        if limit:
            query = query.limit(limit)
        return [_batch_read(b) for b in session.scalars(query)]


def _find_batch(session: Session, batch_id: int | None) -> ImportBatch:
    if batch_id is None:
        batch = session.scalars(
            select(ImportBatch)
            .where(col(ImportBatch.undone_at).is_(None))
            .order_by(col(ImportBatch.id).desc())
        ).first()
        if batch is None:
            raise NotFound("there is no import to undo (tinycrm import history lists them)")
        return batch
    batch = get_by_id(session, ImportBatch, batch_id)
    if batch is None:
        raise NotFound(f"no import #{batch_id} (tinycrm import history lists them)")
    if batch.undone_at is not None:
        raise Conflict(f"import #{batch_id} was already undone")
    return batch


class _Undo:
    """Undoing one batch: restore what it updated, then delete what it created."""

    def __init__(self, store: Store, session: Session, batch: ImportBatch) -> None:
        self.store = store
        self.session = session
        self.conn = session.connection()
        self.batch = batch
        self.conflicts: list[str] = []
        self.deleted: dict[str, int] = {}
        self.restored = 0
        self.kept: dict[str, set[int]] = {}
        self.search: Any = None

    def label(self, entity: str, row: Mapping[Any, Any]) -> str:
        text = row.get("name") or row.get("title") or row.get("subject") or ""
        return f"{entity} #{row['id']} {text}".strip()

    # ---------------------------------------------------------------- updated fields

    def restore(self) -> None:
        changes = self.session.execute(
            select(
                col(ImportChange.entity),
                col(ImportChange.entity_id),
                col(ImportChange.field),
                col(ImportChange.old_value),
                col(ImportChange.new_value),
            )
            .where(
                col(ImportChange.batch_id) == self.batch.id, col(ImportChange.action) == "updated"
            )
            .order_by(col(ImportChange.id).desc())
        ).all()
        by_entity: dict[str, list[Any]] = defaultdict(list)
        for change in changes:
            by_entity[change.entity].append(change)
        for entity, items in by_entity.items():
            for chunk in chunks(items, _IN):
                self._restore_chunk(entity, chunk)

    def _restore_chunk(self, entity: str, changes: list[Any]) -> None:
        model = _MODELS[entity]
        ids = sorted({c.entity_id for c in changes})
        rows = {
            r["id"]: dict(r)
            for r in self.conn.execute(
                select(*model.__table__.c).where(model.id.in_(ids))
            ).mappings()
        }
        tags: dict[int, set[str]] = defaultdict(set)
        for eid, name in self.conn.execute(
            select(col(Tag.entity_id), col(Tag.name)).where(
                col(Tag.entity) == entity, col(Tag.entity_id).in_(ids)
            )
        ):
            tags[eid].add(name)
        fields: dict[int, dict[str, str]] = defaultdict(dict)
        for eid, key, value in self.conn.execute(
            select(col(FieldValue.entity_id), col(FieldValue.key), col(FieldValue.value)).where(
                col(FieldValue.entity) == entity, col(FieldValue.entity_id).in_(ids)
            )
        ):
            fields[eid][key] = value
        columns: dict[int, dict[str, Any]] = defaultdict(dict)
        moved_from: dict[int, Any] = {}
        for change in changes:
            row = rows.get(change.entity_id)
            if row is None:
                continue  # deleted since: nothing to put back
            old = None if change.old_value is None else json.loads(change.old_value)
            new = None if change.new_value is None else json.loads(change.new_value)
            name = change.field or ""
            label = self.label(entity, row)
            if name.startswith("tag:"):
                tag = name[4:]
                if tag in tags[change.entity_id]:
                    self.conn.execute(
                        delete(Tag).where(
                            col(Tag.entity) == entity,
                            col(Tag.entity_id) == change.entity_id,
                            col(Tag.name) == tag,
                        )
                    )
                    tags[change.entity_id].discard(tag)
                    self.restored += 1
            elif name.startswith("field:"):
                self._restore_field(entity, change.entity_id, name[6:], old, new, fields, label)
            else:
                current = _jsonable(row.get(name))
                if current == old:
                    continue
                if current != new:
                    self.conflicts.append(
                        f"kept {name} of {label}: changed after the import "
                        f"(now {_short(current)}, before the import {_short(old)})"
                    )
                    continue
                value = _from_json(model, name, old)
                if not self._restorable(entity, change.entity_id, name, value, label):
                    continue
                if name == "stage_id":
                    moved_from[change.entity_id] = row.get(name)
                columns[change.entity_id][name] = value
                row[name] = value
                self.restored += name not in _DERIVED  # the user's values, not the keys
        for rid, values in columns.items():
            row = rows[rid]
            if entity == "contact":
                if "name" in values:
                    values["name_key"] = validate.key(values["name"])
                    values["sort_key"] = validate.folded(values["name"])
                values["search_key"] = _search_key(row)
                if "lifecycle" in values:
                    now_value = json.loads(_json(values["lifecycle"]))
                    before = next(
                        json.loads(c.new_value)
                        for c in changes
                        if c.entity_id == rid and c.field == "lifecycle" and c.new_value
                    )
                    record_lifecycle(self.store, self.session, rid, before, now_value)
            if entity == "company" and "name" in values:
                values["name_key"] = validate.key(values["name"])
                values["sort_key"] = validate.folded(values["name"])
            if entity == "deal" and "title" in values:
                values["title_key"] = validate.key(values["title"])
            if entity == "deal" and "stage_id" in values:
                self.conn.execute(
                    insert(StageChange).values(
                        deal_id=rid,
                        from_stage_id=moved_from[rid],
                        to_stage_id=values["stage_id"],
                        from_status=row["status"],
                        to_status=row["status"],
                        at=utcnow(),
                        actor=self.store.user,
                    )
                )
            values["updated_at"] = utcnow()
            self.conn.execute(update(model).where(model.id == rid).values(**values))

    def _restorable(self, entity: str, rid: int, name: str, value: Any, label: str) -> bool:
        """Restoring a unique value must not take it from another record."""
        clash = None
        if entity == "contact" and name == "email" and value:
            key = col(Contact.email_key) == validate.email(value)
            clash = self.conn.execute(
                select(col(Contact.id)).where(key, col(Contact.id) != rid)
            ).first()
        if entity == "company" and name == "name" and value:
            clash = self.conn.execute(
                select(col(Company.id)).where(
                    col(Company.name_key) == validate.key(value), col(Company.id) != rid
                )
            ).first()
        if clash:
            self.conflicts.append(
                f"kept {name} of {label}: {value!r} now belongs to {entity} #{clash[0]}"
            )
            return False
        return True

    def _restore_field(
        self,
        entity: str,
        rid: int,
        key: str,
        old: Any,
        new: Any,
        fields: dict[int, dict[str, str]],
        label: str,
    ) -> None:
        current = fields[rid].get(key)
        if current == old:
            return
        if current != new:
            self.conflicts.append(
                f"kept custom field {key} of {label}: changed after the import "
                f"(now {_short(current)}, before the import {_short(old)})"
            )
            return
        where = (
            col(FieldValue.entity) == entity,
            col(FieldValue.entity_id) == rid,
            col(FieldValue.key) == key,
        )
        if old is None:
            self.conn.execute(delete(FieldValue).where(*where))
            del fields[rid][key]
        elif key in fields[rid]:
            self.conn.execute(update(FieldValue).where(*where).values(value=old))
            fields[rid][key] = old
        else:  # the import had removed it (--overwrite with a blank cell)
            self.conn.execute(
                insert(FieldValue).values(entity=entity, entity_id=rid, key=key, value=old)
            )
            fields[rid][key] = old
        self.restored += 1

    # ---------------------------------------------------------------- created records

    def created(self, entity: str) -> Any:
        """A subquery of the ids of the ``entity`` records this batch created."""
        return select(col(ImportChange.entity_id)).where(
            col(ImportChange.batch_id) == self.batch.id,
            col(ImportChange.entity) == entity,
            col(ImportChange.action) == "created",
        )

    def remove(self) -> None:
        """Delete created records, children first; keep (and report) any that changed
        after the import or that something else points at.

        Everything is said with subqueries of ``import_change``, not lists of ids:
        undoing 100,000 contacts is a dozen statements.
        """
        models = {**_MODELS, "stage": Stage, "pipeline": Pipeline}
        with (
            big_cache(self.store, self.conn),
            contact_search_deferred(self.store, self.conn, deleting=True) as search,
        ):
            self.search = search
            for entity in _UNDO_ORDER:
                self._remove(entity, models[entity])

    def _remove(self, entity: str, model: Any) -> None:
        at = self.batch.at
        created = self.created(entity)
        reasons: dict[int, str] = {}
        if "updated_at" in model.__table__.c:
            changed = select(model.id, model.created_at, model.updated_at).where(
                model.id.in_(created), model.updated_at > at
            )
            for row in self.conn.execute(changed):
                # (a rule's task is made during the import, after it began: not a change)
                if row.updated_at > max(at, row.created_at):
                    reasons[row.id] = "changed after the import"
        for rid, why in self._pointed_at(model.__table__, created, at):
            reasons.setdefault(rid, why)
        kept = sorted(reasons)
        self.kept[entity] = set(kept)
        if kept:
            labels = {
                row.id: self.label(entity, row._mapping)
                for chunk in chunks(kept, _IN)
                for row in self.conn.execute(
                    select(model.id, *_label_columns(model)).where(model.id.in_(chunk))
                )
            }
            self.conflicts += [f"kept {labels[rid]}: {reasons[rid]}" for rid in kept]
        doomed = model.id.in_(created)
        if kept:
            doomed = doomed & model.id.not_in(kept)
        if entity == "contact":
            self.search.deleting(doomed)
        if entity == "deal":
            self.conn.execute(
                delete(StageChange).where(
                    col(StageChange.deal_id).in_(select(model.id).where(doomed))
                )
            )
        if entity in ("company", "contact", "deal"):
            for other, column in (
                (Tag, col(Tag.entity_id)),
                (FieldValue, col(FieldValue.entity_id)),
            ):
                self.conn.execute(
                    delete(other).where(
                        col(other.entity) == entity, column.in_(select(model.id).where(doomed))
                    )
                )
        removed = self.conn.execute(delete(model).where(doomed)).rowcount or 0
        if removed:
            self.deleted[entity] = removed

    def _pointed_at(self, table: Any, created: Any, at: datetime) -> Iterator[tuple[int, str]]:
        """Ids among ``created`` that rows from outside this import point at, and why.

        Every foreign key to ``table`` counts (tables added by later schemas too): a
        record of the kinds an import creates counts unless this undo removes it; a
        row of another table (lifecycle history, campaign membership, …) counts when
        it was made after the import.
        """
        for other in SQLModel.metadata.sorted_tables:
            if other.name == "import_change":
                continue
            for fk in other.foreign_keys:
                if fk.column.table is not table:
                    continue
                column = fk.parent
                if other.name in _UNDO_ORDER:
                    outside = select(column, other.c.id).where(
                        column.in_(created), other.c.id.not_in(self.created(other.name))
                    )
                    rows = list(self.conn.execute(outside))
                    kept = sorted(self.kept.get(other.name, ()))
                    for chunk in chunks(kept, _IN):
                        rows += self.conn.execute(
                            select(column, other.c.id).where(
                                column.in_(created), other.c.id.in_(chunk)
                            )
                        ).all()
                    for rid, oid in rows:
                        yield rid, f"{other.name} #{oid}, not from this import, points at it"
                    continue
                when = _time_column(other)
                query = select(column).where(column.in_(created))
                if when is not None:
                    query = query.where(when > at)
                for (rid,) in self.conn.execute(query.distinct()):
                    yield rid, f"it has {other.name.replace('_', ' ')} rows from after the import"


_UNDO_ORDER = ("activity", "deal", "contact", "company", "stage", "pipeline")


def _time_column(table: Any) -> Any:
    """When a row was made: the first of at, created_at, added_at, started_at it has."""
    for name in ("at", "created_at", "added_at", "started_at"):
        if name in table.c:
            return table.c[name]
    return None


def _label_columns(model: Any) -> list[Any]:
    for name in ("name", "title", "subject"):
        if name in model.__table__.c:
            return [model.__table__.c[name]]
    return []


def _short(value: Any) -> str:
    if value is None:
        return "empty"
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _from_json(model: Any, name: str, value: Any) -> Any:
    if value is None:
        return None
    column_type = stored_type(model.__table__.c[name].type)
    if isinstance(column_type, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    return value


def undo_import(store: Store, batch_id: int | None = None, *, dry_run: bool = False) -> UndoSummary:
    """Take back an import (default: the latest not yet undone) in one transaction.

    Fields it updated get their previous values back; records it created are
    deleted with their tags, custom fields and stage history. A value changed
    after the import, or a created record that was edited or that newer records
    point at, is kept and listed in ``conflicts``. ``dry_run`` reports without
    changing anything.
    """
    try:
        with store.write() as session:
            mark_bulk(session)  # hooks see the undo once, as a list
            batch = _find_batch(session, batch_id)
            job = _Undo(store, session, batch)
            job.restore()
            job.remove()
            batch.undone_at = utcnow()
            if batch.kind in ("contacts", "activities") and (job.deleted or job.restored):
                # as after the import: scores follow the contacts and what they did
                from tinycrm.store.scoring import recompute_scores

                recompute_scores(store, quiet=True)
            removed = ", ".join(plural(n, e) for e, n in job.deleted.items() if n) or "nothing"
            kept = f"; kept {len(job.conflicts):,} changed since" if job.conflicts else ""
            record_event(
                store,
                session,
                action="undone",
                entity=ENTITY.get(batch.kind, batch.kind),
                entity_id=None,
                summary=(
                    f"undid import #{batch.id} of {batch.kind} from {batch.source}: removed "
                    f"{removed}, restored {plural(job.restored, 'value')}{kept}"
                ),
            )
            assert batch.id is not None
            result = UndoSummary(
                batch_id=batch.id,
                kind=batch.kind,
                source=batch.source,
                deleted=job.deleted,
                restored=job.restored,
                conflicts=job.conflicts,
                dry_run=dry_run,
            )
            if dry_run:
                raise _Rollback(result)
            return result
    except _Rollback as rollback:
        return rollback.result  # type: ignore[no-any-return]


def count_rows(store: Store) -> dict[str, int]:
    """How many records of each kind there are (for tests and the bench)."""
    with store.read() as session:
        return {
            name: session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in _MODELS.items()
        }

"""What happens when a write commits: the hooks run and the webhook outbox is filled.

Every write records its events (``records.record_event``) in its own transaction. Just
before that transaction commits, :class:`CommitWatch` turns each event into the JSON a
hook and a webhook see: ``action``, ``entity``, ``id``, the ``record`` as ``--json``
prints it after the change, ``changes`` (``{field: [old, new]}``) and the ``actor``.
Then the ``pre-write`` hooks run (one refusing rolls everything back), and one outbox
row per event and matching endpoint is written; after the commit the ``post-write``
hooks run. ``tinycrm.open()`` installs it on the store, so the command line, the board
and scripts all get the same, with what it follows of the config file (``HookSettings``:
the hooks folder, their time limit, the webhook endpoints): the store reads none.

The old values come from SQLAlchemy's attribute history (captured before each flush)
and from the notes ``apply_tags``, ``apply_fields`` and ``drop_tags_and_fields`` leave.
Nothing of this runs when no hook is installed and no webhook configured.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from functools import cache
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import event as sa_event
from sqlalchemy import inspect, select
from sqlmodel import Session, col

from tinycrm.formats import jsonnumbers
from tinycrm.store.errors import Conflict
from tinycrm.store.models import (
    Activity,
    Campaign,
    Company,
    Contact,
    Deal,
    Event,
)
from tinycrm.store.records import BULK_KEY, CHANGES_KEY, EVENTS_KEY, IMPORT_BATCH_KEY, Key

if TYPE_CHECKING:
    from pathlib import Path

    from tinycrm.store.engine import Store
    from tinycrm.webhooks.endpoints import Endpoint

WATCH_KEY = "tinycrm.watch"
BULK_ACTIONS = ("imported", "merged", "retagged")
"""Writes that call each hook once with a list: one item per record they touched."""
HIDDEN = {"updated_at", "created_at", "last_touch", "score"}
"""Fields left out of ``changes`` (they change as a result, not as the change)."""


def _readers() -> dict[str, tuple[type[Any], Callable[[Session, Any], Any]]]:
    """The nouns whose records a hook sees: table model and ``to_read`` by entity name."""
    from tinycrm.store import (
        activities,
        campaigns,
        cases,
        companies,
        contacts,
        contracts,
        deals,
        products,
        quotes,
    )
    from tinycrm.store.sales_models import Product, Quote
    from tinycrm.store.service_models import Contract, SupportCase

    return {
        "case": (SupportCase, cases.to_read),
        "contract": (Contract, contracts.to_read),
        "product": (Product, products.to_read),
        "quote": (Quote, quotes.to_read),
        "contact": (Contact, contacts.to_read),
        "company": (Company, companies.to_read),
        "deal": (Deal, deals.to_read),
        "activity": (Activity, activities.to_read),
        "campaign": (Campaign, campaigns.to_read),
    }


@cache
def _entities() -> dict[type[Any], str]:
    """The entity name of each table model a hook sees (the products' and contracts'
    models are imported here, not by every command that writes)."""
    from tinycrm.store.sales_models import Product, Quote
    from tinycrm.store.service_models import Contract, SupportCase

    return {
        Contact: "contact",
        Company: "company",
        Deal: "deal",
        Activity: "activity",
        Contract: "contract",
        Product: "product",
        SupportCase: "case",
        Quote: "quote",
    }


@dataclass(frozen=True)
class HookSettings:
    """What the hooks and webhooks of a write follow, as the API layer read them from
    the config file: ``hooks_dir`` (``hooks/`` beside it), ``timeout`` (``[hooks]
    timeout``, seconds a hook may run), ``endpoints`` (``[[webhooks]]``), and ``error``:
    why the file cannot be used (a write that records an event is refused with it: the
    file names the webhooks, and an event must not be lost)."""

    hooks_dir: Path
    timeout: float = 10.0
    endpoints: tuple[Endpoint, ...] = ()
    error: str | None = None


@dataclass
class _Watch:
    """One write transaction being watched: what runs and what was seen."""

    settings: HookSettings
    hooks_dir: Path
    pre: bool
    post: bool
    endpoints: tuple[Endpoint, ...]
    before: dict[Key, dict[str, Any] | None] = field(default_factory=dict)
    deleted: dict[Key, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Committed:
    """What the ``post-write`` hooks get once the transaction has committed."""

    hooks_dir: Path
    payloads: list[Any]
    timeout: float
    env: dict[str, str]


class CommitWatch:
    """Installed on a ``Store`` (``store.watch``): ``begin`` when a write transaction
    opens, ``before_commit`` just before it commits (may refuse), ``after_commit``."""

    def __init__(self, store: Store, settings: Callable[[], HookSettings]) -> None:
        self.store = store
        self.settings = settings  # asked as each write opens
        self.inside_own_pre_write = _inside_hook_of(store, "pre-write")
        self.inside_own_post_write = _inside_hook_of(store, "post-write")

    def opening(self) -> None:
        """Before a write transaction opens. Inside a pre-write hook of a write to this
        same database, that write holds the database (SQLite's lock; on PostgreSQL the
        rows and keys it took) until the hook is done, so a write here would only wait
        until the hook is killed: refused at once, saying why."""
        if self.inside_own_pre_write:
            raise Conflict(
                "a pre-write hook cannot write to the database whose write it checks: "
                "that write waits for the hook (write from a post-write hook instead)"
            )

    def begin(self, session: Session) -> None:
        from tinycrm import hooks

        given = self.settings()
        directory = given.hooks_dir
        pre = bool(hooks.runnable(directory, "pre-write"))
        # a write made by a post-write hook of a write to this database runs no
        # post-write hooks: a hook that writes would otherwise call itself for ever
        post = not self.inside_own_post_write and bool(hooks.runnable(directory, "post-write"))
        if given.error is None and not (pre or post or given.endpoints):
            return
        watch = _Watch(given, directory, pre, post, given.endpoints)
        session.info[WATCH_KEY] = watch
        session.info[CHANGES_KEY] = {}
        sa_event.listen(session, "before_flush", _capture)

    def before_commit(self, session: Session) -> Committed | None:
        watch: _Watch | None = session.info.get(WATCH_KEY)
        events: list[Event] = session.info.get(EVENTS_KEY) or []
        if watch is None or not events:
            return None
        if watch.settings.error:  # the config names the webhooks: an event must not be lost
            from tinycrm.config_lines import ConfigError

            raise ConfigError(watch.settings.error)
        session.flush()
        calls = [_payload_for(session, watch, event) for event in events]
        timeout = watch.settings.timeout
        env = _hook_env(self.store)
        hook_calls = _one_list(calls) if session.info.get(BULK_KEY) else calls
        if watch.pre:
            from tinycrm import hooks

            hooks.pre_write(watch.hooks_dir, hook_calls, timeout=timeout, env=env)
        if watch.endpoints:
            from tinycrm.store.outbox import enqueue

            for event, call in zip(events, calls, strict=True):
                enqueue(session, event, call, watch.endpoints)
            session.flush()
        if not watch.post:
            return None
        return Committed(watch.hooks_dir, hook_calls, timeout, env)

    def after_commit(self, committed: Committed | None) -> None:
        if committed is None:
            return
        from tinycrm import hooks
        from tinycrm.errors import warn

        for problem in hooks.post_write(
            committed.hooks_dir, committed.payloads, timeout=committed.timeout, env=committed.env
        ):
            warn(problem)


def _hook_env(store: Store) -> dict[str, str]:
    """What a hook's environment gets: ``TINYCRM_DB``, the database being written, so
    that a hook reading it with ``tinycrm`` reads this one (a write through ``--db``,
    ``tinycrm.open(path)`` or an MCP server started with ``--db`` is not to the user's
    own database)."""
    return {"TINYCRM_DB": store.url}


def _inside_hook_of(store: Store, kind: str) -> bool:
    """This process runs inside a hook of ``kind`` of a write to ``store``'s database
    (the hook's environment names it: ``_hook_env``)."""
    import os

    from tinycrm.store.engine import resolve_url

    written = os.environ.get("TINYCRM_DB")
    return (
        os.environ.get("TINYCRM_HOOK") == kind
        and bool(written)
        and resolve_url(written) == store.url
    )


def install(store: Store, settings: Callable[[], HookSettings]) -> None:
    """Run hooks and fill the webhook outbox on every write through ``store``, as
    ``settings`` (asked as each write opens) say."""
    store.watch = CommitWatch(store, settings)


# ----------------------------------------------------------------------- capture


def _capture(session: Session, _context: Any, _instances: Any) -> None:
    """Before each flush: the old values of what is about to be updated or deleted."""
    watch: _Watch | None = session.info.get(WATCH_KEY)
    if watch is None:
        return
    readers = _readers()
    with session.no_autoflush:
        for obj in list(session.dirty):
            entity = _entities().get(type(obj))
            if entity is None or obj.id is None or (entity, obj.id) in watch.before:
                continue
            state = inspect(obj)
            old: dict[str, Any] = {}
            for attr in state.mapper.column_attrs:
                history = state.attrs[attr.key].history
                current = getattr(obj, attr.key)
                old[attr.key] = history.deleted[0] if history.deleted else current
            if old == {a.key: getattr(obj, a.key) for a in state.mapper.column_attrs}:
                continue
            _model, read = readers[entity]
            try:
                watch.before[(entity, obj.id)] = _json(read(session, SimpleNamespace(**old)))
            except Exception:  # an old value that no longer reads (a stage gone): no diff
                watch.before[(entity, obj.id)] = None
        for obj in list(session.deleted):
            entity = _entities().get(type(obj))
            if entity is None or obj.id is None or (entity, obj.id) in watch.deleted:
                continue
            _model, read = readers[entity]
            record = _json(read(session, obj))
            notes = session.info[CHANGES_KEY].get((entity, obj.id), {})
            for name in ("tags", "fields"):
                if name in notes and name in record:
                    record[name] = notes[name][0]
            watch.deleted[(entity, obj.id)] = record


def _json(model: Any) -> dict[str, Any]:
    """A record as hooks and webhooks get it: its amounts as ``jsonnumbers`` markers,
    written exactly when the payload is (``hooks.encode``, ``outbox.body_for``)."""
    dumped: dict[str, Any] = jsonnumbers.jsonable(model)
    return dumped


# ----------------------------------------------------------------------- payloads


def _payload_for(session: Session, watch: _Watch, event: Event) -> Any:
    """The JSON of one event: an object, or for a bulk write a list of one per record."""
    item = _item(session, watch, event.action, event.entity, event.entity_id, event)
    if event.action not in BULK_ACTIONS:
        return item
    if event.action == "imported":
        return _imported(session, event) or [item]
    if event.action == "retagged":  # a tag renamed or removed: each record, its tags
        return [
            _item(session, watch, "updated", entity, rid, event)
            for (entity, rid), notes in session.info[CHANGES_KEY].items()
            if "tags" in notes
        ] or [item]
    gone = [
        _deleted_item(event, entity, rid, record) for (entity, rid), record in watch.deleted.items()
    ]
    return [item, *gone]


def _one_list(calls: list[Any]) -> list[Any]:
    """A bulk transaction's calls as one: a list of every item."""
    items: list[Any] = []
    for call in calls:
        items.extend(call if isinstance(call, list) else [call])
    return [items]


def _base(event: Event, action: str, entity: str, rid: int | None) -> dict[str, Any]:
    return {
        "event": f"{event.entity}.{event.action}",
        "event_id": event.id,
        # written as the record's times and --json write a moment: "...09:06:58.683470Z"
        "at": event.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "action": action,
        "entity": entity,
        "id": rid,
        "summary": event.summary,
        "actor": event.actor,
    }


def _deleted_item(event: Event, entity: str, rid: int, record: dict[str, Any]) -> dict[str, Any]:
    return {**_base(event, "deleted", entity, rid), "record": record, "changes": {}}


def _item(
    session: Session, watch: _Watch, action: str, entity: str, rid: int | None, event: Event
) -> dict[str, Any]:
    """One record's part: its record after the change and the fields that changed."""
    out = _base(event, action, entity, rid)
    reader = _readers().get(entity)
    record: dict[str, Any] | None = None
    if reader is not None and rid is not None:
        model, read = reader
        row = session.get(model, rid)
        record = _json(read(session, row)) if row is not None else watch.deleted.get((entity, rid))
    out["record"] = record
    plain = action in ("created", "deleted")
    out["changes"] = {} if plain else _changes(session, watch, entity, rid, record)
    return out


def _changes(
    session: Session, watch: _Watch, entity: str, rid: int | None, after: dict[str, Any] | None
) -> dict[str, list[Any]]:
    if rid is None or after is None:
        return {}
    changes: dict[str, list[Any]] = {}
    before = watch.before.get((entity, rid))
    if before is not None:
        for key, new in after.items():
            old = before.get(key)
            if key not in HIDDEN and key not in ("tags", "fields") and old != new:
                changes[key] = [old, new]
    for name, (old, new) in session.info[CHANGES_KEY].get((entity, rid), {}).items():
        if old != new:
            changes[name] = [old, after.get(name, new)]
    return changes


def _imported(session: Session, event: Event) -> list[dict[str, Any]]:
    """An import's rows, one item each, from the batch's own record of what it did."""
    batch = session.info.get(IMPORT_BATCH_KEY)
    if batch is None:
        return []
    from tinycrm.store.log_models import ImportChange  # (an import's log: defined when read)

    readers = _readers()
    items: dict[Key, dict[str, Any]] = {}
    rows = session.scalars(
        select(ImportChange)
        .where(col(ImportChange.batch_id) == batch)
        .order_by(col(ImportChange.id))
    )
    import json

    for change in rows:
        key = (change.entity, change.entity_id)
        item = items.get(key)
        if item is None:
            item = _base(event, change.action, change.entity, change.entity_id)
            reader = readers.get(change.entity)
            row = session.get(reader[0], change.entity_id) if reader else None
            item["record"] = _json(reader[1](session, row)) if reader and row else None
            item["changes"] = {}
            items[key] = item
        if change.field:
            old = None if change.old_value is None else json.loads(change.old_value)
            new = None if change.new_value is None else json.loads(change.new_value)
            item["changes"][change.field] = [old, new]
    return list(items.values())

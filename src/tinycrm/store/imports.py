"""Imports: many records from a file in one transaction, kept as a batch that can be undone.

``import_records`` takes rows already mapped to field names (``formats.mapping``
does that for CSV, ``formats.vcard`` for vCards), validates each with the same
rules as the single-record functions, finds duplicates, links or creates the
companies and contacts the rows name, and writes through Core in batches, all in
one transaction with one event. A row that fails is reported to ``on_reject``
and left out (``strict``: the whole import is refused). Every record created and
every field changed is kept in ``import_change`` with its value before, which is
what ``undo_import`` puts back.

Dedupe: contacts by email (case-insensitive; rows without one by name and
company), companies by domain, else name; deals by external id when the row has
one, else title and company; activities by kind, subject, time and links.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from sqlalchemy import Date, bindparam, delete, func, insert, literal, null, select, update
from sqlmodel import Session, SQLModel

from tinycrm import repeat
from tinycrm.formats import FormatError
from tinycrm.formats import values as cell
from tinycrm.formats.mapping import FIELD_PREFIX, ROW_ERROR, normalize
from tinycrm.store import validate
from tinycrm.store.automation import active_rules, run_rules
from tinycrm.store.bulk import (
    BulkWriter,
    big_cache,
    contact_search_deferred,
    gc_paused,
    id_runs,
)
from tinycrm.store.companies import domain_taken
from tinycrm.store.engine import Store, chunks
from tinycrm.store.errors import Conflict, Invalid, NotFound
from tinycrm.store.models import (
    Activity,
    Company,
    Contact,
    Deal,
    FieldValue,
    ImportBatch,
    ImportChange,
    LifecycleChange,
    Pipeline,
    ReadModel,
    Stage,
    StageChange,
    Tag,
)
from tinycrm.store.records import record_event, record_lifecycle
from tinycrm.store.types import UTCDateTime, utcnow
from tinycrm.vocab import DEFAULT_CURRENCY, LEAD_STATUSES

KINDS = ("contacts", "companies", "deals", "activities")
ENTITY = {"contacts": "contact", "companies": "company", "deals": "deal", "activities": "activity"}
DUPLICATE_POLICIES = ("skip", "update", "error")
CHUNK = 2000
_IN = 2000  # ids per IN (...) list

ImportRow = tuple[int, Mapping[str, str], Any]
"""(line number, values by field name, the raw record handed back to ``on_reject``)."""

RejectHandler = Callable[[int, str, Any], None]

_MODELS: dict[str, Any] = {
    "company": Company,
    "contact": Contact,
    "deal": Deal,
    "activity": Activity,
}
_LIFECYCLE_SYNONYMS = {
    "subscriber": "lead",
    "marketing qualified lead": "lead",
    "marketingqualifiedlead": "lead",
    "mql": "lead",
    "new": "lead",
    "sales qualified lead": "prospect",
    "salesqualifiedlead": "prospect",
    "sql": "prospect",
    "opportunity": "prospect",
    "qualified": "prospect",
    "evangelist": "customer",
    "client": "customer",
    "former customer": "churned",
    "lost": "churned",
    "other": "lead",
}
_ROLE_SYNONYMS = {
    "decision maker": "decision-maker",
    "economic buyer": "buyer",
    "champion": "influencer",
    "technical buyer": "influencer",
    "end user": "user",
    "evaluator": "influencer",
    "executive sponsor": "decision-maker",
}
_KIND_SYNONYMS = {
    "call": "call",
    "phone call": "call",
    "phone": "call",
    "log a call": "call",
    "outbound call": "call",
    "inbound call": "call",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "sent email": "email",
    "meeting": "meeting",
    "event": "meeting",
    "appointment": "meeting",
    "lunch": "meeting",
    "demo": "meeting",
    "note": "note",
    "comment": "note",
    "task": "task",
    "to-do": "task",
    "todo": "task",
    "to do": "task",
    "deadline": "task",
    "follow-up": "task",
    "follow up": "task",
}
_WON = ("closed won", "closedwon", "won", "closed - won", "closed/won")
_LOST = ("closed lost", "closedlost", "lost", "closed - lost", "closed/lost")


class ImportSummary(ReadModel):
    """What an import did (or, on a dry run, would do)."""

    batch_id: int | None
    kind: str
    source: str
    created: int
    updated: int
    skipped: int
    rejected: int
    linked_created: dict[str, int]
    dry_run: bool


class ImportBatchRead(ReadModel):
    id: int
    kind: str
    source: str
    at: datetime
    actor: str
    created: int
    updated: int
    skipped: int
    rejected: int
    undone_at: datetime | None


class UndoSummary(ReadModel):
    """What undoing an import did (or would do)."""

    batch_id: int
    kind: str
    source: str
    deleted: dict[str, int]
    restored: int
    conflicts: list[str]
    dry_run: bool


class _Rollback(Exception):
    def __init__(self, result: Any) -> None:
        self.result = result


# --------------------------------------------------------------------------- helpers


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _json(value: Any) -> str:
    return json.dumps(_jsonable(value), ensure_ascii=False)


def _text(values: Mapping[str, str], key: str) -> str:
    return (values.get(key) or "").strip()


def _plural(n: int, word: str) -> str:
    plurals = {"company": "companies", "activity": "activities"}
    return f"{n:,} {word if n == 1 else plurals.get(word, word + 's')}"


def _cell_error(exc: FormatError) -> Invalid:
    return Invalid(str(exc))


@dataclass(slots=True)
class _Prepared:
    """One row, validated: its columns, tags, custom fields and the records it names."""

    line: int
    raw: Any
    columns: dict[str, Any]
    blanks: set[str] | frozenset[str] = frozenset()  # blank cells (made a set by blank())
    tags: Sequence[str] = ()
    fields: Mapping[str, str] = field(default_factory=dict)
    company: str | None = None
    company_domain: str | None = None
    contact: str | None = None
    deal: str | None = None
    about: str | None = None
    key: Any = None  # dedupe key
    target: int | None = None  # id of the record it becomes or updates
    row: dict[str, Any] | None = None  # the new record's row, made ahead (contacts)
    blank_fields: tuple[str, ...] = ()  # custom fields whose cells were blank
    rejected: bool = False  # left out while merging (reported, not counted as skipped)

    def blank(self, column: str) -> None:
        """Note a blank cell (``--overwrite`` clears the field)."""
        if not isinstance(self.blanks, set):
            self.blanks = set()
        self.blanks.add(column)


@dataclass
class _State:
    """A record being updated: its columns, tags and fields as they are now."""

    columns: dict[str, Any]
    tags: set[str]
    fields: dict[str, str]
    recorded: bool  # changes are recorded for undo (not for records this import created)
    pending: bool  # not inserted yet (created earlier in this chunk)
    changed: set[str] = field(default_factory=set)


# --------------------------------------------------------------------------- the import


class _Import:
    """The machinery every kind shares: batches, linking, dedupe, writing, recording."""

    entity = ""
    clearable: tuple[str, ...] = ()

    def __init__(
        self,
        store: Store,
        session: Session,
        batch_id: int,
        now: datetime,
        *,
        on_duplicate: str,
        overwrite: bool,
        strict: bool,
        day_first: bool,
        on_reject: RejectHandler | None,
    ) -> None:
        self.store = store
        self.session = session
        self.conn = session.connection()
        self.batch_id = batch_id
        self.now = now
        self.on_duplicate = on_duplicate
        self.overwrite = overwrite
        self.strict = strict
        self.day_first = day_first
        self.on_reject = on_reject
        self.writer = BulkWriter(store, self.conn)
        self.stamp = self.writer.ts(now)
        self.created = self.updated = self.skipped = self.rejected = 0
        self.linked: dict[str, int] = defaultdict(int)
        self.keys: dict[Any, int] = {}  # dedupe key -> id, for records this import created
        self.created_ids: set[int] = set()
        self._companies: dict[str, int] | None = None
        self._domains: dict[str, int] = {}
        self._contact_names: dict[str, int | None] = {}
        self._contact_emails: dict[str, int] = {}
        self.search: Any = None
        self._updates: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
        self._states: dict[int, _State] = {}
        self._fresh: dict[int, _Prepared] = {}  # created in this chunk
        self._rejects: list[tuple[int, str, Any]] = []
        self._tag_lists: dict[str, list[str]] = {}
        self._company_refs: dict[tuple[str | None, str | None], int | None] = {}
        self._born: dict[str, list[int]] = {"contact": [], "deal": [], "moved": []}
        self._rules = {
            t: active_rules(store, t) for t in ("contact.created", "deal.created", "deal.stage")
        }

    # ---------------------------------------------------------------- running

    def run(self, rows: Iterable[ImportRow]) -> None:
        self.empty = {
            entity: self.conn.execute(select(model.id).limit(1)).first() is None
            for entity, model in _MODELS.items()
        }
        with (
            big_cache(self.store, self.conn),
            contact_search_deferred(self.store, self.conn) as search,
            gc_paused(),
        ):
            self.search = search
            try:
                for chunk in self.read(rows):
                    self.process(chunk)
            except FormatError as exc:
                raise Invalid(str(exc)) from exc

    def read(self, rows: Iterable[ImportRow]) -> Iterator[list[_Prepared | tuple[int, Any, str]]]:
        """Batches of rows, each validated (``_Prepared``) or refused (line, raw, reason)."""
        iterator = iter(rows)
        while chunk := list(islice(iterator, CHUNK)):
            out: list[_Prepared | tuple[int, Any, str]] = []
            for line, values, raw in chunk:
                if ROW_ERROR in values:
                    out.append((line, raw, values[ROW_ERROR]))
                    continue
                try:
                    out.append(self.prepare(line, raw, values))
                except (Invalid, NotFound, ValueError, ArithmeticError) as exc:
                    # (FormatError is a ValueError; dates near year 1 overflow)
                    out.append((line, raw, str(exc) or type(exc).__name__))
            yield out

    def reject(self, line: int, raw: Any, reason: str) -> None:
        """Leave a row out; reported in line order when its batch is done."""
        self._rejects.append((line, reason, raw))

    def report_rejects(self) -> None:
        self._rejects.sort(key=lambda r: r[0])
        for line, reason, raw in self._rejects:
            if self.strict:
                raise Invalid(f"line {line}: {reason} (--strict: nothing was imported)")
            self.rejected += 1
            if self.on_reject is not None:
                self.on_reject(line, reason, raw)
        self._rejects.clear()

    def process(self, chunk: list[_Prepared | tuple[int, Any, str]]) -> None:
        prepared: list[_Prepared] = []
        for item in chunk:
            if isinstance(item, tuple):
                self.reject(*item)
            else:
                prepared.append(item)
        prepared = self.link(prepared)
        self.dedupe(prepared)
        self.report_rejects()
        self.writer.flush()
        self.contact_rows(self._born["contact"])
        self.flush_updates()
        self.fire_rules()
        self._fresh.clear()

    def prepare(self, line: int, raw: Any, values: Mapping[str, str]) -> _Prepared:
        raise NotImplementedError

    def link(self, rows: list[_Prepared]) -> list[_Prepared]:
        """Resolve the companies (and contacts, deals) rows name; rows that cannot be
        linked are rejected and left out."""
        return rows

    # ---------------------------------------------------------------- shared field parsing

    def common(self, prep: _Prepared, values: Mapping[str, str]) -> None:
        """Tags, custom fields and owner, which every taggable kind has."""
        tags = values.get("tags")
        if tags:
            # A file repeats a few tag lists many times: each is read once.
            found = self._tag_lists.get(tags)
            if found is None:
                found = self._tag_lists[tags] = validate.tags(cell.split_tags(tags))
            prep.tags = list(found)
        extra = {k[6:]: v for k, v in values.items() if k[:6] == FIELD_PREFIX}
        if extra:
            prep.fields = validate.fields({k: v for k, v in extra.items() if v})
            prep.blank_fields = tuple(k for k, v in extra.items() if not v)
        if "owner" in values:
            self.text(prep, values, "owner", "owner")

    def text(
        self, prep: _Prepared, values: Mapping[str, str], key: str, column: str, label: str = ""
    ) -> None:
        """Copy an optional text cell to ``column`` (a blank one is noted for ``overwrite``)."""
        value = values.get(key)
        if value is None:
            return
        if not value:
            prep.blank(column)
            return
        multiline = column in ("notes", "body")
        clean = validate.optional_text(value, label or column, multiline=multiline)
        if clean is None:
            prep.blank(column)
        else:
            prep.columns[column] = clean

    # ---------------------------------------------------------------- companies and contacts

    def _load_companies(self) -> dict[str, int]:
        if self._companies is None:
            self._companies = {}
            for cid, name_key, domain in self.conn.execute(
                select(Company.id, Company.name_key, Company.domain)
            ):
                self._companies[name_key] = cid
                if domain:
                    self._domains.setdefault(domain, cid)
        return self._companies

    def company_id(self, name: str | None, domain: str | None = None) -> int | None:
        """The company a row names (by domain, then name), created when missing."""
        if not name and not domain:
            return None
        known = self._company_refs.get((name, domain))
        if known is not None:
            return known
        found = self._company_id(name, domain)
        self._company_refs[(name, domain)] = found
        return found

    def _company_id(self, name: str | None, domain: str | None) -> int | None:
        names = self._load_companies()
        if domain and domain in self._domains:
            return self._domains[domain]
        if name:
            key = validate.key(name)
            if key in names:
                found = names[key]
                if domain and domain not in self._domains:
                    self._domains[domain] = found
                return found
        clean = validate.name(name or domain, "company name")
        cid = self.writer.new_id("company")
        self.writer.add(
            "company",
            {
                "id": cid,
                "name": clean,
                "name_key": validate.key(clean),
                "domain": domain,
                "industry": None,
                "size": None,
                "phone": None,
                "address": None,
                "city": None,
                "country": None,
                "owner": self.store.user,
                "created_at": self.stamp,
                "updated_at": self.stamp,
            },
        )
        self.record_created("company", cid)
        self.linked["company"] += 1
        names[validate.key(clean)] = cid
        if domain:
            self._domains[domain] = cid
        return cid

    def lookup_contacts(self, refs: Iterable[str]) -> None:
        """Load the contacts that ``refs`` (emails or names) name, for ``contact_id``."""
        emails, names = set(), set()
        for ref in refs:
            if "@" in ref:
                try:
                    email = validate.email(ref)
                except Invalid:
                    continue
                if email and email not in self._contact_emails:
                    emails.add(email)
            else:
                key = validate.key(ref)
                if key not in self._contact_names:
                    names.add(key)
        for chunk in chunks(sorted(emails), _IN):
            for cid, email in self.conn.execute(
                select(Contact.id, Contact.email).where(Contact.email.in_(chunk))
            ):
                self._contact_emails[email] = cid
        for chunk in chunks(sorted(names), _IN):
            found: dict[str, list[int]] = defaultdict(list)
            for cid, key in self.conn.execute(
                select(Contact.id, Contact.name_key).where(Contact.name_key.in_(chunk))
            ):
                found[key].append(cid)
            for key in chunk:
                ids = found.get(key, [])
                if ids:
                    self._contact_names[key] = ids[0] if len(ids) == 1 else None

    def contact_id(self, ref: str | None, company_id: int | None) -> int | None:
        """The contact a row names by email or name; created when missing."""
        if not ref:
            return None
        if "@" in ref:
            email = validate.email(ref)
            assert email is not None
            if email in self._contact_emails:
                return self._contact_emails[email]
            name = email
        else:
            email = None
            key = validate.key(ref)
            if key in self._contact_names:
                found = self._contact_names[key]
                if found is None:
                    raise Invalid(f"more than one contact is named {ref!r}; give an email instead")
                return found
            name = ref
        clean = validate.name(name, "contact name")
        cid = self.writer.new_id("contact")
        row = _contact_insert(
            cid,
            {"name": clean, "email": email, "company_id": company_id, "owner": self.store.user},
            self.stamp,
        )
        self.new_contact(row)
        self.linked["contact"] += 1
        if email:
            self._contact_emails[email] = cid
        else:
            self._contact_names[validate.key(clean)] = cid
        return cid

    # ---------------------------------------------------------------- dedupe and merge

    def find_existing(self, rows: list[_Prepared]) -> dict[Any, int]:
        """Dedupe key -> id of the records already in the database."""
        raise NotImplementedError

    def dedupe(self, rows: list[_Prepared]) -> None:
        existing = self.find_existing([r for r in rows if r.key is not None])
        updates: list[_Prepared] = []
        for prep in rows:
            target = self.match(prep, existing)
            if target is None:
                prep.target = self.writer.new_id(self.entity)
                if prep.key is not None:
                    self.keys[prep.key] = prep.target
                self.insert(prep)
                self.created_ids.add(prep.target)
                if self.entity != "contact":  # new_contact records its own
                    self.record_created(self.entity, prep.target)
                self.created += 1
                continue
            prep.target = target
            if self.on_duplicate == "skip":
                self.skipped += 1
            elif self.on_duplicate == "error":
                self.reject(prep.line, prep.raw, f"duplicate of {self.entity} #{target}")
            else:
                updates.append(prep)
        if updates:
            self.load_states([p.target for p in updates if p.target not in self._states])
            for prep in updates:
                assert prep.target is not None
                if self.merge(self._states[prep.target], prep):
                    self.updated += 1
                elif not prep.rejected:
                    self.skipped += 1
            self.queue_updates()

    def match(self, prep: _Prepared, existing: dict[Any, int]) -> int | None:
        """The id of the record ``prep`` duplicates: one this import created, else one found."""
        if prep.key is None:
            return None
        return self.keys.get(prep.key, existing.get(prep.key))

    def insert(self, prep: _Prepared) -> None:
        raise NotImplementedError

    def load_states(self, ids: list[int]) -> None:
        model = _MODELS[self.entity]
        pending = {row["id"]: row for row in self.writer._pending[self.entity]}
        for chunk in chunks(sorted(set(ids)), _IN):
            rows = {
                row["id"]: dict(row)
                for row in self.conn.execute(
                    select(*model.__table__.c).where(model.id.in_(chunk))
                ).mappings()
            }
            tags = defaultdict(set)
            for eid, name in self.conn.execute(
                select(Tag.entity_id, Tag.name).where(
                    Tag.entity == self.entity, Tag.entity_id.in_(chunk)
                )
            ):
                tags[eid].add(name)
            fields: dict[int, dict[str, str]] = defaultdict(dict)
            for eid, key, value in self.conn.execute(
                select(FieldValue.entity_id, FieldValue.key, FieldValue.value).where(
                    FieldValue.entity == self.entity, FieldValue.entity_id.in_(chunk)
                )
            ):
                fields[eid][key] = value
            for rid in chunk:
                if rid in pending:
                    fresh = self._fresh.get(rid)
                    tags_now = set(fresh.tags) if fresh else set()
                    fields_now = dict(fresh.fields) if fresh else {}
                    self._states[rid] = _State(pending[rid], tags_now, fields_now, False, True)
                elif rid in rows:
                    self._states[rid] = _State(
                        rows[rid], tags[rid], fields[rid], rid not in self.created_ids, False
                    )

    def merge(self, state: _State, prep: _Prepared) -> bool:
        """Fill empty fields (all given ones with ``overwrite``) and add tags; True if changed."""
        changed = False
        columns = dict(prep.columns)
        if self.overwrite:
            for name in prep.blanks & set(self.clearable):
                columns.setdefault(name, None)
        for name, new in columns.items():
            old = state.columns.get(name)
            empty = old is None or old == "" or old is False  # a flag not set is empty
            if old == new or (not empty and not self.overwrite):
                continue
            if state.pending:
                if isinstance(new, datetime):
                    new = self.writer.ts(new)
                elif isinstance(new, date):
                    new = self.writer.day(new)
                state.columns[name] = new
            else:
                state.columns[name] = new
                state.changed.add(name)
                if state.recorded:
                    self.record_change(state.columns["id"], name, old, new)
            changed = True
        rid = state.columns["id"]
        for tag in prep.tags:
            if tag not in state.tags:
                state.tags.add(tag)
                self.writer.add("tag", {"entity": self.entity, "entity_id": rid, "name": tag})
                if state.recorded:
                    self.record_change(rid, f"tag:{tag}", None, True)
                changed = True
        for key, value in prep.fields.items():
            old_value = state.fields.get(key)
            if old_value == value or (old_value is not None and not self.overwrite):
                continue
            if old_value is None:
                self.writer.add(
                    "field_value",
                    {"entity": self.entity, "entity_id": rid, "key": key, "value": value},
                )
            elif self._queued_field(rid, key, value):
                pass  # the row not yet written now holds the new value
            else:
                self.conn.execute(
                    update(FieldValue)
                    .where(
                        FieldValue.entity == self.entity,
                        FieldValue.entity_id == rid,
                        FieldValue.key == key,
                    )
                    .values(value=value)
                )
            state.fields[key] = value
            if state.recorded:
                self.record_change(rid, f"field:{key}", old_value, value)
            changed = True
        for key in prep.blank_fields if self.overwrite else ():
            if key not in state.fields:
                continue
            old_value = state.fields.pop(key)
            queued = self.writer._pending["field_value"]
            kept = [q for q in queued if not (q["entity_id"] == rid and q["key"] == key)]
            if len(kept) == len(queued):
                self.conn.execute(
                    delete(FieldValue).where(
                        FieldValue.entity == self.entity,
                        FieldValue.entity_id == rid,
                        FieldValue.key == key,
                    )
                )
            queued[:] = kept
            if state.recorded:
                self.record_change(rid, f"field:{key}", old_value, None)
            changed = True
        if changed and state.pending:
            for name, key_column in (("name", "name_key"), ("title", "title_key")):
                if key_column in state.columns:
                    state.columns[key_column] = validate.key(state.columns[name])
            if self.entity == "contact":
                state.columns["search_key"] = _search_key(state.columns)
        return changed

    def _queued_field(self, rid: int, key: str, value: str) -> bool:
        """Set a custom field row that is queued but not written yet; False if none is."""
        found = False
        for queued in self.writer._pending["field_value"]:
            if queued["entity_id"] == rid and queued["key"] == key:
                queued["value"] = value
                found = True
        return found

    def queue_updates(self) -> None:
        """Turn the changed columns of loaded records into grouped UPDATE statements."""
        for rid, state in list(self._states.items()):
            if state.pending or not state.changed:
                continue
            values = {name: state.columns[name] for name in state.changed}
            if self.entity == "contact":
                old_key = state.columns.get("search_key") or ""
                if "name" in values:
                    values["name_key"] = validate.key(values["name"])
                new_key = _search_key(state.columns)
                if new_key != old_key:
                    values["search_key"] = new_key
                    if state.recorded:
                        self.search.changing(rid, old_key)
                    state.columns["search_key"] = new_key
            if self.entity == "company" and "name" in values:
                values["name_key"] = validate.key(values["name"])
            if self.entity == "deal" and "title" in values:
                values["title_key"] = validate.key(values["title"])
            values["updated_at"] = self.now
            self._updates[frozenset(values)].append({"_id": rid, **values})
            state.changed = set()
        self._states = {rid: s for rid, s in self._states.items() if not s.pending}

    def flush_updates(self) -> None:
        model = _MODELS[self.entity]
        for names, rows in self._updates.items():
            statement = (
                update(model.__table__)
                .where(model.__table__.c.id == bindparam("_id"))
                .values({name: bindparam(name) for name in names})
            )
            self.conn.execute(statement, rows)
        self._updates.clear()
        self._states.clear()

    # ---------------------------------------------------------------- recording

    def record_created(self, entity: str, entity_id: int) -> None:
        self.writer.add(
            "import_change",
            {
                "batch_id": self.batch_id,
                "entity": entity,
                "entity_id": entity_id,
                "action": "created",
                "field": None,
                "old_value": None,
                "new_value": None,
            },
        )

    def record_change(self, entity_id: int, name: str, old: Any, new: Any) -> None:
        self.writer.add(
            "import_change",
            {
                "batch_id": self.batch_id,
                "entity": self.entity,
                "entity_id": entity_id,
                "action": "updated",
                "field": name,
                "old_value": None if old is None else _json(old),
                "new_value": None if new is None else _json(new),
            },
        )

    def new_contact(self, row: dict[str, Any]) -> None:
        """Queue a contact row; its lifecycle history and its record in the batch are
        written from it after the flush (``contact_rows``), and its rules run."""
        self.writer.add("contact", row)
        self.search.inserted(row["id"])
        self._born["contact"].append(row["id"])

    def contact_rows(self, ids: list[int]) -> None:
        """For new contacts: the lifecycle history ``add_contact`` keeps and the batch's
        record of them, made by the database from the contact rows, one statement per
        run of consecutive ids (no 200,000 Python rows for 100,000 contacts)."""
        for low, high in id_runs(sorted(ids)):
            self.conn.execute(
                insert(LifecycleChange).from_select(
                    ["contact_id", "from_lifecycle", "to_lifecycle", "at", "actor"],
                    select(
                        Contact.id,
                        null(),
                        Contact.lifecycle,
                        literal(self.now, UTCDateTime()),
                        literal(self.store.user),
                    ).where(Contact.id.between(low, high)),
                )
            )
            self.conn.execute(
                insert(ImportChange).from_select(
                    ["batch_id", "entity", "entity_id", "action"],
                    select(
                        literal(self.batch_id), literal("contact"), Contact.id, literal("created")
                    ).where(Contact.id.between(low, high)),
                )
            )

    def fire_rules(self) -> None:
        """Automation rules for the contacts and deals this batch created, as ``add_contact``
        and ``add_deal`` run them; the tasks they add belong to the import (undo removes them)."""
        born, self._born = self._born, {"contact": [], "deal": [], "moved": []}
        triggers = [
            ("contact", "contact.created"),
            ("deal", "deal.created"),
            ("deal", "deal.stage"),
            ("moved", "deal.stage"),
        ]
        wanted = [(kind, t) for kind, t in triggers if born[kind] and self._rules.get(t)]
        if not wanted:
            return
        before = self.conn.execute(select(func.coalesce(func.max(Activity.id), 0))).scalar()
        for kind, trigger in wanted:
            model = Deal if kind == "moved" else _MODELS[kind]
            for rid in born[kind]:
                record = self.session.get(model, rid, populate_existing=True)
                run_rules(self.store, self.session, trigger, **{model.__tablename__: record})
        self.session.flush()
        for aid in self.conn.execute(select(Activity.id).where(Activity.id > before)).scalars():
            self.record_created("activity", aid)
        self.writer.flush()

    def add_tags_and_fields(self, prep: _Prepared) -> None:
        assert prep.target is not None
        self._fresh[prep.target] = prep
        for tag in prep.tags:
            self.writer.add("tag", {"entity": self.entity, "entity_id": prep.target, "name": tag})
        for key, value in prep.fields.items():
            self.writer.add(
                "field_value",
                {"entity": self.entity, "entity_id": prep.target, "key": key, "value": value},
            )


def _search_key(columns: Mapping[str, Any]) -> str:
    """What contact search looks in (as ``contacts.search_key``, inlined: it runs per row)."""
    text = f"{columns.get('name') or ''} {columns.get('email') or ''} "
    text += f"{columns.get('phone') or ''} {columns.get('title') or ''}"
    return " ".join(text.split()).casefold()


def _contact_insert(cid: int, columns: Mapping[str, Any], stamp: Any) -> dict[str, Any]:
    """A new contact's row, with what ``add_contact`` sets besides (a lead starts "new")."""
    lifecycle = columns.get("lifecycle") or "lead"
    lead_status = columns.get("lead_status") or ("new" if lifecycle == "lead" else None)
    row = {
        "id": cid,
        "name": columns["name"],
        "name_key": validate.key(columns["name"]),
        "email": columns.get("email"),
        "phone": columns.get("phone"),
        "title": columns.get("title"),
        "role": columns.get("role"),
        "company_id": columns.get("company_id"),
        "lifecycle": lifecycle,
        "lead_status": lead_status,
        "source": columns.get("source"),
        "last_touch": columns.get("last_touch"),
        "owner": columns["owner"],
        "notes": columns.get("notes"),
        "cadence_days": columns.get("cadence_days"),
        "unsubscribed": columns.get("unsubscribed", False),
        "do_not_contact": columns.get("do_not_contact", False),
        "search_key": "",
        "created_at": columns.get("created_at") or stamp,
        "updated_at": stamp,
    }
    row["search_key"] = _search_key(row)
    return row


# --------------------------------------------------------------------------- contacts


class _Contacts(_Import):
    entity = "contact"
    clearable = ("phone", "title", "role", "source", "notes", "cadence_days", "last_touch")

    def prepare(self, line: int, raw: Any, values: Mapping[str, str]) -> _Prepared:
        # The hot loop of a 100,000-row import: values are already trimmed, and the
        # validators are only called for what a row actually holds.
        get = values.get
        prep = _Prepared(line, raw, {})
        columns = prep.columns
        email = get("email")
        email = validate.email(email) if email else None
        name = get("name") or " ".join(
            part for part in (get("first_name"), get("middle_name"), get("last_name")) if part
        )
        columns["name"] = validate.name(name or email)
        if email:
            columns["email"] = email
        for key in ("phone", "title", "notes"):
            value = get(key)
            if value:
                clean = validate.optional_text(value, key, multiline=key == "notes")
                if clean:
                    columns[key] = clean
                    continue
            if value is not None:
                prep.blank(key)
        if "role" in values:
            role = values["role"].lower()
            clean = validate.role(_ROLE_SYNONYMS.get(role, role))
            if clean is None:
                prep.blank("role")
            else:
                columns["role"] = clean
        lifecycle = get("lifecycle")
        if lifecycle:
            stage = " ".join(lifecycle.lower().split())
            columns["lifecycle"] = validate.lifecycle(_LIFECYCLE_SYNONYMS.get(stage, stage))
        if "source" in values:
            source = validate.optional_text(values["source"], "source")
            if source:
                columns["source"] = source.lower()
            else:
                prep.blank("source")
        self._own_columns(prep, values)
        self.common(prep, values)
        company = get("company")
        if company:
            prep.company = validate.optional_text(company, "company")
        domain = get("company_domain")
        if domain:
            prep.company_domain = validate.domain(domain)
        prep.key = ("email", email) if email else ("name", validate.key(columns["name"]))
        # The row it would insert, made here in the read-ahead thread: the writing
        # thread only fills in the id and the company.
        prep.row = _contact_insert(0, {"owner": self.store.user, **columns}, self.stamp)
        return prep

    def _own_columns(self, prep: _Prepared, values: Mapping[str, str]) -> None:
        """Lead status, consent flags, cadence, last touch and creation time."""
        get, columns = values.get, prep.columns
        status = get("lead_status")
        if status:
            columns["lead_status"] = validate.choice(status, LEAD_STATUSES, "lead status")
        for flag in ("unsubscribed", "do_not_contact"):
            value = get(flag)
            if value:
                columns[flag] = cell.parse_flag(value, flag.replace("_", " "))
        cadence = get("cadence_days")
        if cadence:
            days = cell.parse_whole_number(cadence, "keep-in-touch cadence")
            columns["cadence_days"] = validate.cadence(days)
        elif cadence is not None:
            prep.blank("cadence_days")
        self.text(prep, values, "last_touch", "last_touch", "last touch")
        created = get("created_at")
        if created:
            columns["created_at"] = self.writer.ts(cell.parse_datetime(created))

    def link(self, rows: list[_Prepared]) -> list[_Prepared]:
        out = []
        for prep in rows:
            try:
                cid = self.company_id(prep.company, prep.company_domain)
            except Invalid as exc:
                self.reject(prep.line, prep.raw, str(exc))
                continue
            if cid is not None:
                prep.columns["company_id"] = cid
            if prep.key[0] == "name":
                prep.key = ("name", prep.key[1], cid)
            out.append(prep)
        return out

    def find_existing(self, rows: list[_Prepared]) -> dict[Any, int]:
        found: dict[Any, int] = {}
        if self.empty["contact"]:
            return found  # everything there is, this import created (and knows)
        emails = sorted({r.key[1] for r in rows if r.key[0] == "email"})
        for chunk in chunks(emails, _IN):
            for cid, email in self.conn.execute(
                select(Contact.id, Contact.email).where(Contact.email.in_(chunk))
            ):
                found[("email", email)] = cid
        names = sorted({r.key[1] for r in rows if r.key[0] == "name"})
        for chunk in chunks(names, _IN):
            for cid, key, company in self.conn.execute(
                select(Contact.id, Contact.name_key, Contact.company_id)
                .where(Contact.name_key.in_(chunk), Contact.email.is_(None))
                .order_by(Contact.id)
            ):
                found.setdefault(("name", key, company), cid)
        return found

    def insert(self, prep: _Prepared) -> None:
        assert prep.target is not None
        assert prep.row is not None
        row = prep.row
        row["id"], row["company_id"] = prep.target, prep.columns.get("company_id")
        self.new_contact(row)
        self.add_tags_and_fields(prep)

    def merge(self, state: _State, prep: _Prepared) -> bool:
        prep.columns.pop("created_at", None)  # an update does not change when it was created
        if prep.key[0] == "email":
            prep.columns.pop("email", None)
        before = state.columns.get("lifecycle")
        changed = super().merge(state, prep)
        after = state.columns.get("lifecycle")
        if changed and after != before and not state.pending:
            self.writer.add(
                "lifecycle_change",
                {"contact_id": state.columns["id"], "from_lifecycle": before,
                 "to_lifecycle": after, "at": self.stamp, "actor": self.store.user},
            )  # fmt: skip
        return changed


# --------------------------------------------------------------------------- companies


class _Companies(_Import):
    entity = "company"
    clearable = ("industry", "size", "phone", "address", "city", "country")

    def prepare(self, line: int, raw: Any, values: Mapping[str, str]) -> _Prepared:
        prep = _Prepared(line, raw, {})
        domain = validate.domain(_text(values, "domain"))
        name = _text(values, "name") or (domain or "")
        prep.columns["name"] = validate.name(name, "company name")
        if domain:
            prep.columns["domain"] = domain
        elif "domain" in values:
            prep.blank("domain")
        for key in ("industry", "phone", "address", "city", "country"):
            self.text(prep, values, key, key)
        if _text(values, "size"):
            prep.columns["size"] = validate.size(
                cell.parse_whole_number(values["size"], "company size")
            )
        elif "size" in values:
            prep.blank("size")
        self.common(prep, values)
        if _text(values, "created_at"):
            prep.columns["created_at"] = cell.parse_datetime(values["created_at"])
        prep.key = (domain, validate.key(prep.columns["name"]))
        return prep

    def find_existing(self, rows: list[_Prepared]) -> dict[Any, int]:
        return {}

    def match(self, prep: _Prepared, existing: dict[Any, int]) -> int | None:
        # Looked up row by row in the live index, which includes the companies this
        # import has created so far (even earlier in this chunk).
        names = self._load_companies()
        domain, name_key = prep.key
        hit = self._domains.get(domain) if domain else None
        return hit if hit is not None else names.get(name_key)

    def insert(self, prep: _Prepared) -> None:
        assert prep.target is not None
        columns = prep.columns
        self.writer.add(
            "company",
            {
                "id": prep.target,
                "name": columns["name"],
                "name_key": validate.key(columns["name"]),
                "domain": columns.get("domain"),
                "industry": columns.get("industry"),
                "size": columns.get("size"),
                "phone": columns.get("phone"),
                "address": columns.get("address"),
                "city": columns.get("city"),
                "country": columns.get("country"),
                "owner": columns.get("owner") or self.store.user,
                "created_at": self.writer.ts(columns.get("created_at")) or self.stamp,
                "updated_at": self.stamp,
            },
        )
        self._load_companies()
        assert self._companies is not None
        self._companies[validate.key(columns["name"])] = prep.target
        if columns.get("domain"):
            self._domains[columns["domain"]] = prep.target
        self.add_tags_and_fields(prep)

    def merge(self, state: _State, prep: _Prepared) -> bool:
        prep.columns.pop("created_at", None)
        assert self._companies is not None
        new_name = prep.columns.get("name")
        if new_name and validate.key(new_name) != validate.key(state.columns["name"]):
            owner = self._companies.get(validate.key(new_name))
            if owner is not None and owner != state.columns["id"]:
                prep.columns.pop("name")  # the name belongs to another company: keep this one's
        domain = prep.columns.get("domain")
        holder = self._domains.get(domain, state.columns["id"]) if domain else None
        if domain and holder != state.columns["id"]:  # a domain names one company
            pending = [r["name"] for r in self.writer._pending["company"] if r["id"] == holder]
            name = (
                pending[0]
                if pending
                else self.conn.scalar(select(Company.name).where(Company.id == holder))
            )
            self.reject(prep.line, prep.raw, str(domain_taken(domain, name, holder)))
            prep.rejected = True
            return False
        old_domain = state.columns.get("domain")
        changed = super().merge(state, prep)
        if changed and "name" in state.changed:
            self._companies[validate.key(state.columns["name"])] = state.columns["id"]
        if state.columns.get("domain") != old_domain:
            if old_domain and self._domains.get(old_domain) == state.columns["id"]:
                del self._domains[old_domain]
            if state.columns.get("domain"):
                self._domains[state.columns["domain"]] = state.columns["id"]
        return changed


# --------------------------------------------------------------------------- deals


@dataclass
class _Pipe:
    id: int
    name: str
    stages: list[tuple[int, str, str, int]]  # id, name, loose key, probability


def loose(name: str) -> str:
    """Stage and pipeline names compared loosely: ``Lead In`` is ``Lead-in``."""
    return normalize(name) or name.casefold()


class _Deals(_Import):
    entity = "deal"
    clearable = ("amount_minor", "close_date", "probability", "lost_reason")

    def __init__(self, *args: Any, create_stages: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.create_stages = create_stages
        self._pipes: dict[str, _Pipe] = {}
        self._default: _Pipe | None = None
        for pipe in self.session.scalars(select(Pipeline).order_by(Pipeline.position, Pipeline.id)):
            assert pipe.id is not None
            found = _Pipe(pipe.id, pipe.name, [])
            for stage in self.session.scalars(
                select(Stage).where(Stage.pipeline_id == pipe.id).order_by(Stage.position)
            ):
                found.stages.append((stage.id, stage.name, loose(stage.name), stage.probability))  # type: ignore[arg-type]
            self._pipes[loose(pipe.name)] = found
            self._default = self._default or found

    def prepare(self, line: int, raw: Any, values: Mapping[str, str]) -> _Prepared:
        prep = _Prepared(line, raw, {})
        c = prep.columns
        title = validate.name(_text(values, "title"), "deal title")
        c["title"] = title
        amount_text = _text(values, "amount")
        currency = _text(values, "currency")
        minor, code = validate.money_minor(amount_text, currency, default=DEFAULT_CURRENCY)
        if amount_text:
            c["amount_minor"] = minor
        elif "amount" in values:
            prep.blank("amount_minor")
        if currency or amount_text:
            c["currency"] = code
        status = " ".join(_text(values, "status").lower().split()) or None
        stage_text = " ".join(_text(values, "stage").split())
        if status == "deleted":
            raise Invalid("the deal was deleted where it came from")
        if status is not None:
            status = {"closed won": "won", "closed lost": "lost", "active": "open"}.get(
                status, status
            )
            status = validate.choice(status, ("open", "won", "lost"), "status")
        if stage_text.lower() in _WON or stage_text.lower() in _LOST:
            status = status or ("won" if stage_text.lower() in _WON else "lost")
            stage_text = ""
        if status:
            c["status"] = status
        c["_pipeline_text"] = _text(values, "pipeline")
        c["_stage_text"] = stage_text
        c["_moves"] = bool(stage_text) or "pipeline" in values
        if _text(values, "close_date"):
            c["close_date"] = cell.parse_date(values["close_date"], day_first=self.day_first)
        elif "close_date" in values:
            prep.blank("close_date")
        override = _text(values, "probability_override")
        explicit = cell.parse_flag(override, "probability_override") if override else None
        if _text(values, "probability") and explicit is not False:
            c["_percent"] = cell.parse_percent(values["probability"])
            c["_override"] = bool(explicit)  # the deal's own, even where the stage's is the same
        self.text(prep, values, "lost_reason", "lost_reason", "lost reason")
        external = _text(values, "external_id")
        if external:
            c["external_id"] = validate.optional_text(external, "external id")
        for moment in ("closed_at", "created_at"):
            if _text(values, moment):
                c[moment] = cell.parse_datetime(values[moment])
        self.common(prep, values)
        prep.company = validate.optional_text(values.get("company"), "company")
        prep.contact = validate.optional_text(
            values.get("contact_email") or values.get("contact"), "contact"
        )
        prep.key = ("external", external) if external else ("title", validate.key(title))
        return prep

    def _stage(self, prep: _Prepared) -> None:
        """Resolve the row's pipeline and stage (creating them with ``create_stages``)."""
        c = prep.columns
        pipeline_text, stage_text = c.pop("_pipeline_text"), c.pop("_stage_text")
        percent = c.pop("_percent", None)
        explicit = c.pop("_override", False)
        hint = "; give --create-stages to add it, or --map the column to another one"
        if pipeline_text:
            pipe = self._pipes.get(loose(pipeline_text))
            if pipe is None:
                if not self.create_stages:
                    known = ", ".join(p.name for p in self._pipes.values()) or "none"
                    raise Invalid(f"unknown pipeline {pipeline_text!r} (pipelines: {known}){hint}")
                pipe = self._new_pipeline(pipeline_text)
        elif self._default is not None:
            pipe = self._default
        elif self.create_stages:
            pipe = self._new_pipeline("Sales")
        else:
            raise Invalid("there is no pipeline yet (tinycrm pipeline add NAME)")
        stage = None
        if stage_text:
            stage = next((s for s in pipe.stages if s[2] == loose(stage_text)), None)
            if stage is None:
                if not self.create_stages:
                    names = ", ".join(s[1] for s in pipe.stages) or "none"
                    where = f"in pipeline {pipe.name} (stages: {names})"
                    raise Invalid(f"unknown stage {stage_text!r} {where}{hint}")
                stage = self._new_stage(pipe, stage_text, percent)
        if stage is None:
            if not pipe.stages:
                if not self.create_stages:
                    raise Invalid(f"pipeline {pipe.name} has no stages")
                self._new_stage(pipe, "Lead-in", 10)
            stage = pipe.stages[-1] if c.get("status") in ("won", "lost") else pipe.stages[0]
        c["_stage"] = stage
        c["_pipeline"] = pipe.id
        if c.pop("_moves"):
            c["stage_id"], c["pipeline_id"] = stage[0], pipe.id
        if percent is not None and (
            explicit or (percent != stage[3] and c.get("status") not in ("won", "lost"))
        ):
            c["probability"] = percent

    def _new_pipeline(self, name: str) -> _Pipe:
        clean = validate.name(name, "pipeline name")
        position = self.conn.execute(
            select(func.coalesce(func.max(Pipeline.position), -1))
        ).scalar()
        pid = self.writer.new_id("pipeline")
        self.writer.add(
            "pipeline",
            {"id": pid, "name": clean, "name_key": validate.key(clean),
             "position": (position or 0) + 1, "created_at": self.stamp},
        )  # fmt: skip
        self.record_created("pipeline", pid)
        self.linked["pipeline"] += 1
        pipe = _Pipe(pid, clean, [])
        self._pipes[loose(clean)] = pipe
        self._default = self._default or pipe
        return pipe

    def _new_stage(self, pipe: _Pipe, name: str, percent: int | None) -> tuple[int, str, str, int]:
        clean = validate.name(name, "stage name")
        sid = self.writer.new_id("stage")
        probability = percent if percent is not None else 0
        self.writer.add(
            "stage",
            {"id": sid, "pipeline_id": pipe.id, "name": clean, "name_key": validate.key(clean),
             "position": len(pipe.stages), "probability": probability, "rotting_days": None},
        )  # fmt: skip
        self.record_created("stage", sid)
        self.linked["stage"] += 1
        stage = (sid, clean, loose(clean), probability)
        pipe.stages.append(stage)
        return stage

    def link(self, rows: list[_Prepared]) -> list[_Prepared]:
        self.lookup_contacts(r.contact for r in rows if r.contact)
        contact_companies = self._contact_companies(rows)
        out = []
        for prep in rows:
            try:
                self._stage(prep)
                company = self.company_id(prep.company)
                contact = self.contact_id(prep.contact, company)
            except Invalid as exc:
                self.reject(prep.line, prep.raw, str(exc))
                continue
            if company is None and contact is not None:
                company = contact_companies.get(contact)
            if company is not None:
                prep.columns["company_id"] = company
            if contact is not None:
                prep.columns["contact_id"] = contact
            if prep.key[0] == "title":
                prep.key = ("title", prep.key[1], company)
            out.append(prep)
        return out

    def _contact_companies(self, rows: list[_Prepared]) -> dict[int, int]:
        ids = set()
        for prep in rows:
            if prep.contact and not prep.company:
                ref = prep.contact
                if "@" in ref:
                    try:
                        email = validate.email(ref)
                    except Invalid:
                        continue
                    cid = self._contact_emails.get(email or "")
                else:
                    cid = self._contact_names.get(validate.key(ref))
                if cid:
                    ids.add(cid)
        out: dict[int, int] = {}
        for chunk in chunks(sorted(ids), _IN):
            for cid, company in self.conn.execute(
                select(Contact.id, Contact.company_id).where(
                    Contact.id.in_(chunk), Contact.company_id.is_not(None)
                )
            ):
                out[cid] = company
        return out

    def find_existing(self, rows: list[_Prepared]) -> dict[Any, int]:
        found: dict[Any, int] = {}
        externals = sorted({r.key[1] for r in rows if r.key[0] == "external"})
        for chunk in chunks(externals, _IN):
            for did, ext in self.conn.execute(
                select(Deal.id, Deal.external_id)
                .where(Deal.external_id.in_(chunk))
                .order_by(Deal.id)
            ):
                found.setdefault(("external", ext), did)
        titles = sorted({r.key[1] for r in rows if r.key[0] == "title"})
        for chunk in chunks(titles, _IN):
            for did, key, company in self.conn.execute(
                select(Deal.id, Deal.title_key, Deal.company_id)
                .where(Deal.title_key.in_(chunk))
                .order_by(Deal.id)
            ):
                found.setdefault(("title", key, company), did)
        return found

    def insert(self, prep: _Prepared) -> None:
        assert prep.target is not None
        c = prep.columns
        stage_id = c["_stage"][0]
        status = c.get("status", "open")
        closed = None
        if status != "open":
            closed = c.get("closed_at") or (
                datetime.combine(c["close_date"], datetime.min.time(), tzinfo=UTC)
                if c.get("close_date")
                else self.now
            )
        self.writer.add(
            "deal",
            {
                "id": prep.target,
                "title": c["title"],
                "title_key": validate.key(c["title"]),
                "contact_id": c.get("contact_id"),
                "company_id": c.get("company_id"),
                "pipeline_id": c["_pipeline"],
                "stage_id": stage_id,
                "amount_minor": c.get("amount_minor"),
                "currency": c.get("currency") or DEFAULT_CURRENCY,
                "probability": c.get("probability"),
                "close_date": self.writer.day(c.get("close_date")),
                "status": status,
                "lost_reason": c.get("lost_reason") if status == "lost" else None,
                "closed_at": self.writer.ts(closed),
                "owner": c.get("owner") or self.store.user,
                "external_id": c.get("external_id"),
                "created_at": self.writer.ts(c.get("created_at")) or self.stamp,
                "updated_at": self.stamp,
            },
        )
        self._born["deal"].append(prep.target)
        self.writer.add(
            "stage_change",
            {
                "deal_id": prep.target,
                "from_stage_id": None,
                "to_stage_id": stage_id,
                "from_status": None,
                "to_status": status,
                "at": self.stamp,
                "actor": self.store.user,
            },
        )
        self.add_tags_and_fields(prep)

    def merge(self, state: _State, prep: _Prepared) -> bool:
        for private in ("_stage", "_pipeline", "created_at", "closed_at"):
            prep.columns.pop(private, None)
        if not self.overwrite:
            for key in ("stage_id", "pipeline_id", "status", "currency"):
                prep.columns.pop(key, None)
        if "currency" in prep.columns and "amount_minor" not in prep.columns:
            prep.columns.pop("currency")
        if prep.columns.get("status") and prep.columns["status"] != state.columns["status"]:
            prep.columns.pop("status")  # closing and reopening happen through their commands
        before = state.columns.get("stage_id")
        changed = super().merge(state, prep)
        if "stage_id" in state.changed and before != state.columns["stage_id"]:
            # a move, as move_deal makes it: in the stage history, and rules run
            self.writer.add(
                "stage_change",
                {"deal_id": state.columns["id"], "from_stage_id": before,
                 "to_stage_id": state.columns["stage_id"], "from_status": state.columns["status"],
                 "to_status": state.columns["status"], "at": self.stamp,
                 "actor": self.store.user},
            )  # fmt: skip
            self._born["moved"].append(state.columns["id"])
        return changed


# --------------------------------------------------------------------------- activities


class _Activities(_Import):
    entity = "activity"
    clearable = ("body",)

    def prepare(self, line: int, raw: Any, values: Mapping[str, str]) -> _Prepared:
        prep = _Prepared(line, raw, {})
        kind_text = " ".join(_text(values, "kind").lower().split())
        kind = _KIND_SYNONYMS.get(kind_text, kind_text) if kind_text else "note"
        prep.columns["kind"] = validate.activity_kind(kind)
        subject = _text(values, "subject")
        body = values.get("body") or ""
        if not subject:
            first, _, rest = body.strip().partition("\n")
            subject, body = first, rest
        prep.columns["subject"] = validate.name(subject, "subject")
        clean_body = validate.optional_text(body, "body", multiline=True)
        if clean_body:
            prep.columns["body"] = clean_body
        when = self._when(values, "date")
        due = self._when(values, "due_at") or (when if kind == "task" else None)
        if kind == "task":
            if due is None:
                raise Invalid("a task needs a due date")
            prep.columns["due_at"] = due
            done = _text(values, "done")
            done_at = self._when(values, "done_at")
            if done_at is not None or (done and cell.parse_flag(done, "done")):
                prep.columns["done_at"] = done_at or self.now
            if when is not None and _text(values, "due_at"):
                prep.columns["occurred_at"] = when  # tinycrm's own: the task was done then
            remind = self._when(values, "remind_at")
            if remind is not None:
                prep.columns["remind_at"] = remind
            if _text(values, "repeat"):
                prep.columns["repeat"] = repeat.normalize_repeat(values["repeat"])
        else:
            prep.columns["occurred_at"] = when or self._when(values, "done_at") or self.now
        channel = validate.optional_text(values.get("channel"), "channel")
        if channel:
            prep.columns["channel"] = channel.lower()
        created = self._when(values, "created_at")
        if created is not None:
            prep.columns["created_at"] = created
        self.text(prep, values, "owner", "owner")
        prep.contact = validate.optional_text(
            values.get("contact_email") or values.get("contact"), "contact"
        )
        prep.company = validate.optional_text(values.get("company"), "company")
        prep.deal = validate.optional_text(values.get("deal"), "deal")
        prep.about = validate.optional_text(values.get("about"), "related to")
        return prep

    def _when(self, values: Mapping[str, str], key: str) -> datetime | None:
        text = _text(values, key)
        if not text:
            return None
        moment = cell.parse_datetime(text, day_first=self.day_first)
        clock = _text(values, "time")
        if clock and key == "date":
            from tinycrm.dates import local_tz

            local = moment.astimezone(local_tz())
            if local.hour == 0 and local.minute == 0:
                combined = datetime.combine(local.date(), cell.parse_time(clock), local_tz())
                moment = combined.astimezone(UTC)
        return moment

    def link(self, rows: list[_Prepared]) -> list[_Prepared]:
        self.lookup_contacts(r.contact for r in rows if r.contact)
        titles = {validate.key(r.deal) for r in rows if r.deal} | {
            validate.key(r.about) for r in rows if r.about
        }
        deals: dict[str, list[tuple[int, int | None, int | None]]] = defaultdict(list)
        for chunk in chunks(sorted(titles), _IN):
            for did, key, contact, company in self.conn.execute(
                select(Deal.id, Deal.title_key, Deal.contact_id, Deal.company_id).where(
                    Deal.title_key.in_(chunk)
                )
            ):
                deals[key].append((did, contact, company))
        out = []
        for prep in rows:
            try:
                self._link_one(prep, deals)
            except Invalid as exc:
                self.reject(prep.line, prep.raw, str(exc))
                continue
            c = prep.columns
            prep.key = (
                c["kind"],
                validate.key(c["subject"]),
                c.get("occurred_at") or c.get("due_at"),
                c.get("contact_id"),
                c.get("company_id"),
                c.get("deal_id"),
            )
            out.append(prep)
        return out

    def _link_one(self, prep: _Prepared, deals: dict[str, list[tuple[Any, ...]]]) -> None:
        c = prep.columns
        deal = None
        if prep.deal:
            found = deals.get(validate.key(prep.deal), [])
            if not found:
                raise Invalid(f"no deal matches {prep.deal!r}")
            if len(found) > 1:
                raise Invalid(f"more than one deal is titled {prep.deal!r}")
            deal = found[0]
        if prep.about and deal is None:
            found = deals.get(validate.key(prep.about), [])
            if len(found) == 1:
                deal = found[0]
            elif not prep.company:
                prep.company = prep.about
        company = self.company_id(prep.company)
        if company is None and deal is not None:
            company = deal[2]
        contact = self.contact_id(prep.contact, company)
        if contact is None and deal is not None:
            contact = deal[1]
        if company is None and contact is not None:
            company = self._company_of(contact)
        if deal is None and contact is None and company is None:
            raise Invalid("an activity must be about a contact, a company or a deal")
        c["deal_id"] = deal[0] if deal else None
        c["contact_id"] = contact
        c["company_id"] = company

    def _company_of(self, contact_id: int) -> int | None:
        pending = next((r for r in self.writer._pending["contact"] if r["id"] == contact_id), None)
        if pending is not None:
            return pending["company_id"]
        return self.conn.execute(
            select(Contact.company_id).where(Contact.id == contact_id)
        ).scalar()

    def find_existing(self, rows: list[_Prepared]) -> dict[Any, int]:
        found: dict[Any, int] = {}
        subjects = sorted({r.columns["subject"] for r in rows})
        for chunk in chunks(subjects, _IN):
            for a in self.conn.execute(
                select(
                    Activity.id,
                    Activity.kind,
                    Activity.subject,
                    Activity.occurred_at,
                    Activity.due_at,
                    Activity.contact_id,
                    Activity.company_id,
                    Activity.deal_id,
                ).where(Activity.subject.in_(chunk))
            ):
                key = (
                    a.kind,
                    validate.key(a.subject),
                    a.occurred_at or a.due_at,
                    a.contact_id,
                    a.company_id,
                    a.deal_id,
                )
                found.setdefault(key, a.id)
        return found

    def insert(self, prep: _Prepared) -> None:
        c = prep.columns
        self.writer.add(
            "activity",
            {
                "id": prep.target,
                "kind": c["kind"],
                "subject": c["subject"],
                "body": c.get("body"),
                "contact_id": c.get("contact_id"),
                "company_id": c.get("company_id"),
                "deal_id": c.get("deal_id"),
                "occurred_at": self.writer.ts(c.get("occurred_at")),
                "due_at": self.writer.ts(c.get("due_at")),
                "remind_at": self.writer.ts(c.get("remind_at")),
                "repeat": c.get("repeat"),
                "done_at": self.writer.ts(c.get("done_at")),
                "channel": c.get("channel"),
                "owner": c.get("owner") or self.store.user,
                "created_at": self.writer.ts(c.get("created_at")) or self.stamp,
                "updated_at": self.stamp,
            },
        )

    def merge(self, state: _State, prep: _Prepared) -> bool:
        for key in (
            *("kind", "subject", "occurred_at", "due_at", "contact_id", "company_id"),
            "created_at",
        ):
            prep.columns.pop(key, None)
        prep.columns.pop("deal_id", None)
        return super().merge(state, prep)


_IMPORTERS: dict[str, type[_Import]] = {
    "contacts": _Contacts,
    "companies": _Companies,
    "deals": _Deals,
    "activities": _Activities,
}


def import_records(
    store: Store,
    *,
    kind: str,
    rows: Iterable[ImportRow],
    source: str,
    on_duplicate: str = "update",
    overwrite: bool = False,
    strict: bool = False,
    dry_run: bool = False,
    day_first: bool = False,
    create_stages: bool = False,
    on_reject: RejectHandler | None = None,
) -> ImportSummary:
    """Import ``rows`` of ``kind`` (contacts, companies, deals or activities) in one transaction.

    Each row is ``(line, values, raw)``: values by field name (``name``,
    ``email``, ``tags``, ``field:KEY`` …, as ``formats.mapping`` produces them).
    Duplicates are skipped, updated (empty fields filled and tags added; every
    given field with ``overwrite``, which also clears fields from blank cells) or
    rejected, per ``on_duplicate``. Rejected rows go to ``on_reject(line, reason,
    raw)``; with ``strict`` the first one refuses the whole import. Deals name
    pipelines and stages that must exist, unless ``create_stages``. ``dry_run``
    does everything and then rolls back. One event records the import; its batch
    id (in the summary) is what ``undo_import`` takes.
    """
    if kind not in _IMPORTERS:
        raise Invalid(f"cannot import {kind!r} (choose from {', '.join(KINDS)})")
    if on_duplicate not in DUPLICATE_POLICIES:
        raise Invalid(
            f"invalid --on-duplicate {on_duplicate!r} (choose from {', '.join(DUPLICATE_POLICIES)})"
        )
    now = utcnow()
    try:
        with store.write() as session:
            batch = ImportBatch(kind=kind, source=source, at=now, actor=store.user)
            session.add(batch)
            session.flush()
            assert batch.id is not None
            extra = {"create_stages": create_stages} if kind == "deals" else {}
            job = _IMPORTERS[kind](
                store,
                session,
                batch.id,
                now,
                **extra,
                on_duplicate=on_duplicate,
                overwrite=overwrite,
                strict=strict,
                day_first=day_first,
                on_reject=on_reject,
            )
            job.run(rows)
            batch.created, batch.updated = job.created, job.updated
            batch.skipped, batch.rejected = job.skipped, job.rejected
            word = ENTITY[kind]
            summary = f"imported {_plural(job.created + job.updated, word)} from {source}"
            details = [f"{job.created:,} new", f"{job.updated:,} updated"]
            details += [f"{_plural(n, what)} created" for what, n in sorted(job.linked.items())]
            record_event(
                store,
                session,
                action="imported",
                entity=word,
                entity_id=None,
                summary=f"{summary} (import #{batch.id}: {', '.join(details)})",
            )
            if kind in ("contacts", "activities") and (job.created or job.updated):
                # New contacts and new behaviour change lead scores: rescore in this
                # transaction, as `tinycrm score` would.
                from tinycrm.store.scoring import recompute_scores

                recompute_scores(store, quiet=True)
            result = ImportSummary(
                batch_id=None if dry_run else batch.id,
                kind=kind,
                source=source,
                created=job.created,
                updated=job.updated,
                skipped=job.skipped,
                rejected=job.rejected,
                linked_created=dict(job.linked),
                dry_run=dry_run,
            )
            if dry_run:
                raise _Rollback(result)
            return result
    except _Rollback as rollback:
        return rollback.result  # type: ignore[no-any-return]


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
    with store.read() as session:
        query = select(ImportBatch).order_by(ImportBatch.id.desc())
        if limit:
            query = query.limit(limit)
        return [_batch_read(b) for b in session.scalars(query)]


def _find_batch(session: Session, batch_id: int | None) -> ImportBatch:
    if batch_id is None:
        batch = session.scalars(
            select(ImportBatch)
            .where(ImportBatch.undone_at.is_(None))
            .order_by(ImportBatch.id.desc())
        ).first()
        if batch is None:
            raise NotFound("there is no import to undo (tinycrm import history lists them)")
        return batch
    batch = session.get(ImportBatch, batch_id)
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

    def label(self, entity: str, row: Mapping[str, Any]) -> str:
        text = row.get("name") or row.get("title") or row.get("subject") or ""
        return f"{entity} #{row['id']} {text}".strip()

    # ---------------------------------------------------------------- updated fields

    def restore(self) -> None:
        changes = self.session.execute(
            select(
                ImportChange.entity,
                ImportChange.entity_id,
                ImportChange.field,
                ImportChange.old_value,
                ImportChange.new_value,
            )
            .where(ImportChange.batch_id == self.batch.id, ImportChange.action == "updated")
            .order_by(ImportChange.id.desc())
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
            select(Tag.entity_id, Tag.name).where(Tag.entity == entity, Tag.entity_id.in_(ids))
        ):
            tags[eid].add(name)
        fields: dict[int, dict[str, str]] = defaultdict(dict)
        for eid, key, value in self.conn.execute(
            select(FieldValue.entity_id, FieldValue.key, FieldValue.value).where(
                FieldValue.entity == entity, FieldValue.entity_id.in_(ids)
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
                            Tag.entity == entity, Tag.entity_id == change.entity_id, Tag.name == tag
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
                self.restored += 1
        for rid, values in columns.items():
            row = rows[rid]
            if entity == "contact":
                if "name" in values:
                    values["name_key"] = validate.key(values["name"])
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
            clash = self.conn.execute(
                select(Contact.id).where(Contact.email == value, Contact.id != rid)
            ).first()
        if entity == "company" and name == "name" and value:
            clash = self.conn.execute(
                select(Company.id).where(Company.name_key == validate.key(value), Company.id != rid)
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
        where = (FieldValue.entity == entity, FieldValue.entity_id == rid, FieldValue.key == key)
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
        return select(ImportChange.entity_id).where(
            ImportChange.batch_id == self.batch.id,
            ImportChange.entity == entity,
            ImportChange.action == "created",
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
                delete(StageChange).where(StageChange.deal_id.in_(select(model.id).where(doomed)))
            )
        if entity in ("company", "contact", "deal"):
            for other, column in ((Tag, Tag.entity_id), (FieldValue, FieldValue.entity_id)):
                self.conn.execute(
                    delete(other).where(
                        other.entity == entity, column.in_(select(model.id).where(doomed))
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
    column_type = model.__table__.c[name].type
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
            batch = _find_batch(session, batch_id)
            job = _Undo(store, session, batch)
            job.restore()
            job.remove()
            batch.undone_at = utcnow()
            if batch.kind in ("contacts", "activities") and (job.deleted or job.restored):
                # as after the import: scores follow the contacts and what they did
                from tinycrm.store.scoring import recompute_scores

                recompute_scores(store, quiet=True)
            removed = ", ".join(_plural(n, e) for e, n in job.deleted.items() if n) or "nothing"
            kept = f"; kept {len(job.conflicts):,} changed since" if job.conflicts else ""
            record_event(
                store,
                session,
                action="undone",
                entity=ENTITY.get(batch.kind, batch.kind),
                entity_id=None,
                summary=(
                    f"undid import #{batch.id} of {batch.kind} from {batch.source}: removed "
                    f"{removed}, restored {job.restored:,} values{kept}"
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

"""The machinery every kind of import shares: batches, linking, dedupe, merging, writing,
recording for undo, and the automation rules of what it created."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from itertools import islice
from typing import Any, cast

from sqlalchemy import bindparam, delete, func, insert, literal, null, select, update
from sqlmodel import Session, col

from tinycrm.formats import FormatError
from tinycrm.formats import values as cell
from tinycrm.formats.mapping import FIELD_PREFIX, ROW_ERROR
from tinycrm.store import validate
from tinycrm.store.automation import active_rules, run_rules
from tinycrm.store.bulk import (
    BulkWriter,
    big_cache,
    contact_search_deferred,
    gc_paused,
    id_runs,
    indexes_deferred,
)
from tinycrm.store.contacts import contact_search_key as _search_key
from tinycrm.store.contacts import new_contact_row
from tinycrm.store.engine import Store, chunks
from tinycrm.store.errors import Invalid, NotFound
from tinycrm.store.imports.common import (
    _IN,
    _MODELS,
    CHUNK,
    ImportRow,
    RejectHandler,
    _json,
    _Prepared,
    _State,
)
from tinycrm.store.imports.date_order import DateOrder
from tinycrm.store.imports.orphans import drop_companies_not_taken, drop_contacts_not_taken
from tinycrm.store.log_models import ImportChange
from tinycrm.store.models import (
    Activity,
    Company,
    Contact,
    Deal,
    FieldValue,
    LifecycleChange,
    Tag,
)
from tinycrm.store.records import stored_key
from tinycrm.store.types import UTCDateTime


class DomainIndex(dict[str, int]):
    """Companies by domain, where ``müller.de`` and ``xn--mller-kva.de`` are one key (the
    ASCII form: both spellings name one company)."""

    def __getitem__(self, domain: str) -> int:
        return super().__getitem__(validate.domain_ascii(domain))

    def __setitem__(self, domain: str, value: int) -> None:
        super().__setitem__(validate.domain_ascii(domain), value)

    def __delitem__(self, domain: str) -> None:
        super().__delitem__(validate.domain_ascii(domain))

    def __contains__(self, domain: object) -> bool:
        return isinstance(domain, str) and super().__contains__(validate.domain_ascii(domain))

    def get(self, domain: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(validate.domain_ascii(domain), default)

    def setdefault(self, domain: str, default: int) -> int:  # type: ignore[override]
        return super().setdefault(validate.domain_ascii(domain), default)


# --------------------------------------------------------------------------- the import


class _Import:
    """The machinery every kind shares: batches, linking, dedupe, writing, recording."""

    entity = ""
    clearable: tuple[str, ...] = ()
    derived: dict[str, str] = {}  # a column the store derives -> the column it follows
    date_columns: tuple[str, ...] = ()  # read one way for the whole file (``date_order``)

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
        day_first: bool | None,
        on_reject: RejectHandler | None,
        decimal: str | None = None,
        usual_day_first: bool = False,
    ) -> None:
        self.store = store
        self.session = session
        self.conn = session.connection()
        self.batch_id = batch_id
        self.now = now
        self.on_duplicate = on_duplicate
        self.overwrite = overwrite
        self.strict = strict
        self.dates = DateOrder(self.date_columns, day_first, usual_day_first)
        self.decimal = decimal  # the file's decimal mark, when known
        self.on_reject = on_reject
        self.writer = BulkWriter(store, self.conn)
        self.stamp = self.writer.ts(now)
        self.created = self.updated = self.skipped = self.rejected = 0
        self.linked: dict[str, int] = defaultdict(int)
        self.keys: dict[Any, int] = {}  # dedupe key -> id, for records this import created
        self.created_ids: set[int] = set()
        self._companies: dict[str, int] | None = None
        self._domains: dict[str, int] = DomainIndex()
        self._contact_names: dict[str, int | None] = {}
        self._contact_emails: dict[str, int] = {}
        self.search: Any = None
        self._updates: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
        self._states: dict[int, _State] = {}
        self._fresh: dict[int, _Prepared] = {}  # created in this chunk
        self._rejects: list[tuple[int, str, Any]] = []
        self._tag_lists: dict[str, list[str]] = {}
        self._company_refs: dict[tuple[str | None, str | None], int | None] = {}
        self._new_companies: dict[int, str] = {}  # created in this chunk: id -> name
        # named only on rows that did not take it, by key (a later row may yet create it)
        self.companies_not_created: dict[str, str] = {}
        self._new_contacts: dict[int, str] = {}  # made by ``contact_id`` in this chunk
        self.contacts_not_created: dict[str, str] = {}  # the same, for contacts
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
            # (contacts only: other kinds look rows up by their indexes while importing;
            # the UID and email key indexes too: dedupe refuses what they would)
            indexes_deferred(
                self.store, self.conn, "contact", when=self.entity == "contact", unique=True
            ),
            contact_search_deferred(self.store, self.conn) as search,
            gc_paused(),
        ):
            self.search = search
            try:
                for chunk in self.read(self.dates.rows(rows)):
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
        drop_contacts_not_taken(self)  # (their companies may be no one's then)
        drop_companies_not_taken(self)
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
                select(col(Company.id), col(Company.name_key), col(Company.domain))
            ):
                assert cid is not None  # a stored row
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
                "sort_key": validate.folded(clean),
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
        self._new_companies[cid] = clean
        names[validate.key(clean)] = cid
        self.companies_not_created.pop(validate.key(clean), None)
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
            for cid, mailbox in self.conn.execute(
                select(col(Contact.id), col(Contact.email_key)).where(
                    col(Contact.email_key).in_(chunk)
                )
            ):
                assert cid is not None and mailbox is not None  # stored; IN excludes NULL
                self._contact_emails[mailbox] = cid
        for chunk in chunks(sorted(names), _IN):
            found: dict[str, list[int]] = defaultdict(list)
            for cid, key in self.conn.execute(
                select(col(Contact.id), col(Contact.name_key)).where(
                    col(Contact.name_key).in_(chunk)
                )
            ):
                assert cid is not None  # a stored row
                found[key].append(cid)
            for key in chunk:
                ids = found.get(key, [])
                if ids:
                    self._contact_names[key] = ids[0] if len(ids) == 1 else None

    def contact_id(self, ref: str | None, company_id: int | None) -> int | None:
        """The contact a row names by email or name; created when missing."""
        if not ref:
            return None
        email: tuple[str, str] | None = None
        if "@" in ref:
            email = validate.typed_email(ref)
            assert email is not None
            if email[1] in self._contact_emails:
                return self._contact_emails[email[1]]
            name = email[0]
        else:
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
            {
                "name": clean,
                "email": email[0] if email else None,
                "email_key": email[1] if email else None,
                "company_id": company_id,
                "owner": self.store.user,
            },
            self.stamp,
        )
        self.new_contact(row)
        self.linked["contact"] += 1
        self._new_contacts[cid] = clean
        self.contacts_not_created.pop(validate.key(clean), None)
        if email:
            self._contact_emails[email[1]] = cid
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
                why = f" ({prep.why})" if prep.why else ""
                self.reject(prep.line, prep.raw, f"duplicate of {self.entity} #{target}{why}")
            else:
                updates.append(prep)
        if updates:
            self.load_states(
                [cast(int, p.target) for p in updates if p.target not in self._states]  # found
            )
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
                select(col(Tag.entity_id), col(Tag.name)).where(
                    col(Tag.entity) == self.entity, col(Tag.entity_id).in_(chunk)
                )
            ):
                tags[eid].add(name)
            fields: dict[int, dict[str, str]] = defaultdict(dict)
            for eid, key, value in self.conn.execute(
                select(col(FieldValue.entity_id), col(FieldValue.key), col(FieldValue.value)).where(
                    col(FieldValue.entity) == self.entity, col(FieldValue.entity_id).in_(chunk)
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
        """Fill empty fields (all given ones with ``overwrite``) and add tags; True if changed.

        A column in ``derived`` (the normalised phone) follows its source column: it is
        written when, and only when, the source takes the row's value. The row's
        ``replaces`` fields are set even without ``overwrite``; its ``stale`` ones go."""
        changed = False
        columns = dict(prep.columns)
        if self.overwrite:
            for name in prep.blanks & set(self.clearable):
                columns.setdefault(name, None)

        def follows(name: str) -> bool:  # the source was given and the row now holds it
            source = self.derived[name]
            return source in columns and state.columns.get(source) == columns[source]

        ordered = [(n, v) for n, v in columns.items() if n not in self.derived]
        for name, new in [*ordered, *((n, None) for n in self.derived)]:
            if name in self.derived:
                if not follows(name):
                    continue
                new = columns.get(name) if columns[self.derived[name]] else None
            old = state.columns.get(name)
            empty = old is None or old == "" or old is False  # a flag not set is empty
            if old == new or (not empty and not self.overwrite and name not in self.derived):
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
        for typed, value in prep.fields.items():
            key = stored_key(state.fields, typed) or typed  # Plan and plan are one field
            old_value = state.fields.get(key)
            if old_value == value or (
                old_value is not None and not self.overwrite and typed not in prep.replaces
            ):
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
                        col(FieldValue.entity) == self.entity,
                        FieldValue.entity_id == rid,
                        col(FieldValue.key) == key,
                    )
                    .values(value=value)
                )
            state.fields[key] = value
            if state.recorded:
                self.record_change(rid, f"field:{key}", old_value, value)
            changed = True
        for typed in [*(prep.blank_fields if self.overwrite else ()), *prep.stale]:
            found = stored_key(state.fields, typed.strip())
            if found is None:
                continue
            key = found
            old_value = state.fields.pop(key)
            queued = self.writer._pending["field_value"]
            kept = [q for q in queued if not (q["entity_id"] == rid and q["key"] == key)]
            if len(kept) == len(queued):
                self.conn.execute(
                    delete(FieldValue).where(
                        col(FieldValue.entity) == self.entity,
                        FieldValue.entity_id == rid,
                        col(FieldValue.key) == key,
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
            if "sort_key" in state.columns:
                state.columns["sort_key"] = validate.folded(state.columns["name"])
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
                    values["sort_key"] = validate.folded(values["name"])
                new_key = _search_key(state.columns)
                if new_key != old_key:
                    values["search_key"] = new_key
                    if state.recorded:
                        self.search.changing(rid, old_key)
                    state.columns["search_key"] = new_key
            if self.entity == "company" and "name" in values:
                values["name_key"] = validate.key(values["name"])
                values["sort_key"] = validate.folded(values["name"])
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
                        col(Contact.id),
                        null(),
                        col(Contact.lifecycle),
                        literal(self.now, UTCDateTime()),
                        literal(self.store.user),
                    ).where(col(Contact.id).between(low, high)),
                )
            )
            self.conn.execute(
                insert(ImportChange).from_select(
                    ["batch_id", "entity", "entity_id", "action"],
                    select(
                        literal(self.batch_id),
                        literal("contact"),
                        col(Contact.id),
                        literal("created"),
                    ).where(col(Contact.id).between(low, high)),
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
                table = cast(str, model.__tablename__)  # a str on a table class
                run_rules(self.store, self.session, trigger, **{table: record})
        self.session.flush()
        for aid in self.conn.execute(
            select(col(Activity.id)).where(col(Activity.id) > before)
        ).scalars():
            assert aid is not None  # a stored row
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


def _contact_insert(cid: int, columns: Mapping[str, Any], stamp: Any) -> dict[str, Any]:
    """A new contact's row: ``contacts.new_contact_row``, the one way one is made."""
    return new_contact_row(cid, columns, owner=columns["owner"], stamp=stamp)

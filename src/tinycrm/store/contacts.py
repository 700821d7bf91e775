"""Contacts: people, with roles and a lifecycle."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypedDict, Unpack

from sqlalchemy import Select, delete, inspect, or_, select, text, update
from sqlmodel import Session, col

from tinycrm.errors import warn
from tinycrm.phones import try_normalise
from tinycrm.search_text import fold
from tinycrm.store import odd_dates, validate
from tinycrm.store.automation import run_rules
from tinycrm.store.companies import create_named_company, link_company, resolve_company
from tinycrm.store.engine import Store
from tinycrm.store.errors import Ambiguous, Conflict, Invalid, NotFound
from tinycrm.store.models import (
    Company,
    Contact,
    ContactAlias,
    ContactRead,
    Deal,
    Qualification,
    table_of,
)
from tinycrm.store.records import (
    UNSET,
    Unset,
    apply_fields,
    apply_tags,
    detach_activities,
    drop_tags_and_fields,
    fields_for,
    finish_edit,
    ids_with_tags,
    is_set,
    lock_linked,
    record_event,
    record_lifecycle,
    stored_key,
    tags_for,
    with_field,
)
from tinycrm.store.refs import lock_row, numeric_id, resolve
from tinycrm.store.removals import (
    ContactRemoved,
    Removal,
    kept_summary,
    refuse_unlinking,
    removal_of,
)
from tinycrm.store.types import ODD_AMOUNTS, new_uid, utcnow
from tinycrm.store.unique import email_taken
from tinycrm.vocab import LEAD_STATUSES

ENTITY = "contact"


def describe(contact: Contact) -> str:
    return f"#{contact.id} {contact.name}" + (f" <{contact.email}>" if contact.email else "")


def resolve_contact(session: Session, ref: str | int) -> Contact:
    """The contact a REF names: id, email or exact name (case-insensitive), else the
    id or email of a contact merged into it (``contact merge``)."""
    try:
        return resolve(
            session,
            Contact,
            ref,
            what="contact",
            keys=[(Contact.email_key, validate.email), (Contact.name_key, validate.key)],
            describe=describe,
            near=Contact.sort_key,
        )
    except NotFound:
        found = _by_alias(session, str(ref))
        if found is None:
            raise
        return found


def keep_contact(session: Session, contact: Contact) -> Contact:
    """``contact`` kept from being deleted until the transaction ends (``lock_row`` with
    ``key``): what a writer linking a record to it takes first. One ``contact rm``
    deleted meanwhile is ``NotFound``, never the database's foreign-key error."""
    return lock_row(session, contact, "contact", contact.name, key=True)


def link_contact(session: Session, ref: str | int) -> Contact:
    """The contact a REF names, kept from being deleted until the transaction ends
    (``keep_contact``): a writer linking a record to it resolves it with this."""
    return keep_contact(session, resolve_contact(session, ref))


def _by_alias(session: Session, ref: str) -> Contact | None:
    text = ref.strip()
    number = numeric_id(text)
    value: str | None
    if number is not None:
        kind, value = "id", str(number)
    else:
        try:
            kind, value = "email", validate.email(text)
        except Invalid:
            return None
    if not value:
        return None
    rows = list(
        session.scalars(
            select(Contact)
            .join(ContactAlias, col(ContactAlias.contact_id) == col(Contact.id))
            .where(col(ContactAlias.kind) == kind, col(ContactAlias.value) == value)
            .distinct()
        )
    )
    if len(rows) > 1:
        shown = [describe(r) for r in rows]
        raise Ambiguous(f"contact {text!r} is ambiguous: {'; '.join(shown)} (use the id)", shown)
    return rows[0] if rows else None


def check_lead_status(value: str | None) -> str | None:
    """A lead status (new, working, hot, cold, junk, dead); blank becomes None."""
    return validate.choice(value, LEAD_STATUSES, "lead status")


def lead_statuses(value: str) -> list[str]:
    """``"hot, working"`` → ``["hot", "working"]`` (a filter naming several statuses)."""
    found = [check_lead_status(part) for part in value.split(",") if part.strip()]
    if not found:
        raise Invalid("name at least one lead status")
    return [s for s in found if s]


def phone_number(store: Store, phone: str | None, told: list[str]) -> str | None:
    """``phone`` as a number (``tinycrm.phones``), or None when it cannot be read: it is
    kept as typed (and compared by its digits), and why goes to ``told``, a warning
    given once the write is saved."""
    value, why = try_normalise(phone, store.phone_region())
    if why:
        told.append(f"{why}; kept as typed")
    return value


def search_key(contact: Contact) -> str:
    """What contact search looks in, for a stored contact (see ``contact_search_key``)."""
    return contact_search_key(
        {"name": contact.name, "email_key": contact.email_key, "phone": contact.phone,
         "title": contact.title}
    )  # fmt: skip


def contact_search_key(columns: Mapping[str, Any]) -> str:
    """What contact search looks in: name, email (its key: ``email_key``), phone and
    title, folded as ``tinycrm search`` folds (``validate.folded``: "Søren" is "soren").
    The one rule for add, edit, merge, imports, undo and restore; written out, as an
    import runs it for every row."""
    get = columns.get
    return _search_text(get("name"), get("email_key"), get("phone"), get("title"))


def _search_text(
    name: str | None, email_key: str | None, phone: str | None, title: str | None
) -> str:
    # validate.folded, inlined: each part folded on its own (folding goes character by
    # character), so the ASCII ones (the email, the phone, often more) take the quick way
    text = f"{fold(name or '')} {fold(email_key or '')} {fold(phone or '')} {fold(title or '')}"
    return " ".join(text.split())


def _text_rule(label: str, *, multiline: bool = False) -> Callable[[Any], str | None]:
    return lambda value: validate.optional_text(value, label, multiline=multiline)


def _source(value: str | None) -> str | None:
    return validate.optional_text(value, "source") or None  # as typed: "LinkedIn"


CONTACT_RULES: dict[str, Callable[[Any], Any]] = {
    "name": validate.name,
    "email": validate.typed_email,  # (as typed, key): check_contact stores both
    "phone": _text_rule("phone"),
    "title": _text_rule("title"),
    "role": validate.role,
    "lifecycle": validate.lifecycle,
    "source": _source,
    "owner": _text_rule("owner"),
    "notes": _text_rule("notes", multiline=True),
    "cadence_days": validate.cadence,
    "lead_status": check_lead_status,
    "uid": validate.uid,
}
"""How each value of a new contact is checked and normalised (``Invalid`` names the
field); an import calls the same validators for the cells a row holds."""


def check_contact(values: Mapping[str, Any]) -> dict[str, Any]:
    """A new contact's values, each checked and normalised by ``CONTACT_RULES`` (``name``
    is required); other keys (``company_id``, flags) pass as they are. What
    ``add_contact`` and ``bulk_add_contacts`` do before ``new_contact_row``."""
    rules = CONTACT_RULES
    clean: dict[str, Any] = {"name": validate.name(values.get("name"))}
    for key, value in values.items():
        if key != "name":
            rule = rules.get(key)
            clean[key] = rule(value) if rule is not None else value
    if "email" in clean:  # kept as typed, compared by its key
        clean["email"], clean["email_key"] = clean["email"] or (None, None)
    return clean


def new_contact_row(
    cid: int | None, columns: Mapping[str, Any], *, owner: str, stamp: Any
) -> dict[str, Any]:
    """A new contact's whole row from checked values (``check_contact``, or an import's
    validated cells): the one way a new contact's row is made, by ``add_contact``, lead
    imports, ``bulk_add_contacts`` and ``tinycrm import``. It adds the defaults (a
    lifecycle of lead, a lead's status "new", ``owner``, a new UID, ``stamp`` as the
    creation time) and what is derived (the name key, the search key). ``cid``: the id
    an import assigns (None: the database's)."""
    get = columns.get
    name, email_key, phone, title = columns["name"], get("email_key"), get("phone"), get("title")
    lifecycle = get("lifecycle") or "lead"
    lead_status = get("lead_status") or ("new" if lifecycle == "lead" else None)
    row = {
        "id": cid,
        "name": name,
        "name_key": validate.key(name),
        "sort_key": validate.folded(name),
        "email": get("email"),
        "email_key": email_key,
        "phone": phone,
        "phone_e164": get("phone_e164"),
        "title": title,
        "role": get("role"),
        "company_id": get("company_id"),
        "lifecycle": lifecycle,
        "lead_status": lead_status,
        "source": get("source"),
        "last_touch": get("last_touch"),
        "owner": get("owner") or owner,
        "notes": get("notes"),
        "cadence_days": get("cadence_days"),
        "unsubscribed": get("unsubscribed", False),
        "do_not_contact": get("do_not_contact", False),
        "search_key": _search_text(name, email_key, phone, title),
        "created_at": get("created_at") or stamp,
        "updated_at": stamp,
        "uid": get("uid") or new_uid(),
    }
    if cid is None:
        del row["id"]
    return row


def _read(
    contact: Contact,
    company: str | None,
    tags: list[str],
    fields: dict[str, str],
    unreadable: dict[int, list[str]] | None = None,
) -> ContactRead:
    return ContactRead(
        id=contact.id,
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        title=contact.title,
        role=contact.role,
        company=company,
        company_id=contact.company_id,
        lifecycle=contact.lifecycle,
        source=contact.source,
        last_touch=contact.last_touch,
        owner=contact.owner,
        notes=contact.notes,
        cadence_days=contact.cadence_days,
        lead_status=contact.lead_status,
        score=contact.score,
        unsubscribed=contact.unsubscribed,
        do_not_contact=contact.do_not_contact,
        tags=tags,
        fields=fields,
        created_at=contact.created_at,
        updated_at=contact.updated_at,
        uid=contact.uid,
        unreadable=(unreadable or {}).get(contact.id or 0, []),
    )


def to_read(session: Session, contact: Contact) -> ContactRead:
    assert contact.id is not None
    company = session.get(Company, contact.company_id) if contact.company_id else None
    return _read(
        contact,
        company.name if company else None,
        tags_for(session, ENTITY, [contact.id]).get(contact.id, []),
        fields_for(session, ENTITY, [contact.id]).get(contact.id, {}),
        odd_dates.unreadable_of(session, ODD_AMOUNTS.get(), ENTITY),
    )


def _check_email(
    session: Session, email: str | None, key: str | None, exclude: int | None = None
) -> None:
    """Refuse an address (as typed, and its key) another contact has, by its key."""
    if email is None or key is None:
        return
    query = select(Contact).where(col(Contact.email_key) == key)
    if exclude is not None:
        query = query.where(col(Contact.id) != exclude)
    other = session.scalars(query).first()
    if other is not None:
        raise email_taken(email, other)


def company_for(
    store: Store, session: Session, ref: str | None, made: list[Company] | None = None
) -> Company | None:
    """The company named by ``ref``, created when no company has that name or domain
    (:func:`create_named_company`: ``globex.com`` is the new company's domain too), and
    then added to ``made`` (for :func:`near_company`)."""
    if ref is None or not ref.strip():
        return None
    try:
        return link_company(session, ref)  # not deleted before the contact is written
    except NotFound:
        if numeric_id(ref) is not None:
            raise
        created = create_named_company(store, session, ref)
    if made is not None:
        made.append(created)
    return created


def near_company(session: Session, made: list[Company], contact: Contact) -> list[str]:
    """A warning when a company just made for ``contact`` has a name near another's: a
    typo (``Acmee`` for ``Acme``) would otherwise make a second company unsaid."""
    import difflib

    if not made:
        return []
    created = made[0]
    others = {
        key: (cid, name)
        for cid, name, key in session.execute(
            select(col(Company.id), col(Company.name), col(Company.name_key)).where(
                col(Company.id) != created.id
            )
        )
    }
    near = difflib.get_close_matches(created.name_key, list(others), n=1, cutoff=0.75)
    if not near:
        return []
    cid, name = others[near[0]]
    return [
        f"no company was named {created.name!r}, so it was added as #{created.id}; if you "
        f"meant #{cid} {name}: tinycrm contact edit {contact.id} --company {cid}, then "
        f"tinycrm company rm {created.id}"
    ]


def add_contact(
    store: Store,
    *,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    title: str | None = None,
    role: str | None = None,
    company: str | None = None,
    lifecycle: str | None = None,
    source: str | None = None,
    owner: str | None = None,
    notes: str | None = None,
    cadence_days: int | None = None,
    lead_status: str | None = None,
    tags: list[str] | None = None,
    fields: dict[str, str] | None = None,
    uid: str | None = None,
) -> ContactRead:
    """Create a contact. ``company`` is a REF; a name that matches no company creates one.
    ``uid`` is its vCard UID (default: a new UUID); one another contact has is a Conflict.

    ``cadence_days``: keep in touch at least this often (``tinycrm remind`` says when
    the last logged interaction is older). A new lead's ``lead_status`` is "new"
    unless given. A phone number that cannot be read is kept as typed, with a
    warning; so is a contact that looks like one already there (``lookalikes``),
    unless it is added inside a bulk job's transaction (the demo)."""
    alone = not store.in_transaction
    told: list[str] = []
    with store.write() as session:
        clean = check_contact(
            {"name": name, "email": email, "phone": phone, "title": title, "role": role,
             "lifecycle": lifecycle, "source": source, "owner": owner, "notes": notes,
             "cadence_days": cadence_days, "lead_status": lead_status, "uid": uid}
        )  # fmt: skip
        _check_email(session, clean["email"], clean["email_key"])
        clean_uid = clean["uid"]
        if clean_uid is not None:
            other = session.scalars(select(Contact).where(col(Contact.uid) == clean_uid)).first()
            if other is not None:
                raise Conflict(f"UID {clean_uid} already belongs to {describe(other)}")
        clean["phone_e164"] = phone_number(store, clean["phone"], told)
        contact = Contact(**new_contact_row(None, clean, owner=store.user, stamp=utcnow()))
        # Validate tags and fields before the company is created, so nothing half-happens.
        validate.tags(tags)
        validate.fields(fields)
        made: list[Company] = []
        linked = company_for(store, session, company, made)
        contact.company_id = linked.id if linked else None
        session.add(contact)
        session.flush()
        assert contact.id is not None
        apply_tags(session, ENTITY, contact.id, add=tags or ())
        apply_fields(session, ENTITY, contact.id, set_=fields)
        record_lifecycle(store, session, contact.id, None, contact.lifecycle)
        at = f" at {linked.name}" if linked else ""
        record_event(
            store,
            session,
            action="created",
            entity=ENTITY,
            entity_id=contact.id,
            summary=f"created contact {contact.name}{at}",
        )
        run_rules(store, session, "contact.created", contact=contact)
        from tinycrm.store.dupe_rules import lookalikes  # (name folding: only for an add)

        for other, why in lookalikes(session, contact) if alone else []:
            told.append(
                f"{describe(contact)} looks like {describe(other)} ({why}); if they are one "
                f"person: tinycrm contact merge {other.id} {contact.id}"
            )
        if alone:
            told.extend(near_company(session, made, contact))
            told.extend(_namesakes(session, contact))
        read = to_read(session, contact)
    for message in told:
        warn(message)
    return read


def _namesakes(session: Session, contact: Contact) -> list[str]:
    """A warning when another contact has ``contact``'s name (as a REF compares it): the
    name then names no one contact. One query, on the name's index."""
    others = session.scalars(
        select(Contact)
        .where(col(Contact.name_key) == contact.name_key, col(Contact.id) != contact.id)
        .order_by(col(Contact.id))
        .limit(3)
    ).all()
    if not others:
        return []
    ids = " or ".join(f"#{i}" for i in sorted([contact.id or 0, *(o.id or 0 for o in others)]))
    return [
        f"{describe(contact)} has the name of {', '.join(describe(o) for o in others)}: the "
        f"name no longer names one contact; write {ids} (or an email) for each"
    ]


def get_contact(store: Store, ref: str | int) -> ContactRead:
    """One contact by REF."""
    with store.read() as session:
        return to_read(session, resolve_contact(session, ref))


def get_contact_for_write(store: Store, ref: str | int) -> ContactRead:
    """One contact by REF, read for a write: inside ``store.write()`` its row stays
    locked until that transaction ends (``lock_row``), so a check made on what this
    returns still holds when the write commits."""
    with store.write() as session:
        contact = resolve_contact(session, ref)
        return to_read(session, lock_row(session, contact, "contact", contact.name))


def _has_fts(store: Store, session: Session) -> bool:
    cached = getattr(store, "_contact_fts", None)
    if cached is None:
        cached = store.is_sqlite and inspect(session.connection()).has_table("contact_fts")
        store._contact_fts = cached  # type: ignore[attr-defined]
    return bool(cached)


def search_ids(store: Store, session: Session, query: str) -> Any:
    """A subquery of the ids of contacts whose name, email, phone or title contain ``query``,
    or whose phone is the number ``query`` is, in any form (``030 1234567`` finds
    ``+49 30 123 45 67`` with ``[phone] region = "DE"``; the number finds its extensions).

    Folded as ``tinycrm search`` folds (``validate.folded``: MÜLLER finds Müller, soren
    Søren, strasse Straße), the text typed and the key stored alike. SQLite answers from
    an FTS5 trigram index for three characters or more; PostgreSQL from a
    pg_trgm index; shorter queries scan.
    """
    needle = validate.folded(validate.searchable(query))
    if _has_fts(store, session) and len(needle) >= 3:
        phrase = '"' + needle.replace('"', '""') + '"'
        by_text: Any = text("SELECT rowid FROM contact_fts WHERE contact_fts MATCH :q").bindparams(
            q=phrase
        )
    else:
        pattern = validate.contains_pattern(query)
        by_text = select(col(Contact.id)).where(col(Contact.search_key).like(pattern, escape="\\"))
    number = _as_number(store, query)
    if number is None:
        return by_text
    same = col(Contact.phone_e164) == number
    if ";ext=" not in number:
        same = or_(same, col(Contact.phone_e164).like(f"{number};ext=%"))
    return select(col(Contact.id)).where(or_(col(Contact.id).in_(by_text), same))


_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]{6,}(?:\s*(?:ext\.?|x|#)\s*\d+)?$", re.IGNORECASE)


def _as_number(store: Store, query: str) -> str | None:
    """``query`` as a phone number when it looks like one and can be read, else None."""
    query = query.strip()
    if not _PHONE_LIKE.match(query) or sum(ch.isdigit() for ch in query) < 6:
        return None
    return try_normalise(query, store.phone_region())[0]


# Keys the store derives, and bookkeeping a list does not show (when a cadence was set:
# an import sets it again, and with history a cadence runs from that).
_INTERNAL = frozenset(
    {"name_key", "sort_key", "search_key", "cadence_since", "phone_e164", "email_key"}
)


def list_columns() -> list[Any]:
    """The contact table's columns a list shows (its internal keys aside), in order."""
    return [c for c in table_of(Contact).c if c.name not in _INTERNAL]


class ContactFilters(TypedDict, total=False):
    """What ``contact list`` (and ``export contacts``) narrow by; every one given must match."""

    tags: list[str] | None
    company: str | None
    lifecycle: str | None
    lead_status: str | None
    """One status or several, comma-separated (``hot,working``)."""
    role: str | None
    owner: str | None
    search: str | None
    field: tuple[str, str | None] | None
    limit: int | None
    offset: int | None
    """The rows passed over before the first returned (a page after others)."""
    where: str | None
    segment: str | None


_GIVEN = ("company", "lifecycle", "lead_status", "role", "owner", "segment")


def contacts_query(
    store: Store, session: Session, **filters: Unpack[ContactFilters]
) -> Select[Any]:
    """The query of ``contact list`` (and ``export contacts``): :func:`list_columns` and
    the company's name as ``company``, filtered (:class:`ContactFilters`), by name."""
    validate.filters_given(**{k: filters.get(k) for k in _GIVEN})
    query = select(*list_columns(), col(Company.name).label("company")).outerjoin(
        Company, col(Contact.company_id) == col(Company.id)
    )
    if tags := filters.get("tags"):
        query = query.where(col(Contact.id).in_(ids_with_tags(ENTITY, tags)))
    if field := filters.get("field"):
        query = query.where(with_field(ENTITY, col(Contact.id), *field))
    if company := filters.get("company"):
        query = query.where(col(Contact.company_id) == resolve_company(session, company).id)
    if lifecycle := filters.get("lifecycle"):
        query = query.where(col(Contact.lifecycle) == validate.lifecycle(lifecycle))
    if lead_status := filters.get("lead_status"):
        query = query.where(col(Contact.lead_status).in_(lead_statuses(lead_status)))
    if role := filters.get("role"):
        query = query.where(col(Contact.role) == validate.role(role))
    if owner := filters.get("owner"):
        query = query.where(col(Contact.owner) == owner)
    if (search := filters.get("search")) is not None:
        if not validate.searchable(search).strip():
            raise Invalid("search text must not be empty")
        query = query.where(col(Contact.id).in_(search_ids(store, session, search)))
    where, segment = filters.get("where"), filters.get("segment")
    if where is not None or segment is not None:  # the filter language loads only then
        from tinycrm.store.filter_sql import resolve_where

        query = query.where(resolve_where(store, session, ENTITY, where=where, segment=segment))
    query = query.order_by(col(Contact.sort_key), col(Contact.id))  # Ångström among the A's
    limit = validate.limit(filters.get("limit"))
    if offset := validate.offset(filters.get("offset")):
        query = query.offset(offset)
    return query.limit(limit) if limit else query


def list_contacts(store: Store, **filters: Unpack[ContactFilters]) -> list[ContactRead]:
    """Contacts by name, filtered (:class:`ContactFilters`; every filter given must match)."""
    with store.read() as session:
        query = contacts_query(store, session, **filters)
        result = session.connection().execute(query)  # Core rows: no ORM bookkeeping
        keys = list(result.keys())
        rows = [dict(zip(keys, values, strict=True)) for values in result]
        ids = [row["id"] for row in rows]
        all_tags = tags_for(session, ENTITY, ids)
        all_fields = fields_for(session, ENTITY, ids)
        odd = odd_dates.unreadable_of(session, ODD_AMOUNTS.get(), ENTITY)
        for row in rows:
            row["tags"] = all_tags.get(row["id"], [])
            row["fields"] = all_fields.get(row["id"], {})
            row["unreadable"] = odd.get(row["id"], [])
        return [ContactRead.from_row(row) for row in rows]


def edit_contact(
    store: Store,
    ref: str | int,
    *,
    name: str | Unset = UNSET,
    email: str | Unset | None = UNSET,
    phone: str | Unset | None = UNSET,
    title: str | Unset | None = UNSET,
    role: str | Unset | None = UNSET,
    company: str | Unset | None = UNSET,
    lifecycle: str | Unset | None = UNSET,
    source: str | Unset | None = UNSET,
    owner: str | Unset | None = UNSET,
    notes: str | Unset | None = UNSET,
    cadence_days: int | Unset | None = UNSET,
    lead_status: str | Unset | None = UNSET,
    unsubscribed: bool | Unset = UNSET,
    do_not_contact: bool | Unset = UNSET,
    add_tags: list[str] | None = None,
    remove_tags: list[str] | None = None,
    set_fields: dict[str, str] | None = None,
    unset_fields: list[str] | None = None,
) -> ContactRead:
    """Change a contact. Parameters left out are kept; ``None`` or "" clears one.

    ``unsubscribed`` and ``do_not_contact`` (booleans) are consent: such contacts are
    never added to campaigns."""
    told: list[str] = []
    with store.write() as session:
        contact = resolve_contact(session, ref)
        # a ``contact rm`` meanwhile: waited for, and then NotFound (never a stale write)
        contact = lock_row(session, contact, "contact", contact.name, edit=True)
        assert contact.id is not None
        changes: list[str] = []

        def put(attr: str, value: Any) -> None:
            if getattr(contact, attr) != value:
                setattr(contact, attr, value)
                changes.append(attr)

        if is_set(name):
            put("name", validate.name(name))
            contact.name_key = validate.key(contact.name)
            contact.sort_key = validate.folded(contact.name)
        if is_set(email):
            typed, key = validate.typed_email(email) or (None, None)
            _check_email(session, typed, key, exclude=contact.id)
            put("email", typed)
            contact.email_key = key
        for attr, value in (("phone", phone), ("title", title)):
            if is_set(value):
                put(attr, validate.optional_text(value, attr))
        if is_set(phone):
            contact.phone_e164 = phone_number(store, contact.phone, told)
        if is_set(notes):
            put("notes", validate.optional_text(notes, "notes", multiline=True))
        if is_set(role):
            put("role", validate.role(role))
        if is_set(cadence_days):
            put("cadence_days", validate.cadence(cadence_days))
            if "cadence_days" in changes:  # without interactions, it runs from now
                contact.cadence_since = utcnow() if contact.cadence_days else None
        if is_set(lead_status):
            put("lead_status", check_lead_status(lead_status))
        for flag, on in (("unsubscribed", unsubscribed), ("do_not_contact", do_not_contact)):
            if is_set(on):
                put(flag, validate.flag(on, flag))
        if is_set(lifecycle):
            before = contact.lifecycle
            put("lifecycle", validate.lifecycle(lifecycle) or "lead")
            record_lifecycle(store, session, contact.id, before, contact.lifecycle)
        if is_set(source):
            put("source", _source(source))
        if is_set(owner):
            put("owner", validate.optional_text(owner, "owner") or store.user)
        if is_set(company):
            made: list[Company] = []
            linked = company_for(store, session, company, made)
            put("company_id", linked.id if linked else None)
            told.extend(near_company(session, made, contact))
        contact.search_key = search_key(contact)
        changes += apply_tags(
            session, ENTITY, contact.id, add=add_tags or (), remove=remove_tags or ()
        )
        stored = fields_for(session, ENTITY, [contact.id]).get(contact.id, {})
        stale = _stale_types(changes, set_fields, unset_fields or [], stored)
        changes += apply_fields(
            session, ENTITY, contact.id, set_=set_fields, unset=[*(unset_fields or ()), *stale]
        )
        names = {"company_id": "company", "cadence_days": "cadence", "lead_status": "lead status"}
        changes = [names.get(c, c) for c in changes]
        finish_edit(store, session, contact, entity=ENTITY, label=contact.name, changes=changes)
        read = to_read(session, contact)
    for message in told:
        warn(message)
    return read


def _stale_types(
    changes: list[str],
    set_fields: dict[str, str] | None,
    unset_fields: list[str],
    stored: dict[str, str],
) -> list[str]:
    """The stored type and label of a main phone or email that changed (``phone_type``,
    ``email_label``: kept from a vCard), or of a web page, other email or phone whose
    field changed (``website_type``, ``phone_label.work``, ``email_pref.other``): they
    were the old one's, so they go with it, unless this edit sets them."""
    given = validate.fields(set_fields)
    setting = {key.casefold() for key in given}
    changed = [f"{attr}{kind}" for attr in ("phone", "email") if attr in changes
               for kind in ("_type", "_label")]  # fmt: skip
    for key in [*given, *map(validate.field_key, unset_fields)]:
        old = stored.get(stored_key(stored, key) or "")
        if old is not None and given.get(key) != old:
            changed += typed_by(key)
    return [key for key in changed if key.casefold() not in setting]


def typed_by(key: str) -> list[str]:
    """The custom fields that describe the value of custom field ``key`` (kept from a
    vCard, written back with it): ``website``'s ``website_type`` and ``website_label``;
    ``phone.work``'s ``phone_type.work``, ``phone_label.work`` and ``phone_pref.work``;
    none for another key."""
    what, dot, rest = key.partition(".")
    what = what.casefold()
    if what not in ("email", "phone", "website") or not (dot or what == "website"):
        return []
    kinds = ("_type", "_label", "_pref") if dot else ("_type", "_label")
    return [f"{what}{kind}{dot}{rest}" for kind in kinds]


def contact_removal(store: Store, ref: str | int) -> Removal:
    """What deleting the contact would take with it, and keep unlinked (nothing written)."""
    with store.read() as session:
        contact = resolve_contact(session, ref)
        assert contact.id is not None
        return removal_of(session, ENTITY, contact.id)


def remove_contact(
    store: Store, ref: str | int, *, unlink_contracts_and_cases: bool = False
) -> ContactRemoved:
    """Delete a contact: activities and tasks only about it, its tags, custom fields,
    campaign memberships and sequence enrollments go; its deals, and activities also
    about another record, stay, unlinked. A contact a contract or support case is with is
    refused (``Conflict`` naming them) unless ``unlink_contracts_and_cases``: they are
    kept, unlinked. The result says what went (``removed``)."""
    with store.write() as session:
        contact = resolve_contact(session, ref)
        cid = contact.id
        assert cid is not None  # a stored row
        # its deals first (a contract add holding one links its contact), then the
        # contact: a writer linking it meanwhile comes first, or finds it gone
        lock_linked(session, Deal, "contact_id", cid)
        contact = lock_row(session, contact, "contact", contact.name)
        read = to_read(session, contact)
        removal = removal_of(session, ENTITY, cid)
        if not unlink_contracts_and_cases:
            refuse_unlinking(session, ENTITY, cid, read.name, removal)
        detach_activities(session, "contact_id", cid)
        session.execute(update(Deal).where(col(Deal.contact_id) == cid).values(contact_id=None))
        drop_tags_and_fields(session, ENTITY, cid)
        session.execute(
            delete(Qualification).where(
                col(Qualification.entity) == ENTITY, col(Qualification.entity_id) == cid
            )
        )
        session.delete(contact)
        record_event(
            store,
            session,
            action="deleted",
            entity=ENTITY,
            entity_id=cid,
            summary=f"deleted contact {read.name}{kept_summary(removal)}",
        )
        return ContactRemoved(**read.model_dump(), removed=removal)

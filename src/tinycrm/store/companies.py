"""Companies (accounts)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from typing import Any, cast

from sqlalchemy import or_, select, update
from sqlmodel import Session, col

from tinycrm import filters
from tinycrm.store import odd_dates, validate
from tinycrm.store.engine import Store
from tinycrm.store.errors import Invalid
from tinycrm.store.filter_renames import anew, rewrite_filters
from tinycrm.store.models import Company, CompanyRead, Contact, Deal
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
    tags_for,
    with_field,
)
from tinycrm.store.refs import lock_row, resolve
from tinycrm.store.removals import (
    CompanyRemoved,
    Removal,
    kept_summary,
    refuse_unlinking,
    removal_of,
)
from tinycrm.store.types import ODD_AMOUNTS, utcnow
from tinycrm.store.unique import company_name_taken, domain_taken

ENTITY = "company"


def describe(company: Company) -> str:
    return f"#{company.id} {company.name}" + (f" ({company.domain})" if company.domain else "")


def resolve_company(session: Session, ref: str | int) -> Company:
    """The company a REF names: id, name (case-insensitive) or domain."""
    return resolve(
        session,
        Company,
        ref,
        what="company",
        keys=[
            (Company.name_key, validate.key),
            (Company.domain, validate.domain),
            (Company.domain, validate.domain_other_form),
        ],
        describe=describe,
        near=Company.sort_key,
    )


def keep_company(session: Session, company: Company) -> Company:
    """``company`` kept from being deleted until the transaction ends (``lock_row`` with
    ``key``): what a writer linking a record to it takes first. One ``company rm``
    deleted meanwhile is ``NotFound``, never the database's foreign-key error."""
    return lock_row(session, company, "company", company.name, key=True)


def link_company(session: Session, ref: str | int) -> Company:
    """The company a REF names, kept from being deleted until the transaction ends
    (``keep_company``): a writer linking a record to it resolves it with this."""
    return keep_company(session, resolve_company(session, ref))


def to_read(session: Session, company: Company) -> CompanyRead:
    assert company.id is not None
    return _read(
        company,
        tags_for(session, ENTITY, [company.id]).get(company.id, []),
        fields_for(session, ENTITY, [company.id]).get(company.id, {}),
        odd_dates.unreadable_of(session, ODD_AMOUNTS.get(), ENTITY),
    )


def _read(
    company: Company,
    tags: list[str],
    fields: dict[str, str],
    unreadable: dict[int, list[str]] | None = None,
) -> CompanyRead:
    return CompanyRead(
        id=company.id,
        name=company.name,
        domain=company.domain,
        industry=company.industry,
        size=company.size,
        phone=company.phone,
        address=company.address,
        city=company.city,
        country=company.country,
        owner=company.owner,
        tags=tags,
        fields=fields,
        created_at=company.created_at,
        updated_at=company.updated_at,
        unreadable=(unreadable or {}).get(company.id or 0, []),
    )


def _check_unique(session: Session, name_key: str, exclude: int | None = None) -> None:
    query = select(Company).where(col(Company.name_key) == name_key)
    if exclude is not None:
        query = query.where(col(Company.id) != exclude)
    other = session.scalars(query).first()
    if other is not None:
        raise company_name_taken(other)


def check_domain_free(session: Session, domain: str | None, *, exclude: int | None = None) -> None:
    """Refuse (``Conflict``) a normalised ``domain`` another company has: a domain names one
    company, as an email names one contact (a unique index holds it too). Its Unicode and
    xn-- spellings are one domain (the message names the other company's)."""
    if domain is None:
        return
    query = select(Company).where(col(Company.domain).in_(validate.domain_forms(domain)))
    if exclude is not None:
        query = query.where(col(Company.id) != exclude)
    other = session.scalars(query.limit(1)).first()
    if other is not None:
        raise domain_taken(other.domain or domain, other.name, other.id)


DUPLICATE_DOMAIN_FIELD = "duplicate_domain"  # where a domain another company has is kept


def domains_apart(companies: Any, fields: Any) -> tuple[Any, Any]:
    """A dump's company and custom-field rows with each domain as the store keeps it and on
    one company only: the lowest id keeps a shared domain, the others keep it in their
    custom field ``duplicate_domain`` (as migration 0009 does to a database). Rows not
    shaped like rows are returned as they are, for the restore to refuse."""
    rows = companies if isinstance(companies, list) else None
    if rows is None or not isinstance(fields, list):
        return companies, fields
    if not all(isinstance(r, dict) for r in rows) or not all(isinstance(f, dict) for f in fields):
        return companies, fields
    ids = [r.get("id") for r in rows]
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        return companies, fields
    taken = {(f.get("entity_id"), f.get("key")) for f in fields if f.get("entity") == ENTITY}
    next_id = max((f["id"] for f in fields if isinstance(f.get("id"), int)), default=0)
    holders: dict[str, int] = {}
    changed: dict[int, dict[str, Any]] = {}
    extra: list[dict[str, Any]] = []
    for row in sorted(rows, key=lambda r: r["id"]):
        stored = row.get("domain")
        if not isinstance(stored, str):
            continue
        clean = validate.domain_key(stored)
        if clean is not None and clean not in holders:
            holders[clean] = row["id"]
            if clean != stored:
                changed[row["id"]] = {**row, "domain": clean}
            continue
        changed[row["id"]] = {**row, "domain": None}
        if clean is None:
            continue
        key, n = DUPLICATE_DOMAIN_FIELD, 1
        while (row["id"], key) in taken:
            n += 1
            key = f"{DUPLICATE_DOMAIN_FIELD}_{n}"
        taken.add((row["id"], key))
        next_id += 1
        extra.append(
            {"id": next_id, "entity": ENTITY, "entity_id": row["id"], "key": key, "value": stored}
        )
    if not changed:
        return companies, fields
    return [changed.get(r["id"], r) for r in rows], [*fields, *extra]


def _text_rule(label: str) -> Callable[[Any], str | None]:
    return lambda value: validate.optional_text(value, label)


COMPANY_RULES: dict[str, Callable[[Any], Any]] = {
    "name": lambda value: validate.name(value, "company name"),
    "domain": validate.domain,
    "industry": _text_rule("industry"),
    "size": validate.size,
    **{key: _text_rule(key) for key in ("phone", "address", "city", "country", "owner")},
}
"""How each value of a new company is checked and normalised; an import calls the same
validators for the cells a row holds."""


def check_company(values: Mapping[str, Any]) -> dict[str, Any]:
    """A new company's values, each checked by ``COMPANY_RULES`` (``name`` required);
    other keys pass as they are."""
    clean = {"name": COMPANY_RULES["name"](values.get("name"))}
    for key, value in values.items():
        if key != "name":
            rule = COMPANY_RULES.get(key)
            clean[key] = rule(value) if rule is not None else value
    return clean


def new_company_row(
    cid: int | None, columns: Mapping[str, Any], *, owner: str, stamp: Any
) -> dict[str, Any]:
    """A new company's whole row from checked values: the one way one is made
    (``create_company``, ``tinycrm import companies``). ``owner``: the default owner;
    ``stamp``: the creation time unless ``created_at`` is given; ``cid``: the id an
    import assigns (None: the database's)."""
    row = {
        "id": cid,
        "name": columns["name"],
        "name_key": validate.key(columns["name"]),
        "sort_key": validate.folded(columns["name"]),
        **{key: columns.get(key) for key in ("domain", "industry", "size", "phone", "address",
                                             "city", "country")},
        "owner": columns.get("owner") or owner,
        "created_at": columns.get("created_at") or stamp,
        "updated_at": stamp,
    }  # fmt: skip
    if cid is None:
        del row["id"]
    return row


def create_named_company(
    store: Store, session: Session, ref: str, *, event: bool = True
) -> Company:
    """A new company for a name a contact or a lead's conversion gave and no company has:
    a name that is a domain (``globex.com``) is its domain too, for the next contact,
    import row or lead at that domain to find it."""
    try:
        domain = validate.domain(ref)
    except Invalid:
        domain = None
    if domain is not None and domain == unicodedata.normalize("NFC", ref.strip().lower()):
        return create_company(store, session, ref, event=event, domain=domain)
    return create_company(store, session, ref, event=event)


def create_company(
    store: Store, session: Session, name: str, *, event: bool = True, **values: Any
) -> Company:
    """Insert a company inside an open transaction: the one insert path of companies
    (``add``, contacts and deals naming a new company, a lead's conversion). ``event``:
    record its "created" event (a conversion records its own instead)."""
    columns = {k: v for k, v in values.items() if k not in ("tags", "fields")}
    clean = check_company({"name": name, **columns})
    _check_unique(session, validate.key(clean["name"]))
    check_domain_free(session, clean.get("domain"))
    company = Company(**new_company_row(None, clean, owner=store.user, stamp=utcnow()))
    session.add(company)
    session.flush()
    assert company.id is not None
    apply_tags(session, ENTITY, company.id, add=values.get("tags") or ())
    apply_fields(session, ENTITY, company.id, set_=values.get("fields"))
    if event:
        record_event(
            store,
            session,
            action="created",
            entity=ENTITY,
            entity_id=company.id,
            summary=f"created company {company.name}",
        )
    return company


def add_company(
    store: Store,
    *,
    name: str,
    domain: str | None = None,
    industry: str | None = None,
    size: int | None = None,
    phone: str | None = None,
    address: str | None = None,
    city: str | None = None,
    country: str | None = None,
    owner: str | None = None,
    tags: list[str] | None = None,
    fields: dict[str, str] | None = None,
) -> CompanyRead:
    """Create a company. Names and domains are unique case-insensitively (``Conflict``
    otherwise)."""
    with store.write() as session:
        company = create_company(
            store,
            session,
            name,
            domain=domain,
            industry=industry,
            size=size,
            phone=phone,
            address=address,
            city=city,
            country=country,
            owner=owner,
            tags=tags,
            fields=fields,
        )
        return to_read(session, company)


def get_company(store: Store, ref: str | int) -> CompanyRead:
    """One company by REF."""
    with store.read() as session:
        return to_read(session, resolve_company(session, ref))


def get_company_for_write(store: Store, ref: str | int) -> CompanyRead:
    """One company by REF, read for a write: inside ``store.write()`` its row stays
    locked until that transaction ends (``lock_row``), so a check made on what this
    returns still holds when the write commits."""
    with store.write() as session:
        company = resolve_company(session, ref)
        return to_read(session, lock_row(session, company, "company", company.name))


def list_companies(
    store: Store,
    *,
    tags: list[str] | None = None,
    search: str | None = None,
    field: tuple[str, str | None] | None = None,
    owner: str | None = None,
    limit: int | None = None,
    offset: int | None = None,
    where: str | None = None,
    segment: str | None = None,
) -> list[CompanyRead]:
    """Companies by name, filtered by tags (all must match), text, a custom field, owner."""
    validate.filters_given(owner=owner, segment=segment)
    limit = validate.limit(limit)
    with store.read() as session:
        # by the folded name (Ångström among the A's), ties by id: ix_company_sort_key
        query = select(Company).order_by(col(Company.sort_key), col(Company.id))
        if tags:
            query = query.where(col(Company.id).in_(ids_with_tags(ENTITY, tags)))
        if field:
            query = query.where(with_field(ENTITY, col(Company.id), *field))
        if owner:
            query = query.where(col(Company.owner) == owner)
        if search and search.strip():
            pattern = validate.contains_pattern(search)
            query = query.where(
                or_(
                    validate.sql_folded(Company.name).like(pattern, escape="\\"),
                    validate.sql_folded(Company.domain).like(pattern, escape="\\"),
                    validate.sql_folded(Company.city).like(pattern, escape="\\"),
                )
            )
        if limit:
            query = query.limit(limit)
        if offset := validate.offset(offset):
            query = query.offset(offset)
        if where is not None or segment is not None:  # the filter language loads only then
            from tinycrm.store.filter_sql import resolve_where

            query = query.where(resolve_where(store, session, ENTITY, where=where, segment=segment))
        rows = list(session.scalars(query))
        ids = [r.id for r in rows if r.id is not None]
        all_tags = tags_for(session, ENTITY, ids)
        all_fields = fields_for(session, ENTITY, ids)
        odd = odd_dates.unreadable_of(session, ODD_AMOUNTS.get(), ENTITY)
        return [
            _read(r, all_tags.get(cast(int, r.id), []), all_fields.get(cast(int, r.id), {}), odd)
            for r in rows
        ]


def edit_company(
    store: Store,
    ref: str | int,
    *,
    name: str | Unset = UNSET,
    domain: str | Unset | None = UNSET,
    industry: str | Unset | None = UNSET,
    size: int | Unset | None = UNSET,
    phone: str | Unset | None = UNSET,
    address: str | Unset | None = UNSET,
    city: str | Unset | None = UNSET,
    country: str | Unset | None = UNSET,
    owner: str | Unset | None = UNSET,
    add_tags: list[str] | None = None,
    remove_tags: list[str] | None = None,
    set_fields: dict[str, str] | None = None,
    unset_fields: list[str] | None = None,
) -> CompanyRead:
    """Change a company. Parameters left out are kept; ``None`` or "" clears one."""
    with store.write() as session:
        company = resolve_company(session, ref)
        # a ``company rm`` meanwhile: waited for, and then NotFound (never a stale write)
        company = lock_row(session, company, "company", company.name, edit=True)
        assert company.id is not None
        changes: list[str] = []

        def put(attr: str, value: Any) -> None:
            if getattr(company, attr) != value:
                setattr(company, attr, value)
                changes.append(attr)

        if is_set(name):
            clean = validate.name(name, "company name")
            _check_unique(session, validate.key(clean), exclude=company.id)
            was = company.name_key
            put("name", clean)
            company.name_key = validate.key(clean)
            company.sort_key = validate.folded(clean)
            if company.name_key != was:  # what tests company=OLD follows (names are unique)
                named = rewrite_filters(
                    session,
                    lambda text: filters.renamed_value(text, "company", was, clean, validate.key),
                )
                changes[changes.index("name")] += anew(named)
        if is_set(domain):
            clean_domain = validate.domain(domain)
            check_domain_free(session, clean_domain, exclude=company.id)
            put("domain", clean_domain)
        for attr, value in (
            ("industry", industry),
            ("phone", phone),
            ("address", address),
            ("city", city),
            ("country", country),
        ):
            if is_set(value):
                put(attr, validate.optional_text(value, attr))
        if is_set(size):
            put("size", validate.size(size))
        if is_set(owner):
            put("owner", validate.optional_text(owner, "owner") or store.user)
        changes += apply_tags(
            session, ENTITY, company.id, add=add_tags or (), remove=remove_tags or ()
        )
        changes += apply_fields(
            session, ENTITY, company.id, set_=set_fields, unset=unset_fields or ()
        )
        finish_edit(store, session, company, entity=ENTITY, label=company.name, changes=changes)
        return to_read(session, company)


def company_removal(store: Store, ref: str | int) -> Removal:
    """What deleting the company would take with it, and keep unlinked (nothing written)."""
    with store.read() as session:
        company = resolve_company(session, ref)
        assert company.id is not None
        return removal_of(session, ENTITY, company.id)


def remove_company(
    store: Store, ref: str | int, *, unlink_contracts_and_cases: bool = False
) -> CompanyRemoved:
    """Delete a company: activities and tasks only about it, its tags and custom fields
    go; its contacts, deals, and activities also about another record stay, unlinked. A
    company a contract or support case is with is refused (``Conflict`` naming them)
    unless ``unlink_contracts_and_cases``: they are kept, unlinked. The result says what
    went (``removed``)."""
    with store.write() as session:
        company = resolve_company(session, ref)
        cid = company.id
        assert cid is not None  # a stored row
        # its deals and contacts first (a writer holding one links its company), then
        # the company: a writer linking it meanwhile comes first, or finds it gone
        lock_linked(session, Deal, "company_id", cid)
        lock_linked(session, Contact, "company_id", cid)
        company = lock_row(session, company, "company", company.name)
        read = to_read(session, company)
        removal = removal_of(session, ENTITY, cid)
        if not unlink_contracts_and_cases:
            refuse_unlinking(session, ENTITY, cid, read.name, removal)
        detach_activities(session, "company_id", cid)
        session.execute(
            update(Contact).where(col(Contact.company_id) == cid).values(company_id=None)
        )
        session.execute(update(Deal).where(col(Deal.company_id) == cid).values(company_id=None))
        drop_tags_and_fields(session, ENTITY, cid)
        session.delete(company)
        record_event(
            store,
            session,
            action="deleted",
            entity=ENTITY,
            entity_id=cid,
            summary=f"deleted company {read.name}{kept_summary(removal)}",
        )
        return CompanyRemoved(**read.model_dump(), removed=removal)

"""Deals (opportunities) and their moves through pipeline stages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypedDict, Unpack

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from tinycrm import money
from tinycrm.store import odd_dates, validate
from tinycrm.store.automation import run_rules
from tinycrm.store.companies import keep_company, link_company, resolve_company
from tinycrm.store.contacts import keep_contact, link_contact, resolve_contact
from tinycrm.store.engine import Store
from tinycrm.store.errors import Conflict, Invalid
from tinycrm.store.filter_sql import resolve_where
from tinycrm.store.models import (
    Company,
    Contact,
    Deal,
    DealRead,
    Pipeline,
    Qualification,
    Stage,
    StageChangeRead,
    effective_probability,
)
from tinycrm.store.pipelines import given_pipeline, resolve_pipeline, resolve_stage, stages_of
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
    record_event,
    tags_for,
    with_field,
)
from tinycrm.store.refs import lock_row, resolve
from tinycrm.store.stage_changes import StageChange, stage_change
from tinycrm.store.types import ODD_AMOUNTS, utcnow
from tinycrm.vocab import DEAL_STATUSES, DEFAULT_CURRENCY

ENTITY = "deal"


def describe(deal: Deal) -> str:
    return f"#{deal.id} {deal.title} ({deal.status})"


def resolve_deal(session: Session, ref: str | int) -> Deal:
    """The deal a REF names: id or title (case-insensitive)."""
    return resolve(
        session,
        Deal,
        ref,
        what="deal",
        keys=[(Deal.title_key, validate.key)],
        describe=describe,
        near=validate.sql_folded(Deal.title_key),
    )


def _amount(deal: Deal) -> Decimal | None:
    if deal.amount_minor is None:
        return None
    return money.from_minor(deal.amount_minor, deal.currency)


def _read_amount(deal: Deal) -> tuple[Decimal | None, list[str]]:
    """The deal's amount, and the fields it cannot be read from: a currency other SQL
    stored that is no ISO 4217 code (``'XYZ'``) leaves the amount unreadable (its minor
    units say nothing without the currency's decimals), said once naming the deal."""
    try:
        return _amount(deal), []
    except ValueError:
        if deal.amount_minor is not None and money.is_currency(deal.currency):
            raise
    odd_dates.unknown_currency(deal.id or 0, deal.title, deal.currency)
    return None, ["amount"]


def _read(
    deal: Deal,
    stage: Stage,
    pipeline: str,
    contact: str | None,
    company: str | None,
    tags: list[str],
    fields: dict[str, str],
    unreadable: dict[int, list[str]] | None = None,
) -> DealRead:
    amount, odd = _read_amount(deal)
    return DealRead(
        id=deal.id,
        title=deal.title,
        pipeline=pipeline,
        pipeline_id=deal.pipeline_id,
        stage=stage.name,
        stage_id=deal.stage_id,
        status=deal.status,
        amount=amount,
        currency=deal.currency,
        probability=effective_probability(deal.status, deal.probability, stage.probability),
        probability_override=deal.probability is not None,
        close_date=deal.close_date,
        contact=contact,
        contact_id=deal.contact_id,
        company=company,
        company_id=deal.company_id,
        lost_reason=deal.lost_reason,
        closed_at=deal.closed_at,
        owner=deal.owner,
        external_id=deal.external_id,
        tags=tags,
        fields=fields,
        created_at=deal.created_at,
        updated_at=deal.updated_at,
        unreadable=sorted([*odd, *(unreadable or {}).get(deal.id or 0, [])]),
    )


def to_read(session: Session, deal: Deal) -> DealRead:
    assert deal.id is not None
    stage = session.get(Stage, deal.stage_id)
    pipeline = session.get(Pipeline, deal.pipeline_id)
    contact = session.get(Contact, deal.contact_id) if deal.contact_id else None
    company = session.get(Company, deal.company_id) if deal.company_id else None
    assert stage is not None and pipeline is not None
    return _read(
        deal,
        stage,
        pipeline.name,
        contact.name if contact else None,
        company.name if company else None,
        tags_for(session, ENTITY, [deal.id]).get(deal.id, []),
        fields_for(session, ENTITY, [deal.id]).get(deal.id, {}),
        odd_dates.unreadable_of(session, ODD_AMOUNTS.get(), "deal"),
    )


def _label(deal: Deal) -> str:
    if not money.is_currency(deal.currency):  # other SQL stored 'XYZ': read, it is named
        return deal.title
    amount = money.format_money(_amount(deal), deal.currency)
    return f"{deal.title} ({amount})" if amount else deal.title


def _stage_change(
    store: Store,
    session: Session,
    deal: Deal,
    *,
    from_stage: int | None,
    from_status: str | None,
) -> None:
    assert deal.id is not None  # flushed
    stage_change(
        session,
        deal_id=deal.id,
        from_stage_id=from_stage,
        to_stage_id=deal.stage_id,
        from_status=from_status,
        to_status=deal.status,
        at=utcnow(),
        actor=store.user,
    )


def add_deal(
    store: Store,
    *,
    title: str,
    contact: str | None = None,
    company: str | None = None,
    amount: Decimal | str | int | None = None,
    currency: str | None = None,
    stage: str | None = None,
    pipeline: str | None = None,
    close_date: date | None = None,
    probability: int | None = None,
    owner: str | None = None,
    tags: list[str] | None = None,
    fields: dict[str, str] | None = None,
) -> DealRead:
    """Open a deal in ``stage`` of ``pipeline`` (default: the first stage of the first pipeline).

    ``contact`` and ``company`` are REFs to existing records; with a contact and no
    company, the deal is linked to the contact's company.
    """
    with store.write() as session:
        deal, target = insert_deal(
            store,
            session,
            title=title,
            contact=contact,
            company=company,
            amount=amount,
            currency=currency,
            stage=stage,
            pipeline=pipeline,
            close_date=close_date,
            probability=probability,
            owner=owner,
            tags=tags,
            fields=fields,
        )
        person = session.get(Contact, deal.contact_id) if deal.contact_id else None
        account = session.get(Company, deal.company_id) if deal.company_id else None
        with_whom = (
            f" with {account.name}" if account else (f" with {person.name}" if person else "")
        )
        assert deal.id is not None
        record_event(
            store,
            session,
            action="created",
            entity=ENTITY,
            entity_id=deal.id,
            summary=f"created deal {_label(deal)}{with_whom} in {target.name}",
        )
        run_new_deal_rules(store, session, deal, target)
        return to_read(session, deal)


def new_deal_row(
    cid: int | None, columns: Mapping[str, Any], *, owner: str, stamp: Any
) -> dict[str, Any]:
    """A new deal's whole row from checked values (``pipeline_id`` and ``stage_id``
    resolved): the one way one is made, by ``insert_deal`` (``add``, a lead's
    conversion) and ``tinycrm import deals``. It adds the defaults (open, the default
    currency, ``owner``, ``stamp`` as the creation time) and the title key; a lost
    reason only on a lost deal. ``cid``: the id an import assigns (None: the database's)."""
    status = columns.get("status") or "open"
    row = {
        "id": cid,
        "title": columns["title"],
        "title_key": validate.key(columns["title"]),
        "contact_id": columns.get("contact_id"),
        "company_id": columns.get("company_id"),
        "pipeline_id": columns["pipeline_id"],
        "stage_id": columns["stage_id"],
        "amount_minor": columns.get("amount_minor"),
        "currency": columns.get("currency") or DEFAULT_CURRENCY,
        "probability": columns.get("probability"),
        "close_date": columns.get("close_date"),
        "status": status,
        "lost_reason": columns.get("lost_reason") if status == "lost" else None,
        "closed_at": columns.get("closed_at"),
        "owner": columns.get("owner") or owner,
        "external_id": columns.get("external_id"),
        "created_at": columns.get("created_at") or stamp,
        "updated_at": stamp,
    }
    if cid is None:
        del row["id"]
    return row


def insert_deal(
    store: Store,
    session: Session,
    *,
    title: str,
    contact: str | Contact | None = None,
    company: str | Company | None = None,
    amount: Decimal | str | int | None = None,
    currency: str | None = None,
    stage: str | None = None,
    pipeline: str | None = None,
    close_date: date | None = None,
    probability: int | None = None,
    owner: str | None = None,
    tags: list[str] | None = None,
    fields: dict[str, str] | None = None,
) -> tuple[Deal, Stage]:
    """The one insert path of a deal, inside the caller's transaction: the deal, its first
    stage change, tags and fields; no event and no rules (``add_deal`` and lead conversion
    each record their own event, then call :func:`run_new_deal_rules`).

    ``contact`` and ``company`` are REFs or records; with a contact and no company, the
    deal is linked to the contact's company. Returns the deal and its stage."""
    clean_title = validate.name(title, "deal title")
    minor, code = validate.money_minor(amount, currency, default=DEFAULT_CURRENCY)
    pipe = given_pipeline(session, pipeline)
    assert pipe.id is not None
    if stage is not None:
        target = resolve_stage(session, pipe, stage)
    else:
        stages = stages_of(session, pipe.id)
        if not stages:
            raise Invalid(f"pipeline {pipe.name} has no stages")
        target = stages[0]
    target = lock_row(session, target, "stage", target.name, key=True)  # not removed meanwhile
    assert target.id is not None
    person = resolve_contact(session, contact) if isinstance(contact, str) else contact
    account = resolve_company(session, company) if isinstance(company, str) else company
    if account is None and person is not None and person.company_id:
        account = session.get(Company, person.company_id)
    # neither deleted before the deal is written (contact rm, company rm at once)
    person = keep_contact(session, person) if person is not None else None
    account = keep_company(session, account) if account is not None else None
    validate.tags(tags)
    validate.fields(fields)
    columns = {
        "title": clean_title,
        "contact_id": person.id if person else None,
        "company_id": account.id if account else None,
        "pipeline_id": pipe.id,
        "stage_id": target.id,
        "amount_minor": minor,
        "currency": code,
        "probability": validate.probability(probability),
        "close_date": close_date,
        "owner": validate.optional_text(owner, "owner"),
    }
    deal = Deal(**new_deal_row(None, columns, owner=store.user, stamp=utcnow()))
    session.add(deal)
    session.flush()
    assert deal.id is not None
    _stage_change(store, session, deal, from_stage=None, from_status=None)
    apply_tags(session, ENTITY, deal.id, add=tags or ())
    apply_fields(session, ENTITY, deal.id, set_=fields)
    return deal, target


def run_new_deal_rules(store: Store, session: Session, deal: Deal, stage: Stage) -> None:
    """The automation rules a new deal triggers: ``deal.created``, then ``deal.stage``."""
    run_rules(store, session, "deal.created", deal=deal, stage=stage)
    run_rules(store, session, "deal.stage", deal=deal, stage=stage)


def get_deal(store: Store, ref: str | int) -> DealRead:
    """One deal by REF."""
    with store.read() as session:
        return to_read(session, resolve_deal(session, ref))


def get_deal_for_write(store: Store, ref: str | int) -> DealRead:
    """One deal by REF, read for a write: inside ``store.write()`` the deal's row stays
    locked until that transaction ends (``lock_deal``: PostgreSQL's ``SELECT … FOR
    UPDATE``; SQLite's writers queue already), so a check made on what this returns still
    holds when the write commits: a second writer waits for the first and reads what it
    committed."""
    with store.write() as session:
        return to_read(session, lock_deal(session, resolve_deal(session, ref)))


class DealFilters(TypedDict, total=False):
    """What ``deal list`` (and ``export deals``, and the board) narrow by; every one given
    must match. ``status``: one, several, or None for every status (default: open)."""

    status: str | Sequence[str] | None
    stage: str | None
    pipeline: str | int | None
    tags: list[str] | None
    contact: str | None
    company: str | None
    owner: str | None
    search: str | None
    field: tuple[str, str | None] | None
    where: str | None
    segment: str | None
    now: datetime | None
    """The moment relative dates in ``where`` count from (default: now)."""


def deal_conditions(store: Store, session: Session, **filters: Unpack[DealFilters]) -> list[Any]:
    """The conditions on ``Deal`` of ``deal list`` (and ``export deals``, and the board's
    columns) for :class:`DealFilters`."""
    given = ("status", "stage", "pipeline", "contact", "company", "owner", "segment")
    validate.filters_given(**{k: filters.get(k) for k in given})
    conditions: list[Any] = []
    status = filters.get("status", "open")
    wanted = [] if status is None else [status] if isinstance(status, str) else list(status)
    if wanted and not any(s.strip().lower() == "all" for s in wanted):
        # "all" is every status, as on the command line; a mistake is told it is one
        choices = [validate.choice(s, (*DEAL_STATUSES, "all"), "status") for s in wanted]
        conditions.append(
            col(Deal.status).in_(choices) if len(choices) > 1 else col(Deal.status) == choices[0]
        )
    pipeline, stage = filters.get("pipeline"), filters.get("stage")
    pipe = None
    if pipeline or stage:
        pipe = resolve_pipeline(session, pipeline)
        conditions.append(col(Deal.pipeline_id) == pipe.id)
    if stage:
        assert pipe is not None
        conditions.append(col(Deal.stage_id) == resolve_stage(session, pipe, stage).id)
    if tags := filters.get("tags"):
        conditions.append(col(Deal.id).in_(ids_with_tags(ENTITY, tags)))
    if field := filters.get("field"):
        conditions.append(with_field(ENTITY, col(Deal.id), *field))
    if contact := filters.get("contact"):
        conditions.append(col(Deal.contact_id) == resolve_contact(session, contact).id)
    if company := filters.get("company"):
        conditions.append(col(Deal.company_id) == resolve_company(session, company).id)
    if owner := filters.get("owner"):
        conditions.append(col(Deal.owner) == owner)
    if (search := filters.get("search")) and search.strip():
        pattern = validate.contains_pattern(search)
        conditions.append(validate.sql_folded(Deal.title).like(pattern, escape="\\"))
    where, segment, now = filters.get("where"), filters.get("segment"), filters.get("now")
    conditions.append(resolve_where(store, session, ENTITY, where=where, segment=segment, now=now))
    return conditions


def list_deals(
    store: Store,
    *,
    limit: int | None = None,
    offset: int | None = None,
    **filters: Unpack[DealFilters],
) -> list[DealRead]:
    """Deals in pipeline and stage order, filtered (:class:`DealFilters`; open deals
    unless ``status`` says otherwise, ``status=None``: every status)."""
    limit = validate.limit(limit)
    with store.read() as session:
        person = aliased(Contact)
        account = aliased(Company)
        conditions = deal_conditions(store, session, **filters)
        query = (
            select(Deal, Stage, col(Pipeline.name), col(person.name), col(account.name))
            .join(Stage, col(Deal.stage_id) == col(Stage.id))
            .join(Pipeline, col(Deal.pipeline_id) == col(Pipeline.id))
            .outerjoin(person, col(Deal.contact_id) == col(person.id))
            .outerjoin(account, col(Deal.company_id) == col(account.id))
            .where(*conditions)
            .order_by(
                col(Pipeline.position), col(Stage.position), col(Deal.created_at), col(Deal.id)
            )
        )
        if limit:
            query = query.limit(limit)
        if offset := validate.offset(offset):
            query = query.offset(offset)
        rows = session.execute(query).all()
        ids = [row[0].id for row in rows]
        all_tags = tags_for(session, ENTITY, ids)
        all_fields = fields_for(session, ENTITY, ids)
        odd = odd_dates.unreadable_of(session, ODD_AMOUNTS.get(), "deal")
        return [
            _read(d, s, p, c, a, all_tags.get(d.id, []), all_fields.get(d.id, {}), odd)
            for d, s, p, c, a in rows
        ]


def edit_deal(
    store: Store,
    ref: str | int,
    *,
    title: str | Unset = UNSET,
    contact: str | int | Unset | None = UNSET,
    company: str | int | Unset | None = UNSET,
    amount: Decimal | int | str | Unset | None = UNSET,
    currency: str | Unset | None = UNSET,
    close_date: date | Unset | None = UNSET,
    probability: int | Unset | None = UNSET,
    owner: str | Unset | None = UNSET,
    add_tags: list[str] | None = None,
    remove_tags: list[str] | None = None,
    set_fields: dict[str, str] | None = None,
    unset_fields: list[str] | None = None,
) -> DealRead:
    """Change a deal's details (use ``move_deal`` for its stage).

    ``None`` clears a value; for ``probability`` it goes back to the stage's.
    """
    with store.write() as session:
        deal = lock_deal(session, resolve_deal(session, ref))  # an item added meanwhile counts
        assert deal.id is not None
        changes: list[str] = []

        def put(attr: str, value: Any, label: str | None = None) -> None:
            if getattr(deal, attr) != value:
                setattr(deal, attr, value)
                changes.append(label or attr)

        if is_set(title):
            clean = validate.name(title, "deal title")
            put("title", clean)
            deal.title_key = validate.key(clean)
        if is_set(currency) or is_set(amount):
            _refuse_with_items(session, deal, "amount" if is_set(amount) else "currency")
            # A currency written with the new amount ("$500") wins over the deal's own; the
            # amount kept for a new currency alone must fit that currency's minor units.
            value = amount if is_set(amount) else _amount(deal)
            given = validate.currency(currency) if is_set(currency) else None
            minor, code = validate.money_minor(value, given, default=deal.currency)
            put("currency", code)
            put("amount_minor", minor, "amount")
        if is_set(contact):
            person = link_contact(session, contact) if contact else None
            put("contact_id", person.id if person else None, "contact")
        if is_set(company):
            account = link_company(session, company) if company else None
            put("company_id", account.id if account else None, "company")
        if is_set(close_date):
            put("close_date", close_date, "close date")
        if is_set(probability):
            put("probability", validate.probability(probability))
        if is_set(owner):
            put("owner", validate.optional_text(owner, "owner") or store.user)
        changes += apply_tags(
            session, ENTITY, deal.id, add=add_tags or (), remove=remove_tags or ()
        )
        changes += apply_fields(session, ENTITY, deal.id, set_=set_fields, unset=unset_fields or ())
        finish_edit(store, session, deal, entity=ENTITY, label=deal.title, changes=changes)
        return to_read(session, deal)


def _refuse_with_items(session: Session, deal: Deal, what: str) -> None:
    """A deal with line items has their sum for its amount, in their currency."""
    from tinycrm.store.sales_models import DealItem

    count = session.scalar(
        select(func.count()).select_from(DealItem).where(col(DealItem.deal_id) == deal.id)
    )
    if count:
        items = "1 line item" if count == 1 else f"{count} line items"
        owners = "1 line item's" if count == 1 else f"{count} line items'"
        held = (
            f"is the sum of its {items}"
            if what == "amount"
            else f"is its {owners} currency, {deal.currency}"
        )
        raise Conflict(
            f"deal {deal.title}'s {what} {held}: change the items (tinycrm deal item edit) instead"
        )


def move_deal(store: Store, ref: str | int, stage: str, *, pipeline: str | None = None) -> DealRead:
    """Move an open deal to ``stage`` (of ``pipeline``, default its own)."""
    with store.write() as session:
        deal = lock_deal(session, resolve_deal(session, ref))
        if deal.status != "open":
            raise Conflict(f"deal {deal.title} is {deal.status}; reopen it before moving it")
        pipe = (
            given_pipeline(session, pipeline)
            if pipeline is not None
            else session.get(Pipeline, deal.pipeline_id)
        )
        assert pipe is not None and pipe.id is not None
        target = resolve_stage(session, pipe, stage)
        # not removed before the deal is moved in (a stage rm meanwhile: NotFound)
        target = lock_row(session, target, "stage", target.name, key=True)
        if target.id == deal.stage_id:
            raise Conflict(f"deal {deal.title} is already in {target.name}")
        before = session.get(Stage, deal.stage_id)
        assert before is not None
        from_stage = deal.stage_id
        deal.stage_id, deal.pipeline_id = target.id, pipe.id  # type: ignore[assignment]
        deal.updated_at = utcnow()
        _stage_change(store, session, deal, from_stage=from_stage, from_status="open")
        record_event(
            store,
            session,
            action="moved",
            entity=ENTITY,
            entity_id=deal.id,
            summary=f"moved deal {deal.title}: {before.name} → {target.name}",
        )
        run_rules(store, session, "deal.stage", deal=deal, stage=target)
        session.flush()
        return to_read(session, deal)


def lock_deal(session: Session, deal: Deal) -> Deal:
    """The deal row, locked until the transaction ends and read afresh (PostgreSQL; a
    SQLite write transaction holds the whole database already): two writers closing,
    reopening or moving one deal at once take turns, the second seeing the first's."""
    return lock_row(session, deal, "deal", deal.title)


def _close(store: Store, ref: str | int, status: str, reason: str | None) -> DealRead:
    with store.write() as session:
        deal = lock_deal(session, resolve_deal(session, ref))  # two wins at once: in turn
        close_in(store, session, deal, status, reason)
        return to_read(session, deal)


def close_in(store: Store, session: Session, deal: Deal, status: str, reason: str | None) -> None:
    """Mark an open deal won or lost inside the caller's transaction: its stage change,
    event, the sequences a win stops, the contract a won renewal deal renews, and the
    rules it triggers (``deal won``, an accepted quote)."""
    lock_deal(session, deal)
    if deal.status == status:
        raise Conflict(f"deal {deal.title} is already {status}")
    if deal.status != "open":
        raise Conflict(f"deal {deal.title} is {deal.status}; reopen it first")
    deal.status = status
    deal.closed_at = deal.updated_at = utcnow()
    deal.lost_reason = reason
    _stage_change(store, session, deal, from_stage=deal.stage_id, from_status="open")
    why = f": {reason}" if reason else ""
    record_event(
        store,
        session,
        action=status,
        entity=ENTITY,
        entity_id=deal.id,
        summary=f"{status} deal {_label(deal)}{why}",
    )
    if status == "won" and deal.contact_id:
        from tinycrm.store.sequences import stop_enrollments

        stop_enrollments(store, session, contact_id=deal.contact_id, reason="deal won")
    if status == "won":
        from tinycrm.store.contract_terms import renew_for_won_deal

        renew_for_won_deal(store, session, deal)  # a contract's renewal deal renews it
    run_rules(store, session, f"deal.{status}", deal=deal)
    session.flush()


def win_deal(store: Store, ref: str | int) -> DealRead:
    """Mark an open deal won."""
    return _close(store, ref, "won", None)


def lose_deal(store: Store, ref: str | int, *, reason: str) -> DealRead:
    """Mark an open deal lost, with the reason (required: it is what reports learn from)."""
    clean = validate.optional_text(reason, "lost reason")
    if not clean:
        raise Invalid("a lost deal needs a reason (--reason TEXT)")
    return _close(store, ref, "lost", clean)


def reopen_deal(store: Store, ref: str | int) -> DealRead:
    """Reopen a won or lost deal in the stage it was closed from. A won deal with an
    active contract made from it is refused (``Conflict`` naming it) until the contract
    is cancelled: an open or lost deal has nothing signed."""
    with store.write() as session:
        deal = lock_deal(session, resolve_deal(session, ref))
        if deal.status == "open":
            raise Conflict(f"deal {deal.title} is already open")
        _refuse_with_active_contract(session, deal)
        before = deal.status
        deal.status = "open"
        deal.closed_at = None
        deal.lost_reason = None
        deal.updated_at = utcnow()
        _stage_change(store, session, deal, from_stage=deal.stage_id, from_status=before)
        record_event(
            store,
            session,
            action="reopened",
            entity=ENTITY,
            entity_id=deal.id,
            summary=f"reopened deal {deal.title} (was {before})",
        )
        session.flush()
        return to_read(session, deal)


def _refuse_with_active_contract(session: Session, deal: Deal) -> None:
    from tinycrm.store.contract_terms import local_today, lock_contract, state_on
    from tinycrm.store.service_models import Contract

    today = local_today()
    found = session.scalars(
        select(col(Contract.id)).where(
            or_(col(Contract.deal_id) == deal.id, col(Contract.renewal_deal_id) == deal.id),
            col(Contract.cancelled_on).is_(None),
        )
    ).all()
    for cid in found:
        contract = lock_contract(session, cid) if cid is not None else None
        if contract is None or contract.cancelled_on is not None:
            continue
        state = state_on(contract, today)
        if state.status not in ("active", "upcoming"):
            continue
        how = f"(tinycrm contract cancel {contract.id})"
        if contract.deal_id == deal.id:
            raise Conflict(
                f"deal {deal.title} has {state.status} contract #{contract.id} {contract.title} "
                f"({state.start} to {state.end}): cancel it first {how}"
            )
        if deal.status == "won" and contract.renewal_deal_for != contract.end_date:
            # its win (or a renewal by hand, which won it) added the term now on the books
            raise Conflict(
                f"deal {deal.title} renewed active contract #{contract.id} {contract.title} "
                f"(to {contract.end_date}): cancel it first {how}"
            )


def remove_deal(store: Store, ref: str | int, *, unlink_contracts: bool = False) -> DealRead:
    """Delete a deal with its stage history; activities only about it go too. A deal a
    contract was made from is refused (``Conflict`` naming the contracts) unless
    ``unlink_contracts``: then the contracts are kept, unlinked from it."""
    from tinycrm.store.sales_models import DealItem, Quote

    with store.write() as session:
        deal = lock_deal(session, resolve_deal(session, ref))  # a contract made meanwhile counts
        read = to_read(session, deal)
        did = deal.id
        assert did is not None  # a stored row
        signed = _contracts_of(session, did)
        if signed and not unlink_contracts:
            raise Conflict(
                f"deal {deal.title} has {_plural_contracts(signed)}: deleting the deal keeps "
                f"{'it' if len(signed) == 1 else 'them'}, unlinked; confirm to delete it "
                "anyway (tinycrm deal rm --yes)"
            )
        detach_activities(session, "deal_id", did)
        session.execute(delete(DealItem).where(col(DealItem.deal_id) == did))
        session.execute(update(Quote).where(col(Quote.deal_id) == did).values(deal_id=None))
        session.execute(delete(StageChange).where(col(StageChange.deal_id) == did))
        session.execute(
            delete(Qualification).where(
                col(Qualification.entity) == ENTITY, col(Qualification.entity_id) == did
            )
        )
        drop_tags_and_fields(session, ENTITY, did)
        from tinycrm.store.contract_terms import forget_renewal_deal

        renewing = forget_renewal_deal(session, deal)  # the next remind opens a new one
        session.delete(deal)
        summary = f"deleted deal {read.title}" + (f"; {_kept(signed)}" if signed else "")
        summary += "".join(
            f"; the next run of tinycrm remind opens a new renewal deal for contract {name}"
            for name in renewing
        )
        record_event(
            store, session, action="deleted", entity=ENTITY, entity_id=did, summary=summary
        )
        return read


def _contracts_of(session: Session, deal_id: int) -> list[str]:
    """The contracts made from a deal, each as ``#3 Title (active, 2026-01-01 to …)``."""
    from tinycrm.store.contract_terms import local_today, state_on
    from tinycrm.store.service_models import Contract

    today = local_today()
    rows = session.scalars(
        select(Contract).where(col(Contract.deal_id) == deal_id).order_by(col(Contract.id))
    )
    named = []
    for contract in rows:
        state = state_on(contract, today)
        named.append(
            f"#{contract.id} {contract.title} ({state.status}, {state.start} to {state.end})"
        )
    return named


def _plural_contracts(named: list[str]) -> str:
    return ("contract " if len(named) == 1 else "contracts ") + ", ".join(named)


def _kept(named: list[str]) -> str:
    short = [text.rsplit(" (", 1)[0] for text in named]
    return f"{_plural_contracts(short)} kept, unlinked"


def deal_history(session: Session, deal_id: int) -> list[StageChangeRead]:
    before = aliased(Stage)
    after = aliased(Stage)
    rows = session.execute(
        select(
            StageChange,
            func.coalesce(col(before.name), col(StageChange.from_stage_name)),
            func.coalesce(col(after.name), col(StageChange.to_stage_name)),
        )
        .outerjoin(before, col(StageChange.from_stage_id) == col(before.id))
        .outerjoin(after, col(StageChange.to_stage_id) == col(after.id))
        .where(col(StageChange.deal_id) == deal_id)
        .order_by(col(StageChange.at), col(StageChange.id))
    ).all()
    return [
        StageChangeRead(
            id=change.id,
            deal_id=change.deal_id,
            from_stage=from_name,
            to_stage=to_name,
            from_status=change.from_status,
            to_status=change.to_status,
            at=change.at,
            actor=change.actor,
        )
        for change, from_name, to_name in rows
    ]

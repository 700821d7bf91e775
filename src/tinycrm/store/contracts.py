"""Contracts: what a customer signed after a deal was won, its terms and renewals.

A contract is made from a won deal (an open or lost deal has nothing signed yet) and
takes the deal's amount, currency, contact and company unless told otherwise. It runs
from its start day to its end day, both included; ``term`` (``12m``) gives the end and
the length of each renewal, counted from one anchor day so month ends do not drift
(see ``tinycrm.terms``). Its status is derived from the day it is asked about:
``cancelled`` from the day it is cancelled on, ``ended`` after its end day,
``upcoming`` before the start day of its first term (no revenue and no customer yet),
else ``active``; an auto-renewing contract never ends by itself: it is in whichever
term holds today (``tinycrm remind`` writes the roll-forward down with an event, see
``store.renewals``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from tinycrm import dates, money, terms
from tinycrm.errors import warn
from tinycrm.store import validate
from tinycrm.store.companies import resolve_company
from tinycrm.store.contacts import resolve_contact
from tinycrm.store.contract_terms import (
    ENTITY,
    LIVE,
    become_customer,
    check_notice,
    describe,
    label,
    local_today,
    lock_contract,
    lock_customers,
    materialise,
    not_blank,
    parse_term,
    renew_in,
    span,
    state_on,
    value_of,
    whole_months,
    withdraw_churn,
)
from tinycrm.store.deals import lock_deal, resolve_deal
from tinycrm.store.engine import Store
from tinycrm.store.errors import Conflict, Invalid, NotFound
from tinycrm.store.models import Company, Contact, Deal
from tinycrm.store.odd_amounts import OddAmount
from tinycrm.store.records import change_lifecycle, record_event
from tinycrm.store.refs import resolve_id
from tinycrm.store.service_models import Contract, ContractRead
from tinycrm.store.types import utcnow

STATUSES = ("active", "upcoming", "ended", "cancelled")
MAX_START_DAYS = 3650  # a contract signed now starts within ten years (a quote: as long)


# --------------------------------------------------------------------------- state


# --------------------------------------------------------------------------- reading


def resolve_contract(session: Session, ref: str | int) -> Contract:
    """The contract a REF names: its id (``12`` or ``#12``)."""
    return resolve_id(session, Contract, ref, what="contract")


def _recurring(contract: Any) -> tuple[Decimal | None, Decimal | None]:
    """ARR and MRR (ARR / 12, rounded half-up to the minor unit)."""
    if contract.arr_minor is None:
        return None, None
    from tinycrm.pricing import monthly_minor

    arr = money.from_minor(contract.arr_minor, contract.currency)
    return arr, money.from_minor(monthly_minor(contract.arr_minor), contract.currency)


def per_term(arr_minor: int, term: terms.Term | None, first: date, last: date) -> int:
    """A term's share of a year's recurring revenue (minor units, rounded half-up): months
    ÷ 12 of it for a term in months, or to a last day that closes whole months from the
    first (as a term in months would: 2026-01-01 to 2026-06-30 is six), else days ÷ 365."""
    from tinycrm.pricing import round_half_up

    months = term.count if term is not None and term.unit == "m" else None
    if term is None:
        months = whole_months(first, last)
    if months is not None:
        return round_half_up(Decimal(arr_minor) * months / 12)
    days = (last - first).days + 1
    return round_half_up(Decimal(arr_minor) * days / 365)


def _read(
    contract: Contract,
    today: date,
    deal: str | None,
    contact: str | None,
    company: str | None,
) -> ContractRead:
    state = state_on(contract, today)
    notice = terms.parse_term(contract.notice, "notice") if contract.notice else None
    arr, mrr = _recurring(contract)
    return ContractRead.from_row(
        {
            "id": contract.id,
            "title": contract.title,
            "status": state.status,
            "deal": deal,
            "deal_id": contract.deal_id,
            "contact": contact,
            "contact_id": contract.contact_id,
            "company": company,
            "company_id": contract.company_id,
            "value": value_of(contract),
            "currency": contract.currency,
            "arr": arr,
            "mrr": mrr,
            "start_date": state.start,
            "end_date": state.end,
            "term": contract.term,
            "auto_renew": contract.auto_renew,
            "notice": contract.notice,
            # cancelling was the notice: a cancelled contract has no deadline left to meet
            "notice_deadline": (
                None
                if contract.cancelled_on is not None
                else terms.notice_deadline(state.end, notice)
            ),
            "renewals": contract.renewals + (state.index - contract.term_index),
            "renewal_deal_id": contract.renewal_deal_id,
            "cancelled_on": contract.cancelled_on,
            "cancel_reason": contract.cancel_reason,
            "owner": contract.owner,
            "created_at": contract.created_at,
            "updated_at": contract.updated_at,
        }
    )


def to_read(session: Session, contract: Contract, today: date | None = None) -> ContractRead:
    """The read model of one contract row, its names resolved."""
    deal = session.get(Deal, contract.deal_id) if contract.deal_id else None
    contact = session.get(Contact, contract.contact_id) if contract.contact_id else None
    company = session.get(Company, contract.company_id) if contract.company_id else None
    return _read(
        contract,
        today or local_today(),
        deal.title if deal else None,
        contact.name if contact else None,
        company.name if company else None,
    )


def get_contract(store: Store, ref: str | int, *, now: datetime | None = None) -> ContractRead:
    """One contract by id."""
    with store.read() as session:
        return to_read(session, resolve_contract(session, ref), local_today(now))


def list_contracts(
    store: Store,
    *,
    status: str | None = None,
    renewing_days: int | None = None,
    contact: str | None = None,
    company: str | None = None,
    deal: str | None = None,
    contact_id: int | None = None,
    company_id: int | None = None,
    limit: int | None = None,
    now: datetime | None = None,
) -> list[ContractRead]:
    """Contracts, soonest end first. ``status``: active, upcoming (not started yet), ended
    or cancelled (None: all); ``renewing_days``: only active or upcoming contracts whose
    current term ends within that many days from today (an auto-renewing one too: it
    renews then), not one cancelled as of a day to come (it stops renewing)."""
    validate.filters_given(status=status, contact=contact, company=company, deal=deal)
    limit = validate.limit(limit)
    wanted = validate.choice(status, STATUSES, "status") if status else None
    if renewing_days is not None and not 0 <= renewing_days <= 36_600:
        raise Invalid("renewing: a number of days 0-36600", field="renewing")
    today = local_today(now)
    with store.read() as session:
        person, account, sale = aliased(Contact), aliased(Company), aliased(Deal)
        query = (
            select(Contract, col(sale.title), col(person.name), col(account.name))
            .outerjoin(sale, col(Contract.deal_id) == col(sale.id))
            .outerjoin(person, col(Contract.contact_id) == col(person.id))
            .outerjoin(account, col(Contract.company_id) == col(account.id))
        )
        if contact:
            contact_id = resolve_contact(session, contact).id
        if company:
            company_id = resolve_company(session, company).id
        if contact_id is not None:
            query = query.where(col(Contract.contact_id) == contact_id)
        if company_id is not None:
            query = query.where(col(Contract.company_id) == company_id)
        if deal:
            found = resolve_deal(session, deal)
            query = query.where(
                or_(col(Contract.deal_id) == found.id, col(Contract.renewal_deal_id) == found.id)
            )
        if wanted == "cancelled":
            query = query.where(col(Contract.cancelled_on) <= today)
        rows = session.execute(query.order_by(col(Contract.end_date), col(Contract.id))).all()
        out = []
        for c, d, p, a in rows:
            try:
                out.append(_read(c, today, d, p, a))
            except OddAmount as odd:  # a day other SQL stored as no date: named, not read
                warn(f"{odd.record}: {odd.odd}: left out; {odd.fix}")
    if wanted:
        out = [c for c in out if c.status == wanted]
    if renewing_days is not None:
        horizon = today + timedelta(days=renewing_days)
        out = [  # cancelled as of a day to come: it stops renewing
            c for c in out if c.status in LIVE and c.end_date <= horizon and c.cancelled_on is None
        ]
    out.sort(key=lambda c: (c.end_date, c.id))
    return out[:limit] if limit else out


# --------------------------------------------------------------------------- writing


def add_contract(
    store: Store,
    *,
    deal: str | int,
    start: date | None = None,
    end: date | None = None,
    term: str | None = None,
    value: Decimal | str | int | None = None,
    currency: str | None = None,
    auto_renew: bool = False,
    notice: str | None = None,
    title: str | None = None,
    owner: str | None = None,
    now: datetime | None = None,
    default_term: str = "12m",
) -> ContractRead:
    """Make a contract from a won deal (``Conflict`` for an open or lost one, or one that
    has a contract already). Defaults: the value per term is the term's share of the
    deal's recurring items (ARR × months ÷ 12), else the deal's amount, in the deal's
    currency; the ARR is kept on the contract; today as the start; ``default_term``
    (``crm.contracts`` passes ``[contracts] default_term``) unless ``end`` is given. The
    deal's contact becomes a customer (on its first day, by ``tinycrm remind``, when that
    is after today). Reads no config."""
    auto_renew = validate.flag(auto_renew, "auto_renew")
    not_blank(value)
    given_term = parse_term(term)
    notice_term = parse_term(notice, "notice")
    if auto_renew and given_term is None and end is not None:
        raise Invalid("an auto-renewing contract needs --term (the length of each renewal)")
    with store.write() as session:
        sale = lock_deal(session, resolve_deal(session, deal))  # one contract per deal
        if sale.status != "won":
            raise Conflict(
                f"deal {sale.title} is {sale.status}; a contract is made from a won deal "
                f"(tinycrm deal won {sale.id})"
            )
        taken = session.scalar(select(col(Contract.id)).where(col(Contract.deal_id) == sale.id))
        if taken is not None:
            raise Conflict(f"deal {sale.title} has contract #{taken} already")
        renewed = session.scalar(  # a won renewal deal: its contract runs on, once
            select(col(Contract.id)).where(col(Contract.renewal_deal_id) == sale.id)
        )
        if renewed is not None:
            raise Conflict(
                f"deal {sale.title} renewed contract #{renewed} already: a second contract "
                f"of it would count the term twice (tinycrm contract show {renewed})"
            )
        from tinycrm.store.deal_items import recurring_minor

        code = sale.currency
        assert sale.id is not None
        arr = recurring_minor(session, [sale.id]).get(sale.id)
        if given_term is None and end is None:
            given_term = terms.parse_term(default_term)
        today = local_today(now)
        if start is not None and (start - today).days > MAX_START_DAYS:
            raise Invalid(
                f"start {start} is more than {MAX_START_DAYS:,} days ahead "
                f"(at most {today + timedelta(days=MAX_START_DAYS)})",
                field="start",
            )
        first, last, anchor, index = span(start or today, end, given_term)
        check_notice(notice_term, None if end is not None else given_term, first, last)
        wanted = validate.currency(currency) if currency is not None else None
        if value is None and wanted in (None, code):
            # recurring items: a term's share of their year; else the deal's amount
            minor = per_term(arr, given_term, first, last) if arr else sale.amount_minor
            if minor is not None and minor > money.max_minor(code):
                most = money.format_money(money.from_minor(money.max_minor(code), code), code)
                raise Invalid(
                    f"value: the term's share of deal {sale.title}'s ARR would be more than "
                    f"{most}: give --value, or a shorter --term",
                    field="value",
                )
        elif value is None:  # in another currency than the deal's
            raise Invalid(
                f"currency: deal {sale.title} is in {code}: a contract in {wanted} needs "
                f"--value in {wanted} (nothing is converted)",
                field="currency",
            )
        else:
            minor, code = validate.money_minor(value, currency, default=code, field="value")
        if minor is not None and minor < 0:
            raise Invalid("value: a contract's value cannot be negative", field="value")
        contract = Contract(
            title=validate.name(title, "contract title") if title else sale.title,
            deal_id=sale.id,
            contact_id=sale.contact_id,
            company_id=sale.company_id,
            value_minor=minor,
            currency=code,
            arr_minor=arr if code == sale.currency else None,
            start_date=first,
            end_date=last,
            term=given_term.text if given_term else None,
            anchor_date=anchor,
            term_index=index,
            auto_renew=auto_renew,
            notice=notice_term.text if notice_term else None,
            owner=validate.optional_text(owner, "owner") or sale.owner,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        lock_customers(session, contract)  # after the deal, as contact rm takes them
        session.add(contract)
        session.flush()
        # a new contract running on the day its customer churned (the day after their
        # last one ended): no day went by without one, so no churn and no new customer
        how = f"{describe(contract)} from deal {sale.title} runs from {first}"
        withdraw_churn(store, session, contract, first, last=last, how=how)
        become_customer(store, session, contract, today)
        record_event(
            store,
            session,
            action="created",
            entity=ENTITY,
            entity_id=contract.id,
            summary=f"created contract {label(contract)} from deal {sale.title}, "
            f"{first} to {last}" + (", renews automatically" if auto_renew else ""),
        )
        return to_read(session, contract, local_today(now))


def renew_contract(
    store: Store,
    ref: str | int,
    *,
    term: str | None = None,
    end: date | None = None,
    value: Decimal | str | int | None = None,
    if_ends: date | None = None,
    now: datetime | None = None,
) -> ContractRead:
    """Add the next term: from the day after the current end, for ``term`` (default the
    contract's own) or to ``end``; ``value`` changes the value per term. An ended
    contract can be renewed (its customer is one again); a cancelled one cannot, nor
    one not started yet, nor one whose next term would be over already (``end``
    reaches further). ``if_ends``: renew only if its current term ends on that day
    (``Conflict`` otherwise, nothing written), so a script that retries after a
    timeout does not add a second term."""
    not_blank(value)
    new_term = parse_term(term)
    today = local_today(now)
    with store.write() as session:
        found = resolve_contract(session, ref)
        assert found.id is not None
        _lock_renewal_deal(session, found)
        lock_customers(session, found)
        contract = lock_contract(session, found.id) or found
        if state_on(contract, today).status == "cancelled" or contract.cancelled_on is not None:
            raise Conflict(f"contract {describe(contract)} is cancelled; add a new one instead")
        if state_on(contract, today).status == "upcoming":
            raise Conflict(
                f"contract {describe(contract)} has not started yet (it runs from "
                f"{contract.start_date}): renew it once it runs"
            )
        current_end = state_on(contract, today).end
        if if_ends is not None and current_end != if_ends:
            raise Conflict(
                f"contract {describe(contract)} ends on {current_end}, not {if_ends}: "
                "not renewed (renewed already?)"
            )
        if end is None and new_term is None and contract.term is None:
            raise Invalid(
                f"contract {describe(contract)} has no term: give --term or --end",
                field="term",
            )
        for_this_term = contract.renewal_deal_for == contract.end_date
        pending = contract.renewal_deal_id if for_this_term else None
        was_minor = contract.value_minor
        renew_in(store, session, contract, today, new_term=new_term, end=end, value=value)
        if contract.end_date < today:
            raise Invalid(
                f"contract {describe(contract)}: its next term, {contract.start_date} to "
                f"{contract.end_date}, is over already: give --end (its new last day), or "
                "add a new contract",
                field="end",
            )
        if contract.notice:
            check_notice(
                terms.parse_term(contract.notice, "notice"),
                None if end is not None else (new_term or parse_term(contract.term)),
                contract.start_date,
                contract.end_date,
            )
        if pending is not None:
            # a value given, or the old one rescaled to a term of another length: the
            # deal is won at it (the same length: at the amount the deal has)
            priced = value is not None or contract.value_minor != was_minor
            _win_renewal_deal(store, session, contract, pending, priced=priced)
        session.flush()
        return to_read(session, contract, today)


def _lock_renewal_deal(session: Session, contract: Contract) -> None:
    """Lock the contract's renewal deal before the contract: every writer takes a deal
    before its contract (``deal won`` of a renewal deal renews the contract), so two at
    once take turns instead of deadlocking on PostgreSQL. A ``deal rm`` of it that came
    first has unlinked it from the contract (read afresh next): no renewal deal then."""
    if contract.renewal_deal_id is None:
        return
    renewal = session.get(Deal, contract.renewal_deal_id)
    if renewal is not None:
        try:
            lock_deal(session, renewal)
        except NotFound:
            session.expunge(renewal)


def _win_renewal_deal(
    store: Store, session: Session, contract: Contract, deal_id: int, *, priced: bool
) -> None:
    """The contract was renewed by hand for the term its open renewal deal was for: the
    deal is won (at the new value, when ``priced``: one was given, or the term's length
    changed it, in the deal's currency, and the deal has no line items), so the pipeline
    does not show a renewal that happened. Winning it renews nothing more: the contract
    is past that term already."""
    from tinycrm.store.deals import close_in, lock_deal
    from tinycrm.store.sales_models import DealItem

    renewal = session.get(Deal, deal_id)
    if renewal is None or lock_deal(session, renewal).status != "open":
        return  # lost (or won) already: what the user said stands
    items = session.scalar(select(col(DealItem.id)).where(col(DealItem.deal_id) == deal_id))
    if priced and items is None and renewal.currency == contract.currency:
        renewal.amount_minor = contract.value_minor
    close_in(store, session, renewal, "won", None)


def cancel_contract(
    store: Store,
    ref: str | int,
    *,
    on: date | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> ContractRead:
    """Cancel a contract as of ``on`` (default today; from the first day of its current
    term, or today when that is earlier, to the day after its end: a cancellation is
    never backdated before the term it cuts short): it stops
    renewing and is ``cancelled`` from that day. ``tinycrm remind`` then records its
    customer as churned on that day if it was their last contract."""
    today = local_today(now)
    why = validate.optional_text(reason, "reason")
    with store.write() as session:
        found = resolve_contract(session, ref)
        assert found.id is not None
        _lock_renewal_deal(session, found)
        contract = lock_contract(session, found.id) or found
        if contract.cancelled_on is not None:
            raise Conflict(
                f"contract {describe(contract)} is cancelled already (on {contract.cancelled_on})"
            )
        state = state_on(contract, today)
        materialise(contract, state)
        day = on or today
        if state.status == "ended" and on is None:
            raise Conflict(f"contract {describe(contract)} ended on {contract.end_date} already")
        earliest = min(contract.start_date, today)
        if day < earliest:
            raise Invalid(
                f"cancel on {day}: before {earliest}, the first day of its current term"
                + (" or today" if earliest == today else "")
                + f" (#{contract.id} runs {contract.start_date} to {contract.end_date})",
                field="on",
            )
        if day > contract.end_date + timedelta(days=1):
            raise Invalid(
                f"cancel on {day}: after the contract's end ({contract.end_date}); "
                "a contract that is not renewed ends by itself",
                field="on",
            )
        pending = (
            contract.renewal_deal_id if contract.renewal_deal_for == contract.end_date else None
        )
        contract.cancelled_on = day
        contract.cancel_reason = why
        contract.auto_renew = False
        contract.updated_at = utcnow()
        record_event(
            store,
            session,
            action="cancelled",
            entity=ENTITY,
            entity_id=contract.id,
            summary=f"cancelled contract {label(contract)} as of {day}"
            + (f": {why}" if why else ""),
        )
        if pending is not None:
            _lose_renewal_deal(
                store,
                session,
                pending,
                f"contract #{contract.id} cancelled as of {day}" + (f": {why}" if why else ""),
            )
        session.flush()
        return to_read(session, contract, today)


def _lose_renewal_deal(store: Store, session: Session, deal_id: int, reason: str) -> None:
    """The contract was cancelled: the renewal deal open for its term is lost, saying so
    (the pipeline does not show a renewal that will not happen)."""
    from tinycrm.store.deals import close_in, lock_deal

    renewal = session.get(Deal, deal_id)
    if renewal is not None and lock_deal(session, renewal).status == "open":
        close_in(store, session, renewal, "lost", reason)


def record_churn(store: Store, session: Session, contract: Contract, day: date) -> list[int]:
    """The contract ended without renewal on ``day`` (its first day without it): each
    customer it was the last live contract of is churned as of that day's start. The
    contract's contact, else its company's customers. Returns the contacts churned."""
    if contract.contact_id is not None:
        people = [session.get(Contact, contract.contact_id)]
    elif contract.company_id is not None:
        people = list(
            session.scalars(
                select(Contact).where(
                    col(Contact.company_id) == contract.company_id,
                    col(Contact.lifecycle) == "customer",
                )
            )
        )
    else:
        people = []
    churned = []
    at = dates.local_midnight(day)
    for person in people:
        if person is None or person.lifecycle != "customer" or person.id is None:
            continue
        if _has_live_contract(session, person, contract, day):
            continue
        change_lifecycle(
            store,
            session,
            person,
            "churned",
            since=at,
            summary=f"churned {person.name}: contract {describe(contract)} ended on {day} "
            "without renewal",
        )
        churned.append(person.id)
    return churned


def _has_live_contract(session: Session, person: Contact, gone: Contract, day: date) -> bool:
    """Another contract of theirs was live on ``day``, the first day without ``gone``
    (one live today was too): no churn then. When ``remind`` runs late, a contract that
    ended since churns them in its turn, as of the day after its own end."""
    mine: list[Any] = [col(Contract.contact_id) == person.id]
    if person.company_id is not None:
        mine.append(col(Contract.company_id) == person.company_id)
    others = session.scalars(select(Contract).where(col(Contract.id) != gone.id, or_(*mine)))
    return any(state_on(other, day).status == "active" for other in others)

"""A contract row's own rules, below ``store.contracts`` and ``store.deals`` alike.

Its state on any day (``state_on``), the span of a new term, writing down the terms an
auto-renewing contract rolled into, and renewing it: the next term from the day after
its end (``renew_in``). ``store.deals`` reaches this module when a contract's renewal
deal is won (``renew_for_won_deal``: the contract renews, as ``tinycrm contract renew``
would, at the deal's amount); ``store.contracts`` (which reads deals) builds on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, or_, select
from sqlmodel import Session, col

from tinycrm import dates, money, terms
from tinycrm.store import odd_dates, validate
from tinycrm.store.engine import Store
from tinycrm.store.errors import Conflict, Invalid
from tinycrm.store.models import Contact, Deal, LifecycleChange
from tinycrm.store.records import change_lifecycle, record_event
from tinycrm.store.service_models import Contract
from tinycrm.store.types import utcnow

ENTITY = "contract"


# --------------------------------------------------------------------------- state


@dataclass(frozen=True)
class Term:
    """A contract's state on a given day: its status and the term that holds the day."""

    status: str
    start: date
    end: date
    index: int


def state_on(contract: Contract, today: date) -> Term:
    """The contract's status and current term on ``today`` (pure: nothing is written).

    An auto-renewing contract whose end day has passed is in the term that holds
    ``today``, as if every roll-forward had been written down already. One of its days
    other SQL stored as no date: ``OddAmount`` naming it (``odd_dates``)."""
    odd_dates.refuse_unreadable("contract", contract.id)
    start, end, index = contract.start_date, contract.end_date, contract.term_index
    if contract.cancelled_on is not None and contract.cancelled_on <= today:
        return Term("cancelled", start, end, index)
    if contract.auto_renew and contract.term and end < today:
        term = terms.parse_term(contract.term)
        index, start, end = rolled_to(contract, term, today)
        return Term("active", start, end, index)
    if end < today:
        return Term("ended", start, end, index)
    if today < start and contract.renewals == 0:
        # signed, not started yet: no revenue, no customer today (a renewal added ahead
        # follows a term that runs until then)
        return Term("upcoming", start, end, index)
    return Term("active", start, end, index)


def aligned(contract: Contract, term: terms.Term) -> tuple[date, int]:
    """(anchor, shift): the day the contract's later terms count from, and what to add to
    an index counted from it to get the contract's own. Its anchor (shift 0) when its
    stored end is that of its term counted from it; else (a contract written under the
    old month-end rule: 1 month from January 31 ended February 27) the day after its end,
    so the next term follows it without a gap."""
    try:
        if terms.term_end(contract.anchor_date, term, contract.term_index) == contract.end_date:
            return contract.anchor_date, 0
    except (OverflowError, ValueError):
        pass
    return contract.end_date + timedelta(days=1), contract.term_index + 1


def rolled_to(contract: Contract, term: terms.Term, today: date) -> tuple[int, date, date]:
    """(index, start, end) of the term of an auto-renewing contract that holds
    ``today`` (its current one if it has not ended)."""
    anchor, shift = aligned(contract, term)
    own = contract.term_index - shift
    index = terms.current_index(anchor, term, own, contract.end_date, today)
    if index == own:
        return contract.term_index, contract.start_date, contract.end_date
    return index + shift, terms.term_start(anchor, term, index), terms.term_end(anchor, term, index)


def local_today(now: datetime | None = None) -> date:
    """The user's calendar day at ``now`` (default: now)."""
    return (now or utcnow()).astimezone(dates.local_tz()).date()


def describe(contract: Contract) -> str:
    return f"#{contract.id} {contract.title}"


def value_of(contract: Contract) -> Decimal | None:
    if contract.value_minor is None:
        return None
    return money.from_minor(contract.value_minor, contract.currency)


def label(contract: Contract) -> str:
    shown = money.format_money(value_of(contract), contract.currency)
    return f"#{contract.id} {contract.title}" + (f" ({shown})" if shown else "")


def parse_term(text: str | None, what: str = "term") -> terms.Term | None:
    if text is None or not str(text).strip():
        return None
    try:
        return terms.parse_term(str(text), what)
    except ValueError as exc:
        raise Invalid(str(exc), field=what) from exc


def whole_months(first: date, last: date) -> int | None:
    """How many months run from ``first`` to ``last`` (included) when that is a whole
    number of them by the terms' own rule (``terms.months_of``: a term of N months ends
    the day before its anniversary, a missing anniversary being the next month's first
    day), None when it is not: 2028-02-29 to 2029-02-28 is twelve, January 31 to
    February 28 (29 in a leap year) one, so an end read back gives the term it came from."""
    return terms.months_of(first, last)


def months_per_term(contract: Contract) -> terms.Term | None:
    """A contract's own term, or, made without one (``--end``), its term in whole months
    when it runs whole months: counted from its anchor (so March 1 to 30 after January 31
    to February 28 is a month), else from its first day; None when it does not."""
    if contract.term:
        return terms.parse_term(contract.term)
    n = contract.term_index + 1
    total = whole_months(contract.anchor_date, contract.end_date) if n > 0 else None
    if total is not None and total % n == 0:
        term = terms.Term(total // n, "m")
        if terms.term_start(contract.anchor_date, term, contract.term_index) == (
            contract.start_date
        ):
            return term
    months = whole_months(contract.start_date, contract.end_date)
    return terms.Term(months, "m") if months is not None else None


def _length(term: terms.Term | None, first: date, last: date) -> tuple[int | None, int]:
    """A term's length: (its months, when it is whole months, and its days)."""
    months = term.count if term is not None and term.unit == "m" else None
    if term is None:
        months = whole_months(first, last)
    return months, (last - first).days + 1


def current_length(contract: Contract, own: terms.Term | None) -> tuple[int | None, int]:
    """The length of the term a contract is in (``_length``), which its value is for:
    ``own``'s when the term is one of it counted from the anchor, or its first (``contract
    add`` prices that per ``own``, whatever its end), else what it runs (a renewal to a
    last day, priced for that: a year of a monthly contract is twelve months, not one)."""
    first, last = contract.start_date, contract.end_date
    if own is not None and contract.renewals == 0:
        return _length(own, first, last)
    if own is not None:
        try:
            anchor, index = contract.anchor_date, contract.term_index
            fits = terms.term_start(anchor, own, index) == first
            fits = fits and terms.term_end(anchor, own, index) == last
        except (OverflowError, ValueError):
            fits = False
        if fits:
            return _length(own, first, last)
    return _length(None, first, last)


def rescaled(minor: int, was: tuple[int | None, int], now: tuple[int | None, int]) -> int:
    """A value per term for a term of another length at the same price: months to
    months when both are whole months, else days to days (rounded half-up)."""
    from tinycrm.pricing import round_half_up

    if was[0] is not None and now[0] is not None:
        old, new = was[0], now[0]
    else:
        old, new = was[1], now[1]
    return minor if old == new else round_half_up(Decimal(minor) * new / old)


def span(start: date, end: date | None, term: terms.Term | None) -> tuple[date, date, date, int]:
    """(start, end, anchor, index) of a new term: an end given wins, later terms then
    count from the day after it; else ``term`` gives the end."""
    for name, day in (("start", start), ("end", end)):
        if day is not None and not terms.FIRST_DAY <= day <= terms.LAST_DAY:
            raise Invalid(
                f"{name} {day}: a contract runs between {terms.FIRST_DAY} and {terms.LAST_DAY}",
                field=name,
            )
    if end is not None:
        if end < start:
            raise Invalid(f"the end {end} is before the start {start}", field="end")
        if (end - start).days >= terms.MAX_DAYS:  # as a --term: 100 years at most
            raise Invalid(
                f"the end {end} is more than 100 years after the start {start} (at most "
                f"{start + timedelta(days=terms.MAX_DAYS - 1)})",
                field="end",
            )
        months = whole_months(start, end)
        if months is not None and term in (None, terms.Term(months, "m")):
            # whole months: later terms count from its first day, as a --term's would
            return start, end, start, 0
        return start, end, end + timedelta(days=1), -1
    assert term is not None
    try:
        last = terms.term_end(start, term, 0)
    except (OverflowError, ValueError):
        last = date.max
    if last > terms.LAST_DAY:
        raise Invalid(f"term: the end would be after {terms.LAST_DAY}", field="term")
    return start, last, start, 0


def check_notice(
    notice: terms.Term | None, term: terms.Term | None, first: date, last: date
) -> None:
    """``Invalid`` when notice on a term from ``first`` to ``last`` would have to be given
    before the term began (a notice as long as the term: on its first day)."""
    if notice is None:
        return
    deadline = terms.notice_deadline(last, notice)
    if deadline is not None and deadline < first:
        length = f"the term {term.text}" if term else f"the term ({first} to {last})"
        raise Invalid(
            f"notice {notice.text} is longer than {length}: give a shorter --notice",
            field="notice",
        )


def lock_contract(session: Session, contract_id: int) -> Contract | None:
    """The contract row, locked until the transaction ends (PostgreSQL; a SQLite write
    transaction holds the whole database already) and read afresh."""
    query = select(Contract).where(col(Contract.id) == contract_id)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.scalars(query.execution_options(populate_existing=True)).first()


def lock_customers(session: Session, contract: Contract) -> None:
    """Before a contract is locked to renew it (``contract renew``, or its renewal deal
    won): its contact, whom the renewal makes a customer again (``become_customer``),
    locked as an edit locks it, in the order a ``contact rm`` takes them (its deals, the
    contact, then the contracts it unlinks), so they take turns instead of deadlocking
    (PostgreSQL). A contact deleted meanwhile is not an error: the contract is renewed
    without it. With a company: the company's churned contacts too, whose churn a
    renewal or a new contract may withdraw (``withdraw_churn``)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    which = []
    if contract.contact_id is not None:
        which.append(col(Contact.id) == contract.contact_id)
    if contract.company_id is not None:
        which.append(
            (col(Contact.company_id) == contract.company_id) & (col(Contact.lifecycle) == "churned")
        )
    if which:
        lock_contacts(session, or_(*which))


def lock_contacts(session: Session, which: ColumnElement[bool]) -> None:
    """The contacts ``which`` selects locked as an edit locks them, in id order (so two
    writers locking some of the same take them in one order)."""
    session.execute(
        select(col(Contact.id))
        .where(which)
        .order_by(col(Contact.id))
        .with_for_update(key_share=True)
    ).all()


def materialise(contract: Contract, state: Term) -> None:
    """Write down the term an auto-renewing contract has rolled into by itself."""
    rolled = state.index - contract.term_index
    if rolled > 0:
        contract.renewals += rolled
        contract.start_date, contract.end_date, contract.term_index = (
            state.start,
            state.end,
            state.index,
        )
        contract.renewal_deal_id = None


LIVE = ("active", "upcoming")  # the statuses of a contract that still runs or will


def become_customer(
    store: Store, session: Session, contract: Contract, today: date | None = None
) -> None:
    """A contact with a contract is a customer (a lead, prospect or churned one becomes one),
    from its first day: one not started on ``today`` makes none yet (``tinycrm remind``
    does on that day, see ``renewals``)."""
    if contract.contact_id is None:
        return
    if today is not None and today < contract.start_date:
        return
    person = session.get(Contact, contract.contact_id)
    if person is None or person.lifecycle == "customer":
        return
    from tinycrm.store.records import record_lifecycle

    record_lifecycle(store, session, contract.contact_id, person.lifecycle, "customer")
    person.lifecycle = "customer"
    person.updated_at = utcnow()


def withdraw_churn(
    store: Store,
    session: Session,
    contract: Contract,
    first: date,
    *,
    last: date | None = None,
    how: str | None = None,
) -> None:
    """The contract runs from ``first`` on (a renewal's next term; a new contract's
    first day, to ``last``): a churn of its customers dated a day it runs (``tinycrm
    remind`` churned them as of the first day without it, or without their last other
    contract) was no churn, as no day went by without a contract. Each customer whose
    latest lifecycle change is such a churn is a customer again, the churn taken out of
    the history (the churn and lifetime-value reports count none, and no new customer),
    with an event saying so (``how``: what covered the day; a renewal by default). One
    whose lifecycle changed since keeps that history (``become_customer`` makes them a
    customer again, as a new contract would)."""
    # its contact, and its company's churned customers: a contract of their company
    # running on their first day without one would have kept remind from churning them
    people = [session.get(Contact, contract.contact_id)] if contract.contact_id else []
    if contract.company_id is not None:
        people += session.scalars(
            select(Contact)
            .where(
                col(Contact.company_id) == contract.company_id,
                col(Contact.lifecycle) == "churned",
                col(Contact.id) != (contract.contact_id or 0),
            )
            .order_by(col(Contact.id))
        )
    zone = dates.local_tz()
    for person in people:
        if person is None or person.id is None or person.lifecycle != "churned":
            continue
        latest = session.scalars(
            select(LifecycleChange)
            .where(col(LifecycleChange.contact_id) == person.id)
            .order_by(col(LifecycleChange.at).desc(), col(LifecycleChange.id).desc())
            .limit(1)
        ).first()
        if latest is None or (latest.from_lifecycle, latest.to_lifecycle) != (
            "customer",
            "churned",
        ):
            continue
        day = latest.at.astimezone(zone).date()  # recorded at that day's local midnight
        if day < first or (last is not None and day > last):
            continue  # a day it does not run: it stands, and they become a customer again
        session.delete(latest)  # the churn taken out of the history: none added
        change_lifecycle(
            store,
            session,
            person,
            "customer",
            since=None,
            summary=f"churn of {person.name} on {day} withdrawn: contract "
            + (how or f"{describe(contract)} renewed from {contract.start_date}")
            + ", without a gap",
        )


# --------------------------------------------------------------------------- renewing


def not_blank(value: object) -> None:
    """Refuse a blank value per term (``--value ""``): it was taken for none, which
    dropped a contract's value on renewal and made one without the deal's."""
    if isinstance(value, str) and not value.strip():
        raise Invalid(
            "value is empty: give an amount (0 for none), or leave --value out", field="value"
        )


def next_term(
    contract: Contract,
    own: terms.Term | None,
    new_term: terms.Term | None = None,
    end: date | None = None,
) -> tuple[date, date, date, int, terms.Term | None]:
    """(first, last, anchor, index, term) of the term a renewal adds after the contract's
    current one: for ``new_term`` (default ``own``, its own: ``months_per_term``; without
    one, a term as long as the last, in whole months when it was) or to ``end``. ``term``
    is what its length is counted in (None: its days, or whole months it runs)."""
    start = contract.end_date + timedelta(days=1)
    if end is None and new_term is None and own is None:
        # as long as the last, in days (one of whole months: as many months, below)
        try:
            end = start + (contract.end_date - contract.start_date)
        except (OverflowError, ValueError):
            end = date.max
        if end > terms.LAST_DAY:
            raise Invalid(f"the next term would end after {terms.LAST_DAY}", field="term")
    if end is not None or new_term is not None:
        first, last, anchor, index = span(start, end, new_term)
        return first, last, anchor, index, (new_term if end is None else None)
    # its own term, or as many months as the last ran (January, then February to its
    # 28th), counted from the anchor so they do not drift (January 31 to February 28,
    # then March 1 to March 30, as a --term 1m)
    assert own is not None
    index = contract.term_index + 1
    anchor = contract.anchor_date
    try:
        if terms.term_end(anchor, own, index - 1) != contract.end_date:
            anchor, index = start, 0  # an anchor of other terms: from the day after
        first = terms.term_start(anchor, own, index)
        last = terms.term_end(anchor, own, index)
    except (OverflowError, ValueError):
        last = date.max
    if last > terms.LAST_DAY:
        raise Invalid(f"the next term would end after {terms.LAST_DAY}", field="term")
    return first, last, anchor, index, own


def next_value(contract: Contract) -> int | None:
    """The value (minor units) of the term a renewal in its own term adds: the current
    value at the same price for a term of another length (None: the contract has none).
    Its current value when that term cannot be made or its value kept."""
    if contract.value_minor is None:
        return None
    own = months_per_term(contract)
    try:
        first, last, _, _, term = next_term(contract, own)
    except Invalid:
        return contract.value_minor
    was = current_length(contract, own)
    minor = rescaled(contract.value_minor, was, _length(term, first, last))
    return minor if minor <= money.max_minor(contract.currency) else contract.value_minor


def renew_in(
    store: Store,
    session: Session,
    contract: Contract,
    today: date,
    *,
    new_term: terms.Term | None = None,
    end: date | None = None,
    value: Decimal | str | int | None = None,
    why: str = "",
) -> None:
    """Add the next term to a locked, live contract: from the day after its current end,
    for ``new_term`` (default its own; a contract without one: a term as long as the
    last, in whole months when it was) or to ``end``; ``value`` changes the value per
    term. An ended contract renews too (its customer is one again). ``why`` ends the
    event's summary."""
    materialise(contract, state_on(contract, today))
    own = months_per_term(contract)  # without a term: as many months as it ran, if whole
    first, last, anchor, index, now_term = next_term(contract, own, new_term, end)
    if value is not None:
        minor, code = validate.money_minor(value, None, default=contract.currency, field="value")
        if code != contract.currency:  # '500 EUR' on a USD contract: nothing is converted
            raise Invalid(
                f"value: contract {describe(contract)} is in {contract.currency}, not {code}: "
                f"give the value in {contract.currency} (nothing is converted)",
                field="value",
            )
        if minor is not None and minor < 0:
            raise Invalid("value: a contract's value cannot be negative", field="value")
        contract.value_minor = minor
    elif contract.value_minor is not None:
        # a term of another length at the same price (12 months at 12,000: a month at 1,000)
        was_minor = contract.value_minor
        contract.value_minor = rescaled(
            was_minor, current_length(contract, own), _length(now_term, first, last)
        )
        if contract.value_minor > money.max_minor(contract.currency):
            raise Invalid(
                "value: the longer term's value would be too large: give --value, or a "
                "shorter --term",
                field="value",
            )
        if contract.value_minor != was_minor:
            code = contract.currency
            worth = [money.format_money(money.from_minor(m, code), code)
                     for m in (contract.value_minor, was_minor)]  # fmt: skip
            why = f", value per term {worth[0]} (was {worth[1]}){why}"
    contract.start_date, contract.end_date = first, last
    contract.anchor_date, contract.term_index = anchor, index
    if new_term is not None:
        contract.term = new_term.text
    contract.renewals += 1
    contract.lapsed_on = None
    contract.updated_at = utcnow()
    withdraw_churn(store, session, contract, first)
    become_customer(store, session, contract)
    record_event(
        store,
        session,
        action="renewed",
        entity=ENTITY,
        entity_id=contract.id,
        summary=f"renewed contract {label(contract)}: {first} to {last}{why}",
    )


def forget_renewal_deal(session: Session, deal: Deal) -> list[str]:
    """``deal`` is being deleted: if it is an open renewal deal of a live contract for the
    term the contract is in, the term has no renewal deal again, and the next ``tinycrm
    remind`` opens a new one (deleting it is no "will not renew": a lost renewal deal, or
    ``contract cancel``, says that, and stays). The contracts, as ``#3 Title``."""
    if deal.status != "open":
        return []
    found = session.scalars(
        select(col(Contract.id)).where(col(Contract.renewal_deal_id) == deal.id)
    ).all()
    named = []
    for cid in found:
        contract = lock_contract(session, cid) if cid is not None else None
        if contract is None or contract.renewal_deal_for != contract.end_date:
            continue
        if contract.cancelled_on is not None or contract.lapsed_on is not None:
            continue
        contract.renewal_deal_id, contract.renewal_deal_for = None, None
        contract.updated_at = utcnow()
        named.append(describe(contract))
    return named


def renew_for_won_deal(store: Store, session: Session, deal: Deal) -> None:
    """``deal`` was just won: if it is a contract's renewal deal for the term the contract
    is in (``tinycrm remind`` opened it), the contract renews for its next term at the
    deal's amount (when in the contract's currency), so it does not end "without
    renewal" and its customer stays one. Once: winning it again after a reopen, or a
    cancelled contract, renews nothing. ``Conflict`` (the win undone) for a contract not
    started yet, as ``contract renew`` refuses it."""
    found = session.scalars(
        select(Contract).where(col(Contract.renewal_deal_id) == deal.id)
    ).first()
    if found is not None:
        lock_customers(session, found)  # the deal, its customers, then the contract
    contract = lock_contract(session, found.id) if found is not None and found.id else None
    if contract is None or contract.cancelled_on is not None or contract.auto_renew:
        return
    if contract.renewal_deal_for != contract.end_date:
        return  # renewed since the deal was opened (by hand, or by an earlier win)
    today = local_today()
    if state_on(contract, today).status == "upcoming":  # as ``contract renew`` refuses it
        raise Conflict(
            f"deal {deal.title} renews contract {describe(contract)}, which has not started "
            f"yet (it runs from {contract.start_date}): win it once the contract runs"
        )
    value = None
    if deal.amount_minor is not None and deal.currency == contract.currency:
        value = money.from_minor(deal.amount_minor, deal.currency)
    renew_in(store, session, contract, today, value=value, why=f" (won renewal deal #{deal.id})")
    if contract.end_date < today:  # as ``contract renew`` refuses it: the win is undone
        raise Conflict(
            f"deal {deal.title} renews contract {describe(contract)}: its next term, "
            f"{contract.start_date} to {contract.end_date}, is over already: renew it by hand "
            f"with its new last day (tinycrm contract renew {contract.id} --end DATE), "
            "which wins this deal"
        )

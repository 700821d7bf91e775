"""Renewals: what ``tinycrm remind`` does and tells about contracts.

``process_renewals`` writes what the calendar has made true, each thing once even when
two runs overlap (each contract is locked and read afresh before it is changed):

- a contract that does not renew by itself gets a renewal deal in the pipeline
  ``[contracts] renewal_lead_days`` (60) days before its end (not before its first
  day), linked to it, once per term;
- an auto-renewing contract past its end rolls forward into the term that holds today,
  with one event (saying how many terms, when cron missed several);
- a contract that ended or was cancelled without renewal is marked lapsed, and its
  customer churned as of the day it ended if it was their last live contract;
- a contract added ahead (``upcoming``) makes its contact a customer as of its first
  day, once that day has come.

``contract_items`` are the due items of ``remind`` and ``next``: a notice deadline or an
end within ``[contracts] remind_days`` (30), told once per term through the ledger, or
(``remind``) one that passed untold since the last run (``reminder_claims.look_back``),
told late.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from tinycrm import dates, money, safetext, terms
from tinycrm.errors import warn
from tinycrm.store.contract_terms import (
    ENTITY,
    LIVE,
    aligned,
    describe,
    local_today,
    lock_contacts,
    lock_contract,
    next_value,
    rolled_to,
    state_on,
)
from tinycrm.store.engine import Store
from tinycrm.store.errors import NotFound
from tinycrm.store.models import Company, Contact, LifecycleChange, ReadModel
from tinycrm.store.odd_amounts import OddAmount
from tinycrm.store.records import change_lifecycle, record_event
from tinycrm.store.reminder_items import ago
from tinycrm.store.service_models import Contract
from tinycrm.store.types import utcnow


class RenewalRun(ReadModel):
    """What one ``process_renewals`` wrote: contract ids (and the deals opened)."""

    renewal_deals: list[int]  # the deals opened
    rolled: list[int]  # contracts rolled forward
    lapsed: list[int]  # contracts that ended without renewal
    churned: list[int]  # contacts churned


def process_renewals(
    store: Store, *, now: datetime | None = None, lead_days: int = 60
) -> RenewalRun:
    """Open renewal deals (``lead_days`` before a contract's end: ``crm.contracts`` passes
    ``[contracts] renewal_lead_days``), roll auto-renewing contracts forward, record lapses
    (see the module's docstring). One transaction per contract: a refusal leaves the
    others done. Reads no config."""
    now = now or utcnow()
    today = local_today(now)
    lead = lead_days
    with store.read() as session:
        live = col(Contract.cancelled_on).is_(None)
        rolling = select(col(Contract.id)).where(
            live, col(Contract.auto_renew), col(Contract.end_date) < today
        )
        opening = select(col(Contract.id)).where(
            live,
            ~col(Contract.auto_renew),
            col(Contract.lapsed_on).is_(None),
            col(Contract.end_date) >= today,
            col(Contract.end_date) <= today + timedelta(days=lead),
            # not one still to start (``upcoming``): its renewal waits until it runs
            or_(col(Contract.start_date) <= today, col(Contract.renewals) > 0),
            or_(
                col(Contract.renewal_deal_for).is_(None),
                col(Contract.renewal_deal_for) != col(Contract.end_date),
            ),
        )
        lapsing = select(col(Contract.id)).where(
            col(Contract.lapsed_on).is_(None),
            or_(
                col(Contract.cancelled_on) <= today,
                and_(~col(Contract.auto_renew), col(Contract.end_date) < today),
            ),
        )
        to_roll = _ids(session, rolling)
        to_open = _ids(session, opening)
        to_lapse = _ids(session, lapsing)
        starting = select(col(Contract.id)).where(
            live,
            col(Contract.renewals) == 0,
            col(Contract.start_date) <= today,
            col(Contract.end_date) >= today,
            col(Contract.contact_id).in_(
                select(col(Contact.id)).where(col(Contact.lifecycle) != "customer")
            ),
        )
        to_start = _ids(session, starting)
    run = RenewalRun(renewal_deals=[], rolled=[], lapsed=[], churned=[])
    for cid in to_roll:
        if _roll(store, cid, today):
            run.rolled.append(cid)
    for cid in to_open:
        deal_id = _open_renewal_deal(store, cid, today, lead)
        if deal_id is not None:
            run.renewal_deals.append(deal_id)
    for cid in to_lapse:
        churned = _lapse(store, cid, today)
        if churned is not None:
            run.lapsed.append(cid)
            run.churned.extend(churned)
    for cid in to_start:  # after the lapses: a gap before it churned them first
        _start(store, cid, today)
    return run


def _ids(session: Session, query: Any) -> list[int]:
    return [i for i in session.scalars(query.order_by(col(Contract.id))) if i is not None]


def _roll(store: Store, contract_id: int, today: date) -> bool:
    with store.write() as session:
        contract = lock_contract(session, contract_id)
        if contract is None or not contract.auto_renew or contract.cancelled_on is not None:
            return False
        if contract.term is None or contract.end_date >= today:
            return False  # another run rolled it
        term = terms.parse_term(contract.term)
        index, start, end = rolled_to(contract, term, today)
        rolled = index - contract.term_index
        contract.start_date, contract.end_date, contract.term_index = start, end, index
        contract.renewals += rolled
        contract.renewal_deal_id = None
        terms_text = f" ({rolled} terms)" if rolled > 1 else ""
        record_event(
            store,
            session,
            action="renewed",
            entity=ENTITY,
            entity_id=contract.id,
            summary=f"renewed contract {describe(contract)} automatically{terms_text}: "
            f"{start} to {end}",
        )
        contract.updated_at = utcnow()
        return True


def _open_renewal_deal(store: Store, contract_id: int, today: date, lead: int) -> int | None:
    from tinycrm.store.deals import insert_deal, run_new_deal_rules

    with store.write() as session:
        person, account = _kept_customer(session, contract_id)
        contract = lock_contract(session, contract_id)
        if contract is None or contract.auto_renew or contract.cancelled_on is not None:
            return None
        if contract.renewal_deal_for == contract.end_date or contract.lapsed_on is not None:
            return None  # another run opened it
        if not today <= contract.end_date <= today + timedelta(days=lead):
            return None
        if state_on(contract, today).status == "upcoming":
            return None  # opened once it runs
        # the value of the term it renews for (a month after a year: a month's, not the year's)
        ask = next_value(contract)
        amount = money.from_minor(ask, contract.currency) if ask is not None else None
        deal, stage = insert_deal(
            store,
            session,
            # a control character stored in the contract (an old import) is written as
            # its visible escape: the deal's checked title and owner refuse it raw
            title=safetext.display(f"Renewal: {contract.title}")[:200],
            contact=_linked(session, Contact, contract.contact_id, person),
            company=_linked(session, Company, contract.company_id, account),
            amount=amount,
            currency=contract.currency,
            close_date=contract.end_date,
            owner=safetext.display(contract.owner),
        )
        assert deal.id is not None
        contract.renewal_deal_id = deal.id
        contract.renewal_deal_for = contract.end_date
        contract.updated_at = utcnow()
        record_event(
            store,
            session,
            action="created",
            entity="deal",
            entity_id=deal.id,
            summary=f"created deal {deal.title} to renew contract {describe(contract)} "
            f"ending {contract.end_date}",
        )
        record_event(
            store,
            session,
            action="updated",
            entity=ENTITY,
            entity_id=contract.id,
            summary=f"opened renewal deal #{deal.id} for contract {describe(contract)}",
        )
        run_new_deal_rules(store, session, deal, stage)
        return deal.id


def _kept_customer(session: Session, contract_id: int) -> tuple[Contact | None, Company | None]:
    """The contract's contact and company, kept from being deleted until the transaction
    ends (``keep_contact``, ``keep_company``) before the contract is locked: the order a
    ``contact rm`` or ``company rm`` takes them in (the customer, then the contracts it
    unlinks), so the two never wait for each other. One deleted meanwhile is None."""
    from tinycrm.store.companies import keep_company
    from tinycrm.store.contacts import keep_contact

    row = session.execute(
        select(col(Contract.contact_id), col(Contract.company_id)).where(
            col(Contract.id) == contract_id
        )
    ).first()
    if row is None:
        return None, None
    person = session.get(Contact, row.contact_id) if row.contact_id else None
    account = session.get(Company, row.company_id) if row.company_id else None
    try:
        person = keep_contact(session, person) if person is not None else None
    except NotFound:
        person = None
    try:
        account = keep_company(session, account) if account is not None else None
    except NotFound:
        account = None
    return person, account


def _lock_customers(session: Session, contract_id: int) -> None:
    """Before a contract is locked to end it: the customers it may churn (its contact,
    else its company's customers, in id order) locked as an edit locks them, in the order
    a ``contact rm`` or ``company rm`` takes them (the customer, then the contracts it
    unlinks), so the two never wait for each other (PostgreSQL)."""
    row = session.execute(
        select(col(Contract.contact_id), col(Contract.company_id)).where(
            col(Contract.id) == contract_id
        )
    ).first()
    if row is None or (row.contact_id is None and row.company_id is None):
        return
    mine = (
        col(Contact.id) == row.contact_id
        if row.contact_id is not None
        else and_(col(Contact.company_id) == row.company_id, col(Contact.lifecycle) == "customer")
    )
    lock_contacts(session, mine)


def _linked(session: Session, model: Any, row_id: int | None, kept: Any) -> Any:
    """The ``model`` row the locked contract links (``row_id``): the one kept before,
    or (linked to another meanwhile) that one; None when it links none."""
    if row_id is None:
        return None
    return kept if kept is not None and kept.id == row_id else session.get(model, row_id)


def _lapse(store: Store, contract_id: int, today: date) -> list[int] | None:
    # Here, not at the top, as insert_deal above: cron's usual run writes nothing and
    # does without the contacts', companies' and deals' modules store.contracts needs.
    from tinycrm.store.contracts import record_churn

    with store.write() as session:
        _lock_customers(session, contract_id)
        contract = lock_contract(session, contract_id)
        if contract is None or contract.lapsed_on is not None:
            return None
        state = state_on(contract, today)
        if state.status in LIVE:
            return None
        if state.status == "cancelled":
            assert contract.cancelled_on is not None
            day = contract.cancelled_on
        else:
            day = contract.end_date + timedelta(days=1)
        contract.lapsed_on = day
        contract.updated_at = utcnow()
        record_event(
            store,
            session,
            action="ended",
            entity=ENTITY,
            entity_id=contract.id,
            summary=f"contract {describe(contract)} "
            + (f"cancelled as of {day}" if state.status == "cancelled" else f"ended on {day}")
            + " without renewal",
        )
        return record_churn(store, session, contract, day)


def _start(store: Store, contract_id: int, today: date) -> None:
    """A contract added ahead of its first day has started: its contact, not a customer
    when it was added (``become_customer``), is one as of that day's start, unless their
    lifecycle was changed by hand since (a change on or after that day stands)."""
    zone = dates.local_tz()
    with store.write() as session:
        row = session.get(Contract, contract_id)
        if row is None or row.contact_id is None:
            return
        lock_contacts(session, col(Contact.id) == row.contact_id)
        contract = lock_contract(session, contract_id)
        if contract is None or contract.contact_id is None or contract.renewals:
            return
        if state_on(contract, today).status != "active":
            return
        first = dates.local_midnight(contract.start_date, zone)
        if contract.created_at.astimezone(zone).date() >= contract.start_date:
            return  # added on or after its first day: made a customer then
        person = session.get(Contact, contract.contact_id)
        if person is None or person.id is None or person.lifecycle == "customer":
            return
        since = session.scalar(
            select(col(LifecycleChange.id)).where(
                col(LifecycleChange.contact_id) == person.id, col(LifecycleChange.at) >= first
            )
        )
        if since is not None:
            return
        change_lifecycle(
            store,
            session,
            person,
            "customer",
            since=first,
            summary=f"{person.name} is a customer: contract {describe(contract)} started on "
            f"{contract.start_date}",
        )


# --------------------------------------------------------------------------- due items


def contract_items(
    session: Session,
    now: datetime,
    remind_days: int,
    seen: set[tuple[str, datetime]] | None,
    late_days: int = 0,
) -> list[dict[str, object]]:
    """Notice deadlines and ends within ``remind_days`` of today, or passed within
    ``late_days`` (``late``: the day fell while no run told it, cron not running), as
    due-item rows (``reminders.DueItem`` fields). ``seen``: (key, due time) told already
    (None: all). Reads only contracts active today or ended within ``late_days``:
    cancelled ones and those ended before are never due again."""
    zone = dates.local_tz()
    today = now.astimezone(zone).date()
    since = today - timedelta(days=late_days)
    horizon = today + timedelta(days=remind_days)
    rows = session.execute(
        select(Contract, col(Company.name))
        .outerjoin(Company, col(Contract.company_id) == col(Company.id))
        .where(
            # only one active today can be due (``state_on``): not cancelled by today,
            # and not ended (before ``since``), unless it renews by itself (in the term
            # that holds today)
            col(Contract.cancelled_on).is_(None) | (col(Contract.cancelled_on) > today),
            or_(
                col(Contract.end_date) >= since,
                and_(col(Contract.auto_renew), col(Contract.term).is_not(None)),
            ),
        )
        .order_by(col(Contract.end_date), col(Contract.id))
    ).all()
    items: list[dict[str, object]] = []
    for contract, company in rows:
        try:
            state = state_on(contract, today)
        except OddAmount as odd:  # a day other SQL stored as no date: named, not told
            warn(f"{odd.record}: {odd.odd}: never reminded; {odd.fix}")
            continue
        if state.status == "cancelled":
            continue
        title = contract.title + (f" ({company})" if company else "")
        value = (
            money.from_minor(contract.value_minor, contract.currency)
            if contract.value_minor is not None
            else None
        )
        stake = money.format_money(value, contract.currency) or None
        common = {
            "entity": ENTITY,
            "entity_id": contract.id,
            "deal_id": contract.renewal_deal_id,
            "value": value,
            "currency": contract.currency,
            "stake": stake,
        }
        notice = terms.parse_term(contract.notice, "notice") if contract.notice else None
        renews = contract.auto_renew and contract.cancelled_on is None
        if renews and contract.term and state.status == "active":
            row = {"title": title, **common}
            days = (today, since, horizon)
            items += _rolling_items(contract, state, notice, row, seen, days)
            continue
        for end in _term_ends(contract, state, since):
            deadline = terms.notice_deadline(end, notice)
            if contract.cancelled_on is not None:
                # cancelled as of a day to come: notice was given, no deadline to tell,
                # and it ends the day before (within its term)
                deadline = None
                end = min(end, contract.cancelled_on - timedelta(days=1))
            ending = dates.local_midnight(end, zone)
            end_told = since <= end <= horizon and (
                seen is None or (f"contract-end:{contract.id}", ending) not in seen
            )
            if deadline is not None and since <= deadline <= horizon:
                when = dates.local_midnight(deadline, zone)
                if seen is None or (f"notice:{contract.id}", when) not in seen:
                    what = _what(renews, end < today)
                    # the end's own item says what happens then: say it once
                    then = "" if end_told else f"; {what} after {end}"
                    passed = " passed" if deadline < today else ""
                    items.append(
                        {
                            "key": f"notice:{contract.id}",
                            "group": "renewal",
                            "due_at": when,
                            "title": title,
                            "detail": f"notice deadline {deadline}{passed} "
                            f"({ago(deadline, today)}){then}",
                            "late": deadline < today,
                            **common,
                        }
                    )
            if end_told:
                items.append(
                    {
                        "key": f"contract-end:{contract.id}",
                        "group": "renewal",
                        "due_at": ending,
                        "title": title,
                        "detail": f"{_what(renews, end < today)} after {end} ({ago(end, today)})",
                        "late": end < today,
                        **common,
                    }
                )
    return items


def _term_ends(contract: Contract, state: Any, since: date) -> list[date]:
    """The ends of the terms whose notice deadline or end can be due, of a contract that
    does not roll forward by itself (see ``_rolling_items``): the term that holds today,
    or, ended, the last one."""
    return [state.end] if state.status == "active" else [contract.end_date]


def _rolling_items(
    contract: Contract,
    state: Any,
    notice: terms.Term | None,
    row: dict[str, object],
    seen: set[tuple[str, datetime]] | None,
    days: tuple[date, date, date],
) -> list[dict[str, object]]:
    """The items of an auto-renewing contract active today (``days``: today, ``since``,
    the horizon): its term's notice deadline and end ahead, each told once, and what
    passed since ``since`` while no run told it (cron not running, the machine off): the
    terms it renewed after in one item, the notice deadlines that passed in another, each
    naming every day, told once (a run that told a later day of either had told the
    earlier ones, or they were told ahead, in their time). ``row``: the items' fields."""
    today, since, horizon = days
    zone = dates.local_tz()
    term = terms.parse_term(contract.term)
    ends = [state.end]
    index = state.index
    anchor, shift = aligned(contract, term)
    while index > 0:  # the terms that ended since ``since`` (each follows the last)
        index -= 1
        end = terms.term_end(anchor, term, index - shift)
        if end < since:
            break
        ends.insert(0, end)
    deadlines = {end: terms.notice_deadline(end, notice) for end in ends}
    end_key, notice_key = f"contract-end:{contract.id}", f"notice:{contract.id}"

    def told(key: str, day: date) -> bool:
        return seen is not None and (key, dates.local_midnight(day, zone)) in seen

    def missed(key: str, passed: list[date]) -> list[date]:
        """The days of ``passed`` (in order) within the look-back after the last told."""
        passed = [day for day in passed if since <= day < today]
        last = max((day for day in passed if told(key, day)), default=None)
        return [day for day in passed if last is None or day > last]

    renewed = missed(end_key, ends[:-1])
    lapsed = missed(notice_key, [d for d in deadlines.values() if d is not None and d < today])
    ahead = state.end <= horizon and not told(end_key, state.end)
    told_ends = set(renewed) | ({state.end} if ahead else set())
    items: list[dict[str, object]] = []

    def item(key: str, day: date, detail: str) -> None:
        at = dates.local_midnight(day, zone)
        items.append(
            {"key": key, "group": "renewal", "due_at": at, "detail": detail, "late": day < today}
            | row
        )

    if lapsed:
        last = lapsed[-1]
        end = next(e for e, d in deadlines.items() if d == last)
        then = "" if end in told_ends else f"; {_what(True, end < today)} after {end}"
        said = f"notice deadline {last} passed"
        if len(lapsed) > 1:
            said = f"{len(lapsed)} notice deadlines passed{_listed(lapsed, ': ')}"
        item(notice_key, last, f"{said} ({ago(last, today)}){then}")
    coming = deadlines[state.end]
    if coming is not None and today <= coming <= horizon and not told(notice_key, coming):
        then = "" if ahead else f"; renews automatically after {state.end}"
        item(notice_key, coming, f"notice deadline {coming} ({ago(coming, today)}){then}")
    if renewed:
        last = renewed[-1]
        said = f"renewed automatically after {last}"
        if len(renewed) > 1:
            each = " each term" if len(renewed) > 4 else ""
            said = f"renewed automatically {len(renewed)} times, after{each}"
            said += _listed(renewed, " ")
        item(end_key, last, f"{said} ({ago(last, today)})")
    if ahead:
        item(
            end_key, state.end, f"renews automatically after {state.end} ({ago(state.end, today)})"
        )
    return items


def _listed(days: list[date], lead: str) -> str:
    """``lead`` and ``2026-11-05 and 2026-12-05``, or for more than four days
    ``, from A to B`` (``lead`` then dropped: the range reads on from a comma)."""
    if len(days) > 4:
        return f"{',' if lead.strip() else ''} from {days[0]} to {days[-1]}"
    shown = [str(day) for day in days]
    return lead + ", ".join(shown[:-1]) + " and " + shown[-1]


def _what(renews: bool, passed: bool) -> str:
    if renews:
        return "renewed automatically" if passed else "renews automatically"
    return "ended" if passed else "ends"

"""Quotes: a deal's line items frozen into a numbered offer (``Q-2026-0001``).

A quote copies the deal's items, its customer (company with address, contact with email)
and its currency when it is made, and computes every figure once (``tinycrm.pricing``:
per line, half-up to the minor unit): later changes to the deal or the catalogue never
change it. Numbers run per calendar year and are never reused: a ``quote_counter`` row
per year is incremented in the transaction that makes the quote, so two writers at once
(SQLite's queued writers, PostgreSQL's row lock) each get their own number.

Status: draft → sent → accepted or declined. A draft or sent quote past its valid-until
day is ``expired``: worked out whenever it is read (nothing needs to run for it), and it
can no longer be sent or accepted.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, not_, select, update
from sqlmodel import Session, col

from tinycrm import dates, money, pricing
from tinycrm.errors import warn
from tinycrm.store import odd_amounts, odd_dates, validate
from tinycrm.store.deal_items import items_of, sound
from tinycrm.store.deals import close_in, lock_deal, resolve_deal
from tinycrm.store.engine import Store
from tinycrm.store.errors import Conflict, Invalid, NotFound
from tinycrm.store.models import Company, Contact, Deal
from tinycrm.store.records import record_event
from tinycrm.store.refs import get_by_id, numeric_id
from tinycrm.store.sales_models import (
    Quote,
    QuoteCounter,
    QuoteHeadRead,
    QuoteLine,
    QuoteLineRead,
    QuoteRead,
    QuoteTaxRead,
    line_key,
)
from tinycrm.store.types import utcnow

ENTITY = "quote"
STATUSES = ("draft", "sent", "accepted", "declined", "expired")
OPEN = ("draft", "sent")
_NUMBER = re.compile(r"^\s*Q-(\d{4})-(\d{1,9})\s*$", re.IGNORECASE)
CHUNK = 500  # quotes read at a time (with their lines) by ``iter_quotes``
_QUOTE: Any = Quote.__table__  # type: ignore[attr-defined]
_LINE: Any = QuoteLine.__table__  # type: ignore[attr-defined]


def quote_number(year: int, seq: int) -> str:
    """``Q-2026-0001``: the year and the year's running number (four digits at least)."""
    return f"Q-{year}-{seq:04d}"


def resolve_quote(session: Session, ref: str | int) -> Quote:
    """The quote a REF names: its number (``Q-2026-0001``, any case) or its id."""
    text = str(ref).strip()
    if not text:
        raise NotFound("no quote given")
    found: Quote | None = None
    match = _NUMBER.match(text)
    if match:
        number = quote_number(int(match.group(1)), int(match.group(2)))
        found = session.scalars(select(Quote).where(col(Quote.number) == number)).first()
    else:
        number_id = numeric_id(text)
        if number_id is not None:
            found = get_by_id(session, Quote, number_id)
    if found is None:
        shown = " ".join(text.split())[:40]
        raise NotFound(f"no quote matches {shown!r} (a number such as Q-2026-0001, or an id)")
    return found


def status_on(quote: Any, today: date) -> str:
    """The status a person sees: a draft or sent quote past its valid-until day is expired.
    A valid-until day other SQL stored as no date: ``OddAmount`` naming the quote."""
    if quote.valid_until is None:
        odd_dates.refuse_unreadable("quote", quote.id)
    if quote.status in OPEN and quote.valid_until < today:
        return "expired"
    return str(quote.status)


def _money(minor: int, code: str) -> Any:
    return money.from_minor(minor, code)


def _whole(quote: Any, minor: Any, what: str, line: Any = None) -> int:
    """An amount of ``quote`` (of its ``line``): one line naming them when other SQL
    stored no whole number of minor units there (a traceback before)."""
    record = f"quote {quote.number}" + (f" line {line.position} {line.name}" if line else "")
    return odd_amounts.whole(minor, record, what, "make the quote again (tinycrm quote create)")


def _head_values(quote: Any, today: date) -> dict[str, Any]:
    """A quote row's (ORM or Core: read by attribute) fields of ``QuoteHeadRead``."""
    code = quote.currency
    return {
        "id": quote.id,
        "number": quote.number,
        "status": status_on(quote, today),
        "deal_id": quote.deal_id,
        "deal": quote.deal_title,
        "currency": code,
        "valid_until": quote.valid_until,
        "notes": quote.notes,
        "company": quote.company,
        "company_address": quote.company_address,
        "contact": quote.contact,
        "contact_email": quote.contact_email,
        "subtotal": _money(_whole(quote, quote.subtotal_minor, "subtotal"), code),
        "discount": _money(_whole(quote, quote.discount_minor, "discount"), code),
        "net": _money(_whole(quote, quote.net_minor, "net"), code),
        "tax": _money(_whole(quote, quote.tax_minor, "tax"), code),
        "total": _money(_whole(quote, quote.total_minor, "total"), code),
        "owner": quote.owner,
        "sent_at": quote.sent_at,
        "decided_at": quote.decided_at,
        "created_at": quote.created_at,
        "updated_at": quote.updated_at,
    }


_AFTER_LINES = ("owner", "sent_at", "decided_at", "created_at", "updated_at")


def _head(quote: Any, today: date) -> QuoteHeadRead:
    """A quote without its lines and taxes (what ``quote list`` shows as a table)."""
    return QuoteHeadRead.from_row(_head_values(quote, today))


def _read(quote: Any, lines: Sequence[Any], today: date) -> QuoteRead:
    """A quote row with its line rows (ORM rows or Core rows) as its read model."""
    code = quote.currency
    unstored = pricing.unstored
    amounts = [
        (
            pricing.LineAmounts(
                *(
                    _whole(quote, minor, what, line)
                    for minor, what in (
                        (line.gross_minor, "gross"),
                        (line.discount_minor, "discount"),
                        (line.net_minor, "net"),
                        (line.tax_minor, "tax"),
                    )
                )
            ),
            unstored(line.tax_rate),
        )
        for line in lines
    ]
    taxes = pricing.total_lines(amounts).taxes
    assert quote.id is not None
    values = _head_values(quote, today)
    after = {key: values.pop(key) for key in _AFTER_LINES}  # the read model's order
    values["taxes"] = [
        QuoteTaxRead.from_row(
            {"rate": t.rate, "base": _money(t.base, code), "tax": _money(t.tax, code)}
        )
        for t in taxes
    ]
    values["lines"] = [
        QuoteLineRead.from_row(
            {
                "position": line.position,
                "product_id": line.product_id,
                "name": line.name,
                "sku": line.sku,
                "unit": line.unit,
                "recurring": line.recurring,
                "quantity": unstored(line.quantity),
                "unit_price": _money(
                    _whole(quote, line.unit_price_minor, "unit price", line), code
                ),
                "discount": unstored(line.discount),
                "tax": rate,
                "gross": _money(_whole(quote, line.gross_minor, "gross", line), code),
                "discount_amount": _money(
                    _whole(quote, line.discount_minor, "discount", line), code
                ),
                "net": _money(_whole(quote, line.net_minor, "net", line), code),
                "tax_amount": _money(_whole(quote, line.tax_minor, "tax", line), code),
            }
        )
        for line, (_amounts, rate) in zip(lines, amounts, strict=True)
    ]
    values.update(after)
    return QuoteRead.from_row(values)


def _lines_of(session: Session, quote_ids: Sequence[int]) -> dict[int, list[Any]]:
    """The lines of these quotes (rows read by attribute, as ``QuoteLine``'s), in order."""
    found: dict[int, list[Any]] = {qid: [] for qid in quote_ids}
    if quote_ids:
        rows = session.execute(
            select(*_LINE.c)
            .where(col(QuoteLine.quote_id).in_(quote_ids))
            .order_by(col(QuoteLine.quote_id), col(QuoteLine.position))
        )
        for line in rows:
            found[line.quote_id].append(line)
    return found


def to_read(session: Session, quote: Any, today: date | None = None) -> QuoteRead:
    """A quote row as its read model, with its lines (also the hooks' reader)."""
    lines = _lines_of(session, [quote.id]).get(quote.id, []) if quote.id else []
    return _read(quote, lines, today or dates.local_today())


def next_number(store: Store, session: Session, year: int) -> int:
    """The year's next quote number, taken in the caller's transaction: the counter row
    is made if missing (a concurrent maker's row wins, no error) and incremented, which
    holds its lock on PostgreSQL until the transaction ends."""
    if store.backend == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(QuoteCounter).values(year=year, last=0).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(
            sqlite_insert(QuoteCounter).values(year=year, last=0).on_conflict_do_nothing()
        )
    session.execute(
        update(QuoteCounter)
        .where(col(QuoteCounter.year) == year)
        .values(last=col(QuoteCounter.last) + 1)
    )
    last = session.scalar(select(col(QuoteCounter.last)).where(col(QuoteCounter.year) == year))
    assert last is not None
    return int(last)


def _customer(session: Session, deal: Deal) -> dict[str, Any]:
    company = session.get(Company, deal.company_id) if deal.company_id else None
    contact = session.get(Contact, deal.contact_id) if deal.contact_id else None
    address = None
    if company is not None:
        parts = [company.address, " ".join(p for p in (company.city, company.country) if p)]
        address = "\n".join(p for p in parts if p) or None
    return {
        "company": company.name if company else None,
        "company_address": address,
        "contact": contact.name if contact else None,
        "contact_email": contact.email if contact else None,
    }


MAX_VALID_DAYS = 3650  # as ``[quotes] valid_days``: an offer good for ten years at most


def create_quote(
    store: Store,
    deal_ref: str | int,
    *,
    valid_until: date | None = None,
    valid_days: int = 30,
    notes: str | None = None,
    today: date | None = None,
) -> QuoteRead:
    """Freeze the deal's line items into a new draft quote numbered for this year,
    valid until ``valid_until`` (default: ``valid_days`` from today, which ``crm.quotes``
    takes from ``[quotes] valid_days``; at most ``MAX_VALID_DAYS`` ahead)."""
    day = today or dates.local_today()
    clean_notes = validate.optional_text(notes, "notes", multiline=True)
    if valid_until is None:
        valid_until = day + timedelta(days=valid_days)
    if valid_until < day:
        raise Invalid(f"valid-until {valid_until} is in the past", field="valid")
    if (valid_until - day).days > MAX_VALID_DAYS:
        raise Invalid(
            f"valid-until {valid_until} is more than {MAX_VALID_DAYS:,} days ahead "
            f"(at most {day + timedelta(days=MAX_VALID_DAYS)})",
            field="valid",
        )
    with store.write() as session:
        # its items held still while they are frozen, and the deal not deleted before the
        # quote is written (a deal rm meanwhile: waited for, and then NotFound)
        deal = lock_deal(session, resolve_deal(session, deal_ref))
        assert deal.id is not None
        if deal.status == "lost":
            raise Conflict(f"deal {deal.title} is lost: reopen it to quote it")
        items = items_of(session, deal.id)
        if not items:
            raise Conflict(f"deal {deal.title} has no line items to quote (tinycrm deal item add)")
        unstored = pricing.unstored
        items = [sound(item) for item in items]
        rates = [unstored(item.tax_rate) for item in items]
        figures = pricing.price_lines(
            [
                (unstored(i.quantity), i.unit_price_minor, unstored(i.discount), rate)
                for i, rate in zip(items, rates, strict=True)
            ]
        )
        priced = list(zip(items, figures, rates, strict=True))
        totals = pricing.total_lines((a, r) for _i, a, r in priced)
        _kept(totals, deal.currency)
        stamp = utcnow()
        quote = Quote(
            number=quote_number(day.year, next_number(store, session, day.year)),
            year=day.year,
            deal_id=deal.id,
            status="draft",
            currency=deal.currency,
            valid_until=valid_until,
            notes=clean_notes,
            deal_title=deal.title,
            **_customer(session, deal),
            subtotal_minor=totals.subtotal,
            discount_minor=totals.discount,
            net_minor=totals.net,
            tax_minor=totals.tax,
            total_minor=totals.total,
            owner=store.user,
            created_at=stamp,
            updated_at=stamp,
        )
        session.add(quote)
        session.flush()
        assert quote.id is not None
        for position, (item, amounts, _rate) in enumerate(priced, start=1):
            session.add(
                QuoteLine(
                    quote_id=quote.id,
                    product_id=item.product_id,
                    position=position,
                    name=item.name,
                    sku=item.sku,
                    unit=item.unit,
                    recurring=item.recurring,
                    quantity=item.quantity,
                    unit_price_minor=item.unit_price_minor,
                    discount=item.discount,
                    tax_rate=item.tax_rate,
                    gross_minor=amounts.gross,
                    discount_minor=amounts.discount,
                    net_minor=amounts.net,
                    tax_minor=amounts.tax,
                )
            )
        session.flush()
        total = money.format_money(_money(totals.total, deal.currency), deal.currency)
        record_event(
            store,
            session,
            action="created",
            entity=ENTITY,
            entity_id=quote.id,
            summary=f"created quote {quote.number} for deal {deal.title}: {total}, "
            f"valid until {valid_until.isoformat()}",
        )
        return to_read(session, quote, day)


def _kept(totals: pricing.Totals, code: str) -> None:
    """``Invalid`` when a figure of the quote is past what tinycrm keeps in its currency
    (``money.max_minor``): lines each within it may add up past it (their gross sum,
    the tax on top), which a database integer would refuse as the row is written."""
    top = money.max_minor(code)
    for what, minor in (
        ("subtotal", totals.subtotal),
        ("discounts", totals.discount),
        ("tax", totals.tax),
        ("total with tax", totals.total),
    ):
        if abs(minor) > top:
            most = money.format_money(money.from_minor(top, code), code)
            shown = money.format_money(money.from_minor(minor, code), code)
            raise Invalid(
                f"the quote's {what} would be {shown}, more than the most tinycrm keeps "
                f"({most}): lower a quantity, a price or the tax rate",
                field="deal",
            )


def get_quote(store: Store, ref: str | int, *, today: date | None = None) -> QuoteRead:
    """One quote by number or id."""
    with store.read() as session:
        return to_read(session, resolve_quote(session, ref), today)


def list_quotes(
    store: Store,
    *,
    status: str | None = None,
    deal: str | int | None = None,
    where: str | None = None,
    limit: int | None = None,
    today: date | None = None,
) -> list[QuoteRead]:
    """Quotes, newest first; ``status`` as shown (``expired`` included), ``deal`` a REF,
    ``where`` a filter expression (``total>1000 and status=sent``)."""
    found = iter_quotes(store, status=status, deal=deal, where=where, limit=limit, today=today)
    return list(found)


def iter_quotes(
    store: Store,
    *,
    status: str | None = None,
    deal: str | int | None = None,
    where: str | None = None,
    limit: int | None = None,
    today: date | None = None,
    lines: bool = True,
    chunk: int = CHUNK,
    leave_out_odd: bool = False,
) -> Iterator[Any]:
    """The quotes ``list_quotes`` returns, in its order, read ``chunk`` at a time (their
    lines with them), so a list of any length is never held whole; with ``lines=False``
    as ``QuoteHeadRead`` (no lines, no taxes: their lines are not read at all). With
    ``leave_out_odd``, a quote holding a figure other SQL stored as no whole number is
    left out, named in a warning (else it refuses the list, naming it). The
    filters are checked (``Invalid``, ``NotFound``) before this returns; the read
    transaction stays open until the iterator is used up or closed."""
    parts = _quote_parts(
        store,
        status,
        deal,
        where,
        limit,
        today,
        lines=lines,
        chunk=chunk,
        leave_out_odd=leave_out_odd,
    )
    next(parts)
    return _each(parts)


def _each(parts: Generator[list[Any], None, None]) -> Iterator[Any]:
    with closing(parts):  # closed early (a pager that quit): the transaction ends too
        for part in parts:
            yield from part


def _quote_parts(
    store: Store,
    status: str | None,
    deal: str | int | None,
    where: str | None,
    limit: int | None,
    today: date | None,
    *,
    lines: bool,
    chunk: int,
    leave_out_odd: bool = False,
) -> Generator[list[Any], None, None]:
    """First an empty list once the filters are read, then the quotes in lists of at
    most ``chunk``."""
    validate.filters_given(status=status, deal=deal)
    limit = validate.limit(limit)
    day = today or dates.local_today()
    query = select(*_QUOTE.c).order_by(col(Quote.created_at).desc(), col(Quote.id).desc())
    expired = and_(col(Quote.status).in_(OPEN), col(Quote.valid_until) < day)
    if status is not None:
        wanted = validate.choice(status, STATUSES, "status")
        if wanted == "expired":
            query = query.where(expired)
        elif wanted in OPEN:
            query = query.where(col(Quote.status) == wanted, not_(expired))
        else:
            query = query.where(col(Quote.status) == wanted)
    with store.read() as session:
        if deal is not None:
            query = query.where(col(Quote.deal_id) == resolve_deal(session, deal).id)
        if where is not None:
            from tinycrm.store.filter_sql import resolve_where

            # the filter's today is the list's (status=expired agrees with --status)
            noon = datetime.combine(day, time(12), tzinfo=dates.local_tz())
            query = query.where(resolve_where(store, session, ENTITY, where=where, now=noon))
        if limit:
            query = query.limit(limit)
        yield []
        conn = session.connection()
        result = conn.execution_options(stream_results=True, yield_per=chunk).execute(query)
        for part in result.partitions(chunk):
            if not lines:
                yield _readable(part, lambda q: _head(q, day), leave_out_odd)
                continue
            found = _lines_of(session, [q.id for q in part])
            yield _readable(part, functools.partial(_with_lines, found, day), leave_out_odd)


def _with_lines(found: dict[int, list[Any]], day: date, quote: Any) -> QuoteRead:
    return _read(quote, found[quote.id], day)


def _readable(rows: Sequence[Any], read: Callable[[Any], Any], leave_out_odd: bool) -> list[Any]:
    """``read`` of each row; with ``leave_out_odd``, a quote holding a figure other SQL
    stored as no whole number (``odd_amounts.OddAmount``) is left out, named in a
    warning, rather than refusing the whole list (no figure of it is shown wrong)."""
    if not leave_out_odd:
        return [read(q) for q in rows]
    out = []
    for q in rows:
        try:
            out.append(read(q))
        except odd_amounts.OddAmount as odd:
            warn(f"{odd.record}: {odd.odd}: left out; {odd.fix}")
    return out


def _move(
    store: Store,
    ref: str | int,
    *,
    to: str,
    allowed: Sequence[str],
    today: date | None,
    win: bool = False,
) -> QuoteRead:
    day = today or dates.local_today()
    with store.write() as session:
        quote = resolve_quote(session, ref)
        if session.get_bind().dialect.name == "postgresql":
            # two writers deciding one quote, or two quotes of one deal, take turns: the
            # deal first, then the quote, each read afresh (SQLite's writers queue already).
            # A deal rm that took the deal first has unlinked the quote when its turn
            # comes: the quote is decided as it would be after the rm, unlinked
            deal = session.get(Deal, quote.deal_id) if quote.deal_id is not None else None
            if deal is not None:
                try:
                    lock_deal(session, deal)
                except NotFound:
                    session.expunge(deal)
            session.refresh(quote, with_for_update=True)
        shown = status_on(quote, day)
        if shown == to:
            raise Conflict(f"quote {quote.number} is already {to}")
        if shown == "expired":
            raise Conflict(
                f"quote {quote.number} expired on {quote.valid_until + timedelta(days=1)}: "
                "make a new one (tinycrm quote create)"
            )
        if shown not in allowed:
            raise Conflict(f"quote {quote.number} is {shown}: it cannot be {to} now")
        if to == "sent" and quote.deal_id is not None:
            _check_not_lost(session, quote, "send")
        if to == "accepted" and quote.deal_id is not None:
            _check_acceptable(session, quote)
        stamp = utcnow()
        quote.status = to
        quote.updated_at = stamp
        if to == "sent":
            quote.sent_at = stamp
        else:
            quote.decided_at = stamp
        session.flush()
        record_event(
            store,
            session,
            action=to,
            entity=ENTITY,
            entity_id=quote.id,
            summary=f"{to} quote {quote.number} (deal {quote.deal_title})",
        )
        if win and quote.deal_id is not None:
            deal = session.get(Deal, quote.deal_id)
            if deal is not None and deal.status == "open":
                close_in(store, session, deal, "won", None)
        return to_read(session, quote, day)


def _check_not_lost(session: Session, quote: Quote, verb: str) -> Deal | None:
    """``Conflict`` when the quote's deal is lost: no offer is sent or accepted on a sale
    that is over (a quote is not made for one either); nor when the deal is in another
    currency now than the quote (its items taken off and the deal moved to another): the
    offer is not for the deal as it stands, and accepting it would win the deal at an
    amount in a currency the customer was never quoted (nothing is converted); nor when
    its items are no longer the quote's lines (``_check_matches``)."""
    deal = session.get(Deal, quote.deal_id)
    if deal is not None and deal.status == "lost":
        raise Conflict(
            f"deal {deal.title} is lost: reopen it (tinycrm deal reopen {deal.id}) to "
            f"{verb} quote {quote.number}"
        )
    if deal is not None and deal.currency != quote.currency:
        raise Conflict(
            f"quote {quote.number} is in {quote.currency}, deal {deal.title} is in "
            f"{deal.currency} now: make a new quote (tinycrm quote create {deal.id}) to "
            f"{verb}, or decline this one"
        )
    if deal is not None:
        _check_matches(session, quote, deal, verb)
    return deal


def _check_matches(session: Session, quote: Quote, deal: Deal, verb: str) -> None:
    """``Conflict`` when the deal's items are no longer the quote's lines (a product,
    quantity, price, discount or tax changed, an item added or taken off): the deal's
    amount is its items' net, so accepting would win it at a figure the customer was
    never quoted. Nothing is changed on its own: the user puts the items back as quoted,
    or makes a new quote."""
    assert deal.id is not None and quote.id is not None
    items = items_of(session, deal.id)
    lines = _lines_of(session, [quote.id])[quote.id]
    if sorted(map(line_key, items)) == sorted(map(line_key, lines)):
        return
    code = quote.currency
    items_net = sum(i.net_minor for i in items)
    if not items:
        now_text = f"deal {deal.title} has no items now"
    elif items_net == quote.net_minor:
        now_text = f"deal {deal.title}'s items changed since (the same net, other lines)"
    else:
        now_text = (
            f"deal {deal.title}'s items to {money.format_money(_money(items_net, code), code)} now"
        )
    net = money.format_money(_money(quote.net_minor, code), code)
    raise Conflict(
        f"quote {quote.number} comes to {net} net, {now_text}: put the items back as "
        f"quoted (tinycrm deal item list {deal.id}) or make a new quote "
        f"(tinycrm quote create {deal.id}) to {verb} it, or decline this one"
    )


def _check_acceptable(session: Session, quote: Quote) -> None:
    """``Conflict`` when the quote's deal is lost, or won with another accepted quote:
    the customer cannot accept an offer the deal no longer stands on."""
    deal = _check_not_lost(session, quote, "accept")
    if deal is None:
        return
    if deal.status == "won":
        other = session.scalar(
            select(col(Quote.number))
            .where(
                col(Quote.deal_id) == deal.id,
                col(Quote.status) == "accepted",
                col(Quote.id) != quote.id,
            )
            .order_by(col(Quote.id))
        )
        if other is not None:
            raise Conflict(
                f"deal {deal.title} was won with quote {other}: decline {quote.number}, or "
                f"reopen the deal (tinycrm deal reopen {deal.id}) to accept it too"
            )


def send_quote(store: Store, ref: str | int, *, today: date | None = None) -> QuoteRead:
    """Mark a draft quote sent (to the customer: you send the rendered document).
    ``Conflict`` when its deal is lost (reopen the deal first), or its items are no
    longer the quote's lines."""
    return _move(store, ref, to="sent", allowed=("draft",), today=today)


def accept_quote(
    store: Store, ref: str | int, *, wins_deal: bool = True, today: date | None = None
) -> QuoteRead:
    """The customer accepted: a draft or sent quote, not expired. Its deal is won in the
    same transaction when it is open, unless ``wins_deal`` is false (``crm.quotes`` takes
    it from ``[quotes] accept_wins_deal``). ``Conflict`` when its deal is lost, won
    with another accepted quote (reopen the deal first), or when the deal's items are no
    longer the quote's lines (the deal would be won at a figure never quoted)."""
    wins_deal = validate.flag(wins_deal, "win_deal")  # "no" is no yes (bool("no") is True)
    return _move(store, ref, to="accepted", allowed=OPEN, today=today, win=wins_deal)


def decline_quote(store: Store, ref: str | int, *, today: date | None = None) -> QuoteRead:
    """The customer declined a draft or sent quote (the deal stays as it is)."""
    return _move(store, ref, to="declined", allowed=OPEN, today=today)


def quotes_of_deals(
    store: Store, deal_ids: Sequence[int], today: date | None = None
) -> list[QuoteRead]:
    """The quotes of these deals, newest first (the 360-degree views)."""
    if not deal_ids:
        return []
    day = today or dates.local_today()
    with store.read() as session:
        rows = list(
            session.scalars(
                select(Quote)
                .where(col(Quote.deal_id).in_(deal_ids))
                .order_by(col(Quote.created_at).desc(), col(Quote.id).desc())
            )
        )
        lines = _lines_of(session, [q.id for q in rows if q.id is not None])
        return [_read(q, lines.get(q.id or 0, []), day) for q in rows]

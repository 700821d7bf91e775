"""A deal's line items: products with a quantity, a price and a discount.

A deal with items has for its amount the sum of their nets (after discounts, before
tax), kept in step in the same transaction as every change to them; its amount cannot
be edited by hand then. Items are in the deal's currency: a product priced in another
is refused. Recurring items give the deal its MRR and ARR (``tinycrm.pricing``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from tinycrm import money, pricing
from tinycrm.store import odd_amounts, validate
from tinycrm.store.deals import lock_deal, resolve_deal
from tinycrm.store.engine import Store
from tinycrm.store.errors import Conflict, Invalid, NotFound
from tinycrm.store.models import Deal
from tinycrm.store.products import lock_product, percent, resolve_product
from tinycrm.store.records import UNSET, Unset, record_event
from tinycrm.store.refs import get_by_id, numeric_id
from tinycrm.store.sales_models import DealItem, DealItemRead, DealItems, Quote, annual_sum
from tinycrm.store.sums import exact_sum, whole
from tinycrm.store.types import utcnow


def _quantity(value: Decimal | str | int | None) -> int:
    """A quantity as typed; None (not given): one. An empty one is refused, as an empty
    price is, not read as one (an edit set an item of 3 back to 1)."""
    if value is None:
        return pricing.stored(Decimal(1))
    if isinstance(value, str) and not value.strip():
        raise Invalid("quantity must not be empty", field="qty")
    try:
        return pricing.stored(pricing.parse_quantity(value))
    except (ValueError, TypeError) as exc:
        raise Invalid(str(exc), field="qty") from exc


def _kept(minor: int, deal: Deal, what: str) -> None:
    """``Invalid`` when ``minor`` is past what tinycrm keeps in the deal's currency
    (``money.max_minor``: a database integer), so a quantity × price too large for one
    is refused with one line rather than failing as the row is written."""
    top = money.max_minor(deal.currency)
    if abs(minor) > top:
        most = money.format_money(money.from_minor(top, deal.currency), deal.currency)
        raise Invalid(f"{what} would be more than {most}", field="qty")


def sound(item: DealItem) -> DealItem:
    """``item``, its quantity, discount and tax rate whole numbers of thousandths (and its
    price of minor units):
    ``Invalid`` naming the item, what is stored and the fix when other SQL stored none
    there (a quantity of ``1e20`` read as 10**17 beside the net it had, text a traceback)."""
    for column, what, fix in (
        ("quantity", "quantity", f"give it again (tinycrm deal item edit {item.id} --qty)"),
        ("discount", "discount", f"give it again (tinycrm deal item edit {item.id} --discount)"),
        ("tax_rate", "tax rate", f"add the item again (tinycrm deal item rm {item.id})"),
    ):
        odd_amounts.whole(getattr(item, column), _named(item), what, fix, unit="thousandths")
    _whole(item, item.unit_price_minor, "price")
    return item


def _named(item: DealItem) -> str:
    return f"deal #{item.deal_id} item {item.position} {item.name}"


def _net(item: DealItem, deal: Deal) -> int:
    sound(item)
    line = pricing.price_line(
        quantity=pricing.unstored(item.quantity),
        unit_price_minor=item.unit_price_minor,
        discount=pricing.unstored(item.discount),
        tax=pricing.unstored(item.tax_rate),
    )
    _kept(line.gross, deal, f"item {item.name} (quantity × price)")
    return line.net


def _whole(item: DealItem, minor: Any, what: str) -> int:
    """An amount of ``item``: one line naming it when other SQL stored no whole number of
    minor units there (a traceback before)."""
    return odd_amounts.whole(
        minor,
        _named(item),
        what,
        f"give it again (tinycrm deal item edit {item.id} --price)",
    )


def item_read(item: DealItem, deal: Deal) -> DealItemRead:
    assert item.id is not None and deal.id is not None
    sound(item)
    return DealItemRead(
        id=item.id,
        deal_id=deal.id,
        deal=deal.title,
        position=item.position,
        product_id=item.product_id,
        product=item.name,
        sku=item.sku,
        unit=item.unit,
        recurring=item.recurring,
        quantity=pricing.unstored(item.quantity),
        unit_price=money.from_minor(_whole(item, item.unit_price_minor, "price"), deal.currency),
        discount=pricing.unstored(item.discount),
        tax=pricing.unstored(item.tax_rate),
        net=money.from_minor(_whole(item, item.net_minor, "net"), deal.currency),
        currency=deal.currency,
    )


def recurring_minor(session: Session, deal_ids: Sequence[int]) -> dict[int, int]:
    """ARR in minor units of the deals among ``deal_ids`` that have recurring items."""
    if not deal_ids:
        return {}
    rows = session.execute(
        select(col(DealItem.deal_id), annual_sum())
        .where(col(DealItem.deal_id).in_(deal_ids), col(DealItem.recurring).is_not(None))
        .group_by(col(DealItem.deal_id))
    )
    return {deal_id: whole(total) or 0 for deal_id, total in rows}


def items_of(session: Session, deal_id: int) -> list[DealItem]:
    """A deal's item rows in their order."""
    return list(
        session.scalars(
            select(DealItem)
            .where(col(DealItem.deal_id) == deal_id)
            .order_by(col(DealItem.position), col(DealItem.id))
        )
    )


def deal_items_read(session: Session, deal: Deal) -> DealItems:
    """A deal's items with its amount, MRR and ARR as they add up."""
    assert deal.id is not None
    rows = items_of(session, deal.id)
    arr = recurring_minor(session, [deal.id]).get(deal.id)
    code = deal.currency
    return DealItems(
        deal_id=deal.id,
        deal=deal.title,
        currency=code,
        items=[item_read(item, deal) for item in rows],
        amount=money.from_minor(sum(i.net_minor for i in rows), code) if rows else None,
        mrr=money.from_minor(pricing.monthly_minor(arr), code) if arr is not None else None,
        arr=money.from_minor(arr, code) if arr is not None else None,
    )


def _items_sum(session: Session, deal: Deal) -> int | None:
    """The sum of the deal's items' nets, added up by the database (None: no items)."""
    return whole(
        session.scalar(
            select(exact_sum(col(DealItem.net_minor))).where(col(DealItem.deal_id) == deal.id)
        )
    )


def _move_amount(
    session: Session, deal: Deal, *, had: bool, change: int, left: bool, recurring: bool
) -> str:
    """Move the deal's amount (the sum of its items' nets) by ``change``, the net added
    less the net taken off, without reading its other items: ``had``, it had items before
    (else its amount, one typed by hand, gives way to the items'), ``left``: it has some
    after (else no amount). ``recurring``: the item changed bills every month or year,
    so the ARR is checked (exactly, by the database, only when it could be too large:
    nets are never negative, so the ARR is at most 12 × the amount). Its new amount as
    text."""
    session.flush()
    if not left:
        total = None
    elif had and deal.amount_minor is not None:
        total = deal.amount_minor + change
    else:  # the first item, or a deal whose amount was lost: the items' own sum
        total = _items_sum(session, deal)
    if total is not None:
        _kept(total, deal, f"deal {deal.title}'s amount (the sum of its items)")
        if recurring and change > 0 and 12 * total > money.max_minor(deal.currency):
            assert deal.id is not None
            annual = recurring_minor(session, [deal.id]).get(deal.id, 0)
            _kept(annual, deal, f"deal {deal.title}'s ARR")
    deal.amount_minor = total
    deal.updated_at = utcnow()
    if total is None:
        return "none"
    return money.format_money(money.from_minor(total, deal.currency), deal.currency)


def _check_not_won_with_quote(session: Session, deal: Deal) -> None:
    """``Conflict`` when the deal was won with an accepted quote: its items are what the
    customer accepted, and its amount (their net) is the won amount the reports count;
    changing them would make the deal say a figure the quote does not. Reopening the
    deal opens them to change again."""
    if deal.status != "won":
        return
    number = session.scalar(
        select(col(Quote.number))
        .where(col(Quote.deal_id) == deal.id, col(Quote.status) == "accepted")
        .order_by(col(Quote.id))
        .limit(1)
    )
    if number is not None:
        raise Conflict(
            f"deal {deal.title} was won with quote {number}: reopen it (tinycrm deal reopen "
            f"{deal.id}) to change its items, or leave them as accepted"
        )


def _resolve_item(session: Session, ref: str | int) -> tuple[DealItem, Deal]:
    number = numeric_id(ref)
    item = get_by_id(session, DealItem, number) if number is not None else None
    if item is None:
        raise NotFound(f"no deal item #{str(ref).strip()[:40]} (tinycrm deal item list DEAL)")
    deal = session.get(Deal, item.deal_id)
    assert deal is not None
    lock_deal(session, deal)  # writers of one deal's items take turns (PostgreSQL)
    fresh = session.scalars(
        select(DealItem)
        .where(col(DealItem.id) == item.id)
        .execution_options(populate_existing=True)
    ).first()
    if fresh is None:  # removed by the writer before
        raise NotFound(f"no deal item #{str(ref).strip()[:40]} (tinycrm deal item list DEAL)")
    _check_not_won_with_quote(session, deal)
    return fresh, deal


def _price_in(deal: Deal, value: Decimal | str | int) -> int:
    if isinstance(value, str) and not value.strip():
        raise Invalid("price must not be empty", field="price")
    minor, _code = validate.money_minor(value, None, default=deal.currency, field="price")
    if _code != deal.currency:
        raise Invalid(
            f"price is in {_code}, but deal {deal.title} is in {deal.currency}", field="price"
        )
    assert minor is not None
    return minor


def _event(store: Store, session: Session, deal: Deal, summary: str) -> None:
    record_event(
        store, session, action="updated", entity="deal", entity_id=deal.id, summary=summary
    )


def add_item(
    store: Store,
    deal_ref: str | int,
    product_ref: str | int,
    *,
    quantity: Decimal | str | int | None = None,
    price: Decimal | str | int | None = None,
    discount: Decimal | str | int | None = None,
) -> DealItemRead:
    """Add a product to a deal (default: one, at the product's price, no discount); the
    deal's amount becomes the sum of its items. A product in another currency than the
    deal's is refused, and so is an archived one."""
    qty = _quantity(quantity)
    off = percent(discount, "discount")
    with store.write() as session:
        deal = lock_deal(session, resolve_deal(session, deal_ref))  # writers take turns
        _check_not_won_with_quote(session, deal)
        product = lock_product(session, resolve_product(session, product_ref), share=True)
        if product.archived_at is not None:
            raise Conflict(f"product {product.name} is archived (tinycrm product list --all)")
        if product.currency != deal.currency:
            raise Conflict(
                f"product {product.name} is priced in {product.currency}, deal {deal.title} "
                f"is in {deal.currency}: add a {deal.currency} product (items are never "
                "converted)"
            )
        assert deal.id is not None and product.id is not None
        last = session.scalar(  # None: the deal's first item
            select(func.max(col(DealItem.position))).where(col(DealItem.deal_id) == deal.id)
        )
        if price is not None:
            unit_price = _price_in(deal, price)
        elif product.price_minor is not None:
            unit_price = product.price_minor
        else:
            raise Invalid(
                f"product #{product.id} {product.name} has no price (other SQL stored no "
                "whole number of minor units): give the item's with --price, or the "
                f"product's again (tinycrm product edit {product.id} --price)",
                field="price",
            )
        stamp = utcnow()
        item = DealItem(
            deal_id=deal.id,
            product_id=product.id,
            position=int(last or 0) + 1,
            name=product.name,
            sku=product.sku,
            unit=product.unit,
            recurring=product.recurring,
            quantity=qty,
            unit_price_minor=unit_price,
            discount=off,
            tax_rate=product.tax_rate,
            net_minor=0,
            created_at=stamp,
            updated_at=stamp,
        )
        item.net_minor = _net(item, deal)
        session.add(item)
        amount = _move_amount(
            session,
            deal,
            had=last is not None,
            change=item.net_minor,
            left=True,
            recurring=item.recurring is not None,
        )
        qty_text = pricing.format_quantity(pricing.unstored(qty))
        _event(
            store,
            session,
            deal,
            f"added {qty_text} × {product.name} to deal {deal.title} (amount {amount})",
        )
        session.flush()
        return item_read(item, deal)


def items_of_deals(store: Store, deal_ids: Sequence[int] | None) -> list[DealItemRead]:
    """The line items of these deals (None: of every deal), deal by deal in their order
    (the 360-degree views, ``export items``)."""
    if deal_ids is not None and not deal_ids:
        return []
    query = (
        select(DealItem, Deal)
        .join(Deal, col(Deal.id) == col(DealItem.deal_id))
        .order_by(col(DealItem.deal_id), col(DealItem.position), col(DealItem.id))
    )
    if deal_ids is not None:
        query = query.where(col(DealItem.deal_id).in_(deal_ids))
    with store.read() as session:
        rows = session.execute(query).all()
        return [item_read(item, deal) for item, deal in rows]


def list_items(store: Store, deal_ref: str | int) -> DealItems:
    """A deal's line items and what they add up to."""
    with store.read() as session:
        return deal_items_read(session, resolve_deal(session, deal_ref))


def edit_item(
    store: Store,
    ref: str | int,
    *,
    quantity: Decimal | str | int | Unset = UNSET,
    price: Decimal | str | int | Unset = UNSET,
    discount: Decimal | str | int | Unset | None = UNSET,
) -> DealItemRead:
    """Change an item's quantity, unit price or discount; the deal's amount follows."""
    with store.write() as session:
        item, deal = _resolve_item(session, ref)
        was = item.net_minor
        changes = []
        if not isinstance(quantity, Unset):
            value = _quantity(quantity)
            if value != item.quantity:
                item.quantity = value
                changes.append("quantity")
        if not isinstance(price, Unset):
            value = _price_in(deal, price)
            if value != item.unit_price_minor:
                item.unit_price_minor = value
                changes.append("price")
        if not isinstance(discount, Unset):
            value = percent(discount, "discount")
            if value != item.discount:
                item.discount = value
                changes.append("discount")
        # a net other SQL stored as no whole number is worked out again, and the deal's
        # amount from its items' own sum (which leaves such a net out)
        odd = not isinstance(was, int) or isinstance(was, bool)
        if odd and not changes:
            changes.append("net")
        if changes:
            item.net_minor = _net(item, deal)
            item.updated_at = utcnow()
            amount = _move_amount(
                session,
                deal,
                had=not odd,
                change=item.net_minor - (0 if odd else was),
                left=True,
                recurring=item.recurring is not None,
            )
            _event(
                store,
                session,
                deal,
                f"updated item {item.name} of deal {deal.title}: {', '.join(changes)} "
                f"(amount {amount})",
            )
        session.flush()
        return item_read(item, deal)


def remove_item(store: Store, ref: str | int) -> DealItemRead:
    """Take an item off its deal; the deal's amount follows (the last one gone, the deal
    has no amount, and it can be edited by hand again)."""
    with store.write() as session:
        item, deal = _resolve_item(session, ref)
        read = item_read(item, deal)
        session.delete(item)
        session.flush()
        others = session.scalar(
            select(col(DealItem.id)).where(col(DealItem.deal_id) == deal.id).limit(1)
        )
        amount = _move_amount(
            session,
            deal,
            had=True,
            change=-item.net_minor,
            left=others is not None,
            recurring=False,
        )
        _event(
            store,
            session,
            deal,
            f"removed item {item.name} from deal {deal.title} (amount {amount})",
        )
        return read

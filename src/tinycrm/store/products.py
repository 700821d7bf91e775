"""The product catalogue: what can be sold, at what price, tax and period.

A product on a deal or a quote is archived when removed, not deleted (its lines keep
pointing at it); an archived product is left out of lists unless asked for and cannot be
added to a deal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import exists, or_, select
from sqlmodel import Session, col

from tinycrm import money, pricing
from tinycrm.store import validate
from tinycrm.store.code_points import code_points
from tinycrm.store.engine import Store
from tinycrm.store.errors import Conflict, Invalid
from tinycrm.store.records import UNSET, Unset, changed_summary, is_set, record_event
from tinycrm.store.refs import lock_row, resolve
from tinycrm.store.sales_models import DealItem, Product, ProductRead, QuoteLine
from tinycrm.store.types import utcnow
from tinycrm.vocab import DEFAULT_CURRENCY

ENTITY = "product"


def describe(product: Product) -> str:
    sku = f" [{product.sku}]" if product.sku else ""
    return f"#{product.id} {product.name}{sku}"


def resolve_product(session: Session, ref: str | int) -> Product:
    """The product a REF names: id, name (case-insensitive) or SKU."""
    return resolve(
        session,
        Product,
        ref,
        what="product",
        keys=[(Product.name_key, validate.key), (Product.sku, _sku_or_none)],
        describe=describe,
    )


def _sku_or_none(text: str) -> str | None:
    return " ".join(text.split()) or None


def to_read(session: Session | None, product: Any) -> ProductRead:
    """The read model of a product row (``session`` unused: the hooks' reader signature)."""
    return ProductRead(
        id=product.id,
        name=product.name,
        sku=product.sku,
        description=product.description,
        price=None
        if product.price_minor is None
        else money.from_minor(product.price_minor, product.currency),
        currency=product.currency,
        tax=pricing.unstored(product.tax_rate),
        unit=product.unit,
        recurring=product.recurring,
        archived=product.archived_at is not None,
        archived_at=product.archived_at,
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


def percent(value: Decimal | str | int | None, what: str) -> int:
    """A percentage as typed (``19``, ``7.5``, ``"7,5 %"``) in stored thousandths."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    try:
        return pricing.stored(pricing.parse_percent(value, what))
    except (ValueError, TypeError) as exc:
        raise Invalid(str(exc), field=what.split()[-1]) from exc


def recurring(value: str | None) -> str | None:
    try:
        return pricing.recurring_choice(value)
    except ValueError as exc:
        raise Invalid(str(exc), field="recurring") from exc


def _price(
    value: Decimal | str | int | None, currency: str | None, default: str
) -> tuple[int, str]:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid("a product needs a price (--price N; 0 for a free one)", field="price")
    minor, code = validate.money_minor(value, currency, default=default, field="price")
    assert minor is not None
    return minor, code


def _sku(value: str | None) -> str | None:
    clean = validate.optional_text(value, "sku")
    if clean is not None and len(clean) > 100:
        raise Invalid("sku is too long (at most 100 characters)", field="sku")
    return clean


def _unique(session: Session, product: Product, name_key: str, sku: str | None) -> None:
    others = [col(Product.name_key) == name_key]
    if sku is not None:
        others.append(col(Product.sku) == sku)
    query = select(Product).where(or_(*others))
    if product.id is not None:
        query = query.where(col(Product.id) != product.id)
    with session.no_autoflush:  # an edited row is checked before it is written
        clash = session.scalars(query.limit(1)).first()
    if clash is None:
        return
    if clash.name_key == name_key:
        state = " (archived)" if clash.archived_at else ""
        raise Conflict(f"a product named {clash.name} already exists: #{clash.id}{state}")
    raise Conflict(f"SKU {sku} is already product #{clash.id} {clash.name}")


def add_product(
    store: Store,
    *,
    name: str,
    price: Decimal | str | int | None,
    currency: str | None = None,
    sku: str | None = None,
    tax: Decimal | str | int | None = None,
    unit: str | None = None,
    recurring_every: str | None = None,
    description: str | None = None,
) -> ProductRead:
    """Add a product to the catalogue. ``price`` is exact (``"1,200.50"``, ``"500 JPY"``,
    a Decimal); ``tax`` a percentage; ``recurring_every`` month, year or None."""
    clean = validate.name(name, "product name")
    minor, code = _price(price, currency, DEFAULT_CURRENCY)
    row = Product(
        name=clean,
        name_key=validate.key(clean),
        sku=_sku(sku),
        description=validate.optional_text(description, "description", multiline=True),
        price_minor=minor,
        currency=code,
        tax_rate=percent(tax, "tax"),
        unit=validate.optional_text(unit, "unit"),
        recurring=recurring(recurring_every),
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    with store.write() as session:
        _unique(session, row, row.name_key, row.sku)
        session.add(row)
        session.flush()
        read = to_read(session, row)
        every = f" a {row.recurring}" if row.recurring else ""
        record_event(
            store,
            session,
            action="created",
            entity=ENTITY,
            entity_id=row.id,
            summary=f"created product {clean} at "
            f"{money.format_money(read.price, read.currency)}{every}",
        )
        return read


def get_product(store: Store, ref: str | int) -> ProductRead:
    """One product by REF (archived ones too)."""
    with store.read() as session:
        return to_read(session, resolve_product(session, ref))


def list_products(
    store: Store,
    *,
    archived: bool = False,
    search: str | None = None,
    currency: str | None = None,
    recurring_only: bool = False,
    where: str | None = None,
    limit: int | None = None,
) -> list[ProductRead]:
    """The catalogue by name; archived products only with ``archived``; ``where`` a
    filter expression (``price>100 and recurring=month``)."""
    validate.filters_given(currency=currency)
    limit = validate.limit(limit)
    query = select(Product).order_by(code_points(Product.name_key), col(Product.id))
    recurring_only = validate.flag(recurring_only, "recurring")
    if not validate.flag(archived, "archived"):
        query = query.where(col(Product.archived_at).is_(None))
    if search is not None and validate.text(search, "search").strip():
        pattern = validate.contains_pattern(search)
        query = query.where(
            or_(
                validate.sql_folded(Product.name).like(pattern, escape="\\"),
                validate.sql_folded(Product.sku).like(pattern, escape="\\"),
            )
        )
    if currency:
        query = query.where(col(Product.currency) == validate.currency(currency))
    if recurring_only:
        query = query.where(col(Product.recurring).is_not(None))
    if limit:
        query = query.limit(limit)
    with store.read() as session:
        if where is not None:
            from tinycrm.store.filter_sql import resolve_where

            query = query.where(resolve_where(store, session, ENTITY, where=where))
        return [to_read(session, row) for row in session.scalars(query)]


def edit_product(
    store: Store,
    ref: str | int,
    *,
    name: str | Unset = UNSET,
    price: Decimal | str | int | Unset = UNSET,
    currency: str | Unset = UNSET,
    sku: str | Unset | None = UNSET,
    tax: Decimal | str | int | Unset | None = UNSET,
    unit: str | Unset | None = UNSET,
    recurring_every: str | Unset | None = UNSET,
    description: str | Unset | None = UNSET,
    archived: bool | Unset = UNSET,
) -> ProductRead:
    """Change a product. Deals and quotes keep the price and tax they were made with."""
    if is_set(archived):  # "no" is no yes (bool("no") is True)
        archived = validate.flag(archived, "archived")
    with store.write() as session:
        row = resolve_product(session, ref)
        if is_set(archived) and not archived and row.archived_at is None:
            raise Conflict(f"product {row.name} is not archived: nothing to restore")
        if is_set(archived) and archived and row.archived_at is not None:
            raise Conflict(f"product {row.name} is already archived")
        changes: list[str] = []

        def put(attr: str, value: Any, label: str | None = None) -> None:
            if getattr(row, attr) != value:
                setattr(row, attr, value)
                changes.append(label or attr)

        if is_set(name):
            clean = validate.name(name, "product name")
            put("name", clean)
            row.name_key = validate.key(clean)
        if is_set(price) or is_set(currency):
            if isinstance(price, Unset) and row.price_minor is None:
                raise Invalid(
                    f"product #{row.id} {row.name} has no price to change the currency of "
                    "(other SQL stored no whole number of minor units): give one with --price",
                    field="price",
                )
            if isinstance(price, Unset):
                assert row.price_minor is not None  # refused above
                value: Any = money.from_minor(row.price_minor, row.currency)
            else:
                value = price
            given = validate.currency(currency) if is_set(currency) else None
            minor, code = _price(value, given, row.currency)
            put("currency", code)
            put("price_minor", minor, "price")
        if is_set(sku):
            put("sku", _sku(sku))
        if is_set(tax):
            put("tax_rate", percent(tax, "tax"), "tax")
        if is_set(unit):
            put("unit", validate.optional_text(unit, "unit"))
        if is_set(recurring_every):
            put("recurring", recurring(recurring_every))
        if is_set(description):
            put("description", validate.optional_text(description, "description", multiline=True))
        if is_set(archived):
            put("archived_at", (row.archived_at or utcnow()) if archived else None, "archived")
        _unique(session, row, row.name_key, row.sku)
        if changes:
            row.updated_at = utcnow()
            record_event(
                store,
                session,
                action="updated",
                entity=ENTITY,
                entity_id=row.id,
                summary=changed_summary("updated", ENTITY, row.name, changes),
            )
        session.flush()
        return to_read(session, row)


def product_in_use(session: Session, product_id: int) -> bool:
    """Whether a deal item or a quote line names the product."""
    on_deal = exists().where(col(DealItem.product_id) == product_id)
    on_quote = exists().where(col(QuoteLine.product_id) == product_id)
    return bool(session.scalar(select(or_(on_deal, on_quote))))


def lock_product(session: Session, row: Product, *, share: bool = False) -> Product:
    """The product row locked until the transaction ends and read afresh (``lock_row``):
    ``share`` for a writer that puts it on a deal, else for one that deletes it, so the
    two take turns (``NotFound`` when it was deleted meanwhile)."""
    return lock_row(session, row, "product", row.name, share=share)


def remove_product(store: Store, ref: str | int) -> ProductRead:
    """Delete a product, or archive it when a deal or quote has it (``archived`` tells)."""
    with store.write() as session:
        row = lock_product(session, resolve_product(session, ref))  # an item added meanwhile
        assert row.id is not None
        if product_in_use(session, row.id):
            if row.archived_at is not None:
                raise Conflict(f"product {row.name} is already archived (deals or quotes have it)")
            row.archived_at = row.updated_at = utcnow()
            session.flush()
            record_event(
                store,
                session,
                action="archived",
                entity=ENTITY,
                entity_id=row.id,
                summary=f"archived product {row.name} (deals or quotes have it)",
            )
            return to_read(session, row)
        read = to_read(session, row)
        session.delete(row)
        record_event(
            store,
            session,
            action="deleted",
            entity=ENTITY,
            entity_id=read.id,
            summary=f"deleted product {read.name}",
        )
        return read

"""``crm.products``: the catalogue; ``crm.deals.items``: a deal's line items."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from tinycrm.api import values
from tinycrm.store.records import UNSET, Unset

if TYPE_CHECKING:
    from tinycrm.store.engine import Store
    from tinycrm.store.sales_models import DealItemRead, DealItems, ProductRead

Amount = Decimal | int | str


class Products:
    """The product catalogue. A REF is an id, a name (any case) or a SKU. Prices are
    exact: pass a ``Decimal`` or text (``"1,200.50"``, ``"500 JPY"``), never a float."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add(
        self,
        name: str,
        *,
        price: Amount,
        currency: str | None = None,
        sku: str | None = None,
        tax: Amount | None = None,
        unit: str | None = None,
        recurring: str | None = None,
        description: str | None = None,
    ) -> ProductRead:
        """Add a product: ``tax`` a percentage (``19``, ``"7.5"``), ``recurring``
        ``"month"``, ``"year"`` or None (sold once)."""
        from tinycrm.store.products import add_product

        return add_product(
            self._store,
            name=name,
            price=price,
            currency=currency,
            sku=sku,
            tax=tax,
            unit=unit,
            recurring_every=recurring,
            description=description,
        )

    def get(self, ref: str | int) -> ProductRead:
        """One product by REF (archived ones too)."""
        from tinycrm.store.products import get_product

        return get_product(self._store, ref)

    def list(
        self,
        *,
        archived: bool = False,
        search: str | None = None,
        currency: str | None = None,
        recurring: bool = False,
        where: str | None = None,
        limit: int | None = None,
    ) -> list[ProductRead]:
        """The catalogue by name: archived products only with ``archived=True``;
        ``where`` a filter expression (``"price>100 and recurring=month"``)."""
        from tinycrm.store.products import list_products

        return list_products(
            self._store,
            archived=archived,
            search=search,
            currency=currency,
            recurring_only=recurring,
            where=where,
            limit=limit,
        )

    def edit(
        self,
        ref: str | int,
        *,
        name: str | Unset = UNSET,
        price: Amount | Unset = UNSET,
        currency: str | Unset = UNSET,
        sku: str | Unset | None = UNSET,
        tax: Amount | Unset | None = UNSET,
        unit: str | Unset | None = UNSET,
        recurring: str | Unset | None = UNSET,
        description: str | Unset | None = UNSET,
        archived: bool | Unset = UNSET,
    ) -> ProductRead:
        """Change a product (deals and quotes keep what they were made with); ``None``
        clears a value; ``archived=False`` brings an archived product back."""
        from tinycrm.store.products import edit_product

        given = values.changes(
            name=name,
            price=price,
            currency=currency,
            sku=sku,
            tax=tax,
            unit=unit,
            description=description,
            archived=archived,
        )
        if recurring is not UNSET:
            given["recurring_every"] = recurring
        return edit_product(self._store, ref, **given)

    def remove(self, ref: str | int) -> ProductRead:
        """Delete a product; one on a deal or quote is archived instead (``archived``)."""
        from tinycrm.store.products import remove_product

        return remove_product(self._store, ref)


class DealItemsApi:
    """``crm.deals.items``: line items of deals. A deal with items has their sum (net of
    discounts, before tax) for its amount; an item is named by its id."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add(
        self,
        deal: str | int,
        product: str | int,
        *,
        qty: Amount | None = None,
        price: Amount | None = None,
        discount: Amount | None = None,
    ) -> DealItemRead:
        """Add a product to a deal (one, at its price, unless told); the product must be
        in the deal's currency."""
        from tinycrm.store.deal_items import add_item

        return add_item(self._store, deal, product, quantity=qty, price=price, discount=discount)

    def list(self, deal: str | int) -> DealItems:
        """The deal's items with their sum, MRR and ARR."""
        from tinycrm.store.deal_items import list_items

        return list_items(self._store, deal)

    def of_deals(self, deal_ids: Iterable[int] | None) -> builtins.list[DealItemRead]:
        """The items of several deals at once (by deal id; None: every deal's)."""
        from tinycrm.store.deal_items import items_of_deals

        return items_of_deals(self._store, None if deal_ids is None else list(deal_ids))

    def edit(
        self,
        item: int | str,
        *,
        qty: Amount | Unset = UNSET,
        price: Amount | Unset = UNSET,
        discount: Amount | Unset | None = UNSET,
    ) -> DealItemRead:
        """Change an item's quantity, unit price or discount."""
        from tinycrm.store.deal_items import edit_item

        given = values.changes(quantity=qty, price=price, discount=discount)
        return edit_item(self._store, item, **given)

    def remove(self, item: int | str) -> DealItemRead:
        """Take an item off its deal."""
        from tinycrm.store.deal_items import remove_item

        return remove_item(self._store, item)

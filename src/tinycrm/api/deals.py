"""``crm.deals``: deals moving through pipeline stages to won or lost."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING

from tinycrm.api import values
from tinycrm.store.records import UNSET, Unset

if TYPE_CHECKING:
    from tinycrm.api.products import DealItemsApi
    from tinycrm.store.engine import Store
    from tinycrm.store.models import DealRead, DealView, StageChangeRead


class Deals:
    """The deals of one open CRM. A REF is an id or an exact title."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @cached_property
    def items(self) -> DealItemsApi:
        """Line items: ``crm.deals.items.add("Acme", "Hosting", qty=2)``."""
        from tinycrm.api.products import DealItemsApi

        return DealItemsApi(self._store)

    def add(
        self,
        title: str,
        *,
        contact: str | None = None,
        company: str | None = None,
        amount: Decimal | int | str | None = None,
        currency: str | None = None,
        stage: str | None = None,
        pipeline: str | None = None,
        close: date | str | None = None,
        probability: int | None = None,
        owner: str | None = None,
        tags: str | Iterable[str] | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> DealRead:
        """Open a deal (in the first stage of the first pipeline unless told).
        ``amount`` is exact: pass a ``Decimal`` (or text), never a float.
        ``close`` is the expected close date (a ``date`` or ``"+30d"``)."""
        from tinycrm.store.deals import add_deal

        return add_deal(
            self._store,
            title=title,
            contact=contact,
            company=company,
            amount=amount,
            currency=currency,
            stage=stage,
            pipeline=pipeline,
            close_date=values.day(close, "close"),
            probability=probability,
            owner=owner,
            tags=values.names(tags),
            fields=dict(fields) if fields else None,
        )

    def get(self, ref: str | int) -> DealRead:
        """One deal by REF."""
        from tinycrm.store.deals import get_deal

        return get_deal(self._store, ref)

    def lock(self, ref: str | int) -> DealRead:
        """One deal by REF, its row locked until the write transaction it is read in
        ends (``crm.board.write``; PostgreSQL ``SELECT … FOR UPDATE``), so a check made on
        it holds until the write commits."""
        from tinycrm.store.deals import get_deal_for_write

        return get_deal_for_write(self._store, ref)

    def show(self, ref: str | int, *, limit: int | None = 20) -> DealView:
        """The 360-degree view: the deal, its stage history, tasks, activities, events."""
        from tinycrm.store.views import deal_view

        return deal_view(self._store, ref, limit=limit)

    def history(self, ref: str | int) -> list[StageChangeRead]:
        """The deal's stage changes, oldest first."""
        return list(self.show(ref).history)

    def list(
        self,
        *,
        where: str | None = None,
        segment: str | None = None,
        status: str | None = "open",
        stage: str | None = None,
        pipeline: str | None = None,
        tags: str | Iterable[str] | None = None,
        contact: str | None = None,
        company: str | None = None,
        owner: str | None = None,
        search: str | None = None,
        field: tuple[str, str | None] | str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[DealRead]:
        """Deals in pipeline and stage order; open ones unless ``status`` says
        ``won``, ``lost`` or ``None`` (every status). ``offset`` passes over that many first."""
        from tinycrm.store.deals import list_deals

        return list_deals(
            self._store,
            where=where,
            segment=segment,
            status=status,
            stage=stage,
            pipeline=pipeline,
            tags=values.names(tags),
            contact=contact,
            company=company,
            owner=owner,
            search=search,
            field=(field, None) if isinstance(field, str) else field,
            limit=limit,
            offset=offset,
        )

    def edit(
        self,
        ref: str | int,
        *,
        title: str | Unset = UNSET,
        contact: str | int | Unset | None = UNSET,
        company: str | int | Unset | None = UNSET,
        amount: Decimal | int | str | Unset | None = UNSET,
        currency: str | Unset | None = UNSET,
        close: date | str | Unset | None = UNSET,
        probability: int | Unset | None = UNSET,
        owner: str | Unset | None = UNSET,
        tag: str | Iterable[str] | None = None,
        untag: str | Iterable[str] | None = None,
        fields: Mapping[str, str] | None = None,
        unset_fields: Iterable[str] | None = None,
    ) -> DealRead:
        """Change a deal's details (``move`` changes its stage). ``None`` clears a value;
        for ``probability`` it goes back to the stage's."""
        from tinycrm.store.deals import edit_deal

        given = values.changes(
            title=title,
            contact=contact,
            company=company,
            amount=amount,
            currency=currency,
            probability=probability,
            owner=owner,
        )
        if close is not UNSET:
            given["close_date"] = values.day(close, "close")
        return edit_deal(
            self._store,
            ref,
            **given,
            add_tags=values.names(tag),
            remove_tags=values.names(untag),
            set_fields=dict(fields) if fields else None,
            unset_fields=list(unset_fields) if unset_fields else None,
        )

    def move(self, ref: str | int, stage: str, *, pipeline: str | None = None) -> DealRead:
        """Move a deal to another stage (of its pipeline, or of ``pipeline``)."""
        from tinycrm.store.deals import move_deal

        return move_deal(self._store, ref, stage, pipeline=pipeline)

    def win(self, ref: str | int) -> DealRead:
        """Close a deal as won (``tinycrm deal won``)."""
        from tinycrm.store.deals import win_deal

        return win_deal(self._store, ref)

    def lose(self, ref: str | int, *, reason: str) -> DealRead:
        """Close a deal as lost, saying why (``tinycrm deal lost``)."""
        from tinycrm.store.deals import lose_deal

        return lose_deal(self._store, ref, reason=reason)

    def reopen(self, ref: str | int) -> DealRead:
        """Reopen a won or lost deal."""
        from tinycrm.store.deals import reopen_deal

        return reopen_deal(self._store, ref)

    def remove(self, ref: str | int, *, unlink_contracts: bool = False) -> DealRead:
        """Delete a deal (``tinycrm deal rm``). A deal a contract was made from is refused
        (``Conflict`` naming them) unless ``unlink_contracts``: the contracts are kept,
        unlinked from it."""
        from tinycrm.store.deals import remove_deal

        return remove_deal(self._store, ref, unlink_contracts=unlink_contracts)

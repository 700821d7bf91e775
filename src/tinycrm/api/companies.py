"""``crm.companies``: the organisations contacts work at and deals are with."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from tinycrm.api import values
from tinycrm.store.records import UNSET, Unset

if TYPE_CHECKING:
    from tinycrm.store.engine import Store
    from tinycrm.store.models import CompanyRead, CompanyView
    from tinycrm.store.removals import CompanyRemoved, Removal


class Companies:
    """The companies of one open CRM. A REF is an id, a domain or an exact name."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add(
        self,
        name: str,
        *,
        domain: str | None = None,
        industry: str | None = None,
        size: int | None = None,
        phone: str | None = None,
        address: str | None = None,
        city: str | None = None,
        country: str | None = None,
        owner: str | None = None,
        tags: str | Iterable[str] | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> CompanyRead:
        """Add a company."""
        from tinycrm.store.companies import add_company

        return add_company(
            self._store,
            name=name,
            domain=domain,
            industry=industry,
            size=size,
            phone=phone,
            address=address,
            city=city,
            country=country,
            owner=owner,
            tags=values.names(tags),
            fields=dict(fields) if fields else None,
        )

    def get(self, ref: str | int) -> CompanyRead:
        """One company by REF."""
        from tinycrm.store.companies import get_company

        return get_company(self._store, ref)

    def lock(self, ref: str | int) -> CompanyRead:
        """One company by REF, its row locked until the write transaction it is read in
        ends (``crm.board.write``; PostgreSQL ``SELECT … FOR UPDATE``), so a check made on
        it holds until the write commits."""
        from tinycrm.store.companies import get_company_for_write

        return get_company_for_write(self._store, ref)

    def show(self, ref: str | int, *, limit: int | None = 20) -> CompanyView:
        """The 360-degree view: the company, its contacts, deals, tasks, activities, events."""
        from tinycrm.store.views import company_view

        return company_view(self._store, ref, limit=limit)

    def list(
        self,
        *,
        where: str | None = None,
        segment: str | None = None,
        tags: str | Iterable[str] | None = None,
        owner: str | None = None,
        search: str | None = None,
        field: tuple[str, str | None] | str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[CompanyRead]:
        """Companies by name, filtered (``where`` is the filter language of ``--where``);
        ``offset`` passes over that many first (ties on the name in id order)."""
        from tinycrm.store.companies import list_companies

        return list_companies(
            self._store,
            where=where,
            segment=segment,
            tags=values.names(tags),
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
        name: str | Unset = UNSET,
        domain: str | Unset | None = UNSET,
        industry: str | Unset | None = UNSET,
        size: int | Unset | None = UNSET,
        phone: str | Unset | None = UNSET,
        address: str | Unset | None = UNSET,
        city: str | Unset | None = UNSET,
        country: str | Unset | None = UNSET,
        owner: str | Unset | None = UNSET,
        tag: str | Iterable[str] | None = None,
        untag: str | Iterable[str] | None = None,
        fields: Mapping[str, str] | None = None,
        unset_fields: Iterable[str] | None = None,
    ) -> CompanyRead:
        """Change a company: what is left out is kept, ``None`` clears a value."""
        from tinycrm.store.companies import edit_company

        given = values.changes(
            name=name,
            domain=domain,
            industry=industry,
            size=size,
            phone=phone,
            address=address,
            city=city,
            country=country,
            owner=owner,
        )
        return edit_company(
            self._store,
            ref,
            **given,
            add_tags=values.names(tag),
            remove_tags=values.names(untag),
            set_fields=dict(fields) if fields else None,
            unset_fields=list(unset_fields) if unset_fields else None,
        )

    def removal(self, ref: str | int) -> Removal:
        """What deleting the company would take with it and keep unlinked (counts, and
        the contracts and cases it is with): nothing is written."""
        from tinycrm.store.companies import company_removal

        return company_removal(self._store, ref)

    def remove(self, ref: str | int, *, unlink_contracts_and_cases: bool = False) -> CompanyRemoved:
        """Delete a company (``tinycrm company rm``): activities and tasks only about it,
        its tags and custom fields go; its contacts, deals and other activities stay,
        unlinked. A company a contract or support case is with is refused (``Conflict``
        naming them) unless ``unlink_contracts_and_cases``. The result's ``removed``
        counts what went."""
        from tinycrm.store.companies import remove_company

        return remove_company(
            self._store, ref, unlink_contracts_and_cases=unlink_contracts_and_cases
        )

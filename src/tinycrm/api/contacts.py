"""``crm.contacts``: people, their roles, lifecycle, consent and duplicates."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from tinycrm.api import values
from tinycrm.store.records import UNSET, Unset

if TYPE_CHECKING:
    from tinycrm.store.contacts import ContactFilters
    from tinycrm.store.dupes import DuplicateRead, MergeRead
    from tinycrm.store.engine import Store
    from tinycrm.store.models import ContactRead, ContactView
    from tinycrm.store.removals import ContactRemoved, Removal


class Contacts:
    """The contacts of one open CRM. A REF is an id, an email or an exact name."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add(
        self,
        name: str,
        *,
        email: str | None = None,
        phone: str | None = None,
        title: str | None = None,
        role: str | None = None,
        company: str | None = None,
        lifecycle: str | None = None,
        lead_status: str | None = None,
        source: str | None = None,
        owner: str | None = None,
        notes: str | None = None,
        cadence: int | str | None = None,
        tags: str | Iterable[str] | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> ContactRead:
        """Add a contact. ``company`` is a REF; a name no company has creates one.
        ``cadence``: keep in touch every N days (``30``, ``"2w"``, ``"3m"``)."""
        from tinycrm.store.contacts import add_contact

        return add_contact(
            self._store,
            name=name,
            email=email,
            phone=phone,
            title=title,
            role=role,
            company=company,
            lifecycle=lifecycle,
            lead_status=lead_status,
            source=source,
            owner=owner,
            notes=notes,
            cadence_days=values.cadence(cadence),
            tags=values.names(tags),
            fields=dict(fields) if fields else None,
        )

    def get(self, ref: str | int) -> ContactRead:
        """One contact by REF (``NotFound``, or ``Ambiguous`` with the candidates)."""
        from tinycrm.store.contacts import get_contact

        return get_contact(self._store, ref)

    def lock(self, ref: str | int) -> ContactRead:
        """One contact by REF, its row locked until the write transaction it is read in
        ends (``crm.board.write``; PostgreSQL ``SELECT … FOR UPDATE``), so a check made on
        it holds until the write commits."""
        from tinycrm.store.contacts import get_contact_for_write

        return get_contact_for_write(self._store, ref)

    def show(self, ref: str | int, *, limit: int | None = 20) -> ContactView:
        """The 360-degree view: the contact, company, deals, open tasks, activities, events."""
        from tinycrm.store.views import contact_view

        return contact_view(self._store, ref, limit=limit)

    def list(
        self,
        *,
        where: str | None = None,
        segment: str | None = None,
        tags: str | Iterable[str] | None = None,
        company: str | None = None,
        lifecycle: str | None = None,
        lead_status: str | None = None,
        role: str | None = None,
        owner: str | None = None,
        search: str | None = None,
        field: tuple[str, str | None] | str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[ContactRead]:
        """Contacts by name. ``where`` is the filter language of ``--where``
        (``"tag:vip and lifecycle=customer"``); every filter given must match.
        ``field`` is ``"plan"`` (set at all) or ``("plan", "pro")``; ``offset`` passes
        over that many first (ties on the name in id order, so pages never overlap)."""
        from tinycrm.store.contacts import list_contacts

        return list_contacts(self._store, **_filters(locals()))

    def stream(
        self,
        *,
        where: str | None = None,
        segment: str | None = None,
        tags: str | Iterable[str] | None = None,
        company: str | None = None,
        lifecycle: str | None = None,
        lead_status: str | None = None,
        role: str | None = None,
        owner: str | None = None,
        search: str | None = None,
        field: tuple[str, str | None] | str | None = None,
        limit: int | None = None,
    ) -> Iterator[ContactRead]:
        """The contacts :meth:`list` returns, in its order, as an iterator that reads them a
        thousand at a time: the first are there at once however many there are (what
        ``contact list`` prints a long table from). The filters are checked when this is
        called; the read stays open until the iterator is used up or closed."""
        from tinycrm.store.exports import iter_contacts

        return iter_contacts(self._store, **_filters(locals()))

    def edit(
        self,
        ref: str | int,
        *,
        name: str | Unset = UNSET,
        email: str | Unset | None = UNSET,
        phone: str | Unset | None = UNSET,
        title: str | Unset | None = UNSET,
        role: str | Unset | None = UNSET,
        company: str | Unset | None = UNSET,
        lifecycle: str | Unset | None = UNSET,
        lead_status: str | Unset | None = UNSET,
        source: str | Unset | None = UNSET,
        owner: str | Unset | None = UNSET,
        notes: str | Unset | None = UNSET,
        cadence: int | str | Unset | None = UNSET,
        unsubscribed: bool | Unset = UNSET,
        do_not_contact: bool | Unset = UNSET,
        tag: str | Iterable[str] | None = None,
        untag: str | Iterable[str] | None = None,
        fields: Mapping[str, str] | None = None,
        unset_fields: Iterable[str] | None = None,
    ) -> ContactRead:
        """Change a contact: what is left out is kept, ``None`` clears a value.
        One event lists every field that changed; nothing changed, no event."""
        from tinycrm.store.contacts import edit_contact

        given = values.changes(
            name=name,
            email=email,
            phone=phone,
            title=title,
            role=role,
            company=company,
            lifecycle=lifecycle,
            lead_status=lead_status,
            source=source,
            owner=owner,
            notes=notes,
            unsubscribed=unsubscribed,
            do_not_contact=do_not_contact,
        )
        if cadence is not UNSET:
            given["cadence_days"] = values.cadence(cadence)
        return edit_contact(
            self._store,
            ref,
            **given,
            add_tags=values.names(tag),
            remove_tags=values.names(untag),
            set_fields=dict(fields) if fields else None,
            unset_fields=list(unset_fields) if unset_fields else None,
        )

    def removal(self, ref: str | int) -> Removal:
        """What deleting the contact would take with it and keep unlinked (counts, and
        the contracts and cases it is with): nothing is written."""
        from tinycrm.store.contacts import contact_removal

        return contact_removal(self._store, ref)

    def remove(self, ref: str | int, *, unlink_contracts_and_cases: bool = False) -> ContactRemoved:
        """Delete a contact (``tinycrm contact rm``): activities and tasks only about it,
        its tags, custom fields, campaign memberships and sequence enrollments go; its
        deals and other activities stay, unlinked. A contact a contract or support case
        is with is refused (``Conflict`` naming them) unless
        ``unlink_contracts_and_cases``. The result's ``removed`` counts what went."""
        from tinycrm.store.contacts import remove_contact

        return remove_contact(
            self._store, ref, unlink_contracts_and_cases=unlink_contracts_and_cases
        )

    def dupes(
        self, *, company: str | None = None, limit: int | None = None
    ) -> builtins.list[DuplicateRead]:
        """Likely duplicate pairs: same email, same phone, or similar names at one company."""
        from tinycrm.store.dupes import find_duplicates

        return find_duplicates(self._store, company=company, limit=limit)

    def merge(self, keep: str | int, other: str | int, *, dry_run: bool = False) -> MergeRead:
        """Merge ``other`` into ``keep``: its deals, activities, tags and fields move over."""
        from tinycrm.store.dupes import merge_contacts

        return merge_contacts(self._store, keep, other, dry_run=dry_run)


def _filters(given: dict[str, Any]) -> ContactFilters:
    """The store's contact filters from :meth:`Contacts.list`'s keywords (its ``locals()``)."""
    field = given["field"]
    return {
        "where": given["where"],
        "segment": given["segment"],
        "tags": values.names(given["tags"]),
        "company": given["company"],
        "lifecycle": given["lifecycle"],
        "lead_status": given["lead_status"],
        "role": given["role"],
        "owner": given["owner"],
        "search": given["search"],
        "field": (field, None) if isinstance(field, str) else field,
        "limit": given["limit"],
        "offset": given.get("offset"),
    }

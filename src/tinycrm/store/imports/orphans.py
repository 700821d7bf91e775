"""Companies and contacts an import made for rows that did not take them (a duplicate
skipped or rejected, a record an update leaves at its own): left out before they are
written, since a record linked to nobody is not created."""

from __future__ import annotations

from typing import Any, Protocol

from tinycrm.store import validate
from tinycrm.store.bulk import BulkWriter


class _Import(Protocol):
    """What of an import (``tinycrm.store.imports.base._Import``, which calls these) the
    drops read and change: described here, since base imports this module."""

    writer: BulkWriter
    linked: dict[str, int]
    search: Any
    _domains: dict[str, int]
    _contact_names: dict[str, int | None]
    _contact_emails: dict[str, int]
    _updates: dict[frozenset[str], list[dict[str, Any]]]
    _company_refs: dict[tuple[str | None, str | None], int | None]
    _new_companies: dict[int, str]
    companies_not_created: dict[str, str]
    _new_contacts: dict[int, str]
    contacts_not_created: dict[str, str]
    _born: dict[str, list[int]]

    def _load_companies(self) -> dict[str, int]: ...


def _taken(job: _Import, column: str, entities: tuple[str, ...]) -> set[object]:
    """The ids ``column`` holds in the rows queued or updated by this chunk."""
    pending = job.writer._pending
    taken = {row.get(column) for e in entities for row in pending[e]}
    taken.update(row.get(column) for rows in job._updates.values() for row in rows)
    return taken


def _uncount(job: _Import, kind: str, dropped: set[int]) -> None:
    job.linked[kind] -= len(dropped)
    if not job.linked[kind]:
        del job.linked[kind]


def drop_contacts_not_taken(job: _Import) -> None:
    """Leave out the contacts this chunk's deal or activity rows named that none of them
    took; the names are forgotten, so a later row naming one creates it. (A contacts
    import makes its contacts otherwise: it has none here.)"""
    new, job._new_contacts = job._new_contacts, {}
    if not new:
        return
    dropped = new.keys() - _taken(job, "contact_id", ("deal", "activity"))
    if not dropped:
        return
    job.writer._pending["contact"][:] = [
        r for r in job.writer._pending["contact"] if r["id"] not in dropped
    ]
    job._born["contact"][:] = [cid for cid in job._born["contact"] if cid not in dropped]
    job.search.forget(dropped)
    _uncount(job, "contact", dropped)
    for cache in (job._contact_emails, job._contact_names):
        for ref in [k for k, v in cache.items() if v in dropped]:
            del cache[ref]
    job.contacts_not_created.update((validate.key(new[c]), new[c]) for c in sorted(dropped))


def drop_companies_not_taken(job: _Import) -> None:
    """Leave out the companies this chunk's rows named that none of them took (a
    duplicate skipped or rejected, a contact an update leaves at its own company):
    a company linked to nobody is not created. Their rows are still queued, and the
    names are forgotten, so a later row naming one creates it."""
    new, job._new_companies = job._new_companies, {}
    if not new:
        return
    dropped = new.keys() - _taken(job, "company_id", ("contact", "deal", "activity"))
    if not dropped:
        return
    pending = job.writer._pending
    pending["company"][:] = [r for r in pending["company"] if r["id"] not in dropped]
    pending["import_change"][:] = [
        r
        for r in pending["import_change"]
        if not (r["entity"] == "company" and r["entity_id"] in dropped)
    ]
    _uncount(job, "company", dropped)
    for cache in (job._load_companies(), job._domains):
        for name in [k for k, v in cache.items() if v in dropped]:
            del cache[name]
    for ref in [k for k, v in job._company_refs.items() if v in dropped]:
        del job._company_refs[ref]
    job.companies_not_created.update((validate.key(new[c]), new[c]) for c in sorted(dropped))

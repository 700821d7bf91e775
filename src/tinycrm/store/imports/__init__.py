"""Imports: many records from a file in one transaction, kept as a batch that can be undone.

``import_records`` takes rows already mapped to field names (``formats.mapping``
does that for CSV, ``formats.vcard`` for vCards), validates each with the same
rules as the single-record functions, finds duplicates, links or creates the
companies and contacts the rows name, and writes through Core in batches, all in
one transaction with one event. A row that fails is reported to ``on_reject``
and left out (``strict``: the whole import is refused). Every record created and
every field changed is kept in ``import_change`` with its value before, which is
what ``undo_import`` puts back.

Dedupe: contacts by UID, email (case-insensitive; rows without one by name and
company), then by the rules of ``contact dupes`` (``lookalikes``); companies by
domain, else name; deals by external id when the row has one, else title and
company; activities by kind, subject, time and links.

``base`` holds what every kind shares (batches, linking, dedupe, merging, writing);
``contacts``, ``companies``, ``deals`` and ``activities`` what each kind reads from a
row; ``lookalikes`` which contact a row looks like; ``undo`` the history and taking an
import back.
"""

from __future__ import annotations

from collections.abc import Iterable

from tinycrm.store import validate
from tinycrm.store.engine import Store
from tinycrm.store.errors import Invalid
from tinycrm.store.imports.activities import _Activities
from tinycrm.store.imports.base import _Import
from tinycrm.store.imports.common import (
    CHUNK,
    DUPLICATE_POLICIES,
    ENTITY,
    KINDS,
    ImportBatchRead,
    ImportRow,
    ImportSummary,
    RejectHandler,
    UndoSummary,
    _Rollback,
)
from tinycrm.store.imports.companies import _Companies
from tinycrm.store.imports.contacts import _Contacts
from tinycrm.store.imports.deals import _Deals, loose
from tinycrm.store.imports.undo import count_rows, list_imports, undo_import
from tinycrm.store.log_models import ImportBatch
from tinycrm.store.records import IMPORT_BATCH_KEY, record_event
from tinycrm.store.types import utcnow
from tinycrm.vocab import plural

__all__ = [
    "CHUNK",
    "DUPLICATE_POLICIES",
    "ENTITY",
    "KINDS",
    "ImportBatchRead",
    "ImportRow",
    "ImportSummary",
    "RejectHandler",
    "UndoSummary",
    "count_rows",
    "import_records",
    "list_imports",
    "loose",
    "undo_import",
]


_IMPORTERS: dict[str, type[_Import]] = {
    "contacts": _Contacts,
    "companies": _Companies,
    "deals": _Deals,
    "activities": _Activities,
}


def import_records(
    store: Store,
    *,
    kind: str,
    rows: Iterable[ImportRow],
    source: str,
    on_duplicate: str = "update",
    overwrite: bool = False,
    strict: bool = False,
    dry_run: bool = False,
    day_first: bool | None = None,
    usual_day_first: bool = False,
    create_stages: bool = False,
    on_reject: RejectHandler | None = None,
    decimal: str | None = None,
) -> ImportSummary:
    """Import ``rows`` of ``kind`` (contacts, companies, deals or activities) in one transaction.

    Each row is ``(line, values, raw)``: values by field name (``name``,
    ``email``, ``tags``, ``field:KEY`` …, as ``formats.mapping`` produces them).
    Duplicates are skipped, updated (empty fields filled and tags added; every
    given field with ``overwrite``, which also clears fields from blank cells) or
    rejected, per ``on_duplicate``. Rejected rows go to ``on_reject(line, reason,
    raw)``; with ``strict`` the first one refuses the whole import. Deals name
    pipelines and stages that must exist, unless ``create_stages``. ``dry_run``
    does everything and then rolls back. Dates like ``03/04/2026`` read ``day_first``
    when it is given; else one way for each column, as its dates that read only one
    way say (``date_order``), else ``usual_day_first``. One event records the import; its batch
    id (in the summary) is what ``undo_import`` takes. ``decimal`` is the decimal mark
    the file's amounts use (``","`` or ``"."``) when it is known: it decides ``1.500``
    and ``1,500``, which otherwise follow the currency (``1.500 BHD`` is 1.5 dinars).
    """
    if kind not in _IMPORTERS:
        raise Invalid(f"cannot import {kind!r} (choose from {', '.join(KINDS)})")
    if on_duplicate not in DUPLICATE_POLICIES:
        meant = validate.nearest(str(on_duplicate), DUPLICATE_POLICIES)
        raise Invalid(
            f"invalid --on-duplicate {on_duplicate!r}{meant} "
            f"(choose from {', '.join(DUPLICATE_POLICIES)})"
        )
    now = utcnow()
    try:
        with store.write() as session:
            batch = ImportBatch(kind=kind, source=source, at=now, actor=store.user)
            session.add(batch)
            session.flush()
            assert batch.id is not None
            session.info[IMPORT_BATCH_KEY] = batch.id  # hooks see each row it writes
            extra = {"create_stages": create_stages} if kind == "deals" else {}
            job = _IMPORTERS[kind](
                store,
                session,
                batch.id,
                now,
                **extra,
                on_duplicate=on_duplicate,
                overwrite=overwrite,
                strict=strict,
                day_first=day_first,
                usual_day_first=usual_day_first,
                on_reject=on_reject,
                decimal=decimal,
            )
            job.run(rows)
            batch.created, batch.updated = job.created, job.updated
            batch.skipped, batch.rejected = job.skipped, job.rejected
            word = ENTITY[kind]
            summary = f"imported {plural(job.created + job.updated, word)} from {source}"
            details = [f"{job.created:,} new", f"{job.updated:,} updated"]
            details += [f"{plural(n, what)} created" for what, n in sorted(job.linked.items())]
            record_event(
                store,
                session,
                action="imported",
                entity=word,
                entity_id=None,
                summary=f"{summary} (import #{batch.id}: {', '.join(details)})",
            )
            if kind in ("contacts", "activities") and (job.created or job.updated):
                # New contacts and new behaviour change lead scores: rescore in this
                # transaction, as `tinycrm score` would.
                from tinycrm.store.scoring import recompute_scores

                recompute_scores(store, quiet=True)
            result = ImportSummary(
                batch_id=None if dry_run else batch.id,
                kind=kind,
                source=source,
                created=job.created,
                updated=job.updated,
                skipped=job.skipped,
                rejected=job.rejected,
                linked_created=dict(job.linked),
                dry_run=dry_run,
                emails_not_taken=tuple(getattr(job, "emails_not_taken", {}).values()),
                companies_not_created=tuple(job.companies_not_created.values()),
                contacts_not_created=tuple(job.contacts_not_created.values()),
                mail_deleted=getattr(job, "mail_deleted", 0),
            )
            if dry_run:
                raise _Rollback(result)
            return result
    except _Rollback as rollback:
        return rollback.result  # type: ignore[no-any-return]

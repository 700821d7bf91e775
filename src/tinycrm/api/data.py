"""``crm.imports`` and ``crm.exports``: many records in and out, and the whole database
as one dump (``tinycrm import`` and ``tinycrm export``).

Files are read and written by the caller (``tinycrm.formats`` reads CSV, vCard and
JSON into rows; the command line writes CSV, JSON and vCard): these take and give
records, so a script can import rows it built itself and export to anywhere.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

from tinycrm.api import values

if TYPE_CHECKING:
    from tinycrm.store.dump import DumpSource
    from tinycrm.store.engine import Store
    from tinycrm.store.imports import ImportBatchRead, ImportRow, ImportSummary, UndoSummary

RejectHandler = Callable[[int, str, Any], None]
"""Told of each rejected row: its line, the reason, the raw record it came from."""


class Imports:
    """Imports: rows in, in one transaction, kept as a batch that can be undone."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def rows(
        self,
        kind: str,
        rows: Iterable[ImportRow],
        *,
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
        """Import ``rows`` of ``kind`` (contacts, companies, deals or activities).

        Each row is ``(line, {field: text}, raw)`` with the field names of ``--map``
        (``name``, ``email``, ``tags``, ``field:KEY`` …); ``source`` names where they came
        from in the history. A row matching a record is skipped, updated (empty fields
        filled, tags added; every given field with ``overwrite``) or rejected, per
        ``on_duplicate``. Rejected rows go to ``on_reject``; with ``strict`` the first
        refuses the whole import. ``dry_run`` does everything, then writes nothing.
        ``decimal`` is the decimal mark of the amounts (``","`` or ``"."``; default:
        read from each amount). Dates like ``03/04/2026`` read day first or month first
        as ``day_first`` says; without it, one way for each column, as its dates that can
        only read one way say (a column with both is refused), else ``usual_day_first``.
        One event records the import; ``summary.batch_id`` is what ``undo`` takes."""
        from tinycrm.store.imports import import_records

        return import_records(
            self._store,
            kind=kind,
            rows=rows,
            source=source,
            on_duplicate=on_duplicate.strip().lower(),
            overwrite=overwrite,
            strict=strict,
            dry_run=dry_run,
            day_first=day_first,
            usual_day_first=usual_day_first,
            create_stages=create_stages,
            on_reject=on_reject,
            decimal=decimal,
        )

    def history(self, *, limit: int | None = None) -> list[ImportBatchRead]:
        """Past imports, newest first (``tinycrm import history``)."""
        from tinycrm.store.imports import list_imports

        return list_imports(self._store, limit=limit)

    def undo(self, batch: int | None = None, *, dry_run: bool = False) -> UndoSummary:
        """Undo an import (the last one unless ``batch``): what it created goes, what it
        changed goes back, unless changed since (``tinycrm import undo``)."""
        from tinycrm.store.imports import undo_import

        return undo_import(self._store, batch, dry_run=dry_run)

    def restore(self, dump: dict[str, Any] | DumpSource) -> dict[str, int]:
        """Load a dump (``crm.exports.dump()``, or a ``tinycrm export all`` file read a
        table at a time by ``tinycrm.formats.dump_reader.DumpFile``) into an empty
        database, in one transaction; return the rows restored per table."""
        from tinycrm.store.dump import restore_database

        return restore_database(self._store, dump)


def check_dump(dump: DumpSource) -> None:
    """``Invalid`` in one line when ``crm.imports.restore`` would refuse the dump
    ``dump`` whatever the database (not a tinycrm dump, another version, no tables):
    checked before a database is opened, so a refused dump makes none."""
    from tinycrm.store.dump import check_dump as checked

    checked(dump)


class Exports:
    """Exports: records as ``tinycrm export`` writes them, and the whole database."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def contacts(
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
        times: Literal["datetime", "iso"] = "datetime",
    ) -> Iterator[Any]:
        """Contacts filtered as ``crm.contacts.list`` filters them, streamed for files of
        any size: first ``(keys, field_names)`` (the keys of each contact, ``tags`` and
        ``fields`` last, and the custom field names in use), then lists of contacts,
        each a list of values in ``keys`` order. ``times="iso"`` gives times as text."""
        from tinycrm.store.exports import stream_contacts

        return stream_contacts(
            self._store,
            where=where,
            segment=segment,
            tags=values.names(tags),
            company=company,
            lifecycle=lifecycle,
            lead_status=lead_status,
            role=role,
            owner=owner,
            search=search,
            field=(field, None) if isinstance(field, str) else field,
            limit=limit,
            times=times,
        )

    def contact_lines(
        self,
        *,
        cell: Callable[[Any], str],
        quoted: str,
        prefixes: Sequence[str],
        **filters: Any,
    ) -> Iterator[Any] | None:
        """On SQLite, what ``contacts`` gives (the same filters) as CSV lines the
        database builds: first ``(keys, field_names)``, then lists of lines without
        line ends. ``cell`` writes one value as a CSV cell (quoted as needed): the
        cells SQL cannot judge exactly go through it, so the lines are what writing
        ``contacts``' rows cell by cell gives; ``quoted`` are the characters that make a
        cell quoted, ``prefixes`` the starts that mark a formula. ``None`` elsewhere."""
        from tinycrm.store.csv_lines import stream_contact_lines

        tags, field = filters.pop("tags", None), filters.pop("field", None)
        return stream_contact_lines(
            self._store,
            cell=cell,
            quoted=quoted,
            prefixes=prefixes,
            tags=values.names(tags),
            field=(field, None) if isinstance(field, str) else field,
            **filters,
        )

    def records(
        self,
        rows: Sequence[Any],
        *,
        mode: Literal["python", "json"] = "python",
        mail: bool = False,
    ) -> builtins.list[dict[str, Any]]:
        """Deals, activities or tasks (read models) as export records: their keys, with
        ``contact_email`` after ``contact`` (a name is not unique; an import finds the
        contact by its email first); with ``mail`` (activities), each logged mail's
        ``mail_key`` and ``direction`` after ``channel`` (an import of them knows the
        mail, and mail sync does not log it again)."""
        from tinycrm.store.exports import contact_emails, mail_keys

        emails = contact_emails(self._store, (row.contact_id for row in rows))
        keys = mail_keys(self._store, (row.id for row in rows)) if mail else {}
        records = []
        for row in rows:
            record: dict[str, Any] = {}
            for key, value in row.model_dump(mode=mode).items():
                record[key] = value
                if key == "contact":
                    record["contact_email"] = emails.get(row.contact_id)
                elif key == "channel" and mail:
                    record["mail_key"], record["direction"] = keys.get(row.id, (None, None))
            records.append(record)
        return records

    def everything(self) -> dict[str, builtins.list[Any]]:
        """Companies, contacts, deals (every status), activities and tasks (done ones too),
        contracts, support cases, products (archived too), deal items and quotes, read in
        one consistent snapshot (``tinycrm export all --format csv``)."""
        from tinycrm.store.activities import list_activities, list_tasks
        from tinycrm.store.cases import list_cases
        from tinycrm.store.companies import list_companies
        from tinycrm.store.contacts import list_contacts
        from tinycrm.store.contracts import list_contracts
        from tinycrm.store.deal_items import items_of_deals
        from tinycrm.store.deals import list_deals
        from tinycrm.store.products import list_products
        from tinycrm.store.quotes import list_quotes

        with self._store.read():
            return {
                "companies": list_companies(self._store),
                "contacts": list_contacts(self._store),
                "deals": list_deals(self._store, status=None),
                "activities": list_activities(self._store, tasks=False, limit=None),
                "tasks": list_tasks(self._store, scope="all"),
                "contracts": list_contracts(self._store),
                "cases": list_cases(self._store, status=None),
                "products": list_products(self._store, archived=True),
                "items": items_of_deals(self._store, None),
                "quotes": list_quotes(self._store),
            }

    def dump_lines(self) -> Iterator[Any] | None:
        """On SQLite, ``dump()`` as the lines of its file, built by the database: first
        the head (everything but ``tables``), then ``(table, lines)`` pairs, each a row
        as ``tinycrm.formats.jsondump.dump_row`` writes it (a table may come in several
        parts). ``None`` elsewhere."""
        from tinycrm.store.dump_lines import stream_dump_lines

        return stream_dump_lines(self._store)

    def dump(self) -> dict[str, Any]:
        """Every row of every table in one snapshot, JSON-ready: what ``tinycrm export all``
        writes and ``crm.imports.restore`` loads."""
        from tinycrm.store.dump import dump_database

        return dump_database(self._store)

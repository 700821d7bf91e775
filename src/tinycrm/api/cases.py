"""``crm.cases``: support cases with their thread, SLA targets and satisfaction.

::

    case = crm.cases.add("Cannot log in", contact="ada@acme.com", priority="high")
    crm.cases.reply(case.id, "Reset your password here: …")   # the first response
    crm.cases.resolve(case.id, csat=5)
    crm.cases.import_csat("survey.csv")                        # scores from a file
    crm.cases.list(breached=True)                              # past a target
    crm.cases.report(by="priority")                            # tinycrm report cases
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from typing import IO, TYPE_CHECKING

from tinycrm.api import values

if TYPE_CHECKING:
    from tinycrm.store.engine import Store
    from tinycrm.store.reports.cases import CaseReport
    from tinycrm.store.service_models import CaseRead, CaseView, CsatImport


class Cases:
    """The support cases of one open CRM. A case's REF is its id."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def add(
        self,
        subject: str,
        *,
        contact: str | int,
        company: str | None = None,
        priority: str | None = None,
        body: str | None = None,
        channel: str | None = None,
        owner: str | None = None,
    ) -> CaseRead:
        """Open a case for a contact (its company unless ``company``): ``priority`` low,
        normal (default), high or urgent sets its SLA due times; ``body`` is the customer's
        message; ``channel`` email, phone, chat or web."""
        from tinycrm.store.cases import add_case

        return add_case(
            self._store,
            subject=subject,
            contact=contact,
            company=company,
            priority=priority,
            body=body,
            channel=channel,
            owner=owner,
        )

    def get(self, ref: str | int) -> CaseRead:
        """One case by id."""
        return self.show(ref).case

    def lock(self, ref: str | int) -> CaseRead:
        """One case by id, its row locked until the write transaction it is read in ends
        (``crm.board.write``; PostgreSQL ``SELECT … FOR UPDATE``), so a check made on it
        holds until the write commits."""
        from tinycrm.store.cases import get_case_for_write

        return get_case_for_write(self._store, ref)

    def show(self, ref: str | int) -> CaseView:
        """A case with its thread, oldest message first."""
        from tinycrm.store.cases import case_view

        return case_view(self._store, ref)

    def list(
        self,
        *,
        status: str | Sequence[str] | None = "unresolved",
        priority: str | None = None,
        owner: str | None = None,
        breached: bool = False,
        contact: str | None = None,
        company: str | None = None,
        where: str | None = None,
        limit: int | None = None,
    ) -> list[CaseRead]:
        """Cases, most urgent first: unresolved ones (new, open, pending) unless ``status``
        says otherwise (one, several, or None for all); ``breached``: only those past an
        SLA target; ``where``: the filter language (``priority=urgent and status!=closed``)."""
        from tinycrm.store.cases import list_cases

        return list_cases(
            self._store,
            status=status,
            priority=priority,
            owner=owner,
            breached=breached,
            contact=contact,
            company=company,
            where=where,
            limit=limit,
        )

    def reply(self, ref: str | int, text: str, *, note: bool = False) -> CaseRead:
        """Reply to the customer (the first reply is the first response); ``note``: an
        internal note instead, which does not count as a response."""
        from tinycrm.store.cases import reply_case

        return reply_case(self._store, ref, text, note=note)

    def set_status(self, ref: str | int, status: str) -> CaseRead:
        """Move a case to new, open, pending, resolved or closed."""
        from tinycrm.store.cases import set_case_status

        return set_case_status(self._store, ref, status)

    def resolve(
        self, ref: str | int, *, csat: int | None = None, comment: str | None = None
    ) -> CaseRead:
        """Resolve a case, with the customer's CSAT score 1-5 (and comment) when known;
        on a case resolved already, record the score that came later."""
        from tinycrm.store.cases import resolve_support_case

        return resolve_support_case(self._store, ref, csat=csat, comment=comment)

    def import_csat(
        self,
        file: str | os.PathLike[str] | IO[bytes],
        *,
        name: str | None = None,
        overwrite: bool = False,
        dry_run: bool = False,
    ) -> CsatImport:
        """Record CSAT scores from a CSV file (a path, or a binary stream named ``name``):
        columns ``case`` (or ``case_id``, ``id``), ``csat`` (or ``score``, ``rating``: 1-5)
        and optionally ``comment``; read as every CSV import is (encoding, delimiter,
        Excel's ``sep=``). All or nothing: each case must exist and be resolved or closed;
        a different score than a case has needs ``overwrite``; the same one is left
        alone. The first bad line raises ``Invalid`` (``line 4: case #99 does not
        exist``) and nothing is written; ``dry_run`` says what would change."""
        from tinycrm.formats.csat import read_csat
        from tinycrm.store.case_csat import import_csat

        if isinstance(file, str | os.PathLike):
            source = name or os.fspath(file)
            with open(file, "rb") as stream:
                rows = read_csat(stream, name=source)
        else:
            source = name or str(getattr(file, "name", "stream"))
            rows = read_csat(file, name=source)
        return import_csat(self._store, rows, source=source, overwrite=overwrite, dry_run=dry_run)

    def reopen(self, ref: str | int) -> CaseRead:
        """Reopen a resolved or closed case."""
        from tinycrm.store.cases import reopen_case

        return reopen_case(self._store, ref)

    def edit(
        self,
        ref: str | int,
        *,
        subject: str | None = None,
        priority: str | None = None,
        owner: str | None = None,
    ) -> CaseRead:
        """Change the subject, priority (the SLA due times follow) or owner."""
        from tinycrm.store.cases import edit_case

        return edit_case(self._store, ref, subject=subject, priority=priority, owner=owner)

    def remove(self, ref: str | int) -> CaseRead:
        """Delete a case and its thread."""
        from tinycrm.store.cases import remove_case

        return remove_case(self._store, ref)

    def report(
        self,
        *,
        by: str | None = None,
        start: date | str | None = None,
        end: date | str | None = None,
    ) -> CaseReport:
        """``tinycrm report cases``: opened, resolved, median first response and
        resolution in working hours, share within SLA, backlog, average CSAT."""
        from tinycrm.store.reports.cases import case_report

        return case_report(
            self._store, by=by, start=values.day(start, "from"), end=values.day(end, "to")
        )

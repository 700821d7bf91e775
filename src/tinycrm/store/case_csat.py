"""CSAT scores for many cases at once, from a file (``tinycrm case csat-import``).

The rows come checked from :mod:`tinycrm.formats.csat` (a case id, a score 1-5, a
comment). Here they meet the database: every case must exist and be resolved or
closed, a case may appear once, and a score that differs from the one a case has
already is only replaced with ``overwrite``. All of it in one transaction: the first
bad line refuses the whole file, naming the line, and nothing is written. Each score
recorded goes through :func:`tinycrm.store.cases.rate_case`, so the feed gets the same
``rated`` event as ``case resolve --csat``, and webhooks one delivery per case; the
hooks are called once with the list (as for an import's undo).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from tinycrm.formats.csat import CsatRow
from tinycrm.store import validate
from tinycrm.store.cases import rate_case, stored_csat
from tinycrm.store.engine import Store, chunks
from tinycrm.store.errors import Invalid
from tinycrm.store.records import mark_bulk
from tinycrm.store.refs import can_be_id
from tinycrm.store.service_models import CsatChange, CsatImport, SupportCase
from tinycrm.store.types import utcnow

RATED = ("resolved", "closed")


def _cases(session: Session, ids: list[int], *, lock: bool) -> dict[int, SupportCase]:
    found: dict[int, SupportCase] = {}
    wanted = sorted({i for i in ids if can_be_id(session, i)})
    pg = session.get_bind().dialect.name == "postgresql"
    for chunk in chunks(wanted, 500):
        query = select(SupportCase).where(col(SupportCase.id).in_(chunk))
        if lock and pg:
            query = query.with_for_update()
        for case in session.scalars(query):
            assert case.id is not None
            found[case.id] = case
    return found


def _comments(rows: Sequence[CsatRow]) -> list[str | None]:
    """Each row's comment as the store keeps text; a duplicate case refused."""
    first: dict[int, int] = {}
    out: list[str | None] = []
    for row in rows:
        if row.case_id in first:
            raise Invalid(
                f"line {row.line}: case #{row.case_id} is on line {first[row.case_id]} too"
            )
        first[row.case_id] = row.line
        try:
            out.append(validate.optional_text(row.comment, "comment", multiline=True))
        except Invalid as exc:
            raise Invalid(f"line {row.line}: {exc}", field="comment") from None
    return out


def import_csat(
    store: Store,
    rows: Sequence[CsatRow],
    *,
    source: str,
    overwrite: bool = False,
    dry_run: bool = False,
    now: datetime | None = None,
) -> CsatImport:
    """Record the CSAT score of each row's case, all or nothing. A case must exist and be
    resolved or closed; the same score again (and a blank or the same comment) changes
    nothing; a different score, or a different comment, replaces the one the case has
    only with ``overwrite`` (a new score with a blank comment clears the old comment).
    Raises ``Invalid``
    naming the line of the first problem. ``dry_run``: the same summary, nothing written."""
    overwrite = validate.flag(overwrite, "overwrite")  # "no" is no yes (bool("no"))
    dry_run = validate.flag(dry_run, "dry_run")
    comments = _comments(rows)
    stamp = now or utcnow()
    changes: list[CsatChange] = []
    unchanged = 0
    with store.read() if dry_run else store.write() as session:
        if not dry_run:
            mark_bulk(session)  # the hooks see the file once, as a list
        cases = _cases(session, [r.case_id for r in rows], lock=not dry_run)
        for row, said in zip(rows, comments, strict=True):
            case = cases.get(row.case_id)
            if case is None:
                raise Invalid(f"line {row.line}: case #{row.case_id} does not exist")
            if case.status not in RATED:
                raise Invalid(
                    f"line {row.line}: case #{row.case_id} is {case.status}, not resolved or closed"
                )
            before = stored_csat(case, named=False)  # none stored as none: given again
            if before == row.score and said in (None, case.csat_comment):
                unchanged += 1
                continue
            if before is not None and not overwrite and before != row.score:
                raise Invalid(
                    f"line {row.line}: case #{row.case_id} has CSAT {before}/5 already; "
                    "--overwrite replaces it"
                )
            if before is not None and not overwrite and case.csat_comment:
                raise Invalid(
                    f"line {row.line}: case #{row.case_id} has another CSAT comment already; "
                    "--overwrite replaces it"
                )
            changes.append(
                CsatChange(
                    line=row.line,
                    case_id=row.case_id,
                    subject=case.subject,
                    csat_before=before,
                    csat=row.score,
                    comment=said,
                )
            )
            if not dry_run:
                rate_case(store, session, case, row.score, said, stamp)
        replaced = sum(1 for c in changes if c.csat_before not in (None, c.csat))
        return CsatImport(
            source=source,
            dry_run=dry_run,
            recorded=len(changes),
            replaced=replaced,
            unchanged=unchanged,
            changes=changes,
        )

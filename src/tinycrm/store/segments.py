"""Segments: saved filters by name (``tinycrm segment``), usable as ``segment=`` in every
list and as ``segment:NAME`` in a filter. The filter language itself is compiled by
``tinycrm.store.filter_sql``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from tinycrm.store import validate
from tinycrm.store.code_points import code_points
from tinycrm.store.engine import Store
from tinycrm.store.errors import Conflict
from tinycrm.store.filter_sql import (
    MODELS,
    PLURALS,
    SEGMENT_KINDS,
    InvalidFilter,
    compile_filter,
    resolve_segment,
)
from tinycrm.store.models import (
    ReadModel,
    Segment,
)
from tinycrm.store.records import record_event
from tinycrm.store.types import utcnow

ENTITY = "segment"


class SegmentRead(ReadModel):
    id: int
    name: str
    expression: str
    kinds: list[str]  # the record kinds the expression works for
    matches: dict[str, int] | None = None  # per kind, when asked for
    created_at: datetime


def segment_kinds(
    expression: str, *, now: datetime | None = None, session: Session | None = None
) -> list[str]:
    """The record kinds ``expression`` works for; raises the most telling error if none.

    (The error of the kind that read furthest into the expression, contacts first.)
    With a ``session`` the segments it names are looked up there (they must exist, work
    on the kind, and not name it back); without one they are taken as working.
    """
    kinds: list[str] = []
    errors: list[InvalidFilter] = []
    for kind in SEGMENT_KINDS:
        try:
            compile_filter(kind, expression, now=now, session=session, check=session is None)
        except InvalidFilter as exc:
            errors.append(exc)
        else:
            kinds.append(kind)
    if not kinds:
        raise max(errors, key=lambda e: e.offset)  # max keeps the first of equals
    return kinds


def _read(row: Segment, session: Session, matches: dict[str, int] | None = None) -> SegmentRead:
    assert row.id is not None
    return SegmentRead(
        id=row.id,
        name=row.name,
        expression=row.expression,
        kinds=_kinds_of(row.expression, session),
        matches=matches,
        created_at=row.created_at,
    )


def _kinds_of(expression: str, session: Session) -> list[str]:
    try:
        return segment_kinds(expression, session=session)
    except InvalidFilter:  # saved before a field it uses was renamed
        return []


def _others_kinds(session: Session, row: Segment) -> dict[str, tuple[Segment, list[str]]]:
    """What every other segment that names a segment works on now, by name."""
    others = session.scalars(
        select(Segment).where(
            col(Segment.id) != row.id, col(Segment.expression).icontains("segment")
        )
    )
    return {other.name: (other, _kinds_of(other.expression, session)) for other in others}


def _check_users(
    session: Session, row: Segment, before: dict[str, tuple[Segment, list[str]]]
) -> None:
    """``Conflict`` if a segment that names ``row`` works on fewer kinds than ``before``
    (``row`` removed or changed)."""
    session.flush()
    for name, (other, kinds) in before.items():
        if not other.id or other not in session:
            continue
        lost = [k for k in kinds if k not in _kinds_of(other.expression, session)]
        if lost:
            raise Conflict(
                f"segment {name} uses segment {row.name} and would no longer work on "
                f"{', '.join(PLURALS[k] for k in lost)}: change or remove {name} first"
            )


def save_segment(store: Store, *, name: str, expression: str) -> SegmentRead:
    """Save a filter under a name (replacing the expression of a segment of that name).

    The expression must work on at least one kind of record; ``InvalidFilter`` says
    where it goes wrong otherwise (a ``segment:NAME`` that does not exist or names this
    one back too). ``Conflict`` where another segment naming this one would stop working.
    """
    clean_name = validate.name(name, "segment name")
    clean = validate.plain(expression, "expression").strip()
    segment_kinds(clean)  # the text first, before anything is looked up
    with store.write() as session:
        key = validate.key(clean_name)
        row = session.scalars(select(Segment).where(col(Segment.name_key) == key)).first()
        if row is None:
            row = Segment(name=clean_name, name_key=key, expression=clean, created_at=utcnow())
            session.add(row)
            action, verb = "created", "saved"
            before = {}
        elif row.expression == clean and row.name == clean_name:
            return _read(row, session)
        else:
            before = _others_kinds(session, row)
            row.name, row.expression = clean_name, clean
            action, verb = "updated", "changed"
        session.flush()
        # with the new expression in place: a loop back to this segment shows
        segment_kinds(clean, session=session)
        _check_users(session, row, before)
        record_event(
            store,
            session,
            action=action,
            entity=ENTITY,
            entity_id=row.id,
            summary=f"{verb} segment {clean_name}: {clean}",
        )
        return _read(row, session)


def list_segments(store: Store) -> list[SegmentRead]:
    """Every saved segment, by name."""
    with store.read() as session:
        rows = session.scalars(select(Segment).order_by(code_points(Segment.name_key))).all()
        return [_read(row, session) for row in rows]


def get_segment(
    store: Store, ref: str | int, *, count: bool = True, now: datetime | None = None
) -> SegmentRead:
    """One segment, with how many records of each kind it works on match (``count``;
    deals of every status)."""
    with store.read() as session:
        row = resolve_segment(session, ref)
        if not count:
            return _read(row, session)
        matches: dict[str, int] = {}
        for kind in _kinds_of(row.expression, session):
            clause = compile_filter(kind, row.expression, now=now, session=session)
            model = MODELS[kind]
            matches[kind] = session.scalar(select(func.count(model.id)).where(clause)) or 0
        return _read(row, session, matches)


def remove_segment(store: Store, ref: str | int) -> SegmentRead:
    """Delete a saved segment (records are untouched); ``Conflict`` while another segment
    names it."""
    with store.write() as session:
        row = resolve_segment(session, ref)
        read = _read(row, session)
        before = _others_kinds(session, row)
        session.delete(row)
        _check_users(session, row, before)
        record_event(
            store,
            session,
            action="deleted",
            entity=ENTITY,
            entity_id=read.id,
            summary=f"deleted segment {read.name}",
        )
        return read


__all__ = [
    "SegmentRead",
    "get_segment",
    "list_segments",
    "remove_segment",
    "save_segment",
    "segment_kinds",
]

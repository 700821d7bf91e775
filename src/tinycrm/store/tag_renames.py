"""Renaming and removing a tag on every record that carries it (``tinycrm tag rename``,
``tag rm``), and keeping the saved segments and scoring rules that name it true.

A tag is a word on records, not a record of its own: renaming it changes each record's
tags (a record that carried both names keeps one). Hooks see each record's tags before
and after, once for the whole job; the feed gets one event. A segment or scoring rule
that tests the old name (``tag:old``, ``#old``, ``tag=old``) is rewritten to the new
one, else it would silently match nothing from then on; the rest of its text stays as
typed.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, exists, select, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from tinycrm import filters
from tinycrm.store import validate
from tinycrm.store.automation_models import ScoreRule
from tinycrm.store.engine import Store
from tinycrm.store.errors import Invalid, NotFound
from tinycrm.store.models import ReadModel, Segment, Tag
from tinycrm.store.records import CHANGES_KEY, mark_bulk, note_change, record_event, tags_for
from tinycrm.store.scoring import DEFAULT_RULES, seed_rules
from tinycrm.store.tags import TAGGABLE, record_kind
from tinycrm.vocab import plural


class TagChange(ReadModel):
    """What ``rename_tag`` or ``remove_tag`` did."""

    old: str
    new: str | None  # None: removed
    records: int  # records that carried it
    merged: int = 0  # of those, records that carried the new name already (one tag now)
    segments: list[str] = []  # saved segments rewritten to the new name
    score_rules: list[str] = []  # scoring rules rewritten to the new name
    still_named_by: list[str] = []  # segments and rules that test it still (see --on, rm)


def rename_tag(store: Store, old: str, new: str, *, entity: str | None = None) -> TagChange:
    """Every record carrying tag ``old`` (of ``entity`` only, when given) carries ``new``
    instead. Saved segments and scoring rules testing ``old`` are rewritten to ``new``,
    unless only one kind of record is renamed (``entity``): a segment serves every kind,
    so those are only named (``still_named_by``); scoring rules, which score contacts,
    are rewritten when ``entity`` is contact."""
    kind = record_kind(entity)
    before, after = validate.tag(old), validate.tag(new)
    if before == after:
        raise Invalid(f"the tag is {before!r} already (tags ignore case)")
    with store.write() as session:
        carriers = _carriers(session, before, kind)
        merged = _merged(session, before, after, kind)
        _noted(session, carriers, before, after)
        other = aliased(Tag)  # the same record carrying the new name already
        already = (
            exists()
            .where(
                col(other.entity) == col(Tag.entity),
                col(other.entity_id) == col(Tag.entity_id),
                col(other.name) == after,
            )
            .correlate(Tag)
        )
        session.execute(delete(Tag).where(*_tagged(before, kind), already))
        session.execute(update(Tag).where(*_tagged(before, kind)).values(name=after))
        segments = [] if kind else _testing(session, Segment, before, after)
        rules = _rewrite_rules(store, session, before, after) if kind in (None, "contact") else []
        named = _named_by(session, before, segments=kind is not None, rules=False)
        where = f" on {kind} records" if kind else ""
        also = [f"{plural(len(segments), 'segment')}"] if segments else []
        also += [f"{plural(len(rules), 'scoring rule')}"] if rules else []
        record_event(
            store,
            session,
            action="retagged",
            entity="tag",
            entity_id=None,
            summary=f"renamed tag {before} to {after}{where}: {plural(len(carriers), 'record')}"
            + (f" ({merged} had both)" if merged else "")
            + (f"; rewrote {' and '.join(also)}" if also else ""),
        )
        return TagChange(
            old=before,
            new=after,
            records=len(carriers),
            merged=merged,
            segments=segments,
            score_rules=rules,
            still_named_by=named,
        )


def remove_tag(
    store: Store, name: str, *, entity: str | None = None, dry_run: bool = False
) -> TagChange:
    """Take tag ``name`` off every record carrying it (of ``entity`` only, when given).
    Saved segments and scoring rules that test it are left as they are, and named.
    ``dry_run``: only say what it would do (what a question before it asks about)."""
    kind = record_kind(entity)
    tag = validate.tag(name)
    with store.read() if dry_run else store.write() as session:
        carriers = _carriers(session, tag, kind)
        named = _named_by(session, tag, segments=True, rules=kind in (None, "contact"))
        if not dry_run:
            _noted(session, carriers, tag, None)
            session.execute(delete(Tag).where(*_tagged(tag, kind)))
            where = f" from {kind} records" if kind else ""
            record_event(
                store,
                session,
                action="retagged",
                entity="tag",
                entity_id=None,
                summary=f"removed tag {tag}{where}: {plural(len(carriers), 'record')}",
            )
        return TagChange(old=tag, new=None, records=len(carriers), still_named_by=named)


def _tagged(name: str, kind: str | None) -> list[ColumnElement[bool]]:
    conditions = [col(Tag.name) == name]
    if kind:
        conditions.append(col(Tag.entity) == kind)
    return conditions


def _carriers(session: Session, name: str, kind: str | None) -> list[tuple[str, int]]:
    """The records carrying tag ``name``; NotFound when there are none."""
    query = select(col(Tag.entity), col(Tag.entity_id)).where(*_tagged(name, kind))
    found = [
        (e, i) for e, i in session.execute(query.order_by(col(Tag.entity), col(Tag.entity_id)))
    ]
    if not found:
        in_use = select(col(Tag.name)).distinct().where(*_tagged(name, kind)[1:])  # the kind
        names = session.scalars(in_use).all()
        on = f"no {kind} carries" if kind else "no record carries"
        raise NotFound(f"{on} tag {name!r}{validate.nearest(name, names)}")
    return found


def _merged(session: Session, before: str, after: str, kind: str | None) -> int:
    both = aliased(Tag)
    query = (
        select(col(Tag.id))
        .join(
            both,
            (col(both.entity) == col(Tag.entity)) & (col(both.entity_id) == col(Tag.entity_id)),
        )
        .where(*_tagged(before, kind), col(both.name) == after)
    )
    return len(session.scalars(query).all())


def _noted(
    session: Session, carriers: list[tuple[str, int]], before: str, after: str | None
) -> None:
    """Hooks and webhooks see each record's tags as they were and as they will be, in
    one call for the whole job."""
    mark_bulk(session)
    if session.info.get(CHANGES_KEY) is None:
        return
    for kind in TAGGABLE:
        ids = [i for e, i in carriers if e == kind]
        for record, tags in tags_for(session, kind, ids).items():
            now = sorted({t for t in tags if t != before} | ({after} if after else set()))
            note_change(session, kind, record, "tags", tags, now)


def _rewrite_rules(store: Store, session: Session, before: str, after: str) -> list[str]:
    """Scoring rules testing tag ``before``, rewritten. The default rules, while they are
    in force unwritten, are written first when one of them names it (else renaming
    ``downloaded-pricing`` would quietly switch the default rule off)."""
    if any(_renamed(condition, before, after) for _, condition, _ in DEFAULT_RULES):
        seed_rules(store, session)  # (once: after that, the rules are the stored ones)
    return _testing(session, ScoreRule, before, after)


def _named_by(session: Session, name: str, *, segments: bool, rules: bool) -> list[str]:
    """The saved segments (and scoring rules) whose filter tests tag ``name``."""
    named = [f"segment {s}" for s in _testing(session, Segment, name)] if segments else []
    if rules:
        named += [f"scoring rule {r}" for r in _testing(session, ScoreRule, name)]
    return named


def _testing(
    session: Session, model: type[Segment | ScoreRule], before: str, after: str | None = None
) -> list[str]:
    """The names of the saved segments or scoring rules (``model``) whose filter tests tag
    ``before``; with ``after``, each rewritten to test ``after`` instead."""
    attr = "expression" if model is Segment else "condition"
    out = []
    rows: list[Segment | ScoreRule] = list(session.scalars(select(model).order_by(col(model.id))))
    for row in rows:
        text = _renamed(getattr(row, attr), before, after or before)
        if text is not None:
            if after:
                setattr(row, attr, text)
            out.append(row.name)
    return out


def _renamed(text: str, before: str, after: str) -> str | None:
    try:
        return filters.renamed_tag(text, before, after, _reads)
    except filters.FilterError:  # a filter saved before a rule changed: left as it is
        return None


def _reads(typed: str) -> str | None:
    try:
        return validate.tag(typed)
    except Invalid:  # no tag at all (the filter refuses it when it runs)
        return None

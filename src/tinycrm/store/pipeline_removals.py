"""``pipeline rm``: a whole pipeline removed, its deals moved into another first."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from tinycrm import filters
from tinycrm.store import validate
from tinycrm.store.engine import Store
from tinycrm.store.errors import Conflict, Invalid
from tinycrm.store.filter_renames import rewrite_filters
from tinycrm.store.models import Deal, Pipeline, ReadModel, Stage
from tinycrm.store.pipelines import given_pipeline, locked_deals, stages_of
from tinycrm.store.records import record_event
from tinycrm.store.refs import lock_row
from tinycrm.store.stage_changes import keep_removed_stage, stage_change
from tinycrm.store.types import utcnow
from tinycrm.vocab import plural


class PipelineRemoval(ReadModel):
    """What removing a pipeline did (or, with ``dry_run``, would do): its stages, the
    deals moved (``moved``, into ``moved_to``: how many into each of its stages, in
    order), the saved segments that still test the pipeline or one of its stages (left
    as they are: they match nothing now), and the default pipeline after it."""

    id: int
    pipeline: str
    stages: list[str] = []
    moved: int = 0
    moved_to: str = ""
    moved_into: dict[str, int] = {}
    still_named_by: list[str] = []
    default: str = ""
    default_changed: bool = False  # it was the default (first) pipeline
    dry_run: bool = False


def _pipelines(session: Session) -> list[Pipeline]:
    return list(
        session.scalars(select(Pipeline).order_by(col(Pipeline.position), col(Pipeline.id)))
    )


def remove_pipeline(
    store: Store, ref: str | int, *, move_to: str | int | None = None, dry_run: bool = False
) -> PipelineRemoval:
    """Remove a pipeline and its stages. Its deals (open, won and lost) move to the
    pipeline ``move_to`` names first, each into the stage of the same name there, else
    its first stage, with a stage change in their history (required when there are
    any). The last pipeline is kept: a deal needs one. ``dry_run`` writes nothing."""
    with store.write() as session:
        pipe = given_pipeline(session, ref)
        destination = given_pipeline(session, move_to) if move_to is not None else None
        if destination is not None and destination.id == pipe.id:
            raise Invalid("--move-to must name another pipeline")
        # both pipelines in id order, this one from other changes (FOR NO KEY UPDATE), the
        # other from changes and deletion (FOR SHARE): two removals at once, each into the
        # other, take turns (the second finds its --move-to gone), while a deal put in
        # either (which takes only a key share) does not wait here. Then this one's
        # stages: a deal put in one meanwhile comes first (and is moved), or finds it gone
        for row in sorted(filter(None, (pipe, destination)), key=lambda p: p.id or 0):
            if row is destination:
                lock_row(session, row, "pipeline", row.name, share=True)
            else:
                lock_row(session, row, "pipeline", row.name, edit=True)
        assert pipe.id is not None
        stages = stages_of(session, pipe.id)
        for stage in stages:
            lock_row(session, stage, "stage", stage.name)
        if len(_pipelines(session)) == 1:
            raise Conflict(
                f"pipeline {pipe.name} is the only pipeline: a deal needs one "
                "(add another first: tinycrm pipeline add NAME)"
            )
        deals = locked_deals(session, col(Deal.pipeline_id) == pipe.id)
        if deals and destination is None:
            raise Conflict(
                f"pipeline {pipe.name} still holds {plural(len(deals), 'deal')} "
                f"({_statuses(deals)}); give --move-to PIPELINE to move "
                f"{'it' if len(deals) == 1 else 'them'} (each into its stage of the same "
                "name there, else the first)"
            )
        default_changed = _pipelines(session)[0].id == pipe.id
        into = _move(store, session, pipe, destination, deals, dry_run=dry_run)
        named: list[str] = []
        if not dry_run:
            for stage in stages:
                keep_removed_stage(session, stage)
                session.delete(stage)
            session.flush()
            session.delete(pipe)
            session.flush()
            named = _named_in_segments(session, pipe, stages)
            moved = (
                f", {plural(len(deals), 'deal')} moved to {destination.name}"
                if destination and deals
                else ""
            )
            record_event(
                store,
                session,
                action="deleted",
                entity="pipeline",
                entity_id=pipe.id,
                summary=f"removed pipeline {pipe.name} ({plural(len(stages), 'stage')}){moved}",
            )
        return PipelineRemoval(  # (a dry run wrote nothing)
            id=pipe.id,
            pipeline=pipe.name,
            stages=[s.name for s in stages],
            moved=len(deals),
            moved_to=destination.name if destination is not None else "",
            moved_into=into,
            still_named_by=named,
            default=next(p.name for p in _pipelines(session) if p.id != pipe.id),
            default_changed=default_changed,
            dry_run=dry_run,
        )


def _statuses(deals: list[Deal]) -> str:
    counts = {s: sum(d.status == s for d in deals) for s in ("open", "won", "lost")}
    return ", ".join(f"{n} {s}" for s, n in counts.items() if n)


def _move(
    store: Store,
    session: Session,
    pipe: Pipeline,
    destination: Pipeline | None,
    deals: list[Deal],
    *,
    dry_run: bool,
) -> dict[str, int]:
    """Each deal into ``destination``'s stage of the same name as its own, else the
    first; how many went into each of its stages (in their order)."""
    if not deals or destination is None:
        return {}
    assert destination.id is not None and pipe.id is not None
    targets = stages_of(session, destination.id)
    if not targets:
        raise Invalid(f"pipeline {destination.name} has no stages to move deals into")
    for target in targets:  # not removed before the deals are moved in
        lock_row(session, target, "stage", target.name, key=True)
    by_key = {t.name_key: t for t in targets}
    own = {s.id: s for s in stages_of(session, pipe.id) if s.id is not None}
    counts = dict.fromkeys((t.name for t in targets), 0)
    now = utcnow()
    for deal in deals:
        before = own.get(deal.stage_id)
        target = by_key.get(before.name_key, targets[0]) if before else targets[0]
        counts[target.name] += 1
        if dry_run:
            continue
        assert deal.id is not None and target.id is not None
        stage_change(
            session,
            deal_id=deal.id,
            from_stage_id=deal.stage_id,
            to_stage_id=target.id,
            from_status=deal.status,
            to_status=deal.status,
            at=now,
            actor=store.user,
        )
        deal.pipeline_id, deal.stage_id = destination.id, target.id
        deal.updated_at = now
    session.flush()
    return {name: n for name, n in counts.items() if n}


def _named_in_segments(session: Session, pipe: Pipeline, stages: list[Stage]) -> list[str]:
    """The saved segments testing ``pipeline=NAME``, or ``stage=NAME`` of one of its
    stages that no other pipeline has (after the removal)."""
    keys = [("pipeline", pipe.name_key)]
    left = set(session.scalars(select(col(Stage.name_key))))
    keys += [("stage", s.name_key) for s in stages if s.name_key not in left]

    def names_one(text: str) -> str | None:
        for field, key in keys:
            if filters.renamed_value(text, field, key, key, validate.key) is not None:
                return text
        return None

    return rewrite_filters(session, names_one, rules=False, change=False)

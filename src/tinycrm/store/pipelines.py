"""Pipelines and their stages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import ColumnElement, func, select
from sqlmodel import Session, col

from tinycrm import filters
from tinycrm.safetext import quoted
from tinycrm.store import validate
from tinycrm.store.engine import Store
from tinycrm.store.errors import Conflict, Invalid, NotFound
from tinycrm.store.filter_renames import anew, rewrite_filters
from tinycrm.store.models import Deal, Pipeline, PipelineRead, ReadModel, Stage, StageRead
from tinycrm.store.records import UNSET, Unset, is_set, record_event
from tinycrm.store.refs import lock_row, numeric_id, resolve
from tinycrm.store.stage_changes import keep_removed_stage, restack_removed, stage_change
from tinycrm.store.types import utcnow
from tinycrm.vocab import DEFAULT_STAGES, plural

StageSpec = tuple[str, int, int | None]


class StageRemoval(ReadModel):
    """What removing a stage did: how many deals moved, and the saved segments that test
    the stage still (``segment NAME``), left as they are: they match nothing now."""

    moved: int
    still_named_by: list[str] = []
    stage: str = ""  # its name, as stored
    pipeline: str = ""  # the name of the pipeline it was removed from
    moved_to: str = ""  # the name of the stage its deals moved to


def resolve_pipeline(session: Session, ref: str | int | None) -> Pipeline:
    """A pipeline by id or name; ``None`` means the default (first) pipeline."""
    if ref is None or (isinstance(ref, str) and not ref.strip()):
        pipeline = session.scalars(
            select(Pipeline).order_by(col(Pipeline.position), col(Pipeline.id))
        ).first()
        if pipeline is None:
            raise NotFound("there is no pipeline yet (tinycrm pipeline add NAME)")
        return pipeline
    return resolve(
        session,
        Pipeline,
        ref,
        what="pipeline",
        keys=[(Pipeline.name_key, validate.key)],
        describe=lambda p: f"#{p.id} {p.name}",
        near=validate.sql_folded(Pipeline.name_key),
        spelt=Pipeline.name_key,
    )


def given_pipeline(session: Session, ref: str | int | None) -> Pipeline:
    """:func:`resolve_pipeline` for a pipeline the user named: ``None`` is the default, but
    a blank name (``--pipeline "$P"`` with P unset) is refused, naming the pipelines."""
    if isinstance(ref, str) and not ref.strip():
        names = session.scalars(
            select(col(Pipeline.name)).order_by(col(Pipeline.position), col(Pipeline.id))
        )
        raise Invalid(f"pipeline must not be empty (pipelines: {', '.join(names) or 'none'})")
    return resolve_pipeline(session, ref)


def stages_of(session: Session, pipeline_id: int) -> list[Stage]:
    return list(
        session.scalars(
            select(Stage).where(col(Stage.pipeline_id) == pipeline_id).order_by(col(Stage.position))
        )
    )


def resolve_stage(session: Session, pipeline: Pipeline, ref: str | int) -> Stage:
    """A stage of ``pipeline`` by name (case-insensitive), position number or id."""
    assert pipeline.id is not None
    stages = stages_of(session, pipeline.id)
    text = str(ref).strip()
    if not text:  # `deal move X "$STAGE"` with STAGE unset
        names = ", ".join(s.name for s in stages) or "none"
        raise Invalid(f"stage must not be empty (stages of {pipeline.name}: {names})")
    for stage in stages:
        if stage.name_key == validate.key(text):
            return stage
    number = numeric_id(text)
    if number is not None:
        for stage in stages:
            if stage.id == number:
                return stage
    names = ", ".join(s.name for s in stages) or "none"
    if validate.key(text).replace("closed", "").strip() in ("won", "lost"):  # on the board
        names += "; won and lost are outcomes: tinycrm deal won REF, tinycrm deal lost REF "
        names += "--reason TEXT"
    meant = validate.nearest(text, [s.name for s in stages])
    raise NotFound(
        f"unknown stage {quoted(text)} in pipeline {pipeline.name}{meant} (stages: {names})"
    )


def _stage_read(stage: Stage, pipeline: Pipeline, deals: int = 0) -> StageRead:
    return StageRead(
        id=stage.id,
        pipeline=pipeline.name,
        pipeline_id=pipeline.id,
        name=stage.name,
        position=stage.position,
        probability=stage.probability,
        rotting_days=stage.rotting_days,
        deals=deals,
    )


def _pipeline_read(session: Session, pipeline: Pipeline) -> PipelineRead:
    assert pipeline.id is not None
    counts = dict(
        session.execute(
            select(col(Deal.stage_id), func.count())
            .where(col(Deal.pipeline_id) == pipeline.id, col(Deal.status) == "open")
            .group_by(col(Deal.stage_id))
        ).all()
    )
    return PipelineRead(
        id=pipeline.id,
        name=pipeline.name,
        stages=[
            _stage_read(s, pipeline, counts.get(s.id, 0)) for s in stages_of(session, pipeline.id)
        ],
    )


def list_pipelines(store: Store) -> list[PipelineRead]:
    """Every pipeline with its stages in order and their open-deal counts."""
    with store.read() as session:
        pipelines = session.scalars(
            select(Pipeline).order_by(col(Pipeline.position), col(Pipeline.id))
        )
        return [_pipeline_read(session, p) for p in pipelines]


def get_pipeline(store: Store, ref: str | int | None = None) -> PipelineRead:
    """One pipeline (the default when ``ref`` is None)."""
    with store.read() as session:
        return _pipeline_read(session, resolve_pipeline(session, ref))


def _check_stage_name(
    session: Session, pipeline_id: int, name_key: str, exclude: int | None
) -> None:
    query = select(Stage).where(
        col(Stage.pipeline_id) == pipeline_id, col(Stage.name_key) == name_key
    )
    if exclude is not None:
        query = query.where(col(Stage.id) != exclude)
    taken = session.scalars(query).first()
    if taken is not None:  # named as stored, not by the key it is compared by
        pipeline = session.get(Pipeline, pipeline_id)
        where = f"pipeline {pipeline.name}" if pipeline is not None else "the pipeline"
        raise Conflict(f"{where} already has a stage named {taken.name!r}")


def add_pipeline(
    store: Store, *, name: str, stages: Sequence[StageSpec] | None = None
) -> PipelineRead:
    """Create a pipeline with ``stages`` (name, probability, rotting days), else the default set."""
    with store.write() as session:
        clean = validate.name(name, "pipeline name")
        if session.scalars(
            select(Pipeline).where(col(Pipeline.name_key) == validate.key(clean))
        ).first():
            raise Conflict(f"a pipeline named {clean!r} already exists")
        specs = list(stages) if stages else list(DEFAULT_STAGES)
        last = session.scalar(select(func.coalesce(func.max(col(Pipeline.position)), -1)))
        position = cast(int, last) + 1  # COALESCE: never NULL
        pipeline = Pipeline(
            name=clean, name_key=validate.key(clean), position=position, created_at=utcnow()
        )
        session.add(pipeline)
        session.flush()
        assert pipeline.id is not None
        seen: set[str] = set()
        for index, (stage_name, probability, rotting) in enumerate(specs):
            stage_clean = validate.name(stage_name, "stage name")
            if validate.key(stage_clean) in seen:
                raise Conflict(f"stage {stage_clean!r} is given twice")
            seen.add(validate.key(stage_clean))
            session.add(_new_stage(pipeline.id, stage_clean, index, probability, rotting))
        session.flush()
        record_event(
            store,
            session,
            action="created",
            entity="pipeline",
            entity_id=pipeline.id,
            summary=f"created pipeline {clean} ({plural(len(specs), 'stage')})",
        )
        return _pipeline_read(session, pipeline)


class PipelineRename(ReadModel):
    """What renaming a pipeline did: its name before and after, and the saved segments
    rewritten to test the new name (``segment NAME``)."""

    id: int
    old: str
    name: str
    rewritten: list[str] = []


def rename_pipeline(store: Store, ref: str | int, new: str) -> PipelineRename:
    """Rename a pipeline; saved segments testing ``pipeline=OLD`` test the new name (else
    they would match nothing from then on). A name another pipeline has is refused."""
    with store.write() as session:
        pipe = given_pipeline(session, ref)
        pipe = lock_row(session, pipe, "pipeline", pipe.name, edit=True)
        clean = validate.name(new, "pipeline name")
        taken = session.scalars(
            select(Pipeline).where(
                col(Pipeline.name_key) == validate.key(clean), col(Pipeline.id) != pipe.id
            )
        ).first()
        if taken is not None:
            raise Conflict(f"a pipeline named {taken.name!r} already exists")
        old, was = pipe.name, pipe.name_key
        assert pipe.id is not None
        if clean == old:
            return PipelineRename(id=pipe.id, old=old, name=clean)
        pipe.name, pipe.name_key = clean, validate.key(clean)
        rewritten: list[str] = []
        if was != pipe.name_key:
            rewritten = rewrite_filters(
                session,
                lambda text: filters.renamed_value(text, "pipeline", was, clean, validate.key),
                rules=False,  # scoring rules are about contacts, which have no pipeline
            )
        record_event(
            store,
            session,
            action="updated",
            entity="pipeline",
            entity_id=pipe.id,
            summary=f"renamed pipeline {old} to {clean}{anew(rewritten)}",
        )
        session.flush()
        return PipelineRename(id=pipe.id, old=old, name=clean, rewritten=rewritten)


def _new_stage(
    pipeline_id: int, name: str, position: int, probability: int | None, rotting: int | None
) -> Stage:
    if probability is None:
        raise Invalid("a stage needs a win probability (0-100)")
    return Stage(
        pipeline_id=pipeline_id,
        name=name,
        name_key=validate.key(name),
        position=position,
        probability=validate.probability(probability) or 0,
        rotting_days=validate.rotting_days(rotting),
    )


def _renumber(stages: list[Stage]) -> None:
    for index, stage in enumerate(stages):
        stage.position = index


def _layout(session: Session, pipeline: str | int | None) -> Pipeline:
    """The pipeline a REF names, locked against other changes to its stages until the
    transaction ends (``lock_row`` with ``edit``; a deal put in it does not wait): ``stage
    add``, ``edit``, ``move`` and ``rm`` of one pipeline take turns, each reading the
    stages the other left, so none renumbers or edits a stage deleted meanwhile. Taken
    first: the pipeline, then its stages, then their deals."""
    pipe = resolve_pipeline(session, pipeline)
    return lock_row(session, pipe, "pipeline", pipe.name, edit=True)


def add_stage(
    store: Store,
    pipeline: str | int | None,
    *,
    name: str,
    probability: int,
    rotting_days: int | None = None,
    position: int | None = None,
) -> StageRead:
    """Add a stage to a pipeline, at ``position`` (1-based) or at the end."""
    with store.write() as session:
        pipe = _layout(session, pipeline)
        assert pipe.id is not None
        clean = validate.name(name, "stage name")
        _check_stage_name(session, pipe.id, validate.key(clean), None)
        stages = stages_of(session, pipe.id)
        before = [(s.id, s.position) for s in stages if s.id is not None]
        stage = _new_stage(pipe.id, clean, len(stages), probability, rotting_days)
        session.add(stage)
        index = len(stages) if position is None else _index(position, len(stages) + 1)
        stages.insert(index, stage)
        _renumber(stages)
        session.flush()
        restack_removed(session, pipe.id, before, stages)
        record_event(
            store,
            session,
            action="created",
            entity="stage",
            entity_id=stage.id,
            summary=f"added stage {clean} ({stage.probability}%) to pipeline {pipe.name}",
        )
        return _stage_read(stage, pipe)


def _index(position: int, count: int) -> int:
    if not 1 <= position <= count:
        raise Invalid(f"position must be between 1 and {count}")
    return position - 1


def edit_stage(
    store: Store,
    pipeline: str | int | None,
    stage: str | int,
    *,
    name: str | Unset = UNSET,
    probability: int | Unset = UNSET,
    rotting_days: int | Unset | None = UNSET,
) -> StageRead:
    """Rename a stage or change its probability or rotting threshold."""
    with store.write() as session:
        pipe = _layout(session, pipeline)
        target = resolve_stage(session, pipe, stage)
        changes: list[str] = []
        if is_set(name):
            clean = validate.name(name, "stage name")
            assert pipe.id is not None
            _check_stage_name(session, pipe.id, validate.key(clean), target.id)
            if clean != target.name:
                changes.append(f"name {target.name} → {clean}")
                was = target.name_key
                target.name, target.name_key = clean, validate.key(clean)
                changes[-1] += anew(_rename_in_segments(session, was, clean))
        if is_set(probability):
            value = validate.probability(probability)
            if value is None:
                raise Invalid("a stage needs a win probability (0-100)")
            if value != target.probability:
                changes.append(f"probability {target.probability}% → {value}%")
                target.probability = value
        if is_set(rotting_days):
            value = validate.rotting_days(rotting_days)
            if value != target.rotting_days:
                changes.append(f"rotting {target.rotting_days or '-'} → {value or '-'} days")
                target.rotting_days = value
        if changes:
            record_event(
                store,
                session,
                action="updated",
                entity="stage",
                entity_id=target.id,
                summary=f"updated stage {target.name} of {pipe.name}: {', '.join(changes)}",
            )
        session.flush()
        return _stage_read(target, pipe)


def _rename_in_segments(session: Session, old: str, new: str) -> list[str]:
    """Saved segments testing ``stage=OLD`` (``old``: the key) test the new name, else they
    would match nothing from then on; not while a stage of another pipeline still has that
    name (they name it). What was rewritten, as ``segment NAME``."""
    if old == validate.key(new):
        return []
    session.flush()  # the renamed stage's new key, for the query below
    if session.scalars(select(col(Stage.id)).where(col(Stage.name_key) == old)).first():
        return []
    return rewrite_filters(
        session,
        lambda text: filters.renamed_value(text, "stage", old, new, validate.key),
        rules=False,  # scoring rules are about contacts, which have no stage
    )


def move_stage(
    store: Store, pipeline: str | int | None, stage: str | int, *, position: int
) -> PipelineRead:
    """Put a stage at ``position`` (1-based) in its pipeline's order."""
    with store.write() as session:
        pipe = _layout(session, pipeline)
        assert pipe.id is not None
        target = resolve_stage(session, pipe, stage)
        before = [(s.id, s.position) for s in stages_of(session, pipe.id) if s.id is not None]
        stages = [s for s in stages_of(session, pipe.id) if s.id != target.id]
        stages.insert(_index(position, len(stages) + 1), target)
        _renumber(stages)
        session.flush()
        restack_removed(session, pipe.id, before, stages)
        record_event(
            store,
            session,
            action="updated",
            entity="stage",
            entity_id=target.id,
            summary=f"moved stage {target.name} of {pipe.name} to position {position}",
        )
        return _pipeline_read(session, pipe)


def remove_stage(
    store: Store, pipeline: str | int | None, stage: str | int, *, move_to: str | None = None
) -> StageRemoval:
    """Remove a stage. Deals in it move to ``move_to`` (required when there are any).

    Returns how many deals were moved, and the saved segments testing the stage (none
    while a stage of another pipeline has its name: they test that one).
    """
    with store.write() as session:
        pipe = _layout(session, pipeline)
        assert pipe.id is not None
        target = resolve_stage(session, pipe, stage)
        destination: Stage | None = None
        if move_to is not None:
            destination = resolve_stage(session, pipe, move_to)
            if destination.id == target.id:
                raise Invalid("--move-to must name another stage")
        # the stage and the --move-to stage first, in id order (two removals at once, each
        # into the other's stage, wait for each other instead of deadlocking: the second
        # finds its --move-to gone), kept from being deleted; a writer putting a deal in
        # the stage meanwhile comes first, or finds it gone. Then its deals, read afresh
        # and in id order (a deal moved out meanwhile stays out)
        for row in sorted(filter(None, (target, destination)), key=lambda s: s.id or 0):
            lock_row(session, row, "stage", row.name, key=row is destination)
        deals = locked_deals(session, col(Deal.stage_id) == target.id)
        if deals and destination is None:
            raise Conflict(
                f"stage {target.name} still holds {plural(len(deals), 'deal')}; "
                "give --move-to STAGE to move them"
            )
        stages = stages_of(session, pipe.id)
        if len(stages) == 1:
            raise Conflict(f"stage {target.name} is the last stage of pipeline {pipe.name}")
        now = utcnow()
        for deal in deals:
            assert destination is not None and destination.id is not None
            assert deal.id is not None
            stage_change(
                session,
                deal_id=deal.id,
                from_stage_id=target.id,
                to_stage_id=destination.id,
                from_status=deal.status,
                to_status=deal.status,
                at=now,
                actor=store.user,
            )
            deal.stage_id = destination.id
            deal.updated_at = now
        session.flush()
        keep_removed_stage(session, target)
        before = [(s.id, s.position) for s in stages if s.id is not None]
        session.delete(target)
        _renumber(stages := [s for s in stages if s.id != target.id])
        session.flush()
        restack_removed(session, pipe.id, before, stages)
        named = _named_in_segments(session, target.name_key)
        moved = f", {plural(len(deals), 'deal')} moved to {destination.name}" if destination else ""
        record_event(
            store,
            session,
            action="deleted",
            entity="stage",
            entity_id=target.id,
            summary=f"removed stage {target.name} from {pipe.name}{moved}",
        )
        return StageRemoval(
            moved=len(deals),
            still_named_by=named,
            stage=target.name,
            pipeline=pipe.name,
            moved_to=destination.name if destination else "",
        )


def locked_deals(session: Session, where: ColumnElement[bool]) -> list[Deal]:
    """The deals ``where`` picks, in id order, locked and read afresh (a deal moved out
    while the caller waited for its locks stays out): what a removal moves."""
    return list(
        session.scalars(
            select(Deal)
            .where(where)
            .order_by(col(Deal.id))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def _named_in_segments(session: Session, key: str) -> list[str]:
    """The saved segments testing ``stage=NAME`` (``key``: the removed stage's), unless a
    stage of another pipeline still has that name."""
    if session.scalars(select(col(Stage.id)).where(col(Stage.name_key) == key)).first():
        return []
    return rewrite_filters(
        session,
        lambda text: filters.renamed_value(text, "stage", key, key, validate.key),
        rules=False,  # scoring rules are about contacts, which have no stage
        change=False,
    )

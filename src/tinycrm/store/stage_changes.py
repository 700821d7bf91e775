"""A deal's moves and closes (``stage_change``): the history the board's rotting badge,
the deal commands and the reports read.

Apart from the other logs (``log_models``) so that the board, which reads this one,
does not define those tables before its first paint (each costs every command that
imports it a few milliseconds); ``log_models`` names it too.

No ``from __future__ import annotations``, for the reason ``models`` gives.
"""

from datetime import datetime

from sqlalchemy import case, update
from sqlmodel import Field, Session, col

from tinycrm.store.models import Stage, TableModel, _created, _fk


class StageChange(TableModel, table=True):
    """One move or close of a deal: the history reports are computed from."""

    __tablename__ = "stage_change"

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(sa_column=_fk("deal.id", "CASCADE", nullable=False))
    from_stage_id: int | None = Field(
        default=None, sa_column=_fk("stage.id", "SET NULL", index=False)
    )
    to_stage_id: int | None = Field(
        default=None, sa_column=_fk("stage.id", "SET NULL", index=False)
    )
    from_status: str | None = None
    to_status: str
    at: datetime = Field(sa_column=_created())
    actor: str
    # What a removed stage leaves behind (the ids above become NULL): the stages' names
    # (written with the row, made the stage's latest name when it is removed) and, for
    # the reports, where the stage entered stood when it was removed (its pipeline and
    # position then). Read only where the id is NULL: a stage there is read as it is now.
    from_stage_name: str | None = None
    to_stage_name: str | None = None
    to_pipeline_id: int | None = None
    to_position: int | None = None


def stage_change(
    session: Session,
    *,
    deal_id: int,
    from_stage_id: int | None,
    to_stage_id: int | None,
    from_status: str | None,
    to_status: str,
    at: datetime,
    actor: str,
) -> StageChange:
    """A history row (added to ``session``), with what it needs of the stages it names
    should they be removed: their names, the pipeline and position of the one entered."""
    before = session.get(Stage, from_stage_id) if from_stage_id is not None else None
    after = session.get(Stage, to_stage_id) if to_stage_id is not None else None
    row = StageChange(
        deal_id=deal_id,
        from_stage_id=from_stage_id,
        to_stage_id=to_stage_id,
        from_status=from_status,
        to_status=to_status,
        at=at,
        actor=actor,
        from_stage_name=before.name if before else None,
        to_stage_name=after.name if after else None,
        to_pipeline_id=after.pipeline_id if after else None,
        to_position=after.position if after else None,
    )
    session.add(row)
    return row


def keep_removed_stage(session: Session, stage: Stage) -> None:
    """Before ``stage`` is deleted: the history rows naming it keep its name as it is
    now (a rename since they were written included), and those entering it where it
    stands now (its pipeline, its position before the stages after it move up)."""
    session.execute(
        update(StageChange)
        .where(col(StageChange.from_stage_id) == stage.id)
        .values(from_stage_name=stage.name)
    )
    session.execute(
        update(StageChange)
        .where(col(StageChange.to_stage_id) == stage.id)
        .values(
            to_stage_name=stage.name, to_pipeline_id=stage.pipeline_id, to_position=stage.position
        )
    )


def restack_removed(
    session: Session, pipeline_id: int, before: list[tuple[int, int]], stages: list[Stage]
) -> None:
    """After a pipeline's stages were added, moved or removed (``before``: each stage's
    id and position until then, ``stages``: them now, flushed): the removed stages'
    history rows keep standing just before the stage that followed them (or last)."""
    now = {stage.id: stage.position for stage in stages}
    ordered = [stage_id for stage_id, _ in sorted(before, key=lambda pair: pair[1])]
    moves = {}
    for old in range(len(ordered) + 1):
        follower = next((now[i] for i in ordered[old:] if i in now), len(stages))
        if follower != old:
            moves[old] = follower
    if moves:
        session.execute(
            update(StageChange)
            .where(
                col(StageChange.to_stage_id).is_(None),
                col(StageChange.to_pipeline_id) == pipeline_id,
                col(StageChange.to_position).in_(list(moves)),
            )
            .values(to_position=case(moves, value=col(StageChange.to_position)))
            .execution_options(synchronize_session=False)
        )

"""A deal's moves and closes (``stage_change``): the history the board's rotting badge,
the deal commands and the reports read.

Apart from the other logs (``log_models``) so that the board, which reads this one,
does not define those tables before its first paint (each costs every command that
imports it a few milliseconds); ``log_models`` names it too.

No ``from __future__ import annotations``, for the reason ``models`` gives.
"""

from datetime import datetime

from sqlmodel import Field

from tinycrm.store.models import TableModel, _created, _fk


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

"""A deal's stage history keeps what a removed stage was

Removing a stage set the stage references of the deals' history (``stage_change``) to
NULL: ``deal show`` read "(removed)" from then on and the cycle and funnel reports lost
the time deals had spent in it. The history rows now hold the names of the stages they
leave and enter, and, filled when the stage is removed, the pipeline and position the
stage entered had then. Existing rows get the names (and the pipeline and position) of
the stages that still exist; rows whose stage is gone already stay as they are.

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 15:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("from_stage_name", sa.String()),
    ("to_stage_name", sa.String()),
    ("to_pipeline_id", sa.Integer()),
    ("to_position", sa.Integer()),
)


def upgrade() -> None:
    for name, type_ in COLUMNS:
        op.add_column("stage_change", sa.Column(name, type_, nullable=True))
    op.execute(
        "UPDATE stage_change SET "
        "from_stage_name = (SELECT s.name FROM stage s WHERE s.id = stage_change.from_stage_id) "
        "WHERE from_stage_id IS NOT NULL"
    )
    for column, source in (("to_stage_name", "name"), ("to_pipeline_id", "pipeline_id"),
                           ("to_position", "position")):  # fmt: skip
        op.execute(
            f"UPDATE stage_change SET {column} = (SELECT s.{source} FROM stage s "
            "WHERE s.id = stage_change.to_stage_id) WHERE to_stage_id IS NOT NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("stage_change") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)

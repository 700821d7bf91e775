"""reminders, cadences, repeating tasks and sequences

Announcements record what `tinycrm remind` has told about, one row per item
and due time. Tasks gain a reminder time, a repeat rule and the sequence
enrollment that scheduled them; contacts a keep-in-touch cadence. Two indexes
let "last interaction with X" be answered from the index on big databases.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 00:37:45.085206
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import tinycrm.store.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("due_at", tinycrm.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("run_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("claimed_at", tinycrm.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("announced_at", tinycrm.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", "due_at"),
    )
    op.create_table(
        "sequence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", tinycrm.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name_key"),
    )
    op.create_table(
        "sequence_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sequence_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("day_offset", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["sequence_id"], ["sequence.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sequence_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sequence_step_sequence_id"), ["sequence_id"], unique=False
        )

    op.create_table(
        "sequence_enrollment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sequence_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("started_at", tinycrm.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("stopped_at", tinycrm.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("stop_reason", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sequence_id"], ["sequence.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sequence_enrollment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sequence_enrollment_contact_id"), ["contact_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sequence_enrollment_sequence_id"), ["sequence_id"], unique=False
        )

    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("remind_at", tinycrm.store.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("repeat", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column("enrollment_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_activity_contact_when", ["contact_id", "occurred_at"], unique=False
        )
        batch_op.create_index("ix_activity_deal_when", ["deal_id", "occurred_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_activity_enrollment_id"), ["enrollment_id"], unique=False
        )

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cadence_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("cadence_days")

    with op.batch_alter_table("activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_enrollment_id"))
        batch_op.drop_index("ix_activity_deal_when")
        batch_op.drop_index("ix_activity_contact_when")
        batch_op.drop_column("enrollment_id")
        batch_op.drop_column("repeat")
        batch_op.drop_column("remind_at")

    with op.batch_alter_table("sequence_enrollment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sequence_enrollment_sequence_id"))
        batch_op.drop_index(batch_op.f("ix_sequence_enrollment_contact_id"))

    op.drop_table("sequence_enrollment")
    with op.batch_alter_table("sequence_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sequence_step_sequence_id"))

    op.drop_table("sequence_step")
    op.drop_table("sequence")
    op.drop_table("announcement")

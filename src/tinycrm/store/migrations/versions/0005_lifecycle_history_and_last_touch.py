"""lifecycle history and last touch

Every lifecycle change of a contact is kept (churn and lifetime value are
computed from it). Existing contacts get one row: their current lifecycle,
as of when they were created. Contacts gain a last-touch channel.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 00:58:31.428377
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import tinycrm.store.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lifecycle_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("from_lifecycle", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("to_lifecycle", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("at", tinycrm.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("lifecycle_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lifecycle_change_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_lifecycle_change_contact_id"), ["contact_id"], unique=False
        )

    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("last_touch", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )

    lifecycle_change = sa.table(
        "lifecycle_change",
        sa.column("contact_id", sa.Integer),
        sa.column("from_lifecycle", sa.String),
        sa.column("to_lifecycle", sa.String),
        sa.column("at", tinycrm.store.types.UTCDateTime()),
        sa.column("actor", sa.String),
    )
    contact = sa.table(
        "contact",
        sa.column("id", sa.Integer),
        sa.column("lifecycle", sa.String),
        sa.column("created_at", tinycrm.store.types.UTCDateTime()),
        sa.column("owner", sa.String),
    )
    op.execute(
        lifecycle_change.insert().from_select(
            ["contact_id", "to_lifecycle", "at", "actor"],
            sa.select(contact.c.id, contact.c.lifecycle, contact.c.created_at, contact.c.owner),
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("last_touch")

    with op.batch_alter_table("lifecycle_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lifecycle_change_contact_id"))
        batch_op.drop_index(batch_op.f("ix_lifecycle_change_at"))

    op.drop_table("lifecycle_change")

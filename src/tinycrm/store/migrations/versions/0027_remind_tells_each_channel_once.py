"""announcement_channel: where a run of `tinycrm remind` that failed in part told its items

A run that printed the list and mailed it, and whose webhook then failed, gave all its
items back, and the next run told them again everywhere: the mail and the list twice.
One row per item (key, due time, as ``announcement``) and channel it went out on
(``stdout``, ``mail:ADDRESS``, ``webhook:HASH``, ``desktop``): the next run tells the
item only where it did not. The rows go once the item is announced.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 18:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from tinycrm.store.types import UTCDateTime

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "announcement_channel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("due_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("told_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", "due_at", "channel"),
    )


def downgrade() -> None:
    op.drop_table("announcement_channel")

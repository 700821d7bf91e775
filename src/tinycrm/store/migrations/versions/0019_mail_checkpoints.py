"""mail_checkpoint: how far `tinycrm mail sync` has read each IMAP folder

One row per account and folder: the folder's UIDVALIDITY and the last UID logged
(both 32-bit unsigned on the wire, so BIGINT). A sync reads only UIDs above it, and
advances it in the same transaction as the activities of each batch.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 16:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from tinycrm.store.types import UTCDateTime

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("folder", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account", "folder", name="ux_mail_checkpoint_folder"),
    )


def downgrade() -> None:
    op.drop_table("mail_checkpoint")

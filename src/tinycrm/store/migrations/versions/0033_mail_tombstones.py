"""mail_tombstone: a mailbox email deleted from the CRM is not logged again

``activity rm`` of an email that ``mail sync`` or ``mail import`` logged deleted its row,
and with it the key (``activity.mail_key``) by which the next run knew the message was
logged for that contact: the next run logged it again. One row per deleted message and
contact keeps that key (and the message's Date, which tells another message under the
same Message-ID from it); the mail log skips what it names. A dump carries the rows.

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-07 15:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from tinycrm.store.types import UTCDateTime

revision: str = "0033"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_tombstone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mail_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("dated_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("mail_key", "contact_id"),
    )
    op.create_index("ix_mail_tombstone_contact_id", "mail_tombstone", ["contact_id"])


def downgrade() -> None:
    op.drop_index("ix_mail_tombstone_contact_id", table_name="mail_tombstone")
    op.drop_table("mail_tombstone")

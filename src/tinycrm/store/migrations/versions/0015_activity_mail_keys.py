"""activity.mail_key and activity.direction: mail logged from a mailbox, once

``tinycrm mail import`` and ``tinycrm mail sync`` log each message as an email activity
for every known contact on it. ``mail_key`` is the message's key (its Message-ID, or a
hash of sender, date and subject when it has none) and, with the contact, is unique: the
same message read again (a re-run, another folder, IMAP after a file) is not logged twice.
``direction`` is ``in`` or ``out`` (sent by one of the user's own addresses). Both are
NULL for activities logged by hand.

A plain ``ADD COLUMN`` (and ``DROP COLUMN``) on SQLite: no table copy, the triggers stay.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 14:35:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("activity", sa.Column("mail_key", sa.String(), nullable=True))
    op.add_column("activity", sa.Column("direction", sa.String(), nullable=True))
    op.create_index(
        "ux_activity_mail_key_contact", "activity", ["mail_key", "contact_id"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ux_activity_mail_key_contact", table_name="activity")
    op.execute("ALTER TABLE activity DROP COLUMN direction")
    op.execute("ALTER TABLE activity DROP COLUMN mail_key")

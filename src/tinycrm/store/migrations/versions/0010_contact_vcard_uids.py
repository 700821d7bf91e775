"""a contact's vCard UID

khard, vdirsyncer and CardDAV servers know a card by its UID, and refuse one without
it. Every contact gets one: a new UUID for each contact there is (and for each new one
from now on), or the UID of the card it was imported from. ``ix_contact_uid`` is
unique, so an imported card whose UID is known updates that contact.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 10:40:00
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 5000


def upgrade() -> None:
    # ADD COLUMN, not batch mode's copy of the table (which would drop its search triggers)
    op.add_column("contact", sa.Column("uid", sa.String(), nullable=True))
    bind = op.get_bind()
    contact = sa.table("contact", sa.column("id", sa.Integer), sa.column("uid", sa.String))
    ids = list(bind.execute(sa.select(contact.c.id).order_by(contact.c.id)).scalars())
    update = (
        sa.update(contact)
        .where(contact.c.id == sa.bindparam("cid"))
        .values(uid=sa.bindparam("new_uid"))
    )
    for start in range(0, len(ids), CHUNK):
        bind.execute(
            update, [{"cid": i, "new_uid": str(uuid.uuid4())} for i in ids[start : start + CHUNK]]
        )
    op.create_index("ix_contact_uid", "contact", ["uid"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_contact_uid", table_name="contact")
    op.drop_column("contact", "uid")  # SQLite's own DROP COLUMN: the triggers stay

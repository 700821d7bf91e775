"""contact.phone_e164: each phone number in E.164 beside the number as typed

``+49 (0)30 1234567``, ``+49 30 1234567`` and ``030 1234567`` (with ``[phone] region =
"DE"`` in the config file) are all ``+49301234567``; an extension is kept apart as
``;ext=12``. Duplicates and ``contact list --search`` compare this form. Existing rows
are filled in here with the region the config file names at upgrade time; a number
that cannot be read (a national number with no region set) stays NULL and keeps
being compared by its digits.

A plain ``ADD COLUMN`` (and ``DROP COLUMN``) on SQLite, no batch copy: the contact
search triggers stay.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 10:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 1000


def _region() -> str | None:
    from tinycrm.config import load_config_lenient

    return load_config_lenient().phone_region


def upgrade() -> None:
    op.add_column("contact", sa.Column("phone_e164", sa.String(), nullable=True))
    op.create_index("ix_contact_phone_e164", "contact", ["phone_e164"])
    from tinycrm.phones import try_normalise

    conn = op.get_bind()
    region = _region()
    contact = sa.table("contact", sa.column("id"), sa.column("phone"), sa.column("phone_e164"))
    rows = conn.execute(
        sa.select(contact.c.id, contact.c.phone).where(contact.c.phone.is_not(None))
    ).all()
    values = []
    for cid, phone in rows:
        normalised, _ = try_normalise(phone, region)
        if normalised:
            values.append({"cid": cid, "value": normalised})
    update = (
        contact.update()
        .where(contact.c.id == sa.bindparam("cid"))
        .values(phone_e164=sa.bindparam("value"))
    )
    for start in range(0, len(values), CHUNK):
        conn.execute(update, values[start : start + CHUNK])


def downgrade() -> None:
    op.drop_index("ix_contact_phone_e164", table_name="contact")
    # SQLite 3.35+ drops a column in place: no batch copy, so the search triggers stay
    op.execute("ALTER TABLE contact DROP COLUMN phone_e164")

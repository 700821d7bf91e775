"""contact.email_key: each email address compared in its normalised form, kept as typed

Until now the store kept email-validator's normalised form of an address in lower case
and showed that; now ``contact.email`` is what the user typed (or a file held) and
``contact.email_key`` the normalised form it is compared by: uniqueness, REFs, import
matching, duplicates, search. Existing rows are filled in here: their stored address
was already that form (a key that two old rows would share, which earlier versions
could not store, keeps the address lowered as it is). A merged contact's old emails
(``contact_alias``) are looked up by key too: they are normalised the same way.

A plain ``ADD COLUMN`` (and ``DROP COLUMN``) on SQLite, no batch copy: the contact
search triggers stay.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 13:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 1000


def _key(email: str) -> str:
    from tinycrm.store.validate import stored_email_key

    return stored_email_key(email) or email


def upgrade() -> None:
    op.add_column("contact", sa.Column("email_key", sa.String(), nullable=True))
    conn = op.get_bind()
    contact = sa.table("contact", sa.column("id"), sa.column("email"), sa.column("email_key"))
    rows = conn.execute(
        sa.select(contact.c.id, contact.c.email)
        .where(contact.c.email.is_not(None))
        .order_by(contact.c.id)
    ).all()
    values, taken = [], set()
    for cid, email in rows:
        key = _key(email)
        if key in taken:
            key = email.lower()
        taken.add(key)
        values.append({"cid": cid, "value": key})
    update = (
        contact.update()
        .where(contact.c.id == sa.bindparam("cid"))
        .values(email_key=sa.bindparam("value"))
    )
    for start in range(0, len(values), CHUNK):
        conn.execute(update, values[start : start + CHUNK])
    op.create_index("ix_contact_email_key", "contact", ["email_key"], unique=True)
    alias = sa.table("contact_alias", sa.column("id"), sa.column("kind"), sa.column("value"))
    renamed = [
        {"aid": aid, "value": _key(value)}
        for aid, value in conn.execute(
            sa.select(alias.c.id, alias.c.value).where(alias.c.kind == "email")
        )
        if _key(value) != value
    ]
    if renamed:
        conn.execute(
            alias.update()
            .where(alias.c.id == sa.bindparam("aid"))
            .values(value=sa.bindparam("value")),
            renamed,
        )


def downgrade() -> None:
    # earlier versions keep (and compare) the normalised form in contact.email
    op.execute("UPDATE contact SET email = email_key WHERE email_key IS NOT NULL")
    op.drop_index("ix_contact_email_key", table_name="contact")
    # SQLite 3.35+ drops a column in place: no batch copy, so the search triggers stay
    op.execute("ALTER TABLE contact DROP COLUMN email_key")

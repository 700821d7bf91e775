"""a list's order is the same on PostgreSQL with a language's collation as on SQLite

Contacts and companies are listed by ``sort_key`` (the name folded), then id. SQLite
compares it in code point order; PostgreSQL in the database's collation, and a server set
up in a language (en_US.UTF-8, an ICU locale) passes over punctuation and puts symbols
first: '_under', '~tilde' and an emoji came before '0 zero' there and after 'zed' on
SQLite, so `contact list`, its first screen (``--limit``) and a form's completion gave the
same names in another order. The column is compared in the ``C`` collation (code points,
as SQLite) on PostgreSQL, and its index, rebuilt in that order, still serves the lists.
Nothing changes on SQLite, nor on a PostgreSQL database made with the C locale but the
column's declared collation.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("company", "contact")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:  # its index (sort_key, id) is rebuilt in the column's collation
        op.execute(f'ALTER TABLE {table} ALTER COLUMN sort_key TYPE VARCHAR COLLATE "C"')


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f'ALTER TABLE {table} ALTER COLUMN sort_key TYPE VARCHAR COLLATE "default"')

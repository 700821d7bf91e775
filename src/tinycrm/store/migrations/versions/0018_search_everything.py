"""one search for everything: a full-text index of contacts, companies, deals, activities

``tinycrm search`` and the filter ``text~`` look in it (see ``store/search_index.py``):
SQLite, one FTS5 table per kind (unicode61, accents removed, prefix indexes); PostgreSQL,
one table of tsvector documents per kind with a GIN index, folded by ``tinycrm_fold``
(unaccent where it may be created, else translate()). Triggers keep them in step; the
records there are are indexed now. The contact-name trigram index of 0002 stays: it is
what substring search of names (``contact list --search``, completion) uses.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 16:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from tinycrm.store import search_index

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("contact", "company", "deal", "activity")


def upgrade() -> None:
    search_index.install(op.get_bind(), KINDS, legacy=True)


def downgrade() -> None:
    search_index.uninstall(op.get_bind(), KINDS)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS tinycrm_fold(text)")

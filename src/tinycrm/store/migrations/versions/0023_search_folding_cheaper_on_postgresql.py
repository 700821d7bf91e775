"""PostgreSQL's search folding and trigger functions, cheaper

``tinycrm_fold`` turns the punctuation PostgreSQL's parser keeps inside words (``@ . -
/ : _ +``) into spaces with replace() rather than translate(), which cost ten times more,
and, without unaccent, looks up accents only in text that is not ASCII; the trigger
functions make a record's name into words once. The same words as before (the parser
separates words at other punctuation itself); indexing contacts costs far less.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 17:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from tinycrm.store import search_index

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    search_index.refresh_postgresql_functions(op.get_bind())


def downgrade() -> None:
    """The functions stay as they are: they fill the index the same way."""

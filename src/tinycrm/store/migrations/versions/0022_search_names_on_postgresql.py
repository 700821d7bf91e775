"""PostgreSQL's search index: names indexed on their own, documents out of line

On PostgreSQL, "names first" looked for the name's words by their weight in the
document, which the GIN index cannot check: every document holding the word was read
(over 1,000,000 activities, half a second). Each index table gets a ``name`` tsvector
with a GIN index of its own, and keeps its documents in TOAST (``toast_tuple_target``
128, storage external) so the table a search scans for the newest matches holds ids,
not documents. Existing rows are written again; the trigger functions fill ``name``.
Nothing changes on SQLite.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 17:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from tinycrm.store import search_index

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    search_index.upgrade_postgresql_names(op.get_bind())


def downgrade() -> None:
    """The ``name`` column stays (the index works with it); nothing to undo."""

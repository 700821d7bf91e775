"""search folds letters alike on SQLite and PostgreSQL; activities found by their contact

On SQLite the index held each record's text as stored, and FTS5's tokenizer folded only
case and Latin accents: "strasse" missed "Straße", "soren" "Søren", "lodz" "Łódź", Greek
and Cyrillic accents stayed, and ligatures or full-width text were not found even typed as
stored. The index now holds the text folded by ``search_text.fold`` (the SQL function
``tinycrm_fold`` every tinycrm connection to SQLite has), and a search looks for its words
folded alike. On PostgreSQL ``tinycrm_fold`` is made again to fold as that does (a final
ς as σ; without unaccent, ligatures, full-width letters and the others too). An
activity's text now holds its contact's name too ("Ada" finds the call logged with Ada
Lovelace), kept in step when the contact is renamed. Both indexes are made again and
filled from every record (``search_index.reinstall``).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 09:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from tinycrm.store import search_index

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    search_index.reinstall(op.get_bind())


def downgrade() -> None:
    """The index as 0024 had it (SQLite: the text as stored, triggers an older tinycrm
    can run); PostgreSQL keeps the new ``tinycrm_fold``, which older code uses alike."""
    search_index.reinstall(op.get_bind(), legacy=True)

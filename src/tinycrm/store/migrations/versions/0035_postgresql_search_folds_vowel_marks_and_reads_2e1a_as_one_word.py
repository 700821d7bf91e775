"""PostgreSQL's search drops Arabic and Hebrew vowel marks and reads ``2e1a`` as one word

PostgreSQL only. ``tinycrm_fold`` kept the Arabic harakat (U+064B-U+065F, U+0670) and
the Hebrew points (U+0591-U+05C7) that SQLite's folding drops, so a name typed without
them (as it mostly is) was found on SQLite only; and the text search parser read
"2e1a" as the number 2e1 and the word "a" (SQLite reads one word), so "a5" found
"2e1a5". The function is made again with those marks among the characters it folds as
``search_text.fold`` does (``search_fold.FOLDED_RANGES``) and such numbers kept from the
parser (``search_fold.NUMBER_MARK``), keeping the folding it had (unaccent or
translate); the search index is filled again from every record when the function
changed. Nothing changes on SQLite.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-07 15:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0035"
down_revision: str | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BODY = (
    "SELECT prosrc FROM pg_proc WHERE proname = 'tinycrm_fold' "
    "AND pronamespace = current_schema()::regnamespace"
)


def upgrade() -> None:
    from tinycrm.store import search_index

    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    before = conn.exec_driver_sql(_BODY).scalar()
    search_index.install_fold(conn, unaccent=search_index.folding(conn) == "unaccent")
    if conn.exec_driver_sql(_BODY).scalar() != before:
        search_index.rebuild(conn)  # every record indexed again through the new fold


def downgrade() -> None:
    pass  # the wider fold stays: 0034's code searches through it as well as through its own

"""Both databases' search read letters in circles alike and leave out words too long to index

PostgreSQL: ``tinycrm_fold`` kept the numbers and letters in circles and brackets
(U+2460-U+24FF: ①, Ⓐ, ⒜, ⒈) that SQLite's folding makes plain, so "ada" found "Ⓐda" on
SQLite only. The function is made again with that block among the characters it folds
as ``search_text.fold`` does (``search_fold.FOLDED_RANGES``), keeping the folding it had
(unaccent or translate); the index is filled again from every record when the function
changed. Both read the numbers in black circles (⓫, ⓿) as their numbers, as they read
those in white ones (``search_text.NEGATIVE_CIRCLED``): SQLite's records holding one are
indexed again.

SQLite: a word of over 2,047 bytes (``search_text.MAX_WORD_BYTES``), which PostgreSQL's
index cannot hold, was kept in SQLite's and found there only; SQLite's index leaves it
out now (``search_text.index_fold``), and the records with text that long are indexed
again.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-07 21:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0036"
down_revision: str | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BODY = (
    "SELECT prosrc FROM pg_proc WHERE proname = 'tinycrm_fold' "
    "AND pronamespace = current_schema()::regnamespace"
)


def upgrade() -> None:
    from tinycrm.store import search_index

    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        search_index.reindex_long_texts(conn)
        return
    before = conn.exec_driver_sql(_BODY).scalar()
    search_index.install_fold(conn, unaccent=search_index.folding(conn) == "unaccent")
    if conn.exec_driver_sql(_BODY).scalar() != before:
        search_index.rebuild(conn)  # every record indexed again through the new fold


def downgrade() -> None:
    pass  # the wider fold stays, and the long words out: 0035's code searches through them too

"""PostgreSQL's search reads the words inside ``<…>``, after ``&`` and after ``~``

PostgreSQL only. ``tinycrm_fold`` left ``<``, ``&`` and ``~`` for the text search
parser, which took "Jane Doe <jane@newco.example>" and "<pricing sheet>" for markup
tags and "&amp;" for an entity, dropping them with their words, and read "~20k" as a
file name: a note or a mail found on SQLite ("newco", "pricing") was not found on
PostgreSQL. The function is made again here with those marks made spaces
(``search_fold.PUNCTUATION``), keeping the folding it had (unaccent or translate), and
the search index is filled again from every record when the function changed. Nothing
changes on SQLite, whose tokenizer splits at them already.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 13:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
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
    pass  # the wider fold stays: 0031's code searches through it as well as through its own

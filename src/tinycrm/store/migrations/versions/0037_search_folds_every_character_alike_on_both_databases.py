"""Both databases' search fold every character alike

PostgreSQL: ``tinycrm_fold`` folded by unaccent's rules (or, without the extension, by a
``translate()`` of the letters of a few blocks), and kept as they are the characters
SQLite's folding (``search_text.fold``: NFKD, case and marks off) makes plain elsewhere:
superscripts (x²), mathematical letters (𝐀𝐝𝐚), numbers in dingbat circles (❶), CJK
radicals, Hangul syllables, Indic letters with a nukta; and it made © and ® words. The
function is made again from the database's ``normalize()`` (``search_fold``), the
characters its functions fold otherwise replaced first, and unaccent used only for text
whose every character it folds as ``fold`` does (keeping the folding it had); the index
is filled again from every record when the function changed.

Both: the numbers Unicode does not decompose (❶, ➀, ፩) are read as their numbers, and
the format characters (a zero-width space, a soft hyphen: ``search_text.EXTRA``) as
nothing, so "Mül\u200bler" typed or stored is "Müller". The keys made with that
folding (a list's order and ``--search``) are made again where they change.

SQLite: its index is made again, its tokenizer keeping marks (a vowel sign, a virama) in
words as PostgreSQL's parser does (``search_index.TOKENIZER``: "प्रिया" was three
words), and its text given with a space for every character past ASCII that is no
letter, digit or mark (``search_text.words_fold``), as PostgreSQL's parser reads it
(an emoji, a symbol its older tables do not know, were inside a word there).

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-08 00:30:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0037"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_KEYS = {
    "contact": ("name", "email_key", "phone", "title", "search_key", "sort_key"),
    "company": ("name", "sort_key"),
}


def _keys_again(conn: Any) -> None:
    """The keys made with ``search_text.fold`` made again where they change: contacts'
    and companies' ``sort_key`` (a list's order), contacts' ``search_key`` (a list's
    ``--search``; SQLite's ``contact_fts`` rebuilt from them)."""
    from tinycrm.store.contacts import contact_search_key
    from tinycrm.store.validate import folded

    for name, columns in _KEYS.items():
        table = sa.table(name, sa.column("id"), *(sa.column(c) for c in columns))
        changed = []
        for row in conn.execute(sa.select(table).order_by(table.c.id)).mappings():
            keys = {"sort_key": folded(row["name"])}
            if "search_key" in columns:
                keys["search_key"] = contact_search_key(row)
            if any(keys[k] != row[k] for k in keys):
                changed.append({"rid": row["id"], **keys})
        if changed:
            values: dict[str, Any] = {k: sa.bindparam(k) for k in changed[0] if k != "rid"}
            update = table.update().where(table.c.id == sa.bindparam("rid")).values(values)
            conn.execute(update, changed)
    if conn.dialect.name == "sqlite" and sa.inspect(conn).has_table("contact_fts"):
        conn.exec_driver_sql("INSERT INTO contact_fts(contact_fts) VALUES ('rebuild')")


def upgrade() -> None:
    from tinycrm.store import search_index

    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        search_index.reinstall(conn)  # the tokenizer that keeps marks in words; refilled
    else:
        search_index.refold(conn)
    _keys_again(conn)


def downgrade() -> None:
    pass  # the exact fold and the index stay: 0036's code searches through them too

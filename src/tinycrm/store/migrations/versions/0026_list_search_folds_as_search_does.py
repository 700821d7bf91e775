"""a list's --search folds letters as ``tinycrm search`` does; names sort folded

``contact list --search soren`` missed "Søren" (and ``lodz`` "Łódź", ``strasse``
"Straße"): a contact's ``search_key`` held its name, email, phone and title casefolded
only. It now holds them folded by ``search_text.fold`` (``validate.folded``), as the
typed text is; every contact's key is computed again here, and SQLite's trigram index
of it (``contact_fts``) rebuilt. Companies, deals and products are searched through
``tinycrm_fold_text`` (``validate.sql_folded``): on PostgreSQL it is made here (the
folding of ``tinycrm_fold``, punctuation kept); SQLite's comes with every connection.

``contact list`` and ``company list`` put "Ångström" and "Élodie" after "Zoe": they
ordered by ``name_key`` (casefolded: accented letters after z). Contacts and companies
get ``sort_key``, the name folded (``validate.folded``), filled here, and an index on
(``sort_key``, ``id``), the lists' order, so the first screen still needs no sort.
``name_key`` stays as it is: REFs and company names' uniqueness compare by it.
A plain ``ADD COLUMN`` (and ``DROP COLUMN``) on SQLite: the search triggers stay.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 12:50:00
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 1000


def _casefolded(columns: Any) -> str:
    """The search key as 0025 and before made it."""
    parts = (columns.get("name"), columns.get("email_key"), columns.get("phone"))
    text = " ".join(p or "" for p in (*parts, columns.get("title")))
    return " ".join(text.split()).casefold()


def _search_keys(conn: Any, make: Callable[[Any], str]) -> None:
    """Every contact's ``search_key`` made by ``make`` (where it changes), then SQLite's
    ``contact_fts`` rebuilt from them."""
    contact = sa.table(
        "contact",
        *(sa.column(c) for c in ("id", "name", "email_key", "phone", "title", "search_key")),
    )
    rows = conn.execute(
        sa.select(contact.c.id, contact.c.name, contact.c.email_key, contact.c.phone,
                  contact.c.title, contact.c.search_key).order_by(contact.c.id)
    ).mappings()  # fmt: skip
    changed = [
        {"cid": row["id"], "key": key} for row in rows if (key := make(row)) != row["search_key"]
    ]
    update = (
        contact.update()
        .where(contact.c.id == sa.bindparam("cid"))
        .values(search_key=sa.bindparam("key"))
    )
    for start in range(0, len(changed), CHUNK):
        conn.execute(update, changed[start : start + CHUNK])
    if conn.dialect.name == "sqlite" and sa.inspect(conn).has_table("contact_fts"):
        conn.exec_driver_sql("INSERT INTO contact_fts(contact_fts) VALUES ('rebuild')")


def upgrade() -> None:
    from tinycrm.store import search_index
    from tinycrm.store.contacts import contact_search_key

    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        search_index._sqlite_fold_ready(conn)
    else:  # tinycrm_fold_text beside tinycrm_fold, with the same folding
        search_index.install_fold(conn, unaccent=search_index.folding(conn) == "unaccent")
    _search_keys(conn, contact_search_key)
    for table in ("contact", "company"):
        op.add_column(table, sa.Column("sort_key", sa.String(), nullable=False, server_default=""))
        _sort_keys(conn, table)
        op.create_index(f"ix_{table}_sort_key", table, ["sort_key", "id"])
        if conn.dialect.name != "sqlite":  # the model has no server default (nor has 0001)
            op.alter_column(table, "sort_key", server_default=None)


def _sort_keys(conn: Any, name: str) -> None:
    from tinycrm.store.validate import folded

    table = sa.table(name, sa.column("id"), sa.column("name"), sa.column("sort_key"))
    values = [
        {"rid": rid, "key": folded(text)}
        for rid, text in conn.execute(sa.select(table.c.id, table.c.name).order_by(table.c.id))
    ]
    update = (
        table.update().where(table.c.id == sa.bindparam("rid")).values(sort_key=sa.bindparam("key"))
    )
    for start in range(0, len(values), CHUNK):
        conn.execute(update, values[start : start + CHUNK])


def downgrade() -> None:
    conn = op.get_bind()
    for table in ("contact", "company"):
        op.drop_index(f"ix_{table}_sort_key", table_name=table)
        # SQLite 3.35+ drops a column in place: no batch copy, so the search triggers stay
        op.execute(f"ALTER TABLE {table} DROP COLUMN sort_key")
    _search_keys(conn, _casefolded)
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS tinycrm_fold_text(text)")

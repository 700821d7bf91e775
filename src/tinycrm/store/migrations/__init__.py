"""Alembic migrations, shipped inside the package.

``SCHEMA_HEAD`` and ``schema_revision`` let the store see that a database is current
with one query, without importing Alembic; a test checks that it names the real head.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Connection

SCHEMA_HEAD = "0037"


def schema_revision(conn: Connection) -> str | None:
    """The Alembic revision the database is at, or None for an empty database.

    On PostgreSQL only the current schema counts: a tinycrm schema elsewhere on the
    search path (``public``, say) must not make a new schema look migrated.
    """
    from sqlalchemy import inspect, text

    schema = None
    if conn.dialect.name == "postgresql":
        schema = conn.execute(text("SELECT current_schema()")).scalar()
    if not inspect(conn).has_table("alembic_version", schema=schema):
        return None
    table = f'"{schema}".alembic_version' if schema else "alembic_version"
    return conn.execute(text(f"SELECT version_num FROM {table}")).scalar()

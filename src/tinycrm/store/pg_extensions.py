"""PostgreSQL extensions tinycrm uses (``pg_trgm``, ``unaccent``), kept out of a
tinycrm schema.

An extension belongs to the whole database but lives in one schema. Created inside a
team's tinycrm schema (``CREATE EXTENSION`` without ``SCHEMA`` puts it in the current
one), it went with that schema's ``DROP SCHEMA … CASCADE``, and with it everything in
other schemas built on it: every other team's trigram index. tinycrm creates a missing
extension in ``public``, else in a schema of its own (``tinycrm_extensions``), and moves
one it finds in a tinycrm schema there (when the role may; where it may not, it is used
where it is, as before).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

SHARED_SCHEMA = "tinycrm_extensions"
TARGETS = ("public", SHARED_SCHEMA)

_FIND = (
    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
    "WHERE e.extname = %(name)s"
)


def quoted(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def extension_schema(conn: Connection, name: str) -> str | None:
    """The schema the extension ``name`` lives in, or None when it is not installed."""
    found = conn.exec_driver_sql(_FIND, {"name": name}).scalar()
    return str(found) if found is not None else None


def is_tinycrm_schema(conn: Connection, schema: str) -> bool:
    """Whether ``schema`` holds a tinycrm database (its Alembic table and contacts)."""
    return bool(
        conn.exec_driver_sql(
            "SELECT to_regclass(%(v)s) IS NOT NULL AND to_regclass(%(c)s) IS NOT NULL",
            {"v": f"{quoted(schema)}.alembic_version", "c": f"{quoted(schema)}.contact"},
        ).scalar()
    )


def ensure_extension(
    conn: Connection, name: str, *, movable: bool = False, targets: Sequence[str] = TARGETS
) -> str | None:
    """The schema of the extension ``name``: where it is, or created in the first of
    ``targets`` the role may create it in; None when it is missing and may not be made.

    ``movable``: found in a tinycrm schema other than a target, it is moved to a target
    first (only for extensions whose objects nothing names by their schema: indexes hold
    their operator classes by id)."""
    schema = extension_schema(conn, name)
    if schema is not None:
        if movable and schema not in targets and is_tinycrm_schema(conn, schema):
            return _moved(conn, name, targets) or schema
        return schema
    for target in targets:
        try:
            with conn.begin_nested():
                _make_schema(conn, target)
                conn.exec_driver_sql(
                    f"CREATE EXTENSION IF NOT EXISTS {quoted(name)} SCHEMA {quoted(target)}"
                )
        except DBAPIError:
            pass  # not allowed there (or another session made it first): the next
        schema = extension_schema(conn, name)
        if schema is not None:
            return schema
    return None


def add_trigram_index(conn: Connection) -> None:
    """``ix_contact_search_trgm`` (contact search by substring) in the current schema,
    on ``pg_trgm`` kept out of it; nothing when the index is there already, or the
    extension may not be made or used (search scans instead)."""
    if conn.exec_driver_sql(
        "SELECT to_regclass(quote_ident(current_schema()) || '.ix_contact_search_trgm')"
    ).scalar():
        return
    schema = ensure_extension(conn, "pg_trgm", movable=True)
    if schema is None:
        return
    try:
        with conn.begin_nested():
            conn.exec_driver_sql(
                "CREATE INDEX ix_contact_search_trgm ON contact "
                f"USING gin (search_key {quoted(schema)}.gin_trgm_ops)"
            )
    except DBAPIError:
        pass  # not allowed to use it


def _moved(conn: Connection, name: str, targets: Sequence[str]) -> str | None:
    for target in targets:
        try:
            with conn.begin_nested():
                _make_schema(conn, target)
                conn.exec_driver_sql(f"ALTER EXTENSION {quoted(name)} SET SCHEMA {quoted(target)}")
        except DBAPIError:
            continue  # not its owner, or no right to create there
        return target
    return None


def _make_schema(conn: Connection, schema: str) -> None:
    exists = conn.exec_driver_sql(
        "SELECT 1 FROM pg_namespace WHERE nspname = %(s)s", {"s": schema}
    ).scalar()
    if not exists:
        conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {quoted(schema)}")
        # every role's tinycrm schema uses what it holds (extensions' functions are
        # executable by all already)
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA {quoted(schema)} TO PUBLIC")

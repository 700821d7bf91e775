"""Bringing a database's schema to head: the revision it is at, the Alembic upgrade under
a lock (one process at a time), the copy kept beside an old SQLite database first."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, inspect, text

from tinycrm import interrupts
from tinycrm.files import CannotWrite
from tinycrm.store.errors import Unavailable
from tinycrm.store.migrations import SCHEMA_HEAD, schema_revision
from tinycrm.store.sessions import Store, UpgradeNotice
from tinycrm.store.sqlite_files import backup_sqlite

_PG_MIGRATION_LOCK = 0x7E1C7


def _has_table(conn: Connection, name: str) -> bool:
    """Whether the table ``name`` is in the database (PostgreSQL: in the current schema)."""
    schema = None
    if conn.dialect.name == "postgresql":
        schema = conn.execute(text("SELECT current_schema()")).scalar()
    return inspect(conn).has_table(name, schema=schema)


def ensure_schema(store: Store) -> None:
    """Bring the schema to head. Cheap when it already is (one query, no Alembic import)."""
    with store.engine.connect() as conn:
        if schema_revision(conn) == SCHEMA_HEAD:
            conn.rollback()
            return
        conn.rollback()
    upgrade(store)


def upgrade(store: Store, revision: str = "head") -> str | None:
    """Run the Alembic migrations up to ``revision`` under a lock; return the old revision.

    Two processes opening a new database at once are serialised: SQLite by
    ``BEGIN IMMEDIATE``, PostgreSQL by an advisory lock. The second sees the
    schema already at head and does nothing.
    """
    from tinycrm.store.migrations.runner import run_upgrade, script_heads

    with store.engine.connect() as conn, _foreign_keys_off(conn):
        conn = conn.execution_options(tinycrm_immediate=True)
        with conn.begin():
            if store.backend == "postgresql":
                # Its turn behind another process's upgrade, however long that takes, and
                # the locks its migrations need: not bounded as a command's writes are.
                conn.execute(text("SET LOCAL lock_timeout = 0"))
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            before = schema_revision(conn)
            if before is None and _has_table(conn, "contact"):
                raise Unavailable(_no_revision(store, conn))
            if before is not None and before not in script_heads(all_revisions=True):
                if not _has_table(conn, "contact"):  # another program's Alembic, not ours
                    raise Unavailable(
                        f"cannot open database {store.display_url()}: its schema is another "
                        f"program's (Alembic revision {before!r}, none of tinycrm's tables), "
                        "not tinycrm's; give tinycrm a database or schema of its own"
                    )
                raise Unavailable(
                    f"cannot open database {store.path or store.display_url()}: its schema "
                    f"{before!r} is newer than this tinycrm ({SCHEMA_HEAD}) knows, a newer "
                    "tinycrm upgraded it: upgrade tinycrm (db backup copies it meanwhile)"
                )
            if revision == "head" and before == SCHEMA_HEAD:
                return before
            after = SCHEMA_HEAD if revision == "head" else revision
            backup = None
            if before is not None and store.path is not None:
                backup = _pre_upgrade_backup_path(store.path, before)
            notice = None
            if before is not None and before != after:  # an existing database, not a new one
                notice = UpgradeNotice(before, after, backup)
                if store.on_upgrade is not None:
                    store.on_upgrade(notice)  # before the work: it can take minutes
            started = time.monotonic()
            if backup is not None:
                assert store.path is not None
                try:
                    with interrupts.aside():  # a copy kept on the side, not the command's work
                        backup_sqlite(store.path, backup)
                except (Unavailable, CannotWrite) as exc:  # a full disk: no upgrade without
                    raise Unavailable(  # its copy
                        f"cannot upgrade database {store.path} (schema {before} → {after}): "
                        f"the copy of it kept before an upgrade could not be made ({exc}); "
                        "nothing was changed: make room beside it and run the command again"
                    ) from exc
            broken = _broken_references(conn)
            run_upgrade(conn, revision)
            if _broken_references(conn) > broken:
                raise Unavailable(
                    "the upgrade would leave rows referring to records that do not exist; "
                    "nothing was changed (please report this)"
                )
    if notice is not None and store.on_upgrade is not None:
        store.on_upgrade(UpgradeNotice(notice.before, after, backup, time.monotonic() - started))
    return before


def _no_revision(store: Store, conn: Connection) -> str:
    """Why a database holding tinycrm's tables but no Alembic revision (its row deleted,
    its table dropped) is refused: taken for an empty one, every migration would run from
    the first and fail on a table that is there ('table company already exists')."""
    missing = not _has_table(conn, "alembic_version")
    fix = f"INSERT INTO alembic_version VALUES ('{SCHEMA_HEAD}')"
    if missing:
        fix = f"CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY); {fix}"
    return (
        f"cannot open database {store.path or store.display_url()}: it holds tinycrm's "
        "tables but no schema revision (its alembic_version "
        f"{'table is missing' if missing else 'row was deleted'}), so tinycrm cannot tell "
        "which upgrades it needs; nothing was changed: restore a backup, or, if tinycrm "
        f"{SCHEMA_HEAD} last opened it, put the revision back: {fix}"
    )


@contextmanager
def _foreign_keys_off(conn: Connection) -> Iterator[None]:
    """SQLite: foreign keys off while migrations run. They rebuild tables (new table, copy,
    drop, rename), and with foreign keys on, dropping the old table would delete or unlink
    every row that refers to it. The pragma only takes effect outside a transaction."""
    if conn.dialect.name != "sqlite":
        yield
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def _broken_references(conn: Connection) -> int:
    """SQLite: how many rows refer to a row that does not exist (none, normally)."""
    if conn.dialect.name != "sqlite":
        return 0
    return len(conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall())


def _pre_upgrade_backup_path(path: Path, revision: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return path.with_name(f"{path.name}.pre-upgrade-{revision}-{stamp}.bak")

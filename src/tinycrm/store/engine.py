"""Opening the database: the engine with tinycrm's settings, then ``open_store``
(creating or upgrading the schema as needed).

The rest of opening lives beside it: which database (``database_url``), each SQLite
connection's pragmas and locking (``sqlite_connections``), the checks on and copies of a
SQLite file (``sqlite_files``), the ``Store`` and its transactions (``sessions``), the
schema upgrade (``schema_upgrade``). Their public names are importable from here too.
"""

from __future__ import annotations

import getpass
import os
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, NoSuchModuleError

from tinycrm import interrupts
from tinycrm.store import sqlite_connections
from tinycrm.store.batches import chunks
from tinycrm.store.database_url import (
    APP_NAME,
    data_dir,
    default_path,
    libpq_url,
    parse_url,
    refuse_no_database_name,
    resolve_url,
    sets_lock_timeout,
    shown_url,
    sqlite_path,
)
from tinycrm.store.errors import Invalid, Unavailable
from tinycrm.store.models import partial_indexes_for
from tinycrm.store.schema_upgrade import ensure_schema, schema_revision, upgrade
from tinycrm.store.sessions import (
    EVENTS_KEY,
    LAST_CHECKS_KEY,
    LOCK_TIMEOUT_SQLSTATE,
    CommitWatcher,
    Store,
    UpgradeNotice,
    db_error,
    lock_wait_ended,
)
from tinycrm.store.settings import StoreSettings
from tinycrm.store.sqlite_connections import listen_sqlite
from tinycrm.store.sqlite_files import (
    backup_sqlite,
    check_database_path,
    damaged_database,
    database_files,
    journal_trouble,
    not_a_database,
    read_only_uri,
    refuse_database_itself,
    sqlite_uri,
    wal_damage,
)

__all__ = [
    "APP_NAME",
    "EVENTS_KEY",
    "LAST_CHECKS_KEY",
    "CommitWatcher",
    "Store",
    "UpgradeNotice",
    "backup_sqlite",
    "chunks",
    "current_user",
    "data_dir",
    "database_files",
    "default_path",
    "ensure_schema",
    "libpq_url",
    "make_engine",
    "open_store",
    "read_only_uri",
    "refuse_database_itself",
    "resolve_url",
    "schema_revision",
    "sqlite_path",
    "sqlite_uri",
    "upgrade",
    "upgrade_schema",
]


def current_user() -> str:
    """Who is writing: ``TINYCRM_USER``, else the operating-system user.

    Either is refused (``Invalid``, one line) when it holds a control character or a
    bidi control, as any name typed into tinycrm is: it is written into every event.
    """
    from tinycrm.store import validate

    user = os.environ.get("TINYCRM_USER")
    if user and user.strip():
        return validate.line(user, "TINYCRM_USER")
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return "unknown"
    return validate.line(name, "the user name from the system (set TINYCRM_USER)") or "unknown"


def _interrupt_kept(*_args: Any) -> None:
    interrupts.check()


def _refuse_nul(
    conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
) -> None:
    """PostgreSQL cannot store NUL in text: refuse it as validation does, before the
    statement runs, rather than with the driver's error (a search for it, a value that
    came by a path that validation does not see). SQLite could take it, and a filter or
    a REF holding one would quietly match nothing: refused the same way there, so both
    databases say the same (not for SQLite's bulk ``executemany``, whose rows were
    validated one by one and whose speed is the import's)."""
    if many and conn.dialect.name == "sqlite":
        return
    for row in parameters if many else (parameters,):
        for value in (row.values() if isinstance(row, dict) else row) or ():
            if isinstance(value, str) and "\x00" in value:
                position = value.index("\x00") + 1
                raise Invalid(
                    f"text: NUL characters are not allowed (\\x00 at position {position})"
                )


def _bound_lock_waits(dbapi_conn: Any, _record: Any) -> None:
    """PostgreSQL: this connection gives up waiting for a lock (a row or table another
    session holds) after as long as SQLite waits (``lock_timeout``), where it waited for
    ever; told as "database is busy" (``sessions``). Set on each connection tinycrm makes,
    not on the server; it bounds waits for locks only, never a statement's own work (an
    import, an upgrade, which takes its turn on its own lock unbounded)."""
    cursor = dbapi_conn.cursor()
    cursor.execute(f"SET lock_timeout = {int(sqlite_connections.BUSY_TIMEOUT_MS)}")
    cursor.close()
    dbapi_conn.commit()  # a SET in a transaction rolled back later would be undone


def _utf8_only(where: str) -> Callable[[Any, Any], None]:
    """PostgreSQL: a listener refusing a database whose server encoding is not UTF-8,
    before a table is made. SQL_ASCII (an old server's ``initdb`` under a C locale) gives
    psycopg bytes for text, so every command ended in a traceback; LATIN1 and its like
    cannot keep what people type ('🦡'), and search's fold needs ``normalize()``."""

    def refuse(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        try:
            row = cursor.execute("SHOW server_encoding").fetchone()
        finally:
            cursor.close()
        encoding = row[0].decode() if isinstance(row[0], bytes) else str(row[0])
        dbapi_conn.rollback()
        if encoding.upper() != "UTF8":
            raise Unavailable(
                f"cannot open database {where}: it is encoded {encoding}, and tinycrm keeps "
                "text as UTF-8: make a database for it with CREATE DATABASE name ENCODING "
                "'UTF8' TEMPLATE template0 (or pg_dump this one and restore it into such "
                "a database)"
            )

    return refuse


def make_engine(url: str) -> Engine:
    """Build an engine for ``url`` with tinycrm's settings (no connection is made)."""
    parsed = parse_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgres":  # Heroku's and libpq's spelling; SQLAlchemy's has -ql
        raise Unavailable("write a PostgreSQL URL as postgresql://…, not postgres://…")
    if backend not in ("sqlite", "postgresql"):  # its migrations were never made for others
        raise Unavailable(
            f"tinycrm works with SQLite and PostgreSQL, not {backend}: give --db / TINYCRM_DB "
            "a file path, or a postgresql:// URL"
        )
    driver = parsed.get_driver_name()
    if driver not in ("pysqlite", "psycopg"):  # the drivers its SQL is written and tested for
        through, write = (
            ("PostgreSQL through psycopg", "postgresql://… (or postgresql+psycopg://…)")
            if backend == "postgresql"
            else ("SQLite through Python's sqlite3", "sqlite:///… (or a file path)")
        )
        raise Unavailable(f"tinycrm talks to {through}: write {write}, not {backend}+{driver}://…")
    if backend == "postgresql":
        refuse_no_database_name(url, parsed)
    if backend == "sqlite" and parsed.query:  # SQLAlchemy warned, then ignored them or
        # (uri=true) read the name as a SQLite URI, which may be a database in memory
        raise Unavailable(
            f"a SQLite --db URL takes no options (it has: {', '.join(sorted(parsed.query))}): "
            "give the database file's path; tinycrm sets SQLite's options itself"
        )
    try:
        if backend == "sqlite":
            engine = create_engine(
                parsed,
                connect_args={
                    "timeout": sqlite_connections.BUSY_TIMEOUT_MS / 1000,
                    "check_same_thread": False,
                },
            )
            listen_sqlite(engine)
            event.listen(engine, "before_cursor_execute", _refuse_nul)
            # A Ctrl-C that landed in a Python function SQLite called (the search index's
            # fold) was kept: it interrupts the command once the statement has returned.
            event.listen(engine, "after_cursor_execute", _interrupt_kept)
        else:
            engine = create_engine(parsed, pool_pre_ping=True)
            # before SQLAlchemy's own first look, which a SQL_ASCII database's bytes end
            event.listen(engine, "connect", _utf8_only(shown_url(url)), insert=True)
            event.listen(engine, "before_cursor_execute", _refuse_nul)
            if not sets_lock_timeout(parsed):  # the URL's own wins
                event.listen(engine, "connect", _bound_lock_waits)
    except NoSuchModuleError as exc:
        raise Unavailable(f"unsupported database URL {shown_url(url)!r}: {exc}") from exc
    except ModuleNotFoundError as exc:
        hint = " (pip install 'tinycrm[postgres]')" if "psycopg" in str(exc) else ""
        raise Unavailable(f"database driver missing: {exc.name}{hint}") from exc
    partial_indexes_for(engine.dialect.name)
    return engine


def open_store(
    db: str | None = None,
    *,
    user: str | None = None,
    migrate: bool = True,
    given: StoreSettings | None = None,
    on_upgrade: Callable[[UpgradeNotice], None] | None = None,
) -> Store:
    """Open (creating or upgrading as needed) the database named by ``db``.

    ``given``: what the store's own rules follow (``StoreSettings``: the automation
    rules, the score thresholds, the phone region, the business hours), made by the API
    layer from the config file, which the store never reads; without it, the config's
    defaults.

    A new database is created at the newest schema; an older one is upgraded
    (SQLite: after a copy is saved beside it), telling ``on_upgrade`` before and after
    (the store prints nothing). Raises ``Unavailable`` with a one-line reason when the
    database cannot be opened.
    """
    if user is not None:  # checked as TINYCRM_USER is: it is written into every event
        from tinycrm.store import validate

        user = validate.line(user, "user")
    url = resolve_url(db)
    path = sqlite_path(url)
    engine = make_engine(url)  # a URL it refuses, a driver missing: no file made first
    if path is not None:
        try:
            check_database_path(path)
        except BaseException:
            engine.dispose()
            raise
    store = Store(engine, url, user or current_user(), given)
    store.on_upgrade = on_upgrade
    store.unmigrated = not migrate
    if migrate:
        try:
            ensure_schema(store)
        except DBAPIError as exc:
            engine.dispose()
            raise _not_opened(store, exc) from exc
        except BaseException:  # refused (a newer schema, …): no -wal/-shm left beside it
            engine.dispose()
            raise
    return store


def upgrade_schema(store: Store) -> str | None:
    """``upgrade`` (``tinycrm db upgrade``, on a store opened without migrating), a
    database that cannot be reached or read told in one line as ``open_store`` tells it
    (was a traceback: PostgreSQL not running, a SQLite write-ahead log cut short)."""
    try:
        return upgrade(store)
    except DBAPIError as exc:
        raise _not_opened(store, exc) from exc


def _not_opened(store: Store, exc: DBAPIError) -> Unavailable:
    """Why ``store`` could not be opened (or upgraded), in one line: a PostgreSQL lock
    waited for in vain told as a busy database, as a command's writes tell it."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) == LOCK_TIMEOUT_SQLSTATE:
        return Unavailable(lock_wait_ended(store.url))
    where = store.path or store.display_url()
    if store.path is None and "no schema has been selected to create in" in str(orig):
        return Unavailable(f"cannot open database {where}: {_no_schema(store)}")
    return Unavailable(f"cannot open database {where}: {_open_error(exc, store.path)}")


def _no_schema(store: Store) -> str:
    """PostgreSQL: none of the schemas on the search path exists (a team's schema not made
    yet, or misspelt): which, and how to make it."""
    try:
        with store.engine.connect() as conn:
            path = str(conn.exec_driver_sql("SHOW search_path").scalar())
    except DBAPIError:
        path = ""
    names = [n.strip().strip('"') for n in path.split(",") if n.strip() not in ("", '"$user"')]
    make = f' (CREATE SCHEMA "{names[0]}")' if names else ""
    return (
        f"no schema on its search_path ({path or 'empty'}) exists: make it first{make}, "
        "or fix the URL's options=-csearch_path=…"
    )


def _open_error(exc: DBAPIError, path: Path | None) -> str:
    """Why a database could not be opened: SQLite's words, or, when it could not make its
    journal beside a database in a folder that cannot be written (a backup disk mounted
    read-only), that ("unable to open database file" of a file that is there)."""
    reason = db_error(exc)
    if path is None:
        return reason
    damaged_log = (
        wal_damage(path, exc.orig, reason)
        or not_a_database(path, exc.orig)
        or damaged_database(path, exc.orig)
    )
    if damaged_log is not None:
        return damaged_log
    if not any(m in reason for m in ("unable to open", "readonly database")):
        return reason
    trouble = journal_trouble(path)
    if trouble is not None:
        return trouble
    folder = path.parent
    if os.access(folder, os.W_OK):
        return reason
    return (
        f"its folder {folder} is read-only, and SQLite keeps its journal ({path.name}-wal) "
        "beside the database; copy the database into a folder you can write to "
        f"(tinycrm --db {shlex.quote(str(path))} db backup COPY)"
    )

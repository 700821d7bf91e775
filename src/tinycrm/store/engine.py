"""Opening the database: URL resolution, SQLite pragmas, sessions, migrate-on-open.

The database is chosen by, in order: the ``--db`` option (passed in as ``url``),
the ``TINYCRM_DB`` environment variable, else ``tinycrm.db`` in platformdirs'
user data dir. Each takes a file path or a SQLAlchemy URL.
"""

from __future__ import annotations

import getpass
import os
import sqlite3
import stat
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
)
from sqlmodel import Session

from tinycrm import interrupts
from tinycrm.store import unique
from tinycrm.store.errors import Conflict, Invalid, Unavailable
from tinycrm.store.migrations import SCHEMA_HEAD
from tinycrm.store.models import partial_indexes_for
from tinycrm.store.search_index import register_sqlite_fold

if TYPE_CHECKING:
    from tinycrm.config import Config

APP_NAME = "tinycrm"
BUSY_TIMEOUT_MS = 10_000
_PG_MIGRATION_LOCK = 0x7E1C7


def data_dir() -> Path:
    """The per-user data directory (platformdirs)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_path() -> Path:
    """Where the user's database lives when nothing says otherwise."""
    return data_dir() / "tinycrm.db"


def resolve_url(db: str | None = None) -> str:
    """Turn ``--db`` / ``TINYCRM_DB`` / the default into a SQLAlchemy URL."""
    value = db or os.environ.get("TINYCRM_DB") or str(default_path())
    if not value.strip():  # not a file named '   ' in the current folder
        named = "--db" if db else "TINYCRM_DB"
        raise Unavailable(f"{named} is blank: give a database file or URL (or leave it unset)")
    if "://" in value:
        return value
    path = Path(value).expanduser().absolute()
    # SQLAlchemy reads '?' as the start of options and '%XX' as an escape: quoted, a file
    # named 'crm?v2.db' or '50%41.db' is the one opened, not 'crm' or '50A.db'
    quoted = str(path).replace("%", "%25").replace("?", "%3F").replace("#", "%23")
    return f"sqlite:///{quoted}"


def libpq_url(url: str) -> str:
    """A PostgreSQL URL as ``pg_dump``/``psql`` take it: ``postgresql://``, no driver name,
    no password (they read it from ``~/.pgpass`` or ``PGPASSWORD``, or ask)."""
    from sqlalchemy.engine import URL

    parsed = make_url(url)
    plain = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return plain.render_as_string(hide_password=False)


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


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other backends and memory."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:  # e.g. control characters in --db
        shown = url if len(url) <= 80 else f"{url[:77]}..."
        raise Unavailable(f"not a database URL or path: {shown!r}") from exc
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


class CommitWatcher(Protocol):
    """What runs around each write transaction (``tinycrm.store.commits.CommitWatch``:
    hooks and the webhook outbox): ``opening`` before it opens (raising refuses it),
    ``begin`` as it opens, ``before_commit`` inside it
    (raising refuses the write), ``after_commit`` with what ``before_commit`` returned."""

    def opening(self) -> None: ...

    def begin(self, session: Session) -> None: ...

    def before_commit(self, session: Session) -> Any: ...

    def after_commit(self, committed: Any) -> None: ...


@dataclass(frozen=True)
class UpgradeNotice:
    """What ``upgrade`` tells ``Store.on_upgrade`` when it upgrades an existing database
    (never for a new one, nor one at head already): once before the work starts
    (``seconds`` None), once when it is done (``seconds`` it took). ``backup`` is the copy
    of the old database kept beside it (SQLite; None on PostgreSQL)."""

    before: str
    after: str
    backup: Path | None
    seconds: float | None = None


EVENTS_KEY = "tinycrm.events"
"""``session.info`` key: the events this transaction recorded (``records.record_event``
appends, ``store.commits`` reads them, and ``Store.events_written`` counts them)."""
LAST_CHECKS_KEY = "tinycrm.last_checks"  # session.info: each called after the hooks, pre-COMMIT


class Store:
    """An open database. Service functions take it as their first argument.

    ``write()`` and ``read()`` yield a session inside one transaction. They nest:
    a service function called inside another's ``write()`` joins its
    transaction, so a bulk job (the demo, an import) is one transaction.
    """

    def __init__(self, engine: Engine, url: str, user: str, config: Config | None = None) -> None:
        self.engine = engine
        self.url = url
        self.user = user
        self.config = config
        self.backend = engine.dialect.name
        self._local = threading.local()
        self.watch: CommitWatcher | None = None  # hooks and webhooks (tinycrm.open sets it)
        # told when an existing database is upgraded (the command line says so on stderr)
        self.on_upgrade: Callable[[UpgradeNotice], None] | None = None
        self.closed = False

    def settings(self) -> Config:
        """The configuration handed to ``open_store`` (rules, scoring thresholds, remind);
        without one, the config file as it is now. Raises ``ConfigError`` when it is broken."""
        if self.config is None:
            from tinycrm.config import current_config

            return current_config()
        if self.config.error:
            from tinycrm.config import ConfigError

            raise ConfigError(self.config.error)
        return self.config

    def phone_region(self) -> str | None:
        """``[phone] region``: the country of numbers typed without ``+CC``. None when
        unset, or when the config file is broken (reads still work; writes that need
        the rules refuse with the reason)."""
        from tinycrm.config import ConfigError

        try:
            return self.settings().phone_region
        except ConfigError:
            return None

    def events_written(self) -> int:
        """How many events (the feed's lines) the writes through this store have committed
        in this thread so far. A write after which it has not grown changed nothing: it
        recorded no event, so no hook ran and no webhook was queued for it."""
        return int(getattr(self._local, "events_written", 0))

    @property
    def in_transaction(self) -> bool:
        """Inside a ``write()`` or ``read()`` of this thread: a bulk job (the demo) calling
        service functions, which then leave out what only a person at a prompt needs.
        Not inside ``person_write()``: one person's write, wrapped (the board's, an
        assistant's through ``tinycrm mcp``), is told what the command line tells."""
        if getattr(self._local, "session", None) is None:
            return False
        return not getattr(self._local, "for_a_person", False)

    @contextmanager
    def person_write(self) -> Iterator[Session]:
        """``write()`` around one person's write (a likely duplicate is still warned of)."""
        with self.write() as session:
            outer = getattr(self._local, "for_a_person", False)
            self._local.for_a_person = True
            try:
                yield session
            finally:
                self._local.for_a_person = outer

    @property
    def is_sqlite(self) -> bool:
        return self.backend == "sqlite"

    @property
    def path(self) -> Path | None:
        return sqlite_path(self.url)

    def display_url(self) -> str:
        """The URL with any password hidden."""
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A read-write transaction (SQLite: ``BEGIN IMMEDIATE``, so writers queue)."""
        current: Session | None = getattr(self._local, "session", None)
        if current is not None:
            if not getattr(self._local, "writable", False):
                raise RuntimeError("write() inside read(): open the write first")
            yield current
            return
        with self._session(immediate=True) as session:
            self._local.writable = True
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction: one consistent snapshot."""
        current: Session | None = getattr(self._local, "session", None)
        if current is not None:
            yield current
            return
        with self._session(immediate=False) as session:
            self._local.writable = False
            yield session

    @contextmanager
    def _session(self, *, immediate: bool) -> Iterator[Session]:
        """One transaction. A write commits inside ``interrupts.saving()``: Ctrl-C or TERM
        during the COMMIT waits until it is done and counted, so the command line can
        always tell "nothing was saved" from "saved" (see tinycrm.interrupts)."""
        if self.closed:  # the pool would open again: a script closed its Crm too early
            raise Unavailable("this Crm is closed (open the database again: tinycrm.open())")
        options: dict[str, Any] = {"tinycrm_immediate": immediate}
        watch = self.watch if immediate else None
        committed = None
        if watch is not None:
            watch.opening()
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(**options)
                session = Session(bind=conn, expire_on_commit=False, autoflush=True)
                self._local.session = session
                try:
                    transaction = conn.begin()
                    try:
                        if watch is not None:
                            watch.begin(session)
                        yield session
                        session.flush()
                        if watch is not None:
                            committed = watch.before_commit(session)
                        for check in session.info.get(LAST_CHECKS_KEY, ()):
                            check()  # the caller's last word (board_write): may refuse
                        recorded = len(session.info.get(EVENTS_KEY) or ())
                    except BaseException:
                        # The first error is the one to tell; a connection that cannot
                        # roll back (a cancelled PostgreSQL statement) is discarded anyway.
                        with suppress(Exception):
                            if transaction.is_active:  # a failed flush ended it already
                                transaction.rollback()
                        raise
                    if immediate:
                        with interrupts.saving():
                            transaction.commit()
                        self._local.events_written = self.events_written() + recorded
                    else:
                        transaction.commit()
                finally:
                    self._local.session = None
                    self._local.writable = False
                    session.close()
            if watch is not None:
                watch.after_commit(committed)
        except OperationalError as exc:
            collided = _COLLIDED.get(_sqlstate(exc) or "")
            if collided is not None:
                raise Conflict(collided) from exc
            reason = _db_error(exc)
            if self.path is not None and "readonly database" in reason:
                reason = (
                    f"cannot write database {self.path}: the file is read-only (make it "
                    "writable, or work on a copy)"
                )
            raise Unavailable(reason) from exc
        except IntegrityError as exc:
            # A unique key another writer took between our check and our write (two
            # PostgreSQL sessions at once): the check's own message, read afresh.
            with self.read() as session:
                conflict = unique.conflict_from(session, exc)
            if conflict is None:
                raise
            raise conflict from exc
        except UnicodeEncodeError as exc:
            # Bytes that are not UTF-8 on the command line (or in a file read without
            # its encoding) reach us as lone surrogates, which no database can store.
            raise Invalid(
                "text holds bytes that are not UTF-8 (is the terminal's locale UTF-8?)"
            ) from exc

    def close(self) -> None:
        """Release every pooled connection; any later read or write raises ``Unavailable``."""
        self.closed = True
        self.engine.dispose()

    def release(self) -> None:
        """Release every pooled connection, staying open: the next read or write connects
        anew (``db restore``, once it has put another file in place)."""
        self.engine.dispose()


# PostgreSQL ended this transaction because another one wrote the same rows at the same
# moment (a deadlock it broke, or a serialization failure): nothing was saved, and the
# same command run again goes through. Writers lock rows of several kinds in one order
# (records.lock_linked), so this is a safety net, not an expected outcome.
_COLLIDED = {
    "40P01": "another tinycrm was changing the same records at the same moment "
    "(deadlock); nothing was saved: run the command again",
    "40001": "another tinycrm was changing the same records at the same moment; "
    "nothing was saved: run the command again",
}


def _sqlstate(exc: DBAPIError) -> str | None:
    """The SQLSTATE of the driver's error (PostgreSQL's ``40P01``), or None."""
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def _db_error(exc: DBAPIError) -> str:
    orig = getattr(exc, "orig", None) or exc
    message = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    if "locked" in message:
        return f"database is busy (locked by another tinycrm): {message}"
    return f"database error: {message}"


def _on_sqlite_connect(dbapi_conn: sqlite3.Connection, record: Any) -> None:
    # We issue BEGIN ourselves (see _on_begin), so pysqlite must not.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.close()
    register_sqlite_fold(dbapi_conn)  # what the search index's triggers fold text with
    record.info["tinycrm_fold"] = True


def _sqlite_open_existing(
    _dialect: Any, _record: Any, cargs: list[Any], cparams: dict[str, Any]
) -> None:
    """Open the database file read-write, never create it (SQLite's ``mode=rw``).

    ``open_store`` creates a new database when asked to; a connection made later, say
    after the file was renamed or deleted under an open board, must fail rather than
    leave an empty database in its place.
    """
    if cargs and isinstance(cargs[0], str) and cargs[0] != ":memory:" and not cparams.get("uri"):
        cargs[0] = f"file:{urllib.parse.quote(cargs[0])}?mode=rw"
        cparams["uri"] = True


def _on_sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get("tinycrm_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _create_sqlite_file(path: Path) -> None:
    """Create an empty database file readable by its owner only (it holds personal data)."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _check_database_path(path: Path) -> None:
    """Refuse a database path that is a folder or not a file, and one in a missing folder
    (a typo in ``--db``), except tinycrm's own data folder (the default database, the
    demo), which is created."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise Unavailable(f"cannot open database {path}: {exc.strerror}") from exc
    if mode is not None:
        if stat.S_ISDIR(mode):
            raise Unavailable(f"cannot open database {path}: it is a directory")
        if not stat.S_ISREG(mode):
            raise Unavailable(f"cannot open database {path}: it is not a regular file")
        _refuse_foreign(path)
        return
    folder = path.parent
    if not folder.is_dir():
        if folder.exists() or folder.absolute() != data_dir().absolute():
            what = "is not a folder" if folder.exists() else "does not exist"
            raise Unavailable(
                f"cannot create database {path}: folder {folder} {what} "
                "(check --db / TINYCRM_DB, or create the folder first)"
            )
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise Unavailable(f"cannot create folder {folder}: {exc.strerror}") from exc
    try:
        _create_sqlite_file(path)
    except FileExistsError:
        pass  # another process created it first
    except OSError as exc:
        raise Unavailable(f"cannot create database {path}: {exc.strerror}") from exc


def _refuse_foreign(path: Path) -> None:
    """Refuse another program's SQLite file (tables, none of them tinycrm's
    ``alembic_version``) before anything is written into it: migrating would add
    tinycrm's tables to it and turn it to WAL. Read without writing beside it; a file
    that cannot be read so (not a database, locked) is left to the open that follows."""
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True, timeout=0)
    except sqlite3.Error:
        return
    try:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
            )
        ]
    except sqlite3.Error:
        return
    finally:
        conn.close()
    if names and "alembic_version" not in names:
        shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
        raise Unavailable(
            f"cannot open database {path}: it is another program's database (its tables: "
            f"{shown}), not tinycrm's; give tinycrm a file of its own"
        )


def make_engine(url: str) -> Engine:
    """Build an engine for ``url`` with tinycrm's settings (no connection is made)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise Unavailable(f"not a database URL or path: {url!r}") from exc
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(
                parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
            )
            event.listen(engine, "do_connect", _sqlite_open_existing)
            event.listen(engine, "connect", _on_sqlite_connect)
            event.listen(engine, "begin", _on_sqlite_begin)
            event.listen(engine, "before_cursor_execute", _refuse_nul)
            # A Ctrl-C that landed in a Python function SQLite called (the search index's
            # fold) was kept: it interrupts the command once the statement has returned.
            event.listen(engine, "after_cursor_execute", _interrupt_kept)
        else:
            engine = create_engine(parsed, pool_pre_ping=True)
            event.listen(engine, "before_cursor_execute", _refuse_nul)
    except NoSuchModuleError as exc:
        raise Unavailable(f"unsupported database URL {url!r}: {exc}") from exc
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
    config: Config | None = None,
    on_upgrade: Callable[[UpgradeNotice], None] | None = None,
) -> Store:
    """Open (creating or upgrading as needed) the database named by ``db``.

    ``config`` is what the store's rules, scoring thresholds and reminders read; front
    ends load it at their edge (without it the store reads the config file).

    A new database is created at the newest schema; an older one is upgraded
    (SQLite: after a copy is saved beside it), telling ``on_upgrade`` before and after
    (the store prints nothing). Raises ``Unavailable`` with a one-line reason when the
    database cannot be opened.
    """
    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None:
        _check_database_path(path)
    engine = make_engine(url)
    store = Store(engine, url, user or current_user(), config)
    store.on_upgrade = on_upgrade
    if migrate:
        try:
            ensure_schema(store)
        except DBAPIError as exc:
            engine.dispose()
            where = path or store.display_url()
            raise Unavailable(f"cannot open database {where}: {_open_error(exc, path)}") from exc
    return store


def _open_error(exc: DBAPIError, path: Path | None) -> str:
    """Why a database could not be opened: SQLite's words, or, when it could not make its
    journal beside a database in a folder that cannot be written (a backup disk mounted
    read-only), that ("unable to open database file" of a file that is there)."""
    reason = _db_error(exc)
    if path is None or not any(m in reason for m in ("unable to open", "readonly database")):
        return reason
    folder = path.parent
    if os.access(folder, os.W_OK):
        return reason
    return (
        f"its folder {folder} is read-only, and SQLite keeps its journal ({path.name}-wal) "
        "beside the database; copy the database into a folder you can write to"
    )


def schema_revision(conn: Connection) -> str | None:
    """The Alembic revision the database is at, or None for an empty database.

    On PostgreSQL only the current schema counts: a tinycrm schema elsewhere on the
    search path (``public``, say) must not make a new schema look migrated.
    """
    schema = None
    if conn.dialect.name == "postgresql":
        schema = conn.execute(text("SELECT current_schema()")).scalar()
    if not inspect(conn).has_table("alembic_version", schema=schema):
        return None
    table = f'"{schema}".alembic_version' if schema else "alembic_version"
    return conn.execute(text(f"SELECT version_num FROM {table}")).scalar()


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
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            before = schema_revision(conn)
            if before is not None and before not in script_heads(all_revisions=True):
                raise Unavailable(
                    f"database schema {before!r} is newer than this tinycrm knows; upgrade tinycrm"
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
                with interrupts.aside():  # a copy kept on the side, not the command's work
                    backup_sqlite(store.path, backup)
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


def database_files(path: Path) -> list[Path]:
    """A SQLite database file and the files beside it that belong to it (WAL, shared
    memory, rollback journal), under the name given and under the file it links to."""
    names = []
    for base in dict.fromkeys([path.expanduser().absolute(), Path(os.path.realpath(path))]):
        names += [base, *(base.with_name(base.name + end) for end in ("-wal", "-shm", "-journal"))]
    return names


def refuse_database_itself(database: Path, target: Path, shown: str) -> None:
    """``Invalid`` when writing ``target`` would write onto ``database`` or its companion
    files: the same path, a symlink to one of them, or a hard link."""
    own = database_files(database)
    real = Path(os.path.realpath(target))
    if real in own or target.absolute() in own:
        raise Invalid(
            f"{shown} is the database itself (or its -wal/-shm file): choose another file"
        )
    try:
        mine = os.stat(real)
    except OSError:
        return
    for path in own:
        try:
            theirs = os.stat(path)
        except OSError:
            continue
        if (mine.st_dev, mine.st_ino) == (theirs.st_dev, theirs.st_ino):
            raise Invalid(f"{shown} is a hard link to the database ({path}): choose another file")


def sqlite_uri(path: Path, mode: str) -> str:
    """The URI ``sqlite3.connect(..., uri=True)`` opens ``path`` by, in ``mode`` (``ro``,
    ``rw``): a name with ``#``, ``?`` or ``%`` is quoted, not cut or read as options."""
    from urllib.parse import quote

    return f"file:{quote(str(path))}?mode={mode}"


def read_only_uri(path: Path) -> str:
    """The URI to read the SQLite file ``path`` (a backup) by without writing beside it.

    A backup is a WAL database; read as such, SQLite makes ``-wal`` and ``-shm`` files
    next to it, and cannot in a read-only folder (a backup disk mounted read-only). With no
    ``-wal`` beside it there is nothing but the file to read, so it is opened immutable.
    """
    wal = path.with_name(f"{path.name}-wal")
    return sqlite_uri(path, "ro") + ("" if wal.exists() else "&immutable=1")


def _copy_verified(source: Path, target: Path) -> None:
    """Copy the live database at ``source`` into the file ``target`` with the online backup
    API, then check the copy (``PRAGMA integrity_check``)."""
    try:
        src = sqlite3.connect(sqlite_uri(source, "rw"), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise Unavailable(f"cannot read database {source}: {exc}") from exc
    try:
        dst = sqlite3.connect(target)
        try:  # no rollback journal: a copy that fails is thrown away, and a journal that
            # a failed write left behind (a full disk) would stay beside it
            dst.execute("PRAGMA journal_mode=OFF")
            src.backup(dst)
            problems = [row[0] for row in dst.execute("PRAGMA integrity_check")]
        finally:
            dst.close()
    except sqlite3.Error as exc:
        raise Unavailable(f"backup failed: {exc}") from exc
    finally:
        src.close()
    if problems != ["ok"]:
        raise Unavailable(f"backup failed its integrity check: {problems[0]}")


def backup_sqlite(source: Path, target: Path | str, *, mkdir: bool = False) -> Path | None:
    """Copy a live SQLite database with the online backup API (safe while it is in use).

    The copy is made in a temporary file beside ``target``, checked, and renamed over it
    only then; ``target`` may not be the database itself (nor a link to it or its WAL).
    ``-`` and ``/dev/stdout`` write the copy to standard output, a FIFO is written into.
    Returns the file written (None for a stream). ``CannotWrite``/``Invalid``/``Unavailable``
    with one line when it cannot be.
    """
    from tinycrm import files

    dest = files.resolve(target, mkdir=mkdir)
    if dest.path is not None:
        refuse_database_itself(source, dest.path, dest.shown)
    if not dest.stream:
        assert dest.path is not None
        with files.temporary_beside(dest.path) as temp:
            _copy_verified(source, temp)
        return dest.path
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tinycrm-backup-") as folder:
        copy = Path(folder) / "backup.db"
        _copy_verified(source, copy)
        with files.open_output(target, binary=True) as stream, copy.open("rb") as data:
            shutil.copyfileobj(data, stream, 1 << 20)
    return None


_T = TypeVar("_T")


def chunks(values: list[_T], size: int) -> Iterator[list[_T]]:
    """``values`` ``size`` at a time: as many rows or bound ids as one statement takes
    comfortably (an executemany batch, an ``IN (...)`` list)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]

"""``Store``: an open database and its transactions (``write()``, ``read()``), the hooks
around each commit, and the one-line reasons a driver's error is told by."""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session

from tinycrm import interrupts
from tinycrm.store import odd_amounts, odd_dates, sqlite_connections, unique
from tinycrm.store.database_url import parse_url, sets_lock_timeout, sqlite_path
from tinycrm.store.errors import Conflict, Invalid, Unavailable
from tinycrm.store.settings import StoreSettings
from tinycrm.store.types import ODD_AMOUNTS, OddAmounts


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
    of the old database kept beside it (SQLite; None on PostgreSQL): made after the first
    notice, there by the second."""

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

    def __init__(
        self, engine: Engine, url: str, user: str, given: StoreSettings | None = None
    ) -> None:
        self.engine = engine
        self.url = url
        self.user = user
        # what the store's own rules follow, as the API layer read them from the config
        # file (the store reads none): without them, the config's defaults
        self.given = given or StoreSettings()
        self.backend = engine.dialect.name
        self._local = threading.local()
        self.watch: CommitWatcher | None = None  # hooks and webhooks (tinycrm.open sets it)
        # told when an existing database is upgraded (the command line says so on stderr)
        self.on_upgrade: Callable[[UpgradeNotice], None] | None = None
        # opened without bringing the schema to head (``open_store(migrate=False)``)
        self.unmigrated = False
        self.closed = False

    def phone_region(self) -> str | None:
        """``[phone] region`` as the store was given it: the country of numbers typed
        without ``+CC``. None when unset, or when the config file is broken (reads still
        work; writes that need the rules refuse with the reason)."""
        return None if self.given.error else self.given.phone_region

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
                seen = OddAmounts()  # amounts read as none (MinorUnits)
                seen.session = session
                odd = ODD_AMOUNTS.set(seen)
                try:
                    transaction = conn.begin()
                    try:
                        if watch is not None:
                            watch.begin(session)
                        yield session
                        if seen.seen:  # amounts read as none: name their records
                            odd_amounts.name_them(session, seen)
                        if seen.dates:  # dates or times read as none: name their records
                            odd_dates.name_them(session, seen)
                        session.flush()
                        if watch is not None:
                            committed = watch.before_commit(session)
                        for check in session.info.get(LAST_CHECKS_KEY, ()):
                            check()  # the caller's last word (board_write): may refuse
                        if immediate and self.backend == "sqlite":
                            file_moved(conn)
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
                    ODD_AMOUNTS.reset(odd)
                    self._local.session = None
                    self._local.writable = False
                    session.close()
            if watch is not None:
                watch.after_commit(committed)
        except OperationalError as exc:
            collided = _COLLIDED.get(_sqlstate(exc) or "")
            if collided is not None:
                raise Conflict(collided) from exc
            if _sqlstate(exc) == LOCK_TIMEOUT_SQLSTATE:
                raise Unavailable(lock_wait_ended(self.url)) from exc
            reason = (
                self._missing_table(exc)
                or self._missing_column(exc)
                or self._wal_damage(exc)
                or db_error(exc)
            )
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
        except DatabaseError as exc:
            told = (
                self._wal_damage(exc)
                or self._damage(exc)
                or self._not_allowed(exc)
                or _read_only(exc)
                or self._missing_table(exc)
                or self._missing_column(exc)
            )
            if told is None:
                raise
            raise Unavailable(told) from exc
        except UnicodeEncodeError as exc:
            # Bytes that are not UTF-8 on the command line (or in a file read without
            # its encoding) reach us as lone surrogates, which no database can store.
            raise Invalid(
                "text holds bytes that are not UTF-8 (is the terminal's locale UTF-8?)"
            ) from exc

    def _wal_damage(self, exc: DatabaseError) -> str | None:
        """SQLite: the write-ahead log beside the database damaged (cut short, overwritten)
        under this running tinycrm, named with the way out; None for anything else."""
        if self.path is None:
            return None
        from tinycrm.store.sqlite_files import wal_damage

        said = wal_damage(self.path, getattr(exc, "orig", None), db_error(exc))
        return None if said is None else f"cannot use database {self.path}: {said}"

    def _damage(self, exc: DatabaseError) -> str | None:
        """What to say of a SQLite file found damaged while it was read or written (its
        pages overwritten, a copy cut short): SQLite's plain DatabaseError, not one of
        the subclasses a statement's own fault raises. None for anything else."""
        orig = getattr(exc, "orig", None)
        if self.path is None or type(orig) is not sqlite3.DatabaseError:
            return None
        return (
            f"database {self.path} is damaged ({str(orig).strip()}): restore a backup "
            f"(tinycrm db restore FILE), or save what can be read with sqlite3 {self.path} "
            ".recover"
        )

    def _missing_table(self, exc: DatabaseError) -> str | None:
        """What to say when a table tinycrm reads or writes is not there (PostgreSQL's
        42P01, SQLite's 'no such table'): its tables were dropped under a running
        tinycrm, or the database (schema) is not tinycrm's though it says it is at head.
        Was a ProgrammingError traceback, and the MCP server's bare 'Error executing
        tool'. None for anything else."""
        message = str(getattr(exc, "orig", None) or exc).strip()
        found = _MISSING_TABLE.search(message)
        if found is None or (_sqlstate(exc) != "42P01" and self.path is None):
            return None
        table = found.group(1) or found.group(2)
        shown = str(self.path) if self.path is not None else self.display_url()
        behind = self._not_upgraded(shown)
        if behind is not None:
            return behind
        return (
            f"cannot use database {shown}: it has no table {table}; tinycrm's tables were "
            "removed from it, or it is not a tinycrm database (check --db and TINYCRM_DB; "
            "restore a backup)"
        )

    def _missing_column(self, exc: DatabaseError) -> str | None:
        """What to say when a column tinycrm reads or writes is not there (PostgreSQL's
        42703, SQLite's 'no such column' / 'has no column named'): it was removed under a
        running tinycrm, or the database says it is at a schema it is not at. Was a
        ProgrammingError traceback on PostgreSQL (and the MCP server's bare 'Error
        executing tool'), a bare 'database error' on SQLite. None for anything else."""
        if _sqlstate(exc) != "42703" and self.path is None:
            return None
        message = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        found = _MISSING_COLUMN.search(message)
        if found is None:
            return None
        table = found["table"] or found["table2"] or found["table3"]
        column = found["column"] or found["column3"]
        shown = str(self.path) if self.path is not None else self.display_url()
        behind = self._not_upgraded(shown)
        if behind is not None:
            return behind
        where = f"its table {table} has" if table else "it has"
        return (
            f"cannot use database {shown}: {where} no column {column}; it was removed from "
            "it, or it is not a tinycrm database at the schema it says it is (check --db "
            "and TINYCRM_DB; restore a backup)"
        )

    def _not_upgraded(self, shown: str) -> str | None:
        """What to say when a table or column is missing because the database is at an
        older schema, or none (opened with ``migrate=False``); None when it is at head
        or newer, when the store was opened migrating, or cannot be read."""
        if not self.unmigrated:
            return None  # at head when opened: its tables were removed since
        from tinycrm.store.migrations import SCHEMA_HEAD, schema_revision

        try:
            with self.engine.connect() as conn:
                revision = schema_revision(conn)
        except DBAPIError:
            return None
        how = "(tinycrm db upgrade, or tinycrm.open() without migrate=False)"
        if revision is None:
            return (
                f"cannot use database {shown}: it has no tinycrm schema yet: create it first {how}"
            )
        if revision >= SCHEMA_HEAD:
            return None
        return (
            f"cannot use database {shown}: it is at schema {revision}, older than this "
            f"tinycrm's {SCHEMA_HEAD}: upgrade it first {how}"
        )

    def _not_allowed(self, exc: DatabaseError) -> str | None:
        """What to say when PostgreSQL refused the role a privilege (42501: a login granted
        SELECT only, writing); None for anything else."""
        if _sqlstate(exc) != "42501":
            return None
        role = make_url(self.url).username
        who = f"PostgreSQL role {role}" if role else "this PostgreSQL role"
        return f"{db_error(exc)} ({who} may not do this: ask the database's owner to grant it)"

    def close(self) -> None:
        """Release every pooled connection; any later read or write raises ``Unavailable``."""
        self.closed = True
        self.engine.dispose()

    def release(self) -> None:
        """Release every pooled connection, staying open: the next read or write connects
        anew (``db restore``, once it has put another file in place)."""
        self.engine.dispose()


def file_moved(conn: Any) -> None:
    """``Unavailable`` when the SQLite file this connection writes into is no longer the
    one at its path: renamed, deleted or replaced by another since the connection opened
    it (a board, a mail sync or an import running meanwhile). The write would be
    committed into a file nobody opens again and reported done. One ``stat`` a write.
    (The board and the MCP server check the file they opened, with their own words.)"""
    opened = conn.connection.info.get(sqlite_connections.FILE_KEY)
    if opened is None:
        return
    path, device, inode = opened
    try:
        found = os.stat(path)
    except FileNotFoundError:
        raise Unavailable(
            f"cannot write database {path}: the file was renamed or deleted while this "
            "tinycrm had it open; nothing was saved (open the database where it is now)"
        ) from None
    except OSError as exc:
        raise Unavailable(f"cannot write database {path}: {exc.strerror}") from None
    if (found.st_dev, found.st_ino) != (device, inode):
        raise Unavailable(
            f"cannot write database {path}: the file was replaced by another while this "
            "tinycrm had it open; nothing was saved (run the command again)"
        )


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


LOCK_TIMEOUT_SQLSTATE = "55P03"  # lock_not_available: lock_timeout ran out (or NOWAIT)


def lock_wait_ended(url: str) -> str:
    """What a PostgreSQL command says when it gave up waiting for a lock another
    connection holds (``lock_timeout``): "database is busy", as SQLite's busy timeout."""
    if sets_lock_timeout(parse_url(url)):
        waited = "as long as the lock_timeout in its URL allows"
    else:
        waited = f"{sqlite_connections.BUSY_TIMEOUT_MS / 1000:g} s"
    return (
        f"database is busy (locked by another connection): it waited {waited} for a lock; "
        "nothing was saved: run the command again"
    )


_MISSING_TABLE = re.compile(r'relation "([^"]+)" does not exist|no such table: (\S+)')
# PostgreSQL: 'column contact.source does not exist', 'column "source" of relation
# "contact" does not exist', 'column "source" does not exist'; SQLite: 'no such column:
# contact.source', 'table contact has no column named source'.
_MISSING_COLUMN = re.compile(
    r'^(?:column |no such column: )(?:"?(?P<table>[\w$]+)"?\.)?"?(?P<column>[\w$]+)"?'
    r'(?: of relation "(?P<table2>[^"]+)")?(?: does not exist|$)'
    r"|^table (?P<table3>\S+) has no column named (?P<column3>\S+)"
)


def _read_only(exc: DBAPIError) -> str | None:
    """What to say when PostgreSQL refused a write because the database takes none
    (25006: a standby, or default_transaction_read_only on); None for anything else."""
    if _sqlstate(exc) != "25006":
        return None
    said = db_error(exc).removeprefix("database error: ")
    return (
        f"cannot write: the PostgreSQL database is read-only ({said}; a standby, or "
        "default_transaction_read_only on): write to the primary, or ask the database's "
        "owner to allow writes"
    )


def _sqlstate(exc: DBAPIError) -> str | None:
    """The SQLSTATE of the driver's error (PostgreSQL's ``40P01``), or None."""
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def db_error(exc: DBAPIError) -> str:
    orig = getattr(exc, "orig", None) or exc
    message = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    if "locked" in message:
        return f"database is busy (locked by another tinycrm): {message}"
    return f"database error: {message}"

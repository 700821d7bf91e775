"""How the full-screen board writes: only to the file it opened, never waiting unbounded.

A board stays open for hours while other processes use the same database. Two
things can go wrong under it that a one-shot command never meets:

* the database file is renamed or deleted (or replaced by another one): pooled
  connections go on writing to the old inode, where the writes are lost to the
  path. :func:`file_id` is taken when the board opens; :func:`check_file` (before
  each write, inside it just before the commit, and on every poll) refuses with
  :class:`DatabaseGone` once the path no longer names that file;
* another connection holds a lock: SQLite gives up after its busy timeout, but
  PostgreSQL waits for ever. :func:`bound_lock_waits` gives the board's
  PostgreSQL connections the same bound (``lock_timeout``), and
  :func:`board_write` reports a lock timeout as "database is busy", as SQLite's.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from tinycrm.store import sqlite_connections
from tinycrm.store.engine import Store
from tinycrm.store.errors import Unavailable
from tinycrm.store.sessions import LAST_CHECKS_KEY

FileId = tuple[int, int]
"""A file's device and inode numbers."""

_PG_LOCK_TIMEOUT = "55P03"  # lock_not_available
_PG_CANCELED = "57014"  # query_canceled (statement_timeout)


class DatabaseGone(Unavailable):
    """The database file the board (or the MCP server) opened was renamed, deleted or
    replaced."""


def file_id(store: Store) -> FileId | None:
    """The device and inode of the store's SQLite file now (None: not SQLite, or missing)."""
    path = store.path
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


def check_file(store: Store, opened: FileId | None) -> None:
    """Raise ``DatabaseGone`` unless the store's path still names the file ``opened``."""
    path = store.path
    if path is None or opened is None:
        return
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise DatabaseGone(
            f"the database file {path} was renamed or deleted while tinycrm had it open; "
            "nothing more is saved (quit, and open the database where it is now)"
        ) from None
    except OSError as exc:
        raise DatabaseGone(f"the database file {path} cannot be checked: {exc.strerror}") from None
    if (stat.st_dev, stat.st_ino) != opened:
        raise DatabaseGone(
            f"the database file {path} was replaced by another file while tinycrm had it "
            "open; nothing more is saved (quit, and open it again)"
        )


def bound_lock_waits(store: Store, milliseconds: int | None = None) -> None:
    """Make the store's PostgreSQL connections give up waiting for a lock after a while.

    The bound is SQLite's busy timeout unless given. Connections made from now on get
    it (``SET lock_timeout``); those already pooled are closed. Nothing for SQLite.
    """
    if store.backend != "postgresql" or getattr(store, "_lock_waits_bound", False):
        return
    setattr(store, "_lock_waits_bound", True)  # noqa: B010 (once per store)
    timeout = int(milliseconds if milliseconds is not None else sqlite_connections.BUSY_TIMEOUT_MS)

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute(f"SET lock_timeout = {timeout}")
        cursor.close()
        dbapi_conn.commit()  # a SET in a transaction that rolls back would be undone

    event.listen(store.engine, "connect", on_connect)
    store.engine.dispose()


def _busy(error: Unavailable) -> bool:
    orig = getattr(error.__cause__, "orig", None)
    return getattr(orig, "sqlstate", None) in (_PG_LOCK_TIMEOUT, _PG_CANCELED)


@contextmanager
def board_write(
    store: Store, *, opened: FileId | None, last_check: Callable[[], None] | None = None
) -> Iterator[Session]:
    """``store.write()`` for the board: only into the file ``opened``, and a PostgreSQL
    lock timeout told as "database is busy", like SQLite's busy timeout.

    The file is looked at again just before the COMMIT, after the pre-write hooks (which
    may take seconds), and then ``last_check`` is called: raising, it rolls the write
    back (the MCP server's, when its client has cancelled the call meanwhile)."""
    check_file(store, opened)

    def before_commit() -> None:
        check_file(store, opened)  # still the same file
        if last_check is not None:
            last_check()

    try:
        with store.person_write() as session:
            session.info.setdefault(LAST_CHECKS_KEY, []).append(before_commit)
            yield session
    except Unavailable as exc:
        if isinstance(exc, DatabaseGone) or not _busy(exc):
            raise
        raise Unavailable(
            "database is busy (locked by another connection): it waited "
            f"{sqlite_connections.BUSY_TIMEOUT_MS / 1000:g} s for the lock"
        ) from exc

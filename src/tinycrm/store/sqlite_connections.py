"""How each SQLite connection is set up: the busy timeout, WAL, foreign keys, the search
index's fold function, ``BEGIN IMMEDIATE`` for writes, and never creating the file."""

from __future__ import annotations

import sqlite3
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event

from tinycrm.store.search_index import register_sqlite_fold

BUSY_TIMEOUT_MS = 10_000
"""How long a SQLite connection waits for another writer's lock (and the PostgreSQL lock
timeout of the board's writes). Read when a connection is made: a test may change it."""


def listen_sqlite(engine: Engine) -> None:
    """Set tinycrm's pragmas on each new connection of ``engine``, open the file only if it
    exists, and begin each transaction as its ``tinycrm_immediate`` option says."""
    event.listen(engine, "do_connect", _sqlite_open_existing)
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)


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
    record.info[FILE_KEY] = _file_opened(dbapi_conn)


FILE_KEY = "tinycrm_file"
"""A pooled connection's ``info`` key: the path of the database file it opened and
that file's (device, inode) then (None: a database in memory), which
``Store.write()`` looks at before each COMMIT (``sessions.file_moved``)."""


def _file_opened(dbapi_conn: sqlite3.Connection) -> tuple[str, int, int] | None:
    """The main database file this new connection has open, and its device and inode."""
    import os

    try:
        rows = dbapi_conn.execute("PRAGMA database_list").fetchall()
        path = next((row[2] for row in rows if row[1] == "main"), "")
        if not path:
            return None
        found = os.stat(path)
    except (sqlite3.Error, OSError):
        return None
    return (path, found.st_dev, found.st_ino)


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


# How many SQLite virtual machine steps between two looks for a signal during one
# statement (a few microseconds of SQLite's work; the look costs less than a step's share)
_STEPS_BETWEEN_LOOKS = 10_000


def _look_for_signals() -> int:
    """SQLite's progress handler: nothing but a return to Python, where a signal that came
    during the statement runs its handler. One that raises (tinycrm.interrupts: nothing is
    saved yet) ends the statement ("interrupted"), which ``interrupts.interrupted_by``
    then knows as the signal; one held (after a commit) lets it go on."""
    return 0


@contextmanager
def answering_signals(conn: Connection) -> Iterator[None]:
    """During the block, a statement of ``conn`` on SQLite answers Ctrl-C and TERM as it
    runs, not after it: an export's first statement over 200,000 contacts (their sort)
    took seconds in SQLite's C code, where Python cannot run a signal's handler. Set on
    this connection for the block only (other commands' statements are not slowed)."""
    if conn.dialect.name != "sqlite":
        yield
        return
    raw: Any = conn.connection.driver_connection
    raw.set_progress_handler(_look_for_signals, _STEPS_BETWEEN_LOOKS)
    try:
        yield
    finally:
        raw.set_progress_handler(None, 0)

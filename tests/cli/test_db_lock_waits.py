"""A command meeting a lock another connection holds: a bounded wait, then one line.

SQLite gives up after its busy timeout ("database is busy"). PostgreSQL waited for ever
(no ``lock_timeout``): a ``contact add`` behind a ``LOCK TABLE``, or a ``contact edit``
behind a row another session holds ``FOR UPDATE``, hung until that session ended. Now
each connection tinycrm makes has a ``lock_timeout`` as long as SQLite's busy timeout
(its own, not the server's), and the command says "database is busy" in one line,
exit 1, nothing written. The wait for another process's schema upgrade (``db
upgrade``'s advisory lock) is not bounded by it, and statements are never cut.

The bound is made short here (``BUSY_TIMEOUT_MS``, read when a connection is made).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tinycrm.store import sqlite_connections

from ..conftest import BACKENDS, PG_URL, _reset_pg

BOUND_MS = 700


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path, cli) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        url = str(tmp_path / "locks.db")
    else:
        url = request.getfixturevalue("pg_schema_url")
        _reset_pg(url)
    added = cli("--db", url, "contact", "add", "Ada Lovelace", "--title", "Countess")
    assert added.exit_code == 0, added.stderr
    return url


@pytest.fixture
def short_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_connections, "BUSY_TIMEOUT_MS", BOUND_MS)


@contextmanager
def held(url: str, how: str) -> Iterator[None]:
    """Another connection holds a lock in an open transaction until the block ends:
    SQLite's write lock; on PostgreSQL the contact table (``table``) or Ada's row."""
    if "://" not in url:
        conn = sqlite3.connect(url, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    other = create_engine(url)
    try:
        with other.connect() as conn:
            transaction = conn.begin()
            if how == "table":
                conn.execute(text("LOCK TABLE contact IN EXCLUSIVE MODE"))  # reads pass
            else:
                conn.execute(text("SELECT id FROM contact WHERE id = 1 FOR UPDATE"))
            try:
                yield
            finally:
                transaction.rollback()
    finally:
        other.dispose()


def _contacts(cli, url: str) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    listed = cli("--db", url, "contact", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    return [(c["name"], c["title"]) for c in listed.json()]


@pytest.mark.parametrize(
    ("how", "command"),
    [
        ("table", ["contact", "add", "Grace Hopper"]),
        ("row", ["contact", "edit", "1", "--title", "Analyst"]),
    ],
)
def test_a_write_behind_a_held_lock_gives_up_in_one_line_and_writes_nothing(
    cli, database: str, short_bound: None, how: str, command: list[str]
) -> None:
    started = time.monotonic()
    with held(database, how):
        result = cli("--db", database, *command)
        waited = time.monotonic() - started
    assert result.exit_code == 1, result.stdout + result.stderr
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("Error: database is busy ("), result.stderr
    assert "Traceback" not in result.stderr and "SQL" not in result.stderr
    assert waited >= BOUND_MS / 1000 * 0.9  # it did wait, for about the bound
    assert waited < 30
    assert _contacts(cli, database) == [("Ada Lovelace", "Countess")]


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL")
def test_a_lock_let_go_within_the_bound_is_waited_for(cli, request, monkeypatch) -> None:
    url = request.getfixturevalue("pg_schema_url")
    _reset_pg(url)
    monkeypatch.setattr(sqlite_connections, "BUSY_TIMEOUT_MS", 60_000)
    assert cli("--db", url, "contact", "add", "Ada Lovelace").exit_code == 0
    with held(url, "row"):
        result: list[object] = []
        worker = threading.Thread(
            target=lambda: result.append(cli("--db", url, "contact", "edit", "1", "--title", "X"))
        )
        worker.start()
        time.sleep(1.0)
        assert worker.is_alive()  # waiting for the row
    worker.join(timeout=60)
    assert result and result[0].exit_code == 0, result  # type: ignore[attr-defined]
    assert _contacts(cli, url) == [("Ada Lovelace", "X")]


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL")
def test_the_lock_timeout_is_the_connections_own_and_statements_are_not_cut(
    request, short_bound: None
) -> None:
    from tinycrm.store.engine import open_store

    url = request.getfixturevalue("pg_schema_url")
    store = open_store(url, user="tester")
    try:
        with store.read() as session:
            assert session.execute(text("SHOW lock_timeout")).scalar_one() == f"{BOUND_MS}ms"
            assert session.execute(text("SHOW statement_timeout")).scalar_one() == "0"
            # a statement longer than the bound runs to its end
            session.execute(text("SELECT pg_sleep(:s)"), {"s": BOUND_MS / 1000 * 1.5})
    finally:
        store.close()
    plain = create_engine(url)  # another program's connection: the server's default
    try:
        with plain.connect() as conn:
            assert conn.execute(text("SHOW lock_timeout")).scalar_one() == "0"
    finally:
        plain.dispose()


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL")
def test_db_upgrade_waits_for_another_upgrade_past_the_bound(
    cli, request, short_bound: None
) -> None:
    """Two processes upgrading at once take turns on an advisory lock; the second waits
    as long as the first's upgrade takes (minutes, on a big database), not the bound."""
    from tinycrm.store.schema_upgrade import _PG_MIGRATION_LOCK

    url = request.getfixturevalue("pg_schema_url")
    other = create_engine(url)
    try:
        with other.connect() as conn:
            transaction = conn.begin()
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
            threading.Timer(BOUND_MS / 1000 * 3, transaction.rollback).start()
            started = time.monotonic()
            result = cli("--db", url, "db", "upgrade")
            waited = time.monotonic() - started
    finally:
        other.dispose()
    assert result.exit_code == 0, result.stderr
    assert "up to date" in result.stdout
    assert waited >= BOUND_MS / 1000 * 2.5


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL")
@pytest.mark.parametrize("table", ["alembic_version", "contact"])
def test_opening_or_reading_behind_a_table_lock_is_busy_too(
    cli, request, short_bound: None, table: str
) -> None:
    """A table held ACCESS EXCLUSIVE (another program's ALTER TABLE, say): reading it waits
    too. The schema check on opening said 'cannot open database …: database error:
    canceling statement due to lock timeout' (with the URL); now as any busy command."""
    url = request.getfixturevalue("pg_schema_url")
    _reset_pg(url)
    other = create_engine(url)
    try:
        with other.connect() as conn:
            transaction = conn.begin()
            conn.execute(text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
            result = cli("--db", url, "contact", "list")
            transaction.rollback()
    finally:
        other.dispose()
    assert result.exit_code == 1, result.stdout + result.stderr
    assert result.stderr.startswith("Error: database is busy ("), result.stderr
    assert len(result.stderr.splitlines()) == 1 and "options=" not in result.stderr


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL")
def test_a_lock_timeout_given_in_the_url_is_kept(request, short_bound: None) -> None:
    from tinycrm.store.engine import open_store

    url = request.getfixturevalue("pg_schema_url")
    assert "options=" in url  # the test schema's search_path
    store = open_store(url.replace("options=", "options=-clock_timeout%3D5s%20"), user="tester")
    try:
        with store.read() as session:
            assert session.execute(text("SHOW lock_timeout")).scalar_one() == "5s"
            assert session.execute(text("SELECT current_schema()")).scalar_one() in url
    finally:
        store.close()

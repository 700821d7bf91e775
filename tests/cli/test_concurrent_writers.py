"""Two ``tinycrm`` processes adding the same company domain or contact email at once.

Exactly one wins; the other is refused with the one-line Conflict a user gets when the
record already exists (exit 1), never a traceback from the unique index. To make "at
once" certain rather than likely, the test holds the database first: on PostgreSQL a
transaction of its own inserts the same key and stays open, so both processes pass the
store's check (neither can see an uncommitted row) and both wait on the unique index;
once both wait, the test rolls back, one insert goes through and the other meets the
index. On SQLite a held write lock queues both (as SQLite always does), so the second
finds the first's row in its check.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ..conftest import BACKENDS, _reset_pg
from .signals import Running, finish, pause, spawn, wait_started

TIMEOUT = 120.0  # seconds: a loaded machine is slow, a hung process is a failure

CASES = {
    "company domain": (
        ["company", "add", "{name}", "--domain", "ACME.de"],
        "INSERT INTO company (name, name_key, sort_key, domain, owner, created_at, updated_at) "
        "VALUES ('Held', 'held', 'held', 'acme.de', 'held', now(), now())",
        "Error: a company with domain acme.de already exists: {winner} (#{id})",
    ),
    "contact email": (
        ["contact", "add", "{name}", "--email", "Same@Example.com"],
        "INSERT INTO contact (name, name_key, email, email_key, lifecycle, owner, score, "
        "unsubscribed, do_not_contact, search_key, sort_key, created_at, updated_at) VALUES "
        "('Held', 'held', 'same@example.com', 'same@example.com', 'lead', 'held', 0, false, "
        "false, '', 'held', now(), now())",
        # both typed the address the same way: the message shows it as typed
        "Error: email Same@Example.com already belongs to #{id} {winner} <Same@Example.com>",
    ),
}


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "race.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return str(path)
    url = request.getfixturevalue("pg_schema_url")
    _reset_pg(url)
    return url


@contextmanager
def held_sqlite(path: str) -> Iterator[Callable[[list[Running]], None]]:
    """The write lock of ``path`` held until ``release(runs)``: both processes queue."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    done = False

    def release(runs: list[Running]) -> None:
        nonlocal done
        for run in runs:
            assert wait_started(run, path), "a writer ended before it opened the database"
        pause(runs[0], 0.3)  # both are past opening: they wait on the lock
        conn.execute("ROLLBACK")
        done = True

    try:
        yield release
    finally:
        if not done:
            conn.execute("ROLLBACK")
        conn.close()


@contextmanager
def held_postgres(url: str, holding_sql: str) -> Iterator[Callable[[list[Running]], None]]:
    """A transaction holding the key (an uncommitted row with it) until ``release(runs)``,
    which waits until both processes are blocked behind it."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    conn = engine.connect()
    transaction = conn.begin()
    conn.execute(text(holding_sql))
    xid = conn.execute(text("SELECT pg_current_xact_id()::text")).scalar_one()
    watcher = engine.connect()

    def release(runs: list[Running]) -> None:
        deadline = time.monotonic() + TIMEOUT
        while True:
            # Blocked behind the held row, or behind a writer that is itself blocked
            # behind it (two writers typing the same email wait on each other's row too).
            waiting = watcher.execute(
                text(
                    "SELECT count(*) FROM pg_locks w WHERE w.locktype = 'transactionid' "
                    "AND NOT w.granted AND (w.transactionid::text = :xid OR w.transactionid IN ("
                    " SELECT own.transactionid FROM pg_locks own JOIN pg_locks blocked"
                    " ON blocked.pid = own.pid WHERE own.locktype = 'transactionid'"
                    " AND own.granted AND blocked.locktype = 'transactionid'"
                    " AND NOT blocked.granted AND blocked.transactionid::text = :xid))"
                ),
                {"xid": xid},
            ).scalar_one()
            watcher.rollback()
            if waiting >= 2:
                break
            for run in runs:
                assert run.poll() is None, finish(run, False)
            assert time.monotonic() < deadline, "the writers never both reached the index"
            pause(runs[0], 0.01)
        transaction.rollback()

    try:
        yield release
    finally:
        if transaction.is_active:
            transaction.rollback()
        conn.close()
        watcher.close()
        engine.dispose()


@pytest.mark.parametrize("what", list(CASES))
def test_two_writers_adding_the_same_key_one_wins_the_other_is_told(
    database: str, what: str
) -> None:
    args, holding_sql, refusal = CASES[what]
    env = {"TINYCRM_DB": database}
    pg = "://" in database
    holding = held_postgres(database, holding_sql) if pg else held_sqlite(database)
    with holding as release:
        runs = [spawn([a.format(name=name) for a in args], env=env) for name in ("First", "Second")]
        release(runs)
        results = [finish(run, False) for run in runs]
    named = list(zip(results, ("First", "Second"), strict=True))
    outcomes = sorted((r.returncode, name) for r, name in named)
    assert [code for code, _ in outcomes] == [0, 1], [(r.returncode, r.stderr) for r in results]
    winner = outcomes[0][1]
    loser = next(r for r, name in named if name != winner)
    from tinycrm.store.engine import open_store

    store = open_store(database, user="tester")
    try:
        if what == "company domain":
            from tinycrm.store.companies import get_company

            record_id = get_company(store, "acme.de").id
        else:
            from tinycrm.store.contacts import get_contact

            record_id = get_contact(store, "same@example.com").id
    finally:
        store.close()
    assert loser.stderr == refusal.format(winner=winner, id=record_id) + "\n"
    assert loser.stdout == ""

"""kill -9 at random moments of every writing command: the database stays whole.

For each command, one clean run measures how long it takes; then several runs are killed
(SIGKILL, which nothing can catch) at seeded random moments of that span. After each,
SQLite's ``PRAGMA integrity_check`` is ok and the database holds all of the command's
effect or none of it, never part; on PostgreSQL the same, once the server has ended the
killed client's session (its transaction commits whole or not at all).
"""

from __future__ import annotations

import random
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ..conftest import PG_URL, _reset_pg
from .hostile_targets import PostgresTarget, snapshot_schema, tables_of
from .signals import (
    calls_csv,
    contacts_csv,
    count,
    finish,
    signal_at,
    snapshot,
    spawn,
    tasks_csv,
    wait_started,
)
from .test_interrupts import NOT_THE_RUN

if sys.platform == "win32":  # pragma: no cover
    pytest.skip("signals differ on Windows", allow_module_level=True)

KILLS = 2  # killed runs per command and database, on top of the clean one
ROWS = 3000


@dataclass
class Command:
    """A writing command: what to set up first, how to run it, and what it changes."""

    args: list[str]
    effect: Callable[[str], str]  # the database -> "none", "all", or what it found instead
    setup: list[list[str]] = field(default_factory=list)  # tinycrm runs, before
    sqlite_only: bool = False
    also: tuple[str, ...] = ()  # other outcomes that are whole (remind's claim, kept)


def _q(db: str, sql: str) -> int:
    return count(db, sql)


def _pair(found: tuple[int, ...], none: tuple[int, ...], all_: tuple[int, ...]) -> str:
    return "none" if found == none else "all" if found == all_ else f"found {found}"


def commands(data: Path) -> dict[str, Command]:
    people = contacts_csv(data / "people.csv", ROWS, tags="vip")
    calls = calls_csv(data / "calls.csv", ROWS, "b@x.io")
    tasks = tasks_csv(data / "tasks.csv", ROWS, "a@x.io")
    events = "SELECT COUNT(*) FROM event"
    return {
        "add": Command(
            ["contact", "add", "Zed", "--email", "z@x.io", "--tag", "new"],
            lambda db: _pair(
                (_q(db, "SELECT COUNT(*) FROM contact WHERE email = 'z@x.io'"), _q(db, events)),
                (0, 0),
                (1, 1),
            ),
        ),
        "edit": Command(
            ["contact", "edit", "a@x.io", "--phone", "+49 30 1234", "--title", "CEO"],
            lambda db: _pair(
                (
                    _q(db, "SELECT COUNT(*) FROM contact WHERE phone IS NOT NULL"),
                    _q(db, "SELECT COUNT(*) FROM contact WHERE title = 'CEO'"),
                    _q(db, events),
                ),
                (0, 0, 1),
                (1, 1, 2),
            ),
            setup=[["contact", "add", "Ada", "--email", "a@x.io"]],
        ),
        "move": Command(
            ["deal", "move", "Acme", "Proposal"],
            lambda db: _pair(
                (
                    _q(db, "SELECT COUNT(*) FROM stage_change"),
                    _q(
                        db,
                        "SELECT COUNT(*) FROM deal JOIN stage ON stage.id = deal.stage_id "
                        "WHERE stage.name = 'Proposal'",
                    ),
                    _q(db, events),
                ),
                (1, 0, 1),
                (2, 1, 2),
            ),
            setup=[["deal", "add", "Acme", "--amount", "1000"]],
        ),
        "import": Command(
            ["import", "contacts", str(people)],
            lambda db: _pair(
                (
                    _q(db, "SELECT COUNT(*) FROM contact"),
                    _q(db, "SELECT COUNT(*) FROM import_batch"),
                ),
                (0, 0),
                (ROWS, 1),
            ),
        ),
        "undo": Command(
            ["import", "undo", "1"],
            lambda db: _pair(
                (
                    _q(db, "SELECT COUNT(*) FROM contact"),
                    _q(db, "SELECT COUNT(*) FROM import_batch WHERE undone_at IS NOT NULL"),
                ),
                (ROWS, 0),
                (0, 1),
            ),
            setup=[["import", "contacts", str(people)]],
        ),
        "merge": Command(
            ["contact", "merge", "a@x.io", "b@x.io"],
            lambda db: _pair(
                (
                    _q(db, "SELECT COUNT(*) FROM contact WHERE email = 'b@x.io'"),
                    _q(
                        db,
                        "SELECT COUNT(*) FROM activity JOIN contact ON contact.id = "
                        "activity.contact_id WHERE contact.email = 'a@x.io'",
                    ),
                ),
                (1, 0),
                (0, ROWS),
            ),
            setup=[
                ["contact", "add", "Keep", "--email", "a@x.io"],
                ["contact", "add", "Other", "--email", "b@x.io"],
                ["import", "activities", str(calls)],
            ],
        ),
        "score": Command(
            ["score"],
            lambda db: _pair(
                (_q(db, "SELECT COUNT(*) FROM contact WHERE score >= 7"),), (0,), (ROWS,)
            ),
            setup=[
                ["import", "contacts", str(people)],
                ["score", "rule", "add", "VIP", "--points", "7", "--when", "tag:vip"],
            ],
        ),
        "remind": Command(
            ["remind"],
            lambda db: _pair(
                (
                    # the items' rows, not the run's own record (reminder_claims.RUN_KEY)
                    _q(db, f"SELECT COUNT(*) FROM announcement WHERE {NOT_THE_RUN}"),
                    _q(
                        db,
                        "SELECT COUNT(*) FROM announcement "
                        f"WHERE announced_at IS NOT NULL AND {NOT_THE_RUN}",
                    ),
                ),
                (0, 0),
                (ROWS, ROWS),
            ),
            setup=[
                ["contact", "add", "Ada", "--email", "a@x.io"],
                ["import", "activities", str(tasks)],
            ],
            # Killed between its two transactions: every item claimed, none told; the
            # claims go back after 15 minutes, so the items are told then.
            also=(f"found ({ROWS}, 0)",),
        ),
        "restore": Command(
            ["db", "restore", str(data / "backup.db"), "--yes"],
            lambda db: _pair(
                (
                    _q(db, "SELECT COUNT(*) FROM contact WHERE email = 'old@x.io'"),
                    _q(db, "SELECT COUNT(*) FROM contact"),
                ),
                (1, 1),
                (0, ROWS),
            ),
            setup=[["contact", "add", "Old", "--email", "old@x.io"]],
            sqlite_only=True,
        ),
        "backup": Command(
            ["db", "backup", str(data / "copy.db")],
            lambda _db: _whole_copy(data / "copy.db"),
            setup=[["import", "contacts", str(people)]],
            sqlite_only=True,
        ),
    }


def _whole_copy(copy: Path) -> str:
    if not copy.exists():
        return "none"
    conn = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()[0]
        n = conn.execute("SELECT COUNT(*) FROM contact").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return f"a broken copy: {exc}"
    finally:
        conn.close()
    return "all" if (ok, n) == ("ok", ROWS) else f"a copy: {ok}, {n} contacts"


def _integrity(db: str) -> str:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()
    return db


def _sessions_ended(engine: Any, name: str) -> None:
    """Wait until PostgreSQL has ended the killed client's session."""
    from sqlalchemy import text

    deadline = time.monotonic() + 60
    sql = text("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = :name")
    while True:
        with engine.connect() as conn:
            if not conn.execute(sql, {"name": name}).scalar_one():
                return
        assert time.monotonic() < deadline, "PostgreSQL kept the killed client's session"
        time.sleep(0.02)


def _backup_file(data: Path, sqlite_template: Path) -> None:
    """The backup ``db restore`` reads: ROWS contacts, none of them old@x.io."""
    backup = data / "backup.db"
    snapshot(sqlite_template, backup)
    run = finish(
        spawn(["--db", str(backup), "import", "contacts", str(data / "people.csv")]), False
    )
    assert run.returncode == 0, run.stderr
    snapshot(backup, data / "backup-folded.db")
    (data / "backup-folded.db").replace(backup)


def _kill_runs(
    name: str,
    command: Command,
    fresh: Callable[[], str],
    check: Callable[[str], str],
    opened: Callable[[str], str],
    rng: random.Random,
) -> list[str]:
    """A clean run, then KILLS killed ones. ``check`` waits for the database to be
    whole and returns what to read it through."""
    db = fresh()
    proc = spawn(["--db", db, *command.args])
    assert wait_started(proc, opened(db))
    began = time.monotonic()
    clean = finish(proc, False)
    took = time.monotonic() - began
    assert clean.returncode == 0, (name, clean.stderr)
    effect = command.effect(check(db))
    assert effect == "all", (name, effect)
    seen = []
    for _ in range(KILLS):
        db = fresh()
        proc = spawn(["--db", db, *command.args])
        killed = signal_at(proc, signal.SIGKILL, rng.uniform(0, took * 1.1), opened(db))
        run = finish(proc, killed)
        assert run.returncode in (0, -signal.SIGKILL), (name, run.returncode, run.stderr)
        found = command.effect(check(db))
        assert found in ("none", "all", *command.also), (name, found)
        seen.append(found)
    return seen


def _ran(db: str, setup: list[list[str]]) -> None:
    """The setup, in this process (quicker than a process per step)."""
    from typer.testing import CliRunner

    from tinycrm.cli import app

    for args in setup:
        run = CliRunner().invoke(app, ["--db", db, *args], catch_exceptions=False)
        assert run.exit_code == 0, (args, run.stderr)


COMMANDS = (
    "add",
    "edit",
    "move",
    "import",
    "undo",
    "merge",
    "score",
    "remind",
    "restore",
    "backup",
)
"""The keys of ``commands``, one test each (so the two workers share them)."""


def test_every_writing_command_is_killed(tmp_path: Path) -> None:
    assert tuple(commands(tmp_path)) == COMMANDS
    sqlite_only = [name for name, command in commands(tmp_path).items() if command.sqlite_only]
    assert sqlite_only == ["restore", "backup"]


@pytest.mark.parametrize("name", COMMANDS)
def test_kill_9_leaves_sqlite_whole(name: str, tmp_path: Path, sqlite_template: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    command = commands(data)[name]
    if name == "restore":
        _backup_file(data, sqlite_template)
    rng = random.Random(f"sqlite-{name}")
    base = tmp_path / f"{name}.base.db"
    snapshot(sqlite_template, base)
    _ran(str(base), command.setup)
    db = tmp_path / f"{name}.db"

    def fresh() -> str:
        snapshot(base, db)
        (data / "copy.db").unlink(missing_ok=True)
        return str(db)

    _kill_runs(name, command, fresh, _integrity, lambda db: db, rng)


@pytest.mark.slow  # the sweep on SQLite stays in the default run
@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TINYCRM_TEST_PG_URL)")
@pytest.mark.parametrize("name", [n for n in COMMANDS if n not in ("restore", "backup")])
def test_kill_9_leaves_postgresql_whole(
    name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    from sqlalchemy import create_engine

    url = request.getfixturevalue("pg_schema_url")
    data = tmp_path / "data"
    data.mkdir()
    command = commands(data)[name]
    assert not command.sqlite_only
    rng = random.Random(f"postgresql-{name}")
    engine = create_engine(url)
    client = f"tinycrm-crash-{name}"
    named = f"{url}&application_name={client}"
    try:
        # The setup runs once; each run starts from a copy of its rows (as the hostile
        # suite's PostgreSQL target does), not from the setup run again.
        _reset_pg(url)
        _ran(url, command.setup)
        with snapshot_schema(engine, tables_of(engine)) as snapshot:
            base = PostgresTarget(url, engine, snapshot, Path())

            def fresh() -> str:
                base.fresh(data)
                return named

            def ended(_db: str) -> str:
                _sessions_ended(engine, client)
                return url

            _kill_runs(name, command, fresh, ended, lambda _db: "socket:", rng)
    finally:
        engine.dispose()


@pytest.mark.slow  # two real runs each (about 9 s on two loaded cores); the quick check
# that the database is built aside is tests/cli/test_import_export.py's
@pytest.mark.parametrize("moment", [0.0, 0.3])
def test_kill_9_during_an_import_into_a_new_database_leaves_no_file(
    moment: float, tmp_path: Path
) -> None:
    """An import into a database path where there was none, killed with -9 as it made
    the database (or while it imported), left an empty or half-made database there,
    which the next attempt then opened as an existing one. Now the database is built
    under a temporary name beside it and renamed into place only once the import is
    whole: killed, there is no database (nor -wal, -shm), and the next import into that
    path is a first one again, which also takes away what the killed one left."""
    people = contacts_csv(tmp_path / "people.csv", ROWS)
    folder = tmp_path / "crm"
    folder.mkdir()
    db = folder / "crm.db"
    run = spawn(["--db", str(db), "import", "contacts", str(people)])
    assert signal_at(run, signal.SIGKILL, moment, str(folder)), finish(run, False)
    killed = finish(run, True)
    assert killed.returncode == -signal.SIGKILL, killed
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == []
    again = spawn(["--db", str(db), "import", "contacts", str(people)])
    done = finish(again, False)
    assert done.returncode == 0, done
    assert f"{ROWS:,} created" in done.stdout
    assert sorted(p.name for p in folder.iterdir()) == ["crm.db"]
    assert count(str(db), "SELECT COUNT(*) FROM contact") == ROWS

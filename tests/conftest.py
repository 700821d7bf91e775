"""Shared fixtures.

Every test runs with its own data and config dirs and its own ``TINYCRM_DB``, so
no test touches a real user's data. Store tests take the ``store`` fixture,
which runs them on SQLite and, when ``TINYCRM_TEST_PG_URL`` is set, on
PostgreSQL too (a fresh schema per test session, dropped afterwards).

The clock: tinycrm reads the time through ``tinycrm.clock.utcnow`` only, which follows
``datetime.now``; a test that needs a fixed moment freezes it with time-machine (the
``freeze_clock`` fixture below) and the store, ``tomorrow``, repeats
and reminders all see that moment. With ``TINYCRM_TEST_NOW=2027-12-05T10:00:00+00:00``
the whole session runs with the clock moved there (ticking): this process through
time-machine, the ``tinycrm`` processes tests start through tinycrm's testing hook
``TINYCRM_TESTING_CLOCK_SHIFT``. CI runs the tests marked ``dates`` (see ``DATE_SENSITIVE``)
that way, a year ahead and across the daylight-saving changes (``.ci/run``).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.cli.forkserver import ForkServer

# This process moves its clock with time-machine, never with the hook (that is for the
# processes it starts): drop a shift inherited from the parent before tinycrm.clock reads it.
os.environ.pop("TINYCRM_TESTING_CLOCK_SHIFT", None)

# A test run started in the background of a script (`pytest … &`) inherits SIGINT ignored,
# and tinycrm leaves an ignored Ctrl-C ignored. The tests of Ctrl-C need Python's usual
# handler here, and the tinycrm processes they start the default disposition.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

from tinycrm.clock import SHIFT_ENV  # after the pop: it reads the shift once

# Bytecode caches (__pycache__, ignored by git) stay on even where PYTHONDONTWRITEBYTECODE
# is set: without them every xdist worker rewrites every test module's asserts again, and
# every tinycrm process a test starts compiles tinycrm again (~10 s of CPU a worker, and
# a fifth of a second a process).
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

PG_URL = os.environ.get("TINYCRM_TEST_PG_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]
TEST_NOW_ENV = "TINYCRM_TEST_NOW"

# Tests whose outcome depends on the date they run on (reminders, repeats, cadences, due
# days, reports, the board's "closes in"): marked ``dates``. A test elsewhere that depends
# on the date takes ``@pytest.mark.dates`` itself. Not marked: tests that pass their own
# ``now``/``today`` or freeze the clock (the date parsers, the ICS files, the demo built
# around a fixed moment, the README tour), which the moved clock never reaches; a test in
# those files that reads the real clock carries the mark itself.
DATE_SENSITIVE = (
    "tests/store/test_reminders.py",
    "tests/store/test_activities.py",
    "tests/store/test_reports.py",
    "tests/cli/test_remind.py",
    "tests/cli/test_reports.py",
)
# Tests in those modules that stop the clock at a moment of their own before anything
# reads it (``freeze_clock`` first): the moved clock never reaches them, so the reruns
# with it moved (``.ci/run``) leave them out; the test line runs them as any other.
CLOCK_FROZEN_FIRST = frozenset(
    {
        "tests/store/test_reminders.py::test_repeating_task_and_reminder_lead",
        "tests/store/test_reminders.py::test_monthly_task_on_the_31st_stays_anchored",
        "tests/store/test_reminders.py::test_daily_task_keeps_its_hour_after_the_night_without_it",
        "tests/store/test_reminders.py::"
        "test_cadence_without_interactions_runs_from_creation_or_when_it_was_set",
        "tests/cli/test_remind.py::test_remind_a_duration_before_the_due_time",
        "tests/cli/test_remind.py::test_a_notice_deadline_missed_over_the_weekend_is_told_on_monday",
        "tests/cli/test_remind.py::test_a_notice_deadline_missed_while_the_machine_was_off_weeks_is_told",
        "tests/cli/test_remind.py::"
        "test_remind_tells_once_what_a_clock_set_ahead_told_before_it_was_due",
    }
)


def dated_files(root: Path) -> list[str]:
    """The test modules holding tests marked ``dates``, which ``.ci/run`` runs again with
    the clock moved: ``DATE_SENSITIVE`` and the modules that mark tests themselves
    (``mark.dates`` in their text). Read from the files, not collected: collecting the
    whole suite to find them cost CI ~35 s of CPU. ``pytest_collection_modifyitems``
    fails a run that finds a test marked elsewhere."""
    import re

    marking = {
        path.relative_to(root).as_posix()
        for path in (root / "tests").rglob("test_*.py")
        if re.search(r"\bmark\.dates\b", path.read_text(encoding="utf-8"))
    }
    return sorted(marking | set(DATE_SENSITIVE))


DEVICES = {"/dev/null": (1, 3), "/dev/full": (1, 7)}
"""The devices hostile tests aim tinycrm's writers at: a writer that replaced one with a
file (temporary file and rename, as root) would break every later command on the machine."""


@pytest.fixture(scope="session", autouse=True)
def devices_stay_devices() -> Iterator[None]:
    """Fail the session, loudly, if any test left /dev/null or /dev/full replaced."""
    import stat

    yield
    for path, numbers in DEVICES.items():
        st = os.stat(path)
        assert (
            stat.S_ISCHR(st.st_mode) and (os.major(st.st_rdev), os.minor(st.st_rdev)) == numbers
        ), f"{path} is no longer the character device {numbers}: a writer replaced it"


def pytest_configure(config: pytest.Config) -> None:
    """With ``TINYCRM_TEST_NOW`` set, move this process's clock there for the whole session."""
    raw = os.environ.get(TEST_NOW_ENV)
    if not raw:
        return
    import time_machine

    try:
        target = datetime.fromisoformat(raw)
    except ValueError:
        raise pytest.UsageError(f"{TEST_NOW_ENV}={raw!r} is not an ISO date and time") from None
    if target.tzinfo is None:
        raise pytest.UsageError(f"{TEST_NOW_ENV}={raw!r} needs a UTC offset (e.g. +00:00)")
    shift = (target - datetime.now(UTC)).total_seconds()
    # A timestamp, not the datetime: time-machine sets TZ to a destination's zone (UTC here),
    # and the suite runs in Europe/Berlin.
    time_machine.travel(target.timestamp(), tick=True).start()  # stopped when the process ends
    os.environ[SHIFT_ENV] = repr(shift)  # for the tinycrm processes tests start


def pytest_report_header(config: pytest.Config) -> str | None:
    raw = os.environ.get(TEST_NOW_ENV)
    return f"clock moved to {raw} ({TEST_NOW_ENV})" if raw else None


# Modules whose tests each take tens of seconds (real processes signalled or killed over
# and over, the demo built, a terminal driven): run first, so that with ``-n 2`` no worker
# is still in one of them while the other has run out of tests (``--dist worksteal`` in
# pyproject.toml hands a worker that runs out half of the other's queue).
LONG_FIRST = (
    "tests/cli/test_interrupts.py",
    "tests/cli/test_crash.py",
    "tests/cli/test_roundtrip.py",
    "tests/test_demo.py",
    "tests/tui/test_tmux.py",
    "tests/tui/test_board_filter.py",
)


# Sweeps whose PostgreSQL run repeats on a slower backend what the SQLite run already
# checks of the code (PostgreSQL itself is in the default run through thousands of store
# tests): out of the default run and CI's, in `pytest -n 2 -m slow` (CI's time budget).
SLOW_VARIANTS = frozenset(
    {
        "tests/cli/test_escapes.py::test_no_raw_control_reaches_the_terminal[postgresql]",
        # CI's 20 minutes (session 24): a second database or size of a test whose other
        # variants stay in the default run
        "tests/mcp_server/test_pages.py::test_paging_through_250_contacts_gives_each_once_in_order[postgresql]",
        "tests/tui/test_board_scroll.py::test_a_moved_card_shows_whole_in_its_new_column[27]",
        "tests/tui/test_board_scroll.py::test_a_moved_card_shows_whole_in_its_new_column[30]",
        "tests/api/test_hooks.py::test_a_hook_that_leaves_a_job_running_in_the_background_has_finished[postgresql]",
        "tests/tui/test_forms_fit.py::test_in_a_tiny_window_every_field_is_reached_with_its_label[size1]",
        "tests/tui/test_forms_fit.py::test_in_a_tiny_window_every_field_is_reached_with_its_label[size2]",
        "tests/cli/test_hostile.py::test_hostile_values_from_hypothesis[postgresql]",
        "tests/tui/test_escapes.py::test_every_screen_shows_hostile_text_escaped[postgresql]",
        "tests/tui/test_board_writes.py::test_a_failed_write_cancels_the_writes_queued_behind_it[postgresql]",
        *(
            "tests/tui/test_board_stale.py::"
            f"test_a_deal_deleted_elsewhere_closes_its_view_and_the_form_on_it[postgresql-{key}]"
            for key in "etxlv"
        ),
        "tests/tui/test_tmux.py::test_quitting_with_a_write_waiting_on_a_lock[SIGHUP]",
        "tests/tui/test_tmux.py::test_quitting_with_a_write_waiting_on_a_lock[SIGTERM]",
        # kill -9 of six more commands (import, add, move and restore stay)
        *(
            f"tests/cli/test_crash.py::test_kill_9_leaves_sqlite_whole[{command}]"
            for command in ("remind", "merge", "backup", "undo", "score", "edit")
        ),
        # one test each of the board's quick forms and deep moves, the demo's reuse and
        # the MCP lock wait on PostgreSQL (their neighbours stay)
        "tests/tui/test_board_filter.py::test_the_quick_forms_still_work",
        "tests/tui/test_board_pages.py::test_a_move_from_deep_in_a_column_keeps_every_count_and_card",
        "tests/mcp_server/test_waits.py::test_on_postgresql_a_write_waits_for_a_lock_as_long_as_on_sqlite",
        "tests/test_demo.py::test_reuse_reset_and_determinism",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(str(config.rootpath))
    relative = {item: Path(str(item.path)).relative_to(root).as_posix() for item in items}
    for item in items:
        if (
            relative[item] in DATE_SENSITIVE
            and f"{relative[item]}::{getattr(item, 'originalname', item.name)}"
            not in CLOCK_FROZEN_FIRST
        ):
            item.add_marker(pytest.mark.dates)
        if f"{relative[item]}::{item.name}" in SLOW_VARIANTS:
            item.add_marker(pytest.mark.slow)
    marked = {relative[item] for item in items if item.get_closest_marker("dates")}
    if not marked <= set(DATE_SENSITIVE):
        unseen = marked - set(dated_files(root))
        if unseen:
            raise pytest.UsageError(
                f"tests marked dates in {', '.join(sorted(unseen))}, where .ci/run does not "
                "look (tests/conftest.py dated_files): write pytest.mark.dates in the file"
            )
    # Stable: each module keeps its own order (and its module-scoped fixtures' reuse).
    items.sort(key=lambda item: relative[item] not in LONG_FIRST)


@pytest.fixture
def freeze_clock(time_machine) -> Callable[[datetime], None]:  # type: ignore[no-untyped-def]
    """``freeze_clock(moment)`` stops the one clock at ``moment`` (aware) for this test:
    the store stamps it, ``today`` and ``tomorrow`` are read from it. Call it again to move.

    Use it rather than ``time_machine.move_to(moment)``: given an aware datetime in UTC,
    time-machine also sets ``TZ=UTC``, and the suite's zone (Europe/Berlin) would be lost."""

    def freeze(moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("freeze_clock needs an aware datetime")
        time_machine.move_to(moment.timestamp(), tick=False)

    return freeze


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("TINYCRM_DB", str(tmp_path / "tinycrm.db"))
    monkeypatch.setenv("TINYCRM_USER", "tester")
    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("COLUMNS", "200")
    return home


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated to head once; each test gets a copy (migrating is the slow part)."""
    from tinycrm.store.engine import open_store

    path = tmp_path_factory.mktemp("template") / "template.db"
    store = open_store(str(path), user="tester")
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


# Where a new SQLite database a test makes runs the real migrations: the tests of migrating,
# of opening and creating databases, and of ``tinycrm db``. Elsewhere it is made from the
# template (``new_sqlite_databases_from_the_template``).
REAL_MIGRATIONS = (
    "tests/store/test_migrations.py",
    "tests/store/test_migration_0009_keeps_rows_and_ids.py",
    "tests/store/test_migration_backfills.py",
    "tests/store/test_engine.py",
    "tests/store/test_sqlite_files.py",
    "tests/cli/test_db.py",
)
_template_copies = threading.Lock()


@pytest.fixture(autouse=True)
def new_sqlite_databases_from_the_template(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new, empty SQLite database that tinycrm migrates to head in this process (a
    command run with ``cli``, ``tinycrm.open`` on a new path) is given the migrated
    template's pages instead (SQLite's backup API, through tinycrm's own connection, so
    its file, mode and pragmas are tinycrm's), and the default pipeline the stamp of now:
    the same database, for a hundredth of the ~0.45 s of CPU the 35 migrations cost each
    time. The template itself is made by the real migrations, and so is every database in
    ``REAL_MIGRATIONS``, in other processes, on PostgreSQL, and any that is not new."""
    relative = Path(str(request.path)).relative_to(request.config.rootpath).as_posix()
    if relative in REAL_MIGRATIONS:
        return
    from tinycrm.store import schema_upgrade

    template = request.getfixturevalue("sqlite_template")  # made before the patch
    real = schema_upgrade.upgrade

    def upgrade(store: Any, revision: str = "head") -> str | None:
        if revision == "head" and store.path is not None and _copy_template(template, store):
            return None  # ``before``: a new database had none
        return real(store, revision)

    monkeypatch.setattr(schema_upgrade, "upgrade", upgrade)


def _copy_template(template: Path, store: Any) -> bool:
    """The template's pages into ``store``'s database if it is new (no tables): whether it was."""
    import sqlite3

    from sqlalchemy import column, table, update

    from tinycrm.clock import utcnow
    from tinycrm.store.types import UTCDateTime

    with _template_copies, store.engine.connect() as conn:
        raw = conn.connection.driver_connection
        if raw.in_transaction or raw.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            return False
        source = sqlite3.connect(f"file:{template}?mode=ro", uri=True)
        try:
            source.backup(raw)  # all pages in one step: the copy is whole or not made
        except sqlite3.Error:  # a read-only file, a full disk: the real upgrade says so
            return False
        finally:
            source.close()
        pipeline = table("pipeline", column("created_at", UTCDateTime()))
        conn.execute(update(pipeline).values(created_at=utcnow()))
        conn.commit()
    return True


DEMO_NOW = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
"""The moment the shared demo database is built around."""


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once per test run around ``DEMO_NOW`` (a build costs ~10 s
    of CPU; with ``-n 2`` the first worker to need it builds it, in the run's own temporary
    folder, and the other waits for it instead of building its own): read it in place, or
    copy it before writing. Tests of the build itself (tests/test_demo.py, the progress
    bar, interrupting it) build their own."""
    import fcntl

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return _build_demo_database(tmp_path_factory.mktemp("demo"))
    shared = tmp_path_factory.getbasetemp().parent  # this run's, shared by its workers
    with open(shared / "demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # let go when the file closes
        path = shared / "demo" / "demo.db"
        if not path.exists():
            building = shared / f"demo-{os.environ['PYTEST_XDIST_WORKER']}"
            building.mkdir()
            _build_demo_database(building).parent.rename(path.parent)  # whole or not there
        return path


def _build_demo_database(folder: Path) -> Path:
    from tinycrm.demo import build_demo
    from tinycrm.store.engine import open_store

    path = folder / "demo.db"
    store = open_store(str(path), user="demo")
    try:
        build_demo(store, now=DEMO_NOW)
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    path.chmod(0o400)  # read-only: a test that writes to it fails, instead of the next one
    return path


@pytest.fixture(scope="session")
def demo_dump(demo_database: Path) -> dict[str, Any]:
    """``dump_database`` of the shared demo database (``restore_database`` takes it)."""
    from tinycrm.store.dump import dump_database
    from tinycrm.store.engine import open_store

    store = open_store(str(demo_database), user="demo")
    try:
        return dump_database(store)
    finally:
        store.close()


@contextmanager
def new_pg_schema(prefix: str = "tinycrm_test") -> Iterator[str]:
    """A PostgreSQL schema of our own (``prefix`` and a random tail), migrated to head: its
    URL (``search_path`` set to it), the schema dropped on leaving."""
    assert PG_URL
    from sqlalchemy import create_engine, text

    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        # pg_trgm and unaccent live in public, shared by every test schema: created inside one of
        # them, it would vanish with that schema (and with it other runs' indexes).
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public"))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{separator}options=-csearch_path%3D{schema},public"
    from tinycrm.store.engine import open_store

    try:
        store = open_store(url, user="tester")
        store.close()
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL schema of our own, migrated to head, dropped after the session."""
    with new_pg_schema() as url:
        yield url


# Every table emptied and every sequence set back, in one round trip. DELETE, not
# TRUNCATE: a test leaves a few rows, and TRUNCATE makes each of some seventy tables and
# their indexes new files (a fifth of a second a test). Triggers are off while the rows
# go (``replica``): the foreign keys' too, so the order does not matter, and the search
# index's, whose tables are emptied with the rest.
_EMPTY_SCHEMA = """
DO $$
DECLARE r record;
BEGIN
  SET LOCAL session_replication_role = replica;
  FOR r IN SELECT tablename FROM pg_tables
           WHERE schemaname = current_schema() AND tablename <> 'alembic_version' LOOP
    EXECUTE format('DELETE FROM %I', r.tablename);
  END LOOP;
  FOR r IN SELECT sequencename, start_value FROM pg_sequences
           WHERE schemaname = current_schema() AND last_value IS NOT NULL LOOP
    PERFORM setval(format('%I', r.sequencename)::regclass, r.start_value, false);
  END LOOP;
END $$
"""
_reset_engines: dict[str, Any] = {}


def _reset_pg(url: str) -> None:
    """Empty every table and put the default pipeline back, as a new database has it."""
    from sqlalchemy import create_engine, text

    from tinycrm.vocab import DEFAULT_STAGES

    engine = _reset_engines.get(url)
    if engine is None:  # one per schema, its connection kept from test to test
        engine = _reset_engines[url] = create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(
            text(
                "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename <> 'alembic_version'"
            )
        ).scalar_one()
        assert tables, "the test schema has no tables: was it dropped?"
        conn.execute(text(_EMPTY_SCHEMA))
        conn.execute(
            text(
                "INSERT INTO pipeline (name, name_key, position, created_at) "
                "VALUES ('Sales', 'sales', 0, now())"
            )
        )
        conn.execute(
            text(
                "INSERT INTO stage (pipeline_id, name, name_key, position, probability, "
                "rotting_days) VALUES (1, :n, :k, :p, :pr, :r)"
            ),
            [
                {"n": name, "k": name.casefold(), "p": position, "pr": probability, "r": rotting}
                for position, (name, probability, rotting) in enumerate(DEFAULT_STAGES)
            ],
        )


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """An open, empty store at the newest schema, on each backend under test."""
    from tinycrm.store.engine import open_store

    if request.param == "sqlite":
        path = tmp_path / "store.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        opened = open_store(str(path), user="tester")
    else:
        url = request.getfixturevalue("pg_schema_url")
        _reset_pg(url)
        opened = open_store(url, user="tester")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def make_readonly() -> Iterator[object]:
    """``make_readonly(folder)``: nobody can create, rename or remove files in ``folder``
    afterwards, root included (root ignores permission bits, so as root the folder is made
    immutable with ``chattr +i``; the test is skipped where that is not possible)."""
    import subprocess

    done: list[tuple[str, Path]] = []

    def lock(folder: Path) -> Path:
        if os.geteuid() != 0:
            folder.chmod(0o555)
            done.append(("chmod", folder))
            return folder
        chattr = shutil.which("chattr")
        if chattr is None:
            pytest.skip("running as root without chattr: root can write into any folder")
        result = subprocess.run([chattr, "+i", str(folder)], capture_output=True, check=False)
        if result.returncode != 0:
            pytest.skip(f"running as root and chattr +i fails here: {result.stderr!r}")
        done.append((chattr, folder))
        return folder

    yield lock
    for how, folder in done:
        if how == "chmod":
            folder.chmod(0o755)
        else:
            subprocess.run([how, "-i", str(folder)], check=False)


@dataclass
class Run:
    """What a run of tinycrm gave: its exit status, stdout and stderr."""

    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture(scope="session")
def forkserver() -> Iterator[ForkServer]:
    """One fork server per test process (xdist worker), shared by the modules that use it."""
    from tests.cli.forkserver import ForkServer

    server = ForkServer(dict(os.environ))
    yield server
    server.close()


@pytest.fixture
def forked(forkserver: ForkServer, tmp_path: Path) -> Callable[..., Run]:
    """``forked("contact", "list")``: as ``sh`` (tests/cli), a process of its own with its
    exit code, stdout and stderr, but forked from the fork server (tinycrm already
    imported), so a run costs a few hundredths of a second rather than half of one. For
    runs where the process start is not what is tested (its working directory is a
    folder of its own under ``tmp_path``)."""
    numbers = itertools.count()

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Run:
        folder = tmp_path / f"forked-{next(numbers)}"
        folder.mkdir()
        returncode, out, err, _opened = forkserver.run(
            list(args), (input or "").encode(), {**os.environ, **(env or {})}, folder
        )
        return Run(returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))

    return run

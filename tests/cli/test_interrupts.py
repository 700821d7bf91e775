"""Ctrl-C and TERM at any moment of a long command tell the truth.

Each run starts a real ``tinycrm``, sends SIGINT or SIGTERM at one moment and checks
that the command either rolled back (exit 130, "nothing was saved", none of its effect
in the database, no summary) or committed (exit 0, its summary, "interrupted after
saving", all of its effect); a signal that only reached a process that had finished
(exit 0, the summary, all of the effect, no note) is the third honest outcome. Moments:
spread over the run and dense near its end (where the COMMIT is), and one right after
the commit became visible (the process stopped with SIGSTOP while the database is
checked), where only "interrupted after saving" is right.
"""

from __future__ import annotations

import http.server
import random
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest

from tinycrm.store.reminder_claims import RUN_KEY

from ..conftest import PG_URL, _reset_pg
from .signals import (
    Finished,
    Running,
    calls_csv,
    contacts_csv,
    count,
    finish,
    signal_at,
    signal_once,
    snapshot,
    spawn,
    tasks_csv,
    wait_started,
)

# Sweeps: each command run whole, then signalled at several moments (half a minute each
# on two cores): out of the default run, `pytest -m slow` runs them.
pytestmark = pytest.mark.slow

if sys.platform == "win32":  # pragma: no cover
    pytest.skip("signals differ on Windows", allow_module_level=True)

ROLLED_BACK, SAVED, FINISHED = "rolled back", "saved, then interrupted", "finished first"
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)  # HUP: the terminal closed
# One moment well inside the run, then the approach to the COMMIT (its end). Moments in
# between run the same rows-in-a-transaction code as the first and were dropped; the probe
# right after the summary covers the moment after the commit.
NEAR_THE_END = (0.4, 0.9, 0.97, 1.0)


@dataclass
class Case:
    """A long command: how to start it on a fresh database, what it changes, what it says."""

    args: Callable[[str], list[str]]  # the database -> the command line
    effect: Callable[[str], str]  # the database -> "none", "all", or what else it found
    summary: str  # a piece of the summary it prints when it saved
    opened: Callable[[str], str] = lambda db: db  # what the process has open once running
    # remind prints what is due (its delivery) before it marks it told: an interrupted
    # run may have printed some of it, and the next run tells it all again.
    prints_before_saving: bool = False
    # How the test sees that it has saved (default: its summary is out; remind: the
    # database says its items were told).
    saved: Callable[[Running, str], bool] | None = None


def verdict(case: Case, db: str, run: Finished) -> str:
    """Which honest outcome ``run`` is; fails the test on any other."""
    said = run.stdout + run.stderr
    effect = case.effect(db)
    detail = (
        f"exit {run.returncode}, effect {effect!r}\n"
        f"--- stdout\n{run.stdout[-800:]}\n--- stderr\n{run.stderr[-800:]}"
    )
    assert "Traceback" not in run.stderr, detail
    if run.returncode == 130:
        assert "nothing was saved" in run.stderr, detail
        assert case.prints_before_saving or case.summary not in said, detail
        assert effect == "none", detail
        return ROLLED_BACK
    assert run.returncode == 0, detail
    assert case.summary in said, detail
    assert effect == "all", detail
    if "interrupted after saving" in run.stderr:
        return SAVED
    assert "interrupted;" not in run.stderr, detail
    return FINISHED


def sweep(
    case: Case,
    fresh: Callable[[], str],
    *,
    moments: tuple[float, ...],
    seed: int,
    probes: tuple[int, ...] = SIGNALS,
) -> list[str]:
    """One clean run to learn how long the command takes, then one run per moment (a
    share of that time, jittered; SIGINT and SIGTERM in turn), and one signalled right
    after the commit per signal in ``probes``. Both signals take the same handler
    (tinycrm.interrupts): the import probes with each, the other commands with one,
    SIGINT and SIGTERM in turn from command to command."""
    rng = random.Random(seed)
    db = fresh()
    proc = spawn(case.args(db))
    assert wait_started(proc, case.opened(db))
    began = time.monotonic()
    clean = finish(proc, False)
    took = time.monotonic() - began
    assert verdict(case, db, clean) == FINISHED
    outcomes = []
    for n, share in enumerate(moments):
        db = fresh()
        signum = SIGNALS[n % 2]
        proc = spawn(case.args(db))
        delay = max(0.0, took * share * rng.uniform(0.97, 1.03))
        outcomes.append(
            verdict(case, db, finish(proc, signal_at(proc, signum, delay, case.opened(db))))
        )
    for signum in probes:
        outcomes.append(_right_after_the_summary(case, fresh, signum, lead=took * 0.5))
    return outcomes


def _has_saved(case: Case, proc: Running, db: str) -> bool:
    if case.saved is not None:
        return case.saved(proc, db)
    return case.summary in proc.said()


def _right_after_the_summary(
    case: Case, fresh: Callable[[], str], signum: int, *, lead: float
) -> str:
    """Signal the process just after its summary appears: it has saved and is closing the
    database, so only "interrupted after saving" is right."""
    for attempt in range(5):
        db = fresh()
        proc = spawn(case.args(db))
        assert wait_started(proc, case.opened(db))
        # Missed once: the machine is busy; the next tries slice at a low priority
        ready = partial(_has_saved, case, proc, db)
        sent = signal_once(proc, signum, ready, after=lead, nice=attempt > 0)
        outcome = verdict(case, db, finish(proc, sent))
        if sent:
            # Saved, then interrupted; or, when the signal lands in the last milliseconds
            # after the final check, finished (exit 0 and the summary): both are true.
            assert outcome in (SAVED, FINISHED), (signum, outcome)
            if outcome == SAVED:
                return outcome
            continue  # it ended before the signal: try to catch the moment again
        lead /= 4  # it ended before the slow steps began: start them sooner
    if sent:
        return outcome
    raise AssertionError("never caught the moment after the summary")


# --------------------------------------------------------------------------- import


ROWS = 15_000


def _import_case(csv_file: Path) -> Case:
    def effect(db: str) -> str:
        n = count(db, "SELECT COUNT(*) FROM contact WHERE email LIKE 'p%@example%'", timeout=0.05)
        return {0: "none", ROWS: "all"}.get(n, f"{n} of {ROWS} contacts")

    return Case(
        args=lambda db: ["--db", db, "import", "contacts", str(csv_file)],
        effect=effect,
        summary=f"Imported contacts from {csv_file}",
    )


def test_import_interrupted_at_any_moment_says_what_was_saved(
    tmp_path: Path, sqlite_template: Path
) -> None:
    case = _import_case(contacts_csv(tmp_path / "people.csv", ROWS))
    db = tmp_path / "run.db"

    def fresh() -> str:
        snapshot(sqlite_template, db)
        return str(db)

    outcomes = sweep(case, fresh, moments=NEAR_THE_END, seed=13)
    assert ROLLED_BACK in outcomes and SAVED in outcomes, outcomes


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (TINYCRM_TEST_PG_URL)")
def test_import_interrupted_on_postgresql(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    url = request.getfixturevalue("pg_schema_url")
    case = _import_case(contacts_csv(tmp_path / "people.csv", ROWS))
    case.opened = lambda _db: "socket:"

    def fresh() -> str:
        _reset_pg(url)
        return url

    outcomes = sweep(case, fresh, moments=(0.3, 0.9, 0.97, 1.0), seed=14)
    assert ROLLED_BACK in outcomes and SAVED in outcomes, outcomes


# --------------------------------------------------------------------- the other long commands


def _base(tmp_path: Path, sqlite_template: Path, *setup: list[str]) -> Callable[[], str]:
    """A database made once by ``setup`` (real tinycrm runs); each run gets a copy."""
    base = tmp_path / "base.db"
    snapshot(sqlite_template, base)
    for args in setup:
        run = finish(spawn(["--db", str(base), *args]), False)
        assert run.returncode == 0, (args, run.stderr)
    db = tmp_path / "run.db"

    def fresh() -> str:
        snapshot(base, db)
        return str(db)

    return fresh


def test_undo_interrupted(tmp_path: Path, sqlite_template: Path) -> None:
    people = contacts_csv(tmp_path / "people.csv", ROWS)
    fresh = _base(tmp_path, sqlite_template, ["import", "contacts", str(people)])

    def effect(db: str) -> str:
        n = count(db, "SELECT COUNT(*) FROM contact", timeout=0.05)
        return {ROWS: "none", 0: "all"}.get(n, f"{n} contacts left")

    case = Case(lambda db: ["--db", db, "import", "undo", "1"], effect, "Undid import #1")
    sweep(case, fresh, moments=(0.5, 0.97), seed=21, probes=(signal.SIGINT,))


def test_merge_interrupted(tmp_path: Path, sqlite_template: Path) -> None:
    calls = calls_csv(tmp_path / "calls.csv", 5000, "b@x.io")
    fresh = _base(
        tmp_path,
        sqlite_template,
        ["contact", "add", "Keep", "--email", "a@x.io"],
        ["contact", "add", "Other", "--email", "b@x.io"],
        ["import", "activities", str(calls)],
    )

    def effect(db: str) -> str:
        other = count(db, "SELECT COUNT(*) FROM contact WHERE email = 'b@x.io'", timeout=0.05)
        kept = count(
            db,
            "SELECT COUNT(*) FROM activity JOIN contact ON contact.id = activity.contact_id "
            "WHERE contact.email = 'a@x.io'",
            timeout=0.05,
        )
        return {(1, 0): "none", (0, 5000): "all"}.get((other, kept), f"{other} other, {kept} moved")

    case = Case(
        lambda db: ["--db", db, "contact", "merge", "a@x.io", "b@x.io"], effect, "Merged #2 Other"
    )
    sweep(case, fresh, moments=(0.5, 0.97), seed=22, probes=(signal.SIGTERM,))


def test_score_interrupted(tmp_path: Path, sqlite_template: Path) -> None:
    people = contacts_csv(tmp_path / "people.csv", ROWS, tags="vip")
    fresh = _base(
        tmp_path,
        sqlite_template,
        ["import", "contacts", str(people)],
        ["score", "rule", "add", "VIP", "--points", "7", "--when", "tag:vip"],
    )

    def effect(db: str) -> str:
        n = count(db, "SELECT COUNT(*) FROM contact WHERE score >= 7", timeout=0.05)
        return {0: "none", ROWS: "all"}.get(n, f"{n} of {ROWS} scored")

    case = Case(lambda db: ["--db", db, "score"], effect, f"Scored {ROWS:,} contacts")
    sweep(case, fresh, moments=(0.5, 0.97), seed=23, probes=(signal.SIGINT,))


TASKS = 3000
NOT_THE_RUN = f"key != '{RUN_KEY}'"  # the items' rows, not the run's own record


def _remind_effect(db: str) -> str:
    told = count(
        db,
        f"SELECT COUNT(*) FROM announcement WHERE announced_at IS NOT NULL AND {NOT_THE_RUN}",
        timeout=0.05,
    )
    claimed = count(db, f"SELECT COUNT(*) FROM announcement WHERE {NOT_THE_RUN}", timeout=0.05)
    return {(0, 0): "none", (TASKS, TASKS): "all"}.get(
        (told, claimed), f"{told} told, {claimed} claimed"
    )


def _told(proc: Running, db: str) -> bool:
    proc.said()
    try:
        return _remind_effect(db) == "all"
    except sqlite3.OperationalError:  # the stopped process holds the lock while it closes
        return False


def _remind_base(tmp_path: Path, sqlite_template: Path) -> Callable[[], str]:
    tasks = tasks_csv(tmp_path / "tasks.csv", TASKS, "a@x.io")
    return _base(
        tmp_path,
        sqlite_template,
        ["contact", "add", "Ada", "--email", "a@x.io"],
        ["import", "activities", str(tasks)],
    )


def test_remind_interrupted(tmp_path: Path, sqlite_template: Path) -> None:
    fresh = _remind_base(tmp_path, sqlite_template)
    case = Case(
        lambda db: ["--db", db, "remind"],
        _remind_effect,
        f"tinycrm: {TASKS} things due",
        prints_before_saving=True,
        saved=lambda proc, db: _told(proc, db),
    )
    sweep(case, fresh, moments=(0.5, 0.97), seed=24, probes=(signal.SIGTERM,))


class _SlowHook(http.server.BaseHTTPRequestHandler):
    """A webhook that takes the request and answers only when the test lets it."""

    received = threading.Event()
    release = threading.Event()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).received.set()
        type(self).release.wait(60)
        try:
            self.send_response(204)
            self.end_headers()
        except OSError:
            pass

    def log_message(self, *_args: object) -> None:
        pass


def test_remind_interrupted_while_it_delivers_gives_its_claims_back(
    tmp_path: Path, sqlite_template: Path
) -> None:
    fresh = _remind_base(tmp_path, sqlite_template)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowHook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for signum in SIGNALS:
            _SlowHook.received.clear()
            _SlowHook.release.clear()
            db = fresh()
            url = f"http://127.0.0.1:{server.server_port}/hook"
            proc = spawn(["--db", db, "remind", "--webhook", url])
            deadline = time.monotonic() + 120
            while not _SlowHook.received.wait(0.01):  # the list is printed first:
                proc.said()  # read it, or a full pipe stops the run before its webhook
                assert time.monotonic() < deadline, "the webhook was never called"
            assert _remind_effect(db) == f"0 told, {TASKS} claimed"  # claimed, sending
            proc.send_signal(signum)
            run = finish(proc, True)
            _SlowHook.release.set()
            assert run.returncode == 130, run.stderr
            told = f"the next run tells all {TASKS} again, only where they did not go out"
            assert "nothing was saved" in run.stderr and told in run.stderr
            assert "standard output had them" in run.stderr
            assert _remind_effect(db) == "none"
            # the list had them: the next run tells only the webhook
            again = finish(spawn(["--db", db, "remind", "--webhook", url]), False)
            assert (again.returncode, again.stdout) == (0, ""), again.stderr
            assert _remind_effect(db) == "all"
    finally:
        _SlowHook.release.set()
        server.shutdown()
        server.server_close()


def test_demo_interrupted(tmp_path: Path) -> None:
    target = tmp_path / "demo.db"

    def fresh() -> str:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        return str(target)

    def effect(db: str) -> str:
        if not Path(db).exists():
            return "none"
        try:
            n = count(db, "SELECT COUNT(*) FROM company", timeout=0.05)
        except Exception:  # not migrated yet
            return "none"
        return "all" if n else "none"

    case = Case(lambda db: ["demo", "--no-board", "--path", db], effect, "Built the demo database")
    # The demo is the slowest command: fewer moments.
    sweep(case, fresh, moments=(0.6,), seed=25, probes=(signal.SIGTERM,))


def test_export_interrupted_leaves_the_whole_file_or_none(
    tmp_path: Path, sqlite_template: Path
) -> None:
    people = contacts_csv(tmp_path / "people.csv", ROWS)
    fresh_db = _base(tmp_path, sqlite_template, ["import", "contacts", str(people)])
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "people.csv"

    def fresh() -> str:
        target.unlink(missing_ok=True)
        return fresh_db()

    def effect(_db: str) -> str:
        left = [p.name for p in folder.iterdir() if p.name != target.name]
        if not target.exists():
            return "none" if not left else f"left behind: {left}"
        lines = target.read_text(encoding="utf-8-sig").count("\n")
        return "all" if lines == ROWS + 1 and not left else f"{lines} lines, left {left}"

    case = Case(
        lambda db: ["--db", db, "export", "contacts", "--format", "csv", "--out", str(target)],
        effect,
        f"Exported {ROWS:,} contacts to {target}",
    )
    sweep(case, fresh, moments=(0.5, 0.97), seed=26, probes=(signal.SIGINT,))


def test_restore_interrupted(tmp_path: Path, sqlite_template: Path) -> None:
    people = contacts_csv(tmp_path / "people.csv", ROWS)
    backup = tmp_path / "backup.db"
    snapshot(_base(tmp_path, sqlite_template, ["import", "contacts", str(people)])(), backup)
    (tmp_path / "base.db").unlink()
    fresh = _base(tmp_path, sqlite_template, ["contact", "add", "Old", "--email", "old@x.io"])

    def effect(db: str) -> str:
        old = count(db, "SELECT COUNT(*) FROM contact WHERE email = 'old@x.io'", timeout=0.05)
        n = count(db, "SELECT COUNT(*) FROM contact", timeout=0.05)
        return {(1, 1): "none", (0, ROWS): "all"}.get((old, n), f"{old} old, {n} contacts")

    case = Case(lambda db: ["--db", db, "db", "restore", str(backup), "--yes"], effect, "Restored ")
    # No probe right after the summary: restore prints it as its last act and exits at
    # once, so on an idle machine no signal can be aimed between the two (the probe would
    # never fire); the sweep's moments still cover rolled back and saved.
    sweep(case, fresh, moments=(0.5, 0.97), seed=27, probes=())


def test_export_all_csv_interrupted_leaves_the_last_set_or_the_new_one(
    tmp_path: Path, sqlite_template: Path
) -> None:
    import shutil

    people = contacts_csv(tmp_path / "people.csv", ROWS)
    fresh_db = _base(tmp_path, sqlite_template, ["import", "contacts", str(people)])
    parent = tmp_path / "exports"
    target = parent / "crm"
    last = tmp_path / "last"  # the set an earlier export left: one contact
    setup = ["--db", str(tmp_path / "old.db")]
    assert finish(spawn([*setup, "contact", "add", "Old", "--email", "old@x.io"]), False)
    run = finish(spawn([*setup, "export", "all", "--format", "csv", "--out", str(last),
                        "--mkdir"]), False)  # fmt: skip
    assert run.returncode == 0, run.stderr
    old = {p.name: p.read_bytes() for p in last.iterdir()}

    def fresh() -> str:
        shutil.rmtree(parent, ignore_errors=True)
        parent.mkdir()
        shutil.copytree(last, target)
        return fresh_db()

    def effect(_db: str) -> str:
        beside = [p.name for p in parent.iterdir() if p.name != target.name]
        found = {p.name: p.read_bytes() for p in target.iterdir()}
        if beside:
            return f"left beside: {beside}"
        if found == old:
            return "none"
        lines = found.get("contacts.csv", b"").count(b"\n")
        same = sorted(found) == sorted(old)
        return "all" if same and lines == ROWS + 1 else f"{sorted(found)}, {lines} lines"

    case = Case(
        lambda db: ["--db", db, "export", "all", "--format", "csv", "--out", str(target)],
        effect,
        f"Exported to {target}/:",
    )
    outcomes = sweep(case, fresh, moments=(0.5, 0.97), seed=28, probes=(signal.SIGTERM,))
    assert ROLLED_BACK in outcomes and SAVED in outcomes, outcomes

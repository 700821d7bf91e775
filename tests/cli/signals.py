"""Driving a real ``tinycrm`` process and signalling it at chosen moments.

Shared by the interrupt tests (SIGINT, SIGTERM) and the crash tests (SIGKILL).
"""

from __future__ import annotations

import contextlib
import csv
import os
import shutil
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .conftest import tinycrm_executable

STARTUP_LIMIT = 120.0  # seconds: a loaded machine is slow, a hung process is a failure


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str
    signalled: bool  # the signal was sent while the process was still running


class Running:
    """A started ``tinycrm`` whose output is read as it comes (without blocking)."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [*tinycrm_executable(), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )
        self.pid = self.proc.pid
        self.out = {self.proc.stdout: b"", self.proc.stderr: b""}
        for pipe in self.out:
            os.set_blocking(pipe.fileno(), False)  # type: ignore[union-attr]

    def poll(self) -> int | None:
        return self.proc.poll()

    def send_signal(self, signum: int) -> None:
        self.proc.send_signal(signum)

    def said(self) -> str:
        """What it has written so far (stdout and stderr)."""
        for pipe in self.out:
            try:
                chunk = os.read(pipe.fileno(), 1 << 16)  # type: ignore[union-attr]
            except BlockingIOError:
                continue
            self.out[pipe] += chunk
        return b"".join(self.out.values()).decode("utf-8", "replace")


def spawn(args: list[str], env: dict[str, str] | None = None) -> Running:
    return Running(args, env)


def _opened(pid: int, what: str) -> bool:
    """Whether the process has ``what`` open: a file path, or ``socket:`` (PostgreSQL)."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith(what):
            return True
    return False


def pause(run: Running, seconds: float) -> None:
    """Wait, reading what the process writes (a full pipe would stop it)."""
    deadline = time.monotonic() + seconds
    while run.poll() is None and time.monotonic() < deadline:
        run.said()
        time.sleep(min(0.005, max(0.0, deadline - time.monotonic())))


def wait_started(run: Running, what: str) -> bool:
    """Wait until the command is running (it has its database open); False if it ended."""
    deadline = time.monotonic() + STARTUP_LIMIT
    while run.poll() is None:
        if _opened(run.pid, what):
            return True
        assert time.monotonic() < deadline, "tinycrm never opened its database"
        pause(run, 0.002)
    return False


def signal_at(run: Running, signum: int, delay: float, opened: str) -> bool:
    """Send ``signum`` ``delay`` seconds after the command opened its database."""
    if not wait_started(run, opened):
        return False
    pause(run, delay)
    if run.poll() is not None:
        return False
    run.send_signal(signum)
    return True


def _stopped(pid: int) -> bool:
    """Wait for a SIGSTOP to take hold; False when the process is exiting instead."""
    for _ in range(200):
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
                state = handle.read().rpartition(")")[2].split()[0]
        except OSError:
            return False
        if state in "tT":
            return True
        if state in "ZX":
            return False
        time.sleep(0.0005)
    return False


def signal_once(
    run: Running,
    signum: int,
    ready: Callable[[], bool],
    *,
    after: float = 0.0,
    nice: bool = False,
) -> bool:
    """Send ``signum`` at the first moment ``ready()`` holds. From ``after`` seconds on,
    the process runs in slices of a fraction of a millisecond and is checked while stopped
    (SIGSTOP) between them, so the signal lands right after what ``ready`` looks for,
    however short the moment that follows it. On a loaded machine a slice stretches to
    the scheduler's (milliseconds), long enough for a short moment to pass unseen;
    ``nice`` runs the process at a low priority from ``after`` on, so that the
    slices stay short (and the rest of its run slower, when the machine is busy)."""
    pause(run, after)
    if nice:
        with contextlib.suppress(OSError):  # it has ended
            os.setpriority(os.PRIO_PROCESS, run.pid, 10)
    while run.poll() is None:
        try:
            os.kill(run.pid, signal.SIGSTOP)
        except ProcessLookupError:
            return False
        try:
            if _stopped(run.pid) and ready():
                os.kill(run.pid, signum)
                return True
        finally:
            if signum != signal.SIGKILL:
                os.kill(run.pid, signal.SIGCONT)
        time.sleep(0.0002)
    return False


def finish(run: Running, signalled: bool) -> Finished:
    deadline = time.monotonic() + STARTUP_LIMIT
    while run.poll() is None:
        run.said()
        assert time.monotonic() < deadline, "tinycrm did not end"
        time.sleep(0.01)
    for pipe in run.out:
        os.set_blocking(pipe.fileno(), True)  # type: ignore[union-attr]
        run.out[pipe] += pipe.read()  # type: ignore[union-attr]
        pipe.close()  # type: ignore[union-attr]
    stdout, stderr = (b.decode("utf-8", "replace") for b in run.out.values())
    return Finished(run.proc.returncode, stdout, stderr, signalled)


def snapshot(path: Path, copy: Path) -> None:
    """Copy a SQLite database (WAL folded in first) so that each run starts from it."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    shutil.copy(path, copy)


def count(db: str, sql: str, *, timeout: float = 30) -> int:
    """One number from the database (a file path or a SQLAlchemy URL)."""
    if "://" not in db:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=timeout)
        try:
            return int(conn.execute(sql).fetchone()[0])
        finally:
            conn.close()
    from sqlalchemy import create_engine, text

    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def contacts_csv(path: Path, rows: int, *, prefix: str = "p", tags: str = "") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First Name", "Last Name", "Email", "Company", "Tags"])
        for i in range(rows):
            writer.writerow(
                [f"P{i}", "Müller", f"{prefix}{i}@example{i % 50}.com", f"Co {i % 300}", tags]
            )
    return path


def tasks_csv(path: Path, rows: int, email: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Kind", "Subject", "Contact", "Due"])
        for i in range(rows):
            writer.writerow(["task", f"Task {i}", email, "2026-01-02"])
    return path


def calls_csv(path: Path, rows: int, email: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Kind", "Subject", "Contact", "Date"])
        for i in range(rows):
            writer.writerow(["call", f"Call {i}", email, "2026-01-02"])
    return path


def probe(check: Callable[[], bool]) -> Callable[[], bool]:
    """``check`` for :func:`signal_once`: a database that is busy (the stopped process
    holds a lock while it closes) is "not yet"."""

    def ready() -> bool:
        try:
            return check()
        except Exception:
            return False

    return ready

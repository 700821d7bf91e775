"""A Ctrl-C whose handler ran inside a finalizer is not lost.

Python runs a signal handler between any two bytecodes, so also inside an object's
``__del__`` or a weakref callback run by the garbage collector (SQLAlchemy's pool finalizes
connections so); an exception raised there is printed as "Exception ignored" and dropped.
While a command runs, ``interrupts`` takes it back as the held signal: the next commit is
not made (the command rolls back), or, once something is saved, it is told after the summary.
Each case is a small Python process: signals and ``sys.unraisablehook`` are process-wide.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PROLOGUE = """
import gc, os, signal, sys, weakref
from tinycrm import interrupts


class Finalized:
    def __del__(self):
        signal.raise_signal(signal.SIGNUM)  # the handler runs here, inside __del__


def in_a_weakref_callback():
    class Thing:
        pass

    thing = Thing()
    weakref.finalize(thing, signal.raise_signal, signal.SIGNUM)
    del thing


interrupts.install()
"""


def _run(body: str, signum: str = "SIGINT") -> subprocess.CompletedProcess[str]:
    script = PROLOGUE.replace("SIGNUM", signum) + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("signum", ["SIGINT", "SIGTERM", "SIGHUP"])
@pytest.mark.parametrize("where", ["Finalized()", "in_a_weakref_callback()"])
def test_a_signal_in_a_finalizer_before_the_commit_rolls_the_command_back(
    signum: str, where: str
) -> None:
    result = _run(
        f"""
        try:
            with interrupts.watch():
                {where}
                gc.collect()
                print("went on")
                with interrupts.saving():
                    print("committed")
        except interrupts.Interrupted as stopped:
            print("interrupted by", signal.Signals(stopped.signum).name)
        """,
        signum,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"went on\ninterrupted by {signum}\n"
    assert result.stderr == ""  # no "Exception ignored in …"


def test_a_signal_in_a_finalizer_after_the_commit_is_told_after_the_summary() -> None:
    result = _run(
        """
        with interrupts.watch():
            with interrupts.saving():
                pass  # a commit
            Finalized()
            print("Added 1 contact")
        print(interrupts.finish())
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "Added 1 contact\ninterrupted after saving (SIGINT arrived once the changes were "
        "committed)\n"
    )


@pytest.mark.parametrize("signum", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_signal_in_the_fold_sqlite_calls_interrupts_the_command_not_a_database_error(
    signum: str, tmp_path: Path
) -> None:
    """The search index's triggers call Python's fold (``tinycrm_fold``) on SQLite. A
    Ctrl-C landing in it became SQLite's "user-defined function raised exception", and the
    command failed with a database error (exit 1), not "interrupted" (seen in a CI run of
    test_merge_interrupted). Now it is kept, the statement ends, and it interrupts the
    command right after it: rolled back as anywhere else."""
    db = tmp_path / "crm.db"
    result = _run(
        f"""
        import tinycrm.store.search_index as index
        from tinycrm.store.engine import open_store
        from tinycrm.store.contacts import add_contact, list_contacts

        store = open_store({str(db)!r}, user="t")
        fold = index.index_fold  # what the triggers call
        calls = []

        def landing(text):
            if not calls:
                calls.append(text)
                signal.raise_signal(signal.{signum})  # the handler runs here, in the fold
            return fold(text)

        index.index_fold = landing
        try:
            with interrupts.watch():
                add_contact(store, name="Ada Lovelace")
                print("went on")
        except interrupts.Interrupted as stopped:
            print("interrupted by", signal.Signals(stopped.signum).name)
        print(len(calls), len(list_contacts(store)))
        store.close()
        """,
        signum,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"interrupted by {signum}\n1 0\n"
    assert result.stderr == ""


@pytest.mark.parametrize("signum", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_signal_as_sqlite_calls_the_fold_is_taken_for_the_interruption(
    signum: str, tmp_path: Path
) -> None:
    """The same signal handled as SQLite enters the Python function (before any line of
    it can catch it, as in test_merge_interrupted on a CI run): SQLite keeps only "user-
    defined function raised exception"; the command line takes that error for the
    interruption it is (exit 130), and the write rolled back."""
    db = tmp_path / "crm.db"
    result = _run(
        f"""
        import tinycrm.store.search_index as index
        from tinycrm.store.engine import open_store
        from tinycrm.store.contacts import add_contact, list_contacts

        calls = []

        def landing(text):
            if not calls:
                calls.append(text)
                signal.raise_signal(signal.{signum})  # handled here, before the fold
            return index.index_fold(text)

        index._fold_in_sqlite = landing  # what the store's connections register
        store = open_store({str(db)!r}, user="t")
        try:
            with interrupts.watch():
                add_contact(store, name="Ada Lovelace")
                print("went on")
        except Exception as error:
            print("interrupted" if interrupts.interrupted_by(error) else f"not: {{error}}")
        print(len(calls), len(list_contacts(store)))
        store.close()
        """,
        signum,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "interrupted\n1 0\n"


def test_other_unraisable_errors_are_still_reported() -> None:
    result = _run(
        """
        class Broken:
            def __del__(self):
                raise ValueError("from a finalizer")

        with interrupts.watch():
            Broken()
            print("went on")
        """
    )
    assert result.returncode == 0
    assert result.stdout == "went on\n"
    assert "Exception ignored" in result.stderr and "from a finalizer" in result.stderr


COMMAND = """
import signal, sys
from sqlalchemy.exc import InvalidRequestError
import tinycrm.store.contacts as contacts


def add_contact(*args, **kwargs):
    # A signal lands inside the library's bookkeeping, which fails as it unwinds (as
    # SQLAlchemy's session does when one lands while a flush ends its inner transaction)
    try:
        signal.raise_signal(signal.SIGTERM)
    except KeyboardInterrupt:
        raise ERROR


contacts.add_contact = add_contact
from tinycrm.entry import main

sys.argv = ["tinycrm", "--db", sys.argv[1], "contact", "add", "Ada"]
main()
"""


@pytest.mark.parametrize(
    "error",
    [
        'InvalidRequestError("Transaction is not on the active transaction list")',
        'RuntimeError("no such thing")',
    ],
)
def test_an_error_while_an_interruption_unwinds_is_the_interruption(
    tmp_path: Path, error: str
) -> None:
    """Was: a SIGTERM during the demo's build ended in a two-screen traceback of
    SQLAlchemy's "not on the active transaction list", exit 1."""
    db = tmp_path / "t.db"
    script = COMMAND.replace("ERROR", error)
    result = subprocess.run(
        [sys.executable, "-c", script, str(db)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 130, result.stderr
    assert result.stderr == "Error: interrupted; nothing was saved by the unfinished command\n"
    listed = subprocess.run(
        [sys.executable, "-m", "tinycrm", "--db", str(db), "contact", "list", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listed.returncode == 0 and json.loads(listed.stdout) == []


def test_an_error_with_no_interruption_behind_it_is_not_taken_for_one(tmp_path: Path) -> None:
    script = COMMAND.replace(
        "    try:\n        signal.raise_signal(signal.SIGTERM)\n    except KeyboardInterrupt:\n"
        "        raise ERROR",
        '    raise RuntimeError("a bug")',
    )
    assert "a bug" in script
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "t.db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "RuntimeError" in result.stderr and "a bug" in result.stderr
    assert "interrupted" not in result.stderr


def test_what_the_database_library_logs_as_an_interruption_unwinds_stays_quiet(
    tmp_path: Path,
) -> None:
    """Was: "Error closing cursor" and two tracebacks before the command's own line
    (SQLAlchemy logs the cursor it cannot close once the interruption closed the
    connection); a record with no interruption behind it is one line."""
    script = COMMAND.replace(
        "        raise ERROR",
        "        import logging\n"
        "        log = logging.getLogger('sqlalchemy.pool.impl.QueuePool')\n"
        "        try:\n"
        "            raise ValueError('Cannot operate on a closed database.')\n"
        "        except ValueError:\n"
        "            log.error('Error closing cursor', exc_info=True)\n"
        "        log.error('Exception closing connection %r', '\\x1b[2J')\n"
        "        raise",
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "t.db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 130, result.stderr
    assert result.stderr == (
        "Warning: database: Exception closing connection '\\x1b[2J'\n"
        "Error: interrupted; nothing was saved by the unfinished command\n"
    )

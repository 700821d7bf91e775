"""A Ctrl-C whose handler ran inside a finalizer is not lost.

Python runs a signal handler between any two bytecodes, so also inside an object's
``__del__`` or a weakref callback run by the garbage collector (SQLAlchemy's pool finalizes
connections so); an exception raised there is printed as "Exception ignored" and dropped.
While a command runs, ``interrupts`` takes it back as the held signal: the next commit is
not made (the command rolls back), or, once something is saved, it is told after the summary.
Each case is a small Python process: signals and ``sys.unraisablehook`` are process-wide.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

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


@pytest.mark.parametrize("signum", ["SIGINT", "SIGTERM"])
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

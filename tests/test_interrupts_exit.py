"""The end of a tinycrm process: a signal after the command's last check is still told.

Once a command is over, ``tinycrm.cli.main`` calls ``interrupts.finish()`` (its check for a
held signal) and ``interrupts.exit_now()`` (flush, atexit, exit). A SIGINT or SIGTERM that
arrives between the two, or while the output is flushed, must still end in the summary
plus "interrupted after saving" (exit 0), never a silent exit 0. Each case is a small
Python process that plays a command which saved, then signals itself at that moment.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

PROLOGUE = """
import atexit, os, signal, sys
from tinycrm import interrupts

interrupts.install()
with interrupts.watch():
    if SAVES:
        with interrupts.saving():
            pass  # a commit
    print("Added 1 contact")
"""


def _run(body: str, *, saves: bool = True) -> subprocess.CompletedProcess[str]:
    script = f"SAVES = {saves}\n" + PROLOGUE + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("signum", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_signal_after_the_last_check_is_told_after_the_summary(signum: str) -> None:
    result = _run(
        f"""
        assert interrupts.finish() is None  # the command's last check: nothing yet
        os.kill(os.getpid(), signal.{signum})  # then the signal
        interrupts.exit_now(0)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Added 1 contact\n"
    assert result.stderr == (
        f"interrupted after saving ({signum} arrived once the changes were committed)\n"
    )


def test_a_signal_while_the_output_is_flushed_is_told() -> None:
    result = _run(
        """
        interrupts.finish()
        atexit.register(lambda: os.kill(os.getpid(), signal.SIGINT))  # during exit_now
        interrupts.exit_now(0)
        """
    )
    assert (result.returncode, result.stdout) == (0, "Added 1 contact\n"), result.stderr
    assert "interrupted after saving (SIGINT" in result.stderr


def test_a_signal_held_before_the_last_check_is_told_once() -> None:
    result = _run(
        """
        os.kill(os.getpid(), signal.SIGINT)  # held: the command has saved
        note = interrupts.finish()
        print(note, file=sys.stderr)
        interrupts.exit_now(0)
        """
    )
    assert result.returncode == 0
    assert result.stderr.count("interrupted after saving") == 1, result.stderr


def test_nothing_is_claimed_for_a_command_that_saved_nothing() -> None:
    result = _run(
        """
        interrupts.finish()
        os.kill(os.getpid(), signal.SIGINT)
        interrupts.exit_now(0)
        """,
        saves=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "Added 1 contact\n", "")


def test_a_failed_command_keeps_its_status_and_says_nothing_more() -> None:
    result = _run(
        """
        interrupts.finish()
        os.kill(os.getpid(), signal.SIGTERM)
        interrupts.exit_now(1)
        """
    )
    assert (result.returncode, result.stderr) == (1, "")

"""The console script's first step: a signal while the command line loads is one line, 130."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

# Signals itself the moment tinycrm.cli starts to load (Typer, Rich: the slow part of a
# start), which is where a Ctrl-C used to become Python's KeyboardInterrupt traceback.
SIGNAL_DURING_LOAD = """
import os, signal, sys
import tinycrm.entry as entry

class SignalWhenTheCliLoads:
    def find_spec(self, name, path=None, target=None):
        if name == "tinycrm.cli":
            os.kill(os.getpid(), signal.{signame})
        return None

sys.meta_path.insert(0, SignalWhenTheCliLoads())
sys.argv = ["tinycrm", "contact", "list"]
entry.main()
"""


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_a_signal_while_the_command_line_loads_is_one_line_and_130(signame: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SIGNAL_DURING_LOAD.format(signame=signame)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 130, (done.returncode, done.stderr)
    assert done.stderr == "Error: interrupted; nothing was saved by the unfinished command\n"
    assert done.stdout == ""


def test_python_m_tinycrm_goes_through_the_same_entry() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tinycrm", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("tinycrm ")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # this process untouched

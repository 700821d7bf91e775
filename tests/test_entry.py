"""The console script's first step: a signal while the command line loads is one line, 130."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

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


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM", "SIGHUP"])
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


# What the collector did: off while the command line and the store load, back on (with
# what they built frozen) once the store is open, before the command's own work.
COLLECTOR = """
import gc, json, os, sys
import tinycrm.entry as entry
from tinycrm import interrupts
from tinycrm.cli import common

seen = {}
opened = common.State.crm

def crm(self):
    seen.setdefault("while_loading", gc.isenabled())
    return opened(self)

def leave(code):
    seen.update(enabled=gc.isenabled(), frozen=gc.get_freeze_count() > 10_000, code=code)
    print(json.dumps(seen), file=sys.stderr)
    os._exit(0)

common.State.crm = crm
interrupts.exit_now = leave
sys.argv = ["tinycrm", "--db", sys.argv[1], "contact", "list"]
entry.main()
"""


def test_the_collector_is_off_while_tinycrm_loads_and_on_for_the_command(tmp_path) -> None:
    """Start-up's objects live to the end: the cyclic collector does not walk them while
    they load (a tenth of a start-up), nor after, once they are frozen."""
    import json

    done = subprocess.run(
        [sys.executable, "-c", COLLECTOR, str(tmp_path / "crm.db")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert json.loads(done.stderr.strip().splitlines()[-1]) == {
        "while_loading": False,
        "enabled": True,
        "frozen": True,
        "code": 0,
    }


def test_a_signal_ignored_from_the_start_stays_ignored(tmp_path) -> None:
    """``tinycrm demo &`` in a script starts with SIGINT ignored (the shell keeps the
    terminal's Ctrl-C from its background jobs): tinycrm leaves it so, as Python does,
    and a Ctrl-C meant for the script's foreground does not stop it half way."""
    target = tmp_path / "demo.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tinycrm", "demo", "--no-board", "--path", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # as `&` does
    )
    deadline = time.monotonic() + 120
    while proc.poll() is None and not target.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    for _ in range(3):  # while it starts and while it builds
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        time.sleep(0.2)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "Built the demo database" in out + err
    assert "interrupted" not in err

"""A terminal that closes under a running command (its window, an ssh session that
dropped): the shell sends the command SIGHUP, which ends it as Ctrl-C does.

Was: the default action killed the process where it stood, as kill -9 does (a remind
run kept its claims for fifteen minutes, a file half written stayed beside its target);
and once HUP was handled, writing "interrupted" to the terminal that was gone failed
(EIO), so the command left with 1 instead of 130.
"""

from __future__ import annotations

import errno
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import typer

from tinycrm.cli.common import fail

from .conftest import tinycrm_executable
from .signals import STARTUP_LIMIT, contacts_csv, count

if sys.platform == "win32":  # pragma: no cover
    pytest.skip("no terminals to hang up on Windows", allow_module_level=True)


def _read(master: int, seconds: float) -> bytes:
    ready, _, _ = select.select([master], [], [], seconds)
    if not ready:
        return b""
    try:
        return os.read(master, 1 << 16)
    except OSError:  # the other side is gone
        return b""


def test_a_terminal_that_closes_under_an_import_rolls_it_back_with_130(tmp_path: Path) -> None:
    db = tmp_path / "crm.db"
    source = contacts_csv(tmp_path / "big.csv", 60_000)
    subprocess.run([*tinycrm_executable(), "--db", str(db), "contact", "add", "Ann"], check=True)
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [*tinycrm_executable(), "--db", str(db), "import", "contacts", str(source)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        env={**os.environ, "TERM": "xterm", "COLUMNS": "80"},
    )
    os.close(slave)
    try:
        seen, deadline = b"", time.monotonic() + STARTUP_LIMIT
        while b"Importing" not in seen:  # its progress bar: the rows are being read
            assert proc.poll() is None, seen.decode("utf-8", "replace")
            assert time.monotonic() < deadline, "the import never showed its progress"
            seen += _read(master, 0.05)
    finally:
        os.close(master)  # the terminal goes away
    assert proc.poll() is None, "the import ended before the terminal closed"
    proc.send_signal(signal.SIGHUP)  # as the shell does to its jobs when it hangs up
    assert proc.wait(timeout=STARTUP_LIMIT) == 130
    assert count(str(db), "SELECT count(*) FROM contact") == 1  # Ann alone
    assert sorted(p.name for p in tmp_path.iterdir())[:2] == ["big.csv", "crm.db"]


class _GoneTerminal:
    """A standard error whose terminal hung up: every write fails with EIO."""

    def write(self, text: str) -> int:
        raise OSError(errno.EIO, "Input/output error")

    def flush(self) -> None:
        raise OSError(errno.EIO, "Input/output error")

    def isatty(self) -> bool:
        return False


def test_a_message_nothing_can_show_keeps_its_exit_status(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stderr", _GoneTerminal())
    with pytest.raises(typer.Exit) as raised:
        fail("interrupted; nothing was saved by the unfinished command", 130)
    assert raised.value.exit_code == 130

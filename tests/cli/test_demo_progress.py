"""The first ``tinycrm demo`` shows its progress on a terminal, and nothing more when piped."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import termios
from pathlib import Path

import pytest

from .conftest import tinycrm_executable

pytestmark = pytest.mark.slow

SUMMARY = re.compile(
    r"Built the demo database at (?P<path>.+)\n"
    r"  [\d,]+ companies, [\d,]+ contacts, [\d,]+ deals \([\d,]+ open, [\d,]+ won, [\d,]+ lost\), "
    r"[\d,]+ activities, [\d,]+ overdue tasks\n"
    r"\n"
    r"Explore it \(your own database is untouched\):\n"
    r"  export TINYCRM_DB=(?P=path)\n"
    r"  tinycrm deal list\n"
    r"  tinycrm contact list --search müller\n"
    r"  tinycrm task list --overdue\n"
    r"  tinycrm feed --limit 10\n"
    r"  tinycrm deal show 1\n"
)


def in_a_terminal(args: list[str]) -> tuple[int, str]:
    """Run ``args`` with a 100x30 terminal as stdin, stdout and stderr; its exit status and
    everything it wrote there."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color"}
    env.pop("COLUMNS", None)
    proc = subprocess.Popen(args, stdin=follower, stdout=follower, stderr=follower, env=env)
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def test_piped_output_is_the_summary_and_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "demo.db"
    run = subprocess.run(
        [*tinycrm_executable(), "demo", "--path", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    match = SUMMARY.fullmatch(run.stdout)
    assert match is not None, run.stdout
    assert match["path"] == str(target)


def test_a_first_build_on_a_terminal_shows_a_progress_bar(tmp_path: Path) -> None:
    target = tmp_path / "demo.db"
    status, screen = in_a_terminal(
        [*tinycrm_executable(), "demo", "--no-board", "--path", str(target)]
    )
    assert status == 0, screen
    assert "Building the demo database" in screen
    counts = [(int(done), int(total)) for done, total in re.findall(r"(\d+)/(\d+)", screen)]
    assert counts, screen
    total = counts[-1][1]
    assert total > 1000 and any(0 < done < total for done, _ in counts)
    assert "Built the demo database at" in screen
    # a reuse is quick: it says so and shows no bar
    status, again = in_a_terminal(
        [*tinycrm_executable(), "demo", "--no-board", "--path", str(target)]
    )
    assert status == 0, again
    assert "Using the demo database at" in again
    assert "Building the demo database" not in again

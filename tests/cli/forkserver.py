"""The client side of ``hostile_runner.py``: tinycrm imported once, each run a forked child.

A child is a process of its own (its argv, environment, working directory, stdin, stdout,
stderr and exit status) running the console script's entry point, without the ~0.4 s of
imports a fresh ``tinycrm`` pays before it reads its arguments. The hostile suite runs
every case through it and the escape tests their command sweeps; where the process
itself is the point (signals, a terminal, what a start imports), tests start the
installed script instead.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path


class ForkServer:
    """``hostile_runner.py`` in a process of its own: each run a forked child of it."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("hostile_runner.py"))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )

    def run(
        self, argv: list[str | bytes], stdin: bytes, env: dict[str, str], cwd: Path
    ) -> tuple[int, bytes, bytes, bool]:
        """Exit status, stdout, stderr, and whether the run opened a SQLite database."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        (cwd / "stdin.bin").write_bytes(stdin)
        (cwd / "opened-a-database").unlink(missing_ok=True)
        request = {
            "argv": [base64.b64encode(os.fsencode(a)).decode() for a in argv],
            "env": env,
            "cwd": str(cwd),
            "stdin": str(cwd / "stdin.bin"),
            "stdout": str(cwd / "stdout.bin"),
            "stderr": str(cwd / "stderr.bin"),
            "opened": str(cwd / "opened-a-database"),
        }
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        return (
            answer["returncode"],
            (cwd / "stdout.bin").read_bytes(),
            (cwd / "stderr.bin").read_bytes(),
            (cwd / "opened-a-database").exists(),
        )

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)

"""Helpers for driving the command line in-process (CliRunner) and as a real process."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from typer.testing import CliRunner

from tinycrm.cli import app


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def cli() -> Callable[..., Run]:
    """``cli("contact", "add", "Ada")`` runs tinycrm in-process; exceptions are not swallowed."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Run:
        result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
        return Run(result.exit_code, result.stdout, result.stderr)

    return run


def tinycrm_executable() -> list[str]:
    found = shutil.which("tinycrm", path=str(__import__("pathlib").Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "tinycrm"]


@pytest.fixture
def sh() -> Callable[..., Run]:
    """Run the installed ``tinycrm`` script in a subprocess (real exit codes and stderr)."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Run:
        import os

        proc = subprocess.run(
            [*tinycrm_executable(), *args],
            input=input,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            timeout=60,
        )
        return Run(proc.returncode, proc.stdout, proc.stderr)

    return run

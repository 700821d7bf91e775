"""Helpers for driving the command line in-process (CliRunner) and as a real process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from tests.conftest import Run
from tinycrm.cli import app


@pytest.fixture(autouse=True)
def fresh_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's output consoles are made for it (its $COLUMNS): a console cached by an
    earlier test at 20 columns cut the next test's search hits ('Anna Müller…')."""
    from tinycrm.cli import output

    monkeypatch.setattr(output, "_console", None)
    monkeypatch.setattr(output, "_err_console", None)


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

"""Helpers for driving the command line in-process (CliRunner) and as a real process."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tinycrm.cli import app

from .forkserver import ForkServer


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


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


@pytest.fixture(scope="session")
def forkserver() -> Iterator[ForkServer]:
    """One fork server per test process (xdist worker), shared by the modules that use it."""
    server = ForkServer(dict(os.environ))
    yield server
    server.close()


@pytest.fixture
def forked(forkserver: ForkServer, tmp_path: Path) -> Callable[..., Run]:
    """``forked("contact", "list")``: as ``sh``, a process of its own with its exit code,
    stdout and stderr, but forked from the fork server (tinycrm already imported), so a
    run costs a few hundredths of a second rather than half of one. For sweeps over many
    commands where the process start is not what is tested."""
    numbers = itertools.count()

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Run:
        folder = tmp_path / f"forked-{next(numbers)}"
        folder.mkdir()
        returncode, out, err, _opened = forkserver.run(
            list(args), (input or "").encode(), {**os.environ, **(env or {})}, folder
        )
        return Run(returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))

    return run

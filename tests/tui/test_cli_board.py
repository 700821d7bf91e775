"""``tinycrm board`` from the command line: a database that cannot be opened is refused
with one line, before Textual is even imported; without a terminal it says so."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

PROBE = """
import json, sys
from tinycrm import cli
cli.COMMANDS.setdefault("board", ("tinycrm.cli.board", "app"))
code = 0
try:
    cli.app(sys.argv[1:], prog_name="tinycrm")
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "textual": "textual" in sys.modules}))
"""


def _board(*args: str) -> tuple[dict[str, object], str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr


def test_unopenable_database_is_refused_before_textual_starts(tmp_path: Path) -> None:
    result, stderr = _board("--db", str(tmp_path), "board")
    assert result == {"code": 1, "textual": False}
    assert stderr.strip() == f"Error: cannot open database {tmp_path}: it is a directory"


def test_unreachable_postgresql_is_refused(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    result, stderr = _board("--db", url, "board")
    assert result == {"code": 1, "textual": False}
    assert stderr.startswith("Error: cannot open database")
    assert len(stderr.strip().splitlines()) == 1


def test_without_a_terminal_the_board_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from tinycrm import cli

    monkeypatch.setitem(cli.COMMANDS, "board", ("tinycrm.cli.board", "app"))
    result = CliRunner().invoke(cli.app, ["board"])
    assert result.exit_code == 1
    assert "the board needs a terminal" in result.stderr
